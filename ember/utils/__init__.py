"""ember.utils: torch.utils's counterparts (data loading)."""

from . import data

__all__ = ["data"]
