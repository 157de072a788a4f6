"""Elementwise behaviour beyond the op table: errors, in-place semantics, special values."""

import math

import numpy as np
import pytest
import torch

import ember

# ember silences NumPy's inf/nan RuntimeWarnings with a filter that pytest resets per test
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def _both(fn):
    """fn(lib) on torch and ember: (torch result or exception, ember result or exception)."""
    out = []
    for lib in (torch, ember):
        try:
            out.append(fn(lib))
        except Exception as e:  # noqa: BLE001 - the exception is the result under test
            out.append(e)
    return out


def _same_error(fn, exact=True):
    t, e = _both(fn)
    assert isinstance(t, Exception), f"torch did not raise: {t}"
    assert type(e) is type(t), f"ember raised {type(e).__name__}: {e} (torch: {t!r})"
    if exact:
        assert str(e) == str(t)


def _vals(x):
    if isinstance(x, torch.Tensor):
        return x.detach().to(torch.float64).numpy()
    return np.asarray(x.detach().to(ember.float64))


def _same(fn):
    t, e = _both(fn)
    assert not isinstance(e, Exception), repr(e)
    assert e.dtype.name == str(t.dtype).split(".")[1]
    np.testing.assert_allclose(_vals(e), _vals(t), rtol=1e-6, atol=1e-12, equal_nan=True)


def T(lib, data, **kw):
    return lib.tensor(data, **kw)


ERRORS = {
    "broadcast": lambda lib: lib.ones(2, 3) + lib.ones(2, 4),
    "broadcast_dim0": lambda lib: lib.ones(2) * lib.ones(3),
    "broadcast_cmp": lambda lib: lib.ones(3) < lib.ones(4),
    "broadcast_3": lambda lib: lib.addcmul(lib.ones(2, 3), lib.ones(3), lib.ones(4, 1, 2)),
    "broadcast_clamp": lambda lib: lib.clamp(lib.ones(3), min=lib.zeros(2)),
    "inplace_broadcast": lambda lib: lib.ones(2, 3).add_(lib.ones(2, 2, 3)),
    "inplace_float_into_long": lambda lib: T(lib, [1, 2]).add_(1.5),
    "inplace_div_long": lambda lib: T(lib, [1, 2]).div_(2),
    "inplace_long_into_bool": lambda lib: T(lib, [True]).add_(1),
    "inplace_complex_into_float": lambda lib: T(lib, [1.0]).mul_(1j),
    "iadd_float_into_long": lambda lib: T(lib, [1, 2]).__iadd__(T(lib, [0.5, 1.0])),
    "neg_bool": lambda lib: -T(lib, [True]),
    "sub_bool": lambda lib: T(lib, [True]) - T(lib, [False]),
    "rsub_bool": lambda lib: True - T(lib, [False]),
    "pos_bool": lambda lib: +T(lib, [True]),
    "int_negative_pow": lambda lib: T(lib, [1, 2]) ** -1,
    "pow_bool": lambda lib: T(lib, [True]) ** T(lib, [True]),
    "floor_divide_zero": lambda lib: T(lib, [1, 2]) // 0,
    "remainder_zero": lambda lib: T(lib, [1, 2]) % T(lib, [1, 0]),
    "fmod_zero": lambda lib: lib.fmod(T(lib, [1, 2]), 0),
    "div_trunc_zero": lambda lib: lib.div(T(lib, [3]), T(lib, [0]), rounding_mode="trunc"),
    "div_bad_mode": lambda lib: lib.div(T(lib, [3.0]), 2, rounding_mode="round"),
    "alpha_float_int": lambda lib: lib.add(T(lib, [1]), T(lib, [2]), alpha=0.5),
    "clamp_none": lambda lib: lib.clamp(T(lib, [1.0])),
    "abs_bool": lambda lib: lib.abs(T(lib, [True])),
    "relu_bool": lambda lib: lib.relu(T(lib, [True])),
    "floor_bool": lambda lib: lib.floor(T(lib, [True])),
    "frac_int": lambda lib: lib.frac(T(lib, [1])),
    "round_decimals_int": lambda lib: lib.round(T(lib, [1]), decimals=1),
    "hypot_int": lambda lib: lib.hypot(T(lib, [1]), T(lib, [1])),
    "bitwise_float": lambda lib: lib.bitwise_and(T(lib, [1.0]), T(lib, [1.0])),
    "invert_float": lambda lib: ~T(lib, [1.0]),
    "lshift_float": lambda lib: T(lib, [1]) << 1.5,
    "sign_complex": lambda lib: lib.sign(T(lib, [1j])),
    "lerp_dtype": lambda lib: lib.lerp(T(lib, [1.0]), T(lib, [1.0], dtype=lib.float64), 0.5),
    "lerp_int": lambda lib: lib.lerp(T(lib, [1]), T(lib, [2]), 0.5),
    "addcdiv_int": lambda lib: lib.addcdiv(T(lib, [1]), T(lib, [1]), T(lib, [1])),
    "heaviside_dtypes": lambda lib: lib.heaviside(T(lib, [1.0]), T(lib, [1])),
    "isclose_dtypes": lambda lib: lib.isclose(T(lib, [1]), T(lib, [1.0])),
    "isclose_rtol": lambda lib: lib.isclose(T(lib, [1.0]), T(lib, [1.0]), rtol=-1),
    "maximum_scalar": lambda lib: lib.maximum(T(lib, [1]), 2),
    "logical_scalar": lambda lib: lib.logical_xor(T(lib, [1]), 0),
    "fill_dim": lambda lib: lib.zeros(2).fill_(lib.ones(2)),
    "copy_broadcast": lambda lib: lib.zeros(2, 3).copy_(lib.ones(4)),
    "float_power_inplace": lambda lib: lib.ones(2).float_power_(2),
    "bool_floor_divide": lambda lib: T(lib, [True]) // T(lib, [True]),
    "inplace_expanded": lambda lib: lib.ones(3).expand(2, 3).add_(1),
    "clamp_complex": lambda lib: lib.clamp(T(lib, [1j]), 0),
    "isposinf_complex": lambda lib: lib.isposinf(T(lib, [1j])),
    "sub_bool_int": lambda lib: T(lib, [True]) - T(lib, [1]),
    "sub_int_true": lambda lib: T(lib, [1]) - True,
    "atan2_scalar": lambda lib: lib.atan2(T(lib, [1.0]), 2.0),
    "maximum_complex": lambda lib: lib.maximum(T(lib, [1j]), T(lib, [1j])),
    "lt_complex": lambda lib: T(lib, [1j]) < T(lib, [1j]),
    "remainder_complex": lambda lib: T(lib, [1j]) % 2,
    "erf_complex": lambda lib: lib.erf(T(lib, [1j])),
    "floor_complex": lambda lib: lib.floor(T(lib, [1j])),
    "abs_inplace_complex": lambda lib: T(lib, [1j]).abs_(),
    "shift_bool": lambda lib: T(lib, [True]) << T(lib, [True]),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name):
    _same_error(ERRORS[name])


@pytest.mark.parametrize("name", ["floor_divide", "heaviside", "remainder"])
def test_not_implemented_backward(name):
    fns = {"floor_divide": lambda x: x // 2, "heaviside": lambda x: x.heaviside(x),
           "remainder": lambda x: 2 % x}

    def run(lib):
        x = lib.tensor([1.5, 2.5], requires_grad=True)
        fns[name](x).sum().backward()
    _same_error(run)


def test_leaf_inplace_error():
    for op in (lambda x: x.add_(1), lambda x: x.__iadd__(1), lambda x: x.fill_(0),
               lambda x: x.zero_(), lambda x: x.copy_(x.detach()), lambda x: x.relu_(),
               lambda x: x.clamp_(0, 1)):
        _same_error(lambda lib, op=op: op(lib.ones(2, requires_grad=True)))


def test_iadd_keeps_identity_and_bumps_version():
    x = ember.zeros(3)
    y = x
    v0 = x._version
    x += 1
    assert x is y and x._version == v0 + 1
    x *= ember.tensor([1.0, 2.0, 3.0])
    assert x is y and x._version == v0 + 2
    assert x.tolist() == [1.0, 2.0, 3.0]
    x.fill_(7)
    x.zero_()
    x.copy_(ember.ones(3))
    assert x._version == v0 + 5 and x.tolist() == [1.0, 1.0, 1.0]


def test_inplace_on_view_writes_through():
    versions = []
    for lib in (torch, ember):
        base = lib.zeros(2, 3)
        row = base[1]
        row += lib.tensor([1.0, 2.0, 3.0])
        assert row is not None and row.tolist() == [1.0, 2.0, 3.0]
        base[0].fill_(5)
        col = base[:, 2]
        col.mul_(10)
        base[1, 0].zero_()
        base.view(6)[1:2].copy_(lib.tensor([7.0]))
        assert base.tolist() == [[5.0, 7.0, 50.0], [0.0, 2.0, 30.0]]
        versions.append((base._version, row._version, col._version))
    assert versions[0] == versions[1]


def test_inplace_int_accumulation_keeps_dtype():
    _same(lambda lib: lib.tensor([1, 2], dtype=lib.int32).add_(lib.tensor([3, 4])))
    _same(lambda lib: lib.tensor([1, 2], dtype=lib.uint8).sub_(lib.tensor([3, 4])))
    _same(lambda lib: lib.tensor([1.0, 2.0]).add_(lib.tensor([1, 2])))
    _same(lambda lib: lib.tensor([1.5, 2.5]).mul_(lib.tensor([2.0], dtype=lib.float64)))
    _same(lambda lib: lib.tensor([1.0, 3.0]).lt_(2))


def test_inplace_grad_chain():
    """An in-place op on a non-leaf rewires grad_fn; gradients flow to the leaf."""
    res = []
    for lib in (torch, ember):
        x = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
        y = x * 2
        y.add_(1)
        y.mul_(x)
        y.exp_()
        y.sum().backward()
        res.append((y.grad_fn.name(), x.grad.tolist()))
    assert res[0][0] == res[1][0]
    np.testing.assert_allclose(res[1][1], res[0][1], rtol=1e-5)


def test_copy_and_fill_gradients():
    res = []
    for lib in (torch, ember):
        src = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        v = lib.tensor(4.0, requires_grad=True)
        dst = lib.zeros(2, 3)
        dst.copy_(src)
        out = dst * lib.tensor([[1.0], [2.0]])
        filled = lib.zeros(2, requires_grad=True) * 1
        filled.fill_(v)
        (out.sum() + (filled * 3).sum()).backward()
        res.append((src.grad.tolist(), v.grad.item(), dst.grad_fn.name(),
                    filled.grad_fn.name()))
    assert res[0] == res[1]


def test_fill_copy_zero_on_views_of_non_leaf():
    res = []
    for lib in (torch, ember):
        x = lib.ones(2, 3, requires_grad=True)
        s = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        y[0].copy_(s * 5)
        y[1].fill_(7)
        y.view(6)[0:1].zero_()
        (y * lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])).sum().backward()
        res.append((x.grad.tolist(), s.grad.tolist(), y.tolist()))
    assert res[0] == res[1]


def test_copy_casts_and_rounds():
    _same(lambda lib: lib.zeros(3, dtype=lib.int64).copy_(lib.tensor([1.5, -2.5, 3.9])))
    _same(lambda lib: lib.zeros(3, dtype=lib.int64).fill_(2.7))
    _same(lambda lib: lib.zeros(2, 3, dtype=lib.bfloat16).copy_(lib.tensor([1.001, 2.3, 3.7])))
    _same(lambda lib: lib.zeros(3, dtype=lib.bool).fill_(2))


def test_clone_is_independent():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    c = x.clone()
    assert c.grad_fn.name() == "CloneBackward0"
    c2 = x.detach().clone()
    c2.add_(1)
    assert x.tolist() == [1.0, 2.0]


def test_numpy_scalars_defer_to_tensor():
    _same(lambda lib: np.float64(2.5) * lib.tensor([1.0, 2.0]))
    _same(lambda lib: np.int64(3) + lib.tensor([1, 2], dtype=lib.int8))
    _same(lambda lib: lib.tensor([1.0, 2.0]) - np.float32(0.5))
    _same(lambda lib: np.float32(1.5) < lib.tensor([1.0, 2.0]))
    _same(lambda lib: lib.tensor([1.0, 2.0]) * np.array([2.0, 3.0]))


def test_complex_basics():
    z = [1 + 2j, -0.5 + 0.1j, 0j]
    for fn in (lambda lib, a: a * a + 1j, lambda lib, a: lib.abs(a), lambda lib, a: lib.exp(a),
               lambda lib, a: lib.sgn(a), lambda lib, a: a / lib.tensor([1.5, -2.0, 1.0]),
               lambda lib, a: lib.isreal(a), lambda lib, a: lib.nan_to_num(a / 0)):
        t, e = fn(torch, torch.tensor(z)), fn(ember, ember.tensor(z))
        assert e.dtype.name == str(t.dtype).split(".")[1]
        np.testing.assert_allclose(np.asarray(e), t.numpy(), rtol=1e-6)


def test_comparison_dunders():
    x = ember.tensor([1, 2, 3])
    assert (x == None) is False and (x != None) is True  # noqa: E711
    assert (x == "a") is False
    assert (x == 2).tolist() == [False, True, False]
    assert (2 < x).tolist() == [False, False, True]
    assert ember.equal(x, x.float()) and not ember.equal(x, x[:2])
    assert ember.allclose(ember.tensor([1.0, 2.0]), ember.tensor([1.0, 2.0 + 1e-9]))


SPECIAL = [0.0, -0.0, 1.0, -1.0, math.inf, -math.inf, math.nan, 1e-30, 30.0]


@pytest.mark.parametrize("fn", [
    lambda lib, x: lib.erf(x), lambda lib, x: lib.erfc(x), lambda lib, x: lib.erfinv(x / 31),
    lambda lib, x: x / 0, lambda lib, x: x // 0, lambda lib, x: x % 0, lambda lib, x: x % -2.5,
    lambda lib, x: lib.fmod(x, 0), lambda lib, x: lib.xlogy(x, x), lambda lib, x: x ** 0.5,
    lambda lib, x: 0 ** x, lambda lib, x: lib.sigmoid(x), lambda lib, x: lib.logit(x),
    lambda lib, x: lib.nan_to_num(x), lambda lib, x: lib.clamp(x, -1, 1),
    lambda lib, x: lib.copysign(lib.ones(9), x), lambda lib, x: lib.sgn(x),
    lambda lib, x: lib.round(x * 2.5), lambda lib, x: lib.tanh(x), lambda lib, x: lib.exp2(x),
    lambda lib, x: lib.heaviside(x, lib.tensor(0.5)), lambda lib, x: lib.atan2(x, x),
    lambda lib, x: lib.float_power(x, -1), lambda lib, x: lib.lerp(x, x * 0, 0.5),
])
def test_special_values(fn):
    _same(lambda lib: fn(lib, lib.tensor(SPECIAL)))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_erf_family_accuracy(dtype):
    xs = np.linspace(-6, 6, 2001)
    for f, dom in (("erf", xs), ("erfc", xs), ("erfinv", np.linspace(-1, 1, 2001))):
        t = getattr(torch, f)(torch.tensor(dom, dtype=getattr(torch, dtype))).numpy()
        e = np.asarray(getattr(ember, f)(ember.tensor(dom, dtype=getattr(ember, dtype))))
        rtol = 1e-13 if dtype == "float64" else 2e-6
        np.testing.assert_allclose(e, t, rtol=rtol, atol=1e-300, err_msg=f)


def test_gradients_at_special_points():
    """abs/relu at 0, sqrt at 0, pow with zero base, clamp boundaries, max/min ties."""
    fns = [lambda lib, x: lib.abs(x), lambda lib, x: lib.relu(x), lambda lib, x: lib.sqrt(x),
           lambda lib, x: x ** 2, lambda lib, x: x ** 0, lambda lib, x: 0 ** x,
           lambda lib, x: x ** x, lambda lib, x: lib.clamp(x, 0, 1),
           lambda lib, x: lib.maximum(x, x.detach() * 0), lambda lib, x: lib.fmin(x, x * 0),
           lambda lib, x: lib.hypot(x, x * 0), lambda lib, x: lib.logit(x, eps=0.5),
           lambda lib, x: lib.xlogy(x, x), lambda lib, x: lib.sign(x),
           lambda lib, x: lib.nan_to_num(x / x)]
    for i, fn in enumerate(fns):
        grads = []
        for lib in (torch, ember):
            x = lib.tensor([0.0, -1.0, 1.0, 2.0, math.nan], requires_grad=True)
            fn(lib, x).backward(lib.tensor([1.0, 2.0, 3.0, 4.0, 5.0]))
            grads.append(np.asarray(x.grad.tolist()))
        np.testing.assert_allclose(grads[1], grads[0], equal_nan=True, err_msg=str(i))


def test_grad_fn_names():
    x = [torch.tensor([1.0, 2.0], requires_grad=True)]
    x.append(ember.tensor([1.0, 2.0], requires_grad=True))
    cases = [lambda lib, a: a + 1, lambda lib, a: 2 - a, lambda lib, a: a / 2,
             lambda lib, a: 2 / a, lambda lib, a: a ** 2, lambda lib, a: a ** a,
             lambda lib, a: 2 ** a, lambda lib, a: a % 2, lambda lib, a: a % a,
             lambda lib, a: lib.clamp(a, 0, 1), lambda lib, a: lib.clamp(a, a, a),
             lambda lib, a: a.clamp_min(0), lambda lib, a: lib.square(a),
             lambda lib, a: lib.log1p(a), lambda lib, a: lib.deg2rad(a),
             lambda lib, a: lib.fix(a), lambda lib, a: lib.xlogy(2, a),
             lambda lib, a: lib.lerp(a, a, a), lambda lib, a: lib.float_power(a, 2),
             lambda lib, a: lib.div(a, 2, rounding_mode="floor"),
             lambda lib, a: lib.round(a, decimals=1)]
    for fn in cases:
        assert fn(ember, x[1]).grad_fn.name() == fn(torch, x[0]).grad_fn.name()


@pytest.mark.parametrize("fn", [
    lambda lib: lib.ones(2, 3) + lib.ones(3, 2),
    lambda lib: lib.ones(2, 3, 4) * lib.ones(3, 3, 4),
    lambda lib: lib.ones(2, 3) - lib.ones(3, 2) + lib.ones(4),
    lambda lib: lib.broadcast_tensors(lib.ones(2, 3), lib.ones(3, 2)),
    lambda lib: lib.where(lib.ones(2, 3) > 0, lib.ones(3, 2), lib.ones(4)),
    lambda lib: lib.matmul(lib.ones(2, 3, 1, 4, 5), lib.ones(3, 2, 1, 5, 6)),
    lambda lib: lib.ones(2, 3).add_(lib.ones(3, 2)),
])
def test_broadcast_error_names_the_last_mismatching_dim(fn):
    """torch compares shapes from the last dim: the message names the rightmost mismatch."""
    _same_error(fn)
