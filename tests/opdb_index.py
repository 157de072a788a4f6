"""Op-table entries for index ops."""

from opinfo import OpInfo  # noqa: F401

OPS = []
