"""Reductions: sum, mean, prod, max/min/amax/argmax, all/any, count_nonzero.

The rest of the family lives next door and is imported at the bottom, so importing this module
registers it all: stats.py (var/std, norms), softmax.py (softmax, log_softmax, logsumexp) and
sorting.py (sort, topk, median, mode, unique, cumulative ops).
"""

from __future__ import annotations

import builtins
import math

from numpy import errstate

from .. import _dtype as D
from .. import return_types as RT
from .._tensor import Tensor, _new
from ..autograd.grad_mode import GRAD_ENABLED
from ..backend import array_module
from ._registry import REGISTRY, _scalar_name, op, public
from ._util import accumulate_dtype, norm_dims, wrap_dim

_int64 = D.int64


# ---- helpers shared with sorting.py -------------------------------------------------------------
def axes_of(input: Tensor, dim):
    """dim (None/int/tuple) -> sorted axes or None (all); a 0-dim tensor accepts dim 0 and -1."""
    axes = norm_dims(dim, input.ndim)
    return None if input.ndim == 0 else axes


def keep(gy: Tensor, shape, axes, keepdim: bool) -> Tensor:
    """A reduced gradient reshaped so that it broadcasts against the input (keepdim layout)."""
    if keepdim or axes is None:
        return gy
    s = list(shape)
    for a in axes:
        s[a] = 1
    return gy.reshape(s)


def keep_arr(arr, shape, axes, keepdim: bool):
    """keep() for a raw array."""
    if keepdim or axes is None:
        return arr
    s = list(shape)
    for a in axes:
        s[a] = 1
    return arr.reshape(s)


def saved_out(out, recompute) -> Tensor:
    """The op's output as a Tensor for use in backward.

    Under create_graph it is recomputed with ember ops so that it carries the graph to the input
    (double backward); otherwise the forward result is wrapped as a constant.
    """
    return recompute() if GRAD_ENABLED[0] else _new(out)


def _flat_index(xp, index, shape, dim):
    """Linear positions in a C-contiguous array of `shape` of the entries index[..] along dim."""
    strides = [1] * len(shape)
    for a in range(len(shape) - 2, -1, -1):
        strides[a] = strides[a + 1] * shape[a + 1]
    flat = index.astype(_int64.np) * strides[dim]
    for a, n in enumerate(index.shape):
        if a != dim:
            shp = [1] * index.ndim
            shp[a] = n
            flat = flat + xp.arange(n, dtype=_int64.np).reshape(shp) * strides[a]
    return flat


@op("_scatter_add", function=False, method=False, saves=False)
def scatter_add(src, *, index, dim, size):
    """Zeros with src added at `index` along dim (the adjoint of gather); index: raw array."""
    xp = array_module(src._array)
    shape = list(src._array.shape)
    shape[dim] = size
    flat = _flat_index(xp, index, shape, dim).ravel()
    n = math.prod(shape)
    w = src._array.ravel()
    if w.dtype.kind == "c":
        out = (xp.bincount(flat, weights=w.real, minlength=n)
               + 1j * xp.bincount(flat, weights=w.imag, minlength=n))
    else:
        out = xp.bincount(flat, weights=w, minlength=n)
    out = out.astype(src._array.dtype).reshape(shape)

    def backward(gy):
        return (gather(gy, index=index, dim=dim),)
    return out, backward


@op("_gather", function=False, method=False, saves=False)
def gather(src, *, index, dim):
    """src's entries at `index` along dim (take_along_axis); index: raw array."""
    xp = array_module(src._array)
    n = src._array.shape[dim]

    def backward(gy):
        return (scatter_add(gy, index=index, dim=dim, size=n),)
    return xp.take_along_axis(src._array, index, axis=dim), backward


def select_result(input: Tensor, idx, d: int, keepdim: bool):
    """((values, indices), backward) for ops picking one entry per slice along d.

    idx: raw int64 indices in keepdim layout; the gradient goes to exactly that entry.
    """
    x = input._array
    xp = array_module(x)
    v = xp.take_along_axis(x, idx, axis=d)
    n = x.shape[d]

    def backward(gv, gi):
        if gv is None:
            return (None,)
        if not keepdim:
            gv = gv.unsqueeze(d)
        return (scatter_add(gv, index=idx, dim=d, size=n),)
    if not keepdim:
        return (v.squeeze(d), idx.squeeze(d)), backward
    return (v, idx), backward


def scalar_select(input: Tensor, dim):
    """The (values, indices) result of a dim-selecting op on a 0-dim tensor (itself, 0)."""
    wrap_dim(dim, 0)
    x = input._array
    xp = array_module(x)
    return (x.copy(), xp.zeros((), dtype=_int64.np)), lambda gv, gi: (gv,)


# ---- sum / mean / prod --------------------------------------------------------------------------
@op(saves=False)
def sum(input, dim=None, keepdim=False, *, dtype=None):
    axes = axes_of(input, dim)
    x = input._array
    odt = accumulate_dtype(input, dtype)
    out = x.sum(axis=axes, keepdims=keepdim, dtype=odt.np)

    def backward(gy):
        return (keep(gy, x.shape, axes, keepdim).expand(x.shape),)
    return out, backward, {"name": "SumBackward0" if dim is None else "SumBackward1",
                           "dtype": odt}


@op(saves=False)
def nansum(input, dim=None, keepdim=False, *, dtype=None):
    axes = axes_of(input, dim)
    x = input._array
    xp = array_module(x)
    odt = accumulate_dtype(input, dtype)
    if input._dtype.category >= 2:
        valid = ~xp.isnan(x)
        x = xp.where(valid, x, 0)
    out = x.sum(axis=axes, keepdims=keepdim, dtype=odt.np)

    def backward(gy):
        return (keep(gy, x.shape, axes, keepdim) * _new(valid),)
    return out, backward, {"dtype": odt}


@op(saves=False)
def mean(input, dim=None, keepdim=False, *, dtype=None):
    odt = D.to_dtype(dtype) if dtype is not None else input._dtype
    if odt.category < 2:
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {_scalar_name(input._dtype)}")
    axes = axes_of(input, dim)
    x = input._array
    with errstate(invalid="ignore", divide="ignore"):
        out = x.mean(axis=axes, keepdims=keepdim, dtype=odt.np)
    n = x.size // builtins.max(out.size, 1) if x.size else 0

    def backward(gy):
        return (keep(gy, x.shape, axes, keepdim).expand(x.shape) / n,)
    return out, backward, {"name": "MeanBackward0" if dim is None else "MeanBackward1",
                           "dtype": odt}


@public()
def nanmean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """torch.nanmean: the mean of the non-NaN entries."""
    if input._dtype.category < 2:
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype "
                           f"but got {_scalar_name(input._dtype)}")
    axes = axes_of(input, dim)
    xp = array_module(input._array)
    count = (~xp.isnan(input._array)).sum(axis=axes, keepdims=keepdim)
    return nansum(input, dim, keepdim, dtype=dtype) / _new(count)


def first_zero(xa, d: int):
    """(one-hot of each slice's first zero along d, zero count, arange along d, first index)."""
    xp = array_module(xa)
    z = xa == 0
    cnt = z.sum(axis=d, keepdims=True)
    first = xp.where(cnt > 0, xp.argmax(z, axis=d, keepdims=True), xa.shape[d])
    ar = xp.arange(xa.shape[d]).reshape([-1 if a == d else 1 for a in range(xa.ndim)])
    return ar == first, cnt, ar, first


def _prod_others(x: Tensor, d: int) -> Tensor:
    """For each entry along d, the product of the other entries of its slice (zeros allowed)."""
    xa = x._array
    if not (xa == 0).any():
        return prod(x, d, keepdim=True) / x
    if GRAD_ENABLED[0]:
        # create_graph: a formula whose own derivative is right, at O(n^2) cost (torch's
        # choice too): copies of the slice along a new axis d+1, copy i with x_i set to 1
        n = xa.shape[d]
        eye = array_module(xa).eye(n, dtype=xa.dtype)
        e = _new(eye.reshape((1,) * d + (n, n) + (1,) * (xa.ndim - d - 1)))
        return prod(x.unsqueeze(d + 1) * (1 - e) + e, d)
    # As torch: a slice without zeros uses prod / x; with one zero only that entry gets a
    # gradient, the product of the others (the zero replaced by 1); with more, all are 0.
    onehot, cnt, _, _ = first_zero(xa, d)
    dt = xa.dtype
    m = _new((cnt == 0).astype(dt))
    e = _new(onehot.astype(dt))
    safe = x * m + (1 - m)
    return (prod(safe, d, keepdim=True) / safe * m
            + prod(x * (1 - e) + e, d, keepdim=True) * e * _new((cnt == 1).astype(dt)))


@op()
def prod(input, dim=None, keepdim=False, *, dtype=None):
    x = input._array
    odt = accumulate_dtype(input, dtype)
    if dim is None:
        out = x.prod(dtype=odt.np)

        def backward(gy):
            if x.ndim == 0:
                return (gy,)
            return (gy * _prod_others(input.reshape(-1), 0).reshape(x.shape),)
        return out, _holomorphic(backward, odt), {"dtype": odt}
    d = wrap_dim(dim, x.ndim)
    if x.ndim == 0:
        return x.astype(odt.np), lambda gy: (gy,), {"name": "ProdBackward1", "dtype": odt}
    out = x.prod(axis=d, keepdims=keepdim, dtype=odt.np)

    def backward_dim(gy):
        return (keep(gy, x.shape, (d,), keepdim) * _prod_others(input, d),)
    return out, _holomorphic(backward_dim, odt), {"name": "ProdBackward1", "dtype": odt}


def _holomorphic(backward, dt):
    """torch's complex convention for a backward written as grad * f'(z) (see elementwise)."""
    if not dt.is_complex:
        return backward
    from .elementwise import holomorphic
    return holomorphic(backward, dt)


# ---- max / min / amax / amin / argmax / argmin / aminmax ----------------------------------------
def _nonempty(x, name: str, axes) -> None:
    if x.size:
        return
    if axes is None:
        raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() "
                           "== 0. Specify the reduction dim with the 'dim' argument.")
    for a in axes:
        if x.shape[a] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {a} to have non-zero size.")


def _extreme_all(input, largest: bool, name: str):
    x = input._array
    _nonempty(x, name, None)
    xp = array_module(x)
    out = x.max() if largest else x.min()
    out = xp.asarray(out)

    def backward(gy):
        # torch splits the gradient evenly among the entries equal to the result
        if xp.isnan(out).any():
            mask = xp.isnan(x)
        else:
            mask = x == out
        return (gy * _new((mask / mask.sum()).astype(x.dtype)),)
    return out, backward, {"name": f"{name.capitalize()}Backward1"}


@op("max", function=False, method=False)
def _max_all(input):
    return _extreme_all(input, True, "max")


@op("min", function=False, method=False)
def _min_all(input):
    return _extreme_all(input, False, "min")


def _extreme_dim(input, dim, keepdim, largest: bool, name: str):
    x = input._array
    if x.ndim == 0:
        return scalar_select(input, dim)
    d = wrap_dim(dim, x.ndim)
    _nonempty(x, name, (d,))
    xp = array_module(x)
    idx = (xp.argmax if largest else xp.argmin)(x, axis=d, keepdims=True)
    return select_result(input, idx.astype(_int64.np), d, keepdim)


@op("max", function=False, method=False, multi=True)
def _max_dim(input, *, dim, keepdim=False):
    return _extreme_dim(input, dim, keepdim, True, "max")


@op("min", function=False, method=False, multi=True)
def _min_dim(input, *, dim, keepdim=False):
    return _extreme_dim(input, dim, keepdim, False, "min")


def _extreme(input, dim, keepdim, other, largest: bool):
    if isinstance(dim, Tensor) or other is not None:
        return REGISTRY["maximum" if largest else "minimum"](input, other if other is not None
                                                              else dim)
    if dim is None:
        if keepdim:
            raise TypeError(f"{'max' if largest else 'min'}() received an invalid combination "
                            "of arguments: keepdim given without dim")
        return (_max_all if largest else _min_all)(input)
    res = (_max_dim if largest else _min_dim)(input, dim=dim, keepdim=keepdim)
    return (RT.max if largest else RT.min)(res)


@public()
def max(input: Tensor, dim=None, keepdim: bool = False, *, other=None):
    """torch.max: max(input), max(input, dim, keepdim) -> (values, indices), max(input, other)."""
    return _extreme(input, dim, keepdim, other, True)


@public()
def min(input: Tensor, dim=None, keepdim: bool = False, *, other=None):
    """torch.min: min(input), min(input, dim, keepdim) -> (values, indices), min(input, other)."""
    return _extreme(input, dim, keepdim, other, False)


def _amax_impl(input, dim, keepdim, largest: bool, name: str):
    x = input._array
    axes = axes_of(input, dim if dim != () else None)
    _nonempty(x, name, axes)
    out = x.max(axis=axes, keepdims=keepdim) if largest else x.min(axis=axes, keepdims=keepdim)

    def backward(gy):
        # the gradient is shared evenly among the entries equal to the extreme value
        mask = x == keep_arr(out, x.shape, axes, keepdim)
        count = mask.sum(axis=axes, keepdims=True)
        return (keep(gy, x.shape, axes, keepdim) * _new((mask / count).astype(x.dtype)),)
    return out, backward


@op()
def amax(input, dim=(), keepdim=False):
    return _amax_impl(input, dim, keepdim, True, "amax")


@op()
def amin(input, dim=(), keepdim=False):
    return _amax_impl(input, dim, keepdim, False, "amin")


@op(multi=True)
def aminmax(input, *, dim=None, keepdim=False):
    lo, blo = _amax_impl(input, dim, keepdim, False, "aminmax")
    hi, bhi = _amax_impl(input, dim, keepdim, True, "aminmax")

    def backward(glo, ghi):
        g = None
        if glo is not None:
            g = blo(glo)[0]
        if ghi is not None:
            gh = bhi(ghi)[0]
            g = gh if g is None else g + gh
        return (g,)
    return (lo, hi), backward


_aminmax_prim = aminmax


@public("aminmax")
def _aminmax(input: Tensor, *, dim=None, keepdim: bool = False):
    """torch.aminmax -> (min, max)."""
    return RT.aminmax(_aminmax_prim(input, dim=dim, keepdim=keepdim))


def _arg_extreme(input, dim, keepdim, largest: bool, name: str):
    x = input._array
    if input._dtype is D.bool:
        raise RuntimeError(f"{name}(): does not support bool input")
    xp = array_module(x)
    f = xp.argmax if largest else xp.argmin
    if dim is None:
        if not x.size:
            raise IndexError(f"{name}(): Expected reduction dim to be specified for "
                             "input.numel() == 0.")
        out = f(x.reshape(-1))
        out = xp.asarray(out, dtype=_int64.np)
        return out.reshape((1,) * x.ndim) if keepdim else out
    if x.ndim == 0:
        wrap_dim(dim, 0)
        return xp.zeros((), dtype=_int64.np)
    d = wrap_dim(dim, x.ndim)
    _nonempty(x, name, (d,))
    return f(x, axis=d, keepdims=keepdim).astype(_int64.np)


@op()
def argmax(input, dim=None, keepdim=False):
    return _arg_extreme(input, dim, keepdim, True, "argmax")


@op()
def argmin(input, dim=None, keepdim=False):
    return _arg_extreme(input, dim, keepdim, False, "argmin")


# ---- all / any / count_nonzero ------------------------------------------------------------------
def _logical_reduce(input, dim, keepdim, fn: str):
    x = input._array
    xp = array_module(x)
    axes = axes_of(input, dim)
    out = getattr(x.astype(bool) if x.dtype != bool else x, fn)(axis=axes, keepdims=keepdim)
    out = xp.asarray(out)
    # NOTE: torch keeps uint8 for uint8 input (legacy behaviour)
    return out.astype(x.dtype) if input._dtype is D.uint8 else out


@op()
def all(input, dim=None, keepdim=False):
    return _logical_reduce(input, dim, keepdim, "all")


@op()
def any(input, dim=None, keepdim=False):
    return _logical_reduce(input, dim, keepdim, "any")


@op()
def count_nonzero(input, dim=None):
    x = input._array
    xp = array_module(x)
    return xp.asarray((x != 0).sum(axis=axes_of(input, dim)), dtype=_int64.np)


# the rest of the family (registered on import); vector_norm is re-exported for ember.linalg
from . import softmax, sorting  # noqa: E402,F401
from .stats import vector_norm  # noqa: E402,F401
