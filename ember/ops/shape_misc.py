"""Reorderings and diagonals: flip/fliplr/flipud, roll, rot90, tril/triu, diag, diag_embed,
trace. Imported by shape.py."""

from __future__ import annotations

from .. import _dtype as D
from .._tensor import Tensor
from ..backend import array_module
from ._registry import op, public
from ._util import accumulate_dtype, wrap_dim
from .shape import _clone_contiguous, _diag_scatter, _dims_arg, _int, _ints
from .shape import diagonal as _diagonal

__all__ = ["flip", "fliplr", "flipud", "roll", "rot90", "tril", "triu", "diag", "diag_embed",
           "trace"]


def _flip_dims(dims, nd: int) -> tuple:
    ds = [wrap_dim(d, nd) for d in dims]
    for d in ds:
        if ds.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return tuple(ds)


@op(saves=False)
def flip(input, *dims):
    """torch.flip: a reversed copy along dims (varargs or one sequence)."""
    ds = _flip_dims(_dims_arg(dims, "flip"), input.ndim)
    x = input._array
    xp = array_module(x)
    # NOTE: numpy's flip is a negative-stride view; torch's is a contiguous copy
    out = xp.ascontiguousarray(xp.flip(x, ds)) if ds else x.copy()
    if out is x:
        out = x.copy()
    return out, lambda gy: (gy.flip(ds),)


@public()
def fliplr(input: Tensor) -> Tensor:
    """torch.fliplr: flip dim 1."""
    if input.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


@public()
def flipud(input: Tensor) -> Tensor:
    """torch.flipud: flip dim 0."""
    if input.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


@op(saves=False)
def roll(input, shifts, dims=None):
    """torch.roll: circular shift along dims (of the flattened tensor when dims is None)."""
    sh = (shifts,) if not isinstance(shifts, (tuple, list)) else shifts
    sh = _ints(sh, "roll", "shifts")
    x = input._array
    xp = array_module(x)
    if dims is None or (isinstance(dims, (tuple, list)) and not dims):
        if len(sh) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(sh)}, dims:0")
        out = xp.roll(x.reshape(-1), sh[0]).reshape(x.shape)
        neg = (-sh[0],)
        return out, lambda gy: (gy.roll(neg),)
    ds = (dims,) if not isinstance(dims, (tuple, list)) else dims
    ds = tuple(wrap_dim(d, x.ndim) for d in _ints(ds, "roll", "dims"))
    if len(sh) != len(ds):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(sh)}, dims:{len(ds)}")
    out = xp.roll(x, sh, axis=ds)
    neg = tuple(-s for s in sh)
    return out, lambda gy: (gy.roll(neg, ds),)


@op(saves=False)
def rot90(input, k=1, dims=(0, 1)):
    """torch.rot90: rotate by k * 90 degrees in the plane of dims (from dims[0] to dims[1])."""
    ds = _ints(dims, "rot90", "dims")
    nd = input.ndim
    if len(ds) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(ds)}")
    if nd < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {nd}")
    d0, d1 = wrap_dim(ds[0], nd), wrap_dim(ds[1], nd)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and "
                           f"dim1 = {d1}")
    k = _int(k, "rot90", "k", 2) % 4
    x = input._array
    xp = array_module(x)
    # the same flip-then-transpose as torch, so strides (and is_contiguous) agree
    if k == 0:
        out = x.copy()
    elif k == 1:
        out = xp.swapaxes(xp.ascontiguousarray(xp.flip(x, d1)), d0, d1)
    elif k == 2:
        out = xp.ascontiguousarray(xp.flip(x, (d0, d1)))
    else:
        out = xp.swapaxes(xp.ascontiguousarray(xp.flip(x, d0)), d0, d1)
    return out, lambda gy: (gy.rot90(-k, (d0, d1)),)


def _tri(input, diagonal, name):
    x = input._array
    if x.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
    diagonal = _int(diagonal, name, "diagonal", 2)
    xp = array_module(x)
    return getattr(xp, name)(x, diagonal), diagonal


@op(saves=False, inplace=True)
def tril(input, diagonal=0):
    """torch.tril: zero the elements above the diagonal-th diagonal of the last two dims."""
    out, k = _tri(input, diagonal, "tril")
    return out, lambda gy: (gy.tril(k),)


@op(saves=False, inplace=True)
def triu(input, diagonal=0):
    """torch.triu: zero the elements below the diagonal-th diagonal of the last two dims."""
    out, k = _tri(input, diagonal, "triu")
    return out, lambda gy: (gy.triu(k),)


@public()
def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """torch.diag_embed: the last dim of input on the diagonal of two new dims."""
    nd = input.ndim + 1
    d1, d2 = wrap_dim(dim1, nd), wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    offset = _int(offset, "diag_embed", "offset", 2)
    if input.ndim == 0:
        from .shape import reshape
        input = reshape(input, (1,))
    n = input.shape[-1] + abs(offset)
    lead = list(input.shape[:-1])
    shape = tuple(n if i in (d1, d2) else lead.pop(0) for i in range(nd))
    return _diag_scatter(input, shape=shape, offset=offset, dim1=d1, dim2=d2,
                         name="DiagEmbedBackward0")


@public()
def diag(input: Tensor, diagonal: int = 0, *, out=None) -> Tensor:
    """torch.diag: a 1-D input as a diagonal matrix, or a 2-D input's diagonal (a copy)."""
    if input.ndim == 1:
        return diag_embed(input, diagonal, 0, 1)
    if input.ndim != 2:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")
    return _clone_contiguous(_diagonal(input, diagonal))


@op(saves=False)
def trace(input):
    """torch.trace: the sum of a matrix's main diagonal (integers sum to int64)."""
    x = input._array
    if x.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {x.ndim}")
    if input._dtype is D.bool:
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    odt = accumulate_dtype(input)
    out = array_module(x).trace(x, dtype=odt.np)
    shape = x.shape
    n = min(shape)

    def backward(gy):
        return (_diag_scatter(gy.expand(n), shape=shape, offset=0, dim1=0, dim2=1,
                              name="DiagonalBackward1"),)
    return out, backward, {"dtype": odt}

