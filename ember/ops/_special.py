"""erf, erfc and erfinv on raw float64 arrays of any array module (no scipy).

erf/erfc: the Cephes rational approximations (S. L. Moshier, public domain; relative error
~1e-16), with exp(-x^2) split into exact parts so that erfc keeps its relative accuracy in the
tail. erfinv: M. Giles' single-precision approximation refined by Newton steps on erf (or on
erfc near +-1, where 1 - |y| is exact).
"""

from __future__ import annotations

import math

_T = (9.60497373987051638749E0, 9.00260197203842689217E1, 2.23200534594684319226E3,
      7.00332514112805075473E3, 5.55923013010394962768E4)
_U = (3.35617141647503099647E1, 5.21357949780152679795E2, 4.59432382970980127987E3,
      2.26290000613890934246E4, 4.92673942608635921086E4)
_P = (2.46196981473530512524E-10, 5.64189564831068821977E-1, 7.46321056442269912687E0,
      4.86371970985681366614E1, 1.96520832956077098242E2, 5.26445194995477358631E2,
      9.34528527171957607540E2, 1.02755188689515710272E3, 5.57535335369399327526E2)
_Q = (1.32281951154744992508E1, 8.67072140885989742329E1, 3.54937778887819891062E2,
      9.75708501743205489753E2, 1.82390916687909736289E3, 2.24633760818710981792E3,
      1.65666309194161350182E3, 5.57535340817727675546E2)
_R = (5.64189583547755073984E-1, 1.27536670759978104416E0, 5.01905042251180477414E0,
      6.16021097993053585195E0, 7.40974269950448939160E0, 2.97886665372100240670E0)
_S = (2.26052863220117276590E0, 9.39603524938001434673E0, 1.20489539808096656605E1,
      1.70814450747565897222E1, 9.60896809063285878198E0, 3.36907645100081516050E0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def _polevl(x, coef):
    r = coef[0]
    for c in coef[1:]:
        r = r * x + c
    return r


def _p1evl(x, coef):
    r = x + coef[0]
    for c in coef[1:]:
        r = r * x + c
    return r


def _exp_neg_sq(xp, x):
    """exp(-x*x) without the rounding error of forming x*x (x >= 0)."""
    hi = xp.floor(x * 4096.0) / 4096.0          # few bits: hi*hi is exact
    lo = x - hi
    return xp.exp(-hi * hi) * xp.exp(-lo * (x + hi))


def _erfc_tail(xp, x):
    """erfc(x) for x >= 1 (x a float64 array)."""
    x = xp.minimum(x, 30.0)                       # erfc underflows to 0 long before; keeps inf out
    small = _polevl(x, _P) / _p1evl(x, _Q)
    large = _polevl(x, _R) / _p1evl(x, _S)
    return _exp_neg_sq(xp, x) * xp.where(x < 8.0, small, large)


def _erf_core(xp, x):
    z = x * x
    return x * _polevl(z, _T) / _p1evl(z, _U)


def erf(xp, x):
    """erf of a float64 array."""
    a = xp.abs(x)
    inner = _erf_core(xp, xp.where(a < 1.0, x, 0.0))
    outer = 1.0 - _erfc_tail(xp, xp.maximum(a, 1.0))
    return xp.where(a < 1.0, inner, xp.copysign(outer, x))


def erfc(xp, x):
    """erfc of a float64 array."""
    a = xp.abs(x)
    inner = 1.0 - _erf_core(xp, xp.where(a < 1.0, x, 0.0))
    tail = _erfc_tail(xp, xp.maximum(a, 1.0))
    return xp.where(a < 1.0, inner, xp.where(x < 0, 2.0 - tail, tail))


def _giles(xp, y):
    w = -xp.log((1.0 - y) * (1.0 + y))
    w1 = w - 2.5
    p1 = _polevl(w1, (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06,
                      0.00021858087, -0.00125372503, -0.00417768164, 0.246640727,
                      1.50140941))
    w2 = xp.sqrt(xp.maximum(w, 5.0)) - 3.0
    p2 = _polevl(w2, (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844,
                      0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682))
    return xp.where(w < 5.0, p1, p2) * y


def erfinv(xp, y):
    """erfinv of a float64 array: +-inf at +-1, nan outside [-1, 1]."""
    a = xp.abs(y)
    ok = a < 1.0
    ya = xp.where(ok, a, 0.0)
    x = _giles(xp, ya)
    near_one = ya > 0.5
    # near 1, Newton on log(erfc(x)) = log(1 - |y|): 1 - |y| is exact there and log(erfc) is
    # nearly quadratic, so the steps converge even where Giles' fit is poor (|y| > 1 - 1e-7)
    log_t = xp.log(xp.where(near_one, 1.0 - ya, 1.0))
    for _ in range(4):
        d = _TWO_OVER_SQRT_PI * _exp_neg_sq(xp, x)
        d = xp.where(d > 0, d, 1.0)
        e = erfc(xp, x)
        tail = (xp.log(xp.where(e > 0, e, 1.0)) - log_t) * e / d
        x = x + xp.where(near_one, tail, (ya - erf(xp, x)) / d)
    x = xp.copysign(x, y)
    inf = xp.copysign(xp.inf, y)
    return xp.where(ok, x, xp.where(a == 1.0, inf, xp.nan))
