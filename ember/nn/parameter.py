"""torch.nn.Parameter and torch.nn.Buffer."""

from __future__ import annotations

from .. import _dtype as D
from .._tensor import Tensor, _new

__all__ = ["Parameter", "Buffer"]


class Parameter(Tensor):
    """torch.nn.Parameter: a leaf Tensor that a Module registers as a parameter."""

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True):
        if data is None:
            import numpy as np
            data = _new(np.empty((0,), D.get_default_dtype().np))
        # shares data with the given tensor, as torch's _make_subclass does
        t = data.detach().as_subclass(cls)
        t._vc = data._vc
        t._requires_grad = False
        if requires_grad:
            t.requires_grad_(True)
        return t

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        pass

    def __repr__(self, *, tensor_contents=None) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (self.detach(), self._requires_grad))

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        t = Parameter(_new(self._array.copy(), self._dtype), self._requires_grad)
        if self.grad is not None:
            t.grad = self.grad.__deepcopy__(memo)
        memo[id(self)] = t
        return t


def _rebuild_parameter(data: Tensor, requires_grad: bool) -> Parameter:
    return Parameter(data, requires_grad)


class _BufferMeta(type):
    def __instancecheck__(cls, instance) -> bool:
        return isinstance(instance, Tensor) and getattr(instance, "_is_buffer", False)


class Buffer(Tensor, metaclass=_BufferMeta):
    """torch.nn.Buffer: marks a tensor to be registered as a buffer when assigned to a Module."""

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True):
        if data is None:
            import numpy as np
            data = _new(np.empty((0,), D.get_default_dtype().np))
        t = data.detach()
        t._vc = data._vc
        t._requires_grad = data._requires_grad
        t._is_buffer = True
        t.persistent = persistent
        return t


class UninitializedTensorMixin:
    """torch.nn.parameter.UninitializedTensorMixin: a placeholder until materialize(shape)."""

    cls_to_become: type = Tensor

    def materialize(self, shape, device=None, dtype=None) -> None:
        """Allocate (uninitialised) storage of shape and become cls_to_become."""
        import ember
        t = ember.empty(shape, device=device if device is not None else self.device,
                        dtype=dtype if dtype is not None else self.dtype)
        self._array, self._dtype = t._array, t._dtype
        self._vc[0] += 1
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError(
            "Can't access the shape of an uninitialized parameter or buffer. This error usually "
            "happens in `load_state_dict` when trying to load an uninitialized parameter into "
            "an initialized one. Call `forward` to initialize the parameters before accessing "
            "their attributes.")

    def __repr__(self, *args, **kwargs) -> str:
        return f"<{self.__class__.__name__}>"


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """torch.nn.UninitializedParameter (lazy modules' parameters before the first forward)."""

    cls_to_become = Parameter

    def __new__(cls, requires_grad: bool = True, device=None, dtype=None):
        import ember
        return Parameter.__new__(cls, ember.empty(0, device=device, dtype=dtype), requires_grad)

    def __init__(self, requires_grad: bool = True, device=None, dtype=None) -> None:
        pass

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = type(self)(self.requires_grad, self.device, self.dtype)
        return memo[id(self)]


def is_lazy(param) -> bool:
    """torch.nn.parameter.is_lazy."""
    return isinstance(param, UninitializedTensorMixin)


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """torch.nn.UninitializedBuffer (lazy modules' buffers before the first forward)."""

    cls_to_become = Tensor

    def __new__(cls, requires_grad: bool = False, device=None, dtype=None,
                persistent: bool = True):
        import ember
        t = ember.empty(0, device=device, dtype=dtype).as_subclass(cls)
        t._requires_grad = requires_grad
        t.persistent = persistent
        t._is_buffer = True
        return t

    def __init__(self, requires_grad: bool = False, device=None, dtype=None,
                 persistent: bool = True) -> None:
        pass
