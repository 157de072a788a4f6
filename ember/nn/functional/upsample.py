"""F.interpolate (nearest(-exact), (bi/tri)linear, bicubic, area) as separable linear maps.

Each spatial axis is resampled by an (out, in) matrix built with torch's index arithmetic;
the op and its adjoint (the transposed matrices) are a pair of primitives, so gradients of any
order are exact.
"""

from __future__ import annotations

import math

from ..._tensor import Tensor
from ._common import nnop, xp_arr

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear"]

_LINEAR = {"linear": 1, "bilinear": 2, "trilinear": 3, "bicubic": 2}


def _axis_matrix(xp, n_in: int, n_out: int, mode: str, align_corners, scale, dtype):
    """The (n_out, n_in) resampling matrix of one axis."""
    m = xp.zeros((n_out, n_in), dtype)
    dst = xp.arange(n_out, dtype=xp.float64)
    rows = xp.arange(n_out)
    if mode in ("nearest", "nearest-exact"):
        s = (1.0 / scale) if scale else n_in / n_out
        # torch computes the nearest source index in float32
        s = float(xp.float32(s))
        off = 0.5 if mode == "nearest-exact" else 0.0
        src = xp.floor((dst.astype(xp.float32) + xp.float32(off)) * xp.float32(s))
        idx = xp.minimum(src.astype(xp.int64), n_in - 1)
        m[rows, idx] = 1
        return m
    if align_corners:
        s = (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
        src = dst * s
    else:
        s = (1.0 / scale) if scale else n_in / n_out
        src = (dst + 0.5) * s - 0.5
        if mode != "bicubic":
            src = xp.maximum(src, 0.0)
    if mode == "bicubic":
        # Keys' cubic convolution with A = -0.75; taps clamped at the borders, as torch does
        a = -0.75
        i0 = xp.floor(src).astype(xp.int64)
        t = src - i0

        def near(x):
            return ((a + 2) * x - (a + 3)) * x * x + 1

        def far(x):
            return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
        for off, wt in ((-1, far(t + 1)), (0, near(t)), (1, near(1 - t)), (2, far(2 - t))):
            xp.add.at(m, (rows, xp.clip(i0 + off, 0, n_in - 1)), wt)
        return m
    i0 = xp.minimum(xp.floor(src).astype(xp.int64), n_in - 1)
    i1 = xp.minimum(i0 + 1, n_in - 1)
    lam = src - i0
    xp.add.at(m, (rows, i0), 1 - lam)
    xp.add.at(m, (rows, i1), lam)
    return m


def _apply(xp, x, mats, transpose: bool):
    nd = len(mats)
    for i, m in enumerate(mats):
        ax = x.ndim - nd + i
        x = xp.moveaxis(xp.tensordot(x, m, axes=([ax], [0 if transpose else 1])), -1, ax)
    return xp.ascontiguousarray(x)


@nnop(saves=False)
def _resample(input, mats=(), name="UpsampleBackward0"):
    xp, x = xp_arr(input)
    out = _apply(xp, x, [m.astype(x.dtype) for m in mats], False).astype(x.dtype)
    return out, lambda gy: (_resample_adj(gy, mats=mats),), {"name": name}


@nnop(saves=False)
def _resample_adj(gy, mats=()):
    xp, g = xp_arr(gy)
    out = _apply(xp, g, [m.astype(g.dtype) for m in mats], True).astype(g.dtype)
    return out, lambda gg: (_resample(gg, mats=mats),), {"name": "UpsampleBackwardBackward0"}


def interpolate(input: Tensor, size=None, scale_factor=None, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Tensor:
    """torch.nn.functional.interpolate (nearest, nearest-exact, (bi/tri)linear, bicubic, area)."""
    modes = ("nearest", "nearest-exact", "linear", "bilinear", "trilinear", "bicubic", "area")
    if mode not in modes:
        raise NotImplementedError(f"Input Error: interpolate mode {mode!r} is not implemented "
                                  "in Ember yet")
    if mode in ("nearest", "nearest-exact") and align_corners is not None:
        raise ValueError("align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | bicubic | trilinear")
    if antialias:
        raise NotImplementedError("interpolate(antialias=True) is not implemented in Ember yet")
    if mode == "area" and align_corners is not None:
        raise ValueError("align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | bicubic | trilinear")
    nd = input.dim() - 2
    if mode in _LINEAR and _LINEAR[mode] != nd:
        raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs "
                                  f"{_LINEAR[mode] + 2}D input")
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is None and scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    spatial = tuple(input.shape[2:])
    scales = [None] * nd
    if size is not None:
        out = tuple(size) if isinstance(size, (tuple, list)) else (size,) * nd
        if len(out) != nd:
            raise ValueError(f"Input and output must have the same number of spatial "
                             f"dimensions, but got input with spatial dimensions of "
                             f"{list(spatial)} and output size of {list(out)}. Please provide "
                             "input tensor in (N, C, d1, d2, ...,dK) format and output size in "
                             "(o1, o2, ...,oK) format.")
    else:
        sf = tuple(scale_factor) if isinstance(scale_factor, (tuple, list)) else \
            (scale_factor,) * nd
        if len(sf) != nd:
            raise ValueError(f"Input and scale_factor must have the same number of spatial "
                             f"dimensions, but got input with spatial dimensions of "
                             f"{list(spatial)} and scale_factor of shape {list(sf)}. Please "
                             "provide input tensor in (N, C, d1, d2, ...,dK) format and "
                             "scale_factor in (s1, s2, ...,sK) format.")
        out = tuple(int(math.floor(float(spatial[i]) * sf[i])) for i in range(nd))
        if not recompute_scale_factor:
            scales = [float(f) for f in sf]
    if mode == "area":
        from .pooling import _adaptive_avg
        return _adaptive_avg(input, output_size=tuple(out))
    xp, x = xp_arr(input)
    mats = tuple(_axis_matrix(xp, spatial[i], out[i], mode, align_corners, scales[i],
                              xp.float64) for i in range(nd))
    names = {"nearest": "UpsampleNearest", "nearest-exact": "UpsampleNearestExact",
             "linear": "UpsampleLinear", "bilinear": "UpsampleBilinear",
             "trilinear": "UpsampleTrilinear", "bicubic": "UpsampleBicubic"}
    return _resample(input, mats=mats, name=f"{names[mode]}{nd}DBackward0")


def upsample(input: Tensor, size=None, scale_factor=None, mode: str = "nearest",
             align_corners: bool | None = None) -> Tensor:
    """torch.nn.functional.upsample (deprecated alias of interpolate)."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size=None, scale_factor=None) -> Tensor:
    """torch.nn.functional.upsample_nearest."""
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size=None, scale_factor=None) -> Tensor:
    """torch.nn.functional.upsample_bilinear (align_corners=True)."""
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
