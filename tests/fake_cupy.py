"""A NumPy-backed stand-in for the parts of CuPy that ember uses, to test CUDA paths without a GPU.

`FakeCupy(n_devices)` is a module-like object: its `ndarray` is a NumPy subclass (so
`type(x) is np.ndarray` is False, as for real CuPy arrays) carrying a device id, and it is as
strict as CuPy where ember could go wrong:
- mixing a plain NumPy array into a ufunc or array function raises TypeError (CuPy refuses
  host arrays: the sign of an op bypassing the backend seam);
- a kernel on an array of another device than the current one raises ValueError (CuPy's
  "Array device must be same as the current device");
- reductions return 0-dim arrays, never NumPy scalars;
- memory is counted through a pool and `cuda.set_allocator`, like CuPy's default pool.

`install(monkeypatch, ...)` makes ember initialise CUDA with it (through the real lazy path in
ember.backend._cuda) and undoes everything after the test.
"""

from __future__ import annotations

import os
import time
import types
import weakref

import numpy as np

_CREATION = ("zeros", "ones", "empty", "full", "arange", "eye", "identity", "linspace",
             "logspace", "tri", "indices", "frombuffer", "fromiter")
_FROM_HOST = ("array", "asarray", "ascontiguousarray", "asanyarray", "asfortranarray")


class CUDARuntimeError(RuntimeError):
    """cupy_backends.cuda.api.runtime.CUDARuntimeError."""


class _State:
    def __init__(self, n_devices: int, error: str | None) -> None:
        self.n = n_devices
        self.error = error
        self.current = 0
        self.allocator = None
        self.stream = None
        self.physical = None       # GPUs before CUDA_VISIBLE_DEVICES (set at first runtime use)


def _host_view(x):
    return x.view(np.ndarray)


class ndarray(np.ndarray):
    """A 'device' array: NumPy memory tagged with a device id."""

    _S: _State = None       # set per FakeCupy instance via a subclass

    def __array_finalize__(self, obj) -> None:
        if self.base is None:
            # a fresh buffer (copy, astype...): allocated on the current device, as in CuPy
            self._dev = self._S.current
            self._mem = _alloc(self._S, self.nbytes, self._dev)
        else:                            # a view lives where its base does
            self._dev = getattr(obj, "_dev", self._S.current)

    @property
    def device(self):
        return _Device(self._S, self._dev)

    @property
    def __cuda_array_interface__(self) -> dict:
        h = _host_view(self)
        return {"shape": h.shape, "typestr": h.dtype.str, "version": 3,
                "data": (h.__array_interface__["data"][0], False),
                "strides": None if h.flags.c_contiguous else h.strides}

    def get(self, stream=None, order="C", out=None):
        """A host (NumPy) copy."""
        return np.array(_host_view(self), copy=True, order=order)

    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kw):
        S = self._S
        args = tuple(_unwrap(S, a, ufunc.__name__) for a in inputs)
        if out is not None:
            kw["out"] = tuple(_unwrap(S, o, ufunc.__name__) for o in out)
        with np.errstate(all="ignore"):      # GPU kernels do not report FP exceptions
            res = getattr(ufunc, method)(*args, **kw)
        if out is not None:
            return out[0] if len(out) == 1 else out
        return _wrap_all(S, res)

    def __array_function__(self, func, types, args, kwargs):
        S = self._S
        a = _unwrap_tree(S, args, func.__name__)
        k = _unwrap_tree(S, kwargs, func.__name__)
        with np.errstate(all="ignore"):
            return _wrap_all(S, func(*a, **k))

    def __reduce__(self):
        raise TypeError("fake cupy arrays are not picklable here: call .get() first")


def _alloc(S: _State, nbytes: int, dev: int):
    if S.allocator is None:
        return None
    prev = S.current
    S.current = dev
    try:
        return S.allocator(nbytes)
    finally:
        S.current = prev


def _unwrap(S: _State, a, fname: str):
    if isinstance(a, ndarray):
        if type(a)._S is not S:
            raise TypeError("array from another fake CuPy instance")
        if a._dev != S.current:
            raise ValueError(f"Array device must be same as the current device: array device = "
                             f"{a._dev} while current = {S.current}")
        return _host_view(a)
    if type(a) is np.ndarray and a.ndim:
        # 0-dim host arrays pass: NumPy makes them from scalars when the other operand is an
        # ndarray subclass (real CuPy arrays receive the scalar itself)
        raise TypeError(f"Unsupported type <class 'numpy.ndarray'> (a host array was passed to "
                        f"cupy '{fname}': a NumPy array reached device code)")
    return a


def _unwrap_tree(S: _State, x, fname: str):
    if isinstance(x, (list, tuple)):
        return type(x)(_unwrap_tree(S, v, fname) for v in x)
    if isinstance(x, dict):
        return {k: _unwrap_tree(S, v, fname) for k, v in x.items()}
    return _unwrap(S, x, fname)


def _wrap(S: _State, a):
    """A fresh NumPy result as a device array on the current device."""
    cls = S.cls
    v = a.view(cls)
    v._dev = S.current
    if a.base is None:
        v._mem = _alloc(S, a.nbytes, S.current)
    return v


def _wrap_all(S: _State, r):
    if isinstance(r, np.ndarray):
        return r if isinstance(r, ndarray) else _wrap(S, r)
    if isinstance(r, np.generic):
        return _wrap(S, np.asarray(r))        # CuPy reductions give 0-dim arrays, not scalars
    if isinstance(r, tuple):
        return tuple(_wrap_all(S, v) for v in r)
    if isinstance(r, list):
        return [_wrap_all(S, v) for v in r]
    return r


# ---- cupy.cuda ---------------------------------------------------------------------------------
class _Device:
    def __init__(self, S: _State, device=None) -> None:
        self._S = S
        self.id = S.current if device is None else int(device)
        self._prev: list = []

    def _check(self) -> None:
        if not 0 <= self.id < self._S.n:
            raise CUDARuntimeError("cudaErrorInvalidDevice: invalid device ordinal")

    def use(self) -> None:
        self._check()
        self._S.current = self.id

    def __enter__(self):
        self._check()
        self._prev.append(self._S.current)
        self._S.current = self.id
        return self

    def __exit__(self, *exc) -> None:
        self._S.current = self._prev.pop()

    def synchronize(self) -> None:
        pass

    @property
    def compute_capability(self) -> str:
        return "90"

    @property
    def mem_info(self) -> tuple[int, int]:
        return self._S.runtime.memGetInfo_of(self.id)

    def __eq__(self, other) -> bool:
        return isinstance(other, _Device) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)


class _Runtime:
    """cupy.cuda.runtime."""

    def __init__(self, S: _State) -> None:
        self._S = S
        self.total = 80 * 2**30
        self.used_by_others = {}       # device -> bytes used by "other processes"

    def getDeviceCount(self) -> int:
        if self._S.error:
            raise CUDARuntimeError(self._S.error)
        if self._S.physical is None:
            # the driver reads CUDA_VISIBLE_DEVICES once, when the runtime first initialises
            self._S.physical = self._S.n
            v = os.environ.get("CUDA_VISIBLE_DEVICES")
            if v is not None:
                ids = []
                for part in v.split(","):
                    if not part.strip().isdigit() or int(part) >= self._S.n:
                        break              # the driver stops at the first invalid entry
                    ids.append(int(part))
                self._S.n = len(ids)
        return self._S.n

    def getDevice(self) -> int:
        return self._S.current

    def setDevice(self, i: int) -> None:
        _Device(self._S, i).use()

    def deviceSynchronize(self) -> None:
        pass

    def getDeviceProperties(self, i: int) -> dict:
        _Device(self._S, i)._check()
        return {"name": b"Fake H100", "major": 9, "minor": 0, "totalGlobalMem": self.total,
                "multiProcessorCount": 132, "l2CacheSize": 50 * 2**20, "integrated": 0,
                "isMultiGpuBoard": 0}

    def memGetInfo_of(self, i: int) -> tuple[int, int]:
        pool = self._S.pool
        used = pool.total.get(i, 0) + self.used_by_others.get(i, 0)
        return self.total - used, self.total

    def memGetInfo(self) -> tuple[int, int]:
        return self.memGetInfo_of(self._S.current)

    def deviceGetPCIBusId(self, i: int) -> str:
        return f"0000:{i:02x}:00.0"


class _Mem:
    def __init__(self, size: int, device_id: int) -> None:
        self.size, self.device_id = size, device_id


class MemoryPool:
    """cupy.cuda.MemoryPool: used/total bytes per device; total stays cached until freed."""

    def __init__(self, S: _State) -> None:
        self._S = S
        self.used: dict = {}
        self.total: dict = {}

    def malloc(self, size: int) -> _Mem:
        d = self._S.current
        m = _Mem(size, d)
        self.used[d] = self.used.get(d, 0) + size
        self.total[d] = max(self.total.get(d, 0), self.used[d])
        weakref.finalize(m, self._free, d, size)
        return m

    def _free(self, d: int, size: int) -> None:
        self.used[d] -= size

    def used_bytes(self) -> int:
        return self.used.get(self._S.current, 0)

    def total_bytes(self) -> int:
        return self.total.get(self._S.current, 0)

    def free_all_blocks(self, stream=None) -> None:
        for d in self.total:
            self.total[d] = self.used.get(d, 0)


class _Stream:
    def __init__(self, S: _State, non_blocking: bool = False, null: bool = False) -> None:
        self._S = S
        self.ptr = 0 if null else id(self)
        self._prev: list = []

    done = True

    def synchronize(self) -> None:
        pass

    def wait_event(self, event) -> None:
        pass

    def use(self):
        self._S.stream = self
        return self

    def __enter__(self):
        self._prev.append(self._S.stream)
        self._S.stream = self
        return self

    def __exit__(self, *exc) -> None:
        self._S.stream = self._prev.pop()


class _Event:
    def __init__(self, block: bool = False, disable_timing: bool = False,
                 interprocess: bool = False) -> None:
        self.t = None
        self.disable_timing = disable_timing

    done = True

    def record(self, stream=None) -> None:
        self.t = time.perf_counter()

    def synchronize(self) -> None:
        pass


def _elapsed(a: _Event, b: _Event) -> float:
    return (b.t - a.t) * 1000.0


# ---- the module ------------------------------------------------------------------------------
class FakeCupy(types.ModuleType):
    """A cupy-like module over NumPy with n_devices fake GPUs."""

    def __init__(self, n_devices: int = 2, error: str | None = None) -> None:
        super().__init__("cupy")
        S = self._S = _State(n_devices, error)
        S.cls = type("ndarray", (ndarray,), {"_S": S, "__module__": "cupy"})
        self.ndarray = S.cls
        S.pool = MemoryPool(S)
        S.runtime = _Runtime(S)
        S.null = _Stream(S, null=True)
        cuda = types.SimpleNamespace()
        cuda.Device = lambda device=None: _Device(S, device)
        cuda.runtime = S.runtime
        cuda.MemoryPool = MemoryPool
        cuda.Event = _Event
        cuda.get_elapsed_time = _elapsed

        class Stream(_Stream):
            null = S.null

            def __init__(self, non_blocking: bool = False) -> None:
                super().__init__(S, non_blocking)
        cuda.Stream = Stream
        cuda.get_current_stream = lambda: S.stream or S.null
        cuda.set_allocator = lambda f=None: setattr(S, "allocator", f)
        cuda.get_allocator = lambda: S.allocator
        self.cuda = cuda
        pinned = types.SimpleNamespace(free_all_blocks=lambda: None)
        self.get_default_memory_pool = lambda: S.pool
        self.get_default_pinned_memory_pool = lambda: pinned
        def as_strided(x, shape=None, strides=None):
            # CuPy's signature: no subok/writeable keywords
            return np.lib.stride_tricks.as_strided(x, shape, strides, subok=True)
        self.lib = types.SimpleNamespace(stride_tricks=types.SimpleNamespace(
            as_strided=as_strided))
        for name in _CREATION:
            setattr(self, name, self._creator(getattr(np, name)))
        for name in _FROM_HOST:
            setattr(self, name, self._from_host(getattr(np, name)))

    def _creator(self, f):
        S = self._S

        def create(*args, **kw):
            return _wrap(S, np.asarray(f(*_unwrap_tree(S, args, f.__name__), **kw)))
        create.__name__ = f.__name__
        return create

    def _from_host(self, f):
        S = self._S

        def convert(a, *args, **kw):
            if isinstance(a, ndarray) and a._dev == S.current:
                r = f(_host_view(a), *args, **kw)
                return a if r is _host_view(a) or (r.base is not None and f.__name__ ==
                                                   "asarray" and r.dtype == a.dtype) else \
                    _wrap(S, r if r.base is None else r.copy())
            if isinstance(a, ndarray):        # another device: a copy onto the current one
                return _wrap(S, np.array(_host_view(a), copy=True)).astype(
                    kw.get("dtype") or a.dtype, copy=False)
            r = np.array(f(a, *args, **kw), copy=True)      # host -> device copies
            return _wrap(S, r)
        convert.__name__ = f.__name__
        return convert

    def asnumpy(self, a, stream=None):
        return a.get() if isinstance(a, ndarray) else np.asarray(a)

    def get_array_module(self, *args):
        return self if any(isinstance(a, ndarray) for a in args) else np

    def __getattr__(self, name: str):
        # everything else is NumPy's: ufuncs and array functions dispatch back through
        # ndarray.__array_ufunc__/__array_function__, and dtypes are shared, as in CuPy
        return getattr(np, name)


def install(monkeypatch, n_devices: int = 2, error: str | None = None) -> FakeCupy:
    """Make ember's lazy CUDA initialisation import a fresh FakeCupy (call reset() after)."""
    from ember import cuda as ecuda
    from ember.backend import _cuda

    fake = FakeCupy(n_devices, error)
    reset()
    monkeypatch.setattr(_cuda, "_import_cupy", lambda: fake)
    monkeypatch.setattr(ecuda, "_pending_seed", [None])
    return fake


def reset() -> None:
    """Forget ember's CUDA initialisation and CUDA generators."""
    from ember import cuda as ecuda
    from ember.backend import _cuda

    _cuda._reset()
    ecuda._generators.clear()
