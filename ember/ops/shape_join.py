"""Joining and splitting: cat/stack (+ h/v/d/column_stack), split/chunk/unbind/tensor_split,
repeat/tile/repeat_interleave, meshgrid. Imported by shape.py."""

from __future__ import annotations

from .. import _dtype as D
from .._tensor import Tensor
from ..backend import array_module, cast
from ._registry import _scalar_name, op, public, write_out
from ._util import wrap_dim
from .shape import (
    _clone_contiguous,
    _int,
    _ints,
    _size_args,
    _view_key,
    atleast_1d,
    atleast_2d,
    atleast_3d,
    expand,
    flatten,
    narrow,
    reshape,
    unsqueeze,
    warn_once,
)

__all__ = ["cat", "stack", "split", "chunk", "unbind", "tensor_split", "hsplit", "vsplit",
           "dsplit", "repeat", "tile", "repeat_interleave", "meshgrid"]


def _tensor_list(tensors, fname: str) -> list:
    """The tensors argument of cat/stack: a tuple or list of Tensors (torch's TypeErrors)."""
    if not isinstance(tensors, (tuple, list)):
        raise TypeError(f"{fname}(): argument 'tensors' (position 1) must be tuple of Tensors, "
                        f"not {type(tensors).__name__}")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")
    return list(tensors)


def _zeros(shape, like: Tensor) -> Tensor:
    from .._creation import zeros
    return zeros(shape, dtype=like._dtype, device=like.device)


# ---- cat / stack --------------------------------------------------------------------------------
def _cat_fn(*tensors, dim, dtype, skip=()):
    xs = [cast(t._array, dtype) for i, t in enumerate(tensors) if i not in skip]
    out = array_module(xs[0]).concatenate(xs, axis=dim)
    sizes = [None if i in skip else t._array.shape[dim] for i, t in enumerate(tensors)]

    def backward(gy):
        grads, off = [], 0
        for n in sizes:
            if n is None:
                grads.append(_zeros((0,), gy))
                continue
            grads.append(narrow(gy, dim, off, n))
            off += n
        return tuple(grads)
    return out, backward, {"name": "CatBackward0", "dtype": dtype}


_cat = op("_cat", function=False, method=False, saves=False)(_cat_fn)


@public(method=False)
def cat(tensors, dim: int = 0, *, out=None) -> Tensor:
    """torch.cat: dtypes promote across inputs; 1-D empty tensors are skipped, as in torch."""
    tensors = _tensor_list(tensors, "cat")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    dt = tensors[0]._dtype
    for i, t in enumerate(tensors):
        if t.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be "
                               "concatenated")
        dt = D.promote_types(dt, t._dtype)
    dim = _int(dim, "cat", "dim", 2)
    # NOTE: torch still skips legacy empty 1-D tensors (shape [0]) whatever the other shapes
    keep = [(i, t) for i, t in enumerate(tensors) if not (t.ndim == 1 and t.shape[0] == 0)]
    if not keep:
        wrap_dim(dim, 1)
        keep = [(0, tensors[0])]
    skip = () if len(keep) == len(tensors) else \
        frozenset(range(len(tensors))) - {i for i, _ in keep}
    ref = keep[0][1]
    d = wrap_dim(dim, ref.ndim)
    for i, t in keep[1:]:
        if t.ndim != ref.ndim:
            raise RuntimeError("Tensors must have same number of dimensions: got "
                               f"{ref.ndim} and {t.ndim}")
        for k in range(ref.ndim):
            if k != d and t.shape[k] != ref.shape[k]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. "
                                   f"Expected size {ref.shape[k]} but got size {t.shape[k]} "
                                   f"for tensor number {i} in the list.")
    res = _cat(*tensors, dim=d, dtype=dt, skip=skip)
    if out is not None:
        write_out(out, res)
        return out
    return res


@public(method=False)
def concat(tensors, dim: int = 0, *, out=None) -> Tensor:
    """torch.concat (alias of cat)."""
    return cat(tensors, dim, out=out)


@public(method=False)
def concatenate(tensors, axis: int = 0, out=None) -> Tensor:
    """torch.concatenate (alias of cat with numpy's argument name)."""
    return cat(tensors, axis, out=out)


def _stack_fn(*tensors, dim, dtype):
    xs = [cast(t._array, dtype) for t in tensors]
    out = array_module(xs[0]).stack(xs, axis=dim)
    return out, lambda gy: unbind(gy, dim), {"name": "StackBackward0", "dtype": dtype}


_stack = op("_stack", function=False, method=False, saves=False)(_stack_fn)


@public(method=False)
def stack(tensors, dim: int = 0, *, out=None) -> Tensor:
    """torch.stack: join equal-shaped tensors along a new dim (dim may equal ndim)."""
    tensors = _tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    ref = tensors[0]
    d = wrap_dim(_int(dim, "stack", "dim", 2), ref.ndim + 1)
    dt = ref._dtype
    for i, t in enumerate(tensors[1:], 1):
        if t.shape != ref.shape:
            raise RuntimeError("stack expects each tensor to be equal size, but got "
                               f"{list(ref.shape)} at entry 0 and {list(t.shape)} at entry {i}")
        dt = D.promote_types(dt, t._dtype)
    res = _stack(*tensors, dim=d, dtype=dt)
    if out is not None:
        write_out(out, res)
        return out
    return res


@public(method=False)
def hstack(tensors, *, out=None) -> Tensor:
    """torch.hstack: cat along dim 1 (dim 0 for 1-D inputs)."""
    ts = atleast_1d(tuple(_tensor_list(tensors, "hstack")))
    return cat(ts, 0 if ts and ts[0].ndim == 1 else 1, out=out)


@public(method=False)
def vstack(tensors, *, out=None) -> Tensor:
    """torch.vstack: cat along dim 0 after atleast_2d."""
    return cat(atleast_2d(tuple(_tensor_list(tensors, "vstack"))), 0, out=out)


@public(method=False)
def row_stack(tensors, *, out=None) -> Tensor:
    """torch.row_stack (alias of vstack)."""
    return vstack(tensors, out=out)


@public(method=False)
def dstack(tensors, *, out=None) -> Tensor:
    """torch.dstack: cat along dim 2 after atleast_3d."""
    return cat(atleast_3d(tuple(_tensor_list(tensors, "dstack"))), 2, out=out)


@public(method=False)
def column_stack(tensors, *, out=None) -> Tensor:
    """torch.column_stack: 0-D/1-D inputs become columns, then cat along dim 1."""
    ts = [reshape(t, (t.numel(), 1)) if t.ndim <= 1 else t
          for t in _tensor_list(tensors, "column_stack")]
    return cat(ts, 1, out=out)


# ---- split / chunk / unbind ---------------------------------------------------------------------
def _fill_none(gys, shapes, like):
    return [g if g is not None else _zeros(s, like) for g, s in zip(gys, shapes)]


def _split_fn(input, *, sizes, dim, name):
    x = input._array
    lead = (slice(None),) * dim
    outs, off = [], 0
    for n in sizes:
        outs.append(x[lead + (slice(off, off + n),)])
        off += n
    shapes = [o.shape for o in outs]

    def backward(*gys):
        like = next(g for g in gys if g is not None)
        return (_cat(*_fill_none(gys, shapes, like), dim=dim, dtype=like._dtype),)
    return tuple(outs), backward, {"name": name}


_split = op("_split", function=False, method=False, saves=False, view=True,
            multi=True)(_split_fn)


def _split_sizes(n: int, split_size: int) -> list:
    if split_size < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size="
                           f"{split_size}")
    if split_size == 0:
        if n:
            raise RuntimeError("split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {n}")
        return [0]
    k = max(1, -(-n // split_size))
    return [split_size] * (k - 1) + [n - split_size * (k - 1)]


def _split_impl(input: Tensor, split_size, dim: int) -> tuple:
    if input.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = wrap_dim(_int(dim, "split", "dim", 2), input.ndim)
    n = input.shape[d]
    if isinstance(split_size, (tuple, list)):
        return split_with_sizes(input, split_size, d)
    sizes = _split_sizes(n, _int(split_size, "split", "split_size", 1))
    return _split(input, sizes=sizes, dim=d, name="SplitBackward0")


@public(method=False)
def split(tensor: Tensor, split_size_or_sections, dim: int = 0) -> tuple:
    """torch.split: chunks of split_size (the last may be smaller) or of the listed sizes."""
    return _split_impl(tensor, split_size_or_sections, dim)


@public("split", function=False)
def _split_method(self: Tensor, split_size, dim: int = 0) -> tuple:
    """torch.Tensor.split."""
    return _split_impl(self, split_size, dim)


@public()
def split_with_sizes(input: Tensor, split_sizes, dim: int = 0) -> tuple:
    """torch.split_with_sizes."""
    d = wrap_dim(_int(dim, "split_with_sizes", "dim", 2), max(input.ndim, 1))
    sizes = list(_ints(split_sizes, "split_with_sizes", "split_sizes"))
    n = input.shape[d] if input.ndim else 1
    if sum(sizes) != n or any(s < 0 for s in sizes):
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input "
                           f"tensor's size at dimension {d}), but got split_sizes={sizes}")
    return _split(input, sizes=sizes, dim=d, name="SplitWithSizesBackward0")


@public()
def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple:
    """torch.chunk: at most `chunks` pieces of ceil(size / chunks)."""
    chunks = _int(chunks, "chunk", "chunks", 1)
    if input.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = wrap_dim(_int(dim, "chunk", "dim", 2), input.ndim)
    n = input.shape[d]
    sizes = [0] * chunks if n == 0 else _split_sizes(n, -(-n // chunks))
    return _split(input, sizes=sizes, dim=d, name="SplitBackward0")


def _unbind_fn(input, *, dim):
    x = input._array
    lead = (slice(None),) * dim
    outs = tuple(x[lead + (i, Ellipsis)] for i in range(x.shape[dim]))
    shape = x.shape[:dim] + x.shape[dim + 1:]

    def backward(*gys):
        like = next(g for g in gys if g is not None)
        return (_stack(*_fill_none(gys, [shape] * len(gys), like), dim=dim, dtype=like._dtype),)
    return outs, backward, {"name": "UnbindBackward0"}


_unbind = op("_unbind", function=False, method=False, saves=False, view=True,
             multi=True)(_unbind_fn)


@public()
def unbind(input: Tensor, dim: int = 0) -> tuple:
    """torch.unbind: a tuple of views, one per index of dim."""
    dim = _int(dim, "unbind", "dim", 1)
    if input.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    d = wrap_dim(dim, input.ndim)
    if input.shape[d] == 0:
        return ()
    return _unbind(input, dim=d)


@public()
def tensor_split(input: Tensor, indices_or_sections, dim: int = 0) -> tuple:
    """torch.tensor_split: n near-equal sections, or splits at the listed indices."""
    if input.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a "
                           "tensor with 0 dims")
    d = wrap_dim(_int(dim, "tensor_split", "dim", 2), input.ndim)
    n = input.shape[d]
    ios = indices_or_sections
    if isinstance(ios, Tensor):
        if ios._dtype.category != 1:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to have "
                               f"integer dtype, but got {ios._dtype}")
        if ios.ndim > 1:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to be a "
                               f"zero-dimensional or one-dimensional tensor, but got a tensor "
                               f"with {ios.ndim} dims")
        ios = ios.item() if ios.ndim == 0 else ios.tolist()
    if isinstance(ios, (tuple, list)):
        bounds = [0] + [i + n if i < 0 else i for i in _ints(ios, "tensor_split", "indices")] \
            + [n]
    else:
        k = _int(ios, "tensor_split", "sections", 1)
        if k <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {k}")
        q, r = divmod(n, k)
        bounds = [0]
        for i in range(k):
            bounds.append(bounds[-1] + q + (1 if i < r else 0))
    lead = (slice(None),) * d
    outs = []
    for a, b in zip(bounds[:-1], bounds[1:]):
        a = min(max(a, 0), n)
        b = min(max(b, a), n)
        outs.append(_view_key(input, key=lead + (slice(a, b),), name="SliceBackward0"))
    return tuple(outs)


def _nsplit(name: str, input: Tensor, ios, min_dim: int, dim: int) -> tuple:
    if input.ndim < min_dim:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {min_dim} dimension, "
                           f"but got a tensor with {input.ndim} dimensions!")
    if not isinstance(ios, (tuple, list)):
        k = _int(ios, name, "sections", 1)
        n = input.shape[dim]
        if k <= 0 or n % k:
            raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but the "
                               f"size of the dimension {n} is not divisible by the split_size "
                               f"{k}!")
    return tensor_split(input, ios, dim)


@public()
def hsplit(input: Tensor, indices_or_sections) -> tuple:
    """torch.hsplit: tensor_split along dim 1 (dim 0 for 1-D), sections must divide evenly."""
    return _nsplit("hsplit", input, indices_or_sections, 1, 0 if input.ndim == 1 else 1)


@public()
def vsplit(input: Tensor, indices_or_sections) -> tuple:
    """torch.vsplit: tensor_split along dim 0 of an at least 2-D tensor."""
    return _nsplit("vsplit", input, indices_or_sections, 2, 0)


@public()
def dsplit(input: Tensor, indices_or_sections) -> tuple:
    """torch.dsplit: tensor_split along dim 2 of an at least 3-D tensor."""
    return _nsplit("dsplit", input, indices_or_sections, 3, 2)


# ---- repeat / tile / repeat_interleave ----------------------------------------------------------
@op(saves=False, function=False)
def repeat(input, *repeats):
    """torch.Tensor.repeat: tile input (repeats may add leading dims)."""
    reps = _size_args(repeats, "repeat", "repeats")
    x = input._array
    if len(reps) < x.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    src = (1,) * (len(reps) - x.ndim) + x.shape
    shape = [s * r for s, r in zip(src, reps)]
    for s in shape:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {shape}")
    out = array_module(x).tile(x, reps)
    in_shape = x.shape

    def backward(gy):
        # out[r0*s0 + i0, ...] = x[i0, ...]: view gy as (r0, s0, r1, s1, ...) and sum the r's
        inter = []
        for s, r in zip(src, reps):
            inter += [r, s]
        g = reshape(gy, tuple(inter)).sum(dim=tuple(range(0, 2 * len(src), 2)))
        return (reshape(g, in_shape),)
    return out, backward


@public()
def tile(input: Tensor, dims) -> Tensor:
    """torch.tile: repeat with dims padded by leading 1s."""
    dims = _size_args((dims,), "tile", "dims")
    if len(dims) < input.ndim:
        dims = (1,) * (input.ndim - len(dims)) + dims
    return repeat(input, dims)


def _repeat_t_fn(input, *, reps, dim):
    x = input._array
    xp = array_module(x)
    out = xp.repeat(x, xp.asarray(reps), axis=dim)
    return out, lambda gy: (_segment_sum(gy, reps=reps, dim=dim),), \
        {"name": "IndexSelectBackward0"}


def _segment_sum_fn(input, *, reps, dim):
    # the adjoint of repeat_interleave: sum each run of reps[i] slices along dim
    x = input._array
    xp = array_module(x)
    shape = x.shape[:dim] + (len(reps),) + x.shape[dim + 1:]
    out = xp.zeros(shape, x.dtype)
    nz = [i for i, r in enumerate(reps) if r]
    if nz and x.shape[dim]:
        starts, acc = [], 0
        for r in reps:
            starts.append(acc)
            acc += r
        sums = xp.add.reduceat(x, xp.asarray([starts[i] for i in nz]), axis=dim)
        out[(slice(None),) * dim + (xp.asarray(nz),)] = sums
    return out, lambda g: (_repeat_t(g, reps=reps, dim=dim),)


_repeat_t = op("_repeat_t", function=False, method=False, saves=False)(_repeat_t_fn)
_segment_sum = op("_segment_sum", function=False, method=False, saves=False)(_segment_sum_fn)


@public()
def repeat_interleave(input: Tensor, repeats=None, dim=None, *, output_size=None) -> Tensor:
    """torch.repeat_interleave (int or tensor repeats; repeat_interleave(repeats) alone too)."""
    if repeats is None:
        from .._creation import arange
        return repeat_interleave(arange(input.numel(), device=input.device), input, 0)
    if dim is None:
        input = flatten(input)
        d = 0
    else:
        d = wrap_dim(_int(dim, "repeat_interleave", "dim", 2), input.ndim)
    if isinstance(repeats, Tensor):
        if repeats._dtype.category != 1:
            raise NotImplementedError('"repeat_interleave_cpu" not implemented for '
                                      f"'{_scalar_name(repeats._dtype)}'")
        if repeats.ndim > 1:
            raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
        reps = repeats.tolist()
        if repeats.numel() == 1:
            repeats = reps if isinstance(reps, int) else reps[0]
        else:
            if any(r < 0 for r in reps):
                raise RuntimeError("repeats can not be negative")
            n = input.shape[d] if input.ndim else 1
            if len(reps) != n:
                raise RuntimeError("repeats must have the same size as input along dim, but got "
                                   f"repeats.size(0) = {len(reps)} and input.size({d}) = {n}")
            return _repeat_t(input, reps=reps, dim=d)
    r = _int(repeats, "repeat_interleave", "repeats", 1)
    if r < 0:
        raise RuntimeError("Repeats must be non-negative")
    if input.ndim == 0:
        input = reshape(input, (1,))
    shp = tuple(input.shape)
    big = unsqueeze(input, d + 1)
    # always a fresh copy, as torch's (a reshape of the expansion could alias input)
    big = _clone_contiguous(expand(big, shp[:d + 1] + (r,) + shp[d + 1:]))
    return reshape(big, shp[:d] + (shp[d] * r,) + shp[d + 1:])


# ---- meshgrid -----------------------------------------------------------------------------------
@public(method=False)
def meshgrid(*tensors, indexing: str | None = None) -> tuple:
    """torch.meshgrid (tensors as varargs or one sequence; warns when indexing is omitted)."""
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    if indexing is None:
        warn_once("torch.meshgrid: in an upcoming release, it will be required to pass the "
                  "indexing argument.")
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError('torch.meshgrid: indexing must be one of "xy" or "ij", but received: '
                           f"{indexing}")
    for t in _tensor_list(tensors, "meshgrid"):
        if t.ndim > 1:
            raise RuntimeError("torch.meshgrid: Expected 0D or 1D tensor in the tensor list but "
                               f"got: {t}")
        if t._dtype is not tensors[0]._dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
        if t.device != tensors[0].device:
            raise RuntimeError("meshgrid expects all tensors to have the same device")
    # torch's recipe: 'xy' swaps the first two inputs, builds 'ij' grids, swaps them back
    swap = indexing == "xy" and len(tensors) >= 2
    ts = list(tensors)
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    n = len(ts)
    shape = tuple(t.numel() for t in ts)
    outs = []
    for i, t in enumerate(ts):
        v = [1] * n
        v[i] = -1
        outs.append(expand(reshape(t, tuple(v)), shape))
    if swap:
        outs[0], outs[1] = outs[1], outs[0]
    return tuple(outs)
