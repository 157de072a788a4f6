"""Reductions beyond the op table: errors, named tuples, result dtypes, edge cases, vs torch."""

import pickle
import warnings

import numpy as np
import pytest
import torch

import ember
from ember import _dtype
from ember.ops.reduce import vector_norm

A = [[0.7576, 0.2793, 0.4031, 0.7347],
     [0.0293, 0.7999, 0.3971, 0.7544],
     [0.5695, 0.4388, 0.6387, 0.5247]]


def same(e, t):
    assert isinstance(e, ember.Tensor) and isinstance(t, torch.Tensor)
    assert tuple(e.shape) == tuple(t.shape)
    assert e.dtype.name == str(t.dtype).replace("torch.", "")
    np.testing.assert_allclose(np.asarray(e.detach()), t.detach().numpy(), rtol=1e-6,
                               atol=1e-6, equal_nan=True)


def raises_like(fn):
    """fn(torch) and fn(ember) raise the same exception type with the same message."""
    with pytest.raises(Exception) as tinfo:
        fn(torch)
    with pytest.raises(Exception) as einfo:
        fn(ember)
    assert type(einfo.value) is type(tinfo.value)
    assert str(einfo.value) == str(tinfo.value)


def test_seed_example_max_dim():
    value, index = ember.max(ember.tensor(A), dim=1)
    tv, ti = torch.max(torch.tensor(A), dim=1)
    same(value, tv)
    same(index, ti)
    assert index.dtype is ember.int64


@pytest.mark.parametrize("fn", [
    lambda lib: lib.ones(3, 4).sum(2),
    lambda lib: lib.ones(3, 4).max(-3),
    lambda lib: lib.ones(3, 4).softmax(2),
    lambda lib: lib.ones(3, 4).sort(dim=5),
    lambda lib: lib.ones(3, 4).cumsum(2),
    lambda lib: lib.ones(3, 4).std(2),
    lambda lib: lib.ones(()).sum(1),
    lambda lib: lib.ones(3, 4).mode(5),
])
def test_dim_out_of_range(fn):
    raises_like(fn)
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range "
                                         r"of \[-2, 1\], but got 2\)"):
        ember.ones(3, 4).amax(2)


@pytest.mark.parametrize("fn", [
    lambda lib: lib.tensor([]).max(),
    lambda lib: lib.tensor([]).min(),
    lambda lib: lib.zeros(0, 3).amax(),
    lambda lib: lib.zeros(0, 3).max(0),
    lambda lib: lib.zeros(0, 3).amin(0),
    lambda lib: lib.zeros(0, 3).argmax(),
    lambda lib: lib.zeros(2, 0).median(1),
    lambda lib: lib.tensor([]).mode(),
    lambda lib: lib.ones(2, 3).topk(4),
    lambda lib: lib.ones(2, 3).kthvalue(4),
    lambda lib: lib.ones(2, 3).kthvalue(0),
    lambda lib: lib.tensor([1, 2]).mean(),
    lambda lib: lib.tensor([1, 2]).std(),
    lambda lib: lib.tensor([1, 2]).nanmean(),
    lambda lib: lib.tensor([1, 2]).softmax(0),
    lambda lib: lib.tensor([1, 2]).log_softmax(0),
    lambda lib: lib.tensor([1, 2]).norm(),
])
def test_errors_match_torch(fn):
    raises_like(fn)


def test_empty_reductions():
    same(ember.zeros(0, 3).max(1).values, torch.zeros(0, 3).max(1).values)
    same(ember.zeros(0, 3).amax(1), torch.zeros(0, 3).amax(1))
    same(ember.zeros(2, 0).prod(1), torch.zeros(2, 0).prod(1))
    same(ember.zeros(2, 0).sum(1), torch.zeros(2, 0).sum(1))
    same(ember.zeros(2, 0).logsumexp(1), torch.zeros(2, 0).logsumexp(1))
    same(ember.tensor([]).median(), torch.tensor([]).median())


def test_named_tuple_behaviour():
    x = ember.tensor(A)
    res = x.max(1)
    assert isinstance(res, tuple) and len(res) == 2
    v, i = res
    assert v is res.values and i is res.indices and res[0] is v and res[-1] is i
    assert type(res) is ember.return_types.max and type(res).__name__ == "max"
    assert isinstance(ember.sort(x).values, ember.Tensor)
    mm = ember.aminmax(x)
    assert mm.min.item() == pytest.approx(0.0293) and mm.max.item() == pytest.approx(0.7999)
    with pytest.raises(AttributeError):
        res.values = v


@pytest.mark.parametrize("fn", [
    lambda lib, x: lib.max(x, 1),
    lambda lib, x: x.min(0, keepdim=True),
    lambda lib, x: x.sort(1),
    lambda lib, x: x.topk(2),
    lambda lib, x: x.kthvalue(2, 0),
    lambda lib, x: x.median(1),
    lambda lib, x: x.nanmedian(0),
    lambda lib, x: x.mode(1),
    lambda lib, x: x.cummax(1),
    lambda lib, x: x.cummin(0),
    lambda lib, x: lib.aminmax(x, dim=0),
    lambda lib, x: lib.aminmax(x),
])
def test_named_tuple_repr_and_pickle(fn):
    t, e = fn(torch, torch.tensor(A)), fn(ember, ember.tensor(A))
    assert type(e).__name__ == type(t).__name__
    assert repr(e) == repr(t).replace("torch.", "ember.")
    assert str(e) == repr(e)
    back = pickle.loads(pickle.dumps(e))
    assert type(back) is type(e)
    for a, b in zip(back, e):
        same(a, torch.tensor(np.asarray(b)))


def test_repr_uses_prefix():
    res = ember.return_types.sort((1, 2))
    old = _dtype.PREFIX[0]
    try:
        _dtype.PREFIX[0] = "torch"
        assert repr(res) == repr(torch.return_types.sort((1, 2)))
    finally:
        _dtype.PREFIX[0] = old
    assert repr(res) == "ember.return_types.sort(\nvalues=1,\nindices=2)"
    with pytest.raises(TypeError):
        ember.return_types.max((1, 2, 3))


def test_plain_tuples():
    x = ember.tensor(A)
    assert type(ember.std_mean(x)) is tuple and type(ember.var_mean(x, 1)) is tuple


def test_result_dtypes():
    i32 = ember.tensor([[1, 2], [3, 4]], dtype=ember.int32)
    assert i32.sum().dtype is ember.int64
    assert i32.sum(0).dtype is ember.int64
    assert i32.prod().dtype is ember.int64
    assert i32.cumsum(0).dtype is ember.int64
    assert i32.sum(0, dtype=ember.int32).dtype is ember.int32
    assert ember.tensor([True, False]).sum().dtype is ember.int64
    assert ember.tensor(A).argmax().dtype is ember.int64
    assert ember.tensor(A).argmin(1).dtype is ember.int64
    assert ember.tensor(A).sort().indices.dtype is ember.int64
    assert ember.count_nonzero(ember.tensor(A)).dtype is ember.int64
    for f in (ember.all, ember.any):
        assert f(ember.tensor(A)).dtype is ember.bool
        assert f(i32, 1).dtype is ember.bool
        # torch keeps uint8 for uint8 input
        assert f(ember.tensor([1, 0], dtype=ember.uint8)).dtype is ember.uint8
    assert ember.tensor([1, 2]).logsumexp(0).dtype is ember.float32


def test_grad_fn_names():
    x = ember.tensor(A, requires_grad=True)
    names = {
        "SumBackward0": x.sum(), "SumBackward1": x.sum(0), "MeanBackward1": x.mean(0),
        "ProdBackward0": x.prod(), "ProdBackward1": x.prod(1), "MaxBackward1": x.max(),
        "MaxBackward0": x.max(1).values, "MinBackward1": x.min(), "AmaxBackward0": x.amax(0),
        "StdBackward0": x.std(), "VarBackward0": x.var(0), "CumsumBackward0": x.cumsum(0),
        "LinalgVectorNormBackward0": x.norm(), "LogsumexpBackward0": x.logsumexp(1),
        "SoftmaxBackward0": x.softmax(1), "LogSoftmaxBackward0": x.log_softmax(1),
        "SortBackward0": x.sort().values, "TopkBackward0": x.topk(2).values,
        "MedianBackward0": x.median(), "MedianBackward1": x.median(0).values,
        "CummaxBackward0": x.cummax(0).values, "AminmaxBackward0": ember.aminmax(x).min,
        "StdMeanBackward0": ember.std_mean(x)[0], "Unique2Backward0": x.unique(),
    }
    for name, t in names.items():
        assert t.grad_fn.name() == name


def test_unique_has_no_derivative():
    x = ember.tensor([1.0, 2.0, 1.0], requires_grad=True)
    with pytest.raises(NotImplementedError, match="the derivative for '_unique2' is not "
                                                   "implemented."):
        x.unique().sum().backward()


def test_vector_norm_function():
    x = np.random.default_rng(0).uniform(-2, 2, (3, 4)).astype(np.float32)
    for ord_, dim, keepdim in [(2, None, False), (1, 1, True), (float("inf"), (0, 1), False),
                               (0, 0, False), (-float("inf"), -1, False)]:
        same(vector_norm(ember.tensor(x), ord_, dim, keepdim),
             torch.linalg.vector_norm(torch.tensor(x), ord_, dim, keepdim))
    assert ember.tensor(x).norm(dtype=ember.float64).dtype is ember.float64


def test_logsumexp_and_softmax_stability():
    big = [[1000.0, 1000.0, -1000.0], [-float("inf")] * 3]
    for fn in (lambda lib, x: x.logsumexp(1), lambda lib, x: x.softmax(1),
               lambda lib, x: x.log_softmax(1), lambda lib, x: x.logsumexp((0, 1))):
        same(fn(ember, ember.tensor(big)), fn(torch, torch.tensor(big)))


def test_max_full_grad_split_among_ties():
    x = [[1.0, 3.0], [3.0, 3.0]]
    for f in (lambda t: t.max(), lambda t: t.amax(), lambda t: t.median(),
              lambda t: t.amax(1).sum()):
        e, t = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        f(e).backward()
        f(t).backward()
        same(e.grad, t.grad)


def test_var_degrees_of_freedom_warning():
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out = ember.tensor([1.0]).std()
    assert np.isnan(out.item()) and any("degrees of freedom" in str(x.message) for x in w)


@pytest.mark.parametrize("fn", [
    lambda lib, x: x.std(0, True, True),
    lambda lib, x: x.var(1, False),
    lambda lib, x: x.var(False),
    lambda lib, x: lib.std(x, unbiased=False),
    lambda lib, x: lib.var(x, dim=(0, 1), correction=0.5, keepdim=True),
    lambda lib, x: lib.std(x, [1], correction=2),
    lambda lib, x: lib.var_mean(x, 0, False),
    lambda lib, x: lib.std_mean(x, dim=1, keepdim=True, correction=0),
])
def test_var_std_argument_forms(fn):
    t, e = fn(torch, torch.tensor(A)), fn(ember, ember.tensor(A))
    for a, b in zip(e if isinstance(e, tuple) else (e,), t if isinstance(t, tuple) else (t,)):
        same(a, b)


@pytest.mark.parametrize("row", [[2.0, 0.0, 3.0, 0.5], [0.0, 0.0, 3.0, 1.5], [1.0, 2.0, 0.0, 0.0],
                                 [0.0, 2.0, -1.0, 4.0]])
def test_prod_cumprod_zeros_first_and_second_order(row):
    cot = [0.3, -1.2, 0.7, 2.0]
    for f in (lambda lib, x: x.prod().reshape(1), lambda lib, x: x.cumprod(0),
              lambda lib, x: lib.prod(x.reshape(2, 2), 1)):
        grads = []
        for lib in (torch, ember):
            x = lib.tensor(row, dtype=lib.float64, requires_grad=True)
            y = f(lib, x)
            c = lib.tensor(cot[:y.numel()], dtype=lib.float64).reshape(y.shape)
            (g,) = lib.autograd.grad(y, x, c, create_graph=True)
            (gg,) = lib.autograd.grad((g * lib.tensor([1.0, -2.0, 0.5, 3.0],
                                                      dtype=lib.float64)).sum(), x)
            grads.append((g, gg))
        (tg, tgg), (eg, egg) = grads
        same(eg, tg)
        same(egg, tgg)


def test_inplace_cumulative():
    for lib in (torch, ember):
        x = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
        y = x * 1
        y.cumsum_(1)
        y.cumprod_(0)
        y.sum().backward()
        if lib is torch:
            ty, tg = y, x.grad
    same(y, ty)
    same(x.grad, tg)


def test_float16_cumsum_accumulates_in_float32():
    same(ember.full((5000,), 0.1, dtype=ember.float16).cumsum(0)[-1],
         torch.full((5000,), 0.1, dtype=torch.float16).cumsum(0)[-1])


def test_unique_forms():
    a = [3, 1, 2, 3, 1, 5]
    for kw in ({}, {"return_inverse": True}, {"return_counts": True},
               {"return_inverse": True, "return_counts": True}, {"sorted": False}):
        t, e = torch.unique(torch.tensor(a), **kw), ember.unique(ember.tensor(a), **kw)
        for x, y in zip(e if isinstance(e, tuple) else (e,), t if isinstance(t, tuple) else (t,)):
            same(x, y)
        t = torch.tensor(a).unique_consecutive(**{k: v for k, v in kw.items() if k != "sorted"})
        e = ember.tensor(a).unique_consecutive(**{k: v for k, v in kw.items() if k != "sorted"})
        for x, y in zip(e if isinstance(e, tuple) else (e,), t if isinstance(t, tuple) else (t,)):
            same(x, y)
