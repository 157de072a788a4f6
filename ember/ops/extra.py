"""Assorted torch ops: searchsorted/bucketize, bincount/histc, isin, logaddexp, diff,
quantile, cov/corrcoef. The gamma family is in extra_gamma, the rest in extra_misc."""

from __future__ import annotations

import math
import warnings

import numpy as _np

from .. import _dtype as D
from .._tensor import Tensor, _new
from ._registry import _scalar_name, op, public
from ._util import binary_arrays, wrap_dim, xp_of
from .elementwise import not_implemented, result

_I64 = _np.dtype(_np.int64)
_F64 = _np.dtype(_np.float64)


def _name(t: Tensor) -> str:
    return _scalar_name(t._dtype)


# ---- searchsorted / bucketize -------------------------------------------------------------------
def _bsearch(xp, bd, vals, right: bool, sorter):
    """torch's binary search over the last axis of bd (rows matching vals' rows); NaN values
    land past the end, as torch's `!(mid >= val)` comparison gives."""
    n = bd.shape[-1]
    start = xp.zeros(vals.shape, dtype=_I64)
    end = xp.full(vals.shape, n, dtype=_I64)
    with _np.errstate(invalid="ignore"):
        while True:
            active = start < end
            if not active.any():
                return start
            mid = (start + end) // 2
            pos = xp.minimum(mid, n - 1)
            if sorter is not None:
                pos = xp.take_along_axis(sorter, pos, axis=-1)
            m = xp.take_along_axis(bd, pos, axis=-1)
            go_right = ~(m > vals) if right else ~(m >= vals)
            start = xp.where(active & go_right, mid + 1, start)
            end = xp.where(active & ~go_right, mid, end)


@op(method=False)
def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None,
                 sorter=None):
    """torch.searchsorted (NaN-aware binary search, torch's tie and NaN placement)."""
    name = "torch.searchsorted(): "
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"{name}side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError(f"{name}side and right can't be set to opposites, got side of "
                               "left while right was True")
        right = side == "right"
    bd_t = sorted_sequence
    if bd_t.ndim == 0:
        raise RuntimeError(f"{name}boundaries tensor should have positive dimension, but got 0 "
                           "dimension")
    scalar = not isinstance(input, Tensor)
    vshape = () if scalar else tuple(input.shape)
    if bd_t.ndim > 1 and not vshape:
        raise RuntimeError(f"{name}input value can be a scalar only when boundaries tensor "
                           f"dimension is 1, but we got boundaries tensor dim({bd_t.ndim}) and "
                           f"input value's dim(0) numel(1)")
    if bd_t.ndim > 1 and (len(vshape) != bd_t.ndim or vshape[:-1] != tuple(bd_t.shape)[:-1]):
        raise RuntimeError(f"{name}boundaries tensor should be 1 dimension or the first N-1 "
                           "dimensions of boundaries tensor and input value tensor must match, "
                           f"but we got boundaries tensor {list(bd_t.shape)} and input value "
                           f"tensor {list(vshape)}")
    srt = None
    if sorter is not None:
        if tuple(sorter.shape) != tuple(bd_t.shape):
            raise RuntimeError(f"{name}boundary and sorter must have the same size, but got "
                               f"boundary tensor {list(bd_t.shape)}and got sorter tensor "
                               f"{list(sorter.shape)}")
        if sorter._dtype is not D.int64:
            raise RuntimeError(f"{name}sorter must be a tensor of long dtype but got dtype "
                               f"{_name(sorter)}")
        srt = sorter._array
    bd, v, _ = binary_arrays(bd_t, input)
    xp = xp_of(bd_t)
    v = xp.asarray(v)
    n = bd.shape[-1]
    if bd.ndim == 1:
        flat = v.reshape(1, -1)
        bd2 = bd.reshape(1, n)
        s2 = None if srt is None else srt.reshape(1, n)
    else:
        rows = math.prod(bd.shape[:-1])
        flat = v.reshape(rows, v.shape[-1])
        bd2 = bd.reshape(rows, n)
        s2 = None if srt is None else srt.reshape(rows, n)
    if n == 0 or flat.size == 0:
        out = xp.zeros(flat.shape, dtype=_I64)
    else:
        out = _bsearch(xp, bd2, flat, right, s2)
    return out.reshape(vshape).astype(_np.int32 if out_int32 else _I64)


@public(method=False)
def bucketize(input, boundaries: Tensor, *, out_int32: bool = False, right: bool = False):
    """torch.bucketize (boundaries must be 1-D)."""
    if boundaries.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


# ---- bincount / histc / isin --------------------------------------------------------------------
@op()
def bincount(input, weights=None, minlength=0):
    """torch.bincount (float32 weights count in float32, other weights in float64)."""
    if input._dtype.category != 1:
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for '{_name(input)}'")
    x = input._array
    xp = xp_of(input)
    if x.ndim != 1 or (x.size and x.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if weights is not None and (weights.ndim != 1 or weights.shape[0] != x.shape[0]):
        raise RuntimeError("weights should be 1-d and have the same length as input")
    size = max(int(x.max()) + 1 if x.size else 0, minlength)
    if weights is None or x.size == 0:
        return xp.bincount(x, minlength=size).astype(_I64)
    dt = D.float32 if weights._dtype is D.float32 else D.float64
    # summed in float64 (numpy and cupy alike), then rounded to the result dtype
    out = xp.bincount(x, weights=weights._array.astype(_F64), minlength=size).astype(dt.np)
    if weights.requires_grad:
        return out, not_implemented("bincount"), {"dtype": dt}
    return out


@op()
def histc(input, bins=100, min=0, max=0):
    """torch.histc: bins equal-width bins over [min, max] (the data's range when min == max)."""
    if input._dtype.category < 2:
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{_name(input)}'")
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    x = input._array.reshape(-1)
    xp = xp_of(input)
    ft = x.dtype.type
    lo, hi = ft(min), ft(max)
    if lo == hi and x.size:
        lo, hi = x.min(), x.max()
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{_fmtnum(lo)}, {_fmtnum(hi)}] is not finite")
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    keep = (x >= lo) & (x <= hi)
    x = x[keep]
    pos = ((x - lo) * ft(bins) / (hi - lo)).astype(_I64)
    pos = xp.minimum(pos, bins - 1)
    return xp.bincount(pos, minlength=bins).astype(x.dtype)


def _fmtnum(v) -> str:
    if math.isnan(v):
        return "-nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return f"{float(v):g}"


@op(method=False)
def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """torch.isin (either argument may be a Python scalar)."""
    for t in (elements, test_elements):
        if isinstance(t, Tensor) and (t._dtype is D.bool or t._dtype.is_complex):
            raise RuntimeError(f"Unsupported input type encountered for isin(): {_name(t)}")
    x, y, _ = binary_arrays(elements, test_elements)
    xp = xp_of(elements, test_elements)
    x, y = xp.asarray(x), xp.asarray(y)
    out = xp.isin(x, y, assume_unique=assume_unique, invert=invert)
    return xp.asarray(out, dtype=bool)


# ---- logaddexp / logaddexp2 ---------------------------------------------------------------------
def _logaddexp(name: str, base2: bool):
    def prim(input, other):
        if not isinstance(other, Tensor):
            raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not "
                            f"{type(other).__name__}")
        dt = D.result_type(input, other)
        if dt.category < 2 or (base2 and dt.is_complex):
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{_scalar_name(dt)}'")
        cdt = D.float32 if dt is D.float16 or dt is D.bfloat16 else dt
        x, y, _ = binary_arrays(input, other, cdt)
        xp = xp_of(input, other)
        with _np.errstate(invalid="ignore", over="ignore"):
            if dt.is_complex:
                m = xp.where(x.real >= y.real, x, y)
                out = m + xp.log(xp.exp(x - m) + xp.exp(y - m))
            elif base2:
                m = xp.maximum(x, y)
                out = m + xp.log1p(xp.exp2(-xp.abs(x - y))) / math.log(2.0)
                out = xp.where(xp.isinf(x) & (x == y), x, out)
            else:
                m = xp.maximum(x, y)
                out = m + xp.log1p(xp.exp(-xp.abs(x - y)))
                out = xp.where(xp.isinf(x) & (x == y), x, out)

        def backward(gy):
            if base2:
                return gy / (1 + 2 ** (other - input)), gy / (1 + 2 ** (input - other))
            if dt.is_complex:     # grad * conj(f'(z)): f'(x) = exp(x - out)
                r = _new(out, dt)
                return gy * (input - r).exp().conj(), gy * (other - r).exp().conj()
            return gy / (1 + (other - input).exp()), gy / (1 + (input - other).exp())
        return result(out, dt, backward)
    prim.__name__ = name
    prim.__doc__ = f"torch.{name}."
    return op(name)(prim)


logaddexp = _logaddexp("logaddexp", False)
logaddexp2 = _logaddexp("logaddexp2", True)


# ---- diff ---------------------------------------------------------------------------------------
@public()
def diff(input: Tensor, n: int = 1, dim: int = -1, prepend=None, append=None) -> Tensor:
    """torch.diff: the n-th forward difference along dim (bool: logical xor)."""
    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    for name, t in (("prepend", prepend), ("append", append)):
        if t is not None and not isinstance(t, Tensor):
            raise TypeError(f"diff(): argument '{name}' must be Tensor, not {type(t).__name__}")
        if t is not None and t.ndim != input.ndim:
            raise RuntimeError("diff expects prepend or append to be the same dimension as input")
    from . import REGISTRY
    cat = REGISTRY["cat"]
    d = wrap_dim(dim, input.ndim)
    x = input
    if prepend is not None or append is not None:
        x = cat([t for t in (prepend, input, append) if t is not None], d)
    for _ in range(n):
        size = x.shape[d]
        if size == 0:
            break
        a, b = x.narrow(d, 1, size - 1), x.narrow(d, 0, size - 1)
        x = a.logical_xor(b) if x.dtype is D.bool else a - b
    return x


# ---- quantile / nanquantile ---------------------------------------------------------------------
_INTERP = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(input, q, dim, keepdim, interpolation, ignore_nan: bool):
    name = "quantile()"            # torch names nanquantile's errors quantile() too
    if input._dtype not in (D.float32, D.float64):
        raise RuntimeError(f"{name} input tensor must be either float or double dtype")
    if input.numel() == 0:
        raise RuntimeError(f"{name} input tensor must be non-empty")
    xp = xp_of(input)
    if isinstance(q, Tensor):
        if q.ndim > 1:
            raise RuntimeError(f"{name} q must be a scalar or 1D tensor")
        if q.device != input.device:
            raise RuntimeError(f"{name} q tensor must be on the same device as the input tensor")
        if q._dtype is not input._dtype:
            raise RuntimeError(f"{name} q tensor must be same dtype as the input tensor")
        qa = q._array.reshape(-1)
        if not ((qa >= 0) & (qa <= 1)).all():
            raise RuntimeError(f"{name} q values must be in the range [0, 1]")
        q_dims = q.ndim
    else:
        if not 0 <= q <= 1:
            raise RuntimeError(f"{name} q must be in the range [0, 1] but got {q:g}")
        qa = xp.asarray([q], dtype=input._array.dtype)
        q_dims = 0
    if interpolation not in _INTERP:
        raise RuntimeError(f"{name} interpolation must be one of linear, lower, higher, midpoint "
                           f"or nearest, but got {interpolation}")
    if dim is None:
        x = input.reshape(-1)
        shape = [1] * input.ndim if keepdim else []
    else:
        d = wrap_dim(dim, input.ndim)
        x = input.reshape(1) if input.ndim == 0 else input.movedim(d, -1)
        shape = list(input.shape)
        if input.ndim:
            if keepdim:
                shape[d] = 1
            else:
                del shape[d]
    srt = x.sort(-1)[0]                              # (*batch, n), NaN last
    s = srt._array
    n = s.shape[-1]
    nan = xp.isnan(s)
    dtype = s.dtype
    qa = qa.astype(dtype)
    if ignore_nan:
        cnt = (~nan).sum(-1, keepdims=True).astype(dtype)
        ranks = qa * (cnt - 1)
        ranks = xp.where(ranks < 0, dtype.type(0), ranks)
    else:
        ranks = qa * dtype.type(n - 1) + xp.zeros(s.shape[:-1] + (1,), dtype=dtype)
        ranks = xp.where(nan.any(-1, keepdims=True), dtype.type(n - 1), ranks)
    if interpolation == "lower":
        ranks = xp.floor(ranks)
    elif interpolation == "higher":
        ranks = xp.ceil(ranks)
    elif interpolation == "nearest":
        ranks = xp.round(ranks)
    below = ranks.astype(_I64)
    out = srt.gather(-1, _new(below))
    if interpolation in ("linear", "midpoint"):
        w = xp.full_like(ranks, 0.5) if interpolation == "midpoint" else ranks - below
        above = srt.gather(-1, _new(xp.ceil(ranks).astype(_I64)))
        out = out.lerp(above, _new(w.astype(dtype), input._dtype))
    out = out.movedim(-1, 0)                         # (nq, *batch)
    return out.reshape(([qa.shape[0]] if q_dims else []) + shape)


@public()
def quantile(input: Tensor, q, dim=None, keepdim: bool = False, *,
             interpolation: str = "linear") -> Tensor:
    """torch.quantile (NaN anywhere in a slice gives NaN)."""
    return _quantile(input, q, dim, keepdim, interpolation, False)


@public()
def nanquantile(input: Tensor, q, dim=None, keepdim: bool = False, *,
                interpolation: str = "linear") -> Tensor:
    """torch.nanquantile (NaNs ignored; an all-NaN slice gives NaN)."""
    return _quantile(input, q, dim, keepdim, interpolation, True)


# ---- cov / corrcoef -----------------------------------------------------------------------------
@public()
def cov(input: Tensor, *, correction: int = 1, fweights=None, aweights=None) -> Tensor:
    """torch.cov: rows are variables, columns observations."""
    if input.ndim > 2:
        raise RuntimeError("cov(): expected input to have two or fewer dimensions but got an "
                           f"input with {input.ndim} dimensions")
    if input._dtype is D.bool:
        raise RuntimeError("cov(): bool dtype is not supported for input")
    x = input.reshape(1, -1) if input.ndim < 2 else input
    nobs = x.shape[1]
    w = None
    for kind, t in (("fweights", fweights), ("aweights", aweights)):
        if t is None:
            continue
        if t.ndim > 1:
            raise RuntimeError(f"cov(): expected {kind} to have one or fewer dimensions but got "
                               f"{kind} with {t.ndim} dimensions")
        if kind == "fweights" and t._dtype.category != 1:
            raise RuntimeError("cov(): expected fweights to have integral dtype but got fweights "
                               f"with {_name(t)} dtype")
        if kind == "aweights" and t._dtype.category != 2:
            raise RuntimeError("cov(): expected aweights to have floating point dtype but got "
                               f"aweights with {_name(t)} dtype")
        if t.numel() != nobs:
            raise RuntimeError(f"cov(): expected {kind} to have the same numel as there are "
                               f"observations in the input but got {t.numel()} != {nobs}")
        if t.numel() and (t._array < 0).any():
            raise RuntimeError(f"cov(): {kind} cannot be negative")
        w = t if w is None else w * t
    if w is None:
        w_sum = _new(xp_of(input).asarray(nobs, dtype=_I64))
    else:
        w_sum = w.sum()
        if not bool(w_sum._array != 0):
            raise RuntimeError("cov(): weights sum to zero, can't be normalized")
    avg = (x if w is None else x * w).sum(1) / w_sum
    if w is not None and aweights is not None and correction != 0:
        norm = w_sum - correction * (w * aweights).sum() / w_sum
    else:
        norm = w_sum - correction
    if bool(norm._array <= 0):
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the number of observations.", UserWarning, stacklevel=2)
        norm = norm * 0
    xc = x - avg.unsqueeze(1)
    c = xc.mm((xc if w is None else xc * w).t().conj())
    return c.true_divide(norm).squeeze()


@public()
def corrcoef(input: Tensor) -> Tensor:
    """torch.corrcoef: Pearson correlation coefficients, clipped to [-1, 1]."""
    if input.ndim > 2:
        raise RuntimeError("corrcoef(): expected input to have two or fewer dimensions but got "
                           f"an input with {input.ndim} dimensions")
    c = cov(input)
    if c.ndim == 0:
        return c / c
    d = c.diagonal()
    sd = (d.real if d.is_complex() else d).sqrt()
    c = c / sd.view(-1, 1)
    c = c / sd.view(1, -1)
    if c.is_complex():
        from .._creation import complex as _complex
        return _complex(c.real.clip(-1, 1), c.imag.clip(-1, 1))
    return c.clip(-1, 1)


from . import extra_gamma, extra_misc  # noqa: E402,F401  (the rest of the family)
