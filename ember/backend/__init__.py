"""The device seam: which array module (numpy or cupy) holds an array, transfers, gaps."""

from __future__ import annotations

import numpy as np

from ._device import device, parse_device

__all__ = ["array_module", "device", "parse_device", "cast", "round_bf16", "numpy", "is_cuda_array",
           "to_device", "device_of", "reshape_view", "as_strided"]

numpy = np
_ndarray = np.ndarray
_CPU = device("cpu")


def array_module(x):
    """numpy for NumPy arrays, cupy for CuPy arrays (Chainer's get_array_module)."""
    if type(x) is _ndarray:
        return np
    from . import _cuda
    return _cuda.array_module(x)


def is_cuda_array(x) -> bool:
    return type(x) is not _ndarray and not isinstance(x, (np.generic, int, float, bool, complex))


def device_of(x) -> device:
    if type(x) is _ndarray:
        return _CPU
    from . import _cuda
    return _cuda.device_of(x)


def round_bf16(x):
    """Round float32 values to the nearest bfloat16 (ties to even), kept in float32 storage."""
    xp = array_module(x)
    shape = x.shape
    x = xp.ascontiguousarray(x, dtype=xp.float32).reshape(shape)   # keeps 0-dim arrays 0-dim
    b = x.view(xp.uint32)
    nan = xp.isnan(x)
    r = (b + (xp.uint32(0x7FFF) + ((b >> 16) & 1))) & xp.uint32(0xFFFF0000)
    out = r.view(xp.float32)
    if nan.any():
        out = xp.where(nan, x, out)
    # ufuncs on 0-dim arrays return scalars: give back an array of the input's shape
    return xp.asarray(out).reshape(shape)


def cast(x, dtype):
    """x as dtype's storage (no copy when already so); bfloat16 values are rounded."""
    if x.dtype != dtype.np:
        x = x.astype(dtype.np)
    if dtype.name == "bfloat16":
        x = round_bf16(x)
    return x


def reshape_view(x, shape):
    """x reshaped without a copy; ValueError when the strides do not allow it."""
    if type(x) is _ndarray:
        return np.reshape(x, shape, copy=False)
    v = x.view()
    v.shape = shape          # cupy raises AttributeError when a copy would be needed
    return v


def as_strided(x, shape, strides, writeable: bool = True):
    """A strided view of x (byte strides); read-only when asked, where the array type can say so."""
    if type(x) is _ndarray:
        return np.lib.stride_tricks.as_strided(x, shape, strides, writeable=writeable)
    # CuPy's as_strided has no writeable flag (CuPy arrays cannot be made read-only)
    return array_module(x).lib.stride_tricks.as_strided(x, shape, strides)


def to_device(x, dev: device):
    """Move an array to a device (the one transfer point)."""
    if dev.type == "cpu":
        if type(x) is _ndarray:
            return x
        from . import _cuda
        return _cuda.to_host(x)
    if dev.type != "cuda":
        raise RuntimeError(f"ember has no '{dev.type}' device: only cpu and cuda are supported")
    from . import _cuda
    return _cuda.to_cuda(x, dev)
