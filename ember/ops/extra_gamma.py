"""The gamma family without scipy: lgamma (Lanczos, a series near 1 and 2), digamma
(recurrence + asymptotic series), polygamma (Hurwitz zeta by Euler-Maclaurin)."""

from __future__ import annotations

import math

import numpy as _np

from .. import _dtype as D
from .._tensor import Tensor
from ._registry import _scalar_name, op, public
from ._util import xp_of
from .elementwise import result
from .unary import _float_op

_F64 = _np.dtype(_np.float64)


# ---- lgamma / digamma / polygamma ---------------------------------------------------------------
_LANCZOS_G = 7.0
_LANCZOS = (0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012,
            9.9843695780195716e-6, 1.5056327351493116e-7)
_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)
_B2K = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510)


def _lgamma_pos(xp, x):
    """log Gamma(x) for x >= 0.5 (Lanczos, g = 7, n = 9); Stirling for large x."""
    z = x - 1
    s = xp.full_like(z, _LANCZOS[0])
    for i in range(1, 9):
        s = s + _LANCZOS[i] / (z + i)
    t = z + _LANCZOS_G + 0.5
    lanczos = _HALF_LOG_2PI + (z + 0.5) * xp.log(t) - t + xp.log(s)
    big = x > 1e6
    if big.any():
        xb = xp.where(big, x, 1e6)
        inv = 1 / xb
        st = (xb - 0.5) * xp.log(xb) - xb + _HALF_LOG_2PI + inv / 12 - inv ** 3 / 360
        lanczos = xp.where(big, st, lanczos)
    return lanczos


def _zeta_minus_one(k: int) -> float:
    """zeta(k) - 1 = sum_{m >= 2} m^-k (explicit terms, then the Euler-Maclaurin tail)."""
    a = 20.0
    tail = a ** (1 - k) / (k - 1) + 0.5 * a ** -k
    fact, p = float(k), a ** (-k - 1)
    for j, b in enumerate(_B2K, start=1):
        tail += b / math.factorial(2 * j) * fact * p
        fact *= (k + 2 * j - 1) * (k + 2 * j)
        p /= a * a
    return math.fsum([m ** -float(k) for m in range(2, 20)]) + tail


_EULER = 0.57721566490153286061
# lgamma(2 + z) = (1 - gamma) z + sum_{k >= 2} (-1)^k (zeta(k) - 1) / k z^k, |z| <= 0.5
_LG2 = tuple((-1) ** k * _zeta_minus_one(k) / k for k in range(2, 50))


def _lgamma_near2(xp, z):
    acc = xp.zeros_like(z)
    for c in reversed(_LG2):
        acc = (acc + c) * z
    return (acc + (1 - _EULER)) * z


def _lgamma(xp, x):
    x = x.astype(_F64)
    with _np.errstate(all="ignore"):
        refl = x < 0.5
        xr = xp.where(refl, 1 - x, x)
        out = _lgamma_pos(xp, xr)
        # near the zeros at 1 and 2 the Lanczos sum loses relative accuracy: a series at 2
        near = xr < 2.5
        if near.any():
            lo = xr < 1.5
            z = xp.where(near, xr - xp.where(lo, 1.0, 2.0), 0.0)      # exact (Sterbenz)
            ser = _lgamma_near2(xp, z) - xp.where(near & lo, xp.log(xr), 0.0)
            out = xp.where(near, ser, out)
        # Gamma(x) Gamma(1 - x) = pi / sin(pi x); sin(pi x) from x's distance to an integer
        s = xp.abs(xp.sin(math.pi * (x - xp.round(x))))
        out = xp.where(refl, math.log(math.pi) - xp.log(s) - out, out)
        out = xp.where(refl & (x == xp.floor(x)), math.inf, out)
        out = xp.where(xp.isinf(x), math.inf, out)
    return out


def _zeta_shift(xp, x, n: int):
    """sum_{k >= 0} 1 / (x + k)^(n + 1) for n >= 1 (Hurwitz zeta): explicit terms until x + k
    >= 16, then the Euler-Maclaurin tail."""
    s = n + 1
    acc = xp.zeros_like(x)
    a = x.copy()
    for _ in range(100000):        # negative x (n >= 2) walks up to 16 term by term
        small = a < 16
        if not small.any():
            break
        acc = acc + xp.where(small, a ** -s, 0.0)
        a = xp.where(small, a + 1, a)
    tail = a ** (1 - s) / (s - 1) + 0.5 * a ** -s
    fact = float(s)       # (s)_(2j-1) / (2j)!
    term_pow = a ** (-s - 1)
    for j, b in enumerate(_B2K, start=1):
        tail = tail + b / math.factorial(2 * j) * fact * term_pow
        fact *= (s + 2 * j - 1) * (s + 2 * j)
        term_pow = term_pow / (a * a)
    return acc + tail


def _digamma(xp, x):
    x = x.astype(_F64)
    with _np.errstate(all="ignore"):
        refl = x < 0.5
        xr = xp.where(refl, 1 - x, x)
        acc = xp.zeros_like(xr)
        a = xr.copy()
        for _ in range(16):
            small = a < 16
            if not small.any():
                break
            acc = acc - xp.where(small, 1 / a, 0.0)
            a = xp.where(small, a + 1, a)
        inv2 = 1 / (a * a)
        series = xp.zeros_like(a)
        p = inv2
        for k, b in enumerate(_B2K, start=1):
            series = series + b / (2 * k) * p
            p = p * inv2
        out = acc + xp.log(a) - 0.5 / a - series
        # psi(1 - x) - psi(x) = pi / tan(pi x)
        frac = x - xp.round(x)
        out = xp.where(refl, out - math.pi / xp.tan(math.pi * frac), out)
        out = xp.where(refl & (x == xp.floor(x)), math.nan, out)
        out = xp.where(x == 0, xp.where(xp.signbit(x), math.inf, -math.inf), out)
        out = xp.where(x == math.inf, math.inf, out)
    return out


def _trigamma(xp, x):
    """polygamma(1, x), with torch's reflection for x < 0.5."""
    refl = x < 0.5
    xr = xp.where(refl, 1 - x, x)
    out = _zeta_shift(xp, xr, 1)
    s = xp.sin(math.pi * (x - xp.round(x)))
    return xp.where(refl, math.pi ** 2 / (s * s) - out, out)


def _polygamma_raw(xp, n: int, x):
    if n == 0:
        return _digamma(xp, x)
    x = x.astype(_F64)
    with _np.errstate(all="ignore"):
        z = _trigamma(xp, x) if n == 1 else _zeta_shift(xp, x, n)
        out = (-1) ** (n + 1) * math.factorial(n) * z
        bad = (x <= 0) & (x == xp.floor(x))
        if n == 1:
            bad = bad & (x != -math.inf)
        out = xp.where(bad, math.inf if n % 2 else -math.inf, out)
        if n > 1:
            out = xp.where(x == math.inf, math.nan, out)     # torch's (Cephes) zeta(n+1, inf)
    return out


def _to(f):
    return lambda xp, x: f(xp, x).astype(x.dtype)


lgamma = _float_op("lgamma", _to(_lgamma), lambda gy, x, r: gy * digamma(x),
                   real=lambda dt: _complex_kernel("lgamma_vml_cpu", dt))
digamma = _float_op("digamma", _to(_digamma), lambda gy, x, r: gy * polygamma(1, x),
                    real=lambda dt: _complex_kernel("digamma", dt))


def _complex_kernel(kernel: str, dt):
    raise NotImplementedError(f"\"{kernel}\" not implemented for '{_scalar_name(dt)}'")


@op("polygamma", function=False, method=False)
def _polygamma(input, *, n):
    if input._dtype.is_complex:
        _complex_kernel({0: "digamma", 1: "trigamma"}.get(n, "polygamma"), input._dtype)
    dt = input._dtype if input._dtype.category >= 2 else D.get_default_dtype()
    xp = xp_of(input)
    out = _polygamma_raw(xp, n, input._array)
    return result(out, dt, lambda gy: (gy * polygamma(n + 1, input),))


@public(method=False)
def polygamma(n: int, input: Tensor) -> Tensor:
    """torch.polygamma(n, input): the n-th derivative of digamma."""
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return _polygamma(input, n=n)


def _polygamma_method(self: Tensor, n: int) -> Tensor:
    """Tensor.polygamma(n)."""
    return polygamma(n, self)


def _polygamma_inplace(self: Tensor, n: int) -> Tensor:
    """Tensor.polygamma_(n)."""
    return self.copy_(polygamma(n, self))


Tensor.polygamma = _polygamma_method
Tensor.polygamma_ = _polygamma_inplace
