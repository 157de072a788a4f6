"""torch's CPU generator (MT19937), manual_seed, RNG state and fork_rng, bit-exact with torch.

The engine is NumPy's MT19937 bit generator: its raw 32-bit stream equals torch's `mt19937` for the
same 32-bit seed. torch's `(left_, next_)` bookkeeping maps onto NumPy's `pos` (see the spec,
/work/shared/spec/torch-rng.md section 1); the double-normal cache of the scalar Box-Muller path
lives here too because it is part of `get_rng_state()`.
"""

from __future__ import annotations

import contextlib
import math
import os

# NOTE: the generator is host-side by nature (a sequential engine); draws are NumPy arrays that
# the samplers move to the tensor's device at the end.
import numpy as np

from . import _dtype as D
from ._tensor import Tensor, _new
from .backend import parse_device

__all__ = ["Generator", "default_generator", "manual_seed", "seed", "initial_seed",
           "get_rng_state", "set_rng_state", "fork_rng"]

_DEFAULT_SEED = 67280421310721          # torch's default_rng_seed_val for a fresh Generator()
_STATE_SIZE = 5056
_U64 = 1 << 64
_M32 = 0xFFFFFFFF
_MASK53 = np.uint64((1 << 53) - 1)


def _seed_key(s32: int) -> np.ndarray:
    """The un-twisted MT19937 state for a 32-bit seed (std::mt19937's seeding recurrence)."""
    key = [s32]
    prev = s32
    for i in range(1, 624):
        prev = (1812433253 * (prev ^ (prev >> 30)) + i) & _M32
        key.append(prev)
    return np.array(key, dtype=np.uint32)


def _nondeterministic_seed() -> int:
    # torch: two random_device words, masked to 53 bits
    return int.from_bytes(os.urandom(8), "little") & ((1 << 53) - 1)


class Generator:
    """torch.Generator: an MT19937 engine with torch's seeding, state layout and normal cache."""

    def __init__(self, device="cpu") -> None:
        self.device = parse_device(device if device is not None else "cpu")
        self._bg = np.random.MT19937(0)
        self._seed = 0
        self._fresh = True           # torch's next_ == 0 right after seeding (reported in state)
        self._normal = None          # cached double normal of the scalar Box-Muller path
        self.manual_seed(_DEFAULT_SEED)

    def __repr__(self) -> str:
        return f"<{D.PREFIX[0]}._C.Generator object at {hex(id(self))}>"

    # ---- seeding ------------------------------------------------------------------------------
    def manual_seed(self, seed) -> Generator:
        """Generator.manual_seed: full 64-bit range; only the low 32 bits reach the engine."""
        if isinstance(seed, Tensor):
            seed = seed.item()
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
            raise RuntimeError(f"manual_seed expected a long, but got {type(seed).__name__}")
        seed = int(seed)
        if not -(1 << 63) <= seed < _U64:
            raise ValueError("Overflow when unpacking long long")
        seed %= _U64
        self._seed = seed
        self._set_engine(_seed_key(seed & _M32), 624, True)
        self._normal = None
        return self

    def seed(self) -> int:
        """Generator.seed: reseed from a non-deterministic source and return that seed."""
        s = _nondeterministic_seed()
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        return self._seed

    def _set_engine(self, key: np.ndarray, pos: int, fresh: bool) -> None:
        self._bg.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": pos}}
        self._fresh = fresh

    # ---- state ----------------------------------------------------------------------------------
    def get_state(self) -> Tensor:
        """Generator.get_state: torch's 5056-byte CPUGeneratorImplState as a uint8 tensor."""
        st = self._bg.state["state"]
        pos = int(st["pos"])
        buf = np.zeros(_STATE_SIZE, dtype=np.uint8)
        head = np.zeros(3, dtype="<u8")
        head[0] = self._seed
        head[1] = (625 - pos) | (1 << 32)          # int32 left_, int32 seeded_ = 1
        head[2] = 0 if self._fresh else pos        # uint64 next_
        buf[:24] = head.view(np.uint8)
        buf[24:5016] = np.asarray(st["key"], dtype="<u8").view(np.uint8)
        if self._normal is not None:
            buf[5024:5032] = np.array([self._normal], dtype="<f8").view(np.uint8)
            buf[5040:5044] = np.array([1], dtype="<i4").view(np.uint8)
        return _new(buf, D.uint8)

    def set_state(self, new_state: Tensor) -> Generator:
        """Generator.set_state from a get_state() tensor (torch's or ember's)."""
        if not isinstance(new_state, Tensor) or new_state._dtype is not D.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        buf = np.ascontiguousarray(new_state.detach().cpu()._array).reshape(-1)
        if buf.size != _STATE_SIZE:
            raise RuntimeError(f"Expected a CPUGeneratorImplState of size {_STATE_SIZE} but found "
                               f"the input RNG state size to be {buf.size}")
        seed = int(buf[0:8].view("<u8")[0])
        left = int(buf[8:12].view("<i4")[0])
        seeded = int(buf[12:16].view("<i4")[0])
        nxt = int(buf[16:24].view("<u8")[0])
        if seeded != 1 or not 0 < left <= 624 or nxt > 624:
            raise RuntimeError("Invalid mt19937 state")
        key = buf[24:5016].view("<u8").astype(np.uint32)
        self._seed = seed
        self._set_engine(key, 625 - left, nxt == 0 and left == 1)
        valid = int(buf[5040:5044].view("<i4")[0])
        self._normal = float(buf[5024:5032].view("<f8")[0]) if valid else None
        return self

    def clone_state(self) -> Generator:
        """Generator.clone_state: a new generator with this one's state."""
        return Generator(self.device).set_state(self.get_state())

    def __getstate__(self):
        return {"device": str(self.device), "state": self.get_state()._array.copy()}

    def __setstate__(self, d) -> None:
        self.__init__(d["device"])
        self.set_state(_new(d["state"], D.uint8))

    # ---- raw draws (NumPy arrays) ---------------------------------------------------------------
    def _raw32(self, n: int) -> np.ndarray:
        """The next n engine outputs (torch's random()), as uint64 values < 2**32."""
        if n <= 0:
            return np.zeros(0, dtype=np.uint64)
        self._fresh = False
        return self._bg.random_raw(n)

    def _raw32u(self, n: int) -> np.ndarray:
        """The next n engine outputs as uint32 (no widening pass)."""
        if n <= 0:
            return np.zeros(0, dtype=np.uint32)
        self._fresh = False
        # NumPy's full-range bounded draw returns the engine's outputs as they come
        return self._np_gen().integers(0, 1 << 32, size=n, dtype=np.uint32)

    def _raw64(self, n: int) -> np.ndarray:
        """n of torch's random64(): two outputs each, the first is the high half."""
        if n <= 0:
            return np.zeros(0, dtype=np.uint64)
        self._fresh = False
        # NumPy's MT19937 next_uint64 is (first << 32) | second, as torch's random64()
        return self._np_gen().integers(0, 1 << 64, size=n, dtype=np.uint64)

    def _np_gen(self) -> np.random.Generator:
        g = self.__dict__.get("_gen")
        if g is None or g.bit_generator is not self._bg:
            g = self._gen = np.random.Generator(self._bg)
        return g

    def _uniform32(self, n: int) -> np.ndarray:
        """n float32 uniforms in [0, 1): 24 bits of one output each."""
        k = self._raw32u(n)
        k &= np.uint32(0xFFFFFF)
        u = k.astype(np.float32)
        u *= np.float32(2.0 ** -24)
        return u

    def _uniform64(self, n: int) -> np.ndarray:
        """n float64 uniforms in [0, 1): 53 bits of one random64() each."""
        return (self._raw64(n) & _MASK53).astype(np.float64) * (2.0 ** -53)


default_generator = Generator()
default_generator.manual_seed(_nondeterministic_seed())


def _get_generator(generator: Generator | None, on=None) -> Generator:
    """The generator to draw from: the given one, else the default generator of the device of
    `on` (a Tensor or device: CUDA devices have their own generators; None means CPU)."""
    if generator is None:
        if on is not None:
            dev = on.device if isinstance(on, Tensor) else parse_device(on)
            if dev is not None and dev.type == "cuda":
                from . import cuda
                return cuda.default_generator(dev.index)
        return default_generator
    if not isinstance(generator, Generator):
        raise TypeError(f"argument 'generator' must be torch.Generator, not "
                        f"{type(generator).__name__}")
    return generator


def manual_seed(seed) -> Generator:
    """torch.manual_seed: seed the default generator (−2**63 <= seed < 2**64) and return it."""
    g = default_generator.manual_seed(int(seed))
    from . import cuda
    cuda.manual_seed_all(int(seed))        # as torch: every CUDA generator too (lazily)
    return g


def seed() -> int:
    """torch.seed: reseed the default generator non-deterministically; returns the seed."""
    s = default_generator.seed()
    from . import cuda
    cuda.manual_seed_all(s)
    return s


def initial_seed() -> int:
    """torch.initial_seed: the default generator's seed (negative seeds as seed + 2**64)."""
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    """torch.get_rng_state: the default generator's state as a 5056-byte uint8 tensor."""
    return default_generator.get_state()


def set_rng_state(new_state: Tensor) -> None:
    """torch.set_rng_state."""
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled: bool = True, _caller: str = "fork_rng",
             _devices_kw: str = "devices", device_type=None):
    """torch.random.fork_rng: restore the default generator's state on exit (CPU only)."""
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)


def dropout_mask(shape, p: float, dtype, generator: Generator | None = None, device=None):
    """F.dropout's scaled noise (raw array of `shape` in dtype's storage), as torch's CPU path.

    keep = u < 1 - p with one double uniform per element in memory order; kept entries hold
    1 / (1 - p) rounded as torch's `noise.div_(1 - p)` does in dtype (float32: fl32(1/fl32(1-p))).
    """
    dt = dtype if isinstance(dtype, D.dtype) else D.from_numpy_dtype(np.dtype(dtype))
    n = 1
    for s in shape:
        n *= int(s)
    if p >= 1:
        return np.zeros(shape, dtype=dt.np)
    if p <= 0:
        return np.ones(shape, dtype=dt.np)
    # keep = u < 1 - p for u = k * 2**-53 (k: the low 53 bits of random64()), decided on the
    # integers: k < ceil((1 - p) * 2**53), exact since the product only shifts the exponent
    k = _get_generator(generator, device)._raw64(n)
    k &= _MASK53
    keep = k < np.uint64(math.ceil((1.0 - p) * 2.0 ** 53))
    if dt is D.float64:
        noise = keep * (1.0 / (1.0 - p))
    else:
        scale = np.float32(1.0) / np.float32(1.0 - p)
        noise = keep.astype(np.float32) * scale
        if dt is D.bfloat16:
            from .backend import round_bf16
            noise = round_bf16(noise)
        elif dt is not D.float32:
            noise = noise.astype(dt.np)
    return noise.reshape(shape)
