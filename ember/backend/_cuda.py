"""CuPy, imported lazily on first CUDA use (so CUDA_VISIBLE_DEVICES set in a script works)."""

from __future__ import annotations

from ._device import device

_cupy = None


def cupy():
    global _cupy
    if _cupy is None:
        try:
            import cupy as cp
        except ImportError as e:
            raise RuntimeError("CUDA is not available: CuPy is not installed "
                               "(pip install 'ember[cuda]')") from e
        _cupy = cp
    return _cupy


def array_module(x):
    return cupy()


def device_of(x) -> device:
    return device("cuda", int(x.device.id))


def to_host(x):
    return x.get()


def to_cuda(x, dev: device):
    cp = cupy()
    with cp.cuda.Device(dev.index or 0):
        return cp.asarray(x)
