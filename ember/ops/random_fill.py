"""In-place samplers (Tensor.uniform_, normal_, random_, bernoulli_, exponential_, cauchy_,
log_normal_, geometric_) and the value kernels behind all of ember's random sampling.

Every kernel reproduces torch's CPU kernels bit for bit (/work/shared/spec/torch-rng.md):
elements are drawn serially in memory order from an ember.Generator (MT19937), with torch's
per-dtype transforms. Draws happen on the host; CUDA tensors receive the values afterwards.
"""

from __future__ import annotations

import math
import warnings

# NOTE: the engine is host-side and sequential: draws are NumPy arrays (moved to the device last).
import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _new
from ..autograd.grad_mode import GRAD_ENABLED
from ..autograd.graph import node_class
from ..backend import round_bf16, to_device
from ..random import Generator, _get_generator
from . import _rng_math as M
from ._registry import _scalar_name, check_inplace, public

_f32, _f64 = np.float32, np.float64
_FLOATS = ("float16", "bfloat16", "float32", "float64")
_DIGITS = {"float16": 11, "bfloat16": 8, "float32": 24, "float64": 53}
_CNAME = {"uint8": "unsigned char", "int8": "signed char", "int16": "short int", "int32": "int",
          "int64": "long int", "bool": "bool", "float16": "c10::Half",
          "bfloat16": "c10::BFloat16", "float32": "float", "float64": "double"}


# ---- small helpers ----
def _g(x: float) -> str:
    """A double as C++'s ostream prints it (%g), for torch's error messages."""
    return f"{x:g}"


def _not_implemented(kernel: str, dt: D.dtype):
    return NotImplementedError(f'"{kernel}" not implemented for \'{_scalar_name(dt)}\'')


def _require_float(dt: D.dtype, kernel: str) -> None:
    if dt.name not in _FLOATS:
        raise _not_implemented(kernel, dt)


def _from_double(v: np.ndarray, dt: D.dtype) -> np.ndarray:
    """static_cast<scalar_t>(double): half types go through float (c10::Half(float))."""
    if dt is D.float64:
        return v
    if dt.category < 2:
        return v.astype(dt.np)
    v = v.astype(_f32)
    return _from_float(v, dt)


def _from_float(v: np.ndarray, dt: D.dtype) -> np.ndarray:
    if dt is D.bfloat16:
        return round_bf16(v)
    if dt is D.float32:
        return v
    return v.astype(dt.np)


def _mem_perm(arr):
    """Axes order that lists arr's elements in memory order (None: already C order)."""
    if arr.ndim < 2 or arr.flags.c_contiguous:
        return None
    st = arr.strides
    perm = sorted(range(arr.ndim), key=lambda i: -abs(st[i]))
    return None if perm == list(range(arr.ndim)) else perm


def _dest(self: Tensor, dt: D.dtype):
    """self's storage as a flat float32 array the value kernels may fill in place (None when
    it is not one): no temporary of the tensor's size and no copy pass (VGG16's 400 MB
    classifier weight)."""
    arr = self._array
    if dt is D.float32 and type(arr) is np.ndarray and arr.flags.c_contiguous and \
            arr.dtype == _f32 and arr.flags.writeable:
        return arr.reshape(-1)
    return None


def _write(self: Tensor, vals: np.ndarray, filled: bool = False) -> None:
    """Store vals (flat, memory order, storage dtype) into self's array; bump the version.
    filled: a kernel already wrote vals into self's own storage (_dest)."""
    if filled:
        self._vc[0] += 1
        return
    arr = self._array
    if type(arr) is not np.ndarray:
        vals = to_device(vals, self.device)
    perm = _mem_perm(arr)
    if perm is None:
        arr[...] = vals.reshape(arr.shape)
    else:
        view = arr.transpose(perm)
        view[...] = vals.reshape(view.shape)
    self._vc[0] += 1


def _zero_grad_node(out: Tensor, inputs, name: str) -> None:
    """Give out a grad_fn whose gradient w.r.t. each input is zero (torch's sampler formulas)."""
    if not GRAD_ENABLED[0]:
        return
    edges = [None] * len(inputs)
    for i, a in enumerate(inputs):
        if isinstance(a, Tensor) and a._requires_grad:
            gf = a.grad_fn
            edges[i] = (a if gf is None else gf, a._out_idx, a._array.shape, a._dtype)
    if all(e is None for e in edges):
        return
    from .._creation import zeros
    shapes = [a._array.shape if isinstance(a, Tensor) else None for a in inputs]

    def backward(gy):
        return tuple(zeros(s, dtype=gy.dtype, device=gy.device) if s is not None else None
                     for s in shapes)

    out.grad_fn = node_class(name)(backward, edges, name, 1, None)
    out._requires_grad = True


def _inplace(self: Tensor, vals: np.ndarray, name: str, filled: bool = False) -> Tensor:
    """Write sampled values into self; a non-leaf requiring grad gets a zero-gradient node."""
    prev = None
    if self._requires_grad and self.grad_fn is not None and GRAD_ENABLED[0]:
        prev = _new(self._array, self._dtype)
        prev._requires_grad, prev.grad_fn, prev._out_idx = True, self.grad_fn, self._out_idx
    _write(self, vals, filled)
    if prev is not None:
        _zero_grad_node(self, [prev], name)
        self._out_idx = 0
    return self


# ---- value kernels (flat host arrays in memory order, storage dtype) ----
def _uniform_vals(gen: Generator, n: int, frm: float, to: float, dt: D.dtype,
                  out=None) -> np.ndarray:
    if dt is D.float64:
        v = gen._uniform64(n)
        if frm != 0.0 or to != 1.0:
            v = M.fma64(v, to - frm, frm)
            v[v == to] = frm
        return v
    f, t = _f32(frm), _f32(to)
    if f == 0 and t == 1:
        v = gen._uniform32(n)
    elif M.u24_fma_exact(t - f, f):
        v = _uniform32_affine(gen, n, t - f, f, out if dt is D.float32 else None)
    else:
        v = M.fma32(gen._uniform32(n), t - f, f)
    if dt is D.float32:
        if f != 0 or t != 1:
            v[v == t] = f
        return v
    # half types: clamp when the cast rounded up to the (cast) upper bound
    v = _from_float(v, dt)
    ts = _from_float(np.array([t]), dt)[0]
    v[v == ts] = _from_float(np.array([f]), dt)[0]
    return v


_UCHUNK = 1 << 16          # elements per piece of the chunked uniform transform (cache-sized)


def _uniform32_affine(gen: Generator, n: int, d: np.float32, f: np.float32,
                      out=None) -> np.ndarray:
    """fl32(fma(u, d, f)) for n fresh uniforms u = k * 2**-24, when M.u24_fma_exact(d, f):
    k * (d * 2**-24) + f is then exact in float64, so one cast to float32 rounds it once.
    out: a flat float32 array of n to fill (the tensor's own storage)."""
    if out is None:
        out = np.empty(n, dtype=_f32)
    ds, ff = float(d) * 2.0 ** -24, float(f)
    buf = np.empty(min(n, _UCHUNK), dtype=_f64)
    mask = np.uint32(0xFFFFFF)
    for i in range(0, n, _UCHUNK):
        m = min(_UCHUNK, n - i)
        k = gen._raw32u(m)
        k &= mask
        b = buf[:m]
        np.copyto(b, k, casting="unsafe")
        b *= ds
        b += ff
        np.copyto(out[i:i + m], b, casting="unsafe")
    return out


def _scalar_normals(gen: Generator, n: int) -> np.ndarray:
    """torch's normal_distribution<double>: Box-Muller pairs, the sine cached in the generator."""
    out = np.empty(n, dtype=_f64)
    i = 0
    if n and gen._normal is not None:
        out[0] = gen._normal
        gen._normal = None
        i = 1
    m = n - i
    if m:
        pairs = (m + 1) // 2
        u = gen._uniform64(2 * pairs).reshape(pairs, 2)
        r = np.sqrt(-2.0 * M.libm(math.log1p, -u[:, 1]))
        theta = (2.0 * math.pi) * u[:, 0]
        both = np.empty((pairs, 2), dtype=_f64)
        both[:, 0] = r * M.libm(math.cos, theta)
        both[:, 1] = r * M.libm(math.sin, theta)
        out[i:] = both.reshape(-1)[:m]
        if m % 2:
            gen._normal = float(both[-1, 1])
    return out


def _normal_vals(gen: Generator, n: int, mean: float, std: float, dt: D.dtype,
                 contiguous: bool, out=None) -> np.ndarray:
    if n >= 16 and contiguous:
        rem = n % 16
        full = n - rem
        if dt is D.float64:
            out = np.empty(n, dtype=_f64)
            out[:full] = M.box_muller64(gen._uniform64(n)[:full], mean, std)
            if rem:
                out[n - 16:] = M.box_muller64(gen._uniform64(16), mean, std)
            return out
        m32, s32 = _f32(mean), _f32(std)
        if dt is D.float32:
            if out is None:
                out = np.empty(n, dtype=_f32)
            for i in range(0, full, M.CHUNK):      # draw and transform cache-sized pieces
                m = min(M.CHUNK, full - i)
                out[i:i + m] = M.box_muller32(gen._uniform32(m), m32, s32)
            if rem:
                gen._raw32(rem)                     # the tail's own draws, overwritten below
                out[n - 16:] = M.box_muller32(gen._uniform32(16), m32, s32)
            return out
        # float16/bfloat16: 16 uniforms per block (and 16 for the tail), no leftover draws
        v = M.box_muller32(gen._uniform32(full + (16 if rem else 0)), m32, s32)
        out = v[:n].copy()
        if rem:
            out[n - 16:] = v[full:]
        return _from_float(out, dt)
    return _from_double(M.affine64(_scalar_normals(gen, n), std, mean), dt)


def _bounds_error(var: str, dt: D.dtype):
    return RuntimeError(f"{var} is out of bounds for {_CNAME[dt.name]}")


def _check_int_bounds(frm: int, to_inc: int, dt: D.dtype) -> None:
    """check_from_to_in_range: errors outside the dtype, warnings past a float's mantissa."""
    if dt.category >= 2:
        mx = _max_of(dt)
        for v, name in ((frm, "from"), (to_inc, "to - 1")):
            if v < -mx or v > mx:
                raise _bounds_error(name, dt)
        lim = 1 << _DIGITS[dt.name]
        for v, name in ((frm, "from"), (to_inc, "to - 1")):
            if v < -lim or v > lim:
                tname = _CNAME[dt.name]
                warnings.warn(f"{name} is out of bounds [-(2^{_DIGITS[dt.name]}), "
                              f"2^{_DIGITS[dt.name]}]. Due to precision limitations {tname} can "
                              "support discrete uniform distribution only within this range. "
                              "This warning will become an error in version 1.7 release, please "
                              "fix the code in advance", UserWarning, stacklevel=4)
        return
    if dt is D.bool:
        lo, hi = 0, 1
    else:
        info = np.iinfo(dt.np)
        lo, hi = int(info.min), int(info.max)
    for v, name in ((frm, "from"), (to_inc, "to - 1")):
        if v < lo or v > hi:
            raise _bounds_error(name, dt)


def _float_roundtrip(v: int, dt: D.dtype) -> int:
    """static_cast<int64_t>(static_cast<scalar_t>(v)) for a floating scalar_t."""
    a = np.array([v], dtype=np.int64).astype(_f64 if dt is D.float64 else _f32)
    if dt is D.float16:
        a = a.astype(np.float16).astype(_f32)
    elif dt is D.bfloat16:
        a = round_bf16(a)
    return int(a[0]) if np.isfinite(a[0]) else -(1 << 63)


def _update_from(frm: int, dt: D.dtype) -> int:
    f1 = _float_roundtrip(frm + 1, dt)
    if f1 < frm:
        n = abs(frm + 1).bit_length() - 1
        frm = f1 + (1 << (n - _DIGITS[dt.name] + 1))
    return frm


def _update_to(to: int, dt: D.dtype) -> int:
    t1 = _float_roundtrip(to - 1, dt)
    if t1 >= to:
        n = abs(to - 1).bit_length() - 1
        to = t1 - (1 << (n - _DIGITS[dt.name] + 1))
    return to


def _int_cast(v: np.ndarray, dt: D.dtype) -> np.ndarray:
    """int64 values -> dtype as static_cast does (half types via float)."""
    if dt.category < 2:
        return v.astype(dt.np)
    if dt is D.float64:
        return v.astype(_f64)
    return _from_float(v.astype(_f32), dt)


def _from_to_vals(gen: Generator, n: int, rng: int, base: int, dt: D.dtype) -> np.ndarray:
    """uniform_int_from_to: base + r % range, one random64() when range >= 2**28."""
    r = gen._raw64(n) if rng >= (1 << 28) else gen._raw32(n)
    v = (r % np.uint64(rng)) + np.uint64(base % (1 << 64))       # uint64 wrap-around, as C++
    return _int_cast(v.view(np.int64), dt)


def _random_vals(gen: Generator, n: int, dt: D.dtype) -> np.ndarray:
    """random_() without bounds: [0, 2**mantissa] for floats, [0, max] for integers."""
    name = dt.name
    if name == "bool":
        return (gen._raw32(n) & np.uint64(1)).astype(np.bool_)
    if name in ("int64", "float64"):
        mod = (1 << 63) if name == "int64" else (1 << 53) + 1
        return _int_cast((gen._raw64(n) % np.uint64(mod)).astype(np.int64), dt)
    if dt.category >= 2:
        mod = (1 << _DIGITS[name]) + 1
    else:
        mod = int(np.iinfo(dt.np).max) + 1
    return _int_cast((gen._raw32(n) % np.uint64(mod)).astype(np.int64), dt)


def _host(t: Tensor) -> np.ndarray:
    return t._array if type(t._array) is np.ndarray else t.detach().cpu()._array


def _int_arg(v, name: str, pos: int, fname: str = "randint") -> int:
    if isinstance(v, Tensor):
        return int(v.item())
    if isinstance(v, np.integer):
        return int(v)
    if not isinstance(v, int) or isinstance(v, bool):
        raise TypeError(f"{fname}(): argument '{name}' (position {pos}) must be int, not "
                        f"{type(v).__name__}")
    return v


# ---- in-place Tensor samplers ----
_NO = object()


def _max_of(dt: D.dtype) -> float:
    return 3.3895313892515355e38 if dt is D.bfloat16 else float(np.finfo(dt.np).max)


@public(function=False)
def uniform_(self: Tensor, *args, generator: Generator | None = None, **kwargs) -> Tensor:
    """Tensor.uniform_(from=0, to=1): float32 = fma(u24, to - from, from) in float32 (AVX2)."""
    frm, to = _from_to_args("uniform_", args, kwargs, 0.0, 1.0)
    check_inplace(self)
    dt = self._dtype
    n = self.numel()
    cdt = None
    if dt in (D.complex64, D.complex128):          # torch samples view_as_real(self)
        cdt, dt, n = dt, dt.to_real(), 2 * n
    _require_float(dt, "check_uniform_bounds")
    frm, to = float(frm), float(to)
    mx = _max_of(dt)
    for v, name in ((frm, "from"), (to, "to")):
        if v < -mx or v > mx:
            raise _bounds_error(name, dt)
    if frm > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={_g(frm)} > to={_g(to)}")
    if to - frm > mx:
        raise RuntimeError(f"uniform_ expects to-from <= std::numeric_limits<"
                           f"{_scalar_name(dt)}>::max(), but found to={_g(to)} and "
                           f"from={_g(frm)} which result in to-from to exceed the limit")
    dest = _dest(self, dt) if cdt is None else None
    vals = _uniform_vals(_get_generator(generator, self), n, frm, to, dt, dest)
    if cdt is not None:
        vals = vals.view(cdt.np)
    return _inplace(self, vals, "UniformBackward0", vals is dest)


def _from_to_args(fname: str, args: tuple, kwargs: dict, frm_default, to_default):
    """(from, to) from positional args and the keywords `from` (a Python keyword) and `to`."""
    frm = kwargs.pop("from", _NO)
    to = kwargs.pop("to", _NO)
    if kwargs:
        raise TypeError(f"{fname}() got an unexpected keyword argument '{next(iter(kwargs))}'")
    if len(args) > 2 or (len(args) == 2 and (frm is not _NO or to is not _NO)):
        raise TypeError(f"{fname}() received an invalid combination of arguments")
    if len(args) == 2:
        frm, to = args
    elif len(args) == 1:
        if frm is not _NO:
            raise TypeError(f"{fname}() got multiple values for argument 'from'")
        if fname == "random_" and to is _NO:
            frm, to = 0, args[0]               # random_(to)
        else:
            frm = args[0]
    return (frm_default if frm is _NO else frm), (to_default if to is _NO else to)


@public(function=False)
def normal_(self: Tensor, mean: float = 0, std: float = 1, *,
            generator: Generator | None = None) -> Tensor:
    """Tensor.normal_: block Box-Muller (numel >= 16, contiguous) or the cached scalar path."""
    check_inplace(self)
    dt = self._dtype
    n = self.numel()
    mean, std = float(mean), float(std)
    if not std >= 0.0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_g(std)}")
    cdt = None
    if dt in (D.complex64, D.complex128):
        # torch: view_as_real(self).normal_(mean, std / sqrt(2)) (each part has half the variance)
        cdt, dt, n, std = dt, dt.to_real(), 2 * n, std / math.sqrt(2)
    _require_float(dt, "normal_kernel_cpu")
    dest = _dest(self, dt) if cdt is None else None
    vals = _normal_vals(_get_generator(generator, self), n, mean, std, dt,
                        bool(self._array.flags.c_contiguous), dest)
    if cdt is not None:
        vals = vals.view(cdt.np)
    return _inplace(self, vals, "NormalBackward0", vals is dest)


@public(function=False)
def random_(self: Tensor, *args, generator: Generator | None = None, **kwargs) -> Tensor:
    """Tensor.random_(), random_(to), random_(from, to=None): torch's integer ranges."""
    frm, to = _from_to_args("random_", args, kwargs, _NO, _NO)
    check_inplace(self)
    dt = self._dtype
    if dt.category == 3:
        raise RuntimeError("check_random_bounds handles only integral, floating-point and "
                           "boolean types")
    gen = _get_generator(generator, self)
    n = self.numel()
    if frm is _NO and to is _NO:
        return _inplace(self, _random_vals(gen, n, dt), "RandomBackward0")
    if frm is _NO:
        frm = 0
    if to is _NO:
        raise TypeError("random_() missing required argument 'to'")
    frm = _int_arg(frm, "from", 1, "random_")
    to = None if to is None else _int_arg(to, "to", 2, "random_")
    vals = _random_from_to(gen, n, frm, to, dt)
    return _inplace(self, vals, "RandomBackward1" if to is None else "RandomBackward2")


def _random_from_to(gen: Generator, n: int, frm: int, to: int | None, dt: D.dtype) -> np.ndarray:
    """random_from_to_impl: [from, to) or, with to=None, [from, dtype's max]."""
    is_float = dt.category >= 2
    if to is not None:
        if frm >= to:
            raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got "
                               f"from={frm} >= to={to}")
        if is_float:
            frm, to = _update_from(frm, dt), _update_to(to, dt)
            if frm >= to:
                raise RuntimeError(f"random_ expects 'from' casted to dtype to be less than "
                                   f"'to' casted to dtype, but got from={frm} >= to={to}")
        _check_int_bounds(frm, to - 1, dt)
        return _from_to_vals(gen, n, to - frm, frm, dt)
    if frm == -(1 << 63):
        if dt.name not in ("int64", "float64", "float32", "bfloat16"):
            raise RuntimeError("random_full_64_bits_range_kernel_cpu handles only int64, double, "
                               "float and bfloat16")
        return _int_cast(gen._raw64(n).view(np.int64), dt)
    if is_float:
        to_inc = min(1 << _DIGITS[dt.name], (1 << 63) - 1)
        frm = _update_from(frm, dt)
        if frm >= to_inc:
            raise RuntimeError(f"random_ expects 'from' casted to dtype to be less than or equal "
                               f"to 'to_inc' casted to dtype, but got from={frm} > "
                               f"to_inc={to_inc}")
    else:
        to_inc = 1 if dt is D.bool else int(np.iinfo(dt.np).max)
    _check_int_bounds(frm, to_inc, dt)
    return _from_to_vals(gen, n, to_inc - frm + 1, frm, dt)


@public(function=False)
def bernoulli_(self: Tensor, p=0.5, *, generator: Generator | None = None) -> Tensor:
    """Tensor.bernoulli_(p): float p -> double uniform < p; tensor p -> per-element probs."""
    check_inplace(self)
    gen = _get_generator(generator, self)
    n = self.numel()
    if isinstance(p, Tensor):
        vals = _bernoulli_tensor(gen, self, p)
        return _inplace(self, vals, "BernoulliBackward2")
    p = float(p)
    if not 0.0 <= p <= 1.0:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_g(p)}")
    vals = (gen._uniform64(n) < p).astype(self._dtype.np)
    return _inplace(self, vals, "BernoulliBackward1")


def _bernoulli_tensor(gen: Generator, self: Tensor, p: Tensor) -> np.ndarray:
    if p._dtype.name not in _FLOATS:
        raise _not_implemented("bernoulli_tensor_cpu_p_", p._dtype)
    shape = self._array.shape
    try:
        pa = np.broadcast_to(_host(p), shape)
    except ValueError:
        raise RuntimeError(f"The expanded size of the tensor ({shape[-1] if shape else 1}) must "
                           f"match the existing size ({p._array.shape[-1]}) at non-singleton "
                           f"dimension {len(shape) - 1}.  Target sizes: {list(shape)}.  Tensor "
                           f"sizes: {list(p._array.shape)}") from None
    perm = _mem_perm(self._array)
    pf = (pa.transpose(perm) if perm is not None else pa).reshape(-1)
    if not ((pf >= 0) & (pf <= 1)).all():
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could "
                           "this error message be improved?  If so, please report an enhancement "
                           "request to PyTorch.)")
    n = pf.size
    u = gen._uniform64(n) if p._dtype is D.float64 else gen._uniform32(n)
    return (u < pf).astype(self._dtype.np)


@public(function=False)
def exponential_(self: Tensor, lambd: float = 1.0, *,
                 generator: Generator | None = None) -> Tensor:
    """Tensor.exponential_: (-1/lambd) * log1p(-u) in double, u one double uniform."""
    check_inplace(self)
    dt = self._dtype
    if dt.name not in _FLOATS:
        raise RuntimeError("Exponential distribution is a continuous probability distribution. "
                           f"dtype must be a floating point but you specified {_CNAME[dt.name]}")
    lambd = float(lambd)
    if not lambd > 0.0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_g(lambd)}")
    u = _get_generator(generator, self)._uniform64(self.numel())
    v = (-1.0 / lambd) * M.libm(math.log1p, -u)
    return _inplace(self, _from_double(v, dt), "ExponentialBackward0")


@public(function=False)
def cauchy_(self: Tensor, median: float = 0.0, sigma: float = 1.0, *,
            generator: Generator | None = None) -> Tensor:
    """Tensor.cauchy_: median + sigma * tan(pi * (u - 0.5)) in double (fused multiply-add)."""
    check_inplace(self)
    dt = self._dtype
    if dt.name not in _FLOATS:
        raise RuntimeError("Cauchy distribution is a continuous probability distribution. "
                           f"dtype must be a floating point but you specified {_CNAME[dt.name]}")
    median, sigma = float(median), float(sigma)
    if not sigma > 0.0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={_g(sigma)}")
    u = _get_generator(generator, self)._uniform64(self.numel())
    t = M.libm(math.tan, math.pi * (u - 0.5))
    return _inplace(self, _from_double(M.affine64(t, sigma, median), dt), "CauchyBackward0")


@public(function=False)
def log_normal_(self: Tensor, mean: float = 1.0, std: float = 2.0, *,
                generator: Generator | None = None) -> Tensor:
    """Tensor.log_normal_: exp of the scalar (cached) double normal path, any size."""
    check_inplace(self)
    dt = self._dtype
    _require_float(dt, "log_normal_cpu")
    mean, std = float(mean), float(std)
    if not std > 0.0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_g(std)}")
    z = M.affine64(_scalar_normals(_get_generator(generator, self), self.numel()), std, mean)
    return _inplace(self, _from_double(M.libm(math.exp, z), dt), "LogNormalBackward0")


@public(function=False)
def geometric_(self: Tensor, p: float, *, generator: Generator | None = None) -> Tensor:
    """Tensor.geometric_: ceil(log(u) / log1p(-p)) in double."""
    check_inplace(self)
    dt = self._dtype
    if dt.category == 3:
        raise _not_implemented("geometric_cpu", dt)
    p = float(p)
    if not 0.0 < p < 1.0:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={_g(p)}")
    u = _get_generator(generator, self)._uniform64(self.numel())
    v = np.ceil(M.libm(M.safe_log, u) / math.log1p(-p))
    return _inplace(self, _from_double(v, dt), "GeometricBackward0")
