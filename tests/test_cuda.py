"""CUDA paths without a GPU: the missing-CUDA errors (real path) and, with tests/fake_cupy.py
standing in for CuPy, ember.cuda's API, transfers, ops through the backend seam, device-mismatch
errors, printing, the lazy CUDA_VISIBLE_DEVICES handling and bench/gpu_check.py's logic."""

import os
import sys
import types
import warnings

import fake_cupy
import numpy as np
import pytest
import torch

import ember
from ember.backend import _cuda

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    f = fake_cupy.install(monkeypatch, n_devices=2)
    yield f
    fake_cupy.reset()


@pytest.fixture
def no_cupy(monkeypatch):
    """The real import path with CuPy absent (even where it is installed)."""
    fake_cupy.reset()
    monkeypatch.setitem(sys.modules, "cupy", None)
    yield
    fake_cupy.reset()


# ---- no CUDA ------------------------------------------------------------------------------------
NO_CUPY = "CUDA is not available: CuPy is not installed (pip install 'ember[cuda]')"

ALLOCATIONS = [
    lambda: ember.zeros(2, device="cuda"),
    lambda: ember.ones(2).cuda(),
    lambda: ember.ones(2).to("cuda"),
    lambda: ember.ones(2).to("cuda:1", ember.float64),
    lambda: ember.tensor([1.0], device="cuda:0"),
    lambda: ember.randn(2, device="cuda"),
    lambda: ember.arange(3, device=ember.device("cuda")),
    lambda: ember.nn.Linear(2, 2).cuda(),
    lambda: ember.cuda.current_device(),
    lambda: ember.cuda.get_device_name(),
    lambda: ember.cuda.memory_allocated(),
    lambda: ember.cuda.Event(enable_timing=True),
    lambda: ember.cuda.least_used_device(),
]


def test_no_cupy(no_cupy):
    assert ember.cuda.is_available() is False
    assert ember.cuda.device_count() == 0
    assert ember.cuda.is_bf16_supported() is False
    for f in ALLOCATIONS:
        with pytest.raises(RuntimeError) as ei:
            f()
        assert str(ei.value) == NO_CUPY
    ember.cuda.empty_cache()              # no-ops without CUDA, as in torch
    ember.cuda.manual_seed(1)
    ember.cuda.manual_seed_all(1)
    ember.manual_seed(3)
    assert ember.ones(2).device.type == "cpu"


@pytest.mark.parametrize("error,n,why", [
    ("cudaErrorInsufficientDriver: CUDA driver version is insufficient for CUDA runtime version",
     2, "the NVIDIA driver is older than the CUDA version CuPy was built for"),
    ("cudaErrorNoDevice: no CUDA-capable device is detected", 2,
     "no CUDA GPU is visible (CUDA_VISIBLE_DEVICES is unset)"),
    (None, 0, "no CUDA GPU is visible (CUDA_VISIBLE_DEVICES is unset)"),
])
def test_no_driver_or_device(monkeypatch, error, n, why):
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    fake_cupy.install(monkeypatch, n_devices=n, error=error)
    try:
        assert not ember.cuda.is_available() and ember.cuda.device_count() == 0
        with pytest.raises(RuntimeError, match="^CUDA is not available: " + why.replace(
                "(", r"\(").replace(")", r"\)") + "$"):
            ember.zeros(2, device="cuda")
    finally:
        fake_cupy.reset()


# ---- ember.cuda -------------------------------------------------------------------------------
def test_cuda_api(fake):
    c = ember.cuda
    assert c.is_available() and c.device_count() == 2 and c.is_initialized()
    assert c.current_device() == 0
    assert c.get_device_name() == "Fake H100" and c.get_device_capability(1) == (9, 0)
    p = c.get_device_properties("cuda:1")
    assert p.total_memory == 80 * 2**30 and p.multi_processor_count == 132
    assert repr(p).startswith("_CudaDeviceProperties(name='Fake H100', major=9, minor=0")
    assert c.is_bf16_supported()
    with c.device(1):
        assert c.current_device() == 1
        assert ember.zeros(2, device="cuda").device == ember.device("cuda:1")
        with c.device(None):
            assert c.current_device() == 1
    assert c.current_device() == 0
    c.set_device("cuda:1")
    assert c.current_device() == 1 and ember.ones(1).cuda().get_device() == 1
    c.set_device(-1)                                 # ignored, as in torch
    assert c.current_device() == 1
    c.set_device(0)
    with pytest.raises(RuntimeError, match="invalid device ordinal"):
        ember.zeros(1, device="cuda:5")
    with pytest.raises(ValueError, match="Expected a cuda device, but got: cpu"):
        c.get_device_name("cpu")
    c.synchronize()
    c.synchronize("cuda:1")


def test_streams_and_events(fake):
    c = ember.cuda
    s = c.Stream()
    start, end = c.Event(enable_timing=True), c.Event(enable_timing=True)
    with c.stream(s):
        start.record()
        ember.ones(100, device="cuda").sum()
        end.record()
    end.synchronize()
    s.synchronize()
    assert s.query() and end.query()
    assert start.elapsed_time(end) >= 0.0
    with pytest.raises(RuntimeError, match="enable_timing=True"):
        c.Event().elapsed_time(end)
    with pytest.raises(ValueError, match="must be recorded"):
        c.Event(enable_timing=True).elapsed_time(end)
    assert c.current_stream() == c.current_stream() and s.record_event().query()
    s.wait_stream(c.default_stream())


def test_memory_stats(fake):
    c = ember.cuda
    base = c.memory_allocated()
    x = ember.zeros(1024, device="cuda")              # 4 KiB
    assert c.memory_allocated() - base >= 4096
    assert c.max_memory_allocated() >= c.memory_allocated()
    assert c.memory_reserved() >= c.memory_allocated()
    y = x * 2
    peak = c.max_memory_allocated()
    del x, y
    assert c.memory_allocated() < peak and c.max_memory_allocated() == peak
    c.reset_peak_memory_stats()
    assert c.max_memory_allocated() == c.memory_allocated()
    reserved = c.memory_reserved()
    c.empty_cache()
    assert c.memory_reserved() <= reserved
    assert c.memory_allocated(1) == 0
    free, total = c.mem_get_info()
    assert 0 < free <= total


def test_least_used_device(fake, monkeypatch):
    fake.cuda.runtime.used_by_others.update({0: 70 * 2**30, 1: 2**30})
    assert ember.cuda.least_used_device() == 1          # CuPy's mem info
    nvml = types.ModuleType("pynvml")
    free = {"0000:00:00.0": 5, "0000:01:00.0": 1}
    nvml.nvmlInit = nvml.nvmlShutdown = lambda: None
    nvml.nvmlDeviceGetHandleByPciBusId = lambda bus: bus.decode()
    nvml.nvmlDeviceGetMemoryInfo = lambda h: types.SimpleNamespace(free=free[h])
    monkeypatch.setitem(sys.modules, "pynvml", nvml)
    assert ember.cuda.least_used_device() == 0          # NVML, when importable


# ---- CUDA_VISIBLE_DEVICES -----------------------------------------------------------------------
def test_visible_devices_read_at_first_cuda_use(monkeypatch):
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    fake_cupy.install(monkeypatch, n_devices=8)
    try:
        # set after `import ember` but before the first CUDA call: it takes effect
        monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "6")
        assert not _cuda.is_initialized()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert ember.cuda.device_count() == 1
            x = ember.ones(2, device="cuda")
        assert x.device == ember.device("cuda:0")
        # changed after initialisation: one warning saying it no longer takes effect
        monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0,1")
        with pytest.warns(UserWarning, match="changed to '0,1' after CUDA was initiali") as w:
            ember.zeros(2, device="cuda")
        msg = str(w[0].message)
        assert "does not take effect" in msg and "before the first CUDA call" in msg
        assert "CUDA_VISIBLE_DEVICES=0,1 python script.py" in msg
        assert ember.cuda.device_count() == 1
        with warnings.catch_warnings():
            warnings.simplefilter("error")              # warned once per value
            x.cuda()
            ember.cuda.device_count()
            monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "6")   # back to the value in effect
            ember.zeros(1, device="cuda")
    finally:
        fake_cupy.reset()


def test_visible_devices_unset_to_set_warns(fake, monkeypatch):
    ember.cuda.init()
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "6")
    with pytest.warns(UserWarning, match=r"changed to '6' after CUDA was initialised \(it was "
                                         r"unset then\)"):
        ember.cuda.device_count()


# ---- tensors on the device ----------------------------------------------------------------------
def test_transfers_and_attributes(fake):
    t = ember.tensor([[1.0, 2.0], [3.0, 4.0]])
    for c in (t.cuda(), t.to("cuda"), t.to(ember.device("cuda", 0)), t.cuda(0),
              ember.tensor([[1.0, 2.0], [3.0, 4.0]], device="cuda")):
        assert type(c._array) is not np.ndarray and c.is_cuda and not c.is_cpu
        assert c.device == ember.device("cuda:0") and c.get_device() == 0
        assert c.cpu().tolist() == t.tolist() and c.cpu().is_cpu
    c = t.cuda()
    assert c.cuda() is c and c.to("cuda:0") is c and c.to("cuda") is c
    c1 = c.to("cuda:1")
    assert c1.get_device() == 1 and c1.cpu().tolist() == t.tolist()
    d = c.to("cuda:1", ember.float64)
    assert d.dtype == ember.float64 and d.get_device() == 1
    assert c.to(c1).device == c1.device
    assert c.type() == "torch.cuda.FloatTensor"
    assert ember.zeros_like(c1).device == c1.device and c1.new_ones(3).device == c1.device
    assert ember.arange(3, device="cuda").cpu().tolist() == [0, 1, 2]
    assert ember.randn(2, 3, device="cuda:1").get_device() == 1
    assert ember.full((2,), 7, device="cuda").cpu().tolist() == [7, 7]
    x = ember.ones(3, requires_grad=True)
    (x.cuda() * 3).sum().backward()                       # ToCopyBackward0 back to the CPU
    assert x.grad.is_cpu and x.grad.tolist() == [3.0, 3.0, 3.0]


def test_module_to_cuda_and_optimizer(fake):
    net = ember.nn.Sequential(ember.nn.Linear(3, 4), ember.nn.ReLU(), ember.nn.Linear(4, 1))
    net.cuda()
    assert all(p.is_cuda for p in net.parameters())
    opt = ember.optim.Adam(net.parameters(), lr=0.1)
    x = ember.randn(5, 3, device="cuda")
    loss = net(x).pow(2).mean()
    loss.backward()
    opt.step()
    assert all(p.grad.is_cuda for p in net.parameters())
    assert all(v.is_cuda for st in opt.state.values() for v in st.values()
               if isinstance(v, ember.Tensor) and v.ndim)
    net.to("cpu")
    assert all(p.is_cpu for p in net.parameters())


def test_non_current_gpu(fake):
    """The seed's `cuda:6`: tensors on a GPU that is not the current one (kernels run there)."""
    dev = ember.device("cuda:1")
    x = ember.randn(4, 3, device=dev, requires_grad=True)
    net = ember.nn.Linear(3, 2).to(dev)
    opt = ember.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    for _ in range(2):
        opt.zero_grad()
        loss = net(x).relu().sum()
        loss.backward()
        opt.step()
    assert ember.cuda.current_device() == 0
    assert loss.device == dev and x.grad.device == dev and net.weight.device == dev


def _op_table_sample():
    from op_db import OP_DB
    return OP_DB[::3]


def test_op_table_sample_on_cuda(fake):
    """A third of the op table through the backend seam on 'cuda' against torch on the CPU."""
    sys.path.insert(0, ROOT)
    from bench import gpu_check
    passed, n, fails = gpu_check.run_op_table(ember, torch, "cuda", "cpu",
                                              infos=_op_table_sample(), dtypes=("float32",))
    assert n > 100 and not fails, fails[:10]


def test_same_results_as_cpu(fake):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((4, 5))
    idx = np.array([2, 0, 1])
    outs = []
    for dev in ("cpu", "cuda"):
        x = ember.tensor(a, device=dev, requires_grad=True)
        w = ember.tensor(b, device=dev, requires_grad=True)
        y = (x.exp() @ w).softmax(-1)[ember.tensor(idx, device=dev)]
        z = y.max(dim=0).values.sum() + x.var(dim=1).mean() + x[:, 1:3].abs().sum()
        z.backward()
        assert z.device.type == dev and x.grad.device.type == dev
        outs.append([z.item(), x.grad.cpu().numpy(), w.grad.cpu().numpy()])
    for u, v in zip(*outs):
        np.testing.assert_allclose(u, v, rtol=1e-12)


def test_device_mismatch_errors(fake):
    a, b = ember.ones(3, 3, device="cuda"), ember.ones(3, 3)
    a1 = ember.ones(3, 3, device="cuda:1")
    msg = ("Expected all tensors to be on the same device, but found at least two devices, "
           "cuda:0 and cpu!")
    for f in (lambda: a + b, lambda: b + a, lambda: a @ b, lambda: ember.mm(b, a),
              lambda: ember.cat([a, b]), lambda: ember.where(a > 0, a, b),
              lambda: ember.nn.functional.linear(a, b), lambda: ember.stack([b, a]),
              lambda: ember.nn.functional.mse_loss(a, b), lambda: a.index_select(0, ember.tensor([0]))):
        with pytest.raises(RuntimeError) as ei:
            f()
        assert str(ei.value) == msg
    with pytest.raises(RuntimeError, match="devices, cuda:0 and cuda:1!"):
        a + a1
    with pytest.raises(RuntimeError, match="devices, cuda:1 and cpu!"):
        a1 * b
    # a CPU 0-dim tensor mixes with any device, as in torch; so do Python scalars
    assert (a + ember.tensor(2.0)).is_cuda and (a * 2).is_cuda
    # indexing: CPU indices may index a CUDA tensor, not the reverse
    assert a[ember.tensor([0, 2])].is_cuda
    with pytest.raises(RuntimeError, match=r"indices should be either on cpu or on the same "
                                           r"device as the indexed tensor \(cpu\)"):
        b[ember.tensor([0], device="cuda")]
    # copy_ and setitem cross devices, as torch's copy_ does
    a[0] = b[0] * 5
    a.copy_(a.cpu() + 1)
    assert a.cpu()[0].tolist() == [6.0, 6.0, 6.0]
    a1.copy_(a)
    assert a1.get_device() == 1 and a1.cpu()[0].tolist() == [6.0, 6.0, 6.0]


def test_numpy_error(fake):
    a = ember.ones(2, device="cuda")
    msg = ("can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() to copy the tensor "
           "to host memory first.")
    for f in (a.numpy, lambda: np.asarray(a)):
        with pytest.raises(TypeError) as ei:
            f()
        assert str(ei.value) == msg
    assert a.cpu().numpy().tolist() == [1.0, 1.0]
    assert a.tolist() == [1.0, 1.0] and float(a[0]) == 1.0 and a.sum().item() == 2.0


def test_printing(fake):
    cases = [
        (lambda lib, d: lib.tensor([1.0, 2.0], device=d), "tensor([1., 2.]{})"),
        (lambda lib, d: lib.tensor([1, 2], dtype=lib.int32, device=d),
         "tensor([1, 2]{}, dtype=torch.int32)"),
        (lambda lib, d: lib.tensor([1.0, 2.0], device=d, requires_grad=True),
         "tensor([1., 2.]{}, requires_grad=True)"),
        (lambda lib, d: (lib.tensor([1.0, 2.0], device=d, requires_grad=True) * 2).sum(),
         "tensor(6.{}, grad_fn=<SumBackward0>)"),
        (lambda lib, d: lib.zeros(0, 3, device=d), "tensor([]{}, size=(0, 3))"),
        (lambda lib, d: lib.tensor([1.5], dtype=lib.float64, device=d),
         "tensor([1.5000]{}, dtype=torch.float64)"),
    ]
    for make, fmt in cases:
        assert repr(make(torch, "cpu")) == fmt.format("")        # the format is torch's
        assert repr(make(ember, "cuda")) == fmt.format(", device='cuda:0'").replace(
            "torch.", "ember.")
    assert repr(ember.ones(1, device="cuda:1")) == "tensor([1.], device='cuda:1')"


def test_cuda_rng(fake):
    ember.manual_seed(0)
    a = ember.randn(5, device="cuda")
    c = ember.randn(3)
    torch.manual_seed(0)
    # CUDA draws come from the device's own generator: the CPU stream is untouched by them
    assert c.tolist() == torch.randn(3).tolist()
    ember.manual_seed(0)
    assert ember.randn(5, device="cuda").cpu().tolist() == a.cpu().tolist()
    ember.cuda.manual_seed(1)
    b = ember.rand(4, device="cuda")
    ember.cuda.manual_seed_all(1)
    assert ember.rand(4, device="cuda").cpu().tolist() == b.cpu().tolist()
    assert ember.cuda.initial_seed() == 1
    state = ember.cuda.get_rng_state()
    d = ember.randint(0, 10, (6,), device="cuda")
    ember.cuda.set_rng_state(state)
    assert ember.randint(0, 10, (6,), device="cuda").cpu().tolist() == d.cpu().tolist()
    x = ember.ones(1000, device="cuda")
    ember.manual_seed(2)
    m1 = ember.nn.functional.dropout(x, 0.5).cpu()
    ember.manual_seed(2)
    m2 = ember.nn.functional.dropout(x, 0.5).cpu()
    assert m1.tolist() == m2.tolist() and 300 < int((m1 == 0).sum()) < 700
    y = ember.empty(4, device="cuda").uniform_()
    assert y.is_cuda and bool(((y >= 0) & (y < 1)).all())


def test_gpu_check_models_on_fake_cuda(fake):
    sys.path.insert(0, ROOT)
    from bench import gpu_check
    worst = gpu_check.mnist_compare(ember, torch, "cuda", "cpu", steps=2, batch=2)
    assert worst < 1e-4


def test_gpu_check_dry_run(capsys):
    sys.path.insert(0, ROOT)
    from bench import gpu_check
    assert gpu_check.main(["--dry-run", "--max-cases", "12"]) == 0
    out = capsys.readouterr().out
    assert "op table: 12/12 passed" in out
    assert "max relative loss difference" in out and "MNIST comparison failed" not in out
    for name in ("mnist_step", "resnet18_step", "matmul"):
        assert f"{name} ember/torch" in out


def test_load_restores_cuda_storages_and_maps_them(fake):
    """A checkpoint saved from cuda:0 loads onto cuda:0, or where map_location says."""
    import io

    from test_serialization import _cuda_checkpoint
    data = _cuda_checkpoint()
    w = ember.load(io.BytesIO(data))["w"]
    assert w.is_cuda and str(w.device) == "cuda:0" and w.cpu().tolist() == [1.0, 2.0]
    assert str(ember.load(io.BytesIO(data), map_location={"cuda:0": "cuda:1"})["w"].device) \
        == "cuda:1"
    assert ember.load(io.BytesIO(data), map_location="cpu")["w"].is_cpu
