"""torch.special: aliases of ember ops plus functions of its own (xlog1py, sinc, entr, ndtr,
ndtri, log_ndtr, i0, i1, i0e, i1e). The new ones compute in float64 on raw arrays (integers and
bool promote to the default float dtype) and cast back; their backward uses ember ops, so
create_graph works. Other torch.special names raise NotImplementedError naming them.
"""

from __future__ import annotations

import math

import numpy as _np

from . import _dtype as D
from . import (
    digamma,
    erf,
    erfc,
    erfinv,
    exp2,
    expm1,
    log1p,
    logit,
    logsumexp,
    polygamma,
    round,  # noqa: A004 (torch.special.round)
    xlogy,
)
from . import lgamma as gammaln
from . import mvlgamma as multigammaln
from . import sigmoid as expit
from .compat import module_getattr
from .ops import _special as _S
from .ops._registry import _scalar_name, make_dispatcher
from .ops._util import xp_of

psi = digamma

__all__ = ["expit", "logit", "erf", "erfc", "erfinv", "exp2", "expm1", "log1p", "logsumexp",
           "softmax", "log_softmax", "gammaln", "digamma", "psi", "polygamma", "multigammaln",
           "xlogy", "xlog1py", "sinc", "round", "i0", "i1", "i0e", "i1e", "entr", "ndtr", "ndtri",
           "log_ndtr"]

_F64 = _np.dtype(_np.float64)
_SQRT1_2 = math.sqrt(0.5)
_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


def _ember():
    import ember
    return ember


# torch names missing here raise NotImplementedError naming torch.special.<name>
__getattr__ = module_getattr("torch.special", __name__)


def softmax(input, dim, *, dtype=None):
    """torch.special.softmax"""
    return _ember().softmax(input, dim, dtype=dtype)


def log_softmax(input, dim, *, dtype=None):
    """torch.special.log_softmax"""
    return _ember().log_softmax(input, dim, dtype=dtype)


# ---- float64 primitives -----------------------------------------------------------------------
def _out_dtype(x, kernel: str):
    dt = x._dtype
    if dt.is_complex:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_scalar_name(dt)}'")
    return D.get_default_dtype() if dt.category < 2 else dt


def _unary(name: str, kernel: str, forward, backward):
    """A primitive: forward(xp, x64, dtype) -> float64 array; backward(grad, input) -> Tensor (it
    recomputes the result with ember ops when it needs it: double backward stays right)."""
    def fn(input):
        dt = _out_dtype(input, kernel)
        xp = xp_of(input)
        with _np.errstate(all="ignore"):
            out = forward(xp, input._array.astype(_F64), dt).astype(dt.np)

        def bw(g):
            return (backward(g, input),)
        return out, bw, {"dtype": dt}
    return make_dispatcher(fn, name)


def _ndtr_np(xp, x):
    y = x * _SQRT1_2
    z = xp.abs(y)
    t = 0.5 * _S.erfc(xp, z)
    return xp.where(z < _SQRT1_2, 0.5 + 0.5 * _S.erf(xp, y), xp.where(y > 0, 1 - t, t))


def _log_ndtr_np(xp, x):
    # x < -1: log(erfc(-x / sqrt2) / 2), with the asymptotic series once erfc underflows
    xn = xp.minimum(x, -1.0)
    tail = xp.log(0.5 * _S.erfc(xp, -xn * _SQRT1_2))
    xa = xp.minimum(x, -30.0)
    r = 1.0 / (xa * xa)
    asym = (-0.5 * xa * xa - xp.log(-xa) - _LOG_SQRT_2PI
            + xp.log1p(r * (-1 + r * (3 - r * (15 - r * 105)))))
    tail = xp.where(x < -30, asym, tail)
    return xp.where(x < -1, tail, xp.log1p(-0.5 * _S.erfc(xp, x * _SQRT1_2)))


def _ndtri_np(xp, p):
    # sqrt2 * erfinv(2p - 1), or Abramowitz-Stegun 26.2.23 in the far tails, refined by Newton
    # steps on log ndtr(+-x) (accurate in both tails)
    x = math.sqrt(2.0) * _S.erfinv(xp, 2 * p - 1)
    ok = (p > 0) & (p < 1)
    lo = p < 0.5
    pp = xp.where(ok, p, 0.5)
    q = xp.where(lo, pp, 1 - pp)
    t = xp.sqrt(-2 * xp.log(q))
    tail = t - (2.515517 + t * (0.802853 + t * 0.010328)) / (
        1 + t * (1.432788 + t * (0.189269 + t * 0.001308)))
    x = xp.where(ok & ((q < 1e-8) | ~xp.isfinite(x)), xp.where(lo, -tail, tail), x)
    for _ in range(3):
        xs = xp.where(ok, x, 0.0)
        ln = xp.where(lo, _log_ndtr_np(xp, xs), _log_ndtr_np(xp, -xs))
        f = ln - xp.where(lo, xp.log(pp), xp.log1p(-pp))
        # d/dx log ndtr(+-x) = +-pdf(x) / ndtr(+-x)
        d = xp.exp(-0.5 * xs * xs - _LOG_SQRT_2PI - ln) * xp.where(lo, 1.0, -1.0)
        x = xp.where(ok, xs - f / d, x)
    return x


def _i_series(xp, x, order: int, dt):
    """Modified Bessel I0 / I1 by their power series (all terms positive: no cancellation).
    Like torch's Cephes kernels: inf once exp(|x|) overflows the dtype, nan at +-inf."""
    ax = xp.abs(x)
    big = ax > math.log(float(_np.finfo(dt.np).max))
    ax = xp.where(big | xp.isnan(ax), 0.0, ax)
    q = 0.25 * ax * ax
    term = xp.ones_like(ax) if order == 0 else 0.5 * ax
    total = term.copy()
    k = 0
    while True:
        k += 1
        term = term * q / (k * (k + order))
        total = total + term
        if not (term > 1e-17 * total).any() or k > 2000:
            break
    if order == 1:
        total = xp.where(x < 0, -total, total)
    total = xp.where(big, _np.inf if order == 0 else xp.sign(x) * _np.inf, total)
    return xp.where(xp.isnan(x) | xp.isinf(x), _np.nan, total)


def _i_scaled(xp, x, order: int):
    """exp(-|x|) * I0 / I1: the series times exp(-|x|) up to |x| = 50, then the asymptotic
    expansion e^x / sqrt(2 pi x) * sum_k (-1)^k prod_j (4 nu^2 - (2j - 1)^2) / (k! (8x)^k)."""
    ax = xp.abs(x)
    small = xp.where(ax <= 50, ax, 0.0)
    series = _i_series(xp, small, order, D.float64) * xp.exp(-small)
    if order == 1:
        series = xp.abs(series)
    big = xp.where(ax > 50, ax, 100.0)
    term = xp.ones_like(big)
    total = term.copy()
    mu = 4.0 * order * order
    for k in range(1, 40):
        term = term * -(mu - (2 * k - 1) ** 2) / (k * 8.0 * big)
        total = total + term
    asym = total / xp.sqrt(2 * math.pi * big)
    with _np.errstate(all="ignore"):
        res = xp.where(ax <= 50, series, xp.where(xp.isinf(ax), 0.0, asym))
    if order == 1:
        res = xp.where(x < 0, -res, res)
    return xp.where(xp.isnan(x), _np.nan, res)


def _pdf(x):
    return (-0.5 * x * x - _LOG_SQRT_2PI).exp()


ndtr = _unary("special_ndtr", "ndtr", lambda xp, x, dt: _ndtr_np(xp, x), lambda g, x: g * _pdf(x))
log_ndtr = _unary("special_log_ndtr", "log_ndtr", lambda xp, x, dt: _log_ndtr_np(xp, x),
                  lambda g, x: g * (-0.5 * x * x - _LOG_SQRT_2PI - log_ndtr(x)).exp())
ndtri = _unary("special_ndtri", "ndtri", lambda xp, x, dt: _ndtri_np(xp, x),
               lambda g, x: g * (0.5 * ndtri(x) ** 2 + _LOG_SQRT_2PI).exp())
entr = _unary("special_entr", "entr",
              lambda xp, x, dt: xp.where(x > 0, -x * xp.log(xp.where(x > 0, x, 1.0)),
                                     xp.where(x == 0, 0.0, xp.where(x < 0, -_np.inf, x))),
              lambda g, x: g * -(1 + x.log()))
i0 = _unary("special_i0", "i0", lambda xp, x, dt: _i_series(xp, x, 0, dt), lambda g, x: g * i1(x))


def _i1_grad(g, x):
    e = _ember()
    safe = e.where(x == 0, e.ones_like(x), x)
    return g * e.where(x == 0, e.full_like(x, 0.5), i0(x) - i1(x) / safe)


i1 = _unary("special_i1", "i1", lambda xp, x, dt: _i_series(xp, x, 1, dt), _i1_grad)


i0e = _unary("special_i0e", "i0e", lambda xp, x, dt: _i_scaled(xp, x, 0),
            lambda g, x: g * (i1e(x) - x.sign() * i0e(x)))


def _i1e_grad(g, x):
    e = _ember()
    safe = e.where(x == 0, e.ones_like(x), x)
    return g * e.where(x == 0, e.full_like(x, 0.5), i0e(x) - i1e(x) * (x.sign() + 1 / safe))


i1e = _unary("special_i1e", "i1e", lambda xp, x, dt: _i_scaled(xp, x, 1), _i1e_grad)


def sinc(input):
    """torch.special.sinc: sin(pi x) / (pi x), 1 at 0."""
    e = _ember()
    x = input if input.dtype.is_floating_point or input.dtype.is_complex else \
        input.to(D.get_default_dtype())
    zero = x == 0
    px = e.where(zero, e.ones_like(x), x) * math.pi
    return e.where(zero, e.ones_like(x), px.sin() / px)


def xlog1py(input, other):
    """torch.special.xlog1py: input * log1p(other), 0 where input == 0 (unless other is nan)."""
    e = _ember()
    if not isinstance(input, e.Tensor):
        input = e.tensor(input, dtype=other.dtype if other.dtype.is_floating_point else None)
    if not isinstance(other, e.Tensor):
        other = e.tensor(other, dtype=input.dtype if input.dtype.is_floating_point else None)
    dt = e.result_type(input, other)
    if not (dt.is_floating_point or dt.is_complex):
        dt = D.get_default_dtype()
    x, y = input.to(dt), other.to(dt)
    lg = y.log1p()
    lg = e.where((x == 0) & (y <= -1), e.zeros_like(lg), lg)
    return x * lg
