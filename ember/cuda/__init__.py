"""torch.cuda over CuPy, imported lazily: nothing touches CUDA until one of these is called.

With no usable CUDA (CuPy missing, no driver, no GPU) is_available() is False, device_count()
is 0, and everything that needs a GPU raises one RuntimeError saying why, e.g. "CUDA is not
available: CuPy is not installed (pip install 'ember[cuda]')". (A CPU build of torch raises
AssertionError("Torch not compiled with CUDA enabled") instead; ember keeps torch's RuntimeError
family for device errors and says what is missing.)
"""

from __future__ import annotations

from ..backend import _cuda
from ..backend._device import device as _device

__all__ = ["is_available", "device_count", "is_initialized", "init", "current_device",
           "set_device", "device", "device_of", "get_device_name", "get_device_properties",
           "get_device_capability", "synchronize", "Stream", "Event", "stream",
           "current_stream", "default_stream", "memory_allocated", "max_memory_allocated",
           "memory_reserved", "max_memory_reserved", "reset_peak_memory_stats",
           "reset_max_memory_allocated", "empty_cache", "mem_get_info", "manual_seed",
           "manual_seed_all", "seed", "seed_all", "initial_seed", "get_rng_state",
           "set_rng_state", "is_bf16_supported", "least_used_device", "OutOfMemoryError"]


class OutOfMemoryError(RuntimeError):
    """torch.cuda.OutOfMemoryError."""


# ---- availability and the current device ---------------------------------------------------
def is_available() -> bool:
    """True when CuPy imports, the driver loads and at least one GPU is visible."""
    return _cuda.device_count() > 0


def device_count() -> int:
    """The number of visible GPUs (0 when CUDA is unavailable)."""
    return _cuda.device_count()


def is_initialized() -> bool:
    return _cuda.is_initialized()


def init() -> None:
    """Initialise CUDA now (RuntimeError saying why when it is unavailable)."""
    _cuda.lazy_init()


def _index(dev=None, optional: bool = True) -> int:
    """A device argument (None, int, 'cuda:N', ember.device) as a CUDA ordinal."""
    _cuda.lazy_init()
    if dev is None:
        return _cuda.current_index()
    if isinstance(dev, str):
        dev = _device(dev)
    if isinstance(dev, _device):
        if dev.type != "cuda":
            raise ValueError(f"Expected a cuda device, but got: {dev}")
        if dev.index is None:
            return _cuda.current_index()
        dev = dev.index
    if not isinstance(dev, int) or isinstance(dev, bool):
        raise ValueError(f"Expected a cuda device, but got: {dev!r}")
    if dev < 0 and optional:
        return _cuda.current_index()
    return _cuda.check_index(dev)


def current_device() -> int:
    """The index of the current device."""
    _cuda.lazy_init()
    return _cuda.current_index()


def set_device(device) -> None:
    """Make a device current (a negative index is ignored, as in torch)."""
    if isinstance(device, int) and not isinstance(device, bool) and device < 0:
        return
    idx = _index(device)
    if idx != _cuda.current_index():
        _cuda.MULTI_GPU[0] = True       # tensors may now live on a non-current device
    _cuda.cupy().cuda.Device(idx).use()


class device:
    """Context manager that makes a device current: `with ember.cuda.device(1): ...`."""

    def __init__(self, device) -> None:
        neg = isinstance(device, int) and not isinstance(device, bool) and device < 0
        self.idx = -1 if device is None or neg else _index(device, optional=False)
        self.prev_idx = -1

    def __enter__(self) -> device:
        if self.idx >= 0:
            self.prev_idx = current_device()
            if self.prev_idx != self.idx:
                set_device(self.idx)
        return self

    def __exit__(self, *exc) -> bool:
        if self.idx >= 0 and self.prev_idx != self.idx:
            set_device(self.prev_idx)
        return False


class device_of(device):
    """Context manager making the device of a tensor current (a no-op for CPU tensors)."""

    def __init__(self, obj) -> None:
        super().__init__(obj.get_device() if obj.is_cuda else -1)


# ---- properties -----------------------------------------------------------------------------
class _CudaDeviceProperties:
    """torch.cuda.get_device_properties' result (the commonly used fields)."""

    def __init__(self, props: dict) -> None:
        name = props.get("name", b"")
        self.name = name.decode() if isinstance(name, bytes) else str(name)
        self.major = int(props.get("major", 0))
        self.minor = int(props.get("minor", 0))
        self.total_memory = int(props.get("totalGlobalMem", 0))
        self.multi_processor_count = int(props.get("multiProcessorCount", 0))
        self.L2_cache_size = int(props.get("l2CacheSize", 0))
        self.is_integrated = int(props.get("integrated", 0))
        self.is_multi_gpu_board = int(props.get("isMultiGpuBoard", 0))

    def __repr__(self) -> str:
        return (f"_CudaDeviceProperties(name='{self.name}', major={self.major}, "
                f"minor={self.minor}, total_memory={self.total_memory // 2**20}MB, "
                f"multi_processor_count={self.multi_processor_count}, "
                f"L2_cache_size={self.L2_cache_size // 2**20}MB)")


def get_device_properties(device=None) -> _CudaDeviceProperties:
    idx = _index(device)
    return _CudaDeviceProperties(_cuda.cupy().cuda.runtime.getDeviceProperties(idx))


def get_device_name(device=None) -> str:
    return get_device_properties(device).name


def get_device_capability(device=None) -> tuple[int, int]:
    p = get_device_properties(device)
    return p.major, p.minor


def is_bf16_supported(including_emulation: bool = True) -> bool:
    """bfloat16 needs compute capability 8.0 (Ampere) natively; ember emulates it anyway."""
    if not is_available():
        return False
    return including_emulation or get_device_capability()[0] >= 8


def synchronize(device=None) -> None:
    """Wait for all work on a device to finish."""
    cp = _cuda.cupy()
    with cp.cuda.Device(_index(device)):
        cp.cuda.runtime.deviceSynchronize()


# ---- streams and events ---------------------------------------------------------------------
class Stream:
    """torch.cuda.Stream over a CuPy stream."""

    def __init__(self, device=None, priority: int = 0, _stream=None) -> None:
        cp = _cuda.lazy_init()
        if _stream is not None:
            self._s = _stream
            self.device = _device("cuda", _index(device))
            return
        idx = _index(device)
        self.device = _device("cuda", idx)
        with cp.cuda.Device(idx):
            self._s = cp.cuda.Stream(non_blocking=False)

    def synchronize(self) -> None:
        self._s.synchronize()

    def query(self) -> bool:
        return bool(self._s.done)

    def record_event(self, event: Event | None = None) -> Event:
        event = Event() if event is None else event
        event.record(self)
        return event

    def wait_event(self, event: Event) -> None:
        self._s.wait_event(event._e)

    def wait_stream(self, stream: Stream) -> None:
        self.wait_event(stream.record_event())

    def __enter__(self) -> Stream:
        self._s.__enter__()
        return self

    def __exit__(self, *exc) -> bool:
        self._s.__exit__(*exc)
        return False

    def __eq__(self, other) -> bool:
        return isinstance(other, Stream) and self._s.ptr == other._s.ptr

    def __hash__(self) -> int:
        return hash(self._s.ptr)

    def __repr__(self) -> str:
        return f"<ember.cuda.Stream device={self.device} cuda_stream={hex(self._s.ptr)}>"


def current_stream(device=None) -> Stream:
    cp = _cuda.lazy_init()
    return Stream(device, _stream=cp.cuda.get_current_stream())


def default_stream(device=None) -> Stream:
    cp = _cuda.lazy_init()
    return Stream(device, _stream=cp.cuda.Stream.null)


class stream:
    """Context manager selecting a stream (None: a no-op)."""

    def __init__(self, stream: Stream | None) -> None:
        self.stream = stream

    def __enter__(self) -> Stream | None:
        if self.stream is not None:
            self.stream.__enter__()
        return self.stream

    def __exit__(self, *exc) -> bool:
        if self.stream is not None:
            self.stream.__exit__(*exc)
        return False


class Event:
    """torch.cuda.Event over a CuPy event: record, synchronize, query, elapsed_time."""

    def __init__(self, enable_timing: bool = False, blocking: bool = False,
                 interprocess: bool = False) -> None:
        cp = _cuda.lazy_init()
        self.enable_timing = enable_timing
        self._e = cp.cuda.Event(block=blocking, disable_timing=not enable_timing,
                                interprocess=interprocess)
        self._recorded = False

    def record(self, stream: Stream | None = None) -> None:
        self._e.record(None if stream is None else stream._s)
        self._recorded = True

    def wait(self, stream: Stream | None = None) -> None:
        (current_stream() if stream is None else stream).wait_event(self)

    def query(self) -> bool:
        return bool(self._e.done)

    def synchronize(self) -> None:
        self._e.synchronize()

    def elapsed_time(self, end_event: Event) -> float:
        """Milliseconds between this event and end_event (both recorded, timing enabled)."""
        if not (self.enable_timing and end_event.enable_timing):
            raise RuntimeError("Both events must be created with argument 'enable_timing=True'.")
        if not (self._recorded and end_event._recorded):
            raise ValueError("Both events must be recorded before calculating elapsed time.")
        return float(_cuda.cupy().cuda.get_elapsed_time(self._e, end_event._e))

    def __repr__(self) -> str:
        return f"<ember.cuda.Event {'recorded' if self._recorded else 'uninitialized'}>"


# ---- memory (CuPy's default memory pool) ----------------------------------------------------
def memory_allocated(device=None) -> int:
    """Bytes held by tensors on a device (CuPy's pool: used_bytes)."""
    return _cuda.pool_bytes(_index(device))[0]


def max_memory_allocated(device=None) -> int:
    """The peak of memory_allocated since start or reset_peak_memory_stats."""
    return _cuda.peak_bytes(_index(device))


def memory_reserved(device=None) -> int:
    """Bytes held by the caching pool (CuPy's pool: total_bytes)."""
    return _cuda.pool_bytes(_index(device))[1]


def max_memory_reserved(device=None) -> int:
    # CuPy's pool keeps no reserved-bytes peak: the current value is the best lower bound
    return memory_reserved(device)


def reset_peak_memory_stats(device=None) -> None:
    _cuda.reset_peak(_index(device))


def reset_max_memory_allocated(device=None) -> None:
    _cuda.reset_peak(_index(device))


def empty_cache() -> None:
    """Return the pool's unused cached blocks to the driver (a no-op without CUDA)."""
    if not _cuda.is_initialized():
        return
    cp = _cuda.lazy_init()
    cp.get_default_memory_pool().free_all_blocks()
    cp.get_default_pinned_memory_pool().free_all_blocks()


def mem_get_info(device=None) -> tuple[int, int]:
    """(free, total) bytes on a device, as the driver reports them."""
    cp = _cuda.cupy()
    with cp.cuda.Device(_index(device)):
        free, total = cp.cuda.runtime.memGetInfo()
    return int(free), int(total)


def least_used_device() -> int:
    """The visible device with the most free memory (NVML when nvidia-ml-py is installed).

    For "only cuda:6 is free": `dev = ember.device('cuda', ember.cuda.least_used_device())`.
    NVML reads free memory without creating a CUDA context on every GPU; CuPy's fallback
    (cudaMemGetInfo) has to create one per device.
    """
    n = device_count()
    if n == 0:
        _cuda.lazy_init()          # raises why CUDA is unavailable
    free = _nvml_free(n)
    if free is None:
        free = [mem_get_info(i)[0] for i in range(n)]
    return max(range(n), key=lambda i: (free[i], -i))


def _nvml_free(n: int) -> list | None:
    """Free bytes per visible device through NVML, or None when NVML is not usable."""
    try:
        import pynvml
    except ImportError:
        return None
    rt = _cuda.cupy().cuda.runtime
    try:
        pynvml.nvmlInit()
        try:
            out = []
            for i in range(n):
                # NVML numbers physical GPUs; the PCI bus id maps a visible CUDA ordinal to one
                bus = rt.deviceGetPCIBusId(i)
                h = pynvml.nvmlDeviceGetHandleByPciBusId(bus.encode() if isinstance(bus, str)
                                                         else bus)
                out.append(int(pynvml.nvmlDeviceGetMemoryInfo(h).free))
            return out
        finally:
            pynvml.nvmlShutdown()
    except Exception:
        return None


# ---- RNG ------------------------------------------------------------------------------------
# One generator per device, created on first use. CUDA draws are made on the host by the
# device's generator (deterministic for a seed; not bit-identical to torch's Philox stream).
_generators: dict = {}
_pending_seed: list = [None]     # a manual_seed_all seed for generators not created yet


def _generator(idx: int):
    g = _generators.get(idx)
    if g is None:
        from ..random import Generator
        g = Generator(f"cuda:{idx}")
        if _pending_seed[0] is not None:
            g.manual_seed(_pending_seed[0])
        _generators[idx] = g
    return g


def default_generator(idx: int | None = None):
    """The default generator of a CUDA device (torch.cuda.default_generators[idx])."""
    return _generator(current_device() if idx is None else _cuda.check_index(idx))


def manual_seed(seed: int) -> None:
    """Seed the current device's generator (silently ignored without CUDA, as in torch)."""
    if not is_available():
        return
    default_generator().manual_seed(int(seed))


def manual_seed_all(seed: int) -> None:
    """Seed every device's generator (applied lazily: CUDA is not initialised for it)."""
    seed = int(seed)
    _pending_seed[0] = seed
    for g in _generators.values():
        g.manual_seed(seed)


def seed() -> None:
    if is_available():
        default_generator().seed()


def seed_all() -> None:
    if not is_available():
        return
    s = default_generator().seed()
    for i in range(device_count()):
        _generator(i).manual_seed(s)


def initial_seed() -> int:
    return default_generator().initial_seed()


def get_rng_state(device="cuda"):
    return default_generator(_index(device)).get_state()


def set_rng_state(new_state, device="cuda") -> None:
    default_generator(_index(device)).set_state(new_state)


def __getattr__(name: str):
    # torch.cuda.amp is torch.amp's CUDA face; other torch.cuda names Ember lacks raise
    # NotImplementedError naming them
    if name == "amp":
        from .. import amp
        return amp
    from ..compat import module_getattr
    return module_getattr("torch.cuda", "ember.cuda")(name)
