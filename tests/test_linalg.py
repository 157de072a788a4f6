"""Linear algebra behaviour beyond the op table: errors, dtypes, grad_fn names, named tuples."""

import warnings

import numpy as np
import pytest
import torch

import ember

RNG = np.random.default_rng(0)


def arr(*shape, dtype="float32"):
    return RNG.standard_normal(shape).astype(dtype)


def outcome(fn, lib):
    try:
        return fn(lib)
    except Exception as ex:  # noqa: BLE001
        return ex


def same_error(fn, exact=True):
    t, e = outcome(fn, torch), outcome(fn, ember)
    assert isinstance(t, Exception), f"torch did not raise: {t}"
    assert isinstance(e, Exception), f"ember did not raise (torch: {t!r})"
    assert type(e).__name__ == type(t).__name__ or isinstance(e, type(t).__mro__[1]), (e, t)
    if exact:
        assert str(e) == str(t)


SHAPE_ERRORS = [((2, 3), (4, 5)), ((3,), (4,)), ((2, 3), (4,)), ((3,), (4, 5)),
                ((5, 2, 3), (4, 3, 2)), ((5, 2, 3), (5, 4, 2)), ((5, 2, 3), (4, 5)),
                ((6, 5, 2, 3), (2, 4, 5)), ((5, 2, 3), (4,)), ((), (3,)), ((3,), ())]


@pytest.mark.parametrize("sa,sb", SHAPE_ERRORS, ids=str)
def test_matmul_shape_errors(sa, sb):
    a, b = arr(*sa), arr(*sb)
    same_error(lambda lib: lib.matmul(lib.tensor(a), lib.tensor(b)))


def test_product_errors():
    m, v = arr(2, 3), arr(3)
    same_error(lambda lib: lib.mm(lib.tensor(m), lib.tensor(v)))
    same_error(lambda lib: lib.mm(lib.tensor(m), lib.tensor(m)))
    same_error(lambda lib: lib.bmm(lib.tensor(m), lib.tensor(m)))
    same_error(lambda lib: lib.bmm(lib.tensor(arr(2, 3, 4)), lib.tensor(arr(3, 4, 4))))
    same_error(lambda lib: lib.mv(lib.tensor(m), lib.tensor(arr(2))))
    same_error(lambda lib: lib.dot(lib.tensor(v), lib.tensor(arr(4))))
    same_error(lambda lib: lib.dot(lib.tensor(v), lib.tensor(m)))
    same_error(lambda lib: lib.dot(lib.tensor(v), lib.tensor(v.astype("float64"))))
    same_error(lambda lib: lib.outer(lib.tensor(m), lib.tensor(v)))
    same_error(lambda lib: lib.inner(lib.tensor(v), lib.tensor(arr(4))))
    same_error(lambda lib: lib.matmul(lib.tensor(m), lib.tensor(m.T.astype("float64"))))
    same_error(lambda lib: lib.matmul(lib.tensor(m), 2), exact=False)
    same_error(lambda lib: lib.matmul(lib.ones(2, 2, dtype=lib.bool), lib.ones(2, 2,
                                                                             dtype=lib.bool)))
    same_error(lambda lib: lib.matmul(lib.ones(2, 3, dtype=lib.int32), lib.ones(3, 2)))
    m42 = arr(4, 2)
    same_error(lambda lib: lib.tensordot(lib.tensor(m), lib.tensor(m42), dims=1))
    same_error(lambda lib: lib.tensordot(lib.tensor(m), lib.tensor(m42), dims=([1], [0])))


def test_einsum_errors_and_forms():
    a, b = arr(2, 3), arr(3, 4)
    same_error(lambda lib: lib.einsum("ij,jk", lib.tensor(a)))
    same_error(lambda lib: lib.einsum("ij,jk", lib.tensor(a), lib.tensor(a)))
    same_error(lambda lib: lib.einsum("ij", lib.tensor(arr(4))))
    same_error(lambda lib: lib.einsum("ij->k", lib.tensor(a)))
    same_error(lambda lib: lib.einsum("ii->i", lib.tensor(a)))
    same_error(lambda lib: lib.einsum("i,i", lib.tensor(arr(3)),
                                      lib.tensor(arr(3, dtype="float64"))))

    def forms(lib):
        x, y = lib.tensor(a), lib.tensor(b)
        return [lib.einsum(x, [0, 1], y, [1, 2], [0, 2]), lib.einsum(x, [0, 1], y, [1, 2]),
                lib.einsum("ij->", x), lib.einsum("...", x), lib.einsum("i...->...", x),
                lib.einsum("ij,jk", (x, y)), lib.einsum("i,i", lib.tensor([1, 2]),
                                                       lib.tensor([3, 4]))]
    for e, t in zip(forms(ember), forms(torch)):
        assert e.dtype.name == str(t.dtype).replace("torch.", "")
        np.testing.assert_allclose(np.asarray(e), t.numpy(), rtol=1e-5, atol=1e-6)


def test_integer_and_low_precision_matmul():
    p, q = arr(2, 3), arr(3, 2)

    def f(lib):
        a = lib.tensor(np.arange(6).reshape(2, 3))
        b = lib.tensor(np.arange(12).reshape(3, 4))
        return (a @ b, a @ b[:, 0], lib.mm(a, b), lib.tensor(p).half() @ lib.tensor(q).half(),
                lib.tensor(p).bfloat16() @ lib.tensor(q).bfloat16())
    for e, t in zip(f(ember), f(torch)):
        assert e.dtype.name == str(t.dtype).replace("torch.", "")
        np.testing.assert_allclose(np.asarray(e.float()), t.float().numpy(), rtol=1e-2)


def test_float32_matmul_stays_float32():
    x = ember.tensor(arr(64, 32))
    y = ember.tensor(arr(32, 16))
    out = x @ y
    assert out.dtype is ember.float32 and out._array.dtype == np.float32
    np.testing.assert_allclose(np.asarray(out), arr_from(x) @ arr_from(y), rtol=1e-6)


def arr_from(t):
    return np.asarray(t)


GRAD_FN = [((2, 3), (3, 4)), ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((5, 2, 3), (3, 4)),
           ((5, 2, 3), (5, 3, 4)), ((2, 3), (5, 3, 4))]


@pytest.mark.parametrize("sa,sb", GRAD_FN, ids=str)
def test_matmul_grad_fn_names(sa, sb):
    a, b = arr(*sa), arr(*sb)

    def f(lib):
        return lib.matmul(lib.tensor(a, requires_grad=True), lib.tensor(b)).grad_fn.name()
    assert f(ember) == f(torch)


def test_grad_fn_names():
    m = arr(3, 3) + 3 * np.eye(3, dtype="float32")

    def f(lib):
        x = lib.tensor(m, requires_grad=True)
        v = lib.tensor(m[0], requires_grad=True)
        return [lib.mm(x, x), lib.mv(x, v), lib.dot(v, v), lib.addmm(x, x, x),
                lib.addmv(v, x, v), lib.baddbmm(x[None], x[None], x[None]),
                lib.linalg.inv(x), lib.linalg.det(x), lib.linalg.solve(x, v), x.inverse(),
                lib.linalg.slogdet(x)[1], lib.linalg.cross(x, x), x @ x]
    assert [t.grad_fn.name() for t in f(ember)] == [t.grad_fn.name() for t in f(torch)]


def test_rmatmul_and_inplace_addmm():
    a, b = arr(2, 3), arr(3, 4)

    def f(lib):
        x = lib.tensor(a, requires_grad=True)
        y = lib.tensor(b)
        out = y.__rmatmul__(x)
        out.sum().backward()
        c = lib.zeros(2, 4)
        c.addmm_(lib.tensor(a), y, alpha=2)
        return out, x.grad, c
    for e, t in zip(f(ember), f(torch)):
        np.testing.assert_allclose(np.asarray(e.detach()), t.detach().numpy(), rtol=1e-5)


def test_linalg_errors():
    sq = arr(3, 3)
    same_error(lambda lib: lib.linalg.inv(lib.ones(3, 3, dtype=lib.int64)))
    same_error(lambda lib: lib.linalg.inv(lib.ones(3, 3, dtype=lib.half)))
    same_error(lambda lib: lib.linalg.inv(lib.ones(3)))
    same_error(lambda lib: lib.linalg.inv(lib.ones(2, 3)))
    same_error(lambda lib: lib.linalg.det(lib.ones(2, 3)))
    same_error(lambda lib: lib.linalg.slogdet(lib.ones(2, 3)))
    same_error(lambda lib: lib.linalg.solve(lib.tensor(sq), lib.ones(4)))
    same_error(lambda lib: lib.linalg.solve(lib.tensor(sq), lib.ones(4, 2)))
    same_error(lambda lib: lib.linalg.solve(lib.tensor(sq), lib.ones(3, 2, dtype=lib.float64)))
    same_error(lambda lib: lib.linalg.eigh(lib.ones(2, 3)))
    same_error(lambda lib: lib.linalg.qr(lib.ones(3, 2), mode="x"))
    same_error(lambda lib: lib.linalg.svd(lib.ones(3)))
    same_error(lambda lib: lib.linalg.multi_dot([lib.ones(3, 3)]))
    same_error(lambda lib: lib.linalg.multi_dot([lib.ones(3, 3), lib.ones(3), lib.ones(3, 3)]))
    same_error(lambda lib: lib.linalg.multi_dot([lib.ones(2, 3), lib.ones(4, 2)]))
    same_error(lambda lib: lib.linalg.norm(lib.ones(2, 3, 4), 2))
    same_error(lambda lib: lib.linalg.matrix_norm(lib.ones(3)))
    same_error(lambda lib: lib.linalg.matrix_norm(lib.ones(3, 3), 3))
    same_error(lambda lib: lib.linalg.cross(lib.ones(2, 1, 3), lib.ones(4, 3)))
    same_error(lambda lib: lib.linalg.cross(lib.ones(2, 4), lib.ones(2, 4)))
    # singular / non-definite inputs raise LinAlgError (a RuntimeError), message differs
    for fn in (lambda lib: lib.linalg.inv(lib.ones(3, 3)),
               lambda lib: lib.linalg.solve(lib.ones(3, 3), lib.ones(3)),
               lambda lib: lib.linalg.cholesky(-lib.eye(3))):
        with pytest.raises(ember.linalg.LinAlgError):
            fn(ember)
        with pytest.raises(RuntimeError):
            fn(ember)
        same_error(fn, exact=False)


def test_named_tuples_and_decompositions():
    a = arr(4, 3, dtype="float64")
    s = a.T @ a + np.eye(3)
    e, t = ember.linalg.slogdet(ember.tensor(s)), torch.linalg.slogdet(torch.tensor(s))
    assert type(e).__name__ == "linalg_slogdet" and e.sign.item() == t.sign.item()
    assert abs(e.logabsdet.item() - t.logabsdet.item()) < 1e-12
    q, r = ember.linalg.qr(ember.tensor(a))
    np.testing.assert_allclose(np.asarray(q @ r), a, atol=1e-12)
    tq, tr = torch.linalg.qr(torch.tensor(a))
    np.testing.assert_allclose(np.abs(np.asarray(r)), np.abs(tr.numpy()), atol=1e-12)
    qc = ember.linalg.qr(ember.tensor(a), mode="complete")
    assert tuple(qc.Q.shape) == (4, 4)
    rr = ember.linalg.qr(ember.tensor(a), mode="r")
    assert tuple(rr.Q.shape) == (0,) and tuple(rr.R.shape) == (3, 3)
    w, v = ember.linalg.eigh(ember.tensor(s))
    np.testing.assert_allclose(np.asarray(w), torch.linalg.eigvalsh(torch.tensor(s)).numpy())
    np.testing.assert_allclose(np.asarray(v @ ember.diag_embed(w) @ v.T), s, atol=1e-10)
    u, sv, vh = ember.linalg.svd(ember.tensor(a))
    assert tuple(u.shape) == (4, 4) and tuple(vh.shape) == (3, 3)
    np.testing.assert_allclose(np.asarray(sv), torch.linalg.svdvals(torch.tensor(a)).numpy())
    U, S, V = ember.svd(ember.tensor(a))
    assert tuple(U.shape) == (4, 3)
    np.testing.assert_allclose(np.asarray(U @ ember.diag_embed(S) @ V.T), a, atol=1e-12)
    L = ember.linalg.cholesky(ember.tensor(s))
    np.testing.assert_allclose(np.asarray(L), torch.linalg.cholesky(torch.tensor(s)).numpy())


def test_deprecated_forms_warn():
    m = arr(3, 3, dtype="float64")

    def f(lib):
        x = lib.tensor(m)
        with pytest.warns(UserWarning, match="chain_matmul is deprecated"):
            a = lib.chain_matmul(x, x, x)
        with pytest.warns(UserWarning, match="cross without specifying the dim"):
            b = lib.cross(x, x.flip(0))
        return a, b

    def g(lib):     # torch warns once per process (TORCH_WARN_ONCE): other tests may go first
        x = lib.tensor(m)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return lib.chain_matmul(x, x, x), lib.cross(x, x.flip(0))
    for e, t in zip(f(ember), g(torch)):
        np.testing.assert_allclose(np.asarray(e), t.numpy(), rtol=1e-10, atol=1e-10)


def test_matrix_functions_and_norms():
    m = arr(3, 3, dtype="float64")

    def f(lib):
        x = lib.tensor(m)
        return [lib.linalg.matrix_power(x, 0), lib.linalg.matrix_power(x, 5),
                lib.matrix_power(x, -1), lib.linalg.matrix_norm(x, float("inf")),
                lib.linalg.matrix_norm(x, -1), lib.linalg.matrix_norm(x, "nuc"),
                lib.linalg.norm(x, "fro"), lib.linalg.norm(x, dim=1),
                lib.linalg.norm(x, 2), lib.linalg.norm(x[0], 1), lib.kron(x, x[:2]),
                lib.logdet(x @ x.T), lib.pinverse(x[:2]), lib.linalg.matrix_power(
                    lib.stack([x, x]), 0)]
    for e, t in zip(f(ember), f(torch)):
        assert tuple(e.shape) == tuple(t.shape)
        np.testing.assert_allclose(np.asarray(e), t.numpy(), rtol=1e-10, atol=1e-10)


def test_ex_variants_eig_rank_lstsq():
    a = np.array([[4.0, 1.0], [2.0, 3.0]])
    b = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]])

    def f(lib):
        A = lib.tensor(a)
        w, v = lib.linalg.eig(A)
        ls = lib.linalg.lstsq(lib.tensor(b), lib.tensor(np.array([[1.0], [2.0], [2.0]])))
        return [lib.linalg.inv_ex(A).inverse, lib.linalg.inv_ex(A).info,
                lib.linalg.cholesky_ex(-lib.eye(2)).info.bool(),
                lib.linalg.solve_ex(A, lib.ones(2, dtype=lib.float64)).result, w, v,
                lib.linalg.eigvals(A), lib.linalg.matrix_rank(lib.ones(3, 3)),
                lib.linalg.matrix_rank(A), ls.solution, ls.residuals, ls.rank,
                lib.linalg.diagonal(lib.ones(2, 3, 3))]
    for e, t in zip(f(ember), f(torch)):
        assert e.dtype.name == str(t.dtype).replace("torch.", "") and e.shape == t.shape
        np.testing.assert_allclose(np.asarray(e), t.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("fn", [
    lambda lib: lib.ones(2, dtype=lib.int64) @ lib.ones(2),
    lambda lib: lib.ones(2, 2, dtype=lib.int64) @ lib.ones(2),
    lambda lib: lib.ones(2) @ lib.ones(2, 2, dtype=lib.float64),
    lambda lib: lib.mv(lib.ones(2, 2), lib.ones(2, dtype=lib.float64)),
    lambda lib: lib.ones(2, 2, 2) @ lib.ones(2, 2, dtype=lib.float64),
])
def test_matmul_dtype_mismatch_messages(fn):
    """matmul reports the dtype error of the kernel torch runs (dot, addmv or mm)."""
    errs = []
    for lib in (torch, ember):
        with pytest.raises(RuntimeError) as e:
            fn(lib)
        errs.append(str(e.value))
    assert errs[0] == errs[1]
