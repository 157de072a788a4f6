"""torch.onnx: importable so programs load; exporting is not implemented in Ember."""

from __future__ import annotations

from .compat._missing import missing

__all__ = ["export", "is_in_onnx_export"]


def export(model, args=(), f=None, **kwargs):
    """torch.onnx.export: raises NotImplementedError (Ember has no ONNX exporter)."""
    raise missing("torch.onnx.export")


def is_in_onnx_export() -> bool:
    """torch.onnx.is_in_onnx_export: always False."""
    return False
