"""Shape ops beyond the op table: the seed's exact uses, errors, views sharing memory and version
counters, strides/contiguity, warnings, in-place shape variants, unbind at scale."""

import warnings

import numpy as np
import pytest
import torch

import ember


def _both(fn):
    """fn(lib) on torch and on ember."""
    return fn(torch), fn(ember)


def _same(e, t):
    if isinstance(t, (tuple, list)):
        assert isinstance(e, type(t)) and len(e) == len(t)
        for a, b in zip(e, t):
            _same(a, b)
        return
    assert tuple(e.shape) == tuple(t.shape)
    assert e.dtype.name == str(t.dtype).replace("torch.", "")
    np.testing.assert_array_equal(np.asarray(e.detach()), t.detach().numpy())


def _same_error(fn, exact=True):
    """fn(lib) raises the same exception type (and message) on torch and on ember."""
    with pytest.raises(Exception) as te:
        fn(torch)
    with pytest.raises(Exception) as ee:
        fn(ember)
    assert type(ee.value) is type(te.value), (ee.value, te.value)
    if exact:
        assert str(ee.value) == str(te.value)
    return str(ee.value)


# ---- the seed's uses ----------------------------------------------------------------------------
def _a01(lib):
    a0 = lib.Tensor([[[[1, 1, 1, 1], [2, 2, 2, 2]]]])
    a1 = lib.Tensor([[[[3, 3, 3, 3], [4, 4, 4, 4]]]])
    return a0, a1


@pytest.mark.parametrize("d", range(4))
def test_seed_cat(d):
    t, e = _both(lambda lib: lib.cat(_a01(lib), dim=d))
    _same(e, t)


@pytest.mark.parametrize("d", range(5))
def test_seed_stack(d):
    t, e = _both(lambda lib: lib.stack(_a01(lib), dim=d))
    _same(e, t)


def test_seed_squeeze_unsqueeze_view():
    def f(lib):
        x = lib.arange(24.0).reshape(2, 1, 3, 4)
        return (x.unsqueeze(0), x.unsqueeze(-1), x.unsqueeze(4), x.squeeze(), x.squeeze(1),
                x.squeeze(0), x.view(x.size(0), -1), x.unsqueeze(0).squeeze(0))
    (t, e) = _both(f)
    _same(e, t)
    assert [tuple(o.size()) for o in e] == [tuple(o.size()) for o in t]


def _warnings(fn):
    """The messages of the warnings fn() emits (torch's C++ suffix dropped)."""
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out = fn()
    assert all(issubclass(m.category, UserWarning) for m in w)
    return [str(m.message).split(" (Triggered internally")[0] for m in w], out


MESHGRID_WARN = ("torch.meshgrid: in an upcoming release, it will be required to pass the "
                 "indexing argument.")


def test_seed_meshgrid():
    # torch warns once per process (TORCH_WARN_ONCE): so does ember
    ember.ops.shape._WARNED.clear()
    t = torch.meshgrid(torch.arange(0, 4) * 16, torch.arange(0, 4) * 16)
    w, e = _warnings(lambda: ember.meshgrid(ember.arange(0, 4) * 16, ember.arange(0, 4) * 16))
    assert w == [MESHGRID_WARN]
    assert _warnings(lambda: ember.meshgrid(ember.arange(2)))[0] == []
    _same(e, t)
    for ix in ("ij", "xy"):
        t, e = _both(lambda lib, ix=ix: lib.meshgrid(lib.arange(3), lib.arange(4) * 16,
                                                     indexing=ix))
        _same(e, t)


# ---- values beyond the op table -----------------------------------------------------------------
def test_cat_dtype_promotion_and_empty():
    def f(lib):
        i = lib.tensor([1, 2])
        return (lib.cat([i, lib.tensor([0.5])]), lib.cat([lib.tensor([True]), i]),
                lib.cat([i, lib.tensor([], dtype=lib.float64)]),
                lib.cat([lib.ones(2, 2), lib.tensor([])], 1),
                lib.cat([lib.tensor([]), lib.tensor([])]),
                lib.stack([i, lib.tensor([1.0, 2.0])]),
                lib.cat([lib.ones(2, 2), lib.zeros(0, 2)]))
    t, e = _both(f)
    _same(e, t)


def test_split_chunk_edge_cases():
    def f(lib):
        x = lib.arange(5)
        return (x.chunk(2), x.chunk(4), lib.empty(0).chunk(3), x.split(2), x.split([2, 3]),
                lib.arange(7).tensor_split(lib.tensor([1, 5])), x.tensor_split(lib.tensor(3)),
                x.tensor_split([-2]), lib.split(x, 5))
    t, e = _both(f)
    _same(e, t)


def test_misc_values():
    def f(lib):
        x = lib.arange(24).reshape(2, 3, 4)
        return (x.flatten(), lib.tensor(3.0).flatten(), x.unflatten(1, (3, 1)),
                x.repeat_interleave(2, dim=1), lib.repeat_interleave(lib.tensor([1, 2, 0])),
                x.repeat(2, 1, 1, 1), lib.tensor(1.0).repeat(2, 3), x.roll(-7),
                x.diagonal(0, -1, 0), x[0].trace(), lib.ones(2, 2, dtype=lib.bool).tril(),
                lib.tensor(1.0).T, lib.broadcast_shapes((2, 1), (3,), 1), x.movedim(0, -1),
                lib.atleast_1d(lib.tensor(1.0), lib.tensor([2.0])), x.diag_embed().sum(-1),
                lib.tensor([1.0, 2.0]).t(), x.view(lib.int32) if False else x.flip(()))
    t, e = _both(f)
    assert e[12] == t[12] and isinstance(e[12], ember.Size)
    _same([v for i, v in enumerate(e) if i != 12], [v for i, v in enumerate(t) if i != 12])


def test_view_dtype_and_tensor_args():
    def f(lib):
        x = lib.arange(6.0).reshape(2, 3)
        v = x.view(lib.int32)
        v[0, 0] = 1065353216      # the bits of 1.0: the view writes through to x
        return (v, x, x.view(lib.uint8).shape, lib.arange(4.0).view(lib.float64),
                x.narrow(1, lib.tensor(1), 2), x.view(lib.tensor(3), -1), x.unfold(1, 2, 1),
                lib.tensor(2.0).unfold(0, 1, 1))
    t, e = _both(f)
    assert e[2] == t[2]
    _same([v for i, v in enumerate(e) if i != 2], [v for i, v in enumerate(t) if i != 2])


# ---- errors -------------------------------------------------------------------------------------
X = lambda lib: lib.ones(2, 3, 4)  # noqa: E731

INDEX_ERRORS = [
    lambda lib: X(lib).squeeze(3), lambda lib: X(lib).squeeze((0, 5)),
    lambda lib: X(lib).unsqueeze(4), lambda lib: X(lib).unsqueeze(-5),
    lambda lib: lib.tensor(1.0).unsqueeze(1), lambda lib: lib.tensor(1.0).squeeze(1),
    lambda lib: X(lib).permute(0, 1, 3), lambda lib: X(lib).transpose(0, 3),
    lambda lib: X(lib).flatten(0, 3), lambda lib: lib.cat([lib.ones(2, 2)] * 2, 2),
    lambda lib: lib.stack([lib.ones(2, 3)] * 2, 3), lambda lib: X(lib).select(1, 3),
    lambda lib: lib.tensor(1.0).select(0, 0), lambda lib: lib.tensor(1.0).unbind(),
    lambda lib: X(lib).narrow(1, 4, 0), lambda lib: X(lib).movedim(3, 0),
    lambda lib: X(lib).diagonal(0, 0, 3), lambda lib: X(lib).split(1, 3),
]

RUNTIME_ERRORS = [
    lambda lib: X(lib).view(5, -1), lambda lib: X(lib).view(-1, -1),
    lambda lib: X(lib).transpose(0, 1).view(-1), lambda lib: X(lib).reshape(5, 5),
    lambda lib: X(lib).permute(0, 1), lambda lib: X(lib).permute(0, 1, 1),
    lambda lib: X(lib).t(), lambda lib: X(lib).flatten(2, 1),
    lambda lib: X(lib).unflatten(1, (2, 2)), lambda lib: X(lib).unflatten(1, ()),
    lambda lib: X(lib).expand(2, 5, 4), lambda lib: X(lib).expand(3, 4),
    lambda lib: X(lib).expand(-1, 2, 3, 4), lambda lib: X(lib).repeat(2, 2),
    lambda lib: X(lib).repeat(-1, 2, 2),
    lambda lib: lib.cat([lib.ones(2, 2), lib.ones(3, 3)], 1),
    lambda lib: lib.cat([lib.ones(2, 2), lib.ones(2, 3)], 0),
    lambda lib: lib.cat([lib.ones(2, 2), lib.ones(2, 2, 2)]),
    lambda lib: lib.cat([lib.tensor(1.0), lib.tensor(2.0)]),
    lambda lib: lib.stack([lib.ones(2, 3), lib.ones(2, 4)]), lambda lib: lib.stack([]),
    lambda lib: X(lib).split(0), lambda lib: X(lib).split([1, 2]), lambda lib: X(lib).chunk(0),
    lambda lib: X(lib).narrow(1, 2, 2), lambda lib: X(lib).narrow(1, 0, -1),
    lambda lib: lib.tensor(1.0).narrow(0, 0, 1), lambda lib: X(lib).flip(0, 0),
    lambda lib: lib.ones(3).fliplr(), lambda lib: lib.tensor(1.0).flipud(),
    lambda lib: X(lib).roll((1, 2), (0,)), lambda lib: lib.arange(6).roll((1, 2)),
    lambda lib: lib.ones(3).rot90(), lambda lib: X(lib).rot90(1, (0, 0)),
    lambda lib: X(lib).rot90(1, (0, 1, 2)), lambda lib: lib.ones(3).tril(),
    lambda lib: X(lib).diag(), lambda lib: X(lib).diagonal(0, 1, 1),
    lambda lib: X(lib).diag_embed(0, 1, 1), lambda lib: X(lib).trace(),
    lambda lib: lib.meshgrid(), lambda lib: lib.meshgrid(lib.ones(2), indexing="zz"),
    lambda lib: lib.meshgrid(lib.ones(2), lib.arange(3), indexing="ij"),
    lambda lib: X(lib).movedim((0, 0), (1, 2)), lambda lib: X(lib).movedim((0, 1), (1,)),
    lambda lib: lib.broadcast_shapes((2, 1), (3, 4)),
    lambda lib: lib.broadcast_tensors(lib.ones(2), lib.ones(3)),
    lambda lib: lib.broadcast_to(lib.ones(2), (3,)),
    lambda lib: lib.ones(3).repeat_interleave(-1),
    lambda lib: lib.ones(3).repeat_interleave(lib.tensor([1, 2])),
    lambda lib: lib.ones(3).mT, lambda lib: X(lib).H, lambda lib: lib.ones(3).mH,
    lambda lib: lib.ones(2, 2).squeeze((0, 0)), lambda lib: lib.arange(7).tensor_split(0),
    lambda lib: X(lib).unfold(1, 4, 1), lambda lib: X(lib).unfold(1, 2, 0),
    lambda lib: X(lib).unfold(1, -1, 1), lambda lib: lib.ones(2, 3).view(lib.int64),
    lambda lib: X(lib)[:, :, :3].view(lib.float64),
    lambda lib: X(lib).transpose(1, 2).view(lib.float16),
    lambda lib: lib.tensor(1.0).view(lib.int16), lambda lib: X(lib).hsplit(2),
    lambda lib: lib.ones(3).vsplit(3), lambda lib: X(lib)[0].dsplit(2),
]

TYPE_ERRORS = [
    lambda lib: lib.cat(X(lib)), lambda lib: lib.cat(5), lambda lib: lib.cat([X(lib), 1]),
    lambda lib: lib.stack(X(lib)), lambda lib: X(lib).unsqueeze(1.0),
    lambda lib: X(lib).transpose(0.0, 1), lambda lib: X(lib).reshape((2.0, 12)),
]


@pytest.mark.parametrize("i", range(len(INDEX_ERRORS)))
def test_index_errors(i):
    _same_error(INDEX_ERRORS[i])


@pytest.mark.parametrize("i", range(len(RUNTIME_ERRORS)))
def test_runtime_errors(i):
    # torch's meshgrid message embeds a C++ tensor print; everything else matches verbatim
    msg = _same_error(RUNTIME_ERRORS[i])
    assert msg


@pytest.mark.parametrize("i", range(len(TYPE_ERRORS)))
def test_type_errors(i):
    _same_error(TYPE_ERRORS[i], exact=False)


def test_error_messages_from_the_brief():
    with pytest.raises(RuntimeError, match="Sizes of tensors must match except in dimension 1. "
                       "Expected size 2 but got size 3 for tensor number 1 in the list."):
        ember.cat([ember.ones(2, 2), ember.ones(3, 3)], 1)
    with pytest.raises(RuntimeError, match=r"stack expects each tensor to be equal size, but "
                       r"got \[2, 3\] at entry 0 and \[2, 4\] at entry 1"):
        ember.stack([ember.ones(2, 3), ember.ones(2, 4)])
    with pytest.raises(ValueError, match="expected a non-empty list of Tensors"):
        ember.cat([])


# ---- views share memory and the version counter -------------------------------------------------
VIEWS = {
    "view": lambda x: x.view(-1),
    "reshape": lambda x: x.reshape(4, 6),
    "transpose": lambda x: x.transpose(0, 2),
    "permute": lambda x: x.permute(1, 2, 0),
    "select": lambda x: x.select(1, 2),
    "narrow": lambda x: x.narrow(2, 1, 2),
    "squeeze": lambda x: x.unsqueeze(0).squeeze(),
    "unsqueeze": lambda x: x.unsqueeze(1),
    "diagonal": lambda x: x.diagonal(0, 1, 2),
    "unbind": lambda x: x.unbind(1)[1],
    "split": lambda x: x.split(2, 2)[1],
    "flatten": lambda x: x.flatten(1),
    "t": lambda x: x[0].t(),
    "mT": lambda x: x.mT,
}


@pytest.mark.parametrize("name", list(VIEWS))
def test_views_share_memory(name):
    f = VIEWS[name]
    x = ember.arange(24.0).reshape(2, 3, 4)
    tx = torch.arange(24.0).reshape(2, 3, 4)
    v, tv = f(x), f(tx)
    v.mul_(10)
    tv.mul_(10)
    np.testing.assert_array_equal(np.asarray(x), tx.numpy())     # view -> base
    assert x._version == tx._version and v._version == tv._version
    x.add_(1)
    tx.add_(1)
    np.testing.assert_array_equal(np.asarray(v), tv.numpy())     # base -> view
    assert v._version == tv._version


def test_expand_reads_through_to_base():
    x = ember.zeros(3, 1)
    e = x.expand(3, 4)
    x.add_(2)
    assert e._version == 1
    np.testing.assert_array_equal(np.asarray(e), np.full((3, 4), 2.0))


def test_reshape_copy_does_not_share():
    x = ember.arange(6.0).reshape(2, 3)
    r = x.t().reshape(-1)
    r.add_(1)
    assert x._version == 0
    np.testing.assert_array_equal(np.asarray(x), np.arange(6.0).reshape(2, 3))


def test_inplace_on_base_invalidates_view_backward():
    def f(lib):
        a = lib.ones(2, 3, requires_grad=True)
        b = a * 2
        v = b.view(-1)
        y = v * v
        b.add_(1)
        y.sum().backward()
    _same_error(f, exact=False)


def _inplace_through_views(lib):
    """In-place writes to views of non-leaves: the bases take CopySlices history, as in torch."""
    grads = []
    a = lib.ones(2, 3, requires_grad=True)
    y = a * 2
    y.t().mul_(3)
    y.sum().backward()
    grads.append(a.grad)
    a = lib.ones(2, 3, requires_grad=True)
    y = a * 2
    y.view(-1).narrow(0, 1, 3).mul_(lib.arange(3.0))
    (y * lib.arange(6.0).view(2, 3)).sum().backward()
    grads.append(a.grad)
    z, w = lib.zeros(6), lib.ones(2, 3, requires_grad=True)
    z.view(2, 3).add_(w * 2)            # a plain base takes history from the written value
    (z * lib.arange(6.0)).sum().backward()
    grads.append(w.grad)
    a = lib.ones(2, 3, requires_grad=True)
    y = a * 2
    y.unsqueeze(0).squeeze_(0).transpose(0, 1).mul_(5)
    y.sum().backward()
    grads.append(a.grad)
    a = lib.ones(2, 3, requires_grad=True)
    y = a * 2
    y.view(-1)[1:3].mul_(4)             # a getitem view of a shape view
    y[1].view(3, 1).mul_(7)             # a shape view of a getitem view
    (y * y).sum().backward()
    grads.append(a.grad)
    a = lib.ones(3, 3, requires_grad=True)
    y = a * 1
    y.diagonal().mul_(2)
    y.unfold(1, 1, 2)[0, 0].mul_(3)
    y.sum().backward()
    grads.append(a.grad)
    return grads


def test_inplace_through_views_rebases_history():
    t, e = _both(_inplace_through_views)
    _same(e, t)


def test_inplace_through_views_double_backward():
    def f(lib):
        a = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
        y = a * a
        y.t()[1].mul_(a[:, 1])
        g, = lib.autograd.grad((y * y).sum(), a, create_graph=True)
        return g, lib.autograd.grad(g.sum(), a)[0]
    t, e = _both(f)
    _same(e, t)


@pytest.mark.parametrize("i", range(4))
def test_inplace_on_views_refused(i):
    f = [lambda lib: (lib.ones(2, 3, requires_grad=True) * 1).unbind(0)[1].mul_(2),
         lambda lib: (lib.ones(2, 3, requires_grad=True) * 1).split([1, 1])[0].mul_(2),
         lambda lib: lib.ones(2, 3, requires_grad=True).view(-1).mul_(2),
         lambda lib: lib.ones(2, 3, requires_grad=True).t()[0].mul_(2)][i]
    _same_error(f)


def test_inplace_through_overlapping_windows_is_refused():
    # torch lets later writes win; Ember refuses rather than double-count gradients
    y = ember.ones(3, 3, requires_grad=True) * 1
    with pytest.raises(NotImplementedError, match="overlapping unfold"):
        y.unfold(1, 2, 1)[0, 0].mul_(3)


def test_contiguous_and_clone_semantics():
    x = ember.ones(2, 3)
    assert x.contiguous() is x
    y = x.t().contiguous()
    assert y.is_contiguous() and y.stride() == (2, 1)
    y.add_(1)
    assert float(x.sum()) == 6.0
    w = ember.ones(2, 3, requires_grad=True)
    assert w.t().contiguous().grad_fn.name() == "CloneBackward0"


# ---- strides and contiguity match torch ---------------------------------------------------------
LAYOUTS = [
    lambda x: x.permute(2, 0, 1), lambda x: x.transpose(0, 1), lambda x: x.expand(3, 2, 3, 4),
    lambda x: x[0].t(), lambda x: x.mT, lambda x: x.unsqueeze(1), lambda x: x.select(1, 0),
    lambda x: x.narrow(2, 1, 2), lambda x: x.diagonal(), lambda x: x[:, :1].expand(2, 5, 4),
    lambda x: x.flip(1), lambda x: x.rot90(), lambda x: x.movedim(0, 2), lambda x: x.view(6, 4),
    lambda x: x.permute(1, 0, 2).contiguous(), lambda x: x.unbind(2)[0],
    lambda x: x.permute(2, 1, 0).reshape(-1), lambda x: x[:, :1].squeeze(1),
]


@pytest.mark.parametrize("i", range(len(LAYOUTS)))
def test_strides_and_contiguity(i):
    f = LAYOUTS[i]
    t = f(torch.zeros(2, 3, 4))
    e = f(ember.zeros(2, 3, 4))
    assert tuple(e.shape) == tuple(t.shape)
    assert e.stride() == t.stride()
    assert e.is_contiguous() == t.is_contiguous()


# ---- properties, warnings, grad_fn names --------------------------------------------------------
T_WARN = ("The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
          "deprecated and it will throw an error in a future release. Consider `x.mT` to "
          "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to "
          "reverse the dimensions of a tensor.")


def test_T_warnings():
    # torch's texts (2.13), each issued once per process
    ember.ops.shape._WARNED.clear()
    for shape, msgs in (((2, 3), []), ((3,), [T_WARN]), ((2, 3, 4), []),
                        ((), ["Tensor.T is deprecated on 0-D tensors. This function is the "
                              "identity in these cases."]), ((), [])):
        w, out = _warnings(lambda shape=shape: ember.zeros(shape).T)
        assert w == msgs
        assert tuple(out.shape) == tuple(reversed(shape))
    w, _ = _warnings(lambda: ember.tensor(1.0).H)
    assert w == ["Tensor.H is deprecated on 0-D tensors. Consider using x.conj()."]


def test_grad_fn_names():
    names = {
        "view": lambda x: x.view(-1), "reshape": lambda x: x.reshape(4, 6),
        "reshape_copy": lambda x: x.mT.reshape(-1), "unsqueeze": lambda x: x.unsqueeze(0),
        "squeeze": lambda x: x.squeeze(), "squeeze1": lambda x: x.squeeze(0),
        "squeeze2": lambda x: x.squeeze((0, 1)), "permute": lambda x: x.permute(2, 0, 1),
        "transpose": lambda x: x.transpose(0, 1), "expand": lambda x: x.expand(2, 2, 3, 4),
        "cat": lambda x: ember_or(x).cat([x, x]), "stack": lambda x: ember_or(x).stack([x, x]),
        "split": lambda x: x.split(1)[0], "split2": lambda x: x.split([1, 2], 1)[0],
        "unbind": lambda x: x.unbind()[0], "narrow": lambda x: x.narrow(1, 0, 2),
        "select": lambda x: x.select(1, 0), "flip": lambda x: x.flip(0),
        "roll": lambda x: x.roll(1), "rot90": lambda x: x.rot90(), "tril": lambda x: x.tril(),
        "diagonal": lambda x: x.diagonal(), "diag_embed": lambda x: x.diag_embed(),
        "trace": lambda x: x[0].trace(), "repeat": lambda x: x.repeat(2, 1, 1),
        "t": lambda x: x[0].t(), "T": lambda x: x[0].T, "mT": lambda x: x.mT,
    }
    for name, f in names.items():
        t = f(torch.zeros(2, 3, 4, requires_grad=True))
        e = f(ember.zeros(2, 3, 4, requires_grad=True))
        assert e.grad_fn.name() == type(t.grad_fn).__name__, name


def ember_or(x):
    return torch if isinstance(x, torch.Tensor) else ember


# ---- in-place shape variants --------------------------------------------------------------------
def test_inplace_shape_variants():
    def f(lib):
        a = lib.ones(1, 3, 1)
        b = a.squeeze_()
        c = lib.ones(2, 3).t_()
        d = lib.ones(2, 3).transpose_(0, 1).unsqueeze_(0)
        e = lib.ones(3, 3).tril_(-1)
        return b is a, a.shape, a._version, c.shape, c.stride(), d.shape, d.stride(), e
    t, e = _both(f)
    assert t[:7] == e[:7]
    _same(e[7], t[7])


def test_inplace_shape_variant_autograd():
    def f(lib):
        a = lib.ones(1, 3, requires_grad=True)
        b = a * 2
        b.unsqueeze_(0).squeeze_()
        (b * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
        return a.grad, b.shape
    t, e = _both(f)
    _same(e[0], t[0])
    assert e[1] == t[1]
    _same_error(lambda lib: lib.ones(1, 3, requires_grad=True).squeeze_())


# ---- unbind at scale ----------------------------------------------------------------------------
def test_unbind_many_rows_backward():
    # one UnbindBackward0 node whose backward stacks all rows: linear, not quadratic
    x = ember.ones(1000, 3, requires_grad=True)
    rows = x.unbind(0)
    assert len(rows) == 1000
    ember.stack([r * i for i, r in enumerate(rows[::2])]).sum().backward()
    g = np.asarray(x.grad)
    assert g.shape == (1000, 3)
    np.testing.assert_array_equal(g[::2, 0], np.arange(500.0))
    assert not g[1::2].any()
    y = ember.ones(1000, 2, requires_grad=True)
    sum(r.sum() for r in y).backward()
    np.testing.assert_array_equal(np.asarray(y.grad), np.ones((1000, 2)))
