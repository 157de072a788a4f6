"""Tensor printing compared with torch's str() on the same data."""

import numpy as np
import pytest
import torch

import ember

RNG = np.random.default_rng(1234)


def _randn(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


@pytest.fixture(autouse=True)
def _restore_printoptions():
    yield
    torch.set_printoptions(profile="default")
    ember.set_printoptions(profile="default")
    torch.set_default_dtype(torch.float32)
    ember.set_default_dtype(ember.float32)


def expect(e, t):
    assert str(e) == str(t).replace("torch.", "ember.")
    assert repr(e) == str(e)


def check(arr, dtype=None, requires_grad=False):
    """Print the same NumPy data through ember and torch (optionally cast to a named dtype)."""
    e = ember.tensor(arr)
    t = torch.tensor(arr)
    if dtype is not None:
        e, t = e.to(getattr(ember, dtype)), t.to(getattr(torch, dtype))
    if requires_grad:
        e.requires_grad_(True)
        t.requires_grad_(True)
    expect(e, t)
    return str(e)


BASIC = {
    "randn_1d": _randn(7),
    "randn_2d": _randn(4, 5),
    "randn_3d": _randn(2, 3, 4),
    "randn_4d": _randn(2, 2, 3, 2),
    "scaled": _randn(3, 3) * 100,
    "integral": np.array([[1.0, -2.0, 30.0], [4.0, 0.0, 6.0]], np.float32),
    "integral_big": np.array([1.0, 123456.0, -7.0], np.float32),
    "zeros": np.zeros((2, 3), np.float32),
    "huge": np.array([1e10, 2.5e10, -3e10], np.float32),
    "tiny": np.array([1e-6, -2.5e-6, 3e-6], np.float32),
    "mixed": np.array([1e-3, 1.0, 1e3, 12.5], np.float32),
    "ratio_1000": np.array([0.01, 10.0], np.float32),
    "max_1e8": np.array([1e8, 1.0], np.float64),
    "exp3": np.array([1e-120, 1e150, -1.0], np.float64),
    "nan_inf": np.array([1.5, np.nan, np.inf, -np.inf, -0.0], np.float32),
    "nan_int": np.array([1.0, np.nan, -np.inf, 3.0], np.float32),
    "only_nonfinite": np.array([np.nan, np.inf, 0.0], np.float32),
    "neg_zero": np.array([-0.0, 0.0, 1.0], np.float32),
    "neg_zero_frac": np.array([-0.0, 0.5], np.float32),
    "rounds_up": np.array([9.99996, -0.00004], np.float64),
    "int64": RNG.integers(-1000, 1000, (3, 4)),
    "int32": RNG.integers(-5, 5, (6,)).astype(np.int32),
    "uint8": RNG.integers(0, 255, (2, 5)).astype(np.uint8),
    "int16": RNG.integers(-300, 300, (4,)).astype(np.int16),
    "int8": RNG.integers(-100, 100, (4,)).astype(np.int8),
    "bool": np.array([[True, False], [False, False]]),
    "bool_all_true": np.array([True, True]),
    "float64": _randn(2, 3, dtype=np.float64),
    "float16": _randn(5, dtype=np.float16),
    "complex64": (_randn(2, 3) + 1j * _randn(2, 3)).astype(np.complex64),
    "complex128": (_randn(4) + 1j * _randn(4)),
    "complex_sci": np.array([1e-6 + 2j, -3e5 - 0.0j, 1 + 1e7j], np.complex64),
    "complex_int": np.array([1 + 2j, -3 - 0.0j, 0j], np.complex64),
    "scalar": np.array(3.14159265, np.float32),
    "scalar_int": np.array(-42),
    "scalar_nan": np.array(np.nan, np.float32),
    "scalar_complex": np.array(1.5 - 2j, np.complex64),
    "scalar_bool": np.array(True),
    "scalar_f64": np.array(2.0, np.float64),
    "empty_1d": np.zeros((0,), np.float32),
    "empty_2d": np.zeros((0, 3), np.float32),
    "empty_3d": np.zeros((2, 0, 4), np.float32),
    "empty_int": np.zeros((0,), np.int64),
    "empty_int_2d": np.zeros((3, 0), np.int64),
    "empty_bool": np.zeros((0,), bool),
    "empty_f64": np.zeros((0, 2), np.float64),
    "one_elem": np.array([[5.5]], np.float32),
}


@pytest.mark.parametrize("name", list(BASIC))
def test_basic(name):
    check(BASIC[name])


@pytest.mark.parametrize("dtype", ["float64", "float16", "bfloat16", "int32", "complex64"])
def test_dtype_suffix(dtype):
    check(_randn(2, 3) * 3, dtype=dtype)


def test_bfloat16_values():
    check(np.array([1.0, 3.14159, -1e5, 1e-5, 300.0], np.float32), dtype="bfloat16")
    check(np.array([0.1, 0.2, 0.7], np.float32), dtype="bfloat16")


def test_float16_sci():
    check(np.array([6e4, 1e-3, 2.0], np.float16))


@pytest.mark.parametrize("shape", [(1001,), (2000,), (40, 30), (5, 300), (300, 5),
                                   (12, 10, 10), (4, 20, 20), (3, 3, 3, 50)])
def test_summarized(shape):
    check(_randn(*shape))


def test_summarized_int_and_complex():
    check(RNG.integers(-10**6, 10**6, (50, 50)))
    check((_randn(40, 30) + 1j * _randn(40, 30)).astype(np.complex64))
    check(RNG.integers(0, 2, (2000,)).astype(bool))


def test_summarized_formats_only_printed_values():
    # the middle of the tensor holds a huge value that must not switch on scientific mode
    a = np.ones(3000, np.float32)
    a[1500] = 1e20
    check(a)


def test_large_tensor_prints():
    a = _randn(1000, 1000)
    s = check(a)
    assert s.count("\n") < 20


@pytest.mark.parametrize("shape", [(30,), (100,), (3, 40), (2, 2, 25)])
def test_wrapping(shape):
    check(_randn(*shape) * 1000)
    check(RNG.integers(-5, 5, shape))


def test_wrapping_complex():
    check((_randn(30) + 1j * _randn(30)).astype(np.complex128))


def test_requires_grad_leaf():
    check(_randn(3), requires_grad=True)
    check(np.array(2.5, np.float32), requires_grad=True)
    check(_randn(2, 3), dtype="float64", requires_grad=True)


def test_grad_fn():
    a = _randn(2, 3)
    e = ember.tensor(a, requires_grad=True)
    t = torch.tensor(a, requires_grad=True)
    expect(e * 2, t * 2)
    expect(e + 1, t + 1)
    expect((e * 2).sum(), (t * 2).sum())
    assert "grad_fn=<MulBackward0>" in str(e * 2)
    expect((e.double() * 3), (t.double() * 3))


def test_suffix_wraps_to_new_line():
    # a long last line pushes the suffixes onto their own lines
    a = _randn(2, 7) * 1000
    e = ember.tensor(a, requires_grad=True).double()
    t = torch.tensor(a, requires_grad=True).double()
    expect(e * 1, t * 1)
    for n in range(3, 9):
        b = _randn(n) * 1000
        expect(ember.tensor(b, dtype=ember.float64, requires_grad=True),
               torch.tensor(b, dtype=torch.float64, requires_grad=True))
        expect(ember.tensor(b, dtype=ember.float64), torch.tensor(b, dtype=torch.float64))
    b = np.full(5, 1234.5678)
    expect(ember.tensor(b, requires_grad=True), torch.tensor(b, requires_grad=True))
    assert ",\n       dtype=ember.float64" in str(ember.tensor(b, requires_grad=True))


def _both(**kw):
    torch.set_printoptions(**kw)
    ember.set_printoptions(**kw)


@pytest.mark.parametrize("kw", [
    {"precision": 2}, {"precision": 8}, {"sci_mode": False}, {"sci_mode": True},
    {"threshold": 5}, {"threshold": 5, "edgeitems": 1}, {"linewidth": 40}, {"linewidth": 200},
    {"profile": "short"}, {"profile": "full"}, {"profile": "full", "linewidth": 120},
    {"edgeitems": 0}, {"threshold": 0}, {"threshold": 10, "edgeitems": 0},
])
def test_printoptions(kw):
    _both(**kw)
    assert ember.get_printoptions() == torch._tensor_str.get_printoptions()
    for a in (_randn(4, 5), _randn(20) * 1e5, np.array([1e-6, 1.0], np.float32),
              np.array([1.0, 2.0], np.float32), RNG.integers(0, 100, (3, 12)),
              _randn(30, 40), np.array(1.23456789, np.float32),
              (_randn(12) + 1j * _randn(12)).astype(np.complex64), np.zeros(4, np.float32)):
        check(a)


def test_full_profile_prints_everything():
    _both(profile="full")
    s = check(np.arange(1200))
    assert "..." not in s


def test_set_printoptions_resets_sci_mode():
    _both(sci_mode=True)
    _both(precision=3)
    assert ember.get_printoptions()["sci_mode"] is None
    check(np.array([0.5, 1.25], np.float32))


def test_printoptions_context():
    from ember._printing import printoptions
    before = ember.get_printoptions()
    with printoptions(precision=1):
        assert str(ember.tensor([1.26])) == "tensor([1.3])"
    assert ember.get_printoptions() == before


@pytest.mark.parametrize("default", ["float64", "float16", "bfloat16"])
def test_default_dtype(default):
    torch.set_default_dtype(getattr(torch, default))
    ember.set_default_dtype(getattr(ember, default))
    for a in (_randn(3), np.zeros((0,), np.float32), np.zeros((0,), np.float64)):
        check(a)
        check(a, dtype="float32")
        check(a, dtype="float64")
        check(a, dtype="complex64")
        check(a, dtype="complex128")


def test_seed_example():
    s = str(ember.Tensor([[[[1, 1, 1, 1], [2, 2, 2, 2]]]]))
    assert s == "tensor([[[[1., 1., 1., 1.],\n          [2., 2., 2., 2.]]]])"


def test_format_and_subclass():
    e, t = ember.tensor([1.5, 2.5]), torch.tensor([1.5, 2.5])
    assert f"{e}" == f"{t}"
    assert f"{ember.tensor(2.5):.2f}" == f"{torch.tensor(2.5):.2f}"

    class MyT(ember.Tensor):
        pass

    class MyT2(torch.Tensor):
        pass

    assert str(e.as_subclass(MyT)) == str(t.as_subclass(MyT2)).replace("MyT2", "MyT")


def test_tensor_contents():
    e, t = ember.tensor([1.0]), torch.tensor([1.0])
    assert e.__repr__(tensor_contents="[x]") == t.__repr__(tensor_contents="[x]")


def test_device_suffix(monkeypatch):
    # no GPU here: pretend the tensor lives on cuda:0 to check the suffix and its placement
    monkeypatch.setattr(ember.Tensor, "device", property(lambda self: ember.device("cuda:0")))
    assert str(ember.tensor([1.0, 2.0])) == "tensor([1., 2.], device='cuda:0')"
    e = ember.tensor([1.0, 2.0], dtype=ember.float64, requires_grad=True)
    assert str(e) == ("tensor([1., 2.], device='cuda:0', dtype=ember.float64, "
                      "requires_grad=True)")
