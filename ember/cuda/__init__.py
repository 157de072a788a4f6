"""torch.cuda over CuPy (imported lazily)."""

from __future__ import annotations


def is_available() -> bool:
    try:
        from ..backend import _cuda
        cp = _cuda.cupy()
        return cp.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


def device_count() -> int:
    if not is_available():
        return 0
    from ..backend import _cuda
    return _cuda.cupy().cuda.runtime.getDeviceCount()


def current_device() -> int:
    from ..backend import _cuda
    return _cuda.cupy().cuda.Device().id
