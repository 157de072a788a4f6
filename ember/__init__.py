"""Ember: PyTorch re-implemented in Python on NumPy (CPU) and CuPy (GPU).

`import ember as torch` gives the PyTorch API a learner uses.
"""

from __future__ import annotations

__version__ = "0.1.0"
# The PyTorch release whose behaviour Ember mirrors (the shim reports it as torch.__version__).
TORCH_VERSION = "2.13.0"

from . import _dtype, _malloc, autograd, compat, linalg, ops, random, version
from ._creation import (
    arange,
    as_tensor,
    asarray,
    complex,
    empty,
    empty_like,
    empty_strided,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    logspace,
    ones,
    ones_like,
    polar,
    range,
    scalar_tensor,
    tensor,
    zeros,
    zeros_like,
)
from ._dtype import (
    bfloat16,
    bool,
    can_cast,
    cdouble,
    cfloat,
    chalf,
    complex64,
    complex128,
    double,
    dtype,
    finfo,
    float,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    iinfo,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    promote_types,
    result_type,
    set_default_dtype,
    short,
    uint8,
)
from ._misc import (
    BFloat16Tensor,
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
    are_deterministic_algorithms_enabled,
    compile,
    get_default_device,
    get_deterministic_debug_mode,
    get_float32_matmul_precision,
    get_num_interop_threads,
    get_num_threads,
    is_autocast_enabled,
    is_deterministic_algorithms_warn_only_enabled,
    is_storage,
    set_default_tensor_type,
    set_deterministic_debug_mode,
    set_float32_matmul_precision,
    set_num_interop_threads,
    set_num_threads,
    typename,
    use_deterministic_algorithms,
)
from ._printing import get_printoptions, set_printoptions
from ._tensor import Size, Tensor
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .autograd.grad_mode import is_inference_mode_enabled
from .backend import device
from .ops._registry import REGISTRY as _REGISTRY
from .random import (
    Generator,
    default_generator,
    fork_rng,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)

# An unknown public name raises NotImplementedError naming the torch API (also an AttributeError,
# so hasattr probes still answer False); known torch submodules import lazily or as stubs.
_compat_getattr = compat.module_getattr("torch", "ember")

# Heavy, rarely needed parts load on first attribute access (import time: issue 10).
_LAZY_MODULES = ("accelerator", "amp", "backends", "cuda", "distributed", "fft", "hub", "jit",
                 "nn", "onnx", "optim", "serialization", "special", "utils", "vision")
# name -> the submodule that defines it; torch.<name> spellings of nn.functional ops included.
_LAZY_ATTRS = {"autocast": "amp", "load": "serialization", "save": "serialization",
               "cdist": "nn.functional.misc"}
_LAZY_ATTRS.update(dict.fromkeys((
    "adaptive_avg_pool1d", "avg_pool1d", "bilinear", "celu", "channel_shuffle", "conv1d",
    "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "cosine_similarity", "hardshrink", "max_pool1d", "max_pool2d", "max_pool3d",
    "pairwise_distance", "pdist", "pixel_shuffle", "pixel_unshuffle", "prelu", "selu"),
    "nn.functional"))


def __getattr__(name: str):
    where = _LAZY_ATTRS.get(name)
    if where is None:
        return _compat_getattr(name)          # submodules import here (ember.nn, ember.vision)
    import importlib
    value = getattr(importlib.import_module(f"{__name__}.{where}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY_ATTRS) | set(_LAZY_MODULES))

globals().update({k: v for k, v in _REGISTRY.items() if k not in globals() or k in ("max", "min",
                  "abs", "round", "sum", "all", "any", "pow")})

strided = "torch.strided"
contiguous_format = preserve_format = channels_last = None


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:
    return input.numel()


def is_floating_point(input: Tensor) -> bool:
    return input.is_floating_point()


def is_complex(input: Tensor) -> bool:
    return input.is_complex()
