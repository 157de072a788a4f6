"""torch.fft: discrete Fourier transforms over `xp.fft` (pocketfft on NumPy).

Three primitives do the work on already-resized inputs -- complex-to-complex, real-to-complex
(one-sided) and complex-to-real -- and a fourth crops / zero-pads (torch's `n` / `s`). Backward
formulas follow torch's FunctionsManual (fft_r2c_backward / fft_c2r_backward): the adjoint of a
transform is the opposite transform with the dual norm ("backward" <-> "forward").
float32 / complex64 inputs give complex64 (NumPy computes in double; results are cast back).
"""

from __future__ import annotations

import functools

import numpy as _np

from . import _dtype as D
from ._tensor import Tensor, _new
from .ops._registry import _dispatch_out, _scalar_name, make_dispatcher, write_out
from .ops._util import xp_of

__all__ = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fft2", "ifft2", "rfft2", "irfft2",
           "fftn", "ifftn", "rfftn", "irfftn", "fftfreq", "rfftfreq", "fftshift", "ifftshift"]

_DUAL = {"backward": "forward", "forward": "backward", "ortho": "ortho"}


def _norm(norm) -> str:
    if norm is None:
        return "backward"
    if norm not in _DUAL:
        raise RuntimeError(f"Invalid normalization mode: \"{norm}\"")
    return norm


def _complex_of(dt):
    return D.complex128 if dt in (D.float64, D.complex128) else D.complex64


def _real_of(dt):
    return D.float64 if dt in (D.float64, D.complex128) else D.float32


def _cast(arr, dt):
    return arr.astype(dt.np, copy=False)


# ---- primitives -------------------------------------------------------------------------------
def _resize_fn(x, *, dims, sizes):
    """Crop or zero-pad x along dims to sizes (the adjoint is the reverse resize)."""
    a = x._array
    xp = xp_of(x)
    old = [a.shape[d] for d in dims]
    for d, n in zip(dims, sizes):
        m = a.shape[d]
        if n < m:
            idx = [slice(None)] * a.ndim
            idx[d] = slice(0, n)
            a = a[tuple(idx)]
        elif n > m:
            shape = list(a.shape)
            shape[d] = n - m
            a = xp.concatenate([a, xp.zeros(shape, dtype=a.dtype)], axis=d)
    a = xp.ascontiguousarray(a)

    def backward(g):
        return (_resize(g, dims=dims, sizes=old),)
    return a, backward


def _c2c_fn(x, *, dims, norm, forward):
    xp = xp_of(x)
    real_in = not x._dtype.is_complex
    cdt = _complex_of(x._dtype)
    f = xp.fft.fftn if forward else xp.fft.ifftn
    out = _cast(f(x._array, axes=dims, norm=norm) if dims else x._array, cdt)

    def backward(g):
        gx = _c2c(g, dims=dims, norm=_DUAL[norm], forward=not forward)
        return (gx.real if real_in else gx,)
    return out, backward, {"name": "FftC2CBackward0", "dtype": cdt}


def _r2c_fn(x, *, dims, norm):
    xp = xp_of(x)
    cdt = _complex_of(x._dtype)
    out = _cast(xp.fft.rfftn(x._array, axes=dims, norm=norm), cdt)
    n_last = x._array.shape[dims[-1]]

    def backward(g):
        gp = _resize(g, dims=[dims[-1]], sizes=[n_last])
        return (_c2c(gp, dims=dims, norm=_DUAL[norm], forward=False).real,)
    return out, backward, {"name": "FftR2CBackward0", "dtype": cdt}


def _c2r_fn(x, *, dims, norm, last):
    xp = xp_of(x)
    rdt = _real_of(x._dtype)
    shape = [x._array.shape[d] for d in dims[:-1]] + [last]
    out = _cast(xp.fft.irfftn(x._array, s=shape, axes=dims, norm=norm), rdt)
    half = x._array.shape[dims[-1]]

    def backward(g):
        gi = _r2c(g, dims=dims, norm=_DUAL[norm])
        double = last - half
        if double > 0:
            w = _np.ones(half, dtype=_np.float64)
            w[1:1 + double] = 2.0
            shp = [1] * g.ndim
            shp[dims[-1]] = half
            gi = gi * _new(xp.asarray(w.reshape(shp).astype(rdt.np)))
        return (gi,)
    return out, backward, {"name": "FftC2RBackward0", "dtype": rdt}


_resize = make_dispatcher(_resize_fn, "fft_resize", saves=False)
_c2c = make_dispatcher(_c2c_fn, "fft_c2c", saves=False)
_r2c = make_dispatcher(_r2c_fn, "fft_r2c", saves=False)
_c2r = make_dispatcher(_c2r_fn, "fft_c2r", saves=False)


# ---- argument handling ------------------------------------------------------------------------
def _check(x, fname):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fname}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(x).__name__}")


def _float_input(x: Tensor, fname: str, real_only: bool = False) -> Tensor:
    """Integers and bool promote to the default float dtype, as torch does."""
    dt = x._dtype
    if dt.is_complex:
        if real_only:
            raise RuntimeError(f"{fname[4:]} expects a real input tensor, but got "
                               f"{_scalar_name(dt)}")
        return x
    if not dt.is_floating_point:
        return x.to(D.get_default_dtype())
    if dt in (D.float16, D.bfloat16):
        raise RuntimeError(f"Unsupported dtype {_scalar_name(dt)}")
    return x


def _wrap(d: int, ndim: int, fname: str) -> int:
    if ndim == 0:
        raise IndexError(f"Dimension specified as {d} but tensor has no dimensions")
    if not -ndim <= d < ndim:
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[{-max(ndim, 1)}, {max(ndim, 1) - 1}], but got {d})")
    return d % ndim


def _dims_and_sizes(x: Tensor, s, dim, fname: str):
    """torch's fftn argument rules: (dims, sizes) with -1 sizes filled in."""
    nd = x.ndim
    if dim is not None and isinstance(dim, int):
        dim = [dim]
    if s is not None and isinstance(s, int):
        s = [s]
    if dim is None:
        dims = list(range(nd)) if s is None else list(range(nd - len(s), nd))
        if s is not None and len(s) > nd:
            raise RuntimeError(f"Got shape with {len(s)} values but input tensor only has "
                               f"{nd} dimensions.")
    else:
        dims = [_wrap(d, nd, fname) for d in dim]
        if len(set(dims)) != len(dims):
            raise RuntimeError("FFT dims must be unique")
        if s is not None and len(s) != len(dims):
            raise RuntimeError("When given, dim and shape arguments must have the same length")
    if s is None:
        sizes = [x.shape[d] for d in dims]
    else:
        sizes = [x.shape[d] if n == -1 else n for d, n in zip(dims, s)]
    for n in sizes:
        if n <= 0:
            raise RuntimeError(f"Invalid number of data points ({n}) specified")
    return dims, sizes


def _fit(x: Tensor, dims, sizes) -> Tensor:
    if all(x.shape[d] == n for d, n in zip(dims, sizes)):
        return x
    return _resize(x, dims=list(dims), sizes=list(sizes))


def _c2c_api(x, s, dim, norm, forward, fname):
    _check(x, fname)
    x = _float_input(x, fname)
    dims, sizes = _dims_and_sizes(x, s, dim, fname)
    return _c2c(_fit(x, dims, sizes), dims=dims, norm=_norm(norm), forward=forward)


def _r2c_api(x, s, dim, norm, fname):
    _check(x, fname)
    x = _float_input(x, fname, real_only=True)
    dims, sizes = _dims_and_sizes(x, s, dim, fname)
    if not dims:
        raise RuntimeError(f"{fname} must transform at least one axis")
    return _r2c(_fit(x, dims, sizes), dims=dims, norm=_norm(norm))


def _c2r_api(x, s, dim, norm, fname):
    _check(x, fname)
    x = _float_input(x, fname)
    if not x._dtype.is_complex:
        x = x.to(_complex_of(x._dtype))
    dims, sizes = _dims_and_sizes(x, s, dim, fname)
    if not dims:
        raise RuntimeError(f"{fname} must transform at least one axis")
    if s is None or (s[-1] if not isinstance(s, int) else s) == -1:
        sizes[-1] = 2 * (x.shape[dims[-1]] - 1)
    last = sizes[-1]
    if last <= 0:
        raise RuntimeError(f"Invalid number of data points ({last}) specified")
    half = sizes[:-1] + [last // 2 + 1]
    return _c2r(_fit(x, dims, half), dims=dims, norm=_norm(norm), last=last)


def _one(n, dim):
    return (None if n is None else [n]), [dim]


# ---- public API -------------------------------------------------------------------------------
def _with_out(fn):
    """torch's out= for the transforms: compute, then write into out (no autograd)."""
    def inner(*args, **kwargs):
        return fn(*args, **kwargs)
    kind = "c2r" if fn.__name__.startswith(("irfft", "hfft")) else \
        "r2c" if fn.__name__.startswith(("rfft", "ihfft")) else "c2c"
    inner.__name__ = "_fft_" + kind      # the name torch's error message gives

    @functools.wraps(fn)
    def wrapper(*args, out=None, **kwargs):
        if out is None:
            return fn(*args, **kwargs)
        return _dispatch_out(inner, args, kwargs, out)
    return wrapper


@_with_out
def fft(input, n=None, dim=-1, norm=None):
    """torch.fft.fft"""
    return _c2c_api(input, *_one(n, dim), norm, True, "fft_fft")


@_with_out
def ifft(input, n=None, dim=-1, norm=None):
    """torch.fft.ifft"""
    return _c2c_api(input, *_one(n, dim), norm, False, "fft_ifft")


@_with_out
def rfft(input, n=None, dim=-1, norm=None):
    """torch.fft.rfft"""
    return _r2c_api(input, *_one(n, dim), norm, "fft_rfft")


@_with_out
def irfft(input, n=None, dim=-1, norm=None):
    """torch.fft.irfft"""
    return _c2r_api(input, *_one(n, dim), norm, "fft_irfft")


@_with_out
def hfft(input, n=None, dim=-1, norm=None):
    """torch.fft.hfft: irfft of the conjugate with the dual norm."""
    _check(input, "fft_hfft")
    x = _float_input(input, "fft_hfft")
    if x._dtype.is_complex:
        x = x.conj()
    return _c2r_api(x, *_one(n, dim), _DUAL[_norm(norm)], "fft_hfft")


@_with_out
def ihfft(input, n=None, dim=-1, norm=None):
    """torch.fft.ihfft: the conjugate of rfft with the dual norm."""
    return _r2c_api(input, *_one(n, dim), _DUAL[_norm(norm)], "fft_ihfft").conj()


@_with_out
def fftn(input, s=None, dim=None, norm=None):
    """torch.fft.fftn"""
    return _c2c_api(input, s, dim, norm, True, "fft_fftn")


@_with_out
def ifftn(input, s=None, dim=None, norm=None):
    """torch.fft.ifftn"""
    return _c2c_api(input, s, dim, norm, False, "fft_ifftn")


@_with_out
def rfftn(input, s=None, dim=None, norm=None):
    """torch.fft.rfftn"""
    return _r2c_api(input, s, dim, norm, "fft_rfftn")


@_with_out
def irfftn(input, s=None, dim=None, norm=None):
    """torch.fft.irfftn"""
    return _c2r_api(input, s, dim, norm, "fft_irfftn")


@_with_out
def fft2(input, s=None, dim=(-2, -1), norm=None):
    """torch.fft.fft2"""
    return _c2c_api(input, s, dim, norm, True, "fft_fft2")


@_with_out
def ifft2(input, s=None, dim=(-2, -1), norm=None):
    """torch.fft.ifft2"""
    return _c2c_api(input, s, dim, norm, False, "fft_ifft2")


@_with_out
def rfft2(input, s=None, dim=(-2, -1), norm=None):
    """torch.fft.rfft2"""
    return _r2c_api(input, s, dim, norm, "fft_rfft2")


@_with_out
def irfft2(input, s=None, dim=(-2, -1), norm=None):
    """torch.fft.irfft2"""
    return _c2r_api(input, s, dim, norm, "fft_irfft2")


def _freq(n, d, dtype, device, requires_grad, onesided, out):
    from ._creation import arange
    dt = dtype or D.get_default_dtype()
    if onesided:
        k = arange(n // 2 + 1, dtype=D.float64)
    else:
        k = arange(n, dtype=D.float64)
        k = k - (k >= (n + 1) // 2).to(D.float64) * n
    res = (k / (n * d)).to(dt)
    if device is not None:
        res = res.to(device)
    if out is not None:
        return write_out(out, res)
    return res.requires_grad_(requires_grad) if requires_grad else res


def fftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """torch.fft.fftfreq"""
    return _freq(n, d, dtype, device, requires_grad, False, out)


def rfftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """torch.fft.rfftfreq"""
    return _freq(n, d, dtype, device, requires_grad, True, out)


def _shift(input, dim, sign):
    if dim is None:
        dims = list(range(input.ndim))
    else:
        dims = [dim] if isinstance(dim, int) else list(dim)
    if not dims:
        return input
    shifts = [sign * (input.shape[d] // 2) for d in dims]
    return input.roll(shifts, dims)


def fftshift(input, dim=None):
    """torch.fft.fftshift"""
    return _shift(input, dim, 1)


def ifftshift(input, dim=None):
    """torch.fft.ifftshift"""
    return _shift(input, dim, -1)
