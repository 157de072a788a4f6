"""torch.nn padding modules: Constant/Zero/Reflection/Replication/Circular Pad 1d/2d/3d."""

from __future__ import annotations

from ..._tensor import Tensor
from .. import functional as F
from .module import Module

__all__ = [f"{kind}Pad{n}d" for kind in ("Constant", "Zero", "Reflection", "Replication",
                                          "Circular") for n in (1, 2, 3)]


def _expand(padding, n: int) -> tuple:
    if isinstance(padding, int):
        return (padding,) * (2 * n)
    padding = tuple(padding)
    if len(padding) != 2 * n:
        raise ValueError(f"Padding length must be {2 * n}, but got {len(padding)}")
    return padding


class _PadNd(Module):
    _n = 1
    _mode = "constant"

    def __init__(self, padding) -> None:
        super().__init__()
        self.padding = _expand(padding, self._n)

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class _ZeroPadNd(_ConstantPadNd):
    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


def _make(base, kind: str, n: int, mode: str):
    cls = type(f"{kind}Pad{n}d", (base,), {"_n": n, "_mode": mode,
                                           "__doc__": f"torch.nn.{kind}Pad{n}d.",
                                           "__module__": __name__})
    globals()[cls.__name__] = cls


for _n in (1, 2, 3):
    _make(_ConstantPadNd, "Constant", _n, "constant")
    _make(_ZeroPadNd, "Zero", _n, "constant")
    _make(_PadNd, "Reflection", _n, "reflect")
    _make(_PadNd, "Replication", _n, "replicate")
    _make(_PadNd, "Circular", _n, "circular")
del _n
