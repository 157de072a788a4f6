"""torch.backends.mps: Apple's Metal backend, which Ember does not have."""

from __future__ import annotations


def is_available() -> bool:
    """torch.backends.mps.is_available: always False."""
    return False


def is_built() -> bool:
    """torch.backends.mps.is_built: always False."""
    return False


def is_macos_or_newer(major: int, minor: int) -> bool:
    """torch.backends.mps.is_macos_or_newer: False (no MPS)."""
    return False
