"""Tensor factories: tensor, as_tensor, from_numpy, zeros/ones/full/empty (+ _like), ranges, eye."""

from __future__ import annotations

import builtins as _bi
import math

import numpy as np

from . import _dtype as D
from ._tensor import Size, Tensor, _new
from .backend import cast, parse_device, to_device

__all__ = ["tensor", "as_tensor", "asarray", "from_numpy", "zeros", "ones", "full", "empty",
           "zeros_like", "ones_like", "full_like", "empty_like", "arange", "range", "linspace",
           "logspace", "eye", "scalar_tensor", "empty_strided", "complex", "polar"]

_builtin_range = range


def _finish(arr, dt: D.dtype, device, requires_grad: bool) -> Tensor:
    dev = parse_device(device)
    if dev is not None and dev.type != "cpu":
        arr = to_device(arr, dev)
    t = _new(arr, dt)
    if requires_grad:
        if dt.category < 2:
            raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                               "gradients")
        t._requires_grad = True
    return t


def _python_dtype(arr: np.ndarray) -> D.dtype:
    """dtype torch infers for data that came from Python scalars/lists."""
    k = arr.dtype.kind
    if k == "f":
        return D.get_default_dtype()
    if k == "c":
        return D.complex128 if D.get_default_dtype() is D.float64 else D.complex64
    if k == "b":
        return D.bool
    if k in "iu":
        return D.int64
    if arr.size == 0:
        return D.get_default_dtype()
    raise TypeError(f"Could not infer dtype of {type(arr.flat[0]).__name__}")


def _check_strides(arr: np.ndarray) -> None:
    """torch refuses NumPy arrays with a negative stride (from_numpy, tensor, as_tensor)."""
    if any(s < 0 for s in arr.strides):
        raise ValueError("At least one stride in the given numpy array is negative, and tensors "
                         "with negative strides are not currently supported. (You can probably "
                         "work around this by making a copy of your array  with array.copy().) ")


def _from_data(data):
    """(numpy array, inferred dtype) for tensor()/as_tensor() data."""
    if isinstance(data, Tensor):
        return data.detach().cpu()._array, data._dtype
    if isinstance(data, np.ndarray):
        _check_strides(data)
        return data, D.from_numpy_dtype(data.dtype)
    if isinstance(data, np.generic):
        return np.asarray(data), D.from_numpy_dtype(data.dtype)
    if isinstance(data, (list, tuple)) and data and any(isinstance(d, Tensor) for d in data):
        parts = [_from_data(d) for d in data]
        dt = parts[0][1]
        for _, d in parts[1:]:
            dt = D.promote_types(dt, d)
        try:
            return np.stack([p[0].astype(dt.np) for p in parts]), dt
        except ValueError as e:
            raise ValueError(f"expected sequence of same-shaped elements ({e})") from None
    if isinstance(data, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    if hasattr(data, "__array__") and not isinstance(data, (list, tuple)):
        arr = np.asarray(data)
        return arr, D.from_numpy_dtype(arr.dtype)
    if isinstance(data, _bi.range):
        data = list(data)
    if not isinstance(data, (list, tuple, int, float, _bi.complex, bool)):
        raise RuntimeError(f"Could not infer dtype of {type(data).__name__}")
    try:
        arr = np.array(data)
    except ValueError:
        _bad_data(data)
        raise
    except RuntimeError:
        # nested Tensors that require grad (their __array__ refuses): take their values
        arr = np.array(_detached(data))
    if arr.dtype.kind in "OUS":
        _bad_data(data)
    leaf = data
    while isinstance(leaf, (list, tuple)) and leaf:
        leaf = leaf[0]
    if isinstance(leaf, np.generic):
        # NumPy scalars in a sequence keep their dtype (promoted with the other elements)
        dt = None
        for x in np.array(data, dtype=object).ravel():
            d = D._scalar_dtype(x)
            dt = d if dt is None else D.promote_types(dt, d)
        return arr, dt
    return arr, _python_dtype(arr)


def _detached(data):
    """Nested sequences with every Tensor replaced by its (detached) value array."""
    if isinstance(data, Tensor):
        return data.detach().cpu()._array
    if isinstance(data, (list, tuple)):
        return [_detached(d) for d in data]
    return data


def _bad_data(data) -> None:
    """Raise torch's error for nested data NumPy could not make a numeric array of: the shape
    comes from the first elements, then every element is checked against it."""
    shape, d = [], data
    while isinstance(d, (list, tuple)):
        shape.append(len(d))
        if not d:
            break
        d = d[0]

    def check(x, dim):
        if dim < len(shape):
            if not isinstance(x, (list, tuple)):
                raise TypeError("not a sequence")
            if len(x) != shape[dim]:
                raise ValueError(f"expected sequence of length {shape[dim]} at dim {dim} "
                                 f"(got {len(x)})")
            for y in x:
                check(y, dim + 1)
        elif isinstance(x, (list, tuple)):
            raise TypeError(f"'{type(x).__name__}' object cannot be interpreted as a number")
        elif isinstance(x, (str, bytes)):
            raise TypeError(f"new(): invalid data type '{type(x).__name__}'")
        elif not isinstance(x, (int, float, _bi.complex, bool, np.generic, Tensor)):
            raise RuntimeError(f"Could not infer dtype of {type(x).__name__}")
    check(data, 0)
    raise TypeError(f"Could not infer dtype of {type(data).__name__}")


def tensor(data, *, dtype=None, device=None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """torch.tensor: always copies data."""
    if isinstance(data, Tensor):
        import warnings
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use "
            "sourceTensor.detach().clone() or sourceTensor.detach().clone().requires_grad_(True), "
            "rather than torch.tensor(sourceTensor).", UserWarning, stacklevel=2)
    arr, dt = _from_data(data)
    if dtype is not None:
        dt = D.to_dtype(dtype)
    arr = cast(np.array(arr, copy=True), dt)
    if device is None and isinstance(data, Tensor):
        device = data.device
    return _finish(arr, dt, device, requires_grad)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """torch.as_tensor: shares memory with Tensors and NumPy arrays when dtype/device allow."""
    if isinstance(data, Tensor):
        return data.to(device=device, dtype=dtype)
    arr, dt = _from_data(data)
    if dtype is not None:
        dt = D.to_dtype(dtype)
    arr = cast(arr, dt)
    return _finish(arr, dt, device, False)


asarray = as_tensor


def from_numpy(ndarray) -> Tensor:
    """torch.from_numpy: shares memory."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _check_strides(ndarray)
    if not ndarray.flags.writeable:
        import warnings
        warnings.warn("The given NumPy array is not writable, and PyTorch does not support "
                      "non-writable tensors.", UserWarning, stacklevel=2)
    return _new(ndarray, D.from_numpy_dtype(ndarray.dtype))


def _size(size, fname: str = "zeros") -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list, Size)):
        size = size[0]
    elif len(size) == 1 and not isinstance(size[0], (int, np.integer, Tensor)):
        # one argument that is no size at all: torch's binding names its type
        raise TypeError(f"{fname}(): argument 'size' (position 1) must be tuple of ints, not "
                        f"{type(size[0]).__name__}")
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = int(s)
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f"{fname}(): argument 'size' (position 1) must be tuple of ints, but "
                            f"found element of type {type(s).__name__} at pos {len(out)}")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{list(size)}")
        out.append(int(s))
    return tuple(out)


def _fill(size, value, dtype, device, requires_grad) -> Tensor:
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    arr = np.full(size, value, dtype=dt.np) if value != 0 else np.zeros(size, dtype=dt.np)
    return _finish(arr, dt, device, requires_grad)


def zeros(*args, size=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False, memory_format=None) -> Tensor:
    """torch.zeros(*size): sizes as varargs, one tuple/list/Size, or size=."""
    return _fill(_size(args if size is None else (size,)), 0, dtype, device, requires_grad)


def ones(*args, size=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False, memory_format=None) -> Tensor:
    """torch.ones(*size): sizes as varargs, one tuple/list/Size, or size=."""
    return _fill(_size(args if size is None else (size,), "ones"), 1, dtype, device, requires_grad)


def empty(*args, size=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False, memory_format=None) -> Tensor:
    """torch.empty(*size): sizes as varargs, one tuple/list/Size, or size=."""
    return _fill(_size(args if size is None else (size,), "empty"), 0, dtype, device, requires_grad)


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False) -> Tensor:
    return _fill(_size((size,), "empty_strided"), 0, dtype, device, requires_grad)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False) -> Tensor:
    shape = _size((size,), "full")
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    if not isinstance(fill_value, (int, float, _bi.complex, np.number, np.bool_)):
        raise TypeError(f"full(): argument 'fill_value' (position 2) must be Number, not "
                        f"{type(fill_value).__name__}")
    if dtype is None:
        dtype = D._scalar_dtype(fill_value)
    return _fill(shape, fill_value, dtype, device, requires_grad)


def _like(input: Tensor, value, dtype, device, requires_grad) -> Tensor:
    dt = D.to_dtype(dtype) if dtype is not None else input._dtype
    return _fill(input.shape, value, dt, device if device is not None else input.device,
                 requires_grad)


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None) -> Tensor:
    return _like(input, 0, dtype, device, requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    return _like(input, 1, dtype, device, requires_grad)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None) -> Tensor:
    return _like(input, 0, dtype, device, requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    return _like(input, fill_value, dtype, device, requires_grad)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    return _finish(np.array(s, dtype=dt.np), dt, device, requires_grad)


def _num(x):
    return x.item() if isinstance(x, Tensor) else x


def _split(x):
    t = 134217729.0 * x              # 2**27 + 1: Veltkamp splitting
    hi = t - (t - x)
    return hi, x - hi


def _fma(a, b, c):
    """a * b + c rounded once (float64 arrays), as the FMA torch's compiled kernels use."""
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl       # exact product error (TwoProduct)
    s = p + c
    v = s - p
    e2 = (p - (s - v)) + (c - v)                             # exact sum error (TwoSum)
    return s + (e + e2)


def _arange_values(start: float, step: float, n: int, f32: bool):
    """torch's CPU arange kernel: 256-bit vector chunks (4 doubles / 8 floats), each lane
    base + k * step from a chunk base start + i0 * step; a scalar tail start + j * step."""
    width = 8 if f32 else 4
    j = np.arange(n, dtype=np.float64)
    out = _fma(j, np.float64(step), np.float64(start))          # the scalar tail
    full = n // (2 * width) * (2 * width)
    if full:
        k = j[:full] % width
        base = _fma(j[:full] - k, np.float64(step), np.float64(start))
        if f32:
            out[:full] = base.astype(np.float32).astype(np.float64) + k * step
        else:
            out[:full] = _fma(k, np.float64(step), base)
    return out


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False) -> Tensor:
    """torch.arange: float dtype when any bound is a float, else int64 (values bit-exact)."""
    start, end, step = _num(start), _num(end), _num(step)
    given = [v for v in (start, end, step) if v is not None]
    if any(isinstance(v, (_bi.complex, np.complexfloating)) for v in given):
        raise RuntimeError("value cannot be converted to type double without overflow")
    if any(not isinstance(v, (int, float, np.number)) for v in given):
        if end is None:
            raise TypeError(f"arange(): argument 'end' (position 1) must be Number, not "
                            f"{type(start).__name__}")
        got = ", ".join(type(v).__name__ for v in (start, end))
        raise TypeError(f"arange() received an invalid combination of arguments - got ({got}), "
                        "but expected one of: (Number end), (Number start, Number end), "
                        "(Number start, Number end, Number step)")
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0 and end != start:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    if dtype is None:
        is_float = any(isinstance(v, float) for v in (start, end, step))
        dt = D.get_default_dtype() if is_float else D.int64
    else:
        dt = D.to_dtype(dtype)
    n = max(math.ceil((end - start) / step), 0)
    if dt.category < 2 and not all(isinstance(v, int) for v in (start, end, step)):
        # integer outputs: torch casts the bounds and the step to int64 first; only int64
        # also takes its length from the cast values (the others use the double bounds)
        start, end, step = int(start), int(end), int(step)
        if step == 0:
            raise ValueError("step must be nonzero")
        if dt is D.int64:
            q = end - start + step - (1 if step > 0 else -1)
            n = max(abs(q) // abs(step) * (1 if (q >= 0) == (step > 0) else -1), 0)
    if dt.category < 2:
        arr = np.arange(start, start + n * step, step, dtype=np.int64)[:n].astype(dt.np)
    else:
        arr = cast(_arange_values(float(start), float(step), n, dt is not D.float64), dt)
    return _finish(arr, dt, device, requires_grad)


def range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """torch.range (deprecated): includes end."""
    import warnings
    warnings.warn("torch.range is deprecated and will be removed in a future release because "
                  "its behavior is inconsistent with Python's range builtin. Instead, use "
                  "torch.arange, which produces values in [start, end).", UserWarning,
                  stacklevel=2)
    if end is None:
        start, end = 0, start
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    n = int(math.floor((end - start) / step)) + 1
    arr = cast(start + np.arange(n, dtype=np.float64) * step, dt)
    return _finish(arr, dt, device, requires_grad)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False) -> Tensor:
    """torch.linspace, bit-exact with torch's CPU kernel: step = (end - start) / (steps - 1) in
    the working dtype, then fma(step, i, start) for the first half, fma(-step, steps-1-i, end)
    for the second."""
    start, end = _num(start), _num(end)
    if not isinstance(steps, int) or steps < 0:
        raise RuntimeError("linspace(): number of steps must be non-negative")
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    # integer outputs step in double; float32-like outputs compute in float32
    work = np.float32 if dt.category >= 2 and dt is not D.float64 else np.float64
    if steps <= 1:
        arr = np.array([start] * steps, dtype=np.float64)
    else:
        if dt.category < 2:
            s, e = float(int(start)), float(int(end))
        else:
            s, e = float(work(start)), float(work(end))
        step = float((work(e) - work(s)) / work(steps - 1))
        idx = np.arange(steps, dtype=np.float64)
        half = steps // 2
        arr = np.where(idx < half, _fma(idx, np.float64(step), np.float64(s)),
                       _fma(steps - 1 - idx, np.float64(-step), np.float64(e)))
    if dt.category < 2:
        arr = np.trunc(arr)
    return _finish(cast(arr.astype(work) if dt.category >= 2 else arr, dt), dt, device,
                   requires_grad)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False) -> Tensor:
    """torch.logspace, as torch's CPU loop: base ** (start + i * step), the exponent in double
    from start/end rounded to the output dtype (float base for integer outputs)."""
    start, end = _num(start), _num(end)
    if not isinstance(steps, int) or steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    if steps <= 1:
        arr = np.power(float(base), np.array([float(start)] * steps, dtype=np.float64))
    else:
        if dt.category < 2:
            s, e = float(int(start)), float(int(end))
            b = np.float64(np.float32(base))
        else:
            work = np.float32 if dt is not D.float64 else np.float64
            s, e = float(work(start)), float(work(end))
            b = np.float64(base)
        step = (e - s) / (steps - 1)
        half = steps // 2
        # libm's pow (math.pow), as torch's loop calls std::pow; NumPy's power differs in ulps
        arr = np.array([math.pow(b, s + step * i if i < half else e - step * (steps - i - 1))
                        for i in _bi.range(steps)], dtype=np.float64)
        if dt.category < 2:
            arr = np.trunc(arr)
    return _finish(cast(arr, dt), dt, device, requires_grad)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None,
        requires_grad=False) -> Tensor:
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    return _finish(np.eye(n, n if m is None else m, dtype=dt.np), dt, device, requires_grad)


def complex(real: Tensor, imag: Tensor) -> Tensor:
    from .ops.elementwise import add, mul
    return add(real.to(real._dtype.to_complex()), mul(imag.to(imag._dtype.to_complex()), 1j))


def polar(abs: Tensor, angle: Tensor) -> Tensor:
    return complex(abs * angle.cos(), abs * angle.sin())
