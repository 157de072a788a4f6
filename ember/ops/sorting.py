"""Sorting and selection (sort, topk, kthvalue, median, mode), unique, cumulative ops."""

from __future__ import annotations

from .. import _dtype as D
from .. import return_types as RT
from .._tensor import Tensor, _new
from ..autograd.grad_mode import GRAD_ENABLED
from ..backend import array_module
from ._registry import op, public
from ._util import accumulate_dtype, wrap_dim
from .reduce import (
    _nonempty,
    first_zero,
    saved_out,
    scalar_select,
    scatter_add,
    select_result,
)

_i64 = D.int64.np


def _argsort(xp, x, d: int, descending: bool):
    """Stable argsort along d; NaN sorts as the largest value (last, or first if descending)."""
    if not descending:
        return xp.argsort(x, axis=d, kind="stable").astype(_i64)
    # a stable descending order: sort the reversed slice ascending, then reverse back
    n = x.shape[d]
    idx = xp.argsort(xp.flip(x, d), axis=d, kind="stable")
    return (n - 1 - xp.flip(idx, d)).astype(_i64)


def _no_bool(input: Tensor, kernel: str) -> None:
    if input._dtype is D.bool:
        if kernel == "topk":
            raise RuntimeError("topk does not support bool dtypes on CPU")
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')


def _take(a, start: int, stop: int, d: int):
    sl = [slice(None)] * a.ndim
    sl[d] = slice(start, stop)
    return a[tuple(sl)]


def _nan_count(xp, x, d: int):
    if x.dtype.kind not in "fc":
        return xp.zeros([1 if a == d else s for a, s in enumerate(x.shape)], dtype=_i64)
    return xp.isnan(x).sum(axis=d, keepdims=True)


# ---- sort / argsort / msort / topk / kthvalue ---------------------------------------------------
def _permuted(input, idx, d):
    """((values, indices), backward) for a reordering/selection idx (full layout) along d."""
    x = input._array
    xp = array_module(x)
    n = x.shape[d]

    def backward(gv, gi):
        return (None if gv is None else scatter_add(gv, index=idx, dim=d, size=n),)
    return (xp.take_along_axis(x, idx, axis=d), idx), backward


@op("sort", function=False, method=False, multi=True)
def _sort(input, *, dim=-1, descending=False):
    x = input._array
    if x.ndim == 0:
        return scalar_select(input, dim)
    d = wrap_dim(dim, x.ndim)
    return _permuted(input, _argsort(array_module(x), x, d, descending), d)


@public()
def sort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False):
    """torch.sort -> (values, indices); always stable (torch allows any order among ties)."""
    return RT.sort(_sort(input, dim=dim, descending=descending))


@op()
def argsort(input, dim=-1, descending=False, stable=False):
    x = input._array
    xp = array_module(x)
    if x.ndim == 0:
        wrap_dim(dim, 0)
        return xp.zeros((), dtype=_i64)
    return _argsort(xp, x, wrap_dim(dim, x.ndim), descending)


@public()
def msort(input: Tensor) -> Tensor:
    """torch.msort: sorted along dim 0."""
    return _sort(input, dim=0)[0]


@op("topk", function=False, method=False, multi=True)
def _topk(input, k, *, dim=-1, largest=True):
    _no_bool(input, "topk")
    x = input._array
    n = x.shape[wrap_dim(dim, x.ndim)] if x.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    if x.ndim == 0:
        return scalar_select(input, dim)
    d = wrap_dim(dim, x.ndim)
    idx = _take(_argsort(array_module(x), x, d, largest), 0, k, d)
    return _permuted(input, idx, d)


@public()
def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):
    """torch.topk -> (values, indices); the result is always sorted."""
    return RT.topk(_topk(input, int(k), dim=dim, largest=largest))


@op("kthvalue", function=False, method=False, multi=True)
def _kthvalue(input, k, *, dim=-1, keepdim=False):
    _no_bool(input, "kthvalue_cpu")
    x = input._array
    d = wrap_dim(dim, x.ndim)
    n = x.shape[d] if x.ndim else 1
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    if x.ndim == 0:
        return scalar_select(input, dim)
    xp = array_module(x)
    idx = _take(_argsort(xp, x, d, False), k - 1, k, d)
    return select_result(input, idx, d, keepdim)


@public()
def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False):
    """torch.kthvalue -> (values, indices) of the k-th smallest entry (1-based) along dim."""
    return RT.kthvalue(_kthvalue(input, int(k), dim=dim, keepdim=keepdim))


# ---- median / nanmedian / mode ------------------------------------------------------------------
def _median_index(xp, x, d: int, ignore_nan: bool):
    """Indices (keepdim layout) of the lower median along d.

    median: NaN if the slice has one (the first NaN's index); nanmedian: among non-NaN entries.
    """
    s = _argsort(xp, x, d, False)           # NaNs last, in their original order
    n = x.shape[d]
    nn = _nan_count(xp, x, d)
    if ignore_nan:
        c = n - nn
        pos = xp.where(c > 0, (c - 1) // 2, 0)
    else:
        pos = xp.where(nn > 0, n - nn, (n - 1) // 2)
    return xp.take_along_axis(s, pos.astype(_i64), axis=d)


def _median_all(input, ignore_nan: bool, name: str):
    _no_bool(input, "median_cpu")
    x = input._array
    xp = array_module(x)
    if not x.size:
        return xp.asarray(xp.nan, dtype=x.dtype)
    flat = x.reshape(-1)
    out = flat[_median_index(xp, flat, 0, ignore_nan)[0]]

    def backward(gy):
        # torch splits the gradient evenly among the entries equal to the result
        mask = xp.isnan(x) if xp.isnan(out) else x == out
        return (gy * _new((mask / mask.sum()).astype(x.dtype)),)
    return xp.asarray(out), backward, {"name": name + "Backward0"}


def _median_dim(input, dim, keepdim, ignore_nan: bool, name: str):
    _no_bool(input, "median_out")
    x = input._array
    if x.ndim == 0:
        return scalar_select(input, dim)
    d = wrap_dim(dim, x.ndim)
    _nonempty(x, name.lower(), (d,))
    xp = array_module(x)
    res, backward = select_result(input, _median_index(xp, x, d, ignore_nan), d, keepdim)
    return res, backward, {"name": name + "Backward1"}


@op("median", function=False, method=False)
def _median_full(input):
    return _median_all(input, False, "Median")


@op("median", function=False, method=False, multi=True)
def _median_d(input, *, dim, keepdim=False):
    return _median_dim(input, dim, keepdim, False, "Median")


@op("nanmedian", function=False, method=False)
def _nanmedian_full(input):
    return _median_all(input, True, "Nanmedian")


@op("nanmedian", function=False, method=False, multi=True)
def _nanmedian_d(input, *, dim, keepdim=False):
    return _median_dim(input, dim, keepdim, True, "Nanmedian")


@public()
def median(input: Tensor, dim=None, keepdim: bool = False):
    """torch.median: the lower median; with dim -> (values, indices)."""
    if dim is None:
        return _median_full(input)
    return RT.median(_median_d(input, dim=dim, keepdim=keepdim))


@public()
def nanmedian(input: Tensor, dim=None, keepdim: bool = False):
    """torch.nanmedian: median ignoring NaNs; with dim -> (values, indices)."""
    if dim is None:
        return _nanmedian_full(input)
    return RT.nanmedian(_nanmedian_d(input, dim=dim, keepdim=keepdim))


@op("mode", function=False, method=False, multi=True)
def _mode(input, *, dim=-1, keepdim=False):
    x = input._array
    if x.ndim == 0:
        return scalar_select(input, dim)
    d = wrap_dim(dim, x.ndim)
    _nonempty(x, "mode", (d,))
    xp = array_module(x)
    n = x.shape[d]
    s = _argsort(xp, x, d, False)
    sv = xp.take_along_axis(x, s, axis=d)
    ar = xp.arange(n, dtype=_i64).reshape([n if a == d else 1 for a in range(x.ndim)])
    diff = _take(sv, 1, n, d) != _take(sv, 0, n - 1, d)     # NaN != NaN: own runs
    edge = xp.ones_like(_take(sv, 0, 1, d), dtype=bool)
    start = xp.concatenate([edge, diff], axis=d)
    end = xp.concatenate([diff, edge], axis=d)
    first = xp.maximum.accumulate(xp.where(start, ar, 0), axis=d)
    last = n - 1 - xp.flip(xp.maximum.accumulate(xp.where(xp.flip(end, d), ar, 0), axis=d), d)
    # the most frequent value (the smallest among equally frequent ones, as torch), reported at
    # its last occurrence in the input (the end of its run in the stable sort)
    best = xp.argmax(last - first, axis=d, keepdims=True)
    idx = xp.take_along_axis(s, xp.take_along_axis(last, best, axis=d), axis=d)
    return select_result(input, idx, d, keepdim)


@public()
def mode(input: Tensor, dim: int = -1, keepdim: bool = False):
    """torch.mode -> (values, indices): the most frequent value along dim."""
    return RT.mode(_mode(input, dim=dim, keepdim=keepdim))


# ---- unique -------------------------------------------------------------------------------------
def _no_grad(name: str):
    def backward(*gys):
        raise NotImplementedError(f"the derivative for '{name}' is not implemented.")
    return backward


@op("_unique2", function=False, method=False, multi=True)
def _unique(input, *, dim=None):
    x = input._array
    xp = array_module(x)
    if dim is None:
        out, inv, cnt = xp.unique(x.reshape(-1), return_inverse=True, return_counts=True,
                                  equal_nan=False)
        inv = inv.reshape(x.shape)
    else:
        out, inv, cnt = xp.unique(x, return_inverse=True, return_counts=True,
                                  axis=wrap_dim(dim, x.ndim), equal_nan=False)
        inv = inv.reshape(-1)
    return (out, inv.astype(_i64), cnt.astype(_i64)), _no_grad("_unique2")


def _pick(res, return_inverse: bool, return_counts: bool):
    out, inv, cnt = res
    if return_inverse and return_counts:
        return out, inv, cnt
    if return_inverse:
        return out, inv
    if return_counts:
        return out, cnt
    return out


@public()
def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False,
           return_counts: bool = False, dim=None):
    """torch.unique: sorted unique values (NaNs are all distinct), optional inverse/counts."""
    return _pick(_unique(input, dim=dim), return_inverse, return_counts)


@op("unique_consecutive", function=False, method=False, multi=True)
def _unique_consecutive(input, *, dim=None):
    x = input._array
    xp = array_module(x)
    if dim is None:
        flat_shape, rows = x.shape, x.reshape(-1, 1)
    else:
        d = wrap_dim(dim, x.ndim)
        flat_shape = (x.shape[d],)
        rows = xp.moveaxis(x, d, 0).reshape(x.shape[d], -1)
    n = rows.shape[0]
    change = xp.ones(n, dtype=bool)
    if n > 1:
        change[1:] = (rows[1:] != rows[:-1]).any(axis=1)
    inv = (xp.cumsum(change) - 1).astype(_i64).reshape(flat_shape)
    starts = xp.nonzero(change)[0]
    cnt = xp.diff(xp.concatenate([starts, xp.asarray([n])])).astype(_i64)
    out = x.reshape(-1)[starts] if dim is None else xp.take(x, starts, axis=d)
    return (out, inv, cnt), _no_grad("unique_consecutive")


@public()
def unique_consecutive(input: Tensor, return_inverse: bool = False, return_counts: bool = False,
                       dim=None):
    """torch.unique_consecutive: collapse runs of equal values (or slices along dim)."""
    return _pick(_unique_consecutive(input, dim=dim), return_inverse, return_counts)


# ---- cumulative ops -----------------------------------------------------------------------------
def _cum_setup(input, dim, dtype):
    x = input._array
    d = wrap_dim(dim, x.ndim)
    odt = accumulate_dtype(input, dtype)
    return x.reshape(1) if x.ndim == 0 else x, (0 if x.ndim == 0 else d), odt


def _acc(odt):
    """The accumulation dtype: float16 runs in float32, as torch does (a float16 running sum
    stalls once it is large)."""
    return D.float32.np if odt is D.float16 else odt.np


def _rev_cumsum(g: Tensor, d: int) -> Tensor:
    """out_i = sum_{k >= i} g_k along d (the adjoint of cumsum)."""
    return g - g.cumsum(d) + g.sum(d, keepdim=True)


@op(saves=False, inplace=True)
def cumsum(input, dim, *, dtype=None):
    x, d, odt = _cum_setup(input, dim, dtype)
    out = x.cumsum(axis=d, dtype=_acc(odt)).astype(odt.np, copy=False).reshape(input.shape)

    def backward(gy):
        return (gy if input.ndim == 0 else _rev_cumsum(gy, d),)
    return out, backward, {"dtype": odt}


@op(inplace=True)
def cumprod(input, dim, *, dtype=None):
    x, d, odt = _cum_setup(input, dim, dtype)
    out = x.cumprod(axis=d, dtype=_acc(odt)).astype(odt.np, copy=False).reshape(input.shape)

    def backward(gy):
        if input.ndim == 0:
            return (gy,)
        if not (x == 0).any():
            y = saved_out(out, lambda: cumprod(input, d))
            return (_rev_cumsum(gy * y, d) / input,)
        xp = array_module(x)
        n = x.shape[d]
        if GRAD_ENABLED[0]:
            # create_graph needs a formula whose own derivative is right: O(n^2), as torch.
            # C[k, i] = prod_{j <= k, j != i} x_j (copies of the input along a new axis d+1,
            # copy i with x_i set to 1), then gx_i = sum_{k >= i} gy_k C[k, i].
            shp = (1,) * d + (n, n) + (1,) * (x.ndim - d - 1)
            e = _new(xp.eye(n, dtype=x.dtype).reshape(shp))
            tri = _new(xp.tril(xp.ones((n, n), dtype=x.dtype)).reshape(shp))
            c = cumprod(input.unsqueeze(d + 1) * (1 - e) + e, d)
            return ((gy.unsqueeze(d + 1) * c * tri).sum(d),)
        # With zeros (as torch): before a slice's first zero z the division formula holds; at
        # z, gx_z = sum_{k >= z} gy_k prod_{j <= k, j != z} x_j (cumprod with x_z set to 1);
        # after z every output has the factor x_z = 0, so the gradient is 0.
        onehot, _, ar, first = first_zero(x, d)
        dt = x.dtype
        b = _new((ar < first).astype(dt))
        e = _new(onehot.astype(dt))
        safe = input * b + (1 - b)
        y = _new(out)
        at_zero = (gy * cumprod(input * (1 - e) + e, d) * _new((ar >= first).astype(dt)))
        return (_rev_cumsum(gy * y, d) / safe * b + e * at_zero.sum(d, keepdim=True),)
    if odt.is_complex:
        from .elementwise import holomorphic
        backward = holomorphic(backward, odt)
    return out, backward, {"dtype": odt}


def _cum_extreme(input, dim, largest: bool):
    x = input._array
    xp = array_module(x)
    d = wrap_dim(dim, x.ndim)
    if x.ndim == 0:
        return scalar_select(input, dim)
    ufunc = xp.maximum if largest else xp.minimum
    v = ufunc.accumulate(x, axis=d)
    n = x.shape[d]
    # an entry becomes the running extreme when it reaches it (ties: the later one, as torch)
    # or is NaN (NaN propagates, and each new NaN takes over the index)
    hit = x == v
    if x.dtype.kind in "fc":
        hit = hit | xp.isnan(x)
    ar = xp.arange(n, dtype=_i64).reshape([n if a == d else 1 for a in range(x.ndim)])
    idx = xp.maximum.accumulate(xp.where(hit, ar, 0), axis=d)

    def backward(gv, gi):
        return (None if gv is None else scatter_add(gv, index=idx, dim=d, size=n),)
    return (v, idx), backward


@op("cummax", function=False, method=False, multi=True)
def _cummax(input, *, dim):
    return _cum_extreme(input, dim, True)


@op("cummin", function=False, method=False, multi=True)
def _cummin(input, *, dim):
    return _cum_extreme(input, dim, False)


@public()
def cummax(input: Tensor, dim: int):
    """torch.cummax -> (values, indices) of the running maximum along dim."""
    return RT.cummax(_cummax(input, dim=dim))


@public()
def cummin(input: Tensor, dim: int):
    """torch.cummin -> (values, indices) of the running minimum along dim."""
    return RT.cummin(_cummin(input, dim=dim))

