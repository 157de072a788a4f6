"""The user-facing autograd API against torch: backward/grad, graph errors, hooks, grad modes,
autograd.Function, gradcheck."""

import numpy as np
import pytest
import torch

import ember

LIBS = (torch, ember)
X = np.array([0.5, -1.25, 2.0], dtype=np.float32)
W = np.array([1.5, 0.25, -0.75], dtype=np.float32)


def leaf(lib, a=X, rg=True):
    return lib.tensor(a, requires_grad=rg)


def same(e, t, tol=1e-6):
    """Compare ember and torch results (tensors, None, numbers, nested tuples)."""
    if isinstance(t, (tuple, list)):
        assert len(e) == len(t)
        for a, b in zip(e, t):
            same(a, b, tol)
    elif isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), f"expected a Tensor, got {e!r}"
        assert tuple(e.shape) == tuple(t.shape)
        assert e.dtype.name == str(t.dtype).replace("torch.", "")
        np.testing.assert_allclose(np.asarray(e.detach()), t.detach().numpy(), rtol=tol,
                                   atol=tol)
    else:
        assert e == t, f"{e!r} != {t!r}"


def run_both(fn, tol=1e-6):
    same(fn(ember), fn(torch), tol)


def error_of(fn, lib):
    try:
        fn(lib)
    except Exception as ex:  # noqa: BLE001
        return type(ex).__name__, str(ex)
    return None


def same_error(fn, prefix=None):
    """Both libraries raise the same exception type (and, if given, a message starting so)."""
    t, e = error_of(fn, torch), error_of(fn, ember)
    assert t is not None, "torch did not raise"
    assert e is not None, f"ember did not raise (torch: {t})"
    assert e[0] == t[0], f"{e} vs torch {t}"
    if prefix is not None:
        assert t[1].startswith(prefix), t
        assert e[1].startswith(prefix), e
    return e[1]


# ---- backward basics ----------------------------------------------------------------------
def test_accumulation_and_retain_graph():
    def f(lib):
        x = leaf(lib)
        y = (x * x).sum()
        y.backward(retain_graph=True)
        g1 = x.grad.clone()
        y.backward()
        return g1, x.grad
    run_both(f)


def test_freed_graph_error():
    def f(lib):
        x = leaf(lib)
        y = (x * x).sum()
        y.backward()
        y.backward()
    same_error(f, "Trying to backward through the graph a second time")

    def g(lib):      # nodes that saved nothing (add, sum) can be run again, as in torch
        x = leaf(lib)
        y = (x + 1).sum()
        y.backward()
        y.backward()
        return x.grad
    run_both(g)


def test_non_scalar_backward_needs_gradient():
    def f(lib):
        (leaf(lib) * 2).backward()
    same_error(f, "grad can be implicitly created only for scalar outputs")

    def g(lib):
        x = leaf(lib)
        (x * 2).backward(lib.tensor([1.0, 0.5, -1.0]))
        return x.grad
    run_both(g)


def test_backward_on_tensor_without_grad():
    same_error(lambda lib: leaf(lib, rg=False).sum().backward(),
               "element 0 of tensors does not require grad")


def test_inplace_on_leaf_requiring_grad():
    def f(lib):
        leaf(lib).add_(1)
    same_error(f, "a leaf Variable that requires grad is being used in an in-place operation.")

    def ok(lib):
        x = leaf(lib)
        with lib.no_grad():
            x.add_(1)
        return x
    run_both(ok)


def test_saved_tensor_modified_inplace():
    def f(lib):
        x = leaf(lib)
        a = x.clone()
        y = a * a
        a.mul_(2)
        y.sum().backward()
    msg = same_error(f, "one of the variables needed for gradient computation has been "
                        "modified by an inplace operation")
    assert msg == error_of(f, torch)[1]

    def g_(lib):     # modified under no_grad: still caught; torch names the producing op
        x = leaf(lib)
        a = x.exp()
        y = a.sin()
        with lib.no_grad():
            a.add_(2)
        y.sum().backward()
    assert error_of(g_, ember) == error_of(g_, torch)

    def g(lib):      # add does not save its inputs: modifying them is fine
        x = leaf(lib)
        a = x.clone()
        y = a + 1
        a.mul_(2)
        y.sum().backward()
        return x.grad
    run_both(g)


def test_requires_grad_on_ints_and_non_leaves():
    same_error(lambda lib: lib.tensor([1, 2]).requires_grad_(),
               "only Tensors of floating point dtype can require gradients")
    same_error(lambda lib: lib.tensor([1, 2], requires_grad=True),
               "Only Tensors of floating point and complex dtype can require gradients")
    same_error(lambda lib: lib.zeros(2, dtype=lib.int64, requires_grad=True),
               "Only Tensors of floating point and complex dtype can require gradients")

    def f(lib):
        (leaf(lib) * 2).requires_grad_(False)
    same_error(f, "you can only change requires_grad flags of leaf variables.")


def test_detach_and_data_share_memory():
    def f(lib):
        x = leaf(lib)
        d = x.detach()
        d[0] = 10.0
        v = x.data
        v[1] = 20.0
        d2 = (x * 2)
        d2.detach_()
        return (x, d.requires_grad, d.is_leaf, v.requires_grad, d2.requires_grad, d2.grad_fn,
                x.requires_grad)
    run_both(f)

    def g(lib):     # changes through .data are not tracked by autograd (no version error)
        x = leaf(lib)
        y = x * x
        x.data.mul_(2)
        y.sum().backward()
        return x.grad
    run_both(g)


# ---- grad modes ----------------------------------------------------------------------------
def test_grad_mode_context_managers():
    def f(lib):
        x = leaf(lib)
        out = []
        with lib.no_grad():
            out.append((x * 2).requires_grad)
            with lib.enable_grad():
                out.append((x * 2).requires_grad)
            out.append(lib.is_grad_enabled())
        out.append(lib.is_grad_enabled())
        with lib.set_grad_enabled(False):
            out.append((x * 2).requires_grad)
        out.append(lib.is_grad_enabled())
        with lib.inference_mode():
            out.append((x * 2).requires_grad)
            out.append(lib.is_inference_mode_enabled())
        with lib.inference_mode(False):
            out.append((x * 2).requires_grad)
        lib.set_grad_enabled(False)
        out.append(lib.is_grad_enabled())
        lib.set_grad_enabled(True)
        out.append(lib.is_grad_enabled())
        return out
    run_both(f)


def test_grad_mode_decorators():
    def f(lib):
        @lib.no_grad()
        def a(x):
            return x * 2

        @lib.no_grad
        def b(x):
            return x * 2

        @lib.enable_grad()
        def c(x):
            return x * 2

        @lib.inference_mode()
        def d(x):
            return x * 2

        @lib.set_grad_enabled(False)
        def e(x):
            return x * 2

        x = leaf(lib)
        res = [a(x).requires_grad, b(x).requires_grad, d(x).requires_grad, e(x).requires_grad,
               lib.is_grad_enabled()]
        with lib.no_grad():
            res.append(c(x).requires_grad)
        return res
    run_both(f)


# ---- graph introspection -------------------------------------------------------------------
def test_grad_fn_and_next_functions():
    def f(lib):
        x, w = leaf(lib), leaf(lib, W)
        y = x * w + 1
        mul = y.grad_fn.next_functions[0][0]
        acc = mul.next_functions[0][0]
        return (x.is_leaf, y.is_leaf, y.grad_fn.name(), mul.name(), len(y.grad_fn.next_functions),
                y.grad_fn.next_functions[1], acc.name(), acc.variable is x,
                leaf(lib, rg=False).grad_fn)
    e, t = f(ember), f(torch)
    assert e[:6] == t[:6] and e[6:] == t[6:]
    assert type(t[5]) is tuple and t[5] == (None, 0)


def test_grad_fn_class_names():
    # torch has one class per backward (MulBackward0); ember's Nodes are cached subclasses
    def f(lib):
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        ys = (x * 2, x + 1, x.exp(), x.sum(), x @ x, x[0], x.view(4), lib.stack([x, x]),
              x.relu(), x.mean(1), x.t(), lib.cat([x, x]))
        return [(type(y.grad_fn).__name__, y.grad_fn.name()) for y in ys]
    e, t = f(ember), f(torch)
    assert e == t
    assert all(a == b for a, b in e)
    x = ember.ones(2, requires_grad=True)
    assert type((x * 3).grad_fn) is type((x * 2).grad_fn)
    assert isinstance((x * 3).grad_fn, ember.autograd.graph.Node)


def test_retain_grad():
    def f(lib):
        x = leaf(lib)
        h = x * 3
        h.retain_grad()
        z = h * h
        z.sum().backward()
        return h.grad, h.retains_grad, x.grad, z.grad, z.retains_grad
    e_warn = f(ember)
    with pytest.warns(UserWarning):
        t = f(torch)
    same(e_warn, t)


def test_register_hook_leaf_and_nonleaf():
    def f(lib):
        x = leaf(lib)
        seen = []
        x.register_hook(lambda g: g * 10)
        h = x * 2
        handle = h.register_hook(lambda g: seen.append(g.clone()))
        h.register_hook(lambda g: g + 1)
        (h * h).sum().backward(retain_graph=True)
        handle.remove()
        x.grad = None
        (h * 1).sum().backward()
        return seen, x.grad
    run_both(f)


def test_hook_on_tensor_without_grad():
    same_error(lambda lib: leaf(lib, rg=False).register_hook(lambda g: g),
               "cannot register a hook on a tensor that doesn't require gradient")


# ---- autograd.grad -----------------------------------------------------------------------
def test_second_derivatives():
    def cube(lib):
        x = leaf(lib)
        y = (x ** 3).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x, create_graph=True)
        (ggg,) = lib.autograd.grad(gg.sum(), x)
        return g, gg, ggg, g.requires_grad, x.grad
    run_both(cube, 1e-5)

    def tanh(lib):
        x = leaf(lib)
        (g,) = lib.autograd.grad(x.tanh().sum(), [x], create_graph=True)
        g.sum().backward()
        return g, x.grad
    run_both(tanh, 1e-5)


def test_grad_allow_unused_and_grad_outputs():
    def unused(lib):
        x, w = leaf(lib), leaf(lib, W)
        lib.autograd.grad((x * 2).sum(), [x, w])
    same_error(unused, "The differentiated Tensor at index 1 appears to not have been used in "
                       "the graph. Set allow_unused=True if this is the desired behavior.")

    def f(lib):
        x, w = leaf(lib), leaf(lib, W)
        y = x * 2
        ga = lib.autograd.grad(y.sum(), [x, w], allow_unused=True, retain_graph=True)
        gb = lib.autograd.grad(y, x, grad_outputs=lib.tensor([1.0, 2.0, 3.0]))
        gm = lib.autograd.grad((x * 2).sum(), [x, w], materialize_grads=True)
        return ga, gb, gm, x.grad
    run_both(f)

    def nonleaf(lib):     # gradient with respect to an intermediate tensor
        x = leaf(lib)
        h = x * x
        return lib.autograd.grad((h * 3).sum(), h)
    run_both(nonleaf)


def test_backward_inputs():
    def f(lib):
        x, w = leaf(lib), leaf(lib, W)
        (x * w).sum().backward(inputs=[w])
        return x.grad, w.grad
    run_both(f)


def test_long_chain_backward_is_iterative():
    # 100,000 ops: a recursive engine would hit the recursion limit
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0001
    y.sum().backward()
    g = np.float32(1.0)
    for _ in range(100_000):      # the same float32 rounding sequence as the chain's backward
        g = g * np.float32(1.0001)
    np.testing.assert_allclose(np.asarray(x.grad), [g, g], rtol=1e-6)
    node = y.grad_fn
    assert node.fn is None and node.saved is None   # the graph was freed
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.sum().backward()


def test_detach_stops_gradient_gan_pattern():
    def f(lib):
        gw = leaf(lib, W)              # "generator" weight
        dw = leaf(lib, X)              # "discriminator" weight
        fake = gw * 2
        d_loss = (fake.detach() * dw).sum()
        d_loss.backward()
        g_after_d = gw.grad
        g_loss = (fake * dw).sum()
        g_loss.backward()
        return g_after_d, gw.grad, dw.grad
    run_both(f)


# ---- autograd.Function ---------------------------------------------------------------------
def _functions(lib):
    class Exp(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            r = x.exp()
            ctx.save_for_backward(r)
            return r

        @staticmethod
        def backward(ctx, g):
            (r,) = ctx.saved_tensors
            return g * r

    class SplitScale(lib.autograd.Function):
        """Two outputs and a non-tensor argument."""

        @staticmethod
        def forward(ctx, x, k):
            ctx.k = k
            return x * k, x * x

        @staticmethod
        def backward(ctx, ga, gb):
            (x,) = ctx.saved_tensors
            return ga * ctx.k + gb * 2 * x, None

    class SplitScaleSaved(SplitScale):
        @staticmethod
        def forward(ctx, x, k):
            ctx.save_for_backward(x)
            ctx.k = k
            return x * k, x * x

    class Mul(lib.autograd.Function):
        """The setup_context style, with needs_input_grad."""

        @staticmethod
        def forward(x, w):
            return x * w

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(*inputs)

        @staticmethod
        def backward(ctx, g):
            x, w = ctx.saved_tensors
            return (g * w if ctx.needs_input_grad[0] else None,
                    g * x if ctx.needs_input_grad[1] else None)

    return Exp, SplitScaleSaved, Mul


def test_function_exp_and_saved_tensors():
    def f(lib):
        Exp, _, _ = _functions(lib)
        x = leaf(lib)
        y = Exp.apply(x)
        name = y.grad_fn.name()
        saved = y.grad_fn.saved_tensors[0]
        (y * y).sum().backward()
        return y, name, saved, x.grad, y.grad_fn.needs_input_grad
    run_both(f, 1e-5)

    def freed(lib):
        Exp, _, _ = _functions(lib)
        y = Exp.apply(leaf(lib))
        y.sum().backward()
        return y.grad_fn.saved_tensors
    same_error(freed, "Trying to backward through the graph a second time")


def test_function_two_outputs_and_setup_context():
    def f(lib):
        _, Split, Mul = _functions(lib)
        x, w = leaf(lib), leaf(lib, W, rg=False)
        a, b = Split.apply(x, 3.0)
        (a.sum() + (b * 2).sum()).backward()
        g1 = x.grad.clone()
        x.grad = None
        a, b = Split.apply(x, 3.0)
        a.sum().backward()            # b gets no grad: materialised as zeros
        g2 = x.grad.clone()
        m = Mul.apply(x, w)
        m.sum().backward()
        return g1, g2, x.grad, m.grad_fn.name(), w.grad
    run_both(f)


def test_function_marks_and_errors():
    def dirty(lib):
        class Double(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                x.mul_(2)
                ctx.mark_dirty(x)
                return x

            @staticmethod
            def backward(ctx, g):
                return g * 2

        x = leaf(lib)
        a = x.clone()
        b = Double.apply(a)
        b.sum().backward()
        return b is a, a._version, x.grad, a.grad_fn.name()
    run_both(dirty)

    def nondiff(lib):
        class ArgMaxVal(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                i = x.argmax()
                ctx.mark_non_differentiable(i)
                ctx.save_for_backward(x, i)
                return x.max(), i

            @staticmethod
            def backward(ctx, gv, gi):
                x, i = ctx.saved_tensors
                g = lib.zeros_like(x)
                g[i] = gv
                return g

        x = leaf(lib)
        v, i = ArgMaxVal.apply(x)
        v.backward()
        return v.requires_grad, i.requires_grad, x.grad

    run_both(nondiff)

    def wrong_count(lib):
        class Bad(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, k):
                return x * k

            @staticmethod
            def backward(ctx, g):
                return g
        Bad.apply(leaf(lib), 2).sum().backward()
    same_error(wrong_count, "function BadBackward returned an incorrect number of gradients "
                            "(expected 2, got 1)")

    def no_grad_input(lib):
        _, _, Mul = _functions(lib)
        with lib.no_grad():
            return Mul.apply(leaf(lib), leaf(lib, W)).requires_grad
    run_both(no_grad_input)


# ---- gradcheck -----------------------------------------------------------------------------
def test_gradcheck_and_gradgradcheck():
    rng = np.random.default_rng(0)
    a = ember.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    b = ember.tensor(rng.standard_normal((4, 2)), requires_grad=True)
    assert ember.autograd.gradcheck(lambda x, y: (x @ y).tanh(), (a, b))
    assert ember.autograd.gradgradcheck(lambda x, y: (x @ y).tanh(), (a, b))
    assert ember.autograd.gradcheck(lambda x: x ** 3, (a,))

    class WrongExp(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.exp()

        @staticmethod
        def backward(ctx, g):
            return g * 2

    Exp, _, Mul = _functions(ember)
    assert ember.autograd.gradcheck(Exp.apply, (a,))
    assert ember.autograd.gradgradcheck(Mul.apply, (a, a.detach().clone().requires_grad_()))

    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        ember.autograd.gradcheck(WrongExp.apply, (a,))
    assert not ember.autograd.gradcheck(WrongExp.apply, (a,), raise_exception=False)


# ---- engine details ------------------------------------------------------------------------
def test_leaf_hooks_run_once_on_the_summed_gradient():
    def f(lib):
        x = leaf(lib)
        calls, post = [], []
        x.register_hook(lambda g: calls.append(g.clone()))
        x.register_post_accumulate_grad_hook(lambda t: post.append(t.grad.clone()))
        (x * 2 + x * 3).sum().backward()
        h = x * 1
        seen = []
        h.register_hook(lambda g: seen.append(g.clone()))
        (h * 2 + h * 3).sum().backward()
        return calls, post, seen, x.grad
    run_both(f)


def test_version_error_for_leaf_modified_under_no_grad():
    def f(lib):
        x, w = leaf(lib), leaf(lib, W)
        y = x * w
        with lib.no_grad():
            w.add_(1)
        y.sum().backward()
    msg = same_error(f, "one of the variables needed for gradient computation has been "
                        "modified by an inplace operation: [torch.FloatTensor [3]] is at version 1")
    assert "which is output" not in msg


def test_backward_inputs_nonleaf_and_grad_of_itself():
    def f(lib):
        x = leaf(lib)
        h = x * 3
        (h * h).sum().backward(inputs=[h])
        (g,) = lib.autograd.grad(x, x, lib.ones(3))
        return h.grad, x.grad, g
    run_both(f)


def test_grad_runs_only_the_needed_part_of_the_graph():
    def f(lib):
        x, w = leaf(lib), leaf(lib, W)
        a = x * x
        b = (w * w).sum()
        b.backward()          # frees w's branch
        loss = a.sum() + b    # b's freed node is not needed for d loss / d x
        return lib.autograd.grad(loss, x)
    run_both(f)


def test_create_graph_backward_warns_and_builds_graph():
    def f(lib):
        x = leaf(lib)
        with pytest.warns(UserWarning, match="reference cycle"):
            (x ** 3).sum().backward(create_graph=True)
        g = x.grad
        (gg,) = lib.autograd.grad(g.sum(), x)
        return g.requires_grad, gg
    run_both(f, 1e-5)


def test_autograd_functional():
    x0 = np.array([0.5, -1.0, 2.0])
    y0 = np.array([1.5, 0.25])

    def f(lib):
        F = lib.autograd.functional
        x, y = lib.tensor(x0), lib.tensor(y0)
        one = lib.ones(3, dtype=lib.float64)
        cube = lambda a: (a ** 3).sum()     # noqa: E731
        return [F.jacobian(lambda a: a.sin() * 2, x),
                F.jacobian(lambda a, b: (a[:2] * b).tanh(), (x, y)),
                F.hessian(cube, x), F.vjp(lambda a: a.sin() * 2, x, one),
                F.jvp(lambda a: a.sin() * 2, x, one), F.vhp(cube, x, one),
                F.hvp(cube, x, one),
                F.hessian(lambda a, b: (a[:2] * b ** 2).sum(), (x, y))]
    run_both(f, 1e-10)

    with ember.autograd.set_detect_anomaly(True):
        assert ember.autograd.is_anomaly_enabled()
    with ember.autograd.detect_anomaly():
        pass
    assert not ember.autograd.is_anomaly_enabled()


# ---- complex autograd: torch's convention, grad * conj(f'(z)); real inputs take the real part
_CA = np.random.default_rng(3).uniform(0.3, 1.5, (2, 3, 3))
COMPLEX_FNS = {
    "mul_div": lambda lib, z: z * z.conj() / (z + 1), "pow": lambda lib, z: z ** 2 + z ** z,
    "rpow": lambda lib, z: (1.5 + 0.5j) ** z + 2 ** z,
    "sqrt_log": lambda lib, z: z.sqrt() + z.log(),
    "trig": lambda lib, z: z.sin() * z.tanh() + z.asin(), "reciprocal": lambda lib, z: 2.0 / z,
    "abs_sgn_angle": lambda lib, z: z.abs() * z.sgn() + lib.angle(z),
    "real_imag": lambda lib, z: z.real * z.imag + lib.view_as_real(z).sum(-1),
    "prod_cumprod": lambda lib, z: z.prod(1, keepdim=True) + z.cumprod(0),
    "addcmul_addcdiv": lambda lib, z: lib.addcmul(z, z, z) + lib.addcdiv(z, z, z + 1),
    "reductions": lambda lib, z: z.sum(0) + z.mean(1) + z.var(0),
    "matmul": lambda lib, z: z @ z.mH + lib.einsum("ij,jk->ik", z, z),
    "inv_det_solve": lambda lib, z: lib.linalg.inv(z) * lib.linalg.det(z) + lib.linalg.solve(z, z),
    "eigh": lambda lib, z: lib.linalg.eigvalsh(z @ z.mH),
    "svdvals_norm": lambda lib, z: lib.linalg.svdvals(z).sum() + z.norm(),
}


@pytest.mark.parametrize("name", sorted(COMPLEX_FNS))
def test_complex_autograd_matches_torch(name):
    grads = []
    cot = None
    for lib in LIBS:
        a, b = (lib.tensor(x, requires_grad=True) for x in _CA)
        out = COMPLEX_FNS[name](lib, a + b * 1j)
        if cot is None:
            rng = np.random.default_rng(0)
            cot = rng.standard_normal(tuple(out.shape)) + 1j * rng.standard_normal(
                tuple(out.shape))
            cot = cot if out.is_complex() else cot.real
        grads.append(lib.autograd.grad(out, (a, b), lib.tensor(cot).to(out.dtype)))
    for e, t in zip(*reversed(grads)):
        np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("op", ["exp", "exp2", "expm1", "sqrt", "rsqrt", "tan", "tanh",
                                "sigmoid", "reciprocal", "relu"])
def test_saved_result_modified_inplace(op):
    """Ops whose backward reads their result (torch saves it): changing the result in place,
    directly or through a view, makes backward raise torch's version error."""
    def direct(lib):
        y = getattr(lib, op)(leaf(lib) * 1)
        y.add_(1)
        y.sum().backward()

    def through_view(lib):
        y = getattr(lib, op)(leaf(lib).reshape(3, 1) * 1)
        y.view(-1)[0] = 0.5
        y.sum().backward()
    for f in (direct, through_view):
        assert same_error(f) == error_of(f, torch)[1]

    def unaffected(lib):        # a later out-of-place use is fine
        x = leaf(lib)
        y = getattr(lib, op)(x * 1)
        (y * 2).sum().backward()
        return x.grad
    run_both(unaffected)


# What a node saves decides which later in-place changes make its backward raise: torch saves
# only what a needed gradient reads (the result of exp/sigmoid/tanh/relu, the other factor of
# a product, nothing tensor-valued for a product with a number).
SAVED_CASES = [
    ("mul_float", lambda L, a: a * 2.0), ("mul_int", lambda L, a: a * 2),
    ("div_float", lambda L, a: a / 2.0), ("rsub", lambda L, a: 2.0 - a),
    ("mul_const_tensor", lambda L, a: a * L.tensor(2.0)),
    ("const_tensor_mul", lambda L, a: L.tensor(2.0) * a),
    ("div_by_const_tensor", lambda L, a: a / L.tensor(2.0)),
    ("const_tensor_div", lambda L, a: L.tensor(2.0) / a),
    ("mul_self", lambda L, a: a * a), ("pow", lambda L, a: a ** 2),
    ("exp", lambda L, a: a.exp()), ("sigmoid", lambda L, a: a.sigmoid()),
    ("tanh", lambda L, a: a.tanh()), ("relu", lambda L, a: a.relu()),
    ("sqrt_of_exp", lambda L, a: a.exp().sqrt()), ("log", lambda L, a: (a + 3).log()),
    ("sin", lambda L, a: a.sin()), ("sum", lambda L, a: a.sum()),
]


@pytest.mark.parametrize("name,f", SAVED_CASES, ids=[c[0] for c in SAVED_CASES])
def test_inplace_change_of_an_input_after_use(name, f):
    out = []
    for lib in (torch, ember):
        x = lib.tensor([[0.5, -1.0], [2.0, 0.25]], requires_grad=True)
        a = x * 1.0
        b = f(lib, a)
        a.add_(1)
        try:
            b.sum().backward()
            out.append(("ok", np.asarray(x.grad)))
        except RuntimeError as e:
            out.append(("raise", str(e).split(":")[0]))
    assert out[0][0] == out[1][0]
    if out[0][0] == "ok":
        np.testing.assert_allclose(out[1][1], out[0][1], rtol=1e-6)
    else:
        assert out[0][1] == out[1][1]


def test_result_only_gradient_with_create_graph_after_input_changed():
    # ember recomputes a saved result under create_graph, so a changed input must raise there
    x = ember.tensor([0.5, 2.0], requires_grad=True)
    a = x * 1.0
    b = a.exp()
    a.mul_(3)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        ember.autograd.grad(b.sum(), x, create_graph=True)
    b = (x * 1.0).exp()            # unchanged input: second derivatives as torch's
    g, = ember.autograd.grad(b.sum(), x, create_graph=True)
    g.sum().backward()
    np.testing.assert_allclose(np.asarray(x.grad), np.exp([0.5, 2.0]), rtol=1e-6)
