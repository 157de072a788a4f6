"""Type promotion against torch: promote_types, result_type and the dtypes arithmetic produces."""

import itertools

import numpy as np
import pytest
import torch

import ember
from ember.backend import round_bf16

# ember silences NumPy's inf/nan RuntimeWarnings with a filter that pytest resets per test
pytestmark = [pytest.mark.filterwarnings("ignore::RuntimeWarning"),
              pytest.mark.filterwarnings("ignore:ComplexHalf support:UserWarning")]

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32",
         "float64", "complex64", "complex128"]
PAIRS = list(itertools.product(NAMES, NAMES))
SCALARS = [True, 2, 2.5, 1j]


def _name(d) -> str:
    return str(d).split(".")[-1]


def _pair(name: str, shape=(3,), data=(1, 0, 2)):
    arr = np.resize(np.array(data), shape) if shape else np.array(data[0])
    t = torch.tensor(arr).to(getattr(torch, name))
    e = ember.tensor(arr).to(getattr(ember, name))
    return t, e


def _values(x):
    if isinstance(x, torch.Tensor):
        return x.to(torch.complex128 if x.is_complex() else torch.float64).numpy()
    return np.asarray(x.to(ember.complex128 if x.is_complex() else ember.float64))


def _check_same(e, t):
    assert e.dtype.name == _name(t.dtype)
    assert tuple(e.shape) == tuple(t.shape)
    np.testing.assert_allclose(_values(e), _values(t), rtol=1e-6, equal_nan=True)
    if e.dtype is ember.bfloat16:
        # bfloat16 lives in float32 storage, rounded to bfloat16 values
        assert e._dtype is ember.bfloat16 and e._array.dtype == np.float32
        np.testing.assert_array_equal(round_bf16(e._array), e._array)


@pytest.mark.parametrize("a,b", PAIRS)
def test_promote_types(a, b):
    t = torch.promote_types(getattr(torch, a), getattr(torch, b))
    assert ember.promote_types(getattr(ember, a), getattr(ember, b)).name == _name(t)


@pytest.mark.parametrize("a,b", PAIRS)
def test_result_type_tensors(a, b):
    for sa, sb in [((2,), (2,)), ((2,), ()), ((), (2,)), ((), ())]:
        ta, ea = _pair(a, sa)
        tb, eb = _pair(b, sb)
        assert ember.result_type(ea, eb).name == _name(torch.result_type(ta, tb)), (sa, sb)


@pytest.mark.parametrize("a", NAMES)
@pytest.mark.parametrize("scalar", SCALARS, ids=repr)
def test_result_type_scalars(a, scalar):
    for shape in [(2,), ()]:
        ta, ea = _pair(a, shape)
        assert ember.result_type(ea, scalar).name == _name(torch.result_type(ta, scalar))
        assert ember.result_type(scalar, ea).name == _name(torch.result_type(scalar, ta))


@pytest.mark.parametrize("a,b", PAIRS)
def test_add_mul_dtype(a, b):
    """`a + b` and `a * b` produce torch's dtype and values (dimensioned and 0-dim operands)."""
    for sb in [(3,), ()]:
        ta, ea = _pair(a)
        tb, eb = _pair(b, sb)
        _check_same(ea + eb, ta + tb)
        _check_same(ea * eb, ta * tb)
        _check_same(eb * ea, tb * ta)


@pytest.mark.parametrize("a", NAMES)
def test_scalar_arithmetic_dtype(a):
    ta, ea = _pair(a)
    for s in SCALARS:
        _check_same(ea + s, ta + s)
        _check_same(s * ea, s * ta)
    if a != "bool":
        _check_same(ea - 1, ta - 1)
        _check_same(2 - ea, 2 - ta)


@pytest.mark.parametrize("a,b", [("int64", "int64"), ("int32", "uint8"), ("bool", "bool"),
                                 ("int64", "float16"), ("bfloat16", "int8"),
                                 ("float16", "bfloat16"), ("uint8", "int8")])
def test_division_and_comparison_dtype(a, b):
    ta, ea = _pair(a, data=(1, 2, 3))
    tb, eb = _pair(b, data=(1, 1, 2))
    _check_same(ea / eb, ta / tb)
    _check_same(ea == eb, ta == tb)
    _check_same(ea < eb, ta < tb)
    _check_same(ea / 2, ta / 2)


@pytest.mark.parametrize("name", ["bfloat16", "float16"])
def test_low_precision_with_scalars(name):
    """Half/bfloat16 ops compute in float32 and round once, as torch does."""
    arr = np.array([1.0, 2.0, 3.3, -7.1, 1000.0])
    t = torch.tensor(arr).to(getattr(torch, name))
    e = ember.tensor(arr).to(getattr(ember, name))
    _check_same(e + 0.1, t + 0.1)
    _check_same(e * 1.1, t * 1.1)
    _check_same(e / 3, t / 3)
    _check_same(e.exp(), t.exp())
    _check_same(e.sqrt(), t.sqrt())
    _check_same(e + e.float(), t + t.float())
    f = ember.tensor(arr).float()
    e2 = e.clone()
    e2 += f                           # in-place into bfloat16/float16 storage rounds
    t2 = t.clone()
    t2 += t.float().new_tensor(arr)
    _check_same(e2, t2)


def test_int_scalar_wraps_like_torch():
    for name, v in [("uint8", 256), ("uint8", -1), ("int8", 300), ("int64", 2 ** 63)]:
        ta, ea = _pair(name)
        _check_same(ea + v, ta + v)
        _check_same(ea == v, ta == v)


def test_int_tensor_with_float_scalar_uses_default_dtype():
    _, e = _pair("int64")
    assert (e + 1.5).dtype is ember.float32
    assert (e * 0.5).dtype is ember.float32
    assert (e / e).dtype is ember.float32
    assert ember.sqrt(e).dtype is ember.float32
    assert (e + 1.5j).dtype is ember.complex64
    ember.set_default_dtype(ember.float64)
    try:
        assert (e + 1.5).dtype is ember.float64
        assert ember.exp(e).dtype is ember.float64
        assert (e + 1j).dtype is ember.complex128
    finally:
        ember.set_default_dtype(ember.float32)
