"""The torch import shim (ember.compat), missing-API errors, and the small torch namespaces."""

import os
import subprocess
import sys
import textwrap
import warnings

import pytest
import torch

import ember
from ember.compat import _missing
from ember.torch_version import TorchVersion

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _py(code: str) -> str:
    """Run code in a fresh interpreter (the shim must not meet this process's real torch)."""
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                       text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout


# ---- the shim ---------------------------------------------------------------------------------


def test_shim_maps_every_existing_path_and_never_loads_real_torch():
    out = _py("""
        import importlib, sys
        import ember.compat
        ember.compat.install()
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        from torch.utils.data import DataLoader
        from torch.autograd import Variable
        import ember
        assert torch.__ember_target__ is ember and torch.Tensor is ember.Tensor
        assert nn is ember.nn and F is ember.nn.functional and Variable is ember.autograd.Variable
        assert DataLoader is ember.utils.data.DataLoader
        ns = {}
        exec("from torch import *", ns)
        assert ns["tensor"] is ember.tensor and ns["float32"] is ember.float32 and "nn" not in ns
        paths = ["nn", "nn.functional", "nn.init", "nn.parameter", "nn.modules", "nn.modules.linear",
                 "nn.modules.conv", "nn.modules.rnn", "nn.modules.module", "nn.utils",
                 "nn.utils.rnn", "nn.parallel", "optim", "optim.lr_scheduler", "optim.sgd",
                 "optim.adam", "optim.optimizer", "autograd", "autograd.function", "utils",
                 "utils.data", "utils.data.dataloader", "utils.data.dataset",
                 "utils.data.sampler", "serialization", "random", "linalg", "cuda", "backends",
                 "backends.cudnn", "backends.mps", "backends.cuda", "accelerator", "onnx", "hub",
                 "jit", "version", "torch_version", "return_types", "distributed", "amp",
                 "nn.parallel.distributed"]
        checked = []
        for p in paths:
            try:
                em = importlib.import_module("ember." + p)
            except ModuleNotFoundError:
                continue                # not written yet: checked once it exists
            assert importlib.import_module("torch." + p) is em, p
            assert sys.modules["torch." + p] is em
            checked.append(p)
        for p in ["", ".transforms", ".datasets", ".utils", ".io", ".models"]:
            try:
                em = importlib.import_module("ember.vision" + p)
            except ModuleNotFoundError:
                continue
            tv = importlib.import_module("torchvision" + p)
            assert (tv.__ember_target__ if p == "" else tv) is em, p
            checked.append("torchvision" + p)
        assert not any(k.startswith("torch._") or k == "torch._C" for k in sys.modules)
        torch_files = [m.__file__ for k, m in sys.modules.items()
                       if k.partition(".")[0] in ("torch", "torchvision")
                       and getattr(m, "__file__", None)]
        assert all("site-packages/torch" not in f for f in torch_files), torch_files
        print(len(checked) >= 25, torch.__name__, torch.float32, torch.Size([2, 3]))
    """)
    assert out.split() == ["True", "torch", "torch.float32", "torch.Size([2,", "3])"]


def test_version_under_shim_and_ember_version_unchanged():
    out = _py("""
        import ember, ember.compat
        ember.compat.install()
        import torch, torchvision
        from packaging import version
        assert torch.__version__ >= "1.6" and torch.__version__ < "3" and torch.__version__ > (2, 1)
        assert version.parse(torch.__version__) >= version.parse("2.0")
        assert torch.__version__.split(".")[:2] == ["2", "13"]
        assert isinstance(torch.__version__, str) and torch.version.__version__ == "2.13.0"
        assert torchvision.__version__ >= "0.15"
        print(torch.__version__, ember.__version__, torch.version.cuda)
    """)
    assert out.split() == [ember.TORCH_VERSION, ember.__version__, "None"]


def test_uninstall_restores_and_real_torch_imports_after():
    out = _py("""
        import sys, ember, ember.compat
        ember.compat.install()
        import torch
        import torch.nn.modules.batchnorm   # a stub attached to ember.nn.modules while installed
        print(torch.float32)
        ember.compat.uninstall()
        assert not any(k.partition(".")[0] == "torch" for k in sys.modules)
        assert "batchnorm" not in vars(ember.nn.modules)
        print(ember.float32, ember.Size([1]))
        import torch
        assert hasattr(torch, "_C") and torch.Tensor is not ember.Tensor
        print(torch.float32, torch.ones(2).sum().item())
    """)
    assert out.split() == ["torch.float32", "ember.float32", "ember.Size([1])", "torch.float32",
                           "2.0"]


def test_install_after_real_torch_warns_and_restores_it():
    out = _py("""
        import sys, warnings, ember.compat
        import torch as real
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            ember.compat.install()
        assert any("already imported" in str(x.message) for x in w)
        import torch
        assert torch is not real and torch.__name__ == "torch" and torch.Tensor.__module__ != real.Tensor.__module__
        assert sys.modules["torch._C"] is real._C       # real torch's internals keep working
        assert real.ones(2).add(1).sum().item() == 4.0
        ember.compat.uninstall()
        assert sys.modules["torch"] is real and sys.modules["torch.nn"] is real.nn
        import torch
        print(torch is real)
    """)
    assert out.strip() == "True"


def test_shim_missing_modules_and_apis():
    out = _py("""
        import ember.compat
        ember.compat.install()
        import torch
        import torch.distributions as D             # torch has it, Ember does not: a stub
        try:
            import torch.distributions.normal
        except NotImplementedError as e:
            print("NI", e)
        from torch.nn.modules.batchnorm import BatchNorm2d   # torch path, ember.nn's class
        from torch.cuda.amp import GradScaler                 # torch path, ember.amp's class
        assert GradScaler is torch.amp.GradScaler
        import torch.nn as nn
        assert BatchNorm2d is nn.BatchNorm2d
        import importlib.util
        for bad in ["torch._C", "torch.no_such_module", "torch.nn.no_such"]:
            try:
                __import__(bad)
            except ModuleNotFoundError as e:
                print("MNF", e.name)
            assert importlib.util.find_spec(bad) is None
        from torch.utils.data._utils.collate import default_collate   # private paths map too
        assert importlib.util.find_spec("torch.nn") is not None
        for f in [lambda: D.Normal, lambda: torch.sparse.mm, lambda: torch.some_new_api]:
            try:
                f()
            except NotImplementedError as e:
                print("NI", e)
        try:
            from torch.sparse import mm
        except NotImplementedError as e:
            print("NI", e)
        try:                                        # the feature-guard idiom takes its fallback
            from torch.utils.tensorboard import SummaryWriter
        except ImportError as e:
            print("IE", e)
        try:
            from torch.nn import NoSuchLayer
        except ImportError as e:
            print("IE", type(e).__name__)
        print(hasattr(torch, "some_new_api"), getattr(torch, "float8_e4m3fn", None))
    """)
    assert out.splitlines() == [
        "NI torch.distributions.normal is not implemented in Ember yet",
        "MNF torch._C", "MNF torch.no_such_module", "MNF torch.nn.no_such",
        "NI torch.distributions.Normal is not implemented in Ember yet",
        "NI torch.sparse.mm is not implemented in Ember yet",
        "NI torch.some_new_api is not implemented in Ember yet",
        "NI torch.sparse.mm is not implemented in Ember yet",
        "IE torch.utils.tensorboard.SummaryWriter is not implemented in Ember yet",
        "IE ImportError", "False None"]


def test_install_is_idempotent_and_is_installed():
    out = _py("""
        import sys, ember.compat as c
        c.install(); c.install()
        n = sum(type(f).__name__ == "_Finder" for f in sys.meta_path)
        print(c.is_installed(), n)
        c.uninstall(); c.uninstall()
        print(c.is_installed(), sum(type(f).__name__ == "_Finder" for f in sys.meta_path))
    """)
    assert out.split() == ["True", "1", "False", "0"]


# ---- missing attributes (in process: no shim needed) ------------------------------------------


def test_missing_public_name_raises_not_implemented():
    with pytest.raises(NotImplementedError, match=r"^torch\.sparse\.mm is not implemented in "
                       r"Ember yet$"):
        _ = ember.sparse.mm
    with pytest.raises(NotImplementedError, match="torch.frobnicate is not implemented"):
        _ = ember.frobnicate
    # it is also an AttributeError: hasattr / getattr-with-default probes keep working
    assert not hasattr(ember, "frobnicate") and getattr(ember, "float8_e4m3fn", 7) == 7
    assert hasattr(ember, "sparse") and ember.sparse is ember.sparse


def test_private_and_dunder_names_stay_attribute_errors():
    for name in ["_C", "__wrapped__", "_is_functional"]:
        with pytest.raises(AttributeError) as ei:
            getattr(ember, name)
        assert not isinstance(ei.value, NotImplementedError)
    with pytest.raises(AttributeError):
        _ = ember.sparse._private
    assert type(_missing.missing("torch.x")).__name__ == "NotImplementedError"


def test_known_submodules_import_lazily():
    assert ember.backends.cudnn is __import__("ember.backends.cudnn").backends.cudnn
    assert ember.special.erf is ember.erf and ember.fft.rfft2(ember.ones(2, 2)).shape == (2, 2)


# ---- TorchVersion -----------------------------------------------------------------------------


@pytest.mark.parametrize("v", ["2.13.0", "2.13.0+cpu", "1.10.0a0"])
@pytest.mark.parametrize("other", ["1.6", "2.13", "2.13.0", "2.13.0+cpu", "2.14.0.dev20250101",
                                   "2.13.0rc1", "2.13.0.post1", "10", "parrot", (2, 13),
                                   (1, 9, 1), [2, 12]])
def test_torch_version_compares_like_torch(v, other):
    ours, theirs = TorchVersion(v), torch.torch_version.TorchVersion(v)
    for op in ["__lt__", "__le__", "__gt__", "__ge__", "__eq__", "__ne__"]:
        assert getattr(ours, op)(other) == getattr(theirs, op)(other), (v, other, op)
    assert hash(ours) == hash(v) and str(ours) == v


# ---- small top-level functions (ember/_misc.py) -----------------------------------------------


def test_legacy_tensor_types_match_torch():
    for name in ["FloatTensor", "DoubleTensor", "LongTensor", "IntTensor", "ByteTensor",
                 "BoolTensor", "HalfTensor"]:
        e, t = getattr(ember, name), getattr(torch, name)
        a, b = e([1, 0, 2]), t([1, 0, 2])
        assert str(a.dtype).split(".")[1] == str(b.dtype).split(".")[1]
        assert a.tolist() == b.tolist() and a.type() == b.type()
        assert e(2, 3).shape == t(2, 3).shape and e().shape == t().shape
        assert e(ember.Size([4])).shape == t(torch.Size([4])).shape
        assert isinstance(a, e) and not isinstance(a.double() if name != "DoubleTensor"
                                                     else a.float(), e)
    assert ember.ones(2).type(ember.LongTensor).dtype is ember.int64
    assert not issubclass(ember.FloatTensor, ember.Tensor) and not issubclass(torch.FloatTensor,
                                                                              torch.Tensor)
    with pytest.raises(TypeError):
        ember.FloatTensor(3.5)
    with pytest.raises(TypeError):
        ember.FloatTensor(ember.tensor([1, 2]))


def test_threads_determinism_precision():
    old = ember.get_num_threads()
    ember.set_num_threads(1)
    assert ember.get_num_threads() == 1
    from ember._misc import _openblas
    assert all(get() == 1 for _, get in _openblas())     # NumPy's BLAS really follows
    ember.set_num_threads(old)
    for bad in (0, -1):
        with pytest.raises(RuntimeError, match="positive integer"):
            ember.set_num_threads(bad)
    assert ember.get_num_interop_threads() >= 1
    assert not ember.are_deterministic_algorithms_enabled()
    ember.use_deterministic_algorithms(True, warn_only=True)
    try:
        assert ember.are_deterministic_algorithms_enabled()
        assert ember.is_deterministic_algorithms_warn_only_enabled()
        assert ember.get_deterministic_debug_mode() == 1
    finally:
        ember.use_deterministic_algorithms(False)
    with pytest.raises(TypeError):
        ember.use_deterministic_algorithms("yes")
    assert ember.get_float32_matmul_precision() == "highest"
    ember.set_float32_matmul_precision("high")
    assert ember.get_float32_matmul_precision() == "high"
    ember.set_float32_matmul_precision("highest")
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        ember.set_float32_matmul_precision("bad")
    assert w and ember.get_float32_matmul_precision() == "highest"


def test_compile_and_jit_return_their_input():
    model = ember.nn.Linear(2, 2)

    def f(x):
        return x * 2
    assert ember.compile(model) is model and ember.compile(f, mode="max-autotune") is f
    assert ember.compile(mode="reduce-overhead")(f) is f
    assert ember.jit.script(model) is model and ember.jit.trace(f, ember.ones(2)) is f
    assert ember.jit.ignore(f) is f and ember.jit.ignore(drop=True)(f) is f
    assert not ember.jit.is_scripting() and not ember.jit.is_tracing()
    with pytest.raises(NotImplementedError, match="torch.jit.save"):
        ember.jit.save(model, "m.pt")


def test_backends_accelerator_onnx_hub_match_torch_on_cpu():
    b, tb = ember.backends, torch.backends
    assert b.cudnn.is_available() == tb.cudnn.is_available() is False
    for flag in ["enabled", "benchmark", "deterministic", "allow_tf32"]:
        assert getattr(b.cudnn, flag) == getattr(tb.cudnn, flag), flag
    assert b.mps.is_available() is tb.mps.is_available() is False and b.mps.is_built() is False
    assert b.cuda.matmul.allow_tf32 == tb.cuda.matmul.allow_tf32
    b.cudnn.benchmark = True
    assert ember.backends.cudnn.benchmark is True
    b.cudnn.benchmark = False
    if not ember.cuda.is_available():
        assert ember.accelerator.is_available() is False
        assert ember.accelerator.current_accelerator() is None
        assert ember.accelerator.device_count() == 0
        with pytest.raises(RuntimeError, match="none is available"):
            ember.accelerator.current_device_index()
    assert ember.onnx.is_in_onnx_export() is False
    with pytest.raises(NotImplementedError, match="torch.onnx.export"):
        ember.onnx.export(ember.nn.Linear(1, 1), (ember.ones(1),), "m.onnx")
    with pytest.raises(RuntimeError, match="does not download"):
        ember.hub.load("pytorch/vision", "resnet18")
    with pytest.raises(RuntimeError, match="does not download"):
        ember.hub.load_state_dict_from_url("https://example.invalid/w.pth", model_dir="/nonexistent")


def test_data_parallel_is_a_pass_through_with_torch_keys():
    from ember.nn.parallel import DataParallel
    ember.manual_seed(0)
    inner = ember.nn.Linear(3, 2)
    dp = DataParallel(inner)
    x = ember.ones(4, 3)
    assert dp.module is inner and ember.equal(dp(x), inner(x))
    tdp = torch.nn.DataParallel(torch.nn.Linear(3, 2))
    assert list(dp.state_dict()) == list(tdp.state_dict()) == ["module.weight", "module.bias"]
    assert repr(dp) == repr(tdp)


def test_typename_and_default_tensor_type():
    assert ember.typename(ember.ones(1)) == torch.typename(torch.ones(1)) == "torch.FloatTensor"
    assert ember.typename(3) == torch.typename(3) == "int"
    assert ember.typename(ember.nn.Linear(1, 1)) == "ember.nn.modules.linear.Linear"
    assert ember.is_storage(ember.ones(1)) is False and str(ember.get_default_device()) == "cpu"
    ember.set_default_tensor_type(ember.DoubleTensor)
    try:
        assert ember.ones(1).dtype is ember.float64
    finally:
        ember.set_default_tensor_type("torch.FloatTensor")
    assert ember.ones(1).dtype is ember.float32
    with pytest.raises(TypeError):
        ember.set_default_tensor_type(ember.LongTensor)


def test_grad_scaler_matches_torch():
    results = []
    for lib in (torch, ember):
        lib.manual_seed(0)
        m = lib.nn.Linear(3, 1)
        opt = lib.optim.SGD(m.parameters(), lr=0.1)
        s = lib.amp.GradScaler("cpu", growth_interval=2)
        log = []
        for step in range(4):
            opt.zero_grad()
            loss = m(lib.ones(2, 3)).pow(2).mean()
            s.scale(loss).backward()
            if step == 1:
                m.weight.grad.fill_(float("inf"))       # this step must be skipped
            s.step(opt)
            s.update()
            log.append((s.get_scale(), m.weight.detach().numpy().round(5).tolist()))
        results.append((log, s.state_dict()))
    assert results[0] == results[1]
    with pytest.warns(UserWarning, match="CUDA is not available"):
        disabled = ember.amp.GradScaler()
    if not ember.cuda.is_available():
        assert not disabled.is_enabled() and disabled.get_scale() == 1.0
    with ember.autocast("cpu", dtype=ember.bfloat16):
        assert (ember.ones(2, 2) @ ember.ones(2, 2)).dtype is ember.float32   # documented no-op
    assert not ember.is_autocast_enabled()
