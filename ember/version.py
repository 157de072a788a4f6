"""torch.version: the PyTorch release Ember mirrors, built for the CPU (no CUDA, no HIP)."""

from __future__ import annotations

from . import TORCH_VERSION
from .torch_version import TorchVersion

__all__ = ["__version__", "cuda", "hip", "debug", "git_version"]

__version__ = TorchVersion(TORCH_VERSION)
# Ember's GPU path is CuPy, not a CUDA build of torch: report what torch's CPU build reports.
cuda: str | None = None
hip: str | None = None
xpu: str | None = None
debug = False
git_version = "unknown"
