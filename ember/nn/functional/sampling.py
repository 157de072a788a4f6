"""affine_grid and grid_sample (2-D; bilinear / nearest; zeros / border / reflection padding)."""

from __future__ import annotations

import ember

from ..._tensor import Tensor
from ._common import const, first_order, nnop, xp_arr

__all__ = ["affine_grid", "grid_sample"]


def affine_grid(theta: Tensor, size, align_corners: bool | None = None) -> Tensor:
    """torch.nn.functional.affine_grid for 2-D: (N, 2, 3) -> an (N, H, W, 2) sampling grid."""
    if align_corners is None:
        align_corners = False
    if len(size) != 4:
        raise NotImplementedError("affine_grid only supports 4D sizes (2-D grids) in Ember")
    n, _, h, w = size
    if tuple(theta.shape) != (n, 2, 3):
        raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size "
                         f"{list(size)}. Got {list(theta.shape)}.")

    def lin(steps):
        if steps <= 1:
            return ember.zeros(steps, dtype=theta.dtype)
        r = ember.linspace(-1, 1, steps, dtype=theta.dtype)
        return r if align_corners else r * ((steps - 1) / steps)
    xs = lin(w).reshape(1, w, 1).expand(h, w, 1)
    ys = lin(h).reshape(h, 1, 1).expand(h, w, 1)
    base = ember.cat([xs, ys, ember.ones(h, w, 1, dtype=theta.dtype)], 2)   # (H, W, 3)
    return (base.reshape(1, h * w, 3) @ theta.transpose(1, 2)).reshape(n, h, w, 2)


def _reflect(xp, x, twice_lo, twice_hi):
    """torch's reflect_coordinates: fold x into [twice_lo / 2, twice_hi / 2]."""
    if twice_lo == twice_hi:
        return xp.zeros_like(x), xp.zeros_like(x)
    mn = twice_lo / 2
    span = (twice_hi - twice_lo) / 2
    xc = xp.abs(x - mn)
    flips = xp.floor(xc / span)
    extra = xp.fmod(xc, span)
    out = xp.where(flips % 2 == 0, extra + mn, span - extra + mn).astype(x.dtype)
    # derivative sign of the reflection (for the grid gradient)
    sign = xp.where(x - mn < 0, -1.0, 1.0) * xp.where(flips % 2 == 0, 1.0, -1.0)
    return out, sign


def _source(xp, coord, size, align_corners, padding_mode):
    """Unnormalised source coordinates (in the grid's dtype, torch's formula order) and
    d(source)/d(grid)."""
    one = coord.dtype.type(1)
    if align_corners:
        scale = (size - 1) / 2
        x = ((coord + one) / 2) * coord.dtype.type(size - 1)
    else:
        scale = size / 2
        x = ((coord + one) * coord.dtype.type(size) - one) / 2
    dx = xp.full(x.shape, scale)
    if padding_mode == "border":
        inside = (x > 0) & (x < size - 1)
        x = xp.clip(x, 0, size - 1)
        dx = dx * inside
    elif padding_mode == "reflection":
        if align_corners:
            x, sign = _reflect(xp, x, 0, 2 * (size - 1))
        else:
            x, sign = _reflect(xp, x, -1, 2 * size - 1)
        dx = dx * sign
        inside = (x > 0) & (x < size - 1)
        x = xp.clip(x, 0, size - 1)
        dx = dx * inside
    return x.astype(xp.float64), dx


@nnop()
def _grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=False):
    xp, x = xp_arr(input)
    g = grid._array
    n, c, h, w = x.shape
    ix, dix = _source(xp, g[..., 0], w, align_corners, padding_mode)
    iy, diy = _source(xp, g[..., 1], h, align_corners, padding_mode)
    ho, wo = ix.shape[1:]
    bidx = xp.arange(n)[:, None, None]

    def tap(yy, xx):
        """(values (N, Ho, Wo, C), validity mask) of input at integer positions."""
        ok = (xx >= 0) & (xx < w) & (yy >= 0) & (yy < h)
        v = x.transpose(0, 2, 3, 1)[bidx, xp.clip(yy, 0, h - 1), xp.clip(xx, 0, w - 1)]
        return v * ok[..., None], ok

    if mode == "nearest":
        xn = xp.rint(ix).astype(xp.int64)
        yn = xp.rint(iy).astype(xp.int64)
        val, ok = tap(yn, xn)
        out = val.transpose(0, 3, 1, 2).astype(x.dtype)

        def backward(gy):
            first_order("grid_sample")
            gya = gy._array.transpose(0, 2, 3, 1) * ok[..., None]
            gx = xp.zeros((n, h, w, c), gya.dtype)
            xp.add.at(gx, (bidx, xp.clip(yn, 0, h - 1), xp.clip(xn, 0, w - 1)), gya)
            return (const(gx.transpose(0, 3, 1, 2), gy),
                    const(xp.zeros(grid._array.shape), gy) if grid._requires_grad else None)
        return out, backward, {"name": "GridSampler2DBackward0"}

    x0 = xp.floor(ix).astype(xp.int64)
    y0 = xp.floor(iy).astype(xp.int64)
    fx, fy = ix - x0, iy - y0
    corners = [(y0, x0, (1 - fx) * (1 - fy)), (y0, x0 + 1, fx * (1 - fy)),
               (y0 + 1, x0, (1 - fx) * fy), (y0 + 1, x0 + 1, fx * fy)]
    vals = [tap(yy, xx) for yy, xx, _ in corners]
    out = sum(v * wgt[..., None] for (v, _), (_, _, wgt) in zip(vals, corners))
    out = out.transpose(0, 3, 1, 2).astype(x.dtype)

    def backward(gy):
        first_order("grid_sample")
        gya = gy._array.transpose(0, 2, 3, 1).astype(xp.float64)      # (N, Ho, Wo, C)
        gx = ggrid = None
        if input._requires_grad:
            acc = xp.zeros((n, h, w, c), xp.float64)
            for (yy, xx, wgt), (_, ok) in zip(corners, vals):
                xp.add.at(acc, (bidx, xp.clip(yy, 0, h - 1), xp.clip(xx, 0, w - 1)),
                          gya * (wgt * ok)[..., None])
            gx = const(acc.transpose(0, 3, 1, 2), gy)
        if grid._requires_grad:
            (v00, _), (v01, _), (v10, _), (v11, _) = vals
            # d out / d ix and d out / d iy of the bilinear blend
            d_ix = (v01 - v00) * (1 - fy)[..., None] + (v11 - v10) * fy[..., None]
            d_iy = (v10 - v00) * (1 - fx)[..., None] + (v11 - v01) * fx[..., None]
            gix = (gya * d_ix).sum(-1) * dix
            giy = (gya * d_iy).sum(-1) * diy
            ggrid = const(xp.stack([gix, giy], -1), gy).to(grid.dtype)
        return gx, ggrid
    return out, backward, {"name": "GridSampler2DBackward0"}


def grid_sample(input: Tensor, grid: Tensor, mode: str = "bilinear",
                padding_mode: str = "zeros", align_corners: bool | None = None) -> Tensor:
    """torch.nn.functional.grid_sample for 4-D input (bilinear / nearest)."""
    if mode not in ("bilinear", "nearest"):
        raise NotImplementedError(f"grid_sample mode '{mode}' is not implemented in Ember yet")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    if input.dim() != 4:
        raise NotImplementedError("grid_sample only supports 4-D input in Ember yet")
    if grid.dim() != 4 or grid.size(-1) != 2 or grid.size(0) != input.size(0):
        raise RuntimeError(f"grid_sampler(): expected grid to have size 2 in last dimension and "
                           f"batch {input.size(0)}, but got grid with sizes "
                           f"{list(grid.shape)}")
    return _grid_sample(input, grid, mode=mode, padding_mode=padding_mode,
                        align_corners=bool(align_corners))
