"""Small top-level torch functions programs call in passing: threads, determinism, compile,
legacy tensor types (torch.FloatTensor...)."""

from __future__ import annotations

import builtins
import ctypes
import os
import re
from collections.abc import Callable

from . import _dtype as D
from ._tensor import Size, Tensor

__all__ = ["set_num_threads", "get_num_threads", "set_num_interop_threads",
           "get_num_interop_threads", "use_deterministic_algorithms",
           "are_deterministic_algorithms_enabled", "is_deterministic_algorithms_warn_only_enabled",
           "set_deterministic_debug_mode", "get_deterministic_debug_mode",
           "set_float32_matmul_precision", "get_float32_matmul_precision", "compile",
           "typename", "is_storage", "is_autocast_enabled", "set_default_tensor_type",
           "get_default_device",
           "FloatTensor", "DoubleTensor", "HalfTensor", "BFloat16Tensor", "ByteTensor",
           "CharTensor", "ShortTensor", "IntTensor", "LongTensor", "BoolTensor"]

# ---- threads ----------------------------------------------------------------------------------


def _default_threads() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:              # not Linux
        return os.cpu_count() or 1


_threads = {"intra": None, "interop": None}
_blas: list = []            # [(set_fn, get_fn)] of the OpenBLAS builds loaded; filled once


def _openblas() -> list:
    """The thread setters/getters of the OpenBLAS libraries loaded in this process (NumPy's).

    Environment variables such as OMP_NUM_THREADS are read only at load time, so they cannot
    help here; this is what threadpoolctl does, for OpenBLAS only. Empty where none is found.
    """
    if _blas:
        return _blas[0]
    found = []
    try:
        with open("/proc/self/maps") as f:
            libs = sorted(set(re.findall(r"\S*openblas\S*\.so\S*", f.read())))
    except OSError:
        libs = []
    for path in libs:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix in (("scipy_", "64_"), ("scipy_", ""), ("", "64_"), ("", "")):
            set_fn = getattr(lib, f"{prefix}openblas_set_num_threads{suffix}", None)
            get_fn = getattr(lib, f"{prefix}openblas_get_num_threads{suffix}", None)
            if set_fn is not None and get_fn is not None:
                found.append((set_fn, get_fn))
                break
    _blas.append(found)
    return found


def set_num_threads(int: int) -> None:  # `int`: torch's argument name
    """torch.set_num_threads: records n and sets NumPy's OpenBLAS thread count when reachable."""
    if not isinstance(int, builtins.int) or int <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    _threads["intra"] = int
    for set_fn, _ in _openblas():
        set_fn(ctypes.c_int(int))


def get_num_threads() -> int:
    """torch.get_num_threads: the value last set, else OpenBLAS's, else the usable CPUs."""
    if _threads["intra"] is not None:
        return _threads["intra"]
    for _, get_fn in _openblas():
        return builtins.int(get_fn())
    return _default_threads()


def set_num_interop_threads(int: int) -> None:
    """torch.set_num_interop_threads: recorded only (Ember runs ops on one thread)."""
    _threads["interop"] = int


def get_num_interop_threads() -> int:
    """torch.get_num_interop_threads."""
    return _threads["interop"] or _default_threads()


# ---- determinism and precision flags ----------------------------------------------------------
# Ember's CPU ops are deterministic already; the flags are recorded so programs can read them.
_flags = {"deterministic": False, "warn_only": False, "matmul_precision": "highest"}


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """torch.use_deterministic_algorithms (Ember is deterministic; the flag is recorded)."""
    if not isinstance(mode, bool):
        raise TypeError("_set_deterministic_algorithms(): argument 'mode' (position 1) must be "
                        f"bool, not {type(mode).__name__}")
    _flags["deterministic"], _flags["warn_only"] = mode, bool(warn_only)


def are_deterministic_algorithms_enabled() -> bool:
    """torch.are_deterministic_algorithms_enabled."""
    return _flags["deterministic"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    """torch.is_deterministic_algorithms_warn_only_enabled."""
    return _flags["warn_only"]


def set_deterministic_debug_mode(debug_mode: str | int) -> None:
    """torch.set_deterministic_debug_mode: 0/'default', 1/'warn', 2/'error'."""
    modes = {"default": 0, "warn": 1, "error": 2}
    mode = modes.get(debug_mode, debug_mode) if isinstance(debug_mode, str) else debug_mode
    if mode not in (0, 1, 2):
        raise RuntimeError("invalid value of debug_mode, expected one of 0, 1, 2, but got "
                           f"{debug_mode}")
    use_deterministic_algorithms(mode > 0, warn_only=mode == 1)


def get_deterministic_debug_mode() -> int:
    """torch.get_deterministic_debug_mode."""
    if not _flags["deterministic"]:
        return 0
    return 1 if _flags["warn_only"] else 2


def set_float32_matmul_precision(precision: str) -> None:
    """torch.set_float32_matmul_precision (recorded: NumPy matmul is always full float32)."""
    if precision not in ("highest", "high", "medium"):
        import warnings
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current "
                      "setFloat32MatmulPrecision call has no effect.", UserWarning, stacklevel=2)
        return
    _flags["matmul_precision"] = precision


def get_float32_matmul_precision() -> str:
    """torch.get_float32_matmul_precision."""
    return _flags["matmul_precision"]


def compile(model: Callable | None = None, *, fullgraph: bool = False, dynamic: bool | None = None,
            backend: str | Callable | None = None, mode: str | None = None,
            options: dict | None = None, disable: bool = False, **kwargs) -> Callable:
    """torch.compile: Ember has no compiler, so the model or function is returned unchanged."""
    if model is None:                   # used as @torch.compile(mode=...)
        return lambda fn: fn
    return model


def typename(obj) -> str:
    """torch.typename: 'torch.FloatTensor' for a tensor, else the qualified name of obj's type."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    if hasattr(obj, "__qualname__"):
        qualname = obj.__qualname__
    elif hasattr(obj, "__name__"):
        qualname = obj.__name__
    else:
        module = obj.__class__.__module__ or ""
        qualname = obj.__class__.__qualname__
    if module in ("", "builtins"):
        return qualname
    if module == "ember" or module.startswith("ember."):
        module = D.PREFIX[0] + module[5:]   # torch.nn.modules.linear.Linear under the shim
    return f"{module}.{qualname}"


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """torch.is_autocast_enabled: False (ember.amp.autocast never casts)."""
    return False


def is_storage(obj) -> bool:
    """torch.is_storage: False (Ember tensors own NumPy/CuPy arrays, not storages)."""
    return False


def set_default_tensor_type(t, /) -> None:
    """torch.set_default_tensor_type (deprecated in torch): sets the default floating dtype."""
    if isinstance(t, str):
        t = {"torch.FloatTensor": FloatTensor, "torch.DoubleTensor": DoubleTensor,
             "torch.HalfTensor": HalfTensor, "torch.BFloat16Tensor": BFloat16Tensor}.get(t, t)
    if not isinstance(t, _LegacyTensorType) or not t.dtype.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    D.set_default_dtype(t.dtype)


def get_default_device():
    """torch.get_default_device: Ember creates tensors on the CPU unless told otherwise."""
    from .backend import device
    return device("cpu")


# ---- legacy tensor types ----------------------------------------------------------------------


class _LegacyTensorType(type):
    """Metaclass of torch.FloatTensor & co: calling one builds a Tensor of its dtype, and
    `isinstance(t, torch.FloatTensor)` asks the tensor's dtype (and CPU device), as torch does."""

    def __call__(cls, *args, device=None):
        dt = cls.dtype
        if not args:
            return Tensor(0, dtype=dt, device=device)
        if len(args) == 1 and isinstance(args[0], Tensor):
            if args[0].dtype is not dt:
                raise TypeError(f"expected {cls.__module__}.{cls.__name__} dtype {dt} "
                                f"(got {args[0].dtype})")
            return args[0]
        if all(isinstance(a, int) and not isinstance(a, bool) for a in args) or (
                len(args) == 1 and isinstance(args[0], Size)):
            return Tensor(*args, dtype=dt, device=device)
        if len(args) == 1 and isinstance(args[0], (float, complex, bool)):
            raise TypeError(f"new(): data must be a sequence (got {type(args[0]).__name__})")
        return Tensor(*args, dtype=dt, device=device)

    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, Tensor) and obj.dtype is cls.dtype and not obj.is_cuda

    def __repr__(cls) -> str:
        return f"<class '{D.PREFIX[0]}.{cls.__name__}'>"


def _legacy(name: str, dt: D.dtype) -> type:
    # `name` (the dtype's name) lets Tensor.type(torch.LongTensor) resolve it via _dtype.to_dtype.
    return _LegacyTensorType(name, (), {"dtype": dt, "name": dt.name, "__module__": "torch",
                                        "__doc__": f"torch.{name}: legacy {dt.name} tensor type."})


FloatTensor = _legacy("FloatTensor", D.float32)
DoubleTensor = _legacy("DoubleTensor", D.float64)
HalfTensor = _legacy("HalfTensor", D.float16)
BFloat16Tensor = _legacy("BFloat16Tensor", D.bfloat16)
ByteTensor = _legacy("ByteTensor", D.uint8)
CharTensor = _legacy("CharTensor", D.int8)
ShortTensor = _legacy("ShortTensor", D.int16)
IntTensor = _legacy("IntTensor", D.int32)
LongTensor = _legacy("LongTensor", D.int64)
BoolTensor = _legacy("BoolTensor", D.bool)
