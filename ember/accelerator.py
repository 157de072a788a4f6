"""torch.accelerator: the device-agnostic idiom of newer examples, over ember.cuda (CuPy)."""

from __future__ import annotations

from . import cuda
from .backend import device as _device

__all__ = ["is_available", "current_accelerator", "device_count", "current_device_index",
           "set_device_index", "synchronize"]


def is_available() -> bool:
    """torch.accelerator.is_available: True when a CUDA device is usable through CuPy."""
    return cuda.is_available()


def current_accelerator(check_available: bool = False) -> _device | None:
    """torch.accelerator.current_accelerator: device('cuda') when available, else None."""
    return _device("cuda") if cuda.is_available() else None


def device_count() -> int:
    """torch.accelerator.device_count: the number of CUDA devices (0 on a CPU-only machine)."""
    return cuda.device_count()


def _require() -> None:
    if not cuda.is_available():
        raise RuntimeError("Cannot access accelerator device when none is available.")


def current_device_index() -> int:
    """torch.accelerator.current_device_index."""
    _require()
    return cuda.current_device()


current_device_idx = current_device_index


def set_device_index(device, /) -> None:
    """torch.accelerator.set_device_index."""
    _require()
    cuda.set_device(device)


set_device_idx = set_device_index


def synchronize(device=None, /) -> None:
    """torch.accelerator.synchronize: waits for the GPU; nothing to wait for on the CPU."""
    if cuda.is_available():
        cuda.synchronize(device)
