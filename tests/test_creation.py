"""Tensor factories against torch: dtype inference, ranges (exact values), sizes, devices."""

import numpy as np
import pytest
import torch

import ember


def same(e, t, exact=True):
    assert isinstance(e, ember.Tensor), f"expected a Tensor, got {e!r}"
    assert tuple(e.shape) == tuple(t.shape), f"shape {tuple(e.shape)} != {tuple(t.shape)}"
    assert e.dtype.name == str(t.dtype).replace("torch.", ""), f"{e.dtype} != {t.dtype}"
    assert e.requires_grad == t.requires_grad
    ea, ta = np.asarray(e.detach()), t.detach().numpy()
    if exact:
        np.testing.assert_array_equal(ea, ta)
    else:
        np.testing.assert_allclose(ea, ta, rtol=1e-6, atol=0)


def both(fn, exact=True):
    same(fn(ember), fn(torch), exact)


def error_pair(fn):
    out = []
    for lib in (torch, ember):
        try:
            fn(lib)
            out.append(None)
        except Exception as ex:  # noqa: BLE001
            out.append((type(ex).__name__, str(ex)))
    return out


def same_error(fn):
    t, e = error_pair(fn)
    assert t is not None and e is not None, (t, e)
    assert t[0] == e[0], (e, t)
    return e[1]


# ---- tensor(): dtype inference -------------------------------------------------------------
DATA = [3, 2.5, True, 1 + 2j, [1, 2, 3], [1.0, 2, 3], [[1, 2], [3, 4]], [True, False],
        [1, 2.0, True], [[1.5j, 2]], [], [[]], [[], []], -7, [0.1, 0.2]]


@pytest.mark.parametrize("data", DATA, ids=repr)
def test_tensor_dtype_inference(data):
    both(lambda lib: lib.tensor(data))


@pytest.mark.parametrize("npdt", ["float32", "float64", "int32", "int64", "uint8", "bool",
                                  "float16", "int16", "int8", "complex64"])
def test_tensor_from_numpy_keeps_dtype(npdt):
    a = (np.arange(6).reshape(2, 3) % 3).astype(npdt)
    both(lambda lib: lib.tensor(a))
    both(lambda lib: lib.as_tensor(a))
    both(lambda lib: lib.tensor(a[0, 1]))    # a numpy scalar keeps its dtype too


def test_tensor_from_tensors_and_kwargs():
    both(lambda lib: lib.tensor([lib.tensor(1.5), lib.tensor(2.0)]))
    both(lambda lib: lib.tensor([lib.tensor(1), lib.tensor(2)]))
    both(lambda lib: lib.tensor([1, 2], dtype=lib.float64))
    both(lambda lib: lib.tensor([1.7, -2.7], dtype=lib.int32))
    both(lambda lib: lib.tensor([0.5, 1.5], requires_grad=True))
    both(lambda lib: lib.tensor(2.5, dtype=lib.float16))


def test_tensor_errors():
    msg = same_error(lambda lib: lib.tensor([[1, 2], [3]]))
    assert msg == "expected sequence of length 2 at dim 1 (got 1)"
    msg = same_error(lambda lib: lib.tensor([[[1]], [[2, 3]]]))
    assert msg == "expected sequence of length 1 at dim 2 (got 2)"
    for bad in ("abc", [1, "a"], None, {"a": 1}, b"x", object(), [[1, 2], 3], [1, [2]],
                [1, None]):
        same_error(lambda lib, bad=bad: lib.tensor(bad))
    both(lambda lib: lib.tensor(range(3)))


def test_default_dtype_effects():
    for lib in (torch, ember):
        lib.set_default_dtype(lib.float64)
    try:
        both(lambda lib: lib.tensor([1.5, 2.0]))
        both(lambda lib: lib.tensor(1 + 1j))
        both(lambda lib: lib.zeros(2))
        both(lambda lib: lib.arange(0.0, 1.0, 0.25))
        both(lambda lib: lib.linspace(0, 1, 5))
        both(lambda lib: lib.tensor([1, 2]))
        both(lambda lib: lib.Tensor([1, 2]))       # the legacy constructor follows the default
        assert ember.get_default_dtype() is ember.float64
    finally:
        for lib in (torch, ember):
            lib.set_default_dtype(lib.float32)
    assert ember.get_default_dtype() is ember.float32
    same_error(lambda lib: lib.set_default_dtype(lib.int64))


# ---- memory sharing ------------------------------------------------------------------------
def test_from_numpy_and_as_tensor_share_memory():
    a = np.zeros(3, dtype=np.float32)
    t = ember.from_numpy(a)
    a[0] = 5
    t[1] = 7
    assert t.tolist() == [5.0, 7.0, 0.0] and a.tolist() == [5.0, 7.0, 0.0]
    u = ember.as_tensor(a)
    u[2] = 9
    assert a[2] == 9
    c = ember.as_tensor(a, dtype=ember.float64)       # a dtype change copies
    c[0] = -1
    assert a[0] == 5
    v = ember.tensor(a)                                # tensor() always copies
    v[0] = -1
    assert a[0] == 5
    n = t.numpy()
    n[0] = 42
    assert t[0].item() == 42
    e = ember.ones(2)
    assert ember.as_tensor(e) is e
    with pytest.raises(TypeError):
        ember.from_numpy([1, 2])


# ---- factories -----------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["zeros", "ones", "empty"])
def test_size_forms(name):
    for args in [(2, 3), ((2, 3),), ([2, 3],), ((),), (0,), (torch.Size([2, 1]),)]:
        eargs = tuple(ember.Size(a) if isinstance(a, torch.Size) else a for a in args)
        e, t = getattr(ember, name)(*eargs), getattr(torch, name)(*args)
        assert tuple(e.shape) == tuple(t.shape) and e.dtype.name == "float32"
        if name != "empty":
            same(e, t)
    if name != "empty":     # empty's values are unspecified
        both(lambda lib: getattr(lib, name)(2, dtype=lib.int64, requires_grad=False))
    e = getattr(ember, name)(2, 2, dtype=ember.float64, requires_grad=True)
    assert e.requires_grad and e.is_leaf and e.dtype is ember.float64
    msg = same_error(lambda lib: getattr(lib, name)(2, -1))
    assert "negative dimension -1" in msg
    assert tuple(getattr(ember, name)(size=(2, 3)).shape) == (2, 3)
    same_error(lambda lib: getattr(lib, name)(2.5))


def test_full_and_like():
    both(lambda lib: lib.full((2, 2), 7))
    both(lambda lib: lib.full((2,), 1.5))
    both(lambda lib: lib.full((2,), True))
    both(lambda lib: lib.full([3], 2, dtype=lib.float16))
    base = np.arange(6, dtype=np.int32).reshape(2, 3)
    for f in ("zeros_like", "ones_like"):
        both(lambda lib, f=f: getattr(lib, f)(lib.tensor(base)))
        both(lambda lib, f=f: getattr(lib, f)(lib.tensor(base), dtype=lib.float64))
    both(lambda lib: lib.full_like(lib.tensor(base), 4))
    both(lambda lib: lib.full_like(lib.tensor(base), 2.7))
    both(lambda lib: lib.full_like(lib.tensor([1.0, 2.0]), 3, requires_grad=True).detach())
    assert ember.empty_like(ember.tensor(base)).shape == (2, 3)


ARANGES = [(5,), (1, 4), (0, 10, 3), (10, 0, -3), (0.0, 1.0, 0.1), (1, 2.5, 0.5), (-1, 1, 0.3),
           (0, 1, 1 / 3), (2.5,), (5, 1, -0.75), (0, -5, -1), (3, 3), (0, 1e-3, 1e-4)]


@pytest.mark.parametrize("args", ARANGES, ids=repr)
def test_arange_exact(args):
    both(lambda lib: lib.arange(*args))
    both(lambda lib: lib.arange(*args, dtype=lib.float64))


def test_arange_dtypes_and_errors():
    both(lambda lib: lib.arange(5, dtype=lib.float32))
    both(lambda lib: lib.arange(0, 5, 2, dtype=lib.int32))
    both(lambda lib: lib.arange(lib.tensor(4)))
    same_error(lambda lib: lib.arange(0, 5, 0))
    same_error(lambda lib: lib.arange(0, 5, 0.5, dtype=lib.int64))
    for args in [(0.5, 5.7, 1.5), (-2.5, 3, 1), (0.2, 2.9), (2.5,), (-2.5, 3, 1.7), (5.5, -3, -2)]:
        for dt in ("int64", "int32"):
            both(lambda lib, a=args, d=dt: lib.arange(*a, dtype=getattr(lib, d)))
    same_error(lambda lib: lib.arange(5, 0, 1))


LINSPACES = [(0, 1, 5), (0, 1, 7), (-3.3, 7.1, 11), (1, 0, 4), (0, 10, 1), (2, 2, 3), (0, 1, 0),
             (0.1, 0.9, 9), (-1, 1, 100), (3, 9, 2), (1e-3, 1e3, 13)]


@pytest.mark.parametrize("args", LINSPACES, ids=repr)
def test_linspace_exact(args):
    both(lambda lib: lib.linspace(*args))
    both(lambda lib: lib.linspace(*args, dtype=lib.float64))


def test_linspace_int_and_logspace():
    both(lambda lib: lib.linspace(0, 10, 4, dtype=lib.int64))
    both(lambda lib: lib.linspace(-5, 5, 7, dtype=lib.int32))
    for args in [(0, 2, 5), (0, 3, 4, 2), (-3.3, 2.2, 17), (0.5, 1.5, 33, 3.0), (-2, 2, 40),
                 (1, 5, 7, 2.5), (0, 1, 1)]:
        for dt in ("float32", "float64", "int64"):
            both(lambda lib, a=args, d=dt: lib.logspace(*a, dtype=getattr(lib, d)))
    same_error(lambda lib: lib.linspace(0, 1, -1))


def test_eye():
    both(lambda lib: lib.eye(3))
    both(lambda lib: lib.eye(2, 4))
    both(lambda lib: lib.eye(3, dtype=lib.int64))
    both(lambda lib: lib.eye(0))
    same_error(lambda lib: lib.eye(-1))


# ---- devices -------------------------------------------------------------------------------
# NOTE: torch.device(0) asks for the current accelerator (an error without one), so it is not
# compared here.
DEVICES = ["cpu", "cuda", "cuda:1", ("cuda", 1), "cpu:0", ("cpu", 0), "meta", "cuda:0"]


@pytest.mark.parametrize("spec", DEVICES, ids=repr)
def test_device_parsing(spec):
    args = spec if isinstance(spec, tuple) else (spec,)
    e, t = ember.device(*args), torch.device(*args)
    assert (str(e), e.type, e.index) == (str(t), t.type, t.index)
    assert repr(e).replace("ember", "torch") == repr(t)
    assert e == ember.device(str(t))
    assert hash(e) == hash(ember.device(*args))


@pytest.mark.parametrize("spec", ["cuda:-1", "gpu", "cuda:x", "cuda:1:2", "", "cpu:1x"])
def test_device_invalid(spec):
    same_error(lambda lib: lib.device(spec))


def test_device_equality_and_kwarg():
    assert ember.device("cpu") != ember.device("cuda")
    assert ember.device("cuda:0") != ember.device("cuda")
    assert ember.zeros(2, device="cpu").device == ember.device("cpu")
    assert ember.tensor([1], device=ember.device("cpu")).device.type == "cpu"
    assert ember.arange(3, device="cpu").is_cpu


def test_ranges_exact_random():
    """Bit-exact arange/linspace over many random float bounds (torch's kernel order)."""
    rng = np.random.default_rng(3)
    for _ in range(40):
        a, b = rng.uniform(-50, 50, size=2).round(3).tolist()
        n = int(rng.integers(2, 300))
        step = float(np.float64((b - a) / rng.integers(1, 200)))
        for dt in ("float32", "float64"):
            both(lambda lib, a=a, b=b, n=n, dt=dt: lib.linspace(a, b, n, dtype=getattr(lib, dt)))
            if step != 0:
                both(lambda lib, a=a, b=b, s=step, dt=dt:
                     lib.arange(a, b, s, dtype=getattr(lib, dt)))


def test_numpy_scalars_in_sequences_keep_their_dtype():
    import numpy as np
    for data in ([np.float64(1.0), np.float64(2)], [np.int32(1)], [np.float32(1), 2.0],
                 [np.float64(1), 2], [[np.int16(1), np.int16(2)]]):
        assert ember.tensor(data).dtype.name == str(torch.tensor(data).dtype)[6:]
        assert ember.as_tensor(data).dtype.name == str(torch.as_tensor(data).dtype)[6:]
