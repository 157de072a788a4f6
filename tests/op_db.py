"""The op table: every registered op's differential-test entries, gathered from each family."""

from __future__ import annotations

from opdb_elementwise import OPS as _ELEMENTWISE
from opdb_extra import OPS as _EXTRA
from opdb_fft import OPS as _FFT
from opdb_index import OPS as _INDEX
from opdb_linalg import OPS as _LINALG
from opdb_reduce import OPS as _REDUCE
from opdb_shape import OPS as _SHAPE

OP_DB = _ELEMENTWISE + _REDUCE + _SHAPE + _INDEX + _LINALG + _EXTRA + _FFT
