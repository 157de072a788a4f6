"""torch.nn dropout modules (active only in training mode)."""

from __future__ import annotations

from ..._tensor import Tensor
from .. import functional as F
from .module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout",
           "FeatureAlphaDropout"]


class _DropoutNd(Module):
    _fn = staticmethod(F.dropout)

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return type(self)._fn(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """torch.nn.Dropout."""

    _fn = staticmethod(F.dropout)


class Dropout1d(_DropoutNd):
    """torch.nn.Dropout1d."""

    _fn = staticmethod(F.dropout1d)


class Dropout2d(_DropoutNd):
    """torch.nn.Dropout2d."""

    _fn = staticmethod(F.dropout2d)


class Dropout3d(_DropoutNd):
    """torch.nn.Dropout3d."""

    _fn = staticmethod(F.dropout3d)


class AlphaDropout(_DropoutNd):
    """torch.nn.AlphaDropout."""

    _fn = staticmethod(F.alpha_dropout)


class FeatureAlphaDropout(_DropoutNd):
    """torch.nn.FeatureAlphaDropout."""

    _fn = staticmethod(F.feature_alpha_dropout)
