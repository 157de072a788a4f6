"""torch.backends.cudnn: settable flags; Ember does not use cuDNN, so is_available() is False."""

from __future__ import annotations

# Read and written by programs (`torch.backends.cudnn.benchmark = True`); they change nothing.
enabled = True
benchmark = False
benchmark_limit = None
deterministic = False
allow_tf32 = True


def is_available() -> bool:
    """torch.backends.cudnn.is_available: False (Ember's GPU path is CuPy without cuDNN)."""
    return False


def version() -> int | None:
    """torch.backends.cudnn.version: None, as on a build without cuDNN."""
    return None


def is_acceptable(tensor) -> bool:
    """torch.backends.cudnn.is_acceptable: False, cuDNN is never used."""
    return False
