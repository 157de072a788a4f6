"""repr/str of tensors exactly as torch prints them (placeholder being implemented)."""

from __future__ import annotations


def tensor_repr(t) -> str:
    return f"tensor({t._array.tolist()})"


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None) -> None:
    raise NotImplementedError


def get_printoptions() -> dict:
    raise NotImplementedError
