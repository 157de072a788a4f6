"""torch.backends: the flags programs set (cudnn.benchmark, cuda.matmul.allow_tf32) and the
availability checks they ask (mps.is_available()). Ember uses neither cuDNN nor MPS."""

from __future__ import annotations

from ..compat._missing import module_getattr
from . import cuda, cudnn, mps

__all__ = ["cuda", "cudnn", "mps"]

__getattr__ = module_getattr("torch.backends", "ember.backends")
