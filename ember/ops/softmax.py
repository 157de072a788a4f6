"""softmax, log_softmax and logsumexp: numerically stable primitives."""

from __future__ import annotations

import builtins

from numpy import errstate

from .. import _dtype as D
from .._tensor import Tensor, _new
from ..autograd.grad_mode import GRAD_ENABLED
from ..backend import array_module
from ._registry import _scalar_name, op, public
from ._util import wrap_dim
from .reduce import axes_of, keep, keep_arr, saved_out


# ---- logsumexp / softmax ------------------------------------------------------------------------
def _softmax_raw(x, axes, log: bool):
    xp = array_module(x)
    if not x.size:
        return x.copy()
    m = x.max(axis=axes, keepdims=True)
    m = xp.where(xp.isfinite(m), m, 0)      # all -inf (or inf) slices must not give nan via inf-inf
    z = x - m
    e = xp.exp(z)
    s = e.sum(axis=axes, keepdims=True)
    # an all -inf slice gives NaN, as in torch
    with errstate(divide="ignore", invalid="ignore"):
        # in place: z and e are our temporaries (saves an N x C allocation per call)
        if log:
            z -= xp.log(s)
            return z
        e /= s
        return e


@op("_softmax", function=False, method=False)
def _softmax(input, *, axes):
    """softmax over a tuple of axes (the primitive behind softmax and logsumexp's backward)."""
    out = _softmax_raw(input._array, axes, False)

    def backward(gy):
        y = saved_out(out, lambda: _softmax(input, axes=axes))
        return (y * (gy - (gy * y).sum(dim=axes, keepdim=True)),)
    return out, backward, {"name": "SoftmaxBackward0"}


@op("_log_softmax", function=False, method=False)
def _log_softmax(input, *, axes):
    xp = array_module(input._array)
    out = _softmax_raw(input._array, axes, True)

    def backward(gy):
        y = _softmax(input, axes=axes) if GRAD_ENABLED[0] else _new(xp.exp(out))
        return (gy - y * gy.sum(dim=axes, keepdim=True),)
    return out, backward, {"name": "LogSoftmaxBackward0"}


def _softmax_input(input: Tensor, dim, dtype, name: str):
    if dtype is not None:
        input = input.to(dtype)
    if dim is None:
        raise TypeError(f"{name}() missing required argument 'dim'")
    d = wrap_dim(dim, input.ndim)
    if input._dtype.category < 2:
        kernel = "lastdim_kernel_impl" if d == builtins.max(input.ndim - 1, 0) else "kernel_impl"
        raise NotImplementedError(f'"{name}_{kernel}" not implemented for '
                                  f"'{_scalar_name(input._dtype)}'")
    return input, (None if input.ndim == 0 else (d,))


@public()
def softmax(input: Tensor, dim: int | None = None, dtype=None) -> Tensor:
    """torch.softmax (numerically stable; dtype casts the input first)."""
    input, axes = _softmax_input(input, dim, dtype, "softmax")
    return _softmax(input, axes=axes)


@public()
def log_softmax(input: Tensor, dim: int | None = None, dtype=None) -> Tensor:
    """torch.log_softmax (numerically stable; dtype casts the input first)."""
    input, axes = _softmax_input(input, dim, dtype, "log_softmax")
    return _log_softmax(input, axes=axes)


@op()
def logsumexp(input, dim, keepdim=False):
    x = input._array
    if input._dtype.category < 2:
        x = x.astype(D.get_default_dtype().np)
    xp = array_module(x)
    axes = axes_of(input, dim)
    if not x.size:
        with errstate(divide="ignore"):
            out = xp.log(xp.exp(x).sum(axis=axes, keepdims=keepdim))
    else:
        m = x.max(axis=axes, keepdims=True)
        m = xp.where(xp.isfinite(m), m, 0)
        with errstate(divide="ignore"):
            out = xp.log(xp.exp(x - m).sum(axis=axes, keepdims=True)) + m
        if not keepdim:
            out = out.reshape([s for a, s in enumerate(x.shape) if axes is not None
                               and a not in axes])

    def backward(gy):
        if GRAD_ENABLED[0]:
            y = _softmax(input, axes=axes)
        else:
            y = _new(xp.exp(x - keep_arr(out, x.shape, axes, keepdim)))
        return (keep(gy, x.shape, axes, keepdim) * y,)
    return out, backward
