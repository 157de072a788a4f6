"""Elementwise arithmetic with broadcasting, torch type promotion and reflected/in-place dunders.

Unary math lives in `unary.py`, atan2/hypot/xlogy/lerp/addcmul... in `binary.py`, comparisons,
logical/bitwise ops, min/max and clamp in `compare.py`; the promotion helpers here (`bin_arrays`,
`result`, ...) are shared by all of them.
"""

from __future__ import annotations

import warnings

import numpy as _np

from .. import _dtype as D
from .._tensor import Tensor, _new, _record
from ..autograd.grad_mode import GRAD_ENABLED
from ..backend import array_module, round_bf16, to_device
from ._registry import OVERLAP_MSG, Info, _scalar_name, check_inplace, op, public, register
from ._util import check_same_device, xp_of

_BF16 = D.bfloat16
_F16 = D.float16
_F32 = _np.dtype(_np.float32)
_ndarray = _np.ndarray
NI = "torch::autograd::NotImplemented"     # torch's grad_fn name for non-differentiable ops


# NumPy warns on overflow/invalid results (inf, nan); torch never does. A filter on warnings
# raised from ember's own modules costs nothing on the fast path, unlike np.errstate.
warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"ember\.")


def scalar_as(v, npd):
    """A Python scalar as a NumPy scalar of npd; out-of-range integers wrap as in torch."""
    try:
        return npd.type(v)
    except (OverflowError, ValueError):
        if npd.kind not in "iu":
            raise
        bits = npd.itemsize * 8
        v = int(v) & ((1 << bits) - 1)
        if npd.kind == "i" and v >= 1 << (bits - 1):
            v -= 1 << bits
        return npd.type(v)


def bin_arrays(a, b, dt: D.dtype | None = None):
    """(x, y, dt): a and b as arrays of the torch result dtype dt.

    float16 operands come back as float32: torch computes half ops in float32 and rounds once.
    """
    if dt is None:
        if isinstance(a, Tensor) and isinstance(b, Tensor) and a._dtype is b._dtype:
            if type(a._array) is not type(b._array):
                check_same_device(a, b)
            if a._dtype is _F16:
                return a._array.astype(_F32), b._array.astype(_F32), _F16
            return a._array, b._array, a._dtype
        tb = type(b)
        if isinstance(a, Tensor) and (tb is float and a._dtype.category >= 2
                                      or tb is int and a._dtype.category >= 1):
            dt = a._dtype           # fast path: a Python number never widens a float/int tensor
        else:
            if type(a) is _ndarray or type(b) is _ndarray:
                # torch treats a NumPy array operand (t * arr) as a tensor
                return bin_arrays(_new(a) if type(a) is _ndarray else a,
                                  _new(b) if type(b) is _ndarray else b)
            dt = D.result_type(a, b)
    npd = _F32 if dt is _F16 else dt.np
    if isinstance(a, Tensor):
        x = a._array
        if x.dtype != npd:
            x = x.astype(npd)
    else:
        x = scalar_as(a, npd)
    if isinstance(b, Tensor):
        y = b._array
        if y.dtype != npd:
            y = y.astype(npd)
        if isinstance(a, Tensor) and type(a._array) is not type(b._array):
            check_same_device(a, b)
    else:
        y = scalar_as(b, npd)
    return x, y, dt


def float_dtype(*xs) -> D.dtype:
    """torch's result dtype for ops that always produce floats (int inputs -> default float)."""
    dt = D.result_type(*xs)
    return D.get_default_dtype() if dt.category < 2 else dt


def result(out, dt: D.dtype, backward=None, name: str | None = None, saved_out: bool = False,
           saved_in: bool = True):
    """The dispatcher's (out, backward, info) with out cast to dt's storage; saved_out: backward
    reads the result, so modifying it in place must make backward raise (as torch); saved_in
    False: backward reads no input, so changing one in place later is allowed (as torch)."""
    if out.dtype != dt.np:
        out = out.astype(dt.np)
    key = (dt, name, saved_out, saved_in)
    info = _INFO.get(key)
    if info is None:          # the dispatcher only reads info: one shared dict per key
        if dt is not _BF16:
            info = Info(dt, name, saved_out, saved_in)      # takes the dispatcher's fast path
        else:
            info = {"dtype": dt} if name is None else {"dtype": dt, "name": name}
            if saved_out:
                info["saved_out"] = True
            if not saved_in:
                info["saved"] = ()
        _INFO[key] = info
    return out, backward, info


_INFO: dict = {}
_RAW_MUL = (D.float32, D.float64)
# the info add/mul's fast paths return (the same shared dicts result() gives)
# (tensor op Python float: neither backward reads the tensor, so neither saves it, as torch)
_FAST_INFO = {(d, n): result(_np.empty(0, d.np), d, None, n, saved_in=False)[2]
              for d in _RAW_MUL for n in ("AddBackward0", "MulBackward0")}


def out_tensor(arr, dt: D.dtype, recompute):
    """The op's result for use in backward: the raw result normally, recomputed (so that it
    carries a graph) under create_graph."""
    if GRAD_ENABLED[0]:
        return recompute()
    if arr.dtype != dt.np:
        arr = arr.astype(dt.np)
    elif dt is _BF16:
        arr = round_bf16(arr)         # the value the caller saw
    return _new(arr, dt)


def not_implemented(name: str):
    """A backward for ops torch records but cannot differentiate (grad_fn=<NotImplemented>)."""
    def backward(*gys):
        raise RuntimeError(f"derivative for aten::{name} is not implemented")
    return backward


def is_tensor_grad(a) -> bool:
    return isinstance(a, Tensor) and a._requires_grad


def _check_int_zero(y, dt: D.dtype) -> None:
    # torch raises for integer division by zero instead of returning garbage
    if dt.category < 2 and not y.all():
        raise RuntimeError("ZeroDivisionError")


def _not_bool(dt: D.dtype, kernel: str) -> None:
    if dt is D.bool:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def real_only(dt: D.dtype, kernel: str) -> None:
    """torch's error for kernels without complex support."""
    if dt.is_complex:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_scalar_name(dt)}'")


def need_tensor(fn: str, value, arg: str = "other") -> None:
    """torch's TypeError for a Python number where only a Tensor is accepted."""
    if not isinstance(value, Tensor):
        raise TypeError(f"{fn}(): argument '{arg}' (position 2) must be Tensor, not "
                        f"{type(value).__name__}")


def _axpy(x, y, alpha, dt):
    """x + alpha * y as torch's CPU kernel computes it: for float32, one fused multiply-add
    (the float64 product of two float32 values is exact, so one final rounding reproduces it);
    half types round alpha to their own dtype first."""
    if x.dtype == _np.float32 and getattr(y, "dtype", None) == _np.float32:
        a = _np.float32(alpha)
        if dt is D.float16:
            a = _np.float16(alpha)
        elif dt is D.bfloat16:
            a = round_bf16(_np.asarray(a))
        a = float(a)
        return (x.astype(_np.float64) + a * y.astype(_np.float64)).astype(_np.float32)
    return x + y * scalar_as(alpha, y.dtype)


def _check_alpha(alpha, dt: D.dtype) -> None:
    if alpha != 1 and dt.category < 2 and isinstance(alpha, float):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")


# ---- add / sub / mul / div ------------------------------------------------------------------


@op(dunder=("__add__", "__radd__"), inplace=True, idunder=("__iadd__",), saves=False)
def add(input, other, *, alpha=1):
    """torch.add: input + alpha * other."""
    if type(other) is float and type(input) is Tensor and alpha == 1:
        dt = input._dtype
        x = input._array
        if dt in _RAW_MUL and type(x) is _ndarray:
            # fast path: NumPy casts a Python float to a float array's dtype, as bin_arrays
            out = x + other

            def backward1(gy):
                return gy, gy
            return out, backward1, _FAST_INFO[dt, "AddBackward0"]
    x, y, dt = bin_arrays(input, other)
    if alpha != 1:
        _check_alpha(alpha, dt)
        out = _axpy(x, y, alpha, dt)
    else:
        out = x + y

    def backward(gy):
        return gy, (gy * alpha if alpha != 1 else gy)
    return result(out, dt, backward, "AddBackward0")


def _is_bool(x) -> bool:
    return x._dtype is D.bool if isinstance(x, Tensor) else type(x) is bool


def _bool_sub(a, b) -> None:
    if _is_bool(a) or _is_bool(b):
        if _is_bool(a) and _is_bool(b):
            raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                               "supported. Use the `^` or `logical_xor()` operator instead.")
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")


@op(dunder=("__sub__",), inplace=True, idunder=("__isub__",), saves=False)
def sub(input, other, *, alpha=1):
    """torch.sub: input - alpha * other."""
    _bool_sub(input, other)
    x, y, dt = bin_arrays(input, other)
    if alpha != 1:
        _check_alpha(alpha, dt)
        out = _axpy(x, y, -alpha, dt)
    else:
        out = x - y

    def backward(gy):
        return gy, -(gy * alpha if alpha != 1 else gy)
    return result(out, dt, backward, "SubBackward0")


@op(dunder=("__rsub__",), method=False, saves=False)
def rsub(input, other, *, alpha=1):
    """torch.rsub: other - alpha * input."""
    _bool_sub(input, other)
    x, y, dt = bin_arrays(input, other)
    if alpha != 1:
        _check_alpha(alpha, dt)
        x = x * scalar_as(alpha, x.dtype)
    out = y - x

    def backward(gy):
        return -(gy * alpha if alpha != 1 else gy), gy
    return result(out, dt, backward,
                  "RsubBackward0" if isinstance(other, Tensor) else "RsubBackward1")


@op(dunder=("__mul__", "__rmul__"), inplace=True, idunder=("__imul__",))
def mul(input, other):
    """torch.mul."""
    if type(other) is float and type(input) is Tensor and input._dtype in _RAW_MUL and \
            type(input._array) is _ndarray:
        # fast path: NumPy casts a Python float to a float array's dtype, as bin_arrays
        dt = input._dtype
        y = other
        out = input._array * other

        def backward_scalar(gy):
            if GRAD_ENABLED[0] or gy._dtype is not dt:
                return gy * other, None
            return _new(gy._array * y, dt), None
        return out, backward_scalar, _FAST_INFO[dt, "MulBackward0"]
    x, y, dt = bin_arrays(input, other)
    out = x * y
    if type(other) is float and dt in _RAW_MUL:
        # tensor * Python float: the backward is gy * other on raw arrays (no dispatch)
        # unless a graph of the gradient is wanted
        def backward_scalar(gy):
            if GRAD_ENABLED[0] or gy._dtype is not dt:
                return gy * other, None
            return _new(gy._array * y, dt), None
        return result(out, dt, backward_scalar, "MulBackward0", saved_in=False)

    def backward(gy):
        if dt.is_complex:       # torch's convention: grad * conj(d out / d in)
            return (gy * conj_of(other) if is_tensor_grad(input) else None,
                    gy * conj_of(input) if is_tensor_grad(other) else None)
        return (gy * other if is_tensor_grad(input) else None,
                gy * input if is_tensor_grad(other) else None)
    saved = ((input,) if is_tensor_grad(other) and isinstance(input, Tensor) else ()) + \
        ((other,) if is_tensor_grad(input) and isinstance(other, Tensor) else ())
    return result_saving(out, dt, backward, "MulBackward0", saved)


def result_saving(out, dt: D.dtype, backward, name: str, saved: tuple):
    """result() whose node saves (version-checks) exactly `saved`: the tensors its backward
    reads, as torch saves only what a needed gradient uses."""
    out, backward, info = result(out, dt, backward, name)
    return out, backward, {**info, "saved": saved}


def conj_of(v):
    """The complex conjugate of a Tensor or a Python number (backward formulas for complex)."""
    return v.conj() if isinstance(v, Tensor) else v.conjugate()


def holomorphic(backward, dt: D.dtype):
    """backward for a complex result under torch's convention (grad * conj(f'(z))): a backward
    written as grad * f'(z) becomes conj(backward(conj(grad))). Real results pass through."""
    if not dt.is_complex:
        return backward

    def complex_backward(*gys):
        grads = backward(*(None if g is None else g.conj() for g in gys))
        return tuple(None if g is None else g.conj() for g in grads)
    return complex_backward


def _trunc_int_div(xp, x, y):
    q = xp.floor_divide(x, y)
    # floor and trunc differ where the remainder is non-zero and the signs differ
    fix = (xp.remainder(x, y) != 0) & ((x < 0) != (y < 0))
    return q + fix.astype(q.dtype)


def _divide(input, other, rounding_mode):
    if rounding_mode is None:
        dt = float_dtype(input, other)
        x, y, dt = bin_arrays(input, other, dt)
        return x / y, dt
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                         f"found '{rounding_mode}'")
    x, y, dt = bin_arrays(input, other)
    xp = xp_of(input, other)
    real_only(dt, "div_floor_cpu" if rounding_mode == "floor" else "div_trunc_cpu")
    if dt.category < 2:
        _not_bool(dt, "div_floor_cpu" if rounding_mode == "floor" else "div_trunc_cpu")
        _check_int_zero(y, dt)
        out = xp.floor_divide(x, y) if rounding_mode == "floor" else _trunc_int_div(xp, x, y)
        return out, dt
    out = xp.floor_divide(x, y) if rounding_mode == "floor" else xp.trunc(x / y)
    return out, dt


@op(dunder=("__truediv__",), inplace=True, idunder=("__itruediv__",))
def div(input, other, *, rounding_mode=None):
    """torch.div (rounding_mode None, 'trunc' or 'floor')."""
    out, dt = _divide(input, other, rounding_mode)
    if rounding_mode is not None:
        # torch: rounded division has zero gradient almost everywhere
        return result(out, dt, lambda gy: (gy * 0, gy * 0 if isinstance(other, Tensor) else None),
                      "DivBackward2")

    def backward(gy):
        if dt.is_complex:
            ga = gy / conj_of(other) if is_tensor_grad(input) else None
            gb = -gy * conj_of(input / (other * other)) if is_tensor_grad(other) else None
            return ga, gb
        ga = gy / other if is_tensor_grad(input) else None
        gb = -gy * input / (other * other) if is_tensor_grad(other) else None
        return ga, gb
    if not isinstance(other, Tensor):
        # a number divisor: the gradient reads no tensor (torch saves none)
        return result(out, dt, backward, "DivBackward0", saved_in=False)
    saved = (other,) + ((input,) if is_tensor_grad(other) and isinstance(input, Tensor) else ())
    return result_saving(out, dt, backward, "DivBackward0", saved)


@public(inplace=True)
def true_divide(input: Tensor, other) -> Tensor:
    """torch.true_divide (alias of div without rounding)."""
    return div(input, other)


@public("rtruediv", dunder=("__rtruediv__",), function=False, method=False)
def _rtruediv(input: Tensor, other) -> Tensor:
    """Tensor.__rtruediv__: torch computes other / input as input.reciprocal() * other."""
    from .unary import reciprocal
    return reciprocal(input) * other


@op(dunder=("__floordiv__",), inplace=True, idunder=("__ifloordiv__",))
def floor_divide(input, other):
    """torch.floor_divide (not differentiable in torch: backward raises)."""
    out, dt = _divide(input, other, "floor")
    return result(out, dt, not_implemented("floor_divide"), NI)


@public("rfloordiv", dunder=("__rfloordiv__",), function=False, method=False)
def _rfloordiv(input: Tensor, other) -> Tensor:
    """Tensor.__rfloordiv__: other // input."""
    return floor_divide(other, input)


@op(dunder=("__mod__",), inplace=True, idunder=("__imod__",))
def remainder(input, other):
    """torch.remainder: Python-style modulus (the sign of the divisor)."""
    x, y, dt = bin_arrays(input, other)
    xp = xp_of(input, other)
    _not_bool(dt, "remainder_cpu")
    real_only(dt, "remainder_cpu")
    if dt.category < 2:
        _check_int_zero(y, dt)
        out = xp.remainder(x, y)
    else:
        # NOTE: fmod-then-fix as torch does; numpy's remainder differs in the sign of zero
        out = xp.fmod(x, y)
        fix = (out != 0) & ((y < 0) != (out < 0))
        out = xp.where(fix, out + y, out)
    if not isinstance(input, Tensor):
        return result(out, dt, not_implemented("remainder"), NI)

    def backward(gy):
        gb = -gy * div(input, other, rounding_mode="floor") if is_tensor_grad(other) else None
        return gy, gb
    return result(out, dt, backward,
                  "RemainderBackward1" if isinstance(other, Tensor) else "RemainderBackward0")


@public("rmod", dunder=("__rmod__",), function=False, method=False)
def _rmod(input: Tensor, other) -> Tensor:
    """Tensor.__rmod__: other % input."""
    return remainder(other, input)


@op(inplace=True)
def fmod(input, other):
    """torch.fmod: C-style remainder (the sign of the dividend)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"fmod(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    x, y, dt = bin_arrays(input, other)
    _not_bool(dt, "fmod_cpu")
    real_only(dt, "fmod_cpu")
    _check_int_zero(y, dt)
    out = xp_of(input, other).fmod(x, y)

    def backward(gy):
        gb = -gy * div(input, other, rounding_mode="trunc") if is_tensor_grad(other) else None
        return gy, gb
    return result(out, dt, backward,
                  "FmodBackward1" if isinstance(other, Tensor) else "FmodBackward0")


@op(dunder=("__neg__",), inplace=True, saves=False)
def neg(input):
    """torch.neg."""
    if input._dtype is D.bool:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If "
                           "you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")
    return -input._array, lambda gy: (-gy,)


@public(dunder=("__pos__",))
def positive(input: Tensor) -> Tensor:
    """torch.positive: returns input itself."""
    if input._dtype is D.bool:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


# ---- pow ------------------------------------------------------------------------------------


def _int_pow(xp, x, y):
    """Integer power with torch's rule for negative exponents (1, +-1 or 0)."""
    if isinstance(y, _np.generic) or not hasattr(y, "shape"):
        return xp.power(x, y)
    negative = y < 0
    if not negative.any():
        return xp.power(x, y)
    r = xp.power(x, xp.where(negative, 0, y))
    odd = (y % 2) != 0
    alt = xp.where(x == 1, 1, xp.where(x == -1, xp.where(odd, -1, 1), 0)).astype(r.dtype)
    return xp.where(negative, alt, r)


def _pow_forward(input, exponent, dt=None):
    x, y, dt = bin_arrays(input, exponent, dt)
    if dt is D.bool:
        if type(exponent) is bool:          # torch allows a bool tensor ** True/False
            xp = xp_of(input)
            return (input._array.copy() if exponent else xp.ones_like(input._array)), dt
        raise NotImplementedError("\"pow\" not implemented for 'Bool'")
    xp = xp_of(input, exponent)
    if dt.category < 2:
        if not isinstance(exponent, Tensor) and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        return _int_pow(xp, x, y), dt
    return xp.power(x, y), dt


def _pow_backward(input, exponent, out, dt):
    def res():
        return out_tensor(out, dt, lambda: pow(input, exponent))

    if not isinstance(input, Tensor):          # scalar ** tensor
        def backward(gy):
            from .compare import where_zero
            g = gy * res() * _log_scalar(input)
            if input == 0:
                g = where_zero(_real_part(exponent) >= 0, g)
            return None, g
        return backward, "PowBackward2"
    if not isinstance(exponent, Tensor):       # tensor ** scalar
        def backward(gy):
            if exponent == 0:
                return (gy * 0,)
            return (gy * (exponent * input.pow(exponent - 1)),)
        return backward, "PowBackward0"

    def backward(gy):
        from .compare import where_zero
        ga = gb = None
        if input._requires_grad:
            ga = where_zero(exponent == 0, gy * (exponent * input.pow(exponent - 1)))
        if exponent._requires_grad:
            from .unary import log
            gb = gy * where_zero((input == 0) & (_real_part(exponent) >= 0), res() * log(input))
        return ga, gb
    return backward, "PowBackward1"


def _real_part(t: Tensor) -> Tensor:
    return t.real if t._dtype.is_complex else t


def _log_scalar(v):
    import math
    if v == 0:
        return -math.inf
    if isinstance(v, complex):
        import cmath
        return cmath.log(v)
    return math.log(v) if v > 0 else math.nan


@op(dunder=("__pow__",), inplace=True, idunder=("__ipow__",))
def pow(input, exponent):
    """torch.pow (tensor or scalar base and exponent)."""
    out, dt = _pow_forward(input, exponent)
    backward, name = _pow_backward(input, exponent, out, dt)
    return result(out, dt, holomorphic(backward, dt), name)


@public("rpow", dunder=("__rpow__",), function=False, method=False)
def _rpow(input: Tensor, other) -> Tensor:
    """Tensor.__rpow__: other ** input."""
    return pow(other, input)


def _float_power_dtype(*xs) -> D.dtype:
    cplx = any((x._dtype.is_complex if isinstance(x, Tensor) else isinstance(x, complex))
               for x in xs)
    return D.complex128 if cplx else D.float64


@public()
def float_power(input, exponent) -> Tensor:
    """torch.float_power: pow computed in float64 (complex128 for complex operands)."""
    dt = _float_power_dtype(input, exponent)
    a = input.to(dt) if isinstance(input, Tensor) else input
    b = exponent.to(dt) if isinstance(exponent, Tensor) else exponent
    return pow(a, b)


def float_power_(self: Tensor, exponent) -> Tensor:
    """Tensor.float_power_: self must already be float64 (or complex128)."""
    dt = _float_power_dtype(self, exponent)
    if self._dtype is not dt:
        raise RuntimeError(f"the base given to float_power_ has dtype {_scalar_name(self._dtype)} "
                           f"but the operation's result requires dtype {_scalar_name(dt)}")
    return self.pow_(exponent.to(dt) if isinstance(exponent, Tensor) else exponent)


register("float_power_", float_power_, function=False)


# ---- aliases ------------------------------------------------------------------------------------


@public(inplace=True)
def subtract(input: Tensor, other, *, alpha=1) -> Tensor:
    """torch.subtract (alias of sub)."""
    return sub(input, other, alpha=alpha)


@public(inplace=True)
def multiply(input: Tensor, other) -> Tensor:
    """torch.multiply (alias of mul)."""
    return mul(input, other)


@public(inplace=True)
def divide(input: Tensor, other, *, rounding_mode=None) -> Tensor:
    """torch.divide (alias of div)."""
    return div(input, other, rounding_mode=rounding_mode)


@public(inplace=True)
def negative(input: Tensor) -> Tensor:
    """torch.negative (alias of neg)."""
    return neg(input)


# ---- fill_, zero_, copy_, clone -----------------------------------------------------------------


def _store(self: Tensor, arr) -> None:
    """Write arr (broadcast, cast) into self's storage and bump the version counter."""
    if self._dtype is _BF16:
        arr = round_bf16(arr.astype(_F32))
    if not getattr(self._array.flags, "writeable", True):
        raise RuntimeError(OVERLAP_MSG)
    if self._array.ndim == 0:
        self._array[()] = arr
    else:
        self._array[...] = arr
    self._vc[0] += 1


def fill_(self: Tensor, value) -> Tensor:
    """Tensor.fill_: set every element to value (a number or a 0-dim tensor)."""
    check_inplace(self)
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError("fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value.ndim} dimensions.")
        v = value._array
    else:
        v = value
    xp = array_module(self._array)
    _store(self, xp.asarray(v).astype(self._array.dtype) if self._dtype.category else
           xp.asarray(bool(v)))
    _record_inplace(self, (self, value), "FillBackward3" if isinstance(value, Tensor)
                    else "FillBackward2", lambda gy: (gy * 0, gy.sum()))
    return self


def zero_(self: Tensor) -> Tensor:
    """Tensor.zero_."""
    check_inplace(self)
    _store(self, array_module(self._array).zeros((), self._array.dtype))
    _record_inplace(self, (self,), "ZeroBackward0", lambda gy: (gy * 0,))
    return self


def copy_(self: Tensor, src: Tensor, non_blocking: bool = False) -> Tensor:
    """Tensor.copy_: broadcast src into self, casting to self's dtype (differentiable wrt src)."""
    check_inplace(self)
    arr = src._array if isinstance(src, Tensor) else _np.asarray(src)
    if type(arr) is not type(self._array) or (type(arr) is not _np.ndarray
                                              and src.device != self.device):
        arr = to_device(arr, self.device)       # copy_ is the one op that crosses devices
    if arr.shape != self._array.shape:
        try:
            array_module(arr).broadcast_to(arr, self._array.shape)
        except ValueError:
            from ._registry import broadcast_error
            raise broadcast_error([self._array.shape, arr.shape]) or RuntimeError(
                f"output with shape {list(self._array.shape)} doesn't match the broadcast "
                f"shape {list(arr.shape)}") from None
    if arr.dtype.kind == "c" and self._array.dtype.kind != "c":
        arr = arr.real
    _store(self, arr.astype(self._array.dtype, copy=False))
    _record_inplace(self, (self, src), "torch::autograd::CopyBackwards", lambda gy: (gy * 0, gy))
    return self


def _record_inplace(self: Tensor, inputs, name: str, backward) -> None:
    if not GRAD_ENABLED[0] or not (self._dtype.is_floating_point or self._dtype.is_complex):
        return
    if any(is_tensor_grad(a) for a in inputs):
        _record(self, backward, inputs, name)
        if getattr(self, "_view_of", None) is not None or \
                getattr(self, "_view_fn", None) is not None:
            # the view's bases take the new history too
            from .shape import rebase_views
            rebase_views(self)


Tensor.__rdiv__ = Tensor.__rtruediv__        # torch keeps the Python 2 names
Tensor.__idiv__ = Tensor.__itruediv__
register("fill_", fill_, function=False)
register("zero_", zero_, function=False)
register("copy_", copy_, function=False)


@op(saves=False)
def clone(input, *, memory_format=None):
    """torch.clone."""
    return input._array.copy(), lambda gy: (gy,)
