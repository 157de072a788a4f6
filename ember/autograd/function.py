"""torch.autograd.Function: user-defined ops with a static forward/backward and a ctx.

`apply` runs forward with grad mode off, then records one engine Node whose closure calls the
user's backward. The ctx hangs off the Node (`grad_fn.saved_tensors` works as in torch); the
saved tensors live in `Node.saved`, so the engine checks their versions and frees them.
"""

from __future__ import annotations

import functools
import weakref

from .grad_mode import GRAD_ENABLED, no_grad
from .graph import FREED_MSG, node_class

__all__ = ["Function", "FunctionCtx", "once_differentiable"]


class FunctionCtx:
    """The ctx passed to forward/setup_context and backward."""

    def __init__(self):
        self.needs_input_grad: tuple = ()
        self.materialize_grads = True
        self._to_save = None
        self._save_slots = None     # positions of saved tensors; None entries are kept as None
        self._dirty = ()
        self._non_diff = ()
        self._node = None           # weakref to the recorded Node (holds the saved tensors)

    def save_for_backward(self, *tensors) -> None:
        from .._tensor import Tensor
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError("save_for_backward can only save variables, but argument "
                                f"{tensors.index(t)} is of type {type(t).__name__}")
        self._to_save = tensors

    @property
    def saved_tensors(self) -> tuple:
        if self._node is None:
            return tuple(self._to_save or ())
        node = self._node()
        if node is None or node.saved is None and self._save_slots:
            raise RuntimeError(FREED_MSG)
        if node.fn is None:
            raise RuntimeError(FREED_MSG)
        live = iter(t for t, _ in (node.saved or ()))
        return tuple(None if s is None else next(live) for s in (self._save_slots or ()))

    saved_variables = saved_tensors

    def mark_dirty(self, *args) -> None:
        self._dirty = args

    def mark_non_differentiable(self, *args) -> None:
        self._non_diff = args

    def set_materialize_grads(self, value: bool) -> None:
        self.materialize_grads = bool(value)


class _FunctionMeta(type):
    """Gives each Function subclass its grad_fn name (<Name>Backward)."""

    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        cls._backward_name = name + "Backward"


class Function(metaclass=_FunctionMeta):
    """torch.autograd.Function: subclass with static forward(ctx, ...) and backward(ctx, ...)."""

    def __call__(self, *args, **kwargs):
        raise RuntimeError("Legacy autograd function with non-static forward method is "
                           "deprecated. Please use new-style autograd function with static "
                           "forward method. (Example: https://pytorch.org/docs/stable/autograd."
                           "html#torch.autograd.Function)")

    @staticmethod
    def forward(*args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward mode "
                                  "AD.")

    vjp = backward

    @classmethod
    def apply(cls, *args, **kwargs):
        from .._tensor import Tensor
        ctx = FunctionCtx()
        grad_on = GRAD_ENABLED[0]
        needs = tuple(grad_on and isinstance(a, Tensor) and a._requires_grad for a in args)
        ctx.needs_input_grad = needs
        with no_grad():
            if cls.setup_context is not Function.setup_context:
                out = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, out)
            else:
                out = cls.forward(ctx, *args, **kwargs)
        if not any(needs):
            return out
        return _record(cls, ctx, args, out)


def _record(cls, ctx, args, out):
    """Attach a Node for the outputs of a Function (the differentiable case)."""
    from .._tensor import Tensor
    single = not isinstance(out, tuple)
    outs = [out] if single else list(out)
    input_ids = {id(a) for a in args if isinstance(a, Tensor)}
    dirty = {id(t) for t in ctx._dirty}
    non_diff = {id(t) for t in ctx._non_diff}
    name = cls._backward_name
    for t in ctx._dirty:
        if t._requires_grad and t.grad_fn is None:
            raise RuntimeError("a leaf Variable that requires grad has been used in an in-place "
                               "operation.")
        t._vc[0] += 1
    # Saved outputs are kept as aliases without grad_fn (no Node -> tensor -> Node cycle).
    out_ids = {id(o) for o in outs if isinstance(o, Tensor)}
    saved, slots = [], []
    for t in ctx._to_save or ():
        if t is None:
            slots.append(None)
            continue
        if id(t) in out_ids and id(t) not in input_ids:
            t = _alias(t)
        saved.append((t, t._vc[0]))
        slots.append(1)
    ctx._save_slots = slots
    ctx._to_save = None
    edges = []
    for a in args:
        if isinstance(a, Tensor) and a._requires_grad:
            edges.append((a if a.grad_fn is None else a.grad_fn, a._out_idx, a._array.shape,
                          a._dtype))
        else:
            edges.append(None)
    metas = [(o._array.shape, o._dtype, o.device) if isinstance(o, Tensor) else None
             for o in outs]
    # the closure keeps only input shapes, not the inputs (torch keeps what was saved)
    in_shapes = [tuple(a.shape) if isinstance(a, Tensor) else None for a in args]
    node = node_class(name)(_backward_fn(cls, ctx, in_shapes, metas, name), tuple(edges), name,
                            len(outs), tuple(saved))
    node.ctx = ctx
    ctx._node = weakref.ref(node)
    for i, o in enumerate(outs):
        if not isinstance(o, Tensor) or id(o) in non_diff:
            continue
        if id(o) in input_ids and id(o) not in dirty:
            o = outs[i] = _alias(o)       # an input returned as-is: a new tensor sharing memory
        if o._dtype.category >= 2:
            o.grad_fn = node
            o._out_idx = i
            o._requires_grad = True
    return outs[0] if single else tuple(outs)


def _alias(t):
    from .._tensor import _new
    a = _new(t._array, t._dtype)
    a._vc = t._vc
    return a


def _expandable(shape, target) -> bool:
    if len(shape) > len(target):
        return False
    for s, t in zip(reversed(shape), reversed(target)):
        if s != t and s != 1:
            return False
    return True


def _backward_fn(cls, ctx, in_shapes, metas, name):
    from .._tensor import Tensor
    n = len(in_shapes)

    def fn(*grads):
        if ctx.materialize_grads:
            from .._creation import zeros
            grads = tuple(zeros(m[0], dtype=m[1], device=m[2]) if g is None and m is not None
                          else g for g, m in zip(grads, metas))
        res = cls.backward(ctx, *grads)
        if not isinstance(res, tuple):
            res = (res,)
        if len(res) != n:
            if len(res) > n and all(r is None for r in res[n:]):
                res = res[:n]
            else:
                raise RuntimeError(f"function {name} returned an incorrect number of gradients "
                                   f"(expected {n}, got {len(res)})")
        for i, (r, shape) in enumerate(zip(res, in_shapes)):
            if r is None:
                continue
            if shape is None:
                raise RuntimeError(f"function {name} returned a gradient different than None at "
                                   f"position {i + 1}, but the corresponding forward input was "
                                   "not a Variable")
            if not isinstance(r, Tensor):
                raise TypeError(f"function {name} returned a gradient of type "
                                f"{type(r).__name__} at position {i + 1}; expected a Tensor")
            if r.shape != shape and not _expandable(shape, tuple(r.shape)):
                raise RuntimeError(f"Function {name} returned an invalid gradient at index {i} - "
                                   f"got {list(r.shape)} but expected shape compatible with "
                                   f"{list(shape)}")
        return res
    return fn


def once_differentiable(fn):
    """torch.autograd.function.once_differentiable: backward runs without building a graph."""
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with no_grad():
            return fn(ctx, *args)
    return wrapper
