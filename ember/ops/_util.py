"""Small helpers shared by the op families: argument normalisation and promotion."""

from __future__ import annotations

from .. import _dtype as D
from .._tensor import Tensor, _wrap_dim
from ..backend import array_module, cast

__all__ = ["binary_arrays", "norm_dims", "wrap_dim", "xp_of",
           "check_same_device", "cast"]

wrap_dim = _wrap_dim


def xp_of(*xs):
    """The array module of the first Tensor among xs."""
    for x in xs:
        if isinstance(x, Tensor):
            return array_module(x._array)
    import numpy
    return numpy


def check_same_device(a: Tensor, b: Tensor) -> None:
    """torch's error for tensors on two devices (a CPU 0-dim tensor mixes with any device)."""
    if type(a._array) is not type(b._array) or (a.is_cuda and a.device != b.device):
        if a._array.ndim == 0 and a.is_cpu or b._array.ndim == 0 and b.is_cpu:
            return
        if a.is_cpu:            # torch names the CUDA (common) device first
            a, b = b, a
        raise RuntimeError("Expected all tensors to be on the same device, but found at least two "
                           f"devices, {a.device} and {b.device}!")


def binary_arrays(a, b, dt: D.dtype | None = None):
    """(x, y, dtype): raw operands converted to the torch result dtype of a op b."""
    if dt is None:
        if isinstance(a, Tensor) and isinstance(b, Tensor) and a._dtype is b._dtype:
            if type(a._array) is not type(b._array):
                check_same_device(a, b)
            return a._array, b._array, a._dtype
        dt = D.result_type(a, b)
    npd = dt.np
    if isinstance(a, Tensor):
        x = a._array
        if x.dtype != npd:
            x = x.astype(npd)
    else:
        x = npd.type(a)
    if isinstance(b, Tensor):
        y = b._array
        if y.dtype != npd:
            y = y.astype(npd)
        if isinstance(a, Tensor) and type(a._array) is not type(b._array):
            check_same_device(a, b)
    else:
        y = npd.type(b)
    return x, y, dt


def accumulate_dtype(x: Tensor, dtype=None) -> D.dtype:
    """torch's result dtype for sum, nansum, prod, cumsum, cumprod and trace: `dtype` when given,
    else int64 for bool and integer x, else x's own."""
    if dtype is not None:
        return D.to_dtype(dtype)
    return D.int64 if x._dtype.category < 2 else x._dtype


def norm_dims(dim, ndim: int):
    """dim (None, int, or sequence) -> None or a sorted tuple of non-negative axes."""
    if dim is None:
        return None
    if isinstance(dim, (int, float, str)):          # _wrap_dim refuses floats and strings
        return (_wrap_dim(dim, ndim),)
    dims = tuple(_wrap_dim(d, ndim) for d in dim)
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"dim {dims[0]} appears multiple times in the list of dims")
    return tuple(sorted(dims)) if dims else None
