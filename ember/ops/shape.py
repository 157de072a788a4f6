"""Shape ops: view/reshape, squeeze/unsqueeze, permute/transpose, expand, cat/stack, split, ..."""

from __future__ import annotations

from .._tensor import Size
from ..backend import reshape_view
from ._registry import op
from ._util import wrap_dim


def _size_args(shape):
    """Accept f(2, 3), f((2, 3)), f([2, 3]) and f(Size)."""
    if len(shape) == 1 and not isinstance(shape[0], int):
        shape = shape[0]
    return tuple(int(s) for s in shape)


def infer_shape(shape, numel: int, src_shape) -> tuple:
    """Resolve a single -1 in shape, raising torch's error when sizes do not match."""
    shape = list(shape)
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for s in shape:
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s}")
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if neg:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(_fmt(shape))}' is invalid for input of size {numel}")
        shape[neg[0]] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '{list(_fmt(shape))}' is invalid for input of size {numel}")
    return tuple(shape)


def _fmt(shape):
    return [int(s) for s in shape]


@op(saves=False)
def reshape(input, *shape):
    x = input._array
    shape = infer_shape(_size_args(shape), x.size, x.shape)
    return x.reshape(shape), lambda gy: (gy.reshape(input.shape),), {"name": "ViewBackward0"}


@op(saves=False)
def view(input, *shape):
    if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list, Size)):
        raise NotImplementedError("Tensor.view(dtype) is not implemented in Ember yet")
    x = input._array
    shape = infer_shape(_size_args(shape), x.size, x.shape)
    try:
        out = reshape_view(x, shape)
    except ValueError:
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
        ) from None
    return out, lambda gy: (gy.reshape(input.shape),)


@op(saves=False)
def expand(input, *sizes):
    x = input._array
    sizes = _size_args(sizes)
    if len(sizes) < x.ndim:
        raise RuntimeError(f"expand(torch.FloatTensor{{{list(x.shape)}}}, size={list(sizes)}): "
                           "the number of sizes provided "
                           f"({len(sizes)}) must be greater or equal to the number of dimensions "
                           f"in the tensor ({x.ndim})")
    lead = len(sizes) - x.ndim
    target = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a "
                                   "leading, non-existing dimension 0")
            target.append(s)
        else:
            cur = x.shape[i - lead]
            if s == -1:
                s = cur
            elif cur != 1 and s != cur:
                raise RuntimeError(f"The expanded size of the tensor ({s}) must match the "
                                   f"existing size ({cur}) at non-singleton dimension {i}.  "
                                   f"Target sizes: {list(sizes)}.  Tensor sizes: {list(x.shape)}")
            target.append(s)
    from ..backend import array_module
    out = array_module(x).broadcast_to(x, tuple(target))

    def backward(gy):
        from .._tensor import sum_to_shape
        return (sum_to_shape(gy, input.shape),)
    return out, backward


@op(saves=False)
def unsqueeze(input, dim):
    d = wrap_dim(dim, input.ndim + 1)
    from ..backend import array_module
    return (array_module(input._array).expand_dims(input._array, d),
            lambda gy: (gy.squeeze(d),))


@op(saves=False)
def squeeze(input, dim=None):
    x = input._array
    if dim is None:
        axes = tuple(i for i, s in enumerate(x.shape) if s == 1)
    else:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        axes = tuple(sorted({wrap_dim(d, x.ndim) for d in dims if x.ndim}))
        axes = tuple(a for a in axes if x.shape[a] == 1)
    out = x.squeeze(axis=axes) if axes else x.view() if hasattr(x, "view") else x

    def backward(gy):
        return (gy.reshape(input.shape),)
    return out, backward, {"name": "SqueezeBackward0" if dim is None else "SqueezeBackward1"}
