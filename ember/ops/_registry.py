"""The op registry: one definition gives ember.name, Tensor.name, its dunders and in-place form.

A primitive is `fn(*positional, **keyword)` that returns either a raw array (not differentiable)
or `(out, backward)` / `(out, backward, info)`:
- out: the raw output array, or a tuple of arrays for multi-output ops (`multi=True`);
- backward(gy) (or backward(*gys) for multi-output ops): returns one gradient per *positional*
  argument (None where no gradient flows), written with ember ops on Tensors so that
  create_graph works; the engine unbroadcasts (sum_to) and casts to the input's dtype;
- info: optional dict with "name" (grad_fn name, default CamelCase + "Backward0"),
  "dtype" (the output's ember dtype when the storage dtype does not say it, e.g. bfloat16),
  "saved" (tensors whose in-place modification must invalidate backward; default: all
  positional Tensor inputs unless the op is declared with saves=False), "saved_out" (present:
  backward reads the result, so an in-place change to the result raises, as in torch).
"""

from __future__ import annotations

import numpy as _np

from .. import _dtype as D
from .._tensor import Tensor, _new
from ..autograd.grad_mode import GRAD_ENABLED
from ..autograd.graph import _NODE_CLASSES, node_class
from ..backend import _cuda
from ..backend._cuda import CUDA_ON as _CUDA_ON

REGISTRY: dict = {}          # name -> public callable
METHODS: dict = {}           # Tensor method name -> callable
_bf16 = D.bfloat16
_float32 = D.float32
_BY_NP = D._BY_NP
_ndarray = _np.ndarray
_asarray = _np.asarray
_tnew = object.__new__


def _camel(name: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in name.strip("_").split("_")) + "Backward0"


def _bf16_out(args, out_dtype):
    # bfloat16 is stored as float32: an op whose floating inputs are all bfloat16 yields bfloat16
    if out_dtype is not _float32:
        return out_dtype
    seen = False
    for a in args:
        if isinstance(a, Tensor):
            d = a._dtype
            if d is _bf16:
                seen = True
            elif d.category >= 2:
                return out_dtype
    return _bf16 if seen else out_dtype


_PY_NUMBERS = frozenset((float, int, bool, complex))


def make_dispatcher(fn, name: str, multi: bool = False, saves: bool = True, view: bool = False):
    """Wrap a primitive into the public callable that builds the autograd graph.

    view: the outputs alias args[0]'s memory, so they share its version counter (an info
    {"view": False} opts out for a call that had to copy, e.g. reshape)."""
    grad_name = _camel(name)
    grad_cls = node_class(grad_name)
    simple = not multi and not view

    def dispatch(*args, **kwargs):
        if _CUDA_ON[0]:
            # tensors on two devices raise torch's error; a tensor on a non-current GPU runs
            # with that GPU current (CuPy launches kernels on the current device only)
            g = _cuda.dispatch_check(args, kwargs)
            if g is not None:
                with g:
                    return dispatch(*args, **kwargs)
        if kwargs and "out" in kwargs:
            out = kwargs.pop("out")
            if out is not None:
                return _dispatch_out(dispatch, args, kwargs, out)
        try:
            res = fn(*args, **kwargs)
        except AttributeError:
            if args and not isinstance(args[0], Tensor):
                # a non-Tensor where torch's binding wants one: its TypeError, not ours
                raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                                f"{type(args[0]).__name__}") from None
            raise
        except ValueError as e:
            # NumPy's broadcasting error -> torch's RuntimeError (free on the fast path)
            err = "broadcast" in str(e) and broadcast_error(
                [a._array.shape for a in (*args, *kwargs.values()) if isinstance(a, Tensor)])
            if not err:
                raise
            raise err from None
        if type(res) is not tuple:
            return _wrap_out(res, None, args)
        if simple and len(res) == 3 and type(res[2]) is Info:
            # fast path (most ops, via elementwise.result): one output of a known dtype that
            # is not bfloat16, default saved tensors; the same steps as the general path below
            out, backward, info = res
            if type(out) is not _ndarray and not hasattr(out, "__cuda_array_interface__"):
                out = _asarray(out)
            t = _tnew(Tensor)
            t._array = out
            t._dtype = odt = info.odt
            t._requires_grad = False
            t.grad = None
            t.grad_fn = None
            t._vc = [0]
            t._out_idx = 0
            if backward is None or not GRAD_ENABLED[0]:
                return t
            a = args[0]
            if len(args) == 2 and type(args[1]) in _PY_NUMBERS and type(a) is Tensor:
                # tensor op Python number: one possible edge, one saved tensor
                if not a._requires_grad:
                    return t
                gf = a.grad_fn
                edges = [(a if gf is None else gf, a._out_idx, a._array.shape, a._dtype), None]
                saved = None if not saves else ((a, a._vc[0]),) if info.saved_in else \
                    NOTHING_SAVED
            else:
                edges = None
                saved = None if not saves else [] if info.saved_in else NOTHING_SAVED
                i = 0
                for a in args:
                    if isinstance(a, Tensor):
                        if a._requires_grad:
                            if edges is None:
                                edges = [None] * len(args)
                            gf = a.grad_fn
                            edges[i] = (a if gf is None else gf, a._out_idx, a._array.shape,
                                        a._dtype)
                        if type(saved) is list:
                            saved.append((a, a._vc[0]))
                    i += 1
                if edges is None:
                    return t
                if type(saved) is list:
                    saved = tuple(saved)
            gname = info.gname
            if gname is None or gname == grad_name:
                node = grad_cls(backward, edges, grad_name, 1, saved)
            else:
                node = info.gcls(backward, edges, gname, 1, saved)
            if odt.category >= 2:
                t.grad_fn = node
                t._requires_grad = True
                if info.saved_out:
                    # backward reads the result: an in-place change to it must raise, as torch
                    node.saved = (node.saved or ()) + ((_SavedResult(t, node._name), 0),)
            return t
        if len(res) == 2:
            out, backward = res
            if simple and type(out) is _ndarray and (backward is None or not GRAD_ENABLED[0]):
                # no graph to record: _wrap_out(out, None, args) inlined
                d = _BY_NP[out.dtype]
                if d is _float32:
                    for a in args:
                        if isinstance(a, Tensor) and a._dtype is _bf16:
                            return _wrap_out(out, None, args)
                t = _tnew(Tensor)
                t._array = out
                t._dtype = d
                t._requires_grad = False
                t.grad = None
                t.grad_fn = None
                t._vc = [0]
                t._out_idx = 0
                return t
            info = None
            odt = None
            gname = grad_name
            gcls = grad_cls
        else:
            out, backward, info = res
            odt = info.get("dtype")
            gname = info.get("name")
            if gname is None or gname == grad_name:
                gname = grad_name
                gcls = grad_cls
            else:
                gcls = _NODE_CLASSES.get(gname) or node_class(gname)
        if multi:
            outs = tuple(_wrap_out(o, odt, args, view) for o in out)
            first = outs[0]
        elif odt is None or odt is _bf16 or view:
            first = outs = _wrap_out(out, odt, args, view)
        else:
            # fast path: the primitive told the dtype and cast the storage
            if type(out) is not _ndarray and not hasattr(out, "__cuda_array_interface__"):
                out = _asarray(out)
            first = outs = _tnew(Tensor)
            first._array = out
            first._dtype = odt
            first._requires_grad = False
            first.grad = None
            first.grad_fn = None
            first._vc = [0]
            first._out_idx = 0
        if view and (info is None or info.get("view", True)):
            # a view shares its base's version counter and remembers how to replay itself on
            # a base (shape.rebase_views: an in-place write to it gives the base new history)
            vc = args[0]._vc
            if multi:
                for i, o in enumerate(outs):
                    o._vc = vc
                    o._view_fn = (args[0], dispatch, args[1:], kwargs, i)
            else:
                first._vc = vc
                first._view_fn = (args[0], dispatch, args[1:], kwargs, None)
        if backward is None or not GRAD_ENABLED[0]:
            return outs
        edges = None
        own = info is not None and "saved" in info
        saved = [] if saves and not own else None
        i = 0
        for a in args:
            if isinstance(a, Tensor):
                if a._requires_grad:
                    if edges is None:
                        edges = [None] * len(args)
                    gf = a.grad_fn
                    edges[i] = (a if gf is None else gf, a._out_idx, a._array.shape, a._dtype)
                if saved is not None:
                    saved.append((a, a._vc[0]))
            i += 1
        if edges is None:
            return outs
        if own:
            saved = tuple((t, t._vc[0]) for t in info["saved"]) or NOTHING_SAVED
        elif saved is not None:
            saved = tuple(saved)
        node = gcls(backward, edges, gname, len(outs) if multi else 1, saved)
        if multi:
            for i, o in enumerate(outs):
                if o._dtype.category >= 2:
                    o.grad_fn = node
                    o._requires_grad = True
                    o._out_idx = i
        elif first._dtype.category >= 2:
            first.grad_fn = node
            first._requires_grad = True
            if info is not None and "saved_out" in info:
                # backward reads the result: an in-place change to it must raise, as in torch
                node.saved = (node.saved or ()) + ((_SavedResult(first, gname), first._vc[0]),)
        return outs

    dispatch.__name__ = name
    dispatch.__qualname__ = name
    dispatch.__doc__ = fn.__doc__
    dispatch.primitive = fn
    return dispatch


class Info(dict):
    """An info dict ({"dtype": dt[, "name": n][, "saved_out": True][, "saved": ()]}, dt not
    bfloat16) that carries its fields as attributes too, for the dispatcher's fast path
    (elementwise.result makes one per key and shares it). saved_in=False: the backward reads
    none of the inputs (as torch, which then saves none: changing one in place is allowed)."""

    __slots__ = ("odt", "gname", "gcls", "saved_out", "saved_in")

    def __init__(self, dt, name=None, saved_out=False, saved_in=True):
        super().__init__(dtype=dt)
        if name is not None:
            self["name"] = name
        if saved_out:
            self["saved_out"] = True
        if not saved_in:
            self["saved"] = ()
        self.odt = dt
        self.gname = name
        self.gcls = None if name is None else node_class(name)
        self.saved_out = saved_out
        self.saved_in = saved_in


class _NoTensor:
    """A saved entry that never changes version: a node that keeps only non-tensor state
    (a scalar factor, indices as torch keeps them) is still freed after backward, so a second
    backward raises as torch's does, without checking any input."""

    __slots__ = ("_vc",)

    def __init__(self) -> None:
        self._vc = [0]


NOTHING_SAVED = ((_NoTensor(), 0),)


class _SavedResult:
    """An op's result as node.saved holds it: its version counter and what the error message
    names, without a reference to the tensor (which would make result -> node -> result a
    cycle)."""

    __slots__ = ("_vc", "grad_fn", "_out_idx", "shape", "_dtype", "is_cuda")

    def __init__(self, t, grad_name: str):
        self._vc = t._vc                      # shared with t's views: their writes count too
        g = _GRAD_NAMES.get(grad_name)
        if g is None:
            g = _GRAD_NAMES[grad_name] = _GradName(grad_name)     # immutable: one per name
        self.grad_fn = g
        self._out_idx = 0
        self.shape = t._array.shape
        self._dtype = t._dtype
        self.is_cuda = type(t._array) is not _ndarray

    _type_str = Tensor._type_str


class _GradName:
    __slots__ = ("_name",)

    def __init__(self, name: str):
        self._name = name


_GRAD_NAMES: dict = {}


def _dispatch_out(dispatch, args, kwargs, out):
    """f(..., out=t): compute, then write the result into t (torch's out= variants)."""
    if GRAD_ENABLED[0] and any(isinstance(a, Tensor) and a._requires_grad
                               for a in (*args, *kwargs.values())):
        raise RuntimeError(f"{dispatch.__name__}(): functions with out=... arguments don't "
                           "support automatic differentiation, but one of the arguments requires "
                           "grad.")
    res = dispatch(*args, **kwargs)
    if isinstance(res, tuple):
        if not isinstance(out, (tuple, list)) or len(out) != len(res):
            raise TypeError(f"{dispatch.__name__}(): argument 'out' must be a tuple of "
                            f"{len(res)} Tensors")
        for o, r in zip(out, res):
            write_out(o, r)
        return type(res)(out) if hasattr(res, "_fields") else tuple(out)
    return write_out(out, res)


def write_out(out, res):
    """Store res into the tensor out (resized to res's shape when they differ) and return out."""
    if not isinstance(out, Tensor):
        raise TypeError(f"argument 'out' must be Tensor, not {type(out).__name__}")
    od, rd = out._dtype, res._dtype
    if od is not rd and od.category < rd.category:
        raise RuntimeError(f"result type {_scalar_name(rd)} can't be cast to the desired output "
                           f"type {_scalar_name(od)}")
    if out._array.shape == res._array.shape:
        out._array[...] = res._array.astype(out._array.dtype, copy=False)
    else:
        if out._array.size:
            import warnings
            warnings.warn(f"An output with one or more elements was resized since it had shape "
                          f"{list(out._array.shape)}, which does not match the required output "
                          f"shape {list(res._array.shape)}. This behavior is deprecated, and in "
                          "a future PyTorch release outputs will not be resized unless they have "
                          "zero elements. You can explicitly reuse an out tensor t by resizing "
                          "it, inplace, to zero elements with t.resize_(0).", UserWarning,
                          stacklevel=4)
        out._array = res._array.astype(out._array.dtype)
    if od is _bf16 and rd is not _bf16:
        from ..backend import round_bf16
        out._array[...] = round_bf16(out._array)
    out._vc[0] += 1
    return out


def _wrap_out(arr, odt, args, view=False):
    t = _new(arr)
    d = odt if odt is not None else _bf16_out(args, t._dtype)
    if d is not t._dtype:
        if d is _bf16 and not view:     # a view's values are already bfloat16: keep aliasing
            from ..backend import round_bf16
            t._array = round_bf16(t._array)
        t._dtype = d
    return t


# In-place arithmetic that NumPy can do straight into self's storage (no out-of-place result
# to copy back): used for plain float32/float64 tensors outside autograd, one positional
# operand, no keywords. Anything else (or a NumPy error) takes the general path below.
_RAW_INPLACE = {"add_": _np.add, "sub_": _np.subtract, "mul_": _np.multiply,
                "div_": _np.true_divide}
_F32_64 = (_np.dtype("float32"), _np.dtype("float64"))


def _make_inplace(public, name: str):
    raw = _RAW_INPLACE.get(name)

    def inplace(self, *args, **kwargs):
        if raw is not None and not kwargs and len(args) == 1 and not self._requires_grad:
            x, o = self._array, args[0]
            to = type(o)
            if to is Tensor:
                y = o._array if o._dtype is self._dtype and not o._requires_grad else None
            else:
                y = o if to is float or to is int else None
            if y is not None and type(x) is _ndarray and x.dtype in _F32_64 and \
                    self._dtype is not _bf16 and (to is not Tensor or type(y) is _ndarray):
                try:
                    raw(x, y, out=x)     # NumPy checks shapes/writeability before writing
                except ValueError:
                    pass
                else:
                    self._vc[0] += 1
                    return self
        check_inplace(self)
        if self._requires_grad or any(isinstance(a, Tensor) and a._requires_grad for a in args):
            if GRAD_ENABLED[0]:
                # backward must see self's value before the write: hand the op a snapshot
                snap = _new(self._array.copy(), self._dtype)
                snap._requires_grad = self._requires_grad
                snap.grad_fn = self.grad_fn
                snap._out_idx = self._out_idx
                out = public(snap, *args, **kwargs)
                _write_into(self, out, name)
                self.grad_fn = out.grad_fn
                self._out_idx = out._out_idx
                self._requires_grad = out._requires_grad
                if getattr(self, "_view_of", None) is not None or \
                        getattr(self, "_view_fn", None) is not None:
                    # a view (getitem or shape op): its bases take the new history too
                    from .shape import rebase_views
                    rebase_views(self)
                return self
        out = public(self, *args, **kwargs)
        _write_into(self, out, name)
        return self

    inplace.__name__ = name
    return inplace


def check_inplace(self) -> None:
    if self._requires_grad and GRAD_ENABLED[0]:
        if self.grad_fn is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                               "operation.")
        if getattr(self, "_view_of", None) is not None:
            from .index import check_view_inplace
            check_view_inplace(self)
        if getattr(self, "_view_fn", None) is not None:
            from .shape import check_views_inplace
            check_views_inplace(self)


def broadcast_error(shapes):
    """torch's RuntimeError for shapes that do not broadcast together (None when they do)."""
    acc = ()
    for s in shapes:
        n = max(len(acc), len(s))
        a, b = (1,) * (n - len(acc)) + tuple(acc), (1,) * (n - len(s)) + tuple(s)
        for i in range(n - 1, -1, -1):          # torch checks from the last dim
            p, q = a[i], b[i]
            if p != q and p != 1 and q != 1:
                return RuntimeError(f"The size of tensor a ({p}) must match the size of tensor b "
                                    f"({q}) at non-singleton dimension {i}")
        acc = tuple(q if p == 1 else p for p, q in zip(a, b))
    return None


def _write_into(self, out, name) -> None:
    sd, od = self._dtype, out._dtype
    if od is not sd and D.promote_types(od, sd) is not sd and od.category > sd.category:
        raise RuntimeError(f"result type {_scalar_name(od)} can't be cast to the desired output "
                           f"type {_scalar_name(sd)}")
    if out._array.shape != self._array.shape:
        try:
            from ..backend import array_module
            array_module(out._array).broadcast_to(out._array, self._array.shape)
        except ValueError:
            raise RuntimeError(f"output with shape {list(self._array.shape)} doesn't match the "
                               f"broadcast shape {list(out._array.shape)}") from None
    arr = out._array
    if sd is _bf16 and od is not _bf16:
        from ..backend import round_bf16
        arr = round_bf16(arr.astype("float32"))   # bfloat16 storage must hold bf16 values
    if not getattr(self._array.flags, "writeable", True):
        raise RuntimeError(OVERLAP_MSG)      # an expand()ed tensor: elements share memory
    if self._array.ndim == 0:
        self._array[()] = arr
    else:
        self._array[...] = arr
    self._vc[0] += 1


OVERLAP_MSG = ("unsupported operation: more than one element of the written-to tensor refers to a "
               "single memory location. Please clone() the tensor before performing the operation.")


def _scalar_name(d) -> str:
    return {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
            "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool", "complex64": "ComplexFloat", "complex128": "ComplexDouble",
            "complex32": "ComplexHalf"}[d.name]


def register(name: str, public, *, method: bool | str = True, function: bool = True,
             dunder=(), inplace: bool | str = False, idunder=()) -> None:
    """Expose an already-built callable as ember.name / Tensor.name / dunders / name_."""
    if function:
        REGISTRY[name] = public
    if method:
        mname = method if isinstance(method, str) else name
        METHODS[mname] = public
        setattr(Tensor, mname, public)
    for d in dunder:
        setattr(Tensor, d, public if d in _UNARY_DUNDERS else _binary_dunder(public, d))
    if inplace:
        iname = inplace if isinstance(inplace, str) else name + "_"
        ip = _make_inplace(public, iname)
        METHODS[iname] = ip
        setattr(Tensor, iname, ip)
        for d in idunder:
            setattr(Tensor, d, _binary_dunder(ip, d))


_UNARY_DUNDERS = frozenset(("__neg__", "__pos__", "__abs__", "__invert__"))
# what an arithmetic dunder takes as its other operand; anything else gives NotImplemented, so
# that Python tries the other operand, then raises its own "unsupported operand type(s)" (torch)
_OPERANDS = (Tensor, int, float, complex, _np.ndarray, _np.generic)


def _binary_dunder(fn, name: str):
    def dunder(self, other, *rest):
        if not isinstance(other, _OPERANDS):
            return NotImplemented
        return fn(self, other, *rest)
    dunder.__name__ = dunder.__qualname__ = name
    dunder.__doc__ = fn.__doc__
    dunder.__wrapped__ = fn
    return dunder


def op(name: str | None = None, *, method: bool | str = True, function: bool = True,
       dunder=(), inplace: bool | str = False, idunder=(), multi: bool = False,
       saves: bool = True, view: bool = False):
    """Decorator: register a primitive (see the module docstring); idunder: in-place dunders;
    view: the op returns views of its first input (they share its version counter)."""
    def deco(fn):
        n = name or fn.__name__.lstrip("_")
        public = make_dispatcher(fn, n, multi=multi, saves=saves, view=view)
        register(n, public, method=method, function=function, dunder=dunder, inplace=inplace,
                 idunder=idunder)
        return public
    return deco


def public(name: str | None = None, *, method: bool | str = True, function: bool = True,
           dunder=(), inplace: bool | str = False, idunder=()):
    """Decorator: register a composite (a plain function over primitives, no backward)."""
    def deco(fn):
        n = name or fn.__name__.lstrip("_")
        register(n, fn, method=method, function=function, dunder=dunder, inplace=inplace,
                 idunder=idunder)
        return fn
    return deco
