"""Exact arithmetic behind torch's CPU samplers: fused multiply-add, avx_mathfun log/sincos, libm.

torch's AVX2 kernels contract `a*b + c` into one rounding and compute the float32 block
Box-Muller with `log256_ps` / `sincos256_ps` (aten/src/ATen/native/cpu/avx_mathfun.h) in the
exact fused pattern the compiler emitted; double precision uses glibc's log/sin/cos, i.e.
Python's `math` (NumPy's vectorised transcendental functions differ in the last bit).
See /work/shared/spec/torch-rng.md sections 2 and 3.
"""

from __future__ import annotations

import math
import sys

# NOTE: these kernels run on host arrays straight from the MT19937 engine (always NumPy).
import numpy as np

_f32 = np.float32
_f64 = np.float64
_i64 = np.int64
_MASK28 = np.uint32(0x0FFFFFFF)
_MASK29 = np.uint32(0x1FFFFFFF)
_MID29 = np.uint32(0x10000000)
_LOW = 0 if sys.byteorder == "little" else 1


def _bits32(x: int) -> np.float32:
    return np.array([x], dtype=np.uint32).view(_f32)[0]


def fma32(a, b, c, tiny: bool = True) -> np.ndarray:
    """fl32(a*b + c) rounded once; a, b, c float32 arrays or np.float32 scalars.

    a*b is exact in float64 and the float64 sum is rounded once more to float32; that double
    rounding can only go wrong when the float64 sum sits exactly on a float32 midpoint, so those
    rare elements are redone from the TwoSum error. tiny=False: the caller guarantees no result
    in float32's subnormal range, where midpoints have a different bit pattern.
    """
    s = np.multiply(a, b, dtype=_f64)
    s += c
    r = s.astype(_f32)
    lo = s.view(np.uint32)[..., _LOW::2]         # the low word holds the 29 bits that matter
    if tiny:
        cand = (lo & _MASK28) == 0
    else:
        cand = (lo & _MASK29) == _MID29
    if cand.any():
        _fix_midpoints(r, s, a, b, c, cand)
    return r


def _fix_midpoints(r, s, a, b, c, cand) -> None:
    idx = np.flatnonzero(cand)
    if idx.size > 4096:
        idx = np.flatnonzero(cand & (s != r.astype(_f64)))
    ss = s.ravel()[idx]
    mid = ss != r.ravel()[idx].astype(_f64)     # exact float32 values are already right
    if not mid.any():
        return
    idx, ss = idx[mid], ss[mid]
    where = np.unravel_index(idx, s.shape)
    p = _pick(a, where) * _pick(b, where)
    cc = _pick(c, where)
    bv = ss - p
    err = (p - (ss - bv)) + (cc - bv)
    # step off the midpoint towards the exact value, then the float32 rounding is the right one
    moved = np.nextafter(ss, np.where(err > 0, np.inf, -np.inf))
    r.ravel()[idx] = np.where(err != 0, moved, ss).astype(_f32)


def _odd_scaled(x: float):
    """(|X|, e) with x = ±X * 2**e and X odd (X = 0 for x == 0)."""
    p, q = float(x).as_integer_ratio()
    p = abs(p)
    if q > 1:
        return p, 1 - q.bit_length()
    if p == 0:
        return 0, 0
    tz = (p & -p).bit_length() - 1
    return p >> tz, tz


def u24_fma_exact(d, f) -> bool:
    """Whether k * d * 2**-24 + f is exact in float64 for every integer 0 <= k < 2**24
    (d, f float32, d != 0): the exact sums on the grid 2**E then need fewer than 53 bits."""
    if d == 0:
        return False
    dm, de = _odd_scaled(d)
    de -= 24
    fm, fe = _odd_scaled(f)
    e = de if fm == 0 else min(de, fe)
    bound = ((1 << 24) - 1) * dm * (1 << (de - e)) + fm * (1 << (fe - e) if fm else 0)
    return bound < (1 << 53)


def _pick(x, where):
    """The elements of x (a scalar or an array of the result's shape) at `where`, as float64."""
    if np.ndim(x) == 0:
        return _f64(x)
    return x[where].astype(_f64)


_SPLIT = 134217729.0   # 2**27 + 1 (Veltkamp)


def _two_sum(a, b):
    s = a + b
    bv = s - a
    return s, (a - (s - bv)) + (b - bv)


def fma64(a, b, c) -> np.ndarray:
    """a*b + c in float64 with one rounding (Boldo-Melquiond: TwoProduct, TwoSum, round-to-odd)."""
    a, b, c = np.broadcast_arrays(np.asarray(a, _f64), np.asarray(b, _f64), np.asarray(c, _f64))
    if a.size > CHUNK:
        # cache-sized pieces: the many temporaries stay in cache
        shape = a.shape
        a, b, c = a.reshape(-1), b.reshape(-1), c.reshape(-1)
        out = np.concatenate([fma64(a[i:i + CHUNK], b[i:i + CHUNK], c[i:i + CHUNK])
                              for i in range(0, a.size, CHUNK)])
        return out.reshape(shape)
    p = a * b
    t = _SPLIT * a
    ah = t - (t - a)
    al = a - ah
    t = _SPLIT * b
    bh = t - (t - b)
    bl = b - bh
    pl = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    th, tl = _two_sum(c, p)
    v, ve = _two_sum(tl, pl)
    vb = v.view(_i64)
    odd = (ve != 0) & ((vb & 1) == 0)
    if odd.any():
        step = np.where((ve > 0) == (v > 0), 1, -1).astype(_i64)
        v = np.where(odd, vb + step, vb).view(_f64)
    out = th + v
    plain = p + c
    bad = ~np.isfinite(out)
    if bad.any():
        out = np.where(bad, plain, out)
    return out


def libm(fn, x: np.ndarray) -> np.ndarray:
    """fn (a `math` function: glibc's libm) applied to every element of a float64 array."""
    return np.fromiter(map(fn, x.ravel().tolist()), _f64, x.size).reshape(x.shape)


def safe_log(v: float) -> float:
    return math.log(v) if v > 0 else (-math.inf if v == 0 else math.nan)


# ---- avx_mathfun (Cephes) float32 log and sincos, in the compiled fused pattern -------------
_SQRTHF = _bits32(0x3F3504F3)
_LOG_P = [_bits32(b) for b in (0x3D9021BB, 0xBDEBD1B8, 0x3DEF251A, 0xBDFE5D4F, 0x3E11E9BF,
                               0xBE2AAE50, 0x3E4CCEAC, 0xBE7FFFFC, 0x3EAAAAAA)]
_Q1 = _bits32(0xB95E8083)
_Q2 = _bits32(0x3F318000)
_FOPI = _bits32(0x3FA2F983)
_DP = [_bits32(b) for b in (0xBF490000, 0xB97DA000, 0xB3222169)]
_COS = [_bits32(b) for b in (0x37CCF5CE, 0xBAB6061A, 0x3D2AAAA5)]
_SIN = [_bits32(b) for b in (0xB94CA1F9, 0x3C08839E, 0xBE2AAAA3)]
_MIN_NORM = _bits32(0x00800000)
_ONE = _f32(1.0)
_HALF = _f32(0.5)
TWO_PI32 = _f32(2.0 * math.pi)
CHUNK = 1 << 17          # elements per piece of the block Box-Muller (a multiple of 16)


def log256(x: np.ndarray) -> np.ndarray:
    """log256_ps for float32 x in (0, 1]."""
    x = np.maximum(x, _MIN_NORM)
    bits = x.view(np.int32)
    e = ((bits >> 23) - 127).astype(_f32) + _ONE
    m = ((bits & np.int32(-2139095041)) | np.int32(0x3F000000)).view(_f32)   # & 0x807FFFFF
    small = m < _SQRTHF
    e = e - small.astype(_f32)
    x = (m - _ONE) + np.where(small, m, _f32(0.0))
    z = x * x
    y = fma32(_LOG_P[0], x, _LOG_P[1], False)
    for p in _LOG_P[2:]:
        y = fma32(y, x, p, False)
    y = y * x
    y = fma32(y, z, e * _Q1, False)
    y = fma32(-z, _HALF, y, False)
    x = x + y
    return fma32(e, _Q2, x, False)


def sincos256(x: np.ndarray):
    """sincos256_ps for float32 x >= 0: (sin, cos)."""
    j = (x * _FOPI).astype(np.int32)
    j = (j + 1) & ~1
    y = j.astype(_f32)
    flip_sin = (j & 4) != 0
    flip_cos = ((j - 2) & 4) == 0
    poly = (j & 2) == 0
    x = fma32(y, _DP[0], x, False)
    x = fma32(y, _DP[1], x, False)
    x = fma32(y, _DP[2], x, False)
    z = x * x
    c = fma32(fma32(_COS[0], z, _COS[1], False), z, _COS[2], False)
    c = c * z
    c = fma32(c, z, -(z * _HALF), False)
    c = c + _ONE
    s = fma32(fma32(_SIN[0], z, _SIN[1], False), z, _SIN[2], False)
    s = s * z
    s = fma32(s, x, x, False)
    sin = np.where(poly, s, c)
    cos = np.where(poly, c, s)
    return np.where(flip_sin, -sin, sin), np.where(flip_cos, -cos, cos)


def _fma32q(a, b, c) -> np.ndarray:
    """fl32(a*b + c) through one float64 sum, without fma32's midpoint repair: only for the
    log/sincos steps below, checked exhaustively over all 2**24 inputs the sampler can feed them
    (tests/test_random.py), where the plain double rounding never differs from a fused op."""
    s = np.multiply(a, b, dtype=_f64)
    s += c
    return s.astype(_f32)


def log256q(x: np.ndarray) -> np.ndarray:
    """log256 for x = 1 - k * 2**-24 (the Box-Muller radius input), no midpoint repairs."""
    bits = x.view(np.int32)
    e = ((bits >> 23) - 126).astype(_f32)
    m = ((bits & np.int32(-2139095041)) | np.int32(0x3F000000)).view(_f32)   # & 0x807FFFFF
    small = m < _SQRTHF
    e -= small
    x = m - _ONE
    x += np.where(small, m, _f32(0.0))
    z = x * x
    y = _fma32q(_LOG_P[0], x, _LOG_P[1])
    for p in _LOG_P[2:]:
        y = _fma32q(y, x, p)
    y *= x
    y = _fma32q(y, z, e * _Q1)
    z *= -_HALF                 # fma(-z, 0.5, y) and fma(e, q2, x): the products are exact
    y += z
    x += y
    e *= _Q2
    x += e
    return x


def sincos256q(x: np.ndarray):
    """sincos256 for x = fl32(2pi * k * 2**-24) (the Box-Muller angle), no midpoint repairs."""
    j = (x * _FOPI).astype(np.int32)
    j += 1
    j &= ~1
    y = j.astype(_f32)
    x = x + y * _DP[0]          # y is an even integer <= 8: y * DP1 and y * DP2 are exact
    x += y * _DP[1]
    x = _fma32q(y, _DP[2], x)
    z = x * x
    c = _fma32q(_fma32q(_COS[0], z, _COS[1]), z, _COS[2])
    c *= z
    c = _fma32q(c, z, -(z * _HALF))
    c += _ONE
    s = _fma32q(_fma32q(_SIN[0], z, _SIN[1]), z, _SIN[2])
    s *= z
    s = _fma32q(s, x, x)
    poly = (j & 2) != 0
    sin = np.where(poly, c, s)
    cos = np.where(poly, s, c)
    flip = j & 4                             # sign flips as XOR of the sign bit
    flip <<= 29
    sin.view(np.int32)[...] ^= flip
    j -= 2
    np.invert(j, out=j)
    j &= 4
    j <<= 29
    cos.view(np.int32)[...] ^= j
    return sin, cos


def box_muller32(u: np.ndarray, mean: np.float32, std: np.float32) -> np.ndarray:
    """NormalFill16<float> (AVX2) over consecutive blocks of 16 float32 uniforms."""
    if u.size > CHUNK:
        # cache-sized pieces: the many temporaries stay in cache and off the page-fault path
        return np.concatenate([box_muller32(u[i:i + CHUNK], mean, std)
                               for i in range(0, u.size, CHUNK)])
    # contiguous halves: ufuncs over (rows, 8) strided views would loop 8 elements at a time
    b = np.empty((2, u.size // 2), dtype=_f32)          # a copy: u itself stays untouched
    b.reshape(2, -1, 8)[...] = u.reshape(-1, 2, 8).transpose(1, 0, 2)
    radius = np.subtract(_ONE, b[0])
    radius = log256q(radius)
    radius *= _f32(-2.0)
    np.sqrt(radius, out=radius)
    np.multiply(TWO_PI32, b[1], out=b[1])
    s, c = sincos256q(b[1])
    np.multiply(c, radius, out=b[0])
    np.multiply(s, radius, out=b[1])
    out = b.reshape(2, -1, 8).transpose(1, 0, 2).reshape(-1)
    return affine32(out, std, mean)


def box_muller64(u: np.ndarray, mean: float, std: float) -> np.ndarray:
    """NormalFill16<double> over consecutive blocks of 16 double uniforms (libm log/cos/sin)."""
    b = u.reshape(-1, 2, 8)
    radius = np.sqrt(-2.0 * libm(math.log, 1.0 - b[:, 0]))
    theta = (2.0 * math.pi) * b[:, 1]
    out = np.empty_like(b)
    out[:, 0] = radius * libm(math.cos, theta)
    out[:, 1] = radius * libm(math.sin, theta)
    return affine64(out.reshape(-1), std, mean)


def affine32(x: np.ndarray, std: np.float32, mean: np.float32) -> np.ndarray:
    """fma32(x, std, mean); x*1 + mean is a plain (single-rounding) add."""
    if std == 1:
        return x + mean
    if mean == 0:
        # x*std is exact in float64, so fl32(x*std) is the fused result; + (±0) as the fma does
        x = x * std
        x += mean
        return x
    return fma32(x, std, mean)


def affine64(x: np.ndarray, std: float, mean: float) -> np.ndarray:
    """fma64(x, std, mean) with the exact shortcuts std == 1 and mean == 0."""
    if std == 1.0:
        return x + mean
    if mean == 0.0:
        return x * std + mean
    return fma64(x, std, mean)
