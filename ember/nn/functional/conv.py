"""Convolution as im2col (strided window views) plus one batched matmul; N-d for 1d/2d/3d.

Backward: the weight gradient is one batched matmul against the same columns; the input
gradient is a matmul back to columns followed by col2im, a loop over the kernel offsets only.
Gradients are computed on raw arrays (first derivatives; no double backward through conv).
"""

from __future__ import annotations

import math

from ..._tensor import Tensor
from ._common import const, first_order, nnop, xp_arr

__all__ = ["conv1d", "conv2d", "conv3d", "windows", "col2im_add", "tuple_arg"]


def tuple_arg(v, n: int, name: str = "") -> tuple:
    """An int or a sequence as an n-tuple (torch's _single/_pair/_triple)."""
    if isinstance(v, int):
        return (v,) * n
    v = tuple(int(a) for a in v)
    if len(v) == 1:
        return v * n
    if len(v) != n:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} "
                           f"values to match the convolution dimensions, but got {name}="
                           f"{list(v)}")
    return v


def windows(xp, x, kernel, stride, dilation, out_shape):
    """A read-only (N, C, *O, *K) window view of a padded (N, C, *S) array."""
    s = x.strides
    nd = len(kernel)
    shape = x.shape[:2] + tuple(out_shape) + tuple(kernel)
    strides = (s[0], s[1]) + tuple(s[2 + i] * stride[i] for i in range(nd)) + tuple(
        s[2 + i] * dilation[i] for i in range(nd))
    return xp.lib.stride_tricks.as_strided(x, shape, strides, writeable=False)


def col2im_add(xp, g_pad, cols, kernel, stride, dilation, out_shape) -> None:
    """Scatter-add (N, C, *O, *K) window gradients back into a padded (N, C, *S) array."""
    nd = len(kernel)
    for offs in _ndindex(kernel):
        sl = tuple(slice(offs[i] * dilation[i],
                         offs[i] * dilation[i] + stride[i] * (out_shape[i] - 1) + 1,
                         stride[i]) for i in range(nd))
        g_pad[(slice(None), slice(None)) + sl] += cols[(Ellipsis,) + tuple(offs)]


def _ndindex(shape):
    if not shape:
        yield ()
        return
    for i in range(shape[0]):
        for rest in _ndindex(shape[1:]):
            yield (i,) + rest


def _out_size(size, k, s, p, d) -> int:
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


@nnop()
def _convolution(input, weight, bias, stride=(1,), padding=(0,), dilation=(1,), groups=1):
    xp, x = xp_arr(input)
    w = weight._array
    nd = x.ndim - 2
    n, c = x.shape[:2]
    oc = w.shape[0]
    k = w.shape[2:]
    g = groups
    cg, ocg = c // g, oc // g
    pads = [(0, 0), (0, 0)] + [(p, p) for p in padding]
    xpad = xp.pad(x, pads) if any(padding) else x
    osz = tuple(_out_size(x.shape[2 + i], k[i], stride[i], padding[i], dilation[i])
                for i in range(nd))
    p = math.prod(osz)
    kk = cg * math.prod(k)
    win = windows(xp, xpad, k, stride, dilation, osz)            # (N, C, *O, *K)
    # (N, G, Cg, *O, *K) -> (N, G, *O, Cg, *K) -> (N, G, P, Cg*K): the im2col copy
    win = win.reshape((n, g, cg) + osz + tuple(k))
    perm = (0, 1) + tuple(range(3, 3 + nd)) + (2,) + tuple(range(3 + nd, 3 + 2 * nd))
    cols = xp.ascontiguousarray(win.transpose(perm)).reshape(n, g, p, kk)
    wm = w.reshape(g, ocg, kk)
    out = xp.matmul(cols, wm.transpose(0, 2, 1))                  # (N, G, P, OCg)
    out = out.transpose(0, 1, 3, 2).reshape((n, oc) + osz)
    if bias is not None:
        out = out + bias._array.reshape((1, oc) + (1,) * nd)
    out = xp.ascontiguousarray(out, dtype=x.dtype)

    def backward(gy):
        first_order("convolution")
        gyr = gy._array.reshape(n, g, ocg, p)
        gx = gw = gb = None
        if input._requires_grad:
            gcols = xp.matmul(gyr.transpose(0, 1, 3, 2), wm)       # (N, G, P, Cg*K)
            gcols = gcols.reshape((n, g) + osz + (cg,) + tuple(k))
            inv = (0, 1, 2 + nd) + tuple(range(2, 2 + nd)) + tuple(range(3 + nd, 3 + 2 * nd))
            gcols = gcols.transpose(inv).reshape((n, c) + osz + tuple(k))
            g_pad = xp.zeros(xpad.shape, x.dtype)
            col2im_add(xp, g_pad, gcols, k, stride, dilation, osz)
            sl = (slice(None), slice(None)) + tuple(
                slice(padding[i], padding[i] + x.shape[2 + i]) for i in range(nd))
            gx = const(g_pad[sl], gy)
        if weight._requires_grad:
            a = gyr.transpose(1, 2, 0, 3).reshape(g, ocg, n * p)
            b = cols.transpose(1, 0, 2, 3).reshape(g, n * p, kk)
            gw = const(xp.matmul(a, b).reshape(w.shape), gy)
        if bias is not None and bias._requires_grad:
            gb = const(gy._array.sum(axis=(0,) + tuple(range(2, 2 + nd))), gy)
        return gx, gw, gb
    return out, backward, {"name": "ConvolutionBackward0"}


def _conv(input: Tensor, weight: Tensor, bias, stride, padding, dilation, groups,
          nd: int) -> Tensor:
    name = f"conv{nd}d"
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to "
                           f"{name}, but got input of size: {list(input.shape)}")
    unbatched = input.dim() == nd + 1
    if unbatched:
        input = input.unsqueeze(0)
    if weight.dim() != nd + 2:
        raise RuntimeError("weight should have at least three dimensions")
    stride = tuple_arg(stride, nd, "stride")
    dilation = tuple_arg(dilation, nd, "dilation")
    k = tuple(weight.shape[2:])
    if isinstance(padding, str):
        if padding == "valid":
            padding = (0,) * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            total = [dilation[i] * (k[i] - 1) for i in range(nd)]
            left = [t // 2 for t in total]
            if any(t % 2 for t in total):
                # torch pads the extra element on the right
                from .misc import pad as _pad
                extra = []
                for i in reversed(range(nd)):
                    extra += [0, total[i] - 2 * left[i]]
                input = _pad(input, extra)
            padding = tuple(left)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        padding = tuple_arg(padding, nd, "padding")
    c = input.size(1)
    if c != weight.size(1) * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {list(weight.shape)}, "
                           f"expected input{list(input.shape)} to have "
                           f"{weight.size(1) * groups} channels, but got {c} channels instead")
    if weight.size(0) % groups:
        raise RuntimeError("Given groups=" + str(groups) + ", expected weight to be divisible "
                           f"by {groups} at dimension 0, but got weight of size "
                           f"{list(weight.shape)} instead")
    for i in range(nd):
        if input.size(2 + i) + 2 * padding[i] < dilation[i] * (k[i] - 1) + 1:
            raise RuntimeError(
                f"Calculated padded input size per channel: "
                f"({' x '.join(str(input.size(2 + j) + 2 * padding[j]) for j in range(nd))}). "
                f"Kernel size: ({' x '.join(str(kk) for kk in k)}). Kernel size can't be "
                "greater than actual input size")
    out = _convolution(input, weight, bias, stride=stride, padding=padding, dilation=dilation,
                       groups=groups)
    return out.squeeze(0) if unbatched else out


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """torch.nn.functional.conv1d."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """torch.nn.functional.conv2d."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2)


def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """torch.nn.functional.conv3d."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 3)
