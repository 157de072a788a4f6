"""ember.device and the CPU side of Tensor.to/cpu/cuda against torch (no GPU needed)."""

import pickle
import subprocess
import sys

import pytest
import torch

import ember

DEVICE_CASES = [
    ("cuda",), ("cuda:1",), ("cuda", 1), ("cpu",), ("cpu:0",), ("cpu", 0), ("cpu:2",),
    ("cuda:01",), ("cuda:-1",), ("cuda", -1), ("cpu", -1), ("gpu",), ("CUDA",), ("cuda:1", 1),
    ("cuda:x",), (" cuda",), ("cuda ",), ("cuda:1 ",), ("cu1da",), ("c-pu",), ("",),
    ("cuda:",), ("cuda:1:2",), ("cuda:+1",), ("cpu:-1",), ("meta",), ("mps:0",), ("xla",),
    ("cuda", True), ("cuda", "1"), ("cuda", 1.0), ("cuda", None), ("cuda:2147483648",),
    ("cuda:99999999999999999999",), (1.5,), (None,), (True,),
]


def _outcome(lib, args):
    try:
        d = lib.device(*args)
    except Exception as e:
        return type(e).__name__, str(e).split("\n")[0].replace("torch.", "ember.")
    return str(d), repr(d), d.type, d.index


@pytest.mark.parametrize("args", DEVICE_CASES, ids=repr)
def test_device_parsing_matches_torch(args):
    e, t = _outcome(ember, args), _outcome(torch, args)
    if t[0] in ("TypeError", "RuntimeError") and "invalid combination" in t[1]:
        assert e[0] == t[0] and "invalid combination" in e[1]
    else:
        assert e == t


def test_device_from_device_and_keywords():
    d = ember.device(ember.device("cuda:1"))
    assert d == ember.device("cuda", 1)
    assert ember.device(type="cuda", index=2) == ember.device("cuda:2")
    with pytest.raises(TypeError, match="must be str, not ember.device"):
        ember.device(ember.device("cuda:1"), 0)
    assert ember.device(3) == ember.device("cuda:3")     # a bare index means the accelerator


def test_device_equality_hash_pickle():
    for lib in (torch, ember):
        d = lib.device("cuda:0")
        assert d == lib.device("cuda", 0) and d != lib.device("cuda")
        assert hash(d) == hash(lib.device("cuda:0"))
        assert (d == "cuda:0") is False and (lib.device("cpu") == "cpu") is False
        assert (d != "cuda:0") is True
        assert {lib.device("cuda"): 1}[lib.device("cuda")] == 1
    for s in ("cuda:1", "cpu", "cuda"):
        d = pickle.loads(pickle.dumps(ember.device(s)))
        assert d == ember.device(s) and type(d) is ember.device


def test_tensor_device_attributes_cpu():
    t, e = torch.ones(2), ember.ones(2)
    assert str(e.device) == str(t.device) and e.device == ember.device("cpu")
    assert e.is_cuda is t.is_cuda is False
    assert e.get_device() == t.get_device() == -1
    assert e.cpu() is e and e.to("cpu") is e and e.to(ember.device("cpu")) is e
    assert e.to("cpu:0") is e


def test_to_arguments_match_torch():
    for lib in (torch, ember):
        t = lib.ones(2)
        assert t.to("cpu", lib.float32, False, True) is not t       # positional copy=True
        assert t.to("cpu", None, False, False) is t
        assert t.to(lib.float32, False, True) is not t
        assert t.to(t, False, True) is not t
        assert t.to(t) is t
        assert t.to(lib.float64).dtype == lib.float64
        assert t.to("cpu", lib.float64).dtype == lib.float64
        assert t.to(device="cpu", dtype=lib.int32).dtype == lib.int32
        assert t.to(dtype=lib.float64, non_blocking=True).dtype == lib.float64
        u = t.to(lib.zeros(1, dtype=lib.float64))
        assert u.dtype == lib.float64
        with pytest.raises(RuntimeError, match="Invalid device string: 'cuda:x'"):
            t.to(device="cuda:x")
        with pytest.raises(RuntimeError, match="Invalid device, must be cuda device"):
            t.cuda("cpu")


def test_to_is_differentiable():
    x = ember.ones(3, requires_grad=True)
    y = x.to(ember.float64)
    assert y.grad_fn.name() == "ToCopyBackward0"
    (y * 2).sum().backward()
    assert x.grad.dtype == ember.float32 and x.grad.tolist() == [2.0, 2.0, 2.0]


def test_import_does_not_touch_cuda():
    code = ("import sys, ember; from ember.backend import _cuda; "
            "assert not _cuda.is_initialized(); assert 'cupy' not in sys.modules; "
            "ember.ones(2) + 1; assert not _cuda.is_initialized(); print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.stdout.strip() == "ok", out.stderr
