"""Indexing: Tensor.__getitem__/__setitem__, gather/scatter, index_*, masked_*, where, take, put.

A Python index is parsed once into a `_Key` following torch's applySlicing: ints, slices and
None are applied first as a NumPy *basic* key (a view of the input), then the index tensors
(bool masks expanded by nonzero) as an *advanced* key on that view, with NumPy's placement rule
for the advanced dims (torch uses the same rule). Every op here reads and writes through a key.
"""

from __future__ import annotations

import inspect
import warnings

from .. import _dtype as D
from .._tensor import Tensor, _new
from ..autograd.grad_mode import GRAD_ENABLED
from ..backend import array_module, cast, to_device
from ._registry import _scalar_name, check_inplace, make_dispatcher, public, register
from ._util import wrap_dim

_INDEX_DTYPES = (D.int64, D.int32)
_LAST_NAME = {None: "AliasBackward0", "select": "SelectBackward0", "slice": "SliceBackward0",
              "unsqueeze": "UnsqueezeBackward0"}
# C++ type names torch prints in masked_fill's mask-dtype error
_C_NAMES = {"float32": "float", "float64": "double", "int64": "long int", "int32": "int",
            "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
            "float16": "c10::Half", "bfloat16": "c10::BFloat16", "complex64": "c10::complex<float>",
            "complex128": "c10::complex<double>"}


class _Key:
    """A parsed index: `basic` (a NumPy basic key: a view) then `adv` (advanced, on that view)."""

    __slots__ = ("basic", "adv", "name", "viewed")

    def __init__(self, basic, adv, name: str, viewed: bool = True):
        self.basic = basic          # tuple ending in Ellipsis, so a 0-d result stays an array
        self.adv = adv              # None or a tuple of slice(None) / integer arrays
        self.name = name            # the grad_fn name torch prints for this indexing
        self.viewed = viewed        # whether a select/slice/unsqueeze was applied (torch's view)

    def get(self, a):
        v = a[self.basic]
        return v if self.adv is None else v[self.adv]

    def set(self, a, value) -> None:
        v = a[self.basic]
        if self.adv is None:
            v[...] = value
        else:
            v[self.adv] = value

    def add(self, a, value) -> None:
        v = a[self.basic]
        if self.adv is None:
            v += value                          # a basic key never repeats an element
        else:
            array_module(a).add.at(v, self.adv, value)   # duplicates accumulate


def _seq_as_tuple(index) -> bool:
    # torch's treatSequenceAsTuple: a short list holding tensors, sequences, slices, None or
    # Ellipsis is a (deprecated) multi-dim index; otherwise it is one index tensor
    if len(index) >= 32:
        return False
    for it in index:
        if isinstance(it, (Tensor, list, tuple, slice)) or it is None or it is Ellipsis:
            return True
    return False


def _seq_to_array(seq, xp):
    """A Python list (or array-like) index as an int64 or bool array, as torch converts it."""
    arr = xp.asarray(seq)
    if arr.dtype == bool:
        return arr
    if arr.dtype.kind not in "iub" and arr.size and arr.dtype.kind != "f":
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    return arr.astype(D.int64.np)


def _bad_index(it):
    if isinstance(it, str):
        return TypeError("new(): invalid data type 'str'")
    return IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                      f"Variables are valid indices (got {type(it).__name__})")


def _index_on(self: Tensor, arr):
    """An index array on self's device: CPU indices may index a CUDA tensor, not the reverse."""
    if type(arr) is type(self._array):
        return arr
    if self.is_cpu:
        raise RuntimeError("indices should be either on cpu or on the same device as the indexed "
                           f"tensor ({self.device})")
    return to_device(arr, self.device)


def _normalize_items(self: Tensor, items, xp, tensors_adv: bool):
    """Items as int / slice / None / Ellipsis / bool / (array, is_mask); also the dims used."""
    out, spec = [], 0
    for it in items:
        t = type(it)
        if t is int or t is slice:
            spec += 1
        elif it is None or it is Ellipsis or t is bool:
            pass
        elif isinstance(it, Tensor):
            dt = it._dtype
            if dt is D.bool or dt is D.uint8:
                if dt is D.uint8:
                    warnings.warn("indexing with dtype torch.uint8 is now deprecated, please use "
                                  "a dtype torch.bool instead.", UserWarning, stacklevel=3)
                if it._array.ndim == 0 and not tensors_adv:
                    it = bool(it.item())
                else:
                    spec += it._array.ndim
                    it = (_index_on(self, it._array).astype(bool), True)
            elif dt in _INDEX_DTYPES:
                if it._array.ndim == 0 and not tensors_adv:
                    it = int(it.item())          # a 0-dim integer tensor selects, as an int
                else:
                    it = (_index_on(self, it._array), False)
                spec += 1
            else:
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        elif isinstance(it, (list, tuple, range)) or hasattr(it, "__array_interface__"):
            arr = _seq_to_array(list(it) if type(it) is range else it, xp)
            mask = arr.dtype == bool
            spec += arr.ndim if mask else 1
            it = (arr, mask)
        elif hasattr(it, "dtype") and getattr(it.dtype, "kind", "") == "b":
            it = bool(it)                        # a NumPy bool scalar
        elif hasattr(it, "__index__") and not isinstance(it, float):
            it = int(it.__index__())
            spec += 1
        else:
            raise _bad_index(it)
        out.append(it)
    return out, spec


def _parse(self: Tensor, index, tensors_adv: bool = False) -> _Key:
    """torch's applySlicing: the index of self[index] as a _Key (raising torch's errors)."""
    x = self._array
    shape, ndim = x.shape, x.ndim
    if type(index) is int and ndim:          # the common x[i]: skip the general walk
        n = shape[0]
        if not -n <= index < n:
            raise IndexError(f"index {index} is out of bounds for dimension 0 with size {n}")
        return _Key((index, Ellipsis), None, "SelectBackward0")
    if type(index) is tuple:
        items = index
    elif isinstance(index, list) and _seq_as_tuple(index):
        warnings.warn("Using a non-tuple sequence for multidimensional indexing is deprecated and "
                      "will be changed in pytorch 2.9; use x[tuple(seq)] instead of x[seq].",
                      UserWarning, stacklevel=3)
        items = tuple(index)
    else:
        if ndim == 0 and (type(index) is int or isinstance(index, slice)):
            if type(index) is int:
                raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python "
                                 "or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a "
                                 "number")
            raise IndexError("slice() cannot be applied to a 0-dim tensor.")
        items = (index,)
    single = len(items) == 1 and type(index) is not tuple
    xp = array_module(x)
    items, spec = _normalize_items(self, items, xp, tensors_adv)
    if spec > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    basic, adv = [], []
    src = dim = 0          # src: dim of self; dim: dim of the (partially indexed) result
    last = None
    seen_ellipsis = False
    over = 0               # torch moves past the last dim at a second Ellipsis
    for it in items:
        t = type(it)
        if over and it is not Ellipsis:
            raise IndexError(f"Dimension out of range (expected to be in range of "
                             f"[{-dim - 1}, {dim}], but got {dim + over})")
        if t is int:
            n = shape[src]
            if not -n <= it < n:
                raise IndexError(f"index {it} is out of bounds for dimension {dim} with size {n}")
            basic.append(it)
            src += 1
            last = "select"
        elif t is slice:
            if it.step is not None:
                step = it.step.__index__()
                if step == 0:
                    raise ValueError("slice step cannot be zero")
                if step < 0:
                    raise ValueError("step must be greater than zero")
            basic.append(it)
            # torch skips a no-op slice inside a tuple index (x[:, :] is an alias)
            if single or it.indices(shape[src]) != (0, shape[src], 1):
                last = "slice"
            src += 1
            dim += 1
        elif it is None:
            basic.append(None)
            dim += 1
            last = "unsqueeze"
        elif it is Ellipsis:
            n = ndim - spec
            if seen_ellipsis:
                over += n
            else:
                basic.extend([slice(None)] * n)
                src += n
                dim += n
            seen_ellipsis = True
        elif t is bool:
            # torch: unsqueeze, then index the new dim with [0] (True) or [] (False)
            basic.append(None)
            adv.append((dim, xp.zeros(1 if it else 0, D.int64.np), False))
            dim += 1
            last = "unsqueeze"
        else:
            arr, mask = it
            m = arr.ndim if mask else 1
            basic.extend([slice(None)] * m)
            adv.append((dim, arr, mask))
            src += m
            dim += m
    basic.append(Ellipsis)
    basic = tuple(basic)
    if not adv:
        return _Key(basic, None, _LAST_NAME[last], last is not None)
    return _Key(basic, _adv_key(x[basic].shape, adv, xp), "IndexBackward0", last is not None)


def _adv_key(vshape, adv, xp):
    """The advanced key over a view of shape vshape, with torch's bounds and shape checks."""
    key = [slice(None)] * len(vshape)
    shapes, k = [], 0
    for d, arr, mask in adv:
        if mask:
            for j in range(arr.ndim):
                if arr.shape[j] != vshape[d + j]:
                    raise IndexError(f"The shape of the mask {list(arr.shape)} at index {j} does "
                                     "not match the shape of the indexed tensor "
                                     f"{list(vshape)} at index {d + j}")
            for j, nz in enumerate(xp.nonzero(arr)):
                key[d + j] = nz
                shapes.append(nz.shape)
            k += arr.ndim
            continue
        n = vshape[d]
        if arr.size:
            bad = (arr >= n) | (arr < -n)
            if bad.any():
                raise IndexError(f"index {int(arr[bad].ravel()[0])} is out of bounds for "
                                 f"dimension {k} with size {n}")
        key[d] = arr
        shapes.append(arr.shape)
        k += 1
    try:
        _broadcast_shapes(*shapes)
    except RuntimeError:
        raise IndexError("shape mismatch: indexing tensors could not be broadcast together with "
                         "shapes " + ", ".join(str(list(s)) for s in shapes)) from None
    return tuple(key)


def _broadcast_shapes(*shapes) -> tuple:
    """The broadcast shape, raising torch's "The size of tensor a ... b" RuntimeError."""
    out = []
    for s in shapes:
        s = tuple(s)
        if len(s) > len(out):
            out = [1] * (len(s) - len(out)) + out
        off = len(out) - len(s)
        for i in range(len(s) - 1, -1, -1):        # torch checks from the last dim
            n = s[i]
            cur = out[off + i]
            if cur == 1:
                out[off + i] = n
            elif n != 1 and n != cur:
                raise RuntimeError(f"The size of tensor a ({cur}) must match the size of tensor b "
                                   f"({n}) at non-singleton dimension {off + i}")
    return tuple(out)


# ---- getitem / setitem primitives ------------------------------------------------------------
def _getitem_fn(input, *, key):
    out = key.get(input._array)
    shape = input._array.shape

    def backward(gy):
        return (_index_backward(gy, key=key, shape=shape),)
    return out, backward, {"name": key.name, "view": key.adv is None}


def _index_backward_fn(grad, *, key, shape):
    # the adjoint of indexing: grad scatter-added into zeros (duplicate indices accumulate)
    g = grad._array
    out = array_module(g).zeros(shape, g.dtype)
    key.add(out, g)
    return out, lambda gg: (_getitem(gg, key=key),), {"name": "IndexPutBackward0"}


def _zero_region_fn(input, *, key):
    # input with the indexed region zeroed: the gradient that flows to the overwritten tensor
    out = input._array.copy()
    key.set(out, 0)
    return out, lambda gy: (_zero_region(gy, key=key),)


_getitem = make_dispatcher(_getitem_fn, "getitem", saves=False, view=True)
_index_backward = make_dispatcher(_index_backward_fn, "index_backward", saves=False)
_zero_region = make_dispatcher(_zero_region_fn, "zero_region", saves=False)


def _value_array(self: Tensor, value):
    """value (a scalar or Tensor) as an array of self's dtype, for writing into self."""
    if isinstance(value, Tensor):
        return cast(value._array, self._dtype)
    if isinstance(value, complex) and not self._dtype.is_complex:
        raise RuntimeError(f"value cannot be converted to type {_C_NAMES[self._dtype.name]} "
                           "without overflow")
    kind = getattr(getattr(value, "dtype", None), "kind", "")
    if isinstance(value, (bool, int, float, complex)) or (kind in "iufc" and kind
                                                          and getattr(value, "ndim", 1) == 0):
        return cast(array_module(self._array).asarray(value), self._dtype)
    name = type(value).__name__
    if type(value).__module__ == "numpy":
        name = "numpy." + name
    raise TypeError(f"can't assign a {name} to a {self._type_str()}")


def _ptr(a) -> int:
    ai = getattr(a, "__array_interface__", None)
    return ai["data"][0] if ai is not None else a.data.ptr


def _dense(a) -> bool:
    return a.flags.c_contiguous or a.flags.f_contiguous


def _check_overlap(key: _Key, out, v) -> None:
    """torch's assert_no_partial_overlap: refuse a value that partly aliases the destination."""
    if v.ndim == 0 or not array_module(out).may_share_memory(out, v):
        return
    dest = out[key.basic] if key.adv is None else out
    if not (_dense(dest) and _dense(v)):
        return                      # torch too gives up ("too hard") on strided layouts
    a, b = _ptr(dest), _ptr(v)
    if (key.adv is None and a == b and dest.nbytes == v.nbytes) or a + dest.nbytes <= b \
            or b + v.nbytes <= a:
        return                      # the very same memory (x[:] = x), or disjoint
    raise RuntimeError("unsupported operation: some elements of the input tensor and the "
                       "written-to tensor refer to a single memory location. Please clone() the "
                       "tensor before performing the operation.")


def _write(key: _Key, out, v, accumulate: bool, expand_msg: bool) -> None:
    if not out.flags.writeable:     # e.g. an expanded (broadcast) tensor
        raise RuntimeError("unsupported operation: more than one element of the written-to "
                           "tensor refers to a single memory location. Please clone() the tensor "
                           "before performing the operation.")
    _check_overlap(key, out, v)
    try:
        if accumulate:
            key.add(out, v)
        else:
            key.set(out, v)
    except ValueError:
        tshape = list(key.get(out).shape)
        if expand_msg and key.adv is None:
            raise RuntimeError(_expand_error(v, tshape)) from None
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(v.shape)} cannot be "
                           f"broadcast to indexing result of shape {tshape}") from None


def _expand_error(v, tshape) -> str:
    vshape = list(v.shape)
    if len(vshape) > len(tshape):
        return (f"expand({_new(v)._type_str()}{{{vshape}}}, size={tshape}): the number of sizes "
                f"provided ({len(tshape)}) must be greater or equal to the number of dimensions "
                f"in the tensor ({len(vshape)})")
    off = len(tshape) - len(vshape)
    i = next(i for i in range(len(vshape)) if vshape[i] not in (1, tshape[off + i]))
    return (f"The expanded size of the tensor ({tshape[off + i]}) must match the existing size "
            f"({vshape[i]}) at non-singleton dimension {off + i}.  Target sizes: {tshape}.  "
            f"Tensor sizes: {vshape}")


def _put_key_fn(input, value, *, key, write=True, inplace=True, name=None):
    # write=False: value already sits in input's memory (a view written in place), only the
    # history is recorded; inplace=False: out-of-place (select_scatter, slice_scatter)
    x = input._array
    out = x if inplace else x.copy()
    if write:
        _write(key, out, _value_array(input, value), False, True)
    vgrad = isinstance(value, Tensor) and value._requires_grad

    def backward(gy):
        return _zero_region(gy, key=key), _getitem(gy, key=key) if vgrad else None
    if name is None:
        # torch writes into a view (CopySlices) or into self: index_put_, fill_ or copy_
        if key.viewed:
            name = "CopySlices"
        elif key.adv is not None:
            name = "IndexPutBackward0"
        elif isinstance(value, Tensor) and value._array.ndim:
            name = "CopyBackwards"
        else:
            name = "FillBackward3"
    return out, backward, {"name": name}


_put_key = make_dispatcher(_put_key_fn, "put_key", saves=False)


def __getitem__(self: Tensor, index) -> Tensor:
    """Tensor.__getitem__: basic indexing gives a view, advanced indexing a copy (as torch)."""
    key = _parse(self, index)
    out = _getitem(self, key=key)
    if key.adv is None:
        out._view_of = (self, key)    # lets an in-place write to the view update self's history
    return out


def _index_put_dtype(input: Tensor, values: Tensor) -> None:
    if values._dtype is not input._dtype:
        raise RuntimeError("Index put requires the source and destination dtypes match, got "
                           f"{_scalar_name(input._dtype)} for the destination and "
                           f"{_scalar_name(values._dtype)} for the source.")


def _view_root(t: Tensor) -> Tensor:
    # getitem views link by _view_of, shape-op views (shape.py) by _view_fn
    link = getattr(t, "_view_of", None) or getattr(t, "_view_fn", None)
    while link is not None:
        t = link[0]
        link = getattr(t, "_view_of", None) or getattr(t, "_view_fn", None)
    return t


def check_view_inplace(t: Tensor) -> None:
    """Refuse an in-place write to a getitem view of a leaf that requires grad (as torch)."""
    root = _view_root(t)
    if root is not t and root._requires_grad and root.grad_fn is None:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                           "in-place operation.")


def rebase_view(t: Tensor) -> None:
    """After t, a getitem view, got new history in place: give its bases the matching history.

    As torch's CopySlices: base_new = base_old with t_new written at the view's key, so the
    gradient of base_new reaches t_new's history for the region and base_old's elsewhere.
    """
    link = getattr(t, "_view_of", None)
    while link is not None and t._requires_grad:
        base, key = link
        if base._dtype.category < 2:
            return
        old = _alias(base)
        out = _put_key(old, t, key=key, write=False, name="CopySlices")
        base.grad_fn, base._requires_grad, base._out_idx = out.grad_fn, True, 0
        t = base
        link = getattr(t, "_view_of", None)


def _alias(t: Tensor) -> Tensor:
    """A stand-in for t's pre-write self: same memory, t's current history."""
    old = _new(t._array, t._dtype)
    old._requires_grad, old.grad_fn, old._out_idx = t._requires_grad, t.grad_fn, t._out_idx
    return old


def __setitem__(self: Tensor, index, value) -> None:
    """Tensor.__setitem__: writes value (broadcast, cast to self's dtype) in place."""
    key = _parse(self, index)
    if isinstance(value, Tensor) and (type(value._array) is not type(self._array) or (
            self.is_cuda and value.device != self.device)):
        value = value.to(self.device)       # torch writes through copy_, which crosses devices
    if GRAD_ENABLED[0]:
        root = _view_root(self)
        if root._requires_grad and root.grad_fn is None:
            if key.viewed or root is not self:
                raise RuntimeError("a view of a leaf Variable that requires grad is being used in "
                                   "an in-place operation.")
            check_inplace(self)
    vgrad = isinstance(value, Tensor) and value._requires_grad
    if key.adv is not None and isinstance(value, Tensor) and value._dtype is not self._dtype:
        # torch writes through index_put_, which does not cast; a lone mask with a one-element
        # value goes through masked_fill_, which does
        if not (isinstance(index, Tensor) and index._dtype in (D.bool, D.uint8)
                and value._array.size == 1):
            _index_put_dtype(self, value)
    if not (GRAD_ENABLED[0] and (self._requires_grad or vgrad)):
        _write(key, self._array, _value_array(self, value), False, True)
        self._vc[0] += 1
        return
    # the old self (same memory, old history) is the op's input; self takes the new history
    out = _put_key(_alias(self), value, key=key)
    self._vc[0] += 1
    if out.grad_fn is not None:
        self.grad_fn, self._requires_grad, self._out_idx = out.grad_fn, True, 0
        if getattr(self, "_view_of", None) is not None or \
                getattr(self, "_view_fn", None) is not None:
            # shape.rebase_views walks getitem and shape-op views alike
            from .shape import rebase_views
            rebase_views(self)


register("__getitem__", __getitem__, method="__getitem__", function=False)
register("__setitem__", __setitem__, method="__setitem__", function=False)


# ---- registration helper: Tensor parameters may be given by keyword, as torch allows --------
def _prim(name: str | None = None, *, inplace: bool = False, method: bool = True):
    """Register a primitive whose positional parameters may also be passed by keyword.

    The dispatcher only sees positional Tensors as differentiable inputs, so keywords naming
    positional parameters (e.g. scatter(..., src=s)) are moved into position first.
    """
    def deco(fn):
        n = name or fn.__name__.lstrip("_")
        ps = [p for p in inspect.signature(fn).parameters.values()
              if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
        names = [p.name for p in ps]
        defaults = [p.default for p in ps]
        disp = make_dispatcher(fn, n, saves=False)

        def call(*args, **kwargs):
            if kwargs and len(args) < len(names):
                args = list(args)
                given = [i for i in range(len(args), len(names)) if names[i] in kwargs]
                for i in range(len(args), (given[-1] + 1) if given else 0):
                    if names[i] in kwargs:
                        args.append(kwargs.pop(names[i]))
                    elif defaults[i] is inspect.Parameter.empty:
                        raise TypeError(f"{n}() missing required argument '{names[i]}'")
                    else:
                        args.append(defaults[i])
            return disp(*args, **kwargs)

        call.__name__ = call.__qualname__ = n
        call.__doc__ = fn.__doc__
        call.primitive = fn
        register(n, call, method=method, inplace=inplace)
        return call
    return deco


def _long_index(index: Tensor, fname: str, exc=RuntimeError) -> None:
    if index._dtype is not D.int64:
        raise exc(f"{fname}: Expected a long tensor for index, but got "
                  f"{_scalar_name(index._dtype)}")


def _check_bounds(idx, n: int, d: int, exc=RuntimeError, prefix: str = "") -> None:
    if idx.size:
        bad = (idx >= n) | (idx < 0)
        if bad.any():
            raise exc(f"{prefix}index {int(idx[bad].ravel()[0])} is out of bounds for dimension "
                      f"{d} with size {n}")


def _same_dtype(self: Tensor, other: Tensor, msg: str) -> None:
    if self._dtype is not other._dtype:
        raise RuntimeError(msg.format(_scalar_name(self._dtype), _scalar_name(other._dtype)))


# ---- gather / scatter ---------------------------------------------------------------------
def _axis_key(idx, d: int, xp) -> tuple:
    """The advanced key that reads element [.., idx[i, j, ..], ..] at dim d (gather's rule)."""
    nd = idx.ndim
    key = []
    for i in range(nd):
        if i == d:
            key.append(idx)
        else:
            shp = [1] * nd
            shp[i] = idx.shape[i]
            key.append(xp.arange(idx.shape[i]).reshape(shp))
    return tuple(key)


def _scatter_checks(fname: str, input, dim, index, src=None):
    x, idx = input._array, index._array
    if index._dtype not in _INDEX_DTYPES:
        raise RuntimeError(f"{fname}(): Expected dtype int32/int64 for index")
    nd = max(x.ndim, 1)
    d = wrap_dim(dim, x.ndim)
    if max(idx.ndim, 1) != nd:
        what = "input" if fname == "gather" else "self"
        raise RuntimeError(f"Index tensor must have the same number of dimensions as {what} "
                           "tensor")
    xs = x.reshape(x.shape or (1,))
    ids = idx.reshape(idx.shape or (1,))
    sshape = None if src is None else (src.shape or (1,))
    if ids.size:
        for i in range(nd):
            if (i != d and ids.shape[i] > xs.shape[i]) or (sshape and ids.shape[i] > sshape[i]):
                if src is None:
                    raise RuntimeError(f"Size does not match at dimension {i} expected index "
                                       f"{list(idx.shape)} to be no larger than self "
                                       f"{list(x.shape)} apart from dimension {d}")
                raise RuntimeError(f"Expected index {list(idx.shape)} to be no larger than self "
                                   f"{list(x.shape)} apart from dimension {d} and to be no "
                                   f"larger size than src {list(src.shape)}")
    _check_bounds(ids, xs.shape[d], d)
    return xs, ids, d


def _src_region(src, ids_shape):
    # the part of src that scatter reads: its leading index-shaped block
    s = src.reshape(src.shape or (1,))
    return s[tuple(slice(0, n) for n in ids_shape)]


def _src_grad(gy, dim, index, src: Tensor):
    """Gradient for scatter's src: gy gathered at index, zero-padded to src's shape."""
    g = gy.gather(dim, index)
    if tuple(g.shape) == tuple(src.shape):
        return g
    key = _Key(tuple(slice(0, n) for n in index.shape) + (Ellipsis,), None, "SliceBackward0")
    return _index_backward(g, key=key, shape=src._array.shape)


@_prim()
def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False):
    """torch.gather: out[i][j] = input[index[i][j]][j] (dim=0)."""
    xs, ids, d = _scatter_checks("gather", input, dim, index)
    xp = array_module(xs)
    out = xs[_axis_key(ids, d, xp)].reshape(index._array.shape)

    def backward(gy):
        return gy.new_zeros(input.shape).scatter_add(dim, index, gy), None, None
    return out, backward


@_prim(inplace=True)
def scatter(input: Tensor, dim: int, index: Tensor, src=None, *, value=None,
            reduce: str | None = None):
    """torch.scatter (src tensor or value scalar; reduce "add"/"multiply" accumulate)."""
    if reduce not in (None, "add", "multiply"):
        raise RuntimeError("reduce argument must be either add or multiply.")
    if src is None:
        src = value
    is_t = isinstance(src, Tensor)
    xs, ids, d = _scatter_checks("scatter", input, dim, index, src if is_t else None)
    if is_t:
        _same_dtype(input, src, "scatter(): Expected self.dtype to be equal to src.dtype")
        v = _src_region(src._array, ids.shape)
    else:
        v = _value_array(input, src)
    out = xs.copy()
    xp = array_module(xs)
    key = _axis_key(ids, d, xp)
    if reduce is None:
        out[key] = v
    else:
        ufunc = xp.add if reduce == "add" else xp.multiply
        ufunc.at(out, key, xp.broadcast_to(v, ids.shape))
    out = out.reshape(input._array.shape)

    def backward(gy):
        if reduce is not None:
            raise RuntimeError("derivative for aten::scatter is not implemented")
        gx = gy.scatter(dim, index, 0) if input._requires_grad else None
        gs = _src_grad(gy, dim, index, src) if is_t and src._requires_grad else None
        return gx, None, None, gs
    if reduce is not None:
        return out, backward, {"name": "NotImplemented"}
    return out, backward, {"name": "ScatterBackward0" if is_t else "ScatterBackward1"}


@_prim(inplace=True)
def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor):
    """torch.scatter_add: out[index[i][j]][j] += src[i][j] (dim=0), duplicates accumulate."""
    xs, ids, d = _scatter_checks("scatter_add", input, dim, index, src)
    _same_dtype(input, src, "scatter(): Expected self.dtype to be equal to src.dtype")
    out = xs.copy()
    xp = array_module(xs)
    xp.add.at(out, _axis_key(ids, d, xp), _src_region(src._array, ids.shape))
    out = out.reshape(input._array.shape)

    def backward(gy):
        return gy, None, None, (_src_grad(gy, dim, index, src) if src._requires_grad else None)
    return out, backward


@public()
def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:
    """torch.take_along_dim: gather along dim with broadcasting (flattened when dim is None)."""
    if indices._dtype is not D.int64:
        raise RuntimeError("torch.take_along_dim(): dtype of indices should be Long but got "
                           f"{_scalar_name(indices._dtype)}")
    if dim is None:
        return input.reshape(-1).gather(0, indices.reshape(-1))
    if input.ndim != indices.ndim:
        raise RuntimeError("torch.take_along_dim(): input and indices should have the same number "
                           f"of dimensions, but got {input.ndim} dimensions for input, and "
                           f"{indices.ndim} dimensions for indices")
    d = wrap_dim(dim, input.ndim)
    si, sx = list(indices.shape), list(input.shape)
    si[d] = sx[d] = 1
    b = list(_broadcast_shapes(sx, si))
    xs, ids = b[:], b[:]
    xs[d], ids[d] = input.shape[d], indices.shape[d]
    if list(input.shape) != xs:
        input = input.expand(*xs)
    if list(indices.shape) != ids:
        indices = indices.expand(*ids)
    return input.gather(d, indices)


# ---- index_* along one dim ------------------------------------------------------------------
def _vector_index(index: Tensor, exc=RuntimeError, msg="Index has to be a vector/scalar"):
    idx = index._array
    if idx.ndim > 1:
        raise exc(msg)
    return idx.reshape(-1)


def _dim_key(d: int, idx) -> _Key:
    return _Key((Ellipsis,), (slice(None),) * d + (idx,), "IndexBackward0")


@_prim()
def index_select(input: Tensor, dim: int, index: Tensor):
    """torch.index_select: the entries of input at index along dim."""
    if index._dtype not in _INDEX_DTYPES:
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    idx = _vector_index(index, IndexError, "index_select(): Index is supposed to be a vector")
    idx = _index_on(input, idx)              # a CPU 0-dim index may select on a CUDA input
    x = input._array
    d = wrap_dim(dim, x.ndim)
    xs = x.reshape(x.shape or (1,))
    n = xs.shape[d]
    if idx.size and ((idx >= n) | (idx < 0)).any():
        raise IndexError("index out of range in self")
    out = array_module(x).take(xs, idx, axis=d)
    if x.ndim == 0:
        out = out.reshape(())

    def backward(gy):
        return gy.new_zeros(input.shape).index_add(dim, index, gy), None, None
    return out, backward


def _index_dim_checks(fname: str, input, dim, index, source, exc=RuntimeError, prefix=""):
    x = input._array
    d = wrap_dim(dim, x.ndim)
    idx = _vector_index(index)
    xs = x.reshape(x.shape or (1,))
    s = source._array
    ss = s.reshape(s.shape or (1,))
    if ss.shape[d] != idx.size or len(ss.shape) != len(xs.shape):
        raise RuntimeError(f"{fname}(): Number of indices ({idx.size}) should be equal to "
                           f"source.size(dim): ({ss.shape[d] if d < len(ss.shape) else 1}), for "
                           f"dim: {d}")
    _check_bounds(idx, xs.shape[d], d, exc, prefix)
    return xs, ss, idx, d


@_prim(inplace=True)
def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha=1):
    """torch.index_add: input with alpha * source added at index along dim (accumulating)."""
    if index._dtype not in _INDEX_DTYPES:
        raise RuntimeError("index_add_(): Expected dtype int32/int64 for index but got: "
                           f"{_scalar_name(index._dtype)}")
    _same_dtype(input, source, "index_add_(): self ({}) and source ({}) must have the same "
                               "scalar type")
    xs, ss, idx, d = _index_dim_checks("index_add_", input, dim, index, source)
    out = xs.copy()
    _dim_key(d, idx).add(out, ss * alpha if alpha != 1 else ss)
    out = out.reshape(input._array.shape)

    def backward(gy):
        gs = None
        if source._requires_grad:
            gs = gy.index_select(dim, index)
            gs = (gs * alpha if alpha != 1 else gs).reshape(source.shape)
        return gy, None, None, gs
    return out, backward


@_prim(inplace=True)
def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor):
    """torch.index_copy: input with source's slices written at index along dim."""
    _long_index(index, "index_copy_()")
    _same_dtype(input, source, "index_copy_(): self and source expected to have the same dtype, "
                               "but got (self) {} and (source) {}")
    xs, ss, idx, d = _index_dim_checks("index_copy_", input, dim, index, source, IndexError,
                                       "index_copy_(): ")
    out = xs.copy()
    _dim_key(d, idx).set(out, ss)
    out = out.reshape(input._array.shape)

    def backward(gy):
        return (gy.index_fill(dim, index, 0) if input._requires_grad else None, None, None,
                gy.index_select(dim, index).reshape(source.shape)
                if source._requires_grad else None)
    return out, backward


def _scalar_value(fname: str, value):
    if isinstance(value, Tensor) and value._array.ndim:
        raise RuntimeError(f"{fname} only supports a 0-dimensional value tensor, but got tensor "
                           f"with {value._array.ndim} dimension(s).")


@_prim(inplace=True)
def index_fill(input: Tensor, dim: int, index: Tensor, value):
    """torch.index_fill: input with the slices at index along dim set to value."""
    if index._dtype is not D.int64:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    _scalar_value("index_fill_", value)
    x = input._array
    d = wrap_dim(dim, x.ndim)
    idx = _vector_index(index)
    xs = x.reshape(x.shape or (1,))
    n = xs.shape[d]
    if idx.size and ((idx >= n) | (idx < -n)).any():
        raise IndexError(f"index {int(idx[(idx >= n) | (idx < -n)][0])} is out of bounds for "
                         f"dimension {d} with size {n}")
    out = xs.copy()
    _dim_key(d, idx).set(out, _value_array(input, value))
    out = out.reshape(x.shape)
    is_t = isinstance(value, Tensor)

    def backward(gy):
        gv = None
        if is_t and value._requires_grad:
            gv = gy.index_select(dim, index).sum()
        return gy.index_fill(dim, index, 0) if input._requires_grad else None, None, None, gv
    return out, backward, {"name": "IndexFillBackward1" if is_t else "IndexFillBackward0"}


@_prim(inplace=True)
def index_put(input: Tensor, indices, values: Tensor, accumulate: bool = False):
    """torch.index_put: input with values written (or added) at the index tensors' positions."""
    if not isinstance(values, Tensor):
        raise TypeError("index_put(): argument 'values' (position 3) must be Tensor, not "
                        f"{type(values).__name__}")
    for i, t in enumerate(indices):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 1, but got "
                            f"{type(t).__name__}")
    _index_put_dtype(input, values)
    key = _parse(input, tuple(indices), tensors_adv=True)
    out = input._array.copy()
    _write(key, out, values._array, accumulate, False)

    def backward(gy):
        gx = None
        if input._requires_grad:
            gx = gy if accumulate else _zero_region(gy, key=key)
        return gx, None, _getitem(gy, key=key) if values._requires_grad else None
    return out, backward


# ---- masks ------------------------------------------------------------------------------------
def _bool_mask(mask: Tensor, msg: str):
    if mask._dtype is not D.bool:
        raise RuntimeError(msg.format(_C_NAMES.get(mask._dtype.name, mask._dtype.name),
                                      _scalar_name(mask._dtype)))
    return mask._array


@_prim(inplace=True)
def masked_fill(input: Tensor, mask: Tensor, value):
    """torch.masked_fill: value where mask (broadcast) is True, input elsewhere."""
    m = _bool_mask(mask, "masked_fill_ only supports boolean masks, but got mask with dtype {0}")
    _scalar_value("masked_fill_", value)
    x = input._array
    shape = _broadcast_shapes(m.shape, x.shape)
    xp = array_module(x)
    out = xp.where(m, _value_array(input, value), x)
    if out.shape != shape:
        out = xp.broadcast_to(out, shape).copy()
    is_t = isinstance(value, Tensor)

    def backward(gy):
        gx = gy.masked_fill(mask, 0) if input._requires_grad else None
        gv = gy.masked_select(mask).sum() if is_t and value._requires_grad else None
        return gx, None, gv
    return out, backward, {"name": "MaskedFillBackward1" if is_t else "MaskedFillBackward0"}


@_prim()
def masked_select(input: Tensor, mask: Tensor):
    """torch.masked_select: the 1-D tensor of input's entries where mask (broadcast) is True."""
    m = _bool_mask(mask, "masked_select: expected BoolTensor for mask")
    x = input._array
    shape = _broadcast_shapes(m.shape, x.shape)
    xp = array_module(x)
    out = xp.broadcast_to(x, shape)[xp.broadcast_to(m, shape)]

    def backward(gy):
        return gy.new_zeros(shape).masked_scatter(mask, gy), None
    return out, backward


def _pad_flat_fn(grad, *, shape):
    # grad's values first in a zero tensor of shape (masked_scatter's gradient for source)
    g = grad._array
    out = array_module(g).zeros(shape, g.dtype)
    out.reshape(-1)[:g.size] = g
    n = g.size
    return out, lambda gg: (gg.reshape(-1)[:n],)


_pad_flat = make_dispatcher(_pad_flat_fn, "pad_flat", saves=False)


@_prim(inplace=True)
def masked_scatter(input: Tensor, mask: Tensor, source: Tensor):
    """torch.masked_scatter: input with mask's True positions filled from source in order."""
    m = _bool_mask(mask, "masked_scatter_ only supports boolean masks, but got mask with dtype "
                         "{1}")
    _same_dtype(input, source, "masked_scatter: expected self and source to have same dtypes but "
                               "got{} and {}")
    x = input._array
    shape = _broadcast_shapes(m.shape, x.shape)
    xp = array_module(x)
    mb = xp.broadcast_to(m, shape)
    out = xp.broadcast_to(x, shape).copy()
    n = int(mb.sum())
    s = source._array.reshape(-1)
    if s.size < n:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    out[mb] = s[:n]

    def backward(gy):
        gx = gy.masked_fill(mask, 0) if input._requires_grad else None
        gs = None
        if source._requires_grad:
            gs = _pad_flat(gy.masked_select(mask), shape=source._array.shape)
        return gx, None, gs
    return out, backward


def _where_fn(condition, input, other):
    c = condition._array
    if condition._dtype is not D.bool and condition._dtype is not D.uint8:
        raise RuntimeError("where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {_scalar_name(condition._dtype)}")
    xp = array_module(c)
    dt = D.result_type(input, other)
    x = cast(input._array, dt) if isinstance(input, Tensor) else xp.asarray(input, dt.np)
    y = cast(other._array, dt) if isinstance(other, Tensor) else xp.asarray(other, dt.np)
    _broadcast_shapes(c.shape, x.shape, y.shape)
    out = xp.where(c.astype(bool), x, y)
    gx = isinstance(input, Tensor) and input._requires_grad
    gy_ = isinstance(other, Tensor) and other._requires_grad

    def backward(gy):
        return (None, where(condition, gy, 0.0) if gx else None,
                where(condition, 0.0, gy) if gy_ else None)
    return out, backward, {"dtype": dt}


_where = make_dispatcher(_where_fn, "where", saves=False)


def where(condition: Tensor, input=None, other=None) -> Tensor:
    """torch.where(condition, input, other) (scalars promote as torch); where(c) = nonzero."""
    if input is None and other is None:
        return nonzero(condition, as_tuple=True)
    if input is None or other is None:
        raise TypeError("where() missing required argument 'input' or 'other'")
    return _where(condition, input, other)


where.primitive = _where_fn
register("where", where, method=False)


def _where_method(self: Tensor, condition: Tensor, other) -> Tensor:
    """Tensor.where(condition, other) = torch.where(condition, self, other)."""
    return _where(condition, self, other)


register("where", _where_method, function=False)


@public()
def nonzero(input: Tensor, *, as_tuple: bool = False) -> Tensor | tuple:
    """torch.nonzero: indices of the non-zero entries, (n, ndim) or a tuple of 1-D tensors."""
    x = input._array
    xp = array_module(x)
    nz = xp.nonzero(x.reshape(x.shape or (1,)))
    i64 = D.int64.np
    if as_tuple:
        return tuple(_new(a.astype(i64)) for a in nz)
    if x.ndim == 0:
        return _new(xp.zeros((nz[0].size, 0), i64))
    return _new(xp.stack(nz, axis=1).astype(i64) if nz else xp.zeros((0, 0), i64))


@public()
def argwhere(input: Tensor) -> Tensor:
    """torch.argwhere: the same as nonzero(input)."""
    return nonzero(input)


# ---- flat take / put ----------------------------------------------------------------------------
def _flat_index(input, index, fname: str):
    _long_index(index, fname)
    idx = index._array
    n = input._array.size
    if idx.size:
        bad = (idx >= n) | (idx < -n)
        if bad.any():
            raise IndexError(f"out of range: tried to access index {int(idx[bad].ravel()[0])} on "
                             f"a tensor of {n} elements.")
    return idx


@_prim()
def take(input: Tensor, index: Tensor):
    """torch.take: input treated as 1-D, read at index (negative indices wrap)."""
    idx = _flat_index(input, index, "take()")
    out = input._array.reshape(-1)[idx]

    def backward(gy):
        return gy.new_zeros(input.shape).put(index, gy, accumulate=True), None
    return out, backward


@_prim(inplace=True)
def put(input: Tensor, index: Tensor, source: Tensor, accumulate: bool = False):
    """torch.put: input treated as 1-D with source written (or added) at index."""
    idx = _flat_index(input, index, "put_()")
    if source._array.size != idx.size:
        raise IndexError("put_(): Expected source and index to have the same number of elements, "
                         f"but got source.numel() = {source._array.size}, index.numel() = "
                         f"{idx.size}")
    if source._dtype is not input._dtype:
        raise RuntimeError("put_(): self and source expected to have the same dtype, but got "
                           f"self.dtype = {_scalar_name(input._dtype)} and source.dtype = "
                           f"{_scalar_name(source._dtype)}")
    out = input._array.copy()
    flat = out.reshape(-1)
    s = source._array.reshape(idx.shape)
    if accumulate:
        array_module(out).add.at(flat, idx, s)
    else:
        flat[idx] = s

    def backward(gy):
        gx = None
        if input._requires_grad:
            gx = gy if accumulate else gy.put(index, gy.new_zeros(source.shape))
        gs = gy.take(index).reshape(source.shape) if source._requires_grad else None
        return gx, None, gs
    return out, backward


# ---- select_scatter / slice_scatter ---------------------------------------------------------
def _scatter_into(input, src, key: _Key, name: str):
    target = list(key.get(input._array).shape)
    if list(src.shape) != target:
        raise RuntimeError("expected src to have a size equal to the slice of self. src size = "
                           f"{list(src.shape)}, slice size = {target}")
    return _put_key(input, src, key=key, inplace=False, name=name)


@public()
def select_scatter(input: Tensor, src: Tensor, dim: int, index: int) -> Tensor:
    """torch.select_scatter: a copy of input with src embedded at input.select(dim, index)."""
    d = wrap_dim(dim, input.ndim)
    n = input.shape[d]
    if not -n <= index < n:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(input.shape)} at dimension {d}")
    key = _Key((slice(None),) * d + (index, Ellipsis), None, "SelectBackward0")
    return _scatter_into(input, src, key, "SelectScatterBackward0")


@public()
def slice_scatter(input: Tensor, src: Tensor, dim: int = 0, start: int | None = None,
                  end: int | None = None, step: int = 1) -> Tensor:
    """torch.slice_scatter: a copy of input with src embedded at input[start:end:step] on dim."""
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    d = wrap_dim(dim, input.ndim)
    key = _Key((slice(None),) * d + (slice(start, end, step), Ellipsis), None, "SliceBackward0")
    return _scatter_into(input, src, key, "SliceScatterBackward0")
