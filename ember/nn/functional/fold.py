"""unfold (im2col) and fold (col2im): a pair of adjoint primitives, so any order is exact."""

from __future__ import annotations

import math

from ..._tensor import Tensor
from ._common import nnop, xp_arr
from .conv import _out_size, col2im_add, tuple_arg, windows

__all__ = ["unfold", "fold", "pixel_shuffle", "pixel_unshuffle", "channel_shuffle"]


@nnop(saves=False)
def _unfold(input, kernel_size=(1, 1), dilation=(1, 1), padding=(0, 0), stride=(1, 1)):
    xp, x = xp_arr(input)
    n, c = x.shape[:2]
    xpad = xp.pad(x, [(0, 0), (0, 0)] + [(p, p) for p in padding]) if any(padding) else x
    osz = tuple(_out_size(x.shape[2 + i], kernel_size[i], stride[i], padding[i], dilation[i])
                for i in range(2))
    win = windows(xp, xpad, kernel_size, stride, dilation, osz)    # (N, C, oh, ow, kh, kw)
    out = xp.ascontiguousarray(win.transpose(0, 1, 4, 5, 2, 3)).reshape(
        n, c * math.prod(kernel_size), math.prod(osz))
    geo = dict(kernel_size=kernel_size, dilation=dilation, padding=padding, stride=stride)
    return out, lambda gy: (_fold(gy, output_size=x.shape[2:], **geo),), {
        "name": "Im2ColBackward0"}


@nnop(saves=False)
def _fold(input, output_size=(1, 1), kernel_size=(1, 1), dilation=(1, 1), padding=(0, 0),
          stride=(1, 1)):
    xp, x = xp_arr(input)
    n = x.shape[0]
    k = math.prod(kernel_size)
    c = x.shape[1] // k
    osz = tuple(_out_size(output_size[i], kernel_size[i], stride[i], padding[i], dilation[i])
                for i in range(2))
    cols = x.reshape((n, c) + tuple(kernel_size) + osz).transpose(0, 1, 4, 5, 2, 3)
    out = xp.zeros((n, c) + tuple(output_size[i] + 2 * padding[i] for i in range(2)), x.dtype)
    col2im_add(xp, out, cols, kernel_size, stride, dilation, osz)
    out = xp.ascontiguousarray(out[:, :, padding[0]:padding[0] + output_size[0],
                                   padding[1]:padding[1] + output_size[1]])
    geo = dict(kernel_size=kernel_size, dilation=dilation, padding=padding, stride=stride)
    return out, lambda gy: (_unfold(gy, **geo),), {"name": "Col2ImBackward0"}


def unfold(input: Tensor, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """torch.nn.functional.unfold: (N, C, H, W) -> (N, C*kh*kw, L) sliding blocks."""
    if input.dim() not in (3, 4):
        raise NotImplementedError(f"Input Error: Only 3D or 4D input Tensors are supported "
                                  f"(got {input.dim()}D)")
    batched = input.dim() == 4
    x = input if batched else input.unsqueeze(0)
    out = _unfold(x, kernel_size=tuple_arg(kernel_size, 2), dilation=tuple_arg(dilation, 2),
                  padding=tuple_arg(padding, 2), stride=tuple_arg(stride, 2))
    return out if batched else out.squeeze(0)


def fold(input: Tensor, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """torch.nn.functional.fold: sum (N, C*kh*kw, L) blocks back into (N, C, *output_size)."""
    if input.dim() not in (2, 3):
        raise NotImplementedError(f"Input Error: Only unbatched (2D) or batched (3D) input "
                                  f"Tensors are supported (got {input.dim()}D)")
    kernel_size = tuple_arg(kernel_size, 2)
    output_size = tuple_arg(output_size, 2)
    dilation, padding, stride = (tuple_arg(v, 2) for v in (dilation, padding, stride))
    batched = input.dim() == 3
    x = input if batched else input.unsqueeze(0)
    k = math.prod(kernel_size)
    if x.size(1) % k:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product "
                           f"of kernel_size, but got input.size(1)={x.size(1)} and "
                           f"kernel_size={kernel_size}")
    blocks = math.prod(_out_size(output_size[i], kernel_size[i], stride[i], padding[i],
                                 dilation[i]) for i in range(2))
    if x.size(2) != blocks:
        raise RuntimeError(f"Given output_size={output_size}, kernel_size={kernel_size}, "
                           f"dilation={dilation}, padding={padding}, stride={stride}, expected "
                           f"size of input's dimension 2 to match the calculated number of "
                           f"sliding blocks {blocks}, but got input.size(2)={x.size(2)}.")
    out = _fold(x, output_size=output_size, kernel_size=kernel_size, dilation=dilation,
                padding=padding, stride=stride)
    return out if batched else out.squeeze(0)


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """torch.nn.functional.pixel_shuffle: (*, C*r*r, H, W) -> (*, C, H*r, W*r)."""
    r = upscale_factor
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError("pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)={c} "
                           f"is not divisible by {r * r}")
    nd = len(lead)
    x = input.reshape(*lead, c // (r * r), r, r, h, w)
    perm = list(range(nd)) + [nd, nd + 3, nd + 1, nd + 4, nd + 2]
    return x.permute(*perm).reshape(*lead, c // (r * r), h * r, w * r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """torch.nn.functional.pixel_unshuffle: (*, C, H*r, W*r) -> (*, C*r*r, H, W)."""
    r = downscale_factor
    *lead, c, h, w = input.shape
    if h % r or w % r:
        raise RuntimeError("pixel_unshuffle expects height and width to be divisible by "
                           f"downscale_factor, but got height={h}, width={w}, "
                           f"downscale_factor={r}")
    nd = len(lead)
    x = input.reshape(*lead, c, h // r, r, w // r, r)
    perm = list(range(nd)) + [nd, nd + 2, nd + 4, nd + 1, nd + 3]
    return x.permute(*perm).reshape(*lead, c * r * r, h // r, w // r)


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """torch.nn.functional.channel_shuffle: (N, g*k, *) -> channels interleaved by group."""
    n, c = input.shape[:2]
    if groups <= 0 or c % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels "
                           f"and {groups} groups.")
    rest = tuple(input.shape[2:])
    return input.reshape(n, groups, c // groups, *rest).transpose(1, 2).reshape(n, c, *rest)
