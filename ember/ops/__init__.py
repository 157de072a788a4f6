"""Op families; importing them fills the registry."""

from . import elementwise, index, linalg, reduce, shape  # noqa: F401
from ._registry import METHODS, REGISTRY  # noqa: F401
