"""Tensor: an array (numpy or cupy) plus autograd state; ops are installed from the registry."""

from __future__ import annotations

import weakref

import numpy as np

from . import _dtype as D
from .autograd.grad_mode import GRAD_ENABLED
from .autograd.graph import node_class
from .backend import array_module, cast, device_of, parse_device, to_device

_ndarray = np.ndarray
_BY_NP = D._BY_NP
_tuple_new = tuple.__new__


class Size(tuple):
    """torch.Size: a tuple of ints that prints as torch.Size([...])."""

    def __new__(cls, seq=()):
        return super().__new__(cls, (int(s) for s in seq))

    def __repr__(self) -> str:
        return f"{D.PREFIX[0]}.Size({list(self)})"

    __str__ = __repr__

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, i):
        r = tuple.__getitem__(self, i)
        return Size(r) if isinstance(i, slice) else r

    def __add__(self, other):
        return Size(tuple(self) + tuple(other))

    def __reduce__(self):
        return (Size, (tuple(self),))


def _new(arr, dtype=None) -> Tensor:
    """Wrap a raw array without copying (the fast constructor used by the dispatcher)."""
    t = object.__new__(Tensor)
    if type(arr) is not _ndarray and not hasattr(arr, "__cuda_array_interface__"):
        arr = np.asarray(arr)
    t._array = arr
    t._dtype = dtype if dtype is not None else _BY_NP[arr.dtype]
    t._requires_grad = False
    t.grad = None
    t.grad_fn = None
    t._vc = [0]
    t._out_idx = 0
    return t


class Tensor:
    """torch.Tensor. `Tensor(data)` is the legacy float32 constructor."""

    __slots__ = ("_array", "_dtype", "_requires_grad", "grad", "grad_fn", "_vc", "_out_idx",
                 "_hooks", "_retains_grad", "_post_acc_hooks", "__weakref__", "__dict__")
    # NumPy scalars/arrays defer `np.float64(2) * t` to Tensor.__rmul__, as they do for torch
    __array_priority__ = 1000

    def __new__(cls, *args, device=None, dtype=None):
        if len(args) == 1 and isinstance(args[0], Tensor):
            return args[0]
        from ._creation import tensor as _tensor_fn
        # the legacy constructor makes the default dtype (float32 unless set_default_dtype)
        if not args:
            args = (0,)                 # torch.Tensor() is an empty 1-D tensor
        if len(args) == 1 and not isinstance(args[0], (int, Size)):
            t = _tensor_fn(args[0], dtype=dtype or D.get_default_dtype(), device=device)
        else:
            from ._creation import empty
            t = empty(*args, dtype=dtype or D.get_default_dtype(), device=device)
        if cls is not Tensor:
            t = t.as_subclass(cls)
        return t

    def __init__(self, *args, **kwargs):
        pass

    # ---- basic properties -------------------------------------------------------------------
    @property
    def dtype(self) -> D.dtype:
        return self._dtype

    @property
    def shape(self) -> Size:
        return _tuple_new(Size, self._array.shape)

    def size(self, dim: int | None = None):
        if dim is None:
            return _tuple_new(Size, self._array.shape)
        return self._array.shape[_wrap_dim(dim, self._array.ndim)]

    @property
    def ndim(self) -> int:
        return self._array.ndim

    def dim(self) -> int:
        return self._array.ndim

    ndimension = dim

    def numel(self) -> int:
        return int(self._array.size)

    nelement = numel

    def element_size(self) -> int:
        return self._dtype.itemsize

    @property
    def itemsize(self) -> int:
        return self._dtype.itemsize

    @property
    def nbytes(self) -> int:
        return self._dtype.itemsize * int(self._array.size)

    @property
    def device(self):
        return device_of(self._array)

    @property
    def is_cuda(self) -> bool:
        return type(self._array) is not _ndarray

    @property
    def is_cpu(self) -> bool:
        return type(self._array) is _ndarray

    def get_device(self) -> int:
        d = self.device
        return -1 if d.type == "cpu" else d.index

    @property
    def layout(self):
        return "torch.strided"

    def is_floating_point(self) -> bool:
        return self._dtype.is_floating_point

    def is_complex(self) -> bool:
        return self._dtype.is_complex

    def is_signed(self) -> bool:
        return self._dtype.is_signed

    def stride(self, dim: int | None = None):
        it = self._array.itemsize
        st = tuple(s // it for s in self._array.strides)
        if self._array.size <= 1 or 0 in self._array.shape:
            st = _contiguous_strides(self._array.shape)
        return st if dim is None else st[_wrap_dim(dim, self._array.ndim)]

    def storage_offset(self) -> int:
        return 0

    def is_contiguous(self, memory_format=None) -> bool:
        return bool(self._array.flags.c_contiguous)

    def data_ptr(self) -> int:
        if type(self._array) is _ndarray:
            return self._array.__array_interface__["data"][0]
        return int(self._array.data.ptr)

    def _type_str(self) -> str:
        names = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
                 "bfloat16": "BFloat16Tensor", "int64": "LongTensor", "int32": "IntTensor",
                 "int16": "ShortTensor", "int8": "CharTensor", "uint8": "ByteTensor",
                 "bool": "BoolTensor", "complex64": "ComplexFloatTensor",
                 "complex128": "ComplexDoubleTensor"}
        prefix = "torch.cuda." if self.is_cuda else "torch."
        return prefix + names[self._dtype.name]

    # ---- autograd state ---------------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if self.grad_fn is not None and not requires_grad:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach().")
        if requires_grad and not (self._dtype.is_floating_point or self._dtype.is_complex):
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def data(self) -> Tensor:
        return _new(self._array, self._dtype)

    @data.setter
    def data(self, value: Tensor) -> None:
        self._array = value._array
        self._dtype = value._dtype

    @property
    def _version(self) -> int:
        return self._vc[0]

    def detach(self) -> Tensor:
        t = _new(self._array, self._dtype)
        t._vc = self._vc
        return t

    def detach_(self) -> Tensor:
        self.grad_fn = None
        self._requires_grad = False
        return self

    def retain_grad(self) -> None:
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None:
            return
        node = self.grad_fn
        if node.retained is None:
            node.retained = {}
        node.retained[self._out_idx] = weakref.ref(self)
        self._retains_grad = True

    @property
    def retains_grad(self) -> bool:
        return getattr(self, "_retains_grad", False)

    def register_hook(self, hook):
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            return self.grad_fn._add_pre_hook(self._out_idx, hook)
        from .autograd.graph import _RemovableHandle
        hooks = getattr(self, "_hooks", None)
        if hooks is None:
            hooks = self._hooks = []
        hooks.append(hook)
        return _RemovableHandle(hooks, hook)

    def register_post_accumulate_grad_hook(self, hook):
        from .autograd.graph import _RemovableHandle
        hooks = getattr(self, "_post_acc_hooks", None)
        if hooks is None:
            hooks = self._post_acc_hooks = []
        hooks.append(hook)
        return _RemovableHandle(hooks, hook)

    def _accumulate(self, g: Tensor, create_graph: bool, owned: bool = False) -> None:
        """AccumulateGrad: leaf hooks, then add into .grad (in place unless create_graph).

        owned: g is a sum the engine made and nobody else holds, so .grad may take it as is."""
        for h in getattr(self, "_hooks", None) or ():
            r = h(g)
            if r is not None:
                g = r
                owned = False
        if self.grad is None:
            self.grad = g if create_graph or owned else _new(g._array.copy(), g._dtype)
        elif create_graph or self.grad._requires_grad:
            self.grad = self.grad + g
        else:
            self.grad._array += g._array
        for h in getattr(self, "_post_acc_hooks", None) or ():
            h(self)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        from .autograd import backward
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    # ---- conversion ---------------------------------------------------------------------------
    def numpy(self, *, force: bool = False):
        if force:
            return np.asarray(self.detach().cpu()._array)
        if self._requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        if type(self._array) is not _ndarray:
            raise TypeError(f"can't convert {self.device} device type tensor to numpy. Use "
                            "Tensor.cpu() to copy the tensor to host memory first.")
        if self._dtype is D.bfloat16:
            raise TypeError("Got unsupported ScalarType BFloat16")
        return self._array

    def __array__(self, dtype=None, copy=None):
        a = self.numpy()            # raises like torch when requires_grad
        return a if dtype is None else a.astype(dtype)

    def __array_wrap__(self, array, context=None, return_scalar=False):
        """A NumPy ufunc's result on Tensors comes back as a Tensor, like torch's (which turns
        bool results into uint8). Takes NumPy 2's context/return_scalar arguments, so NumPy
        raises no DeprecationWarning."""
        array = np.asarray(array)
        if array.dtype == bool:
            array = array.astype(np.uint8)
        return _new(array)

    def item(self):
        if self._array.size != 1:
            raise RuntimeError(f"a Tensor with {self._array.size} elements cannot be converted "
                               "to Scalar")
        return self._array.reshape(()).item() if type(self._array) is _ndarray \
            else self._array.reshape(()).get().item()

    def tolist(self):
        a = self._array if type(self._array) is _ndarray else self._array.get()
        return a.tolist()

    def __len__(self) -> int:
        if self._array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._array.shape[0]

    def __iter__(self):
        if self._array.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self) -> bool:
        if self._array.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self.item())

    def __float__(self) -> float:
        return float(self._scalar_item())

    def __int__(self) -> int:
        return int(self._scalar_item())

    def __complex__(self) -> complex:
        return complex(self._scalar_item())

    def __index__(self) -> int:
        if self._dtype.category > 1 or self._array.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return int(self.item())

    def _scalar_item(self):
        if self._array.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self.item()

    def __hash__(self) -> int:
        return id(self)

    def __reduce_ex__(self, protocol):
        return (_rebuild, (self.detach().cpu().numpy() if self._dtype is not D.bfloat16 else
                           self._array, self._dtype.name, self._requires_grad))

    def __repr__(self, *, tensor_contents=None) -> str:
        from ._printing import tensor_repr
        return tensor_repr(self, tensor_contents)

    def __format__(self, spec: str) -> str:
        if self._array.ndim == 0 and spec:
            return self.item().__format__(spec)
        return self.__repr__()

    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) "
                               "support the deepcopy protocol at the moment.  If you were "
                               "attempting to deepcopy a module, this may be because of a "
                               "torch.nn.utils.weight_norm usage, see "
                               "https://github.com/pytorch/pytorch/pull/103001")
        t = _new(self._array.copy(), self._dtype)
        t._requires_grad = self._requires_grad
        if self.grad is not None:
            t.grad = self.grad.__deepcopy__(memo)
        if type(self) is not Tensor:
            t = t.as_subclass(type(self))
            t.__dict__.update({k: v for k, v in self.__dict__.items()})
        memo[id(self)] = t
        return t

    def as_subclass(self, cls) -> Tensor:
        t = object.__new__(cls)
        for s in ("_array", "_dtype", "_requires_grad", "grad", "grad_fn", "_vc", "_out_idx"):
            object.__setattr__(t, s, getattr(self, s))
        return t

    # ---- devices and dtypes ------------------------------------------------------------------
    def to(self, *args, **kwargs) -> Tensor:
        """Tensor.to(device=None, dtype=None, non_blocking=False, copy=False) or to(other)."""
        dev = kwargs.pop("device", None)
        dt = kwargs.pop("dtype", None)
        copy = kwargs.pop("copy", False)
        kwargs.pop("non_blocking", None)
        kwargs.pop("memory_format", None)
        if kwargs:
            raise TypeError(f"to() got an unexpected keyword argument '{next(iter(kwargs))}'")
        flags = []      # positional (non_blocking, copy)
        for a in args:
            if isinstance(a, Tensor):
                dev, dt = a.device, a._dtype
            elif isinstance(a, D.dtype):
                dt = a
            elif isinstance(a, bool):
                flags.append(a)
            elif a is not None:
                dev = a
        if len(flags) > 1:
            copy = flags[1]
        return _to(self, parse_device(dev), None if dt is None else D.to_dtype(dt), copy)

    def cpu(self) -> Tensor:
        return _to(self, parse_device("cpu"), None, False)

    def cuda(self, device=None, non_blocking: bool = False) -> Tensor:
        if device is None:
            from . import cuda
            device = cuda.current_device()
        if isinstance(device, int):
            device = f"cuda:{device}"
        dev = parse_device(device)
        if dev.type != "cuda":
            raise RuntimeError("Invalid device, must be cuda device")
        return _to(self, dev, None, False)

    def type(self, dtype=None, non_blocking: bool = False):
        if dtype is None:
            return self._type_str()
        if isinstance(dtype, str):
            for d in D.ALL:
                if _new(np.zeros(0, d.np), d)._type_str().replace("torch.", "") == \
                        dtype.replace("torch.", "").replace("cuda.", ""):
                    dtype = d
                    break
            else:
                raise ValueError(f"invalid type: '{dtype}'")
        return self.to(D.to_dtype(dtype))

    def type_as(self, other: Tensor) -> Tensor:
        return self.to(other._dtype)

    def float(self) -> Tensor:
        return self.to(D.float32)

    def double(self) -> Tensor:
        return self.to(D.float64)

    def half(self) -> Tensor:
        return self.to(D.float16)

    def bfloat16(self) -> Tensor:
        return self.to(D.bfloat16)

    def long(self) -> Tensor:
        return self.to(D.int64)

    def int(self) -> Tensor:
        return self.to(D.int32)

    def short(self) -> Tensor:
        return self.to(D.int16)

    def char(self) -> Tensor:
        return self.to(D.int8)

    def byte(self) -> Tensor:
        return self.to(D.uint8)

    def bool(self) -> Tensor:
        return self.to(D.bool)

    def cfloat(self) -> Tensor:
        return self.to(D.complex64)

    def cdouble(self) -> Tensor:
        return self.to(D.complex128)

    def new_tensor(self, data, dtype=None, device=None, requires_grad=False) -> Tensor:
        from ._creation import tensor
        return tensor(data, dtype=dtype or self._dtype, device=device or self.device,
                      requires_grad=requires_grad)

    def _new_factory(name):
        def f(self, *size, dtype=None, device=None, requires_grad=False, **kw):
            from . import _creation
            return getattr(_creation, name)(*size, dtype=dtype or self._dtype,
                                            device=device or self.device,
                                            requires_grad=requires_grad, **kw)
        f.__name__ = "new_" + name
        return f

    new_zeros = _new_factory("zeros")
    new_ones = _new_factory("ones")
    new_empty = _new_factory("empty")
    new_full = _new_factory("full")
    del _new_factory


def _rebuild(arr, dtype_name, requires_grad):
    t = _new(np.array(arr), getattr(D, dtype_name))
    t._requires_grad = requires_grad
    return t


def _contiguous_strides(shape) -> tuple:
    st, acc = [], 1
    for s in reversed(shape):
        st.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(st))


def _wrap_dim(dim: int, ndim: int) -> int:
    """Normalise a possibly negative dim, raising torch's IndexError when out of range."""
    if type(dim) is not int and (isinstance(dim, bool) or not hasattr(dim, "__index__")):
        # torch's argument parser refuses these (a TypeError), never wraps them
        raise TypeError(f"dim must be an int or a tuple of ints, not {type(dim).__name__}")
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return dim + n if dim < 0 else dim


def _cast_or_copy(x: Tensor, arr, dt, src_dt):
    """arr cast to dt, or a copy when it is still x's own array (to(copy=True))."""
    if dt is not None and dt is not src_dt:
        if src_dt.is_complex and not dt.is_complex:
            import warnings
            warnings.warn("Casting complex values to real discards the imaginary part",
                          UserWarning, stacklevel=4)
            arr = arr.real
        return cast(arr, dt)
    return arr.copy() if arr is x._array else arr


def _to(x: Tensor, dev, dt, copy: bool) -> Tensor:
    """The one transfer/cast point; differentiable (ToCopyBackward0)."""
    arr = x._array
    src_dt = x._dtype
    if dev is not None and dev.type == "cuda" and dev.index is None:
        from . import cuda
        dev = parse_device(f"cuda:{cuda.current_device()}")
    same_dev = dev is None or dev == device_of(arr) or (dev.type == "cpu" and x.is_cpu)
    if same_dev and (dt is None or dt is src_dt) and not copy:
        return x
    if not same_dev:
        arr = to_device(arr, dev)
    g = None
    if type(arr) is not _ndarray:
        from .backend import _cuda
        g = _cuda.array_guard(arr)
    if g is None:
        arr = _cast_or_copy(x, arr, dt, src_dt)
    else:
        with g:                                   # CuPy allocates on the current GPU
            arr = _cast_or_copy(x, arr, dt, src_dt)
    out = _new(arr, dt or src_dt)
    if x._requires_grad and GRAD_ENABLED[0] and (out._dtype.is_floating_point
                                                 or out._dtype.is_complex):
        src_dev = x.device

        def backward(gy):
            if gy._dtype.is_complex and not src_dt.is_complex:
                gy = gy.real            # torch: a real input takes the real part, no warning
            return (gy.to(src_dev, src_dt),)
        _record(out, backward, (x,), "ToCopyBackward0")
    return out


def _record(out: Tensor, backward, inputs, name: str, saved=None) -> None:
    """Attach a Node for out (used by the dispatcher and a few special ops)."""
    edges = []
    for a in inputs:
        if isinstance(a, Tensor) and a._requires_grad:
            edges.append((a.grad_fn if a.grad_fn is not None else a, a._out_idx,
                          a._array.shape, a._dtype))
        else:
            edges.append(None)
    out.grad_fn = node_class(name)(backward, tuple(edges), name, 1, saved)
    out._requires_grad = True


def sum_to_shape(g: Tensor, shape) -> Tensor:
    """Reduce a broadcast gradient back to shape (the engine's unbroadcast)."""
    nd = g.ndim - len(shape)
    if nd < 0:
        return g.reshape(shape)
    dims = list(range(nd))
    for i, s in enumerate(shape):
        if s == 1 and g.shape[nd + i] != 1:
            dims.append(nd + i)
    a = g._array
    dt = g._dtype
    if (dims or nd) and not GRAD_ENABLED[0] and type(a) is _ndarray and \
            (dt is _F32 or dt is _F64):
        # no graph wanted: the same sum and reshape as below on the raw array
        if dims:
            a = a.sum(axis=tuple(dims), keepdims=True, dtype=dt.np)
        if nd:
            a = a.reshape(shape)
        return _new(a, dt)
    if dims:
        g = g.sum(dim=tuple(dims), keepdim=True)
    if nd:
        g = g.reshape(shape)
    return g


_F32, _F64 = D.float32, D.float64


def array_of(x):
    """The raw array of a Tensor, or x itself (Python scalars stay scalars)."""
    return x._array if isinstance(x, Tensor) else x


__all__ = ["Tensor", "Size", "array_module"]
