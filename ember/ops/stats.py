"""Statistics and norms: var, std, var_mean, std_mean, linalg.vector_norm, norm."""

from __future__ import annotations

import builtins
import math

from numpy import errstate

from .._tensor import Tensor, _new
from ..autograd.grad_mode import GRAD_ENABLED
from ..backend import array_module
from ._registry import REGISTRY, _scalar_name, op, public
from .reduce import _nonempty, axes_of, keep, keep_arr, saved_out


def _check_float(input: Tensor, name: str) -> None:
    if input._dtype.category < 2:
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. "
                           f"Got {_scalar_name(input._dtype)}")


# ---- var / std ----------------------------------------------------------------------------------
def _var_args(input, dim, unbiased, keepdim, correction, name):
    """(axes, correction, n): normalises torch's var/std argument forms."""
    if isinstance(dim, bool):               # legacy var(input, unbiased)
        dim, unbiased = None, dim
    if correction is not None and unbiased is not None:
        raise TypeError(f"{name}() received an invalid combination of arguments: unbiased and "
                        "correction can't both be given")
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    if input._dtype.category < 2:
        raise RuntimeError("std and var only support floating point and complex dtypes")
    axes = axes_of(input, dim)
    x = input._array
    n = x.size if axes is None else math.prod(x.shape[a] for a in axes)
    if n - correction <= 0:
        import warnings
        warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly "
                      "less than the reduction factor (input numel divided by output numel).",
                      UserWarning, stacklevel=3)
    return axes, correction, n


def _var_raw(x, axes, keepdim, correction, n):
    xp = array_module(x)
    dev = x - x.mean(axis=axes, keepdims=True)
    s = (dev * dev.conj()).real.sum(axis=axes, keepdims=keepdim) if dev.dtype.kind == "c" \
        else (dev * dev).sum(axis=axes, keepdims=keepdim)
    div = builtins.max(n - correction, 0)
    with errstate(invalid="ignore", divide="ignore"):
        return xp.asarray(s / s.dtype.type(div))


def _var_grad(gy, input, axes, keepdim, correction, n):
    """d var / d input applied to gy: gy * 2 (x - mean) / (n - correction)."""
    centred = input - input.mean(dim=axes, keepdim=True)
    div = n - correction
    return keep(gy, input.shape, axes, keepdim) * centred * (2.0 / div if div > 0 else math.inf)


@op("var", function=False, method=False)
def _var(input, *, axes, correction, n, keepdim):
    out = _var_raw(input._array, axes, keepdim, correction, n)

    def backward(gy):
        return (_var_grad(gy, input, axes, keepdim, correction, n),)
    return out, backward


def _std_grad(gy, input, out, axes, keepdim, correction, n):
    # torch masks the gradient where std == 0 (it would be 0/0)
    std = keep(saved_out(out, lambda: _std(input, axes=axes, correction=correction, n=n,
                                           keepdim=keepdim)), input.shape, axes, keepdim)
    zero = keep_arr(out == 0, input.shape, axes, keepdim)
    g = keep(gy, input.shape, axes, keepdim) / (2 * (std + _new(zero.astype(out.dtype))))
    return _var_grad(g * _new((~zero).astype(out.dtype)), input, axes, True, correction, n)


@op("std", function=False, method=False)
def _std(input, *, axes, correction, n, keepdim):
    xp = array_module(input._array)
    out = xp.sqrt(_var_raw(input._array, axes, keepdim, correction, n))

    def backward(gy):
        return (_std_grad(gy, input, out, axes, keepdim, correction, n),)
    return out, backward


@public()
def var(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *,
        correction=None) -> Tensor:
    """torch.var (dim, unbiased (legacy) or correction=, keepdim)."""
    axes, c, n = _var_args(input, dim, unbiased, keepdim, correction, "var")
    return _var(input, axes=axes, correction=c, n=n, keepdim=keepdim)


@public()
def std(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *,
        correction=None) -> Tensor:
    """torch.std (dim, unbiased (legacy) or correction=, keepdim)."""
    axes, c, n = _var_args(input, dim, unbiased, keepdim, correction, "std")
    return _std(input, axes=axes, correction=c, n=n, keepdim=keepdim)


def _stat_mean(input, axes, correction, n, keepdim, root: bool):
    x = input._array
    xp = array_module(x)
    out = _var_raw(x, axes, keepdim, correction, n)
    if root:
        out = xp.sqrt(out)
    m = xp.asarray(x.mean(axis=axes, keepdims=keepdim))

    def backward(gs, gm):
        g = None
        if gs is not None:
            g = (_std_grad(gs, input, out, axes, keepdim, correction, n) if root
                 else _var_grad(gs, input, axes, keepdim, correction, n))
        if gm is not None:
            gmx = keep(gm, x.shape, axes, keepdim).expand(x.shape) / (x.size // builtins.max(
                m.size, 1))
            g = gmx if g is None else g + gmx
        return (g,)
    return (out, m), backward


@op("std_mean", function=False, method=False, multi=True)
def _std_mean(input, *, axes, correction, n, keepdim):
    return _stat_mean(input, axes, correction, n, keepdim, True)


@op("var_mean", function=False, method=False, multi=True)
def _var_mean(input, *, axes, correction, n, keepdim):
    return _stat_mean(input, axes, correction, n, keepdim, False)


@public(method=False)
def var_mean(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *,
             correction=None) -> tuple:
    """torch.var_mean -> (var, mean) (a plain tuple, as in torch)."""
    axes, c, n = _var_args(input, dim, unbiased, keepdim, correction, "var_mean")
    return tuple(_var_mean(input, axes=axes, correction=c, n=n, keepdim=keepdim))


@public(method=False)
def std_mean(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *,
             correction=None) -> tuple:
    """torch.std_mean -> (std, mean) (a plain tuple, as in torch)."""
    axes, c, n = _var_args(input, dim, unbiased, keepdim, correction, "std_mean")
    return tuple(_std_mean(input, axes=axes, correction=c, n=n, keepdim=keepdim))


# ---- norms --------------------------------------------------------------------------------------
@op("linalg_vector_norm", method=False)
def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    if dtype is not None:
        x = x.to(dtype)
    _check_float(x, "linalg.vector_norm")
    a = x._array
    xp = array_module(a)
    axes = axes_of(x, dim)
    p = float(ord)
    real2 = p == 2 and a.dtype.kind == "f"
    ab = None if real2 else xp.abs(a)      # a real square needs no abs: one pass fewer
    if p == math.inf or p == -math.inf:
        if not a.size:
            _nonempty(a, "linalg.vector_norm", axes)
        out = ab.max(axis=axes, keepdims=keepdim) if p > 0 else ab.min(axis=axes,
                                                                          keepdims=keepdim)
    elif p == 0:
        out = (ab != 0).sum(axis=axes, keepdims=keepdim).astype(ab.dtype)
    elif p == 1:
        out = ab.sum(axis=axes, keepdims=keepdim)
    elif p == 2:
        out = xp.sqrt((a * a if real2 else ab * ab).sum(axis=axes, keepdims=keepdim))
    else:
        with errstate(divide="ignore"):
            out = (ab ** p).sum(axis=axes, keepdims=keepdim) ** (1.0 / p)
    out = xp.asarray(out)

    def backward(gy):
        nonlocal ab
        if ab is None:
            ab = xp.abs(a)
        g = keep(gy, a.shape, axes, keepdim)
        if GRAD_ENABLED[0] and "sgn" in REGISTRY:
            sgn = x.sgn()         # as torch: the double-backward graph reaches x (with zero grad)
        else:
            sgn = _new(xp.sign(a) if a.dtype.kind != "c" else a / xp.where(ab == 0, 1, ab))
        if p == 0:
            return (g * _new(xp.zeros(a.shape, dtype=ab.dtype)),)
        if p == 1:
            return (g * sgn,)
        if p in (math.inf, -math.inf):
            mask = ab == keep_arr(out, a.shape, axes, keepdim)
            share = mask / mask.sum(axis=axes, keepdims=True)
            return (g * sgn * _new(share.astype(ab.dtype)),)
        norm = keep(saved_out(out, lambda: vector_norm(x, ord, dim, keepdim)), a.shape, axes,
                    keepdim)
        # torch gives a zero gradient where the norm is 0 (instead of 0/0)
        zero = keep_arr(out == 0, a.shape, axes, keepdim).astype(ab.dtype)
        safe = norm + _new(zero)
        if p == 2:
            return (g * x / safe * _new(1 - zero),)
        if p >= 2:
            scale = x * x.abs() ** (p - 2)
        elif p > 1:
            scale = sgn * x.abs() ** (p - 1)
        else:
            # as torch: entries equal to 0 get 0 (|x|^(p-1) is infinite there)
            nz = (a != 0).astype(ab.dtype)
            scale = sgn * (x.abs() + _new(1 - nz)) ** (p - 1) * _new(nz)
        return (g * scale / safe ** (p - 1) * _new(1 - zero),)
    return out, backward


@public()
def norm(input: Tensor, p="fro", dim=None, keepdim: bool = False, dtype=None) -> Tensor:
    """torch.norm: vector norms ('fro' is the 2-norm over dim); 'nuc' is not supported."""
    if isinstance(p, str):
        if p == "nuc":
            raise NotImplementedError("torch.norm(p='nuc') is not implemented in Ember; use "
                                      "ember.linalg.matrix_norm")
        if p != "fro":
            raise RuntimeError(f"norm(): invalid p value {p!r}")
        p = 2
    if p is None:
        p = 2
    return vector_norm(input, p, dim, keepdim, dtype=dtype)
