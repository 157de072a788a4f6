"""Helpers shared by the nn.functional primitives."""

from __future__ import annotations

from ..._tensor import Tensor, _new
from ...backend import array_module
from ...ops._registry import op


def nnop(name: str | None = None, **kw):
    """@op for an nn.functional primitive: not exposed as ember.<name> nor Tensor.<name>."""
    return op(name, function=False, method=False, **kw)


def const(arr, like: Tensor) -> Tensor:
    """A raw derivative factor as a constant Tensor of like's dtype."""
    if arr.dtype != like._array.dtype:
        arr = arr.astype(like._array.dtype)
    return _new(arr, like._dtype)


def first_order(name: str) -> None:
    """Raise in a raw-array backward when a graph of the gradient is requested.

    Such backward closures compute exact first derivatives on arrays; under create_graph their
    result would silently be a constant, so refuse instead.
    """
    from ...autograd.grad_mode import GRAD_ENABLED
    if GRAD_ENABLED[0]:
        raise NotImplementedError(f"double backward (create_graph=True) through {name} is not "
                                  "implemented in Ember yet")


def xp_arr(t: Tensor):
    """(array module, raw array) of a Tensor."""
    return array_module(t._array), t._array


def float_check(input: Tensor, name: str) -> None:
    """torch raises for integral inputs of float-only kernels."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if input._dtype.category < 2:
        raise NotImplementedError(f'"{name}" not implemented for '
                                  f"'{_scalar(input)}'")


def _scalar(t: Tensor) -> str:
    from ...ops._registry import _scalar_name
    return _scalar_name(t._dtype)


def reduce_loss(loss: Tensor, reduction: str) -> Tensor:
    """Apply reduction 'none' | 'mean' | 'sum' to an elementwise loss."""
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(f"{reduction} is not a valid value for reduction")


def legacy_reduction(size_average, reduce, reduction: str) -> str:
    """torch's _Reduction.legacy_get_string for the deprecated size_average/reduce flags."""
    if size_average is None and reduce is None:
        return reduction
    import warnings
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if size_average and reduce:
        ret = "mean"
    elif reduce:
        ret = "sum"
    else:
        ret = "none"
    warnings.warn(f"size_average and reduce args will be deprecated, please use "
                  f"reduction='{ret}' instead.", UserWarning, stacklevel=3)
    return ret
