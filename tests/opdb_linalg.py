"""Op-table entries for linalg ops."""

from opinfo import OpInfo  # noqa: F401

OPS = []
