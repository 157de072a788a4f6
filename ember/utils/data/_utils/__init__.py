"""torch.utils.data._utils's import paths (collate, worker), which user code reaches for."""

from . import collate, worker

__all__ = ["collate", "worker"]
