"""Clear errors for torch APIs Ember lacks: the error type, stub modules, module __getattr__."""

from __future__ import annotations

import importlib
import sys
import types

# Public torch modules per package (torch 2.13). A name listed here that Ember lacks becomes a
# stub module whose members raise NotImplementedError; an unlisted one stays ModuleNotFoundError,
# so `try: import torch.foo` feature probes see what real torch would give them.
_KNOWN = {
    "torch": "accelerator amp ao autograd backends compiler contrib cpu cuda distributed "
             "distributions export fft func functional futures fx hub jit library linalg masked "
             "monitor mps mtia multiprocessing nativert nested nn numa onnx optim overrides "
             "package profiler quantization quasirandom random return_types serialization signal "
             "sparse special storage testing torch_version types utils version xpu",
    "torch.utils": "backcompat backend_registration benchmark bundled_inputs checkpoint "
                   "collect_env cpp_backtrace cpp_extension data debug_log deterministic dlpack "
                   "file_baton flop_counter hipify hooks jit mkldnn mobile_optimizer model_dump "
                   "model_zoo module_tracker serialization show_pickle tensorboard "
                   "throughput_benchmark viz weak",
    "torch.nn": "attention backends common_types cpp functional grad init intrinsic modules "
                "parallel parameter qat quantizable quantized utils",
    "torch.nn.modules": "activation adaptive batchnorm channelshuffle container conv distance "
                        "dropout flatten fold instancenorm lazy linear loss module normalization "
                        "padding pixelshuffle pooling rnn sparse transformer upsampling utils",
    "torch.nn.utils": "clip_grad convert_parameters fusion init memory_format parametrizations "
                      "parametrize prune rnn spectral_norm stateless weight_norm",
    "torch.optim": "adadelta adagrad adam adamax adamw asgd lbfgs lr_scheduler nadam optimizer "
                   "radam rmsprop rprop sgd sparse_adam swa_utils",
    "torch.autograd": "anomaly_mode forward_ad function functional grad_mode gradcheck graph "
                      "profiler profiler_legacy profiler_util variable",
    "torch.backends": "cpu cuda cudnn cusparselt kleidiai mha miopen mkl mkldnn mps nnpack "
                      "openmp opt_einsum python_native quantized xeon xnnpack",
    "torch.cuda": "amp comm gds graphs green_contexts jiterator memory nccl nvtx profiler random "
                  "sparse streams tunable",
    "torch.utils.data": "backward_compatibility dataloader datapipes dataset distributed graph "
                        "graph_settings sampler",
    "torchvision": "datasets io models ops transforms tv_tensors utils",
    "torchvision.transforms": "autoaugment functional transforms v2",
}
KNOWN = {k: frozenset(v.split()) for k, v in _KNOWN.items()}


class NotImplementedInEmber(NotImplementedError, AttributeError):
    """NotImplementedError for a torch API Ember lacks; also an AttributeError so that
    `hasattr(torch, name)` and `getattr(torch, name, default)` probes keep answering False/default.
    """


# Tracebacks print builtins' exceptions by bare name: the user reads `NotImplementedError: ...`.
NotImplementedInEmber.__module__ = "builtins"
NotImplementedInEmber.__name__ = NotImplementedInEmber.__qualname__ = "NotImplementedError"


class NotImplementedImportInEmber(NotImplementedError, ImportError):
    """NotImplementedError for importing a torch module Ember lacks; also an ImportError so
    that `try: from torch.x import y / except ImportError:` feature guards take their fallback.
    """


NotImplementedImportInEmber.__module__ = "builtins"
NotImplementedImportInEmber.__name__ = "NotImplementedError"
NotImplementedImportInEmber.__qualname__ = "NotImplementedError"


def missing_import(torch_name: str) -> NotImplementedImportInEmber:
    """The error for importing a torch module (or a name from one) that Ember lacks."""
    e = NotImplementedImportInEmber(f"{torch_name} is not implemented in Ember yet")
    e.name = torch_name
    return e


def missing(torch_name: str) -> NotImplementedInEmber:
    """The error for a torch API (named by its full dotted torch path) that Ember lacks."""
    return NotImplementedInEmber(f"{torch_name} is not implemented in Ember yet")


def _private(name: str) -> bool:
    # dunders and _private names are probed by libraries (hasattr(m, "__wrapped__"), "_is_...")
    return name.startswith("_")


class StubModule(types.ModuleType):
    """A torch module Ember lacks: importable; its public members raise NotImplementedError.

    `fallback` (an ember package) answers members first: `torch.nn.modules.batchnorm` has no
    file of its own in Ember, but its classes live in `ember.nn.modules`.
    """

    def __init__(self, torch_name: str, fallback: types.ModuleType | None = None):
        super().__init__(torch_name, f"Stub for {torch_name}, which Ember does not implement.")
        self.__path__ = []          # a package: deeper imports reach the finder, which raises
        self.__ember_fallback__ = fallback

    def __getattr__(self, name: str):
        fb = self.__dict__.get("__ember_fallback__")
        if fb is not None and not name.startswith("__"):
            found = _lookup(fb, name)
            if found is not _NOTHING:
                return found
        if _private(name):
            raise AttributeError(f"module '{self.__name__}' has no attribute '{name}'")
        raise missing(f"{self.__name__}.{name}")

    def __repr__(self) -> str:
        fb = self.__dict__.get("__ember_fallback__")
        what = f"members from {fb.__name__}" if fb is not None else "not implemented"
        return f"<module '{self.__name__}' (Ember stub: {what})>"


_NOTHING = object()


def _lookup(pkg: types.ModuleType, name: str):
    """`name` in an ember package or in any of its already-imported submodules."""
    try:
        return getattr(pkg, name)
    except AttributeError:
        pass
    prefix = pkg.__name__ + "."
    for modname, mod in list(sys.modules.items()):
        if modname.startswith(prefix) and mod is not None and name in getattr(mod, "__dict__", {}):
            return mod.__dict__[name]
    return _NOTHING


_STUBS: dict[str, StubModule] = {}


def stub(torch_name: str, fallback: types.ModuleType | None = None) -> StubModule:
    """The one stub module for `torch_name` (shared by `import torch.x` and `torch.x`)."""
    s = _STUBS.get(torch_name)
    if s is None:
        s = _STUBS[torch_name] = StubModule(torch_name, fallback)
    return s


def is_stub(module) -> bool:
    return isinstance(module, StubModule)


def module_getattr(torch_name: str, ember_name: str):
    """A module-level `__getattr__` for an ember module that mirrors `torch_name`.

    Submodules import lazily; torch modules Ember lacks become stubs; other public names raise
    NotImplementedError naming the torch API; private and dunder names raise AttributeError.
    """
    known = KNOWN.get(torch_name, frozenset())

    def __getattr__(name: str):
        if _private(name):
            raise AttributeError(f"module '{ember_name}' has no attribute '{name}'")
        # A submodule not imported yet (ember.launch, ember.backends.cudnn) imports on first use.
        try:
            return importlib.import_module(f"{ember_name}.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"{ember_name}.{name}":
                raise               # a real missing dependency inside the module: show it
        if name in known:
            return stub(f"{torch_name}.{name}")
        raise missing(f"{torch_name}.{name}")

    return __getattr__
