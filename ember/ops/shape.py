"""Shape ops that return views: view/reshape, squeeze/unsqueeze, permute/transpose, expand, ...

Joining and splitting ops live in shape_join.py, reorderings and diagonals in shape_misc.py;
both are imported at the bottom so that importing this module registers the whole family.
"""

from __future__ import annotations

import operator
import warnings
from math import prod as _prod

from numpy import ndarray as _ndarray

from .. import _dtype as D
from .._tensor import Size, Tensor, _new, sum_to_shape
from ..autograd.grad_mode import GRAD_ENABLED
from ..backend import array_module, reshape_view
from ._registry import _scalar_name, check_inplace, op, public, register
from ._util import wrap_dim

__all__ = ["view", "reshape", "expand", "squeeze", "unsqueeze", "permute", "transpose", "t",
           "narrow", "select", "diagonal", "flatten", "unflatten", "contiguous", "movedim"]


# ---- argument normalisation ---------------------------------------------------------------------
def _int(v, fname: str, arg: str, pos: int) -> int:
    """v as an int, raising torch's TypeError for floats, strings, ..."""
    if isinstance(v, int):
        return v
    try:
        return operator.index(v)
    except TypeError:
        raise TypeError(f"{fname}(): argument '{arg}' (position {pos}) must be int, not "
                        f"{type(v).__name__}") from None


def _ints(seq, fname: str, arg: str) -> tuple:
    """A sequence of ints, raising torch's TypeError on the first non-int element."""
    out = []
    for i, s in enumerate(seq):
        if type(s) is int:
            out.append(s)
            continue
        try:
            out.append(operator.index(s))
        except TypeError:
            raise TypeError(f"{fname}(): argument '{arg}' (position 1) must be tuple of ints, "
                            f"but found element of type {type(s).__name__} at pos {i}") from None
    return tuple(out)


def _size_args(shape, fname: str = "view", arg: str = "size") -> tuple:
    """Accept f(2, 3), f((2, 3)), f([2, 3]) and f(Size)."""
    if len(shape) == 1 and not isinstance(shape[0], int):
        shape = shape[0]
        if not isinstance(shape, (tuple, list)):
            if isinstance(shape, Tensor) or hasattr(shape, "__index__"):
                shape = (shape,)
            else:
                raise TypeError(f"{fname}(): argument '{arg}' (position 1) must be tuple of ints, "
                                f"not {type(shape).__name__}")
    return _ints(shape, fname, arg)


def _dims_arg(dims, fname: str, arg: str = "dims") -> tuple:
    """Varargs or one tuple/list of dims (permute, flip)."""
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = dims[0]
    return _ints(dims, fname, arg)


def infer_shape(shape, numel: int, src_shape=None) -> tuple:
    """Resolve a single -1 in shape, raising torch's error when sizes do not match."""
    shape = tuple(shape)
    if -1 not in shape:
        if _prod(shape) == numel and (not shape or min(shape) >= 0):
            return shape               # the common case: nothing to infer
        for s in shape:
            if s < -1:
                raise RuntimeError(f"invalid shape dimension {s}")
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s}")
        if s != -1:
            known *= s
    if known == 0 or numel % known:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return tuple(numel // known if s == -1 else s for s in shape)


_WARNED: set = set()


def warn_once(msg: str, stacklevel: int = 3) -> None:
    """A UserWarning issued once per process, like torch's TORCH_WARN_ONCE."""
    if msg not in _WARNED:
        _WARNED.add(msg)
        warnings.warn(msg, UserWarning, stacklevel=stacklevel)


_VIEW_ERR = ("view size is not compatible with input tensor's size and stride (at least one "
             "dimension spans across two contiguous subspaces). Use .reshape(...) instead.")


# ---- view / reshape -----------------------------------------------------------------------------
@op(saves=False, view=True, function=False)
def view(input, *shape):
    """torch.Tensor.view(*shape) and view(dtype) (the latter is not differentiable)."""
    if len(shape) == 1 and isinstance(shape[0], D.dtype):
        return _view_dtype(input, D.to_dtype(shape[0]))
    x = input._array
    shape = infer_shape(_size_args(shape, "view", "size"), x.size)
    if x.flags.c_contiguous:
        out = x.reshape(shape)         # always a view of a C-contiguous array (and fast)
    else:
        try:
            out = reshape_view(x, shape)
        except (ValueError, AttributeError):
            raise RuntimeError(_VIEW_ERR) from None
    src = x.shape
    return out, lambda gy: (gy.reshape(src),)


def _view_dtype(input, dt):
    if dt is D.bfloat16 or input._dtype is D.bfloat16:
        raise NotImplementedError("Tensor.view(dtype) with bfloat16 is not supported by Ember "
                                  "(bfloat16 is stored as float32)")
    x = input._array
    a, b = input._dtype.itemsize, dt.itemsize
    if a != b:
        what = f"to view {_scalar_name(input._dtype)} as {_scalar_name(dt)} (different element " \
            "sizes)"
        if x.ndim == 0:
            raise RuntimeError(f"self.dim() cannot be 0 {what}")
        if x.shape[-1] != 1 and x.strides[-1] != x.itemsize:
            raise RuntimeError(f"self.stride(-1) must be 1 {what}, but got {input.stride(-1)}")
        if b > a and x.shape[-1] % (b // a):
            raise RuntimeError(f"self.size(-1) must be divisible by {b // a} {what}, but got "
                               f"{x.shape[-1]}")
    return x.view(dt.np), None, {"dtype": dt}


_VIEW_INFO = {"name": "ViewBackward0"}


@op(saves=False, view=True)
def reshape(input, *shape):
    """torch.reshape: a view when the strides allow one, else a C-contiguous copy."""
    x = input._array
    shape = infer_shape(_size_args(shape, "reshape", "shape"), x.size)
    src = x.shape
    try:
        out = x.reshape(shape) if x.flags.c_contiguous else reshape_view(x, shape)
        info = _VIEW_INFO
    except (ValueError, AttributeError):
        out = x.reshape(shape)
        info = {"name": "UnsafeViewBackward0", "view": False}
    return out, lambda gy: (gy.reshape(src),), info


@public(function=False)
def view_as(input: Tensor, other: Tensor) -> Tensor:
    """torch.Tensor.view_as."""
    return view(input, other.shape)


@public(function=False)
def reshape_as(input: Tensor, other: Tensor) -> Tensor:
    """torch.Tensor.reshape_as."""
    return reshape(input, other.shape)


@public()
def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """torch.flatten (returns input itself when there is nothing to merge, as torch does)."""
    nd = input.ndim
    if nd == 0:
        return reshape(input, (1,))
    s = wrap_dim(_int(start_dim, "flatten", "start_dim", 1), nd)
    e = wrap_dim(_int(end_dim, "flatten", "end_dim", 2), nd)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    shp = input.shape
    n = 1
    for d in shp[s:e + 1]:
        n *= d
    return reshape(input, tuple(shp[:s]) + (n,) + tuple(shp[e + 1:]))


@public()
def unflatten(input: Tensor, dim: int, sizes) -> Tensor:
    """torch.unflatten: split dim into sizes (one -1 inferred)."""
    d = wrap_dim(_int(dim, "unflatten", "dim", 1), input.ndim)
    sizes = _ints(sizes, "unflatten", "sizes")
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    n = input.shape[d]
    if sizes.count(-1) > 1:
        raise RuntimeError("unflatten: only one dimension can be inferred")
    known = 1
    for s in sizes:
        if s != -1:
            known *= s
    if -1 in sizes:
        if known == 0 or n % known:
            raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the "
                               f"size of dim {dim} ({n}) in the input tensor")
        sizes = tuple(n // known if s == -1 else s for s in sizes)
    elif known != n:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the "
                           f"size of dim {dim} ({n}) in the input tensor")
    shp = tuple(input.shape)
    return reshape(input, shp[:d] + sizes + shp[d + 1:])


@public()
def ravel(input: Tensor) -> Tensor:
    """torch.ravel: a flat view when possible, else a flat copy."""
    return reshape(contiguous(input), (-1,))


def _clone_contiguous_fn(input):
    # a C-contiguous copy (contiguous()'s CloneBackward0)
    x = input._array
    out = array_module(x).ascontiguousarray(x)
    return (out.copy() if out is x else out), lambda gy: (gy,), {"name": "CloneBackward0"}


_clone_contiguous = op("_clone_contiguous", function=False, method=False,
                       saves=False)(_clone_contiguous_fn)


@public(function=False)
def contiguous(input: Tensor, memory_format=None) -> Tensor:
    """torch.Tensor.contiguous: self when already C-contiguous, else a copy."""
    if input._array.flags.c_contiguous:
        return input
    return _clone_contiguous(input)


# ---- squeeze / unsqueeze ------------------------------------------------------------------------
@op(saves=False, view=True)
def unsqueeze(input, dim):
    """torch.unsqueeze: dim may be input.dim() (append a trailing size-1 dim)."""
    d = wrap_dim(_int(dim, "unsqueeze", "dim", 1), input.ndim + 1)
    x = input._array
    # adding a size-1 dim is always a view; reshape gives it torch's stride (and is much faster
    # than expand_dims)
    return x.reshape(x.shape[:d] + (1,) + x.shape[d:]), lambda gy: (gy.squeeze(d),)


@op(saves=False, view=True)
def squeeze(input, dim=None):
    """torch.squeeze: all size-1 dims, one dim (no-op unless size 1), or a tuple of dims."""
    x = input._array
    nd = x.ndim
    if dim is None:
        axes = tuple(i for i, s in enumerate(x.shape) if s == 1)
        name = "SqueezeBackward0"
    elif isinstance(dim, (tuple, list)):
        dims = [wrap_dim(d, nd) for d in _ints(dim, "squeeze", "dim")]
        if len(set(dims)) != len(dims):
            dup = next(d for d in dims if dims.count(d) > 1)
            raise RuntimeError(f"dim {dup} appears multiple times in the list of dims")
        axes = tuple(sorted(a for a in dims if a < nd and x.shape[a] == 1))
        name = "SqueezeBackward2"
    else:
        d = wrap_dim(_int(dim, "squeeze", "dim", 1), nd)
        axes = (d,) if d < nd and x.shape[d] == 1 else ()
        name = "SqueezeBackward1"
    out = x.squeeze(axis=axes) if axes else x.view()
    src = x.shape
    return out, lambda gy: (gy.reshape(src),), {"name": name}


# ---- permute / transpose ------------------------------------------------------------------------
@op(saves=False, view=True)
def permute(input, *dims):
    """torch.permute (dims as varargs or one tuple)."""
    nd = input.ndim
    dims = _dims_arg(dims, "permute")
    if len(dims) != nd:
        raise RuntimeError("permute(sparse_coo): number of dimensions in the tensor input does "
                           "not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {nd} is not equal to len(dims) = {len(dims)}")
    dims = tuple(wrap_dim(d, nd) for d in dims)
    if len(set(dims)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    inv = [0] * nd
    for i, d in enumerate(dims):
        inv[d] = i
    inv = tuple(inv)
    x = input._array
    return array_module(x).transpose(x, dims), lambda gy: (gy.permute(inv),)


@op(saves=False, view=True)
def transpose(input, dim0, dim1):
    """torch.transpose: swap two dims (a view)."""
    nd = input.ndim
    d0 = wrap_dim(_int(dim0, "transpose", "dim0", 1), nd)
    d1 = wrap_dim(_int(dim1, "transpose", "dim1", 2), nd)
    x = input._array
    out = array_module(x).swapaxes(x, d0, d1) if nd else x.view()
    return out, lambda gy: (gy.transpose(d0, d1),)


@public()
def swapaxes(input: Tensor, axis0: int, axis1: int) -> Tensor:
    """torch.swapaxes (alias of transpose)."""
    return transpose(input, axis0, axis1)


@public()
def swapdims(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """torch.swapdims (alias of transpose)."""
    return transpose(input, dim0, dim1)


@op(saves=False, view=True)
def t(input):
    """torch.t: transpose a <= 2-D tensor."""
    x = input._array
    if x.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {x.ndim}D")
    return x.T if x.ndim == 2 else x.view(), _t_backward


def _t_backward(gy):
    x = gy._array
    if not GRAD_ENABLED[0] and type(x) is _ndarray and x.ndim <= 2:
        # no graph to record: gy.t() as a plain tensor (no view bookkeeping)
        return (_new(x.T if x.ndim == 2 else x.view(), gy._dtype),)
    return (gy.t(),)


@public()
def movedim(input: Tensor, source, destination) -> Tensor:
    """torch.movedim: move dims to new positions, keeping the others in order."""
    nd = input.ndim
    src = (source,) if isinstance(source, int) else _ints(source, "movedim", "source")
    dst = (destination,) if isinstance(destination, int) else _ints(destination, "movedim",
                                                                     "destination")
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} "
                           f"dims) should contain the same number of dims as destination "
                           f"({list(dst)} dims)")
    s = [wrap_dim(d, nd) for d in src]
    e = [wrap_dim(d, nd) for d in dst]
    if len(set(s)) != len(s):
        raise RuntimeError(f"movedim: repeated dim in `source` ({list(src)})")
    if len(set(e)) != len(e):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({list(dst)})")
    order = [-1] * nd
    for a, b in zip(s, e):
        order[b] = a
    rest = iter(d for d in range(nd) if d not in s)
    order = [next(rest) if o == -1 else o for o in order]
    return permute(input, tuple(order))


@public()
def moveaxis(input: Tensor, source, destination) -> Tensor:
    """torch.moveaxis (alias of movedim)."""
    return movedim(input, source, destination)


_T_WARN = ("The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
           "deprecated and it will throw an error in a future release. Consider `x.mT` to "
           "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to "
           "reverse the dimensions of a tensor.")


def _T(self) -> Tensor:
    """Tensor.T: all dims reversed (torch warns, once, unless 2-D)."""
    nd = self.ndim
    if nd == 0:
        warn_once("Tensor.T is deprecated on 0-D tensors. This function is the identity in these "
                  "cases.")
    elif nd != 2:
        warn_once(_T_WARN)
    return permute(self, tuple(range(nd - 1, -1, -1)))


def _mT(self) -> Tensor:
    """Tensor.mT: the last two dims swapped."""
    if self.ndim < 2:
        raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. Got "
                           f"{self.ndim}-D tensor.")
    return transpose(self, -2, -1)


def _conj(t: Tensor) -> Tensor:
    return t.conj() if t._dtype.is_complex else t


def _H(self) -> Tensor:
    """Tensor.H: conjugate transpose of a matrix."""
    if self.ndim == 0:
        warn_once("Tensor.H is deprecated on 0-D tensors. Consider using x.conj().")
        return _conj(self)
    if self.ndim != 2:
        raise RuntimeError("tensor.H is only supported on matrices (2-D tensors). Got "
                           f"{self.ndim}-D tensor." + (" For batches of matrices, consider using "
                                                      "tensor.mH" if self.ndim > 2 else ""))
    return _conj(transpose(self, 0, 1))


def _mH(self) -> Tensor:
    """Tensor.mH: conjugate transpose of (batches of) matrices."""
    if self.ndim < 2:
        raise RuntimeError("tensor.mH is only supported on matrices or batches of matrices. Got "
                           f"{self.ndim}-D tensor.")
    return _conj(transpose(self, -2, -1))


Tensor.T = property(_T)
Tensor.mT = property(_mT)
Tensor.H = property(_H)
Tensor.mH = property(_mH)
register("adjoint", _mH)


# ---- expand / broadcast -------------------------------------------------------------------------
@op(saves=False, view=True, function=False)
def expand(input, *sizes):
    """torch.Tensor.expand (-1 keeps a size; new leading dims are allowed)."""
    x = input._array
    sizes = _size_args(sizes, "expand", "size")
    if len(sizes) < x.ndim:
        raise RuntimeError(f"expand({input._type_str()}{{{list(x.shape)}}}, size={list(sizes)}): "
                           f"the number of sizes provided ({len(sizes)}) must be greater or equal "
                           f"to the number of dimensions in the tensor ({x.ndim})")
    lead = len(sizes) - x.ndim
    target = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a "
                                   f"leading, non-existing dimension {i}")
            target.append(s)
            continue
        cur = x.shape[i - lead]
        if s == -1:
            s = cur
        elif cur != s and (cur != 1 or s < 0):
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing "
                               f"size ({cur}) at non-singleton dimension {i}.  Target sizes: "
                               f"{list(sizes)}.  Tensor sizes: {list(x.shape)}")
        target.append(s)
    target = tuple(target)
    if all(t == 1 for t in target[:lead]) and target[lead:] == x.shape:
        out = x.reshape(target)     # nothing broadcast: a plain, writable view (as torch's)
    else:
        # NOTE: numpy makes broadcast views read-only; torch refuses in-place writes to them too
        out = array_module(x).broadcast_to(x, target)
    src = x.shape
    return out, lambda gy: (sum_to_shape(gy, src),)


@public(function=False)
def expand_as(input: Tensor, other: Tensor) -> Tensor:
    """torch.Tensor.expand_as."""
    return expand(input, other.shape)


@public()
def broadcast_to(input: Tensor, size) -> Tensor:
    """torch.broadcast_to."""
    return expand(input, tuple(size))


@public(method=False)
def broadcast_shapes(*shapes) -> Size:
    """torch.broadcast_shapes: the broadcast of shapes (ints count as 1-D shapes)."""
    shapes = [(s,) if isinstance(s, int) else tuple(s) for s in shapes]
    nd = max((len(s) for s in shapes), default=0)
    res = [1] * nd
    for s in shapes:
        for n in s:
            if n < 0:
                raise ValueError("Attempting to broadcast a dimension with negative length!")
    for k, s in enumerate(shapes):
        for i in range(1, len(s) + 1):
            n, r = s[-i], res[-i]
            if n == r or n == 1:
                continue
            if r != 1:
                raise RuntimeError(f"Attempting to broadcast a dimension of length {n} at -{i}! "
                                   f"Mismatching argument at index {k} had {s}; but expected "
                                   f"shape should be broadcastable to {res}")
            res[-i] = n
    return Size(res)


@public(method=False)
def broadcast_tensors(*tensors) -> tuple:
    """torch.broadcast_tensors: each input expanded to the common shape."""
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
    nd = max((t.ndim for t in tensors), default=0)
    res = [1] * nd
    for t in tensors:
        for i in range(1, t.ndim + 1):
            n, r = t.shape[-i], res[-i]
            if n != r and n != 1:
                if r != 1:
                    raise RuntimeError(f"The size of tensor a ({r}) must match the size of "
                                       f"tensor b ({n}) at non-singleton dimension {nd - i}")
                res[-i] = n
    res = tuple(res)
    return tuple(t if tuple(t.shape) == res else expand(t, res) for t in tensors)


# ---- basic-index views: narrow, select, diagonal ----------------------------------------------
def _view_key_fn(input, *, key, name):
    shape = input._array.shape
    return input._array[key], lambda gy: (_key_scatter(gy, shape=shape, key=key),), {"name": name}


def _key_scatter_fn(gy, *, shape, key):
    # the adjoint of a basic-index view: gy written into zeros (torch's slice/select_backward)
    x = gy._array
    out = array_module(x).zeros(shape, x.dtype)
    out[key] = x
    return out, lambda g: (_view_key(g, key=key, name="SliceBackward0"),)


_view_key = op("_view_key", function=False, method=False, saves=False, view=True)(_view_key_fn)
_key_scatter = op("_key_scatter", function=False, method=False, saves=False)(_key_scatter_fn)


@public()
def narrow(input: Tensor, dim: int, start, length: int) -> Tensor:
    """torch.narrow: length elements of dim from start (a view)."""
    nd = input.ndim
    if nd == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(_int(dim, "narrow", "dim", 1), nd)
    start = _int(start, "narrow", "start", 2)
    length = _int(length, "narrow", "length", 3)
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    n = input.shape[d]
    if not -n <= start <= n:
        raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], but got "
                         f"{start})")
    if start < 0:
        start += n
    if start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    key = (slice(None),) * d + (slice(start, start + length),)
    return _view_key(input, key=key, name="SliceBackward0")


@public()
def select(input: Tensor, dim: int, index: int) -> Tensor:
    """torch.select: index dim at one position, removing it (a view)."""
    nd = input.ndim
    if nd == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(_int(dim, "select", "dim", 1), nd)
    i = _int(index, "select", "index", 2)
    n = input.shape[d]
    if not -n <= i < n:
        raise IndexError(f"select(): index {i} out of range for tensor of size "
                         f"{list(input.shape)} at dimension {d}")
    key = (slice(None),) * d + (i + n if i < 0 else i, Ellipsis)
    return _view_key(input, key=key, name="SelectBackward0")


def diag_view(x, offset: int, d1: int, d2: int):
    """A writable strided view of the (offset) diagonal of dims d1, d2, appended last."""
    n1, n2 = x.shape[d1], x.shape[d2]
    if offset >= 0:
        n, s1, s2 = max(0, min(n1, n2 - offset)), 0, offset
    else:
        n, s1, s2 = max(0, min(n1 + offset, n2)), -offset, 0
    if n:
        key = [slice(None)] * x.ndim
        key[d1], key[d2] = slice(s1, None), slice(s2, None)
        x = x[tuple(key)]
    rest = [i for i in range(x.ndim) if i not in (d1, d2)]
    shape = tuple(x.shape[i] for i in rest) + (n,)
    strides = tuple(x.strides[i] for i in rest) + (x.strides[d1] + x.strides[d2],)
    # NOTE: ndarray.diagonal is read-only in numpy; torch's diagonal is a writable view
    return array_module(x).lib.stride_tricks.as_strided(x, shape, strides)


def _diag_dims(nd: int, dim1, dim2) -> tuple:
    d1, d2 = wrap_dim(dim1, nd), wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


@op(saves=False, view=True)
def diagonal(input, offset=0, dim1=0, dim2=1):
    """torch.diagonal: a view of the diagonal of dims dim1, dim2, appended as the last dim."""
    d1, d2 = _diag_dims(input.ndim, dim1, dim2)
    shape = input._array.shape
    out = diag_view(input._array, offset, d1, d2)

    def backward(gy):
        return (_diag_scatter(gy, shape=shape, offset=offset, dim1=d1, dim2=d2,
                              name="DiagonalBackward1"),)
    return out, backward


def _diag_scatter_fn(input, *, shape, offset, dim1, dim2, name):
    # input's last dim written onto the diagonal of zeros(shape): diag_embed and the adjoint
    # of diagonal
    x = input._array
    out = array_module(x).zeros(shape, x.dtype)
    diag_view(out, offset, dim1, dim2)[...] = x
    return out, lambda gy: (diagonal(gy, offset, dim1, dim2),), {"name": name}


_diag_scatter = op("_diag_scatter", function=False, method=False, saves=False)(_diag_scatter_fn)


# ---- unfold (sliding windows) ------------------------------------------------------------------
def _windows(x, dim: int, size: int, step: int):
    """A strided view of the windows of x along dim, the window index kept at dim."""
    n = (x.shape[dim] - size) // step + 1
    shape = x.shape[:dim] + (n,) + x.shape[dim + 1:] + (size,)
    st = x.strides
    strides = st[:dim] + (st[dim] * step,) + st[dim + 1:] + (st[dim],)
    return array_module(x).lib.stride_tricks.as_strided(x, shape, strides)


@op(saves=False, view=True)
def unfold(input, dimension, size, step):
    """torch.Tensor.unfold: all windows of `size` along dimension, `step` apart (a view)."""
    x = input._array
    zero_d = x.ndim == 0
    d = wrap_dim(_int(dimension, "unfold", "dimension", 1), x.ndim)
    size = _int(size, "unfold", "size", 2)
    step = _int(step, "unfold", "step", 3)
    n = 1 if zero_d else x.shape[d]
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    shape = x.shape
    if zero_d:
        out = x.reshape(1)
    else:
        out = _windows(x, d, size, step)

    def backward(gy):
        if zero_d:
            return (gy.reshape(()),)
        return (_unfold_backward(gy, shape=shape, dim=d, size=size, step=step),)
    return out, backward


def _unfold_overlaps(link) -> bool:
    args = dict(zip(("dimension", "size", "step"), link[2]), **link[3])
    return args["size"] > args["step"]


def _unfold_backward_fn(input, *, shape, dim, size, step):
    # the adjoint of unfold: every window's gradient added back where it was read from
    g = input._array
    out = array_module(g).zeros(shape, g.dtype)
    win = _windows(out, dim, size, step)
    for k in range(size):          # windows overlap: one strided add per offset in the window
        win[..., k] += g[..., k]
    return out, lambda gg: (unfold(gg, dim, size, step),)


_unfold_backward = op("_unfold_backward", function=False, method=False,
                      saves=False)(_unfold_backward_fn)


# ---- atleast_nd ---------------------------------------------------------------------------------
def _atleast(tensors, fn):
    if len(tensors) == 1:
        if isinstance(tensors[0], (tuple, list)):
            return tuple(fn(t) for t in tensors[0])
        return fn(tensors[0])
    return tuple(fn(t) for t in tensors)


def _at1(t):
    return reshape(t, (1,)) if t.ndim == 0 else t


def _at2(t):
    if t.ndim == 0:
        return reshape(t, (1, 1))
    return unsqueeze(t, 0) if t.ndim == 1 else t


def _at3(t):
    if t.ndim == 0:
        return reshape(t, (1, 1, 1))
    if t.ndim == 1:
        return unsqueeze(unsqueeze(t, 0), -1)
    return unsqueeze(t, -1) if t.ndim == 2 else t


@public(method=False)
def atleast_1d(*tensors):
    """torch.atleast_1d (one tensor, varargs or a sequence)."""
    return _atleast(tensors, _at1)


@public(method=False)
def atleast_2d(*tensors):
    """torch.atleast_2d."""
    return _atleast(tensors, _at2)


@public(method=False)
def atleast_3d(*tensors):
    """torch.atleast_3d."""
    return _atleast(tensors, _at3)


# ---- in-place writes to views (torch's CopySlices) -----------------------------------------------
# A view made by a shape op carries _view_fn = (base, op, args, kwargs, output index or None);
# replaying op on any tensor shaped like base gives the same view of it. After an in-place op
# gives the view new history, its base gets CopySlices history: base_new is base_old outside the
# view and the view's new value inside.
def _replay(link, b: Tensor) -> Tensor:
    fn, rest, kw, idx = link[1], link[2], link[3], link[4]
    if rest is None:
        return fn(b)
    out = fn(b, *rest, **kw)
    return out if idx is None else out[idx]


def _copy_slices_fn(base, view, *, link):
    def backward(gy):
        gy = contiguous(gy)            # every view op replays on a contiguous tensor
        x = gy._array
        mask = array_module(x).ones(x.shape, x.dtype)
        _replay(link, _new(mask))._array[...] = 0
        return gy * _new(mask, gy._dtype), _replay(link, gy)
    return base._array, backward, {"name": "CopySlices"}


_copy_slices = op("_copy_slices", function=False, method=False, saves=False)(_copy_slices_fn)


def rebase_views(t: Tensor) -> None:
    """After t (a view) got new history in place, give its bases CopySlices history.

    Walks chains that mix shape-op views (_view_fn) and getitem views (index's _view_of)."""
    while True:
        if getattr(t, "_view_of", None) is not None:
            from .index import rebase_view
            rebase_view(t)
            while getattr(t, "_view_of", None) is not None:
                t = t._view_of[0]
        link = getattr(t, "_view_fn", None)
        if link is None or not t._requires_grad:
            return
        base = link[0]
        if base._dtype.category < 2:
            return
        if link[1] is unfold and _unfold_overlaps(link):
            # NOTE: stepping through overlapping windows would count gradients more than once
            raise NotImplementedError("Ember cannot track an in-place write through a view of "
                                      "overlapping unfold() windows; clone() the windows first")
        old = _new(base._array, base._dtype)      # base before the write: its history so far
        old._requires_grad, old.grad_fn, old._out_idx = base._requires_grad, base.grad_fn, \
            base._out_idx
        out = _copy_slices(old, t, link=link)
        base.grad_fn, base._requires_grad, base._out_idx = out.grad_fn, True, 0
        t = base


def check_views_inplace(t: Tensor) -> None:
    """torch's refusals of in-place writes to views that autograd cannot rebase."""
    link = t._view_fn
    if link[4] is not None and t.grad_fn is not None:
        name = t.grad_fn.name().replace("Backward0", "")
        raise RuntimeError(
            f"Output {link[4]} of {name} is a view and is being modified inplace. This view is "
            "the output of a function that returns multiple views. Such functions do not allow "
            "the output views to be modified inplace. You should replace the inplace operation "
            "by an out-of-place one.")
    root = t
    while True:
        up = getattr(root, "_view_of", None) or getattr(root, "_view_fn", None)
        if up is None:
            break
        root = up[0]
    if root is not t and root._requires_grad and root.grad_fn is None:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                           "in-place operation.")


# ---- in-place shape variants (they rebind self's array to a view) -------------------------------
def _shape_inplace(fn, iname: str):
    def inplace(self, *args, **kwargs):
        check_inplace(self)
        out = fn(self, *args, **kwargs)
        self._array = out._array
        if out.grad_fn is not None:
            self.grad_fn = out.grad_fn
            self._out_idx = 0
        link = getattr(self, "_view_fn", None)
        if link is not None:       # self stays a view of its base: compose the replays
            step = out._view_fn
            self._view_fn = (link[0], lambda b: _replay(step, _replay(link, b)), None, None,
                             None)
        self._vc[0] += 1
        return self
    inplace.__name__ = iname
    inplace.__doc__ = f"torch.Tensor.{iname}: {fn.__name__} in place."
    return inplace


for _fn in (squeeze, unsqueeze, t, transpose):
    register(_fn.__name__ + "_", _shape_inplace(_fn, _fn.__name__ + "_"), function=False)
del _fn

from . import shape_join, shape_misc  # noqa: E402,F401  (register the rest of the family)
