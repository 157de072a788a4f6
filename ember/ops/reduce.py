"""Reductions: sum, mean, prod, max/min, std/var, norms, sort, ... (dim as int/tuple/None)."""

from __future__ import annotations

from .. import _dtype as D
from ._registry import _scalar_name, op
from ._util import norm_dims


def _expand_back(gy, input, axes, keepdim):
    """Broadcast a reduced gradient back to input's shape."""
    if axes is not None and not keepdim:
        shape = list(input.shape)
        for a in axes:
            shape[a] = 1
        gy = gy.reshape(shape)
    return gy.expand(input.shape)


@op(saves=False)
def sum(input, dim=None, keepdim=False, *, dtype=None):
    axes = norm_dims(dim, input.ndim)
    x = input._array
    if dtype is not None:
        odt = D.to_dtype(dtype)
    elif input._dtype.category < 2:
        odt = D.int64
    else:
        odt = input._dtype
    out = x.sum(axis=axes, keepdims=keepdim, dtype=odt.np)

    def backward(gy):
        return (_expand_back(gy, input, axes, keepdim),)
    return out, backward, {"name": "SumBackward0" if dim is None else "SumBackward1",
                           "dtype": odt}


@op(saves=False)
def mean(input, dim=None, keepdim=False, *, dtype=None):
    odt = D.to_dtype(dtype) if dtype is not None else input._dtype
    if odt.category < 2:
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {_scalar_name(input._dtype)}")
    axes = norm_dims(dim, input.ndim)
    x = input._array
    out = x.mean(axis=axes, keepdims=keepdim, dtype=odt.np)
    n = x.size // max(out.size, 1) if x.size else 0

    def backward(gy):
        return (_expand_back(gy, input, axes, keepdim) / n,)
    return out, backward, {"name": "MeanBackward0" if dim is None else "MeanBackward1",
                           "dtype": odt}
