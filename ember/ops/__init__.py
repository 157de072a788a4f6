"""Op families; importing them fills the registry."""

from . import binary, compare, elementwise, extra, index, linalg, reduce, sampling, shape, unary  # noqa: F401
from ._registry import METHODS, REGISTRY  # noqa: F401
