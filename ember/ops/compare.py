"""Comparisons, logical and bitwise ops, maximum/minimum, clamp, isclose/allclose/equal."""

from __future__ import annotations

import numbers

import numpy as _np

from .. import _dtype as D
from .._tensor import Tensor
from ._registry import _scalar_name, make_dispatcher, op, public
from ._util import xp_of
from .elementwise import bin_arrays, is_tensor_grad, real_only, result, scalar_as


def _where_zero(cond, g):
    """g with zeros where cond holds (differentiable wrt g; the masking helper of backwards)."""
    xp = xp_of(g)
    ga, ca = g._array, cond._array
    if ga.dtype.kind == "f" and ca.dtype == bool and ca.ndim and ga.dtype.itemsize in _BITS:
        # AND with an all-ones/all-zeros bit mask: exact (+0.0, NaN kept where cond is False)
        # and branch-free; where() on the random masks of ReLU backwards runs ~10x slower
        m = xp.subtract(ca, 1, dtype=_BITS[ga.dtype.itemsize])
        out = xp.bitwise_and(ga.view(m.dtype), m, out=m if m.shape == ga.shape else None)
        out = out.view(ga.dtype)
    else:
        out = xp.where(ca, xp.zeros((), ga.dtype), ga)
    return out, lambda gy: (None, where_zero(cond, gy)), {"name": "WhereBackward0"}


_BITS = {2: _np.int16, 4: _np.int32, 8: _np.int64}


where_zero = make_dispatcher(_where_zero, "where_zero", saves=False)


def _cmp(ufunc: str, name: str, dunder: str, aliases=()):
    """Register a comparison; its dunder returns NotImplemented for non-numbers (`t == None`)."""
    ordered = name not in ("eq", "ne")

    def prim(input, other):
        x, y, dt = bin_arrays(input, other)
        if ordered:
            real_only(dt, f"{name}_cpu")
        return getattr(xp_of(input, other), ufunc)(x, y)
    prim.__name__ = name
    prim.__doc__ = f"torch.{name} (a bool tensor)."
    public_fn = op(name, inplace=True)(prim)

    def dunder_fn(self, other):
        if not isinstance(other, (Tensor, numbers.Number, _np.generic)):
            return NotImplemented
        return public_fn(self, other)
    dunder_fn.__name__ = dunder
    setattr(Tensor, dunder, dunder_fn)
    for a in aliases:
        public(a, inplace=True)(public_fn)
    return public_fn


eq = _cmp("equal", "eq", "__eq__")
ne = _cmp("not_equal", "ne", "__ne__", ("not_equal",))
lt = _cmp("less", "lt", "__lt__", ("less",))
le = _cmp("less_equal", "le", "__le__", ("less_equal",))
gt = _cmp("greater", "gt", "__gt__", ("greater",))
ge = _cmp("greater_equal", "ge", "__ge__", ("greater_equal",))


def _need_tensor(fn: str, other) -> None:
    if not isinstance(other, Tensor):
        raise TypeError(f"{fn}(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(other).__name__}")


def _logical(ufunc: str, name: str):
    def prim(input, other):
        _need_tensor(name, other)
        return getattr(xp_of(input), ufunc)(input._array, other._array)
    prim.__name__ = name
    prim.__doc__ = f"torch.{name} (a bool tensor)."
    return op(name, inplace=True)(prim)


logical_and = _logical("logical_and", "logical_and")
logical_or = _logical("logical_or", "logical_or")
logical_xor = _logical("logical_xor", "logical_xor")


@op(inplace=True)
def logical_not(input):
    """torch.logical_not (a bool tensor)."""
    return xp_of(input).logical_not(input._array)


# ---- bitwise ------------------------------------------------------------------------------------


def _int_only(dt: D.dtype, kernel: str) -> None:
    if dt.category > 1:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_scalar_name(dt)}'")


def _bitwise(ufunc: str, name: str, sym: str):
    kernel = name + "_cpu"

    def prim(input, other):
        x, y, dt = bin_arrays(input, other)
        _int_only(dt, kernel)
        return result(getattr(xp_of(input, other), ufunc)(x, y), dt)
    prim.__name__ = name
    prim.__doc__ = f"torch.{name} (`{sym}`)."
    fn = op(name, inplace=True, dunder=(f"__{sym}__",), idunder=(f"__i{sym}__",))(prim)
    setattr(Tensor, f"__r{sym}__", lambda self, other: fn(other, self))
    return fn


bitwise_and = _bitwise("bitwise_and", "bitwise_and", "and")
bitwise_or = _bitwise("bitwise_or", "bitwise_or", "or")
bitwise_xor = _bitwise("bitwise_xor", "bitwise_xor", "xor")


@op(inplace=True)
def bitwise_not(input):
    """torch.bitwise_not (`~`)."""
    _int_only(input._dtype, "bitwise_not_cpu")
    x = input._array
    return result(xp_of(input).logical_not(x) if input._dtype is D.bool
                  else xp_of(input).invert(x), input._dtype)


def _invert(self: Tensor) -> Tensor:
    if self._dtype.category > 1:
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        "tensors")
    return bitwise_not(self)


Tensor.__invert__ = _invert


def _shift(input, other, left: bool):
    x, y, dt = bin_arrays(input, other)
    _int_only(dt, "lshift_cpu" if left else "rshift_cpu")
    if dt is D.bool:
        raise NotImplementedError(f"\"{'lshift_cpu' if left else 'rshift_cpu'}\" not "
                                  "implemented for 'Bool'")
    xp = xp_of(input, other)
    bits = x.dtype.itemsize * 8
    # NOTE: torch defines out-of-range shifts: 0 for <<, the sign fill for >>
    bad = (y < 0) | (y >= bits)
    ys = xp.where(bad, 0, y).astype(x.dtype)
    if left:
        out = xp.where(bad, 0, xp.left_shift(x, ys)).astype(x.dtype)
    else:
        fill = xp.right_shift(x, bits - 1) if dt.is_signed else xp.zeros_like(x)
        out = xp.where(bad, fill, xp.right_shift(x, ys))
    return result(out, dt)


@op(inplace=True, dunder=("__lshift__",), idunder=("__ilshift__",))
def bitwise_left_shift(input, other):
    """torch.bitwise_left_shift (`<<`)."""
    return _shift(input, other, True)


@op(inplace=True, dunder=("__rshift__",), idunder=("__irshift__",))
def bitwise_right_shift(input, other):
    """torch.bitwise_right_shift (`>>`)."""
    return _shift(input, other, False)


Tensor.__rlshift__ = lambda self, other: bitwise_left_shift(other, self)
Tensor.__rrshift__ = lambda self, other: bitwise_right_shift(other, self)


# ---- maximum / minimum ------------------------------------------------------------------------


def _minmax(name: str, ufunc: str, keep_self):
    """Register maximum/minimum/fmax/fmin; grads(gy, input, other) -> both input gradients."""
    def prim(input, other):
        _need_tensor(name, other)
        x, y, dt = bin_arrays(input, other)
        if dt.is_complex:
            raise RuntimeError(f"{name} not implemented for complex tensors.")
        out = getattr(xp_of(input, other), ufunc)(x, y)

        def backward(gy):
            return keep_self(gy, input, other)
        return result(out, dt, backward, _camel(name))
    prim.__name__ = name
    prim.__doc__ = f"torch.{name}."
    return op(name)(prim)


def _camel(name: str) -> str:
    return name[0].upper() + name[1:] + "Backward0"


def _max_grads(gy, a, b, less):
    # torch: ties share the gradient equally; the smaller (larger for minimum) side gets none
    half = where_zero(a != b, gy / 2) + where_zero(a == b, gy)
    return (where_zero(less(a, b), half) if a._requires_grad else None,
            where_zero(less(b, a), half) if is_tensor_grad(b) else None)


maximum = _minmax("maximum", "maximum", lambda gy, a, b: _max_grads(gy, a, b, lt))
minimum = _minmax("minimum", "minimum", lambda gy, a, b: _max_grads(gy, a, b, gt))


def _fminmax_grads(gy, a, b, cmp):
    take = logical_or(cmp(a, b), b.isnan())
    return (where_zero(logical_not(take), gy) if a._requires_grad else None,
            where_zero(take, gy) if is_tensor_grad(b) else None)


fmax = _minmax("fmax", "fmax", lambda gy, a, b: _fminmax_grads(gy, a, b, ge))
fmin = _minmax("fmin", "fmin", lambda gy, a, b: _fminmax_grads(gy, a, b, le))


# ---- clamp --------------------------------------------------------------------------------------


_NUM = (int, float, type(None))


def _clamp(input, min, max, *, kind="clamp"):
    if input._dtype.category == 2 and type(min) in _NUM and type(max) in _NUM:
        dt = input._dtype            # fast path: number bounds never change a float dtype
    else:
        dt = D.result_type(*[a for a in (input, min, max) if a is not None])
    if dt.is_complex:
        raise NotImplementedError("clamp is not supported for complex types")
    xp = xp_of(input)
    out = input._array
    if min is not None:
        x, lo, _ = bin_arrays(input, min, dt)
        out = xp.maximum(x, lo)
    if max is not None:
        x, hi, _ = bin_arrays(input, max, dt)
        out = xp.minimum(x if min is None else out, hi)
    tensors = isinstance(min, Tensor) and min.ndim or isinstance(max, Tensor) and max.ndim
    if dt.category < 2:
        return result(out, dt)

    def backward(gy):
        if not tensors:
            keep = None
            if min is not None:
                keep = input >= min
            if max is not None:
                keep = input <= max if keep is None else logical_and(keep, input <= max)
            return where_zero(logical_not(keep), gy), None, None
        g0 = g1 = g2 = None
        if min is not None and max is not None:
            g0 = where_zero(logical_not(logical_and(input >= min, input <= max)), gy)
            if is_tensor_grad(min):
                g1 = where_zero(logical_not(logical_and(input < min, min < max)), gy)
            if is_tensor_grad(max):
                g2 = where_zero(logical_not(logical_or(input > max, max < min)), gy)
        elif min is not None:
            g0 = where_zero(input < min, gy)
            g1 = where_zero(input >= min, gy) if is_tensor_grad(min) else None
        else:
            g0 = where_zero(input > max, gy)
            g2 = where_zero(input <= max, gy) if is_tensor_grad(max) else None
        return g0, g1, g2
    if kind == "clamp":
        name = "ClampBackward0" if tensors else "ClampBackward1"
    else:
        name = f"{kind}Backward1" if tensors else f"{kind}Backward0"
    return result(out, dt, backward, name)


_clamp_p = make_dispatcher(_clamp, "clamp")


@public(inplace=True)
def clamp(input: Tensor, min=None, max=None) -> Tensor:
    """torch.clamp: min/max are numbers or tensors, either may be None."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    return _clamp_p(input, min, max)


@public(inplace=True)
def clip(input: Tensor, min=None, max=None) -> Tensor:
    """torch.clip (alias of clamp)."""
    return clamp(input, min, max)


@public(inplace=True)
def clamp_min(input: Tensor, min) -> Tensor:
    """torch.clamp_min."""
    return _clamp_p(input, min, None, kind="ClampMin")


@public(inplace=True)
def clamp_max(input: Tensor, max) -> Tensor:
    """torch.clamp_max."""
    return _clamp_p(input, None, max, kind="ClampMax")


# ---- closeness ----------------------------------------------------------------------------------


@op()
def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """torch.isclose: |input - other| <= atol + rtol * |other| (elementwise, bool)."""
    _need_tensor("isclose", other)
    if input._dtype is not other._dtype:
        raise RuntimeError(f"{_scalar_name(input._dtype)} did not match "
                           f"{_scalar_name(other._dtype)}")
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")
    xp = xp_of(input)
    x, y = input._array, other._array
    close = x == y
    if input._dtype.category >= 2:
        d = xp.abs(x - y)
        tol = scalar_as(atol, d.dtype) + scalar_as(rtol, d.dtype) * xp.abs(y)
        close = close | (xp.isfinite(d) & (d <= tol))
        if equal_nan:
            close = close | (xp.isnan(x) & xp.isnan(y))
    elif input._dtype is not D.bool:
        d = xp.abs(x.astype(_np.float64) - y.astype(_np.float64))
        close = close | (d <= atol + rtol * xp.abs(y.astype(_np.float64)))
    return close


@public()
def allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """torch.allclose: a Python bool."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._array.all())


@public()
def equal(input: Tensor, other: Tensor) -> bool:
    """torch.equal: same shape and the same values (a Python bool)."""
    if input._array.shape != other._array.shape:
        return False
    x, y, _ = bin_arrays(input, other)
    return bool((x == y).all())
