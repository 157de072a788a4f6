"""dtype objects and torch's type-promotion rules (category based, not NumPy's)."""

from __future__ import annotations

import numpy as np

__all__ = [
    "dtype", "bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16",
    "float32", "float64", "complex64", "complex128", "half", "float", "double", "short", "int",
    "long", "cfloat", "cdouble", "chalf", "get_default_dtype", "set_default_dtype", "promote_types",
    "result_type", "can_cast", "finfo", "iinfo",
]

_builtin_bool, _builtin_float, _builtin_int = bool, float, int

# Printed prefix for dtypes and Size; the torch shim switches it to "torch".
PREFIX = ["ember"]


class dtype:
    """torch.dtype: a named element type backed by a NumPy storage dtype."""

    __slots__ = ("name", "np", "itemsize", "is_floating_point", "is_complex", "is_signed",
                 "category", "_rank")

    def __init__(self, name: str, np_dtype, itemsize: int, category: int, rank: int):
        self.name = name
        self.np = np.dtype(np_dtype)      # storage dtype (bfloat16 is kept as float32)
        self.itemsize = itemsize
        self.category = category          # 0 bool, 1 integer, 2 floating, 3 complex
        self.is_floating_point = category == 2
        self.is_complex = category == 3
        self.is_signed = name not in ("bool", "uint8")
        self._rank = rank

    def __repr__(self) -> str:
        return f"{PREFIX[0]}.{self.name}"

    def __reduce__(self):
        return (getattr, (_module(), self.name))

    def to_complex(self) -> dtype:
        # NOTE: there is no complex bfloat16; torch promotes it to complex64
        return {float16: complex32, bfloat16: complex64, float32: complex64,
                float64: complex128}.get(self, self)

    def to_real(self) -> dtype:
        return {complex32: float16, complex64: float32, complex128: float64}.get(self, self)


def _module():
    import ember
    return ember


bool = dtype("bool", np.bool_, 1, 0, 0)
uint8 = dtype("uint8", np.uint8, 1, 1, 1)
int8 = dtype("int8", np.int8, 1, 1, 1)
int16 = dtype("int16", np.int16, 2, 1, 2)
int32 = dtype("int32", np.int32, 4, 1, 3)
int64 = dtype("int64", np.int64, 8, 1, 4)
float16 = dtype("float16", np.float16, 2, 2, 1)
bfloat16 = dtype("bfloat16", np.float32, 2, 2, 1)
float32 = dtype("float32", np.float32, 4, 2, 2)
float64 = dtype("float64", np.float64, 8, 2, 3)
complex32 = dtype("complex32", np.complex64, 4, 3, 1)
complex64 = dtype("complex64", np.complex64, 8, 3, 2)
complex128 = dtype("complex128", np.complex128, 16, 3, 3)
half, float, double = float16, float32, float64
short, int, long = int16, int32, int64
cfloat, cdouble, chalf = complex64, complex128, complex32

ALL = (bool, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64,
       complex64, complex128)
_BY_NP = {np.dtype(np.bool_): bool, np.dtype(np.uint8): uint8, np.dtype(np.int8): int8,
          np.dtype(np.int16): int16, np.dtype(np.int32): int32, np.dtype(np.int64): int64,
          np.dtype(np.float16): float16, np.dtype(np.float32): float32,
          np.dtype(np.float64): float64, np.dtype(np.complex64): complex64,
          np.dtype(np.complex128): complex128}
_BY_NAME = {d.name: d for d in ALL}

_default = [float32]


def get_default_dtype() -> dtype:
    return _default[0]


def set_default_dtype(d: dtype) -> None:
    if d not in (float16, bfloat16, float32, float64):
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default[0] = d


def from_numpy_dtype(npd) -> dtype:
    """The ember dtype for a NumPy dtype (TypeError for kinds torch has no dtype for)."""
    try:
        return _BY_NP[np.dtype(npd)]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(npd)}. The only supported types "
            "are: float64, float32, float16, complex64, complex128, int64, int32, int16, int8, "
            "uint8, and bool.") from None


def to_dtype(d) -> dtype:
    """Accept an ember dtype, a NumPy dtype/type, a Python type or a torch dtype name."""
    if type(d) is dtype:
        return d
    if d is _builtin_float:
        return float64
    if d is _builtin_int:
        return int64
    if d is _builtin_bool:
        return bool
    if d is complex:
        return complex128
    name = getattr(d, "name", None) if not isinstance(d, str) else d
    if isinstance(name, str) and name.startswith("torch."):
        name = name[6:]
    if isinstance(name, str) and name in _BY_NAME and not isinstance(d, np.dtype):
        return _BY_NAME[name]
    return from_numpy_dtype(d)


def can_cast(from_: dtype, to: dtype) -> bool:
    """torch.can_cast: casting never goes down a category (complex > float > integer > bool)."""
    for arg, d in (("from_", from_), ("to", to)):
        if not isinstance(d, dtype):
            raise TypeError(f"can_cast(): argument '{arg}' (position {1 if arg == 'from_' else 2}"
                            f") must be torch.dtype, not {type(d).__name__}")
    return from_.category <= to.category


def promote_types(a: dtype, b: dtype) -> dtype:
    """torch.promote_types."""
    if a is b:
        return a
    ca, cb = a.category, b.category
    if ca != cb:
        hi, lo = (a, b) if ca > cb else (b, a)
        if hi.is_complex and lo.is_floating_point:
            # complex keeps the wider precision of the two (complex64 + float64 -> complex128)
            return complex128 if lo is float64 else hi
        return hi
    if ca == 1:
        if a is uint8 or b is uint8:
            other = b if a is uint8 else a
            return int16 if other is int8 else other
        return a if a._rank > b._rank else b
    if ca == 2 and a._rank == b._rank:   # float16 with bfloat16
        return float32
    return a if a._rank > b._rank else b


def _scalar_dtype(x) -> dtype:
    t = type(x)
    if t is _builtin_bool:
        return bool
    if t is _builtin_int:
        return int64
    if t is _builtin_float:
        return _default[0]
    if t is complex:
        return complex128 if _default[0] is float64 else complex64
    if isinstance(x, np.generic):
        return from_numpy_dtype(x.dtype)
    raise TypeError(f"unsupported scalar type {t.__name__}")


def _combine(higher: dtype | None, lower: dtype | None) -> dtype | None:
    # torch's combine_categories: a lower-priority group only matters when its category is higher
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.is_complex:
        return higher
    if lower.is_complex:
        return higher.to_complex() if higher.is_floating_point else lower
    if higher.is_floating_point:
        return higher
    if higher is bool or lower.is_floating_point:
        return promote_types(higher, lower)
    return higher


def result_type(*args) -> dtype:
    """torch.result_type over tensors and Python scalars (dimensioned > 0-dim > scalar)."""
    dim = zero = wrapped = None
    for x in args:
        d = getattr(x, "dtype", None)
        if type(d) is dtype:
            if x.ndim:
                dim = d if dim is None else promote_types(dim, d)
            else:
                zero = d if zero is None else promote_types(zero, d)
        else:
            d = _scalar_dtype(x)
            if isinstance(x, np.generic):
                zero = d if zero is None else promote_types(zero, d)
            else:
                wrapped = d if wrapped is None else promote_types(wrapped, d)
    return _combine(dim, _combine(zero, wrapped))


class finfo:
    """torch.finfo."""

    def __init__(self, type: dtype | None = None):
        type = _default[0] if type is None else to_dtype(type)
        if not (type.is_floating_point or type.is_complex):
            raise TypeError(f"finfo expects a floating point dtype, got {type}")
        real = type.to_real()
        self.dtype = real.name
        if real is bfloat16:
            self.bits, self.eps, self.max = 16, 0.0078125, 3.3895313892515355e38
            self.tiny = self.smallest_normal = 1.1754943508222875e-38
            self.resolution = 0.01
        else:
            fi = np.finfo(real.np)
            self.bits, self.eps, self.max = fi.bits, _builtin_float(fi.eps), _builtin_float(fi.max)
            self.tiny = self.smallest_normal = _builtin_float(fi.tiny)
            self.resolution = 10.0 ** -fi.precision
        self.min = -self.max

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution}, min={self.min:e}, max={self.max:e}, "
                f"eps={self.eps:e}, smallest_normal={self.tiny:e}, tiny={self.tiny:e}, "
                f"dtype={self.dtype})")


class iinfo:
    """torch.iinfo."""

    def __init__(self, type: dtype):
        type = to_dtype(type)
        if type.category > 1:
            raise TypeError(f"iinfo expects an integer dtype, got {type}")
        ii = np.iinfo(type.np) if type is not bool else None
        self.bits = 8 if ii is None else ii.bits
        self.min = 0 if ii is None else _builtin_int(ii.min)
        self.max = 1 if ii is None else _builtin_int(ii.max)
        self.dtype = type.name

    def __repr__(self) -> str:
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"
