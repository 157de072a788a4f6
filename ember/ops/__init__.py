"""Op families; importing them fills the registry."""

from . import elementwise, linalg, reduce, shape, index  # noqa: F401
from ._registry import METHODS, REGISTRY  # noqa: F401
