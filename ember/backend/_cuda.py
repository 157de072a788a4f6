"""CuPy, imported lazily on first CUDA use (so CUDA_VISIBLE_DEVICES set in a script works).

Nothing here runs at `import ember`: the first call that needs CUDA (a transfer, a factory with
device='cuda', any ember.cuda query) imports CuPy and initialises the CUDA runtime, which is when
the driver reads CUDA_VISIBLE_DEVICES. That value is recorded; a later change of the variable
cannot take effect in this process any more, so the next CUDA call warns once about it.
"""

from __future__ import annotations

import os
import warnings

import numpy as np

from ._device import device

_cupy = None             # the CuPy module once CUDA is initialised
_why: str | None = None  # why CUDA is unavailable, once an initialisation has failed
_visible: str | None = None   # CUDA_VISIBLE_DEVICES as read at initialisation
_warned: set = set()     # CUDA_VISIBLE_DEVICES values already warned about
_count = 0               # visible devices
CUDA_ON = [False]        # True once CUDA is initialised: ops then check their tensors' devices
MULTI_GPU = [False]      # True once a tensor was put on a device other than the current one
_peak: dict = {}         # device index -> peak bytes allocated (see _track)
_allocator = None        # the pool allocator ember installed (see _install_allocator)

_ENV = "CUDA_VISIBLE_DEVICES"
_HINT = "pip install 'ember[cuda]'"


def _import_cupy():
    """Import CuPy; tests replace this function with one returning a stand-in."""
    import cupy
    return cupy


def _env_text(v: str | None) -> str:
    return "unset" if v is None else repr(v)


def _reason(err: BaseException) -> str:
    """A short cause for a failed CUDA runtime call (no driver, old driver, no device...)."""
    s = f"{type(err).__name__}: {err}"
    if "NoDevice" in s or "no CUDA-capable device" in s:
        return f"no CUDA GPU is visible ({_ENV} is {_env_text(_visible)})"
    if "InsufficientDriver" in s or "driver version is insufficient" in s:
        return "the NVIDIA driver is older than the CUDA version CuPy was built for"
    if "libcuda" in s or "NoDriver" in s or "driver" in s.lower():
        return f"the NVIDIA driver could not be loaded ({s})"
    return s


def _init():
    """Import CuPy and count devices once; afterwards return the module or raise why not."""
    global _cupy, _why, _visible, _count
    if _cupy is not None:
        return _cupy
    if _why is not None:
        raise RuntimeError(f"CUDA is not available: {_why}")
    _visible = os.environ.get(_ENV)
    try:
        cp = _import_cupy()
    except ImportError as e:
        _why = (f"CuPy is not installed ({_HINT})" if getattr(e, "name", "") == "cupy"
                or "No module named 'cupy'" in str(e)
                else f"CuPy failed to import ({e}); reinstall the cupy wheel matching your CUDA "
                     f"({_HINT})")
    except Exception as e:      # a broken CUDA toolkit can raise anything at import
        _why = f"CuPy failed to import ({type(e).__name__}: {e})"
    else:
        try:
            n = int(cp.cuda.runtime.getDeviceCount())
        except Exception as e:
            _why = _reason(e)
        else:
            if n <= 0:
                _why = f"no CUDA GPU is visible ({_ENV} is {_env_text(_visible)})"
            else:
                _count = n
                _cupy = cp
                CUDA_ON[0] = True
                _install_allocator(cp)
                return cp
    raise RuntimeError(f"CUDA is not available: {_why}")


def _reset() -> None:
    """Forget the initialisation (tests only: a real CUDA runtime cannot be re-initialised)."""
    global _cupy, _why, _visible, _count, _allocator
    _cupy = _why = _visible = _allocator = None
    _count = 0
    _warned.clear()
    _peak.clear()
    MULTI_GPU[0] = CUDA_ON[0] = False


def is_initialized() -> bool:
    return _cupy is not None


def check_visible_devices() -> None:
    """Warn (once per value) when CUDA_VISIBLE_DEVICES changed after CUDA was initialised."""
    v = os.environ.get(_ENV)
    if v == _visible or v in _warned or _cupy is None:
        return
    _warned.add(v)
    shown = "<unset>" if v is None else v
    warnings.warn(
        f"{_ENV} was changed to {_env_text(v)} after CUDA was initialised (it was "
        f"{_env_text(_visible)} then); the change does not take effect in this process. Set it "
        "before the first CUDA call (ember.cuda.is_available(), .cuda(), device='cuda', ...), "
        f"e.g. at the very top of the script or on the command line: {_ENV}={shown} python "
        "script.py. To choose a GPU at run time, use ember.device('cuda:N') or "
        "ember.cuda.set_device(N).", UserWarning, stacklevel=3)


def lazy_init():
    """The CuPy module for a CUDA call: initialises CUDA once, then checks the environment."""
    cp = _cupy if _cupy is not None else _init()
    check_visible_devices()
    return cp


def cupy():
    """The CuPy module (initialising CUDA); RuntimeError saying why when CUDA is unavailable."""
    return _cupy if _cupy is not None else _init()


def device_count() -> int:
    """Visible devices; 0 (never an error) when CUDA is unavailable."""
    try:
        cupy()
    except RuntimeError:
        return 0
    check_visible_devices()
    return _count


def unavailable_reason() -> str | None:
    """None when CUDA works, else why not (initialises CUDA)."""
    try:
        cupy()
    except RuntimeError:
        return _why
    return None


def check_index(index: int) -> int:
    """index as a valid device ordinal, else torch's 'invalid device ordinal' (with details)."""
    cupy()
    if not 0 <= index < _count:
        raise RuntimeError(f"CUDA error: invalid device ordinal (cuda:{index} was requested but "
                           f"{_count} device(s) are visible; {_ENV} is {_env_text(_visible)})")
    return index


def current_index() -> int:
    return int(cupy().cuda.runtime.getDevice())


# ---- arrays ----------------------------------------------------------------------------------
def array_module(x):
    """cupy for a CuPy array, numpy for anything else."""
    if _cupy is not None and isinstance(x, _cupy.ndarray):
        return _cupy
    if isinstance(x, (np.ndarray, np.generic, int, float, bool, complex)):
        return np
    cp = cupy()          # a CuPy array made before ember used CUDA
    return cp if isinstance(x, cp.ndarray) else np


def device_of(x) -> device:
    if _cupy is not None and isinstance(x, _cupy.ndarray):
        return device("cuda", int(x.device.id))
    if isinstance(x, (np.ndarray, np.generic)):
        return device("cpu")
    cp = cupy()
    if isinstance(x, cp.ndarray):
        return device("cuda", int(x.device.id))
    return device("cpu")


def to_host(x):
    """A NumPy copy of a CuPy array (synchronises with the current stream)."""
    if isinstance(x, np.ndarray) and not (_cupy is not None and isinstance(x, _cupy.ndarray)):
        return x
    return x.get()


def to_cuda(x, dev: device):
    """x (NumPy, or CuPy on any device) on CUDA device dev (index None: the current device)."""
    cp = lazy_init()
    cur = current_index()
    idx = cur if dev.index is None else check_index(dev.index)
    if idx != cur:
        MULTI_GPU[0] = True          # from now on ops check which GPU to run on
    if isinstance(x, cp.ndarray):
        if int(x.device.id) == idx:
            return x
        with cp.cuda.Device(idx):
            return x.copy()          # CuPy copies across devices onto the current one
    with cp.cuda.Device(idx):
        return cp.asarray(x)


def _mixed(a: device, b: device) -> RuntimeError:
    return RuntimeError("Expected all tensors to be on the same device, but found at least two "
                        f"devices, {a} and {b}!")


def dispatch_check(args, kwargs):
    """For an op's arguments once CUDA is in use: torch's error when tensors live on different
    devices (CPU 0-dim tensors mix with any device, as in torch), and a device guard when they
    live on a GPU that is not the current one (else None)."""
    common = None          # the first CUDA device index, as torch's common device
    cpu = False            # a non-scalar CPU tensor was seen
    for i, a in enumerate((*args, *kwargs.values()) if kwargs else args):
        if type(a) in (list, tuple):
            # a leading tensor list (cat, stack) is checked; a later one holds indices
            # (index_put), which may stay on the CPU as for indexing
            if i or not a or not hasattr(a[0], "_array"):
                continue
            items = a
        elif hasattr(a, "_array"):
            items = (a,)
        else:
            continue
        for t in items:
            arr = getattr(t, "_array", None)
            if arr is None:
                continue
            if type(arr) is np.ndarray:
                if arr.ndim:
                    cpu = True
                    if common is not None:
                        raise _mixed(device("cuda", common), device("cpu"))
                continue
            d = int(arr.device.id)
            if common is None:
                common = d
                if cpu:
                    raise _mixed(device("cuda", d), device("cpu"))
            elif d != common:
                raise _mixed(device("cuda", common), device("cuda", d))
    if common is not None and MULTI_GPU[0] and common != current_index():
        return _cupy.cuda.Device(common)
    return None


def needs_guard(args) -> bool:
    """True when the first CUDA tensor among args lives on a device other than the current one."""
    for a in args:
        arr = getattr(a, "_array", None)
        if arr is not None and _cupy is not None and isinstance(arr, _cupy.ndarray):
            return int(arr.device.id) != current_index()
    return False


def array_guard(arr):
    """A context making a CuPy array's device current when it is not (else None)."""
    if MULTI_GPU[0] and _cupy is not None and isinstance(arr, _cupy.ndarray):
        d = int(arr.device.id)
        if d != current_index():
            return _cupy.cuda.Device(d)
    return None


def guard(args):
    """A context making the first CUDA tensor's device current (kernels launch there)."""
    for a in args:
        arr = getattr(a, "_array", None)
        if arr is not None and isinstance(arr, _cupy.ndarray):
            return _cupy.cuda.Device(int(arr.device.id))
    raise AssertionError("guard() called without a CUDA tensor")


# ---- memory statistics -----------------------------------------------------------------------
def _install_allocator(cp) -> None:
    """Allocate from CuPy's default pool through a wrapper that records the peak per device."""
    global _allocator
    pool = cp.get_default_memory_pool()
    malloc = pool.malloc
    used = pool.used_bytes

    def _track(size: int):
        mem = malloc(size)
        d = mem.device_id
        u = used()
        if u > _peak.get(d, 0):
            _peak[d] = u
        return mem

    cp.cuda.set_allocator(_track)
    _allocator = _track


def pool_bytes(index: int) -> tuple[int, int]:
    """(allocated, reserved) bytes of CuPy's default pool on a device."""
    cp = lazy_init()
    pool = cp.get_default_memory_pool()
    with cp.cuda.Device(index):
        return int(pool.used_bytes()), int(pool.total_bytes())


def peak_bytes(index: int) -> int:
    used = pool_bytes(index)[0]
    p = max(_peak.get(index, 0), used)
    _peak[index] = p
    return p


def reset_peak(index: int) -> None:
    _peak[index] = pool_bytes(index)[0]
