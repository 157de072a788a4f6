"""Unary elementwise math: exp/log family, trig, erf, rounding, abs/sign, predicates, relu..."""

from __future__ import annotations

import builtins
import math

import numpy as _np

from .. import _dtype as D
from .._tensor import Tensor, _new
from ..autograd.grad_mode import GRAD_ENABLED
from ..autograd.graph import version_error
from . import _special
from ._registry import _scalar_name, make_dispatcher, op, public, register
from ._util import xp_of
from .compare import logical_and, logical_not, logical_or, where_zero
from .elementwise import out_tensor, pow, result

_F16 = D.float16
_F32 = _np.dtype(_np.float32)
_F64 = _np.dtype(_np.float64)


def _float_in(input: Tensor):
    """(array, dtype): integer/bool inputs as the default float; float16 computed in float32."""
    dt = input._dtype
    x = input._array
    if dt.category < 2:
        dt = D.get_default_dtype()
        x = x.astype(_F32 if dt is _F16 else dt.np)
    elif dt is _F16:
        x = x.astype(_F32)
    return x, dt


def _float_op(name: str, fwd, grad, grad_name: str | None = None, aliases=(), real=None,
              saves_result: bool = False):
    """Register a float-valued unary op: fwd(xp, x) -> array; grad(gy, input, res) -> grad,
    where res() gives the op's result as a Tensor; real(dt) raises torch's complex error;
    saves_result: grad reads res() (torch saves the result: modifying it in place raises)."""
    def prim(input):
        if real is not None and input._dtype.is_complex:
            real(input._dtype)
        x, dt = _float_in(input)
        out = fwd(xp_of(input), x)
        v0 = input._vc[0]

        def backward(gy):
            if saves_result and GRAD_ENABLED[0] and input._vc[0] != v0:
                # create_graph recomputes the result from the input, which has changed
                raise version_error(input, v0)
            res = lambda: out_tensor(out, dt, lambda: public_fn(input))  # noqa: E731
            if dt.is_complex:       # holomorphic: grad * conj(f'(z)) = conj(conj(grad) * f'(z))
                return (grad(gy.conj(), input, res).conj(),)
            return (grad(gy, input, res),)
        # a result-only gradient saves the result alone (as torch): the input may change later
        return result(out, dt, backward, grad_name, saves_result, saved_in=not saves_result)
    prim.__name__ = name
    prim.__doc__ = f"torch.{name}."
    public_fn = op(name, inplace=True)(prim)
    for a in aliases:
        public(a, inplace=True)(public_fn)
    return public_fn


def _no_kernel(kernel: str):
    def check(dt):
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_scalar_name(dt)}'")
    return check


def _complex_runtime(name: str):
    def check(dt):
        raise RuntimeError(f"{name} is not supported for complex tensors.")
    return check


_LN2, _LN10 = math.log(2.0), math.log(10.0)
_ERF_C = 2.0 / math.sqrt(math.pi)

_RES = {"saves_result": True}
exp = _float_op("exp", lambda xp, x: xp.exp(x), lambda gy, x, r: gy * r(), **_RES)
exp2 = _float_op("exp2", lambda xp, x: xp.exp2(x), lambda gy, x, r: gy * r() * _LN2, **_RES)
expm1 = _float_op("expm1", lambda xp, x: xp.expm1(x), lambda gy, x, r: gy * (r() + 1), **_RES)
log = _float_op("log", lambda xp, x: xp.log(x), lambda gy, x, r: gy / x)
log1p = _float_op("log1p", lambda xp, x: xp.log1p(x), lambda gy, x, r: gy / (x + 1),
                  "Log1PBackward0")
log2 = _float_op("log2", lambda xp, x: xp.log2(x), lambda gy, x, r: gy / (x * _LN2))
log10 = _float_op("log10", lambda xp, x: xp.log10(x), lambda gy, x, r: gy / (x * _LN10))
sqrt = _float_op("sqrt", lambda xp, x: xp.sqrt(x), lambda gy, x, r: gy / (2 * r()), **_RES)
rsqrt = _float_op("rsqrt", lambda xp, x: 1 / xp.sqrt(x), lambda gy, x, r: -0.5 * gy * r() ** 3,
                  **_RES)
sin = _float_op("sin", lambda xp, x: xp.sin(x), lambda gy, x, r: gy * x.cos())
cos = _float_op("cos", lambda xp, x: xp.cos(x), lambda gy, x, r: gy * -x.sin())
tan = _float_op("tan", lambda xp, x: xp.tan(x), lambda gy, x, r: gy * (1 + r() ** 2), **_RES)
asin = _float_op("asin", lambda xp, x: xp.arcsin(x),
                 lambda gy, x, r: gy * (1 - x * x).rsqrt(), aliases=("arcsin",))
acos = _float_op("acos", lambda xp, x: xp.arccos(x),
                 lambda gy, x, r: -gy * (1 - x * x).rsqrt(), aliases=("arccos",))
atan = _float_op("atan", lambda xp, x: xp.arctan(x), lambda gy, x, r: gy / (x * x + 1),
                 aliases=("arctan",))
sinh = _float_op("sinh", lambda xp, x: xp.sinh(x), lambda gy, x, r: gy * x.cosh())
cosh = _float_op("cosh", lambda xp, x: xp.cosh(x), lambda gy, x, r: gy * x.sinh())
tanh = _float_op("tanh", lambda xp, x: xp.tanh(x), lambda gy, x, r: gy * (1 - r() ** 2),
                 **_RES)
asinh = _float_op("asinh", lambda xp, x: xp.arcsinh(x),
                  lambda gy, x, r: gy * (x * x + 1).rsqrt(), aliases=("arcsinh",))
acosh = _float_op("acosh", lambda xp, x: xp.arccosh(x),
                  lambda gy, x, r: gy * (x * x - 1).rsqrt(), aliases=("arccosh",))
atanh = _float_op("atanh", lambda xp, x: xp.arctanh(x), lambda gy, x, r: gy / (1 - x * x),
                  aliases=("arctanh",))
sigmoid = _float_op("sigmoid", lambda xp, x: _sigmoid(xp, x),
                    lambda gy, x, r: gy * ((1 - r()) * r()), **_RES)
deg2rad = _float_op("deg2rad", lambda xp, x: x * x.dtype.type(math.pi / 180),
                    lambda gy, x, r: gy * (math.pi / 180), "Deg2RadBackward0",
                    real=_complex_runtime("deg2rad"))
rad2deg = _float_op("rad2deg", lambda xp, x: x * x.dtype.type(180 / math.pi),
                    lambda gy, x, r: gy * (180 / math.pi), "Rad2DegBackward0",
                    real=_complex_runtime("rad2deg"))
reciprocal = _float_op("reciprocal", lambda xp, x: 1 / x, lambda gy, x, r: -gy * (r() * r()),
                       **_RES)
erf = _float_op("erf", lambda xp, x: _in_f64(_special.erf, xp, x),
                lambda gy, x, r: gy * (_ERF_C * (-x * x).exp()), real=_no_kernel("erf_vml_cpu"))
erfc = _float_op("erfc", lambda xp, x: _in_f64(_special.erfc, xp, x),
                 lambda gy, x, r: gy * (-_ERF_C * (-x * x).exp()),
                 real=_no_kernel("erfc_vml_cpu"))
erfinv = _float_op("erfinv", lambda xp, x: _in_f64(_special.erfinv, xp, x),
                   lambda gy, x, r: gy * (0.5 * math.sqrt(math.pi) * (r() ** 2).exp()),
                   real=_no_kernel("erfinv_vml_cpu"), **_RES)


def _sigmoid(xp, x):
    # 1 / (1 + exp(-x)) overflows harmlessly to 0 for very negative x; torch gives the same
    return 1 / (1 + xp.exp(-x))


def _in_f64(f, xp, x):
    return f(xp, x.astype(_F64)).astype(x.dtype)


@op(inplace=True)
def logit(input, eps=None):
    """torch.logit: log(p / (1 - p)), p clamped to [eps, 1 - eps] when eps is given."""
    if input._dtype.is_complex:
        _no_kernel("logit_cpu")(input._dtype)
    x, dt = _float_in(input)
    xp = xp_of(input)
    if eps is not None:
        x = xp.clip(x, eps, 1 - eps)
    out = xp.log(x / (1 - x))

    def backward(gy):
        g = gy / (input * (1 - input))
        if eps is None:
            # torch: nan outside [0, 1]
            inside = logical_and(input >= 0, input <= 1)
            return (g + where_zero(inside, g * math.nan),)
        return (where_zero(logical_or(input < eps, input > 1 - eps), g),)
    return result(out, dt, backward)


# ---- ops that keep integer dtypes --------------------------------------------------------------


def _no_bool(input: Tensor, kernel: str) -> None:
    if input._dtype is D.bool:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


@op(inplace=True, dunder=("__abs__",))
def abs(input):
    """torch.abs."""
    _no_bool(input, "abs_cpu")
    return result(xp_of(input).abs(input._array), input._dtype.to_real(),
                  lambda gy: (gy * input.sgn(),))


_abs_inplace = Tensor.abs_


def abs_(self: Tensor) -> Tensor:
    """Tensor.abs_ (the complex case has no in-place form in torch)."""
    if self._dtype.is_complex:
        raise RuntimeError("In-place abs is not supported for complex tensors.")
    return _abs_inplace(self)


register("abs_", abs_, function=False)


@public(inplace=True)
def absolute(input: Tensor) -> Tensor:
    """torch.absolute (alias of abs)."""
    return abs(input)


@op(inplace=True)
def sign(input):
    """torch.sign (zero gradient)."""
    if input._dtype.is_complex:
        raise NotImplementedError("Unlike NumPy, torch.sign is not intended to support complex "
                                  "numbers. Please use torch.sgn instead.")
    return result(_real_sign(input), input._dtype, lambda gy: (gy * 0,))


def _real_sign(input: Tensor):
    x = input._array
    if input._dtype is D.bool:
        return x.copy()
    if input._dtype.category < 2:
        return xp_of(input).sign(x)
    # NOTE: torch's (0 < x) - (x < 0): sign(nan) is 0, not numpy's nan
    return (x > 0).astype(x.dtype) - (x < 0).astype(x.dtype)


@op(inplace=True)
def sgn(input):
    """torch.sgn: sign for real inputs, z / |z| for complex ones."""
    x = input._array
    xp = xp_of(input)
    if input._dtype.is_complex:
        a = xp.abs(x)
        out = xp.where(a == 0, 0, x / xp.where(a == 0, 1, a))

        def backward(gy):
            # s = z/|z|: grad = i s Im(conj(s) gy) / |z| (0 at z = 0), torch's sgn_backward
            z_abs = input.abs()
            s = input.sgn()
            g = (s.conj() * gy).imag * 1j * s / z_abs
            return (where_zero(z_abs == 0, g),)
        return result(out, input._dtype, backward)
    out = _real_sign(input)
    return result(out, input._dtype, lambda gy: (gy * 0,))


def _rounding(name: str, ufunc: str):
    def prim(input):
        _no_bool(input, f"{ufunc}_vml_cpu")
        if input._dtype.is_complex:
            raise NotImplementedError(f"{name} is not supported for complex inputs")
        x = input._array
        out = x.copy() if input._dtype.category < 2 else getattr(xp_of(input), ufunc)(x)
        return result(out, input._dtype, lambda gy: (gy * 0,))
    prim.__name__ = name
    prim.__doc__ = f"torch.{name} (zero gradient; integer inputs are returned unchanged)."
    return op(name, inplace=True)(prim)


floor = _rounding("floor", "floor")
ceil = _rounding("ceil", "ceil")
trunc = _rounding("trunc", "trunc")


@public(inplace=True)
def fix(input: Tensor) -> Tensor:
    """torch.fix (alias of trunc)."""
    return trunc(input)


@op(inplace=True)
def round(input, *, decimals=0):
    """torch.round: half to even; decimals scales by 10**decimals first, as torch does."""
    _no_bool(input, "round_cpu")
    if input._dtype.is_complex:
        _no_kernel("round_vml_cpu")(input._dtype)
    x = input._array
    xp = xp_of(input)
    dt = input._dtype
    if decimals == 0:
        out = x.copy() if dt.category < 2 else xp.rint(x)
        return result(out, dt, lambda gy: (gy * 0,))
    if dt.category < 2:
        raise NotImplementedError(f"\"round_cpu\" not implemented for '{_scalar_name(dt)}'")
    xc = x.astype(_F32) if dt is _F16 else x
    f = xc.dtype.type(10.0 ** builtins.abs(decimals))
    out = xp.rint(xc / f) * f if decimals < 0 else xp.rint(xc * f) / f
    return result(out, dt, lambda gy: (gy * 0,), "RoundBackward1")


@op(inplace=True)
def frac(input):
    """torch.frac: input - trunc(input)."""
    if input._dtype.category < 2 or input._dtype.is_complex:
        _no_kernel("frac_cpu")(input._dtype)
    x = input._array
    return result(x - xp_of(input).trunc(x), input._dtype, lambda gy: (gy,))


_ZEROS: dict = {}     # NumPy dtype -> its scalar 0 (relu)


@op(inplace=True)
def relu(input):
    """torch.relu (gradient 0 at 0)."""
    if input._dtype is D.bool:
        raise RuntimeError("Boolean inputs not supported for relu")
    if input._dtype.is_complex:
        raise NotImplementedError("clamp is not supported for complex types")
    x = input._array
    if type(x) is _np.ndarray:
        zero = _ZEROS.get(x.dtype)
        if zero is None:
            zero = _ZEROS[x.dtype] = x.dtype.type(0)
        out = _np.maximum(x, zero)
    else:
        out = xp_of(input).maximum(x, x.dtype.type(0))

    def backward(gy):
        # torch's threshold_backward: zero where result <= 0 (so nan passes the gradient); the
        # result alone is read and saved, as torch (the input may change in place later)
        return (where_zero(_new(out <= 0), gy),)
    return result(out, input._dtype, backward, saved_out=True, saved_in=False)


@public(inplace=True)
def square(input: Tensor) -> Tensor:
    """torch.square (pow(input, 2): bool gives int64, as in torch)."""
    return pow(input, 2)


@op(inplace=True)
def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    """torch.nan_to_num (posinf/neginf default to the dtype's largest finite values)."""
    dt = input._dtype
    x = input._array
    if dt.category < 2:
        return result(x.copy(), dt, lambda gy: (gy * 0,))
    xp = xp_of(input)
    if dt.is_complex:
        re = nan_to_num(_new(x.real.copy()), nan, posinf, neginf)._array
        im = nan_to_num(_new(x.imag.copy()), nan, posinf, neginf)._array
        return result(re + 1j * im, dt)
    big = D.finfo(dt).max
    npt = x.dtype.type
    out = xp.where(xp.isnan(x), npt(nan), x)
    out = xp.where(xp.isposinf(x), npt(big if posinf is None else posinf), out)
    out = xp.where(xp.isneginf(x), npt(-big if neginf is None else neginf), out)

    def backward(gy):
        return (where_zero(logical_not(isfinite(input)), gy),)
    return result(out, dt, backward)


# ---- predicates (bool results) -----------------------------------------------------------------


def _real_only(x, name: str):
    if x.dtype.kind == "c":
        raise RuntimeError(f"{name} does not support complex inputs.")
    return x


def _predicate(name: str, f):
    def prim(input):
        x = input._array
        if input._dtype.category < 2:
            return f(None, xp_of(input), x)
        return f(True, xp_of(input), x)
    prim.__name__ = name
    prim.__doc__ = f"torch.{name} (a bool tensor)."
    return op(name)(prim)


isnan = _predicate("isnan", lambda fl, xp, x: xp.isnan(x) if fl else xp.zeros(x.shape, bool))
isinf = _predicate("isinf", lambda fl, xp, x: xp.isinf(x) if fl else xp.zeros(x.shape, bool))
isposinf = _predicate("isposinf",
                      lambda fl, xp, x: xp.isposinf(_real_only(x, "isposinf")) if fl
                      else xp.zeros(x.shape, bool))
isneginf = _predicate("isneginf",
                      lambda fl, xp, x: xp.isneginf(_real_only(x, "isneginf")) if fl
                      else xp.zeros(x.shape, bool))
isfinite = _predicate("isfinite",
                      lambda fl, xp, x: xp.isfinite(x) if fl else xp.ones(x.shape, bool))
isreal = _predicate("isreal", lambda fl, xp, x: (x.imag == 0) if x.dtype.kind == "c"
                    else xp.ones(x.shape, bool))
signbit = _predicate("signbit", lambda fl, xp, x: _signbit(xp, x))


def _signbit(xp, x):
    if x.dtype.kind == "c":
        raise NotImplementedError("signbit is not implemented for complex tensors.")
    return xp.signbit(x) if x.dtype.kind != "b" else xp.zeros(x.shape, bool)


# ---- complex parts: conj, conj_physical, resolve_conj/resolve_neg, real, imag, angle
# NOTE: torch's conj() is a lazy view with a conjugate bit; ember conjugates eagerly (a copy),
# so is_conj() is always False and resolve_conj() has nothing to resolve.

def _conj_prim(input):
    return xp_of(input).conj(input._array), lambda gy: (gy.conj(),)


def _conj_physical_prim(input):
    return (xp_of(input).conj(input._array), lambda gy: (gy.conj(),),
            {"name": "ConjPhysicalBackward0"})


_conj = make_dispatcher(_conj_prim, "conj", saves=False)
_conj_physical = make_dispatcher(_conj_physical_prim, "conj_physical", saves=False)


@public()
def conj(input: Tensor) -> Tensor:
    """torch.conj: the complex conjugate (input itself for real tensors)."""
    return _conj(input) if input._dtype.is_complex else input


@public(inplace=True)
def conj_physical(input: Tensor) -> Tensor:
    """torch.conj_physical: conj, materialised (input itself for real tensors)."""
    return _conj_physical(input) if input._dtype.is_complex else input


@public()
def resolve_conj(input: Tensor) -> Tensor:
    """torch.resolve_conj: ember's conj is never lazy, so the input itself."""
    return input


@public()
def resolve_neg(input: Tensor) -> Tensor:
    """torch.resolve_neg: ember has no lazy negation, so the input itself."""
    return input


@public()
def is_conj(input: Tensor) -> bool:
    """torch.is_conj: False (ember never sets a lazy conjugate bit)."""
    return False


@public()
def is_neg(input: Tensor) -> bool:
    """torch.is_neg: False (ember never sets a lazy negative bit)."""
    return False


_SELECT = {"name": "SelectBackward0"}


def _real_prim(input):
    # numpy's .real of a complex array is a view: real(z) aliases z like torch's
    return input._array.real, lambda gy: (gy,), _SELECT


def _imag_prim(input):
    return input._array.imag, lambda gy: (gy * 1j,), _SELECT


_real = make_dispatcher(_real_prim, "real", saves=False, view=True)
_imag = make_dispatcher(_imag_prim, "imag", saves=False, view=True)


@public(method=False)
def real(input: Tensor) -> Tensor:
    """torch.real / Tensor.real: the real part, a view (input itself for real tensors)."""
    return _real(input) if input._dtype.is_complex else input


@public(method=False)
def imag(input: Tensor) -> Tensor:
    """torch.imag / Tensor.imag: the imaginary part, a view (complex tensors only)."""
    if not input._dtype.is_complex:
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return _imag(input)


Tensor.real = property(real)
Tensor.imag = property(imag)


@op()
def angle(input):
    """torch.angle: the argument of complex values; pi for negative reals, 0 otherwise."""
    xp = xp_of(input)
    if input._dtype.is_complex:
        out = xp.angle(input._array)

        def backward(gy):
            a2 = input.abs() ** 2
            return (where_zero(a2 == 0, gy * 1j * input / a2),)
        return result(out, input._dtype.to_real(), backward)
    x, dt = _float_in(input)
    out = xp.where(x < 0, math.pi, xp.where(xp.isnan(x), x, 0)).astype(x.dtype)
    return result(out, dt, lambda gy: (gy * 0,))


@op(method=False, view=True, saves=False)
def view_as_real(input):
    """torch.view_as_real: a complex tensor's (real, imag) pairs as a float view (..., 2)."""
    if not input._dtype.is_complex:
        raise RuntimeError("view_as_real is only supported for complex tensors")
    x = input._array
    return x[..., None].view(x.real.dtype), lambda gy: (view_as_complex(gy.contiguous()),)


@op(method=False, view=True, saves=False)
def view_as_complex(input):
    """torch.view_as_complex: float (..., 2) pairs as a complex view."""
    dt = input._dtype
    if dt not in (D.float16, D.float32, D.float64):
        raise RuntimeError("view_as_complex is only supported for half, float and double "
                           f"tensors, but got a tensor of scalar type: {_scalar_name(dt)}")
    x = input._array
    if x.ndim == 0 or x.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    if x.strides[-1] != x.itemsize:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if dt is D.float16:
        raise NotImplementedError("view_as_complex: complex32 (ComplexHalf) is not supported")
    return x.view(_np.complex64 if dt is D.float32 else _np.complex128)[..., 0], \
        lambda gy: (view_as_real(gy),)
