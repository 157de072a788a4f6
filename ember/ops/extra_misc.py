"""More torch ops: logcumsumexp, trapezoid/cumulative_trapezoid, cartesian_prod, combinations,
block_diag, vander, tril_indices/triu_indices, renorm."""

from __future__ import annotations

import itertools
import math

import numpy as _np

from .. import _dtype as D
from .._tensor import Tensor, _new
from ._registry import _scalar_name, op, public
from ._util import wrap_dim, xp_of
from .elementwise import out_tensor

_I64 = _np.dtype(_np.int64)


def _ops():
    from . import REGISTRY
    return REGISTRY


# ---- logcumsumexp -------------------------------------------------------------------------------
def _complex_logaddexp(xp, x, y):
    """torch's complex log(exp(x) + exp(y)): shifted by the larger real part."""
    lo_r, hi_r = xp.minimum(x.real, y.real), xp.maximum(x.real, y.real)
    x_lo = x.real <= y.real
    lo, hi = xp.where(x_lo, x, y), xp.where(x_lo, y, x)
    out = hi + xp.log1p(xp.exp(lo - hi))
    same_inf = ~xp.isfinite(lo_r) & (lo_r == hi_r)
    if same_inf.any():
        out = xp.where(same_inf & (lo_r < 0), x, out)
        out = xp.where(same_inf & (lo_r > 0), xp.log(xp.exp(x) + xp.exp(y)), out)
    return out


def _complex_cum(xp, x, d):
    xs = xp.moveaxis(x, d, 0)
    out = xp.empty_like(xs)
    acc = xs[0]
    out[0] = acc
    for k in range(1, xs.shape[0]):
        acc = _complex_logaddexp(xp, acc, xs[k])
        out[k] = acc
    return xp.moveaxis(out, 0, d)


@op()
def logcumsumexp(input, dim):
    """torch.logcumsumexp (floating and complex dtypes)."""
    dt = input._dtype
    if dt.category < 2:
        raise NotImplementedError(f"\"logcumsumexp_out_cpu\" not implemented for "
                                  f"'{_scalar_name(dt)}'")
    x = input._array
    xp = xp_of(input)
    d = wrap_dim(dim, x.ndim)
    xa = x.reshape(1) if x.ndim == 0 else x
    cdt = _np.float32 if x.dtype == _np.float16 else x.dtype
    with _np.errstate(invalid="ignore", over="ignore"):
        if dt.is_complex:
            out = xa if xa.shape[d if x.ndim else 0] == 0 else \
                _complex_cum(xp, xa, d if x.ndim else 0)
        else:
            out = xp.logaddexp.accumulate(xa.astype(cdt), axis=0 if x.ndim == 0 else d)
    out = out.astype(x.dtype).reshape(x.shape)

    def backward(gy):
        if input.ndim == 0 or input.numel() == 0:
            return (gy,)
        r = out_tensor(out, dt, lambda: logcumsumexp(input, d))

        def rev(t):
            return logcumsumexp(t.flip(d), d).flip(d)
        if dt.is_complex:           # torch: no sign split needed
            return ((rev(gy.conj().log() - r) + input).exp().conj(),)
        # gx_i = sum_{j >= i} gy_j exp(x_i - out_j), in the log domain per sign (as torch)
        where = _ops()["where"]
        low = float(_np.finfo(out.dtype).min)      # torch's stand-in for log(0)
        log_abs = gy.abs().log()
        pos = (rev(where(gy > 0, log_abs, low) - r) + input).exp()
        neg = (rev(where(gy < 0, log_abs, low) - r) + input).exp()
        return (pos - neg,)
    return out, backward, {"saved_out": True}


# ---- trapezoid / cumulative_trapezoid -----------------------------------------------------------
def _trap_args(y, x, dx, dim, name):
    if x is not None and dx is not None:
        raise TypeError(f"{name}() received an invalid combination of arguments: x and dx "
                        "can't both be given")
    if y.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    d = wrap_dim(dim, y.ndim)
    if y._dtype.category < 2:
        y = y.to(D.get_default_dtype())
    return y, d


def _spacing(y, x, d, name):
    """dx along d: from the sample points x (1-D or y's shape), as a tensor broadcastable to the
    (n - 1)-long differences."""
    n = y.shape[d]
    if x.ndim == 1:
        if x.shape[0] != n:
            raise RuntimeError(f"{name}: There must be one `x` value for each sample point")
        dxs = x[1:] - x[:-1]
        return dxs.reshape([n - 1 if a == d else 1 for a in range(y.ndim)])
    xd = d - y.ndim + x.ndim
    return x.narrow(xd, 1, x.shape[xd] - 1) - x.narrow(xd, 0, x.shape[xd] - 1)


@public(method=False)
def trapezoid(y: Tensor, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """torch.trapezoid: the trapezoidal rule along dim."""
    y, d = _trap_args(y, x, dx, dim, "trapezoid")
    n = y.shape[d]
    if n == 0:
        return y.sum(d) * 0
    mid = y.narrow(d, 1, n - 1) + y.narrow(d, 0, n - 1)
    if x is None:
        return mid.sum(d) * ((1 if dx is None else dx) / 2)
    return (_spacing(y, x, d, "trapezoid") * mid).sum(d) / 2


@public(method=False)
def trapz(y: Tensor, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """torch.trapz (alias of trapezoid)."""
    return trapezoid(y, x, dx=dx, dim=dim)


@public(method=False)
def cumulative_trapezoid(y: Tensor, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """torch.cumulative_trapezoid: running trapezoidal sums along dim (n - 1 values)."""
    y, d = _trap_args(y, x, dx, dim, "cumulative_trapezoid")
    n = y.shape[d]
    if n == 0:
        return y
    mid = y.narrow(d, 1, n - 1) + y.narrow(d, 0, n - 1)
    if x is None:
        return (mid * ((1 if dx is None else dx) / 2)).cumsum(d)
    return (_spacing(y, x, d, "cumulative_trapezoid") * mid / 2).cumsum(d)


# ---- cartesian_prod / combinations / block_diag / vander ----------------------------------------
def _check_1d(t: Tensor) -> None:
    if t.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(t.shape)}")


@public(method=False)
def cartesian_prod(*tensors: Tensor) -> Tensor:
    """torch.cartesian_prod of 1-D tensors (one tensor: itself)."""
    for t in tensors:
        _check_1d(t)
    if len(tensors) == 1:
        return tensors[0]
    grids = _ops()["meshgrid"](*tensors, indexing="ij")
    return _ops()["stack"]([g.reshape(-1) for g in grids], 1)


@public(method=False)
def combinations(input: Tensor, r: int = 2, with_replacement: bool = False) -> Tensor:
    """torch.combinations: r-length combinations of a 1-D tensor's elements, as rows."""
    _check_1d(input)
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return _new(xp_of(input).zeros(0, dtype=input._array.dtype), input._dtype)
    gen = itertools.combinations_with_replacement if with_replacement else \
        itertools.combinations
    idx = _np.array(list(gen(range(input.shape[0]), r)), dtype=_I64).reshape(-1, r)
    if r == 1:
        return input.reshape(-1, 1)
    cols = [input.index_select(0, _new(xp_of(input).asarray(idx[:, k]))) for k in range(r)]
    return _ops()["stack"](cols, 1)


@public(method=False)
def block_diag(*tensors: Tensor) -> Tensor:
    """torch.block_diag: tensors (0-, 1- or 2-D) along the diagonal of a zero matrix."""
    for i, t in enumerate(tensors):
        if t.ndim > 2:
            raise RuntimeError("torch.block_diag: Input tensors must have 2 or fewer dimensions. "
                               f"Input {i} has {t.ndim} dimensions")
    mats = [t.reshape(1, -1) if t.ndim < 2 else t for t in tensors]
    dt = D.get_default_dtype() if not mats else mats[0]._dtype
    for m in mats[1:]:
        dt = D.promote_types(dt, m._dtype)
    from .. import zeros
    if not mats:
        return zeros(1, 0, dtype=dt)
    ncols = sum(m.shape[1] for m in mats)
    rows, left = [], 0
    cat = _ops()["cat"]
    dev = tensors[0].device
    for m in mats:
        r, c = m.shape
        pieces = [zeros(r, left, dtype=dt, device=dev), m.to(dt),
                  zeros(r, ncols - left - c, dtype=dt, device=dev)]
        rows.append(cat(pieces, 1))
        left += c
    return cat(rows, 0)


@public(method=False)
def vander(x: Tensor, N=None, increasing: bool = False) -> Tensor:
    """torch.vander: columns x^(N-1) ... x^0 (increasing=False); integers become int64."""
    if x.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    if x._dtype.category < 2:
        x = x.to(D.int64)
    from .. import ones
    cols = [ones(x.shape[0], 1, dtype=x._dtype, device=x.device)] if n else []
    if n > 1:
        cols.append(x.unsqueeze(1).repeat(1, n - 1).cumprod(1))
    if not cols:
        return _new(xp_of(x).zeros((x.shape[0], 0), dtype=x._array.dtype), x._dtype)
    res = _ops()["cat"](cols, 1)
    return res if increasing else res.flip(1)


# ---- tril_indices / triu_indices ----------------------------------------------------------------
def _tri_indices(row, col, offset, dtype, device, upper: bool, name: str):
    if row < 0:
        raise RuntimeError(f"row must be non-negative, got{row}")
    if col < 0:
        raise RuntimeError(f"col must be non-negative, got{col}")
    dt = D.int64 if dtype is None else D.to_dtype(dtype)
    if dt.category != 1:
        raise NotImplementedError(f"\"{name}\" not implemented for '{_scalar_name(dt)}'")
    r = _np.arange(row).reshape(-1, 1)
    c = _np.arange(col).reshape(1, -1)
    mask = (c - r >= offset) if upper else (c - r <= offset)
    ii, jj = _np.nonzero(mask)
    res = _new(_np.stack([ii, jj]).astype(dt.np).reshape(2, -1), dt)
    return res if device is None else res.to(device)


@public(method=False)
def tril_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None,
                 layout=None) -> Tensor:
    """torch.tril_indices: (2, N) row/column indices of the lower triangle."""
    return _tri_indices(row, col, offset, dtype, device, False, "tril_indices")


@public(method=False)
def triu_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None,
                 layout=None) -> Tensor:
    """torch.triu_indices: (2, N) row/column indices of the upper triangle."""
    return _tri_indices(row, col, offset, dtype, device, True, "triu_indices")


# ---- renorm -------------------------------------------------------------------------------------
@public(inplace=True)
def renorm(input: Tensor, p, dim: int, maxnorm) -> Tensor:
    """torch.renorm: sub-tensors along dim with p-norm above maxnorm scaled down to maxnorm."""
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    if input.ndim <= 1:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {input.ndim} "
                           "dimensions")
    d = wrap_dim(dim, input.ndim)
    others = tuple(a for a in range(input.ndim) if a != d)
    norm = _ops()["linalg_vector_norm"](input, p, others, True)
    over = norm > maxnorm
    factor = _ops()["where"](over, maxnorm / (norm + 1e-7), norm * 0 + 1)
    return input * factor



# ---- mvlgamma -----------------------------------------------------------------------------------
@public(inplace=True)
def mvlgamma(input: Tensor, p: int) -> Tensor:
    """torch.mvlgamma: the multivariate log-gamma of dimension p (integers as the default
    float)."""
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    x = input if input._dtype.category >= 2 else input.to(D.get_default_dtype())
    xp = xp_of(x)
    offs = _new(xp.arange(-p * 0.5 + 0.5, 0.5, 0.5).astype(x._array.dtype), x._dtype)
    args = x.unsqueeze(-1) + offs
    return args.lgamma().sum(-1) + p * (p - 1) * math.log(math.pi) / 4
