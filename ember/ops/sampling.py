"""Random factories: torch.rand/randn/randint/randperm/normal/bernoulli/multinomial and the
*_like variants, bit-exact with torch's CPU generator (kernels in random_fill.py).
"""

from __future__ import annotations

# NOTE: the engine is host-side and sequential: draws are NumPy arrays (moved to the device last).
import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _new
from ..backend import parse_device, round_bf16, to_device
from ..random import Generator, _get_generator
from ._registry import _scalar_name, public, write_out
from .random_fill import (
    _DIGITS,
    _FLOATS,
    _bernoulli_tensor,
    _from_double,
    _g,
    _host,
    _int_arg,
    _int_cast,
    _mem_perm,
    _not_implemented,
    _write,
    _zero_grad_node,
    bernoulli_,
    exponential_,
    normal_,
    random_,
    uniform_,
)

__all__ = ["rand", "randn", "randint", "randperm", "normal", "bernoulli", "multinomial",
           "rand_like", "randn_like", "randint_like"]

_f32, _f64 = np.float32, np.float64


# ---- factories ----
def _parse_size(size: tuple, kw_size, fname: str) -> tuple:
    if kw_size is not None:
        if size:
            raise TypeError(f"{fname}() got multiple values for argument 'size'")
        size = (kw_size,)
    if not size:
        raise TypeError(f"{fname}() received an invalid combination of arguments - got (), but "
                        "expected (tuple of ints size, ...)")
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    out = []
    for s in size:
        if isinstance(s, Tensor) or isinstance(s, np.integer):
            s = int(s)
        if not isinstance(s, int) or isinstance(s, bool):
            raise TypeError(f"{fname}(): argument 'size' must be tuple of ints, but found element "
                            f"of type {type(s).__name__} at pos {len(out)}")
        out.append(s)
    for s in out:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {out}")
    return tuple(out)


def _empty(shape: tuple, dt: D.dtype) -> Tensor:
    return _new(np.empty(shape, dtype=dt.np), dt)


def _finish(t: Tensor, device, requires_grad: bool, out: Tensor | None = None) -> Tensor:
    dev = parse_device(device) if out is None else out.device
    if dev is not None and dev.type != "cpu":
        t._array = to_device(t._array, dev)
    if out is not None:
        return _into_out(t, out)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _into_out(t: Tensor, out: Tensor) -> Tensor:
    """Copy a result into out= (resized when its shape differs), as torch's out variants."""
    return write_out(out, t)


def _no_out(fname: str, kwargs: dict) -> None:
    if "out" in kwargs:
        raise TypeError(f"{fname}() got an unexpected keyword argument 'out'")
    _check_kwargs(fname, kwargs)


def _float_dtype(dtype, out: Tensor | None = None) -> D.dtype:
    if dtype is not None:
        return D.to_dtype(dtype)
    return out._dtype if out is not None else D.get_default_dtype()


def _check_kwargs(fname: str, kwargs: dict) -> Tensor | None:
    """Drop the layout/memory keywords torch accepts here; return out= (or None)."""
    out = kwargs.pop("out", None)
    for k in ("layout", "pin_memory", "memory_format"):
        kwargs.pop(k, None)
    if kwargs:
        raise TypeError(f"{fname}() got an unexpected keyword argument '{next(iter(kwargs))}'")
    return out


@public(method=False)
def rand(*size, generator: Generator | None = None, dtype=None, device=None,
         requires_grad: bool = False, **kwargs) -> Tensor:
    """torch.rand: empty(size).uniform_(0, 1)."""
    shape = _parse_size(size, kwargs.pop("size", None), "rand")
    out = _check_kwargs("rand", kwargs)
    t = _empty(shape, _float_dtype(dtype, out))
    uniform_(t, 0.0, 1.0, generator=_get_generator(generator, device))
    return _finish(t, device, requires_grad, out)


@public(method=False)
def randn(*size, generator: Generator | None = None, dtype=None, device=None,
          requires_grad: bool = False, **kwargs) -> Tensor:
    """torch.randn: empty(size).normal_(0, 1)."""
    shape = _parse_size(size, kwargs.pop("size", None), "randn")
    out = _check_kwargs("randn", kwargs)
    t = _empty(shape, _float_dtype(dtype, out))
    normal_(t, 0.0, 1.0, generator=_get_generator(generator, device))
    return _finish(t, device, requires_grad, out)


@public(method=False)
def randint(low=0, high=None, size=None, *, generator: Generator | None = None, dtype=None,
            device=None, requires_grad: bool = False, **kwargs) -> Tensor:
    """torch.randint(high, size) / randint(low, high, size): empty(size).random_(low, high)."""
    out = _check_kwargs("randint", kwargs)
    if size is None and isinstance(high, (tuple, list)):
        low, high, size = 0, low, high               # randint(high, size)
    elif high is None:
        low, high = 0, low                           # randint(high, size=...)
    if size is None:
        raise TypeError("randint() received an invalid combination of arguments - missing "
                        "'size' (expected (int high, tuple of ints size) or (int low, int "
                        "high, tuple of ints size))")
    low = _int_arg(low, "low", 1)
    high = _int_arg(high, "high", 2 if low else 1)
    shape = _parse_size((size,), None, "randint")
    dt = D.to_dtype(dtype) if dtype is not None else (out._dtype if out is not None else D.int64)
    t = _empty(shape, dt)
    random_(t, low, high, generator=_get_generator(generator, device))
    return _finish(t, device, requires_grad, out)


@public(method=False)
def randperm(n: int, *, generator: Generator | None = None, dtype=None, device=None,
             requires_grad: bool = False, **kwargs) -> Tensor:
    """torch.randperm: torch's CPU Fisher-Yates (swap loop for n < 2**32 / 20)."""
    out = _check_kwargs("randperm", kwargs)
    n = _int_arg(n, "n", 1, "randperm")
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    dt = D.to_dtype(dtype) if dtype is not None else (out._dtype if out is not None else D.int64)
    _check_perm_dtype(n, dt)
    gen = _get_generator(generator, device)
    if n < 214748364:
        # draws and moduli are vectorised; the swaps are inherently sequential
        z = (gen._raw32(max(n - 1, 0)) % np.arange(n, 1, -1, dtype=np.uint64)).tolist()
        a = list(range(n))
        for i, zi in enumerate(z):
            if zi:
                j = i + zi
                a[i], a[j] = a[j], a[i]
    else:
        r = (gen._raw64(n) % np.arange(1, n + 1, dtype=np.uint64)).tolist()
        a = [0] * n
        for i, zi in enumerate(r):
            a[i] = a[zi]
            a[zi] = i
    arr = np.array(a, dtype=np.int64)
    t = _new(_int_cast(arr, dt), dt)
    return _finish(t, device, requires_grad, out)


def _check_perm_dtype(n: int, dt: D.dtype) -> None:
    if dt.category >= 2 and dt is not D.bfloat16:
        digits = _DIGITS[dt.name]
        if n > (1 << digits) + 1:
            lim = "2049" if dt is D.float16 else f"2^{digits}+1"
            raise RuntimeError(f"n cannot be greater than {lim} for {_scalar_name(dt)} type.")
    elif dt.category == 1 and n > 0 and n - 1 > int(np.iinfo(dt.np).max):
        raise RuntimeError(f"value cannot be converted to type {dt.name}_t without overflow")


def _like_target(input: Tensor, dt: D.dtype):
    """empty_like(input) with torch's preserve_format: a dense permuted layout is kept."""
    arr = np.empty(input._array.shape, dtype=dt.np)
    perm = _mem_perm(input._array)
    if perm is not None and input._array.transpose(perm).flags.c_contiguous:
        inv = np.argsort(perm)
        arr = np.empty([input._array.shape[i] for i in perm], dtype=dt.np).transpose(inv)
    return _new(arr, dt)


def _gen_like(generator, device, input: Tensor) -> Generator:
    """The generator for a *_like draw: that of the result's device (device, else input's)."""
    return _get_generator(generator, device if device is not None else input)


def _like_finish(t: Tensor, input: Tensor, device, requires_grad: bool) -> Tensor:
    t._array = np.ascontiguousarray(t._array)
    return _finish(t, device if device is not None else input.device, requires_grad)


@public(method=False)
def rand_like(input: Tensor, *, generator: Generator | None = None, dtype=None, device=None,
              requires_grad: bool = False, **kwargs) -> Tensor:
    """torch.rand_like: empty_like(input).uniform_(0, 1) (input's memory layout decides order)."""
    _no_out("rand_like", kwargs)
    t = _like_target(input, D.to_dtype(dtype) if dtype is not None else input._dtype)
    uniform_(t, 0.0, 1.0, generator=_gen_like(generator, device, input))
    return _like_finish(t, input, device, requires_grad)


@public(method=False)
def randn_like(input: Tensor, *, generator: Generator | None = None, dtype=None, device=None,
               requires_grad: bool = False, **kwargs) -> Tensor:
    """torch.randn_like: empty_like(input).normal_(0, 1)."""
    _no_out("randn_like", kwargs)
    t = _like_target(input, D.to_dtype(dtype) if dtype is not None else input._dtype)
    normal_(t, 0.0, 1.0, generator=_gen_like(generator, device, input))
    return _like_finish(t, input, device, requires_grad)


@public(method=False)
def randint_like(input: Tensor, low=0, high=None, *, generator: Generator | None = None,
                 dtype=None, device=None, requires_grad: bool = False, **kwargs) -> Tensor:
    """torch.randint_like(input, high) / randint_like(input, low, high)."""
    _no_out("randint_like", kwargs)
    if high is None:
        low, high = 0, low
    t = _like_target(input, D.to_dtype(dtype) if dtype is not None else input._dtype)
    random_(t, _int_arg(low, "low", 2, "randint_like"), _int_arg(high, "high", 3, "randint_like"),
            generator=_gen_like(generator, device, input))
    return _like_finish(t, input, device, requires_grad)


# ---- normal, bernoulli, multinomial ----
def _arith(x: np.ndarray, y: np.ndarray, op, dt: D.dtype) -> np.ndarray:
    """x op y (NumPy promotion matches torch's among floats) stored back as dtype dt."""
    r = op(x, y)
    if dt is D.bfloat16:
        return round_bf16(r.astype(_f32))
    return r.astype(dt.np)


@public(method=False)
def normal(mean, std=1.0, size=None, *, generator: Generator | None = None, dtype=None,
           device=None, requires_grad: bool = False, **kwargs) -> Tensor:
    """torch.normal: (Tensor, Tensor), (Tensor, float), (float, Tensor), (float, float, size)."""
    out_t = _check_kwargs("normal", kwargs)
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not mt and not st:
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments - got "
                            f"({type(mean).__name__}, {type(std).__name__}), but expected one "
                            "of: (Tensor mean, Tensor std), (Tensor mean, float std), (float "
                            "mean, Tensor std), (float mean, float std, tuple of ints size)")
        t = _empty(_parse_size((size,), None, "normal"), _float_dtype(dtype, out_t))
        normal_(t, mean, std, generator=_get_generator(generator, device))
        return _finish(t, device, requires_grad, out_t)
    if st:
        s_host = _host(std)
        if s_host.size and not (s_host >= 0).all():
            raise RuntimeError("normal expects all elements of std >= 0.0")
    elif not float(std) >= 0.0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_g(float(std))}")
    base = mean if mt else std
    dt = base._dtype
    shape = _broadcast_shape(mean._array.shape, std._array.shape) if mt and st else \
        base._array.shape
    out = _empty(shape, dt)
    normal_(out, 0.0, 1.0 if st else float(std), generator=_get_generator(generator, base))
    v = out._array
    if st:
        v = _arith(v, _host(std), np.multiply, dt)      # output.mul_(std)
    m = _host(mean) if mt else _from_double(np.array([float(mean)]), dt).reshape(())
    out._array = np.ascontiguousarray(np.broadcast_to(_arith(v, m, np.add, dt), shape))
    if base.is_cuda:
        out._array = to_device(out._array, base.device)
    if out_t is not None:
        return _into_out(out, out_t)
    name = "NormalBackward3" if mt and st else ("NormalBackward1" if mt else "NormalBackward2")
    _zero_grad_node(out, [mean, std] if mt and st else [base], name)
    return out


def _broadcast_shape(a: tuple, b: tuple) -> tuple:
    try:
        return np.broadcast_shapes(a, b)
    except ValueError:
        for i in range(1, max(len(a), len(b)) + 1):
            x = a[-i] if i <= len(a) else 1
            y = b[-i] if i <= len(b) else 1
            if x != y and x != 1 and y != 1:
                raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b "
                                   f"({y}) at non-singleton dimension "
                                   f"{max(len(a), len(b)) - i}") from None
        raise


@public()
def bernoulli(input: Tensor, p=None, *, generator: Generator | None = None,
              **kwargs) -> Tensor:
    """torch.bernoulli(input) (input = probabilities) or bernoulli(input, p) (float p)."""
    out_t = _check_kwargs("bernoulli", kwargs)
    out = _new(np.empty(input._array.shape, dtype=input._dtype.np), input._dtype)
    gen = _get_generator(generator, input)
    if p is None:
        if input._dtype.name not in _FLOATS:
            raise _not_implemented("bernoulli_tensor_cpu_p_", input._dtype)
        _write(out, _bernoulli_tensor(gen, out, input))
        grad_name = "BernoulliBackward0"
    else:
        bernoulli_(out, p, generator=gen)
        grad_name = "BernoulliBackward1"
    if input.is_cuda:
        out._array = to_device(out._array, input.device)
    if out_t is not None:
        return _into_out(out, out_t)
    _zero_grad_node(out, [input], grad_name)
    return out


@public()
def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator: Generator | None = None, **kwargs) -> Tensor:
    """torch.multinomial: inverse-CDF search with replacement, else top-k of probs / Exp(1)."""
    out_t = _check_kwargs("multinomial", kwargs)
    nd = input._array.ndim
    if nd not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    dt = input._dtype
    if dt.name not in _FLOATS:
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{_scalar_name(dt)}")
    k = int(num_samples)
    if k <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    ncat = input._array.shape[-1]
    if not replacement and k > ncat:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    if ncat > (1 << 24):
        raise RuntimeError("number of categories cannot exceed 2^24")
    gen = _get_generator(generator, input)
    probs = _host(input)
    p2 = probs.reshape(-1, ncat)
    if not replacement or k == 1:
        if not (np.all(p2 < np.inf) and np.all(p2 >= 0)):
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
        if (p2.astype(_f64).sum(axis=1) == 0).any():
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        q = _like_target(input, dt)
        exponential_(q, 1.0, generator=gen)
        r = _arith(p2, np.ascontiguousarray(q._array).reshape(p2.shape), np.divide, dt)
        if k == 1:
            idx = np.argmax(r, axis=1)[:, None]
        else:
            idx = np.argsort(-r.astype(_f64), axis=1, kind="stable")[:, :k]
    else:
        idx = _multinomial_replacement(gen, p2, k, dt)
    out = idx.astype(np.int64).reshape(probs.shape[:-1] + (k,))
    t = _new(out, D.int64)
    if input.is_cuda:
        t._array = to_device(t._array, input.device)
    return t if out_t is None else _into_out(t, out_t)


def _multinomial_replacement(gen: Generator, p2: np.ndarray, k: int, dt: D.dtype) -> np.ndarray:
    acc = _f64 if dt is D.float64 else _f32
    rows = p2.shape[0]
    out = np.empty((rows, k), dtype=np.int64)
    for i in range(rows):
        row = p2[i].astype(acc)
        if (row < 0).any():
            raise RuntimeError("invalid multinomial distribution (encountering probability "
                               "entry < 0)")
        if not np.isfinite(row).all():
            raise RuntimeError("invalid multinomial distribution (encountering probability "
                               "entry = infinity or NaN)")
        cum = np.cumsum(row, dtype=acc)       # sequential accumulation, as the CPU kernel
        total = cum[-1]
        if not total > 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        cum = cum / total
        cum[-1] = 1
        u = gen._uniform64(k)
        out[i] = np.searchsorted(cum.astype(_f64), u, side="left")
    return out
