"""Convolution as im2col (strided window views) plus one batched matmul; N-d for 1d/2d/3d.

Backward: the weight gradient is one batched matmul against the same columns; the input
gradient is a matmul back to columns followed by col2im, a loop over the kernel offsets only.
"""

from __future__ import annotations

import math

from ..._tensor import Tensor
from ...autograd.grad_mode import GRAD_ENABLED
from ...backend import as_strided
from ._common import const, nnop, xp_arr

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d", "windows", "col2im_add", "tuple_arg"]


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
    # CuPy's as_strided takes no writeable flag: the backend helper hides that
    return as_strided(x, shape, strides, writeable=False)


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


def _im2col(xp, x, k, stride, padding, dilation, groups):
    """(cols (G, Cg*K, N*P), padded shape, output spatial size) of an (N, C, *S) array.

    Channel-and-kernel-major columns with batch and output positions last: the copy reads whole
    output rows, each conv is one GEMM per group, and only the (smaller) output is transposed.
    """
    nd = x.ndim - 2
    n, c = x.shape[:2]
    cg = c // groups
    if any(padding):
        xpad = xp.zeros((n, c) + tuple(x.shape[2 + i] + 2 * padding[i] for i in range(nd)),
                        x.dtype)
        xpad[(slice(None), slice(None)) + tuple(
            slice(padding[i], padding[i] + x.shape[2 + i]) for i in range(nd))] = x
    else:
        xpad = x
    osz = tuple(_out_size(x.shape[2 + i], k[i], stride[i], padding[i], dilation[i])
                for i in range(nd))
    win = windows(xp, xpad, k, stride, dilation, osz)            # (N, C, *O, *K)
    # (N, C, *O, *K) -> (C, *K, N, *O) -> (G, Cg*K, N*P): the one im2col copy
    perm = (1,) + tuple(range(2 + nd, 2 + 2 * nd)) + (0,) + tuple(range(2, 2 + nd))
    cols = xp.ascontiguousarray(win.transpose(perm)).reshape(
        groups, cg * math.prod(k), n * math.prod(osz))
    return cols, xpad.shape, osz


def _batch_major(xp, a, n: int, oc: int, osz: tuple):
    """(G, OCg, N*P) GEMM output -> a contiguous (N, OC, *O) array."""
    a = a.reshape(oc, n, math.prod(osz))
    return xp.ascontiguousarray(a.transpose(1, 0, 2)).reshape((n, oc) + tuple(osz))


def _channel_major(xp, gy, groups: int):
    """(N, OC, *O) -> a contiguous (G, OCg, N*P) array (the GEMM operand layout)."""
    n, oc = gy.shape[:2]
    p = math.prod(gy.shape[2:])
    gt = xp.ascontiguousarray(gy.reshape(n, oc, p).transpose(1, 0, 2))
    return gt.reshape(groups, oc // groups, n * p)


def _conv_arr(xp, x, w, stride, padding, dilation, groups):
    """conv(x, w) on raw arrays; also returns the columns for the weight gradient."""
    n, oc, nd = x.shape[0], w.shape[0], x.ndim - 2
    cols, _, osz = _im2col(xp, x, w.shape[2:], stride, padding, dilation, groups)
    wm = w.reshape(groups, oc // groups, cols.shape[1])
    out = xp.matmul(wm, cols)                                     # (G, OCg, N*P)
    out = _batch_major(xp, out, n, oc, osz)
    return (out if out.dtype == x.dtype else out.astype(x.dtype)), cols, nd


def _gx_arr(xp, gy, w, in_shape, stride, padding, dilation, groups):
    """The input gradient J_x^T gy (a transposed convolution) on raw arrays."""
    nd = len(in_shape) - 2
    n, c = in_shape[:2]
    k = tuple(w.shape[2:])
    osz = tuple(gy.shape[2:])
    ocg = w.shape[0] // groups
    wm = w.reshape(groups, ocg, (c // groups) * math.prod(k))
    gcols = xp.matmul(wm.transpose(0, 2, 1), _channel_major(xp, gy, groups))  # (G, CgK, N*P)
    gcols = gcols.reshape((c,) + k + (n,) + osz)
    pshape = (n, c) + tuple(in_shape[2 + i] + 2 * padding[i] for i in range(nd))
    g_pad = xp.zeros(pshape, gy.dtype)
    for offs in _ndindex(k):                 # col2im: one strided slice-add per kernel offset
        sl = tuple(slice(offs[i] * dilation[i],
                         offs[i] * dilation[i] + stride[i] * (osz[i] - 1) + 1,
                         stride[i]) for i in range(nd))
        g_pad[(slice(None), slice(None)) + sl] += gcols[(slice(None),) + offs].swapaxes(0, 1)
    if not any(padding):
        return g_pad
    sl = (slice(None), slice(None)) + tuple(
        slice(padding[i], padding[i] + in_shape[2 + i]) for i in range(nd))
    return xp.ascontiguousarray(g_pad[sl])


def _gw_arr(xp, cols, gy, w_shape, groups):
    """The weight gradient from the input columns and gy on raw arrays: one GEMM per group."""
    gw = xp.matmul(_channel_major(xp, gy, groups), cols.transpose(0, 2, 1))
    return gw.reshape(w_shape).astype(gy.dtype, copy=False)


def _sum_bias(gy: Tensor):
    return gy.sum(dim=(0,) + tuple(range(2, gy.dim())))


# The three ops below are closed under differentiation (each one's derivatives are the others),
# so convolutions have exact gradients of any order. The first-order path stays on raw arrays.
@nnop()
def _convolution(input, weight, bias, stride=(1,), padding=(0,), dilation=(1,), groups=1):
    xp, x = xp_arr(input)
    w = weight._array
    out, cols, nd = _conv_arr(xp, x, w, stride, padding, dilation, groups)
    if bias is not None:
        out += bias._array.reshape((1, -1) + (1,) * nd).astype(out.dtype)
    geo = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)

    def backward(gy):
        gx = gw = gb = None
        if GRAD_ENABLED[0]:
            if input._requires_grad:
                gx = _conv_gx(gy, weight, None, in_shape=x.shape, **geo)
            if weight._requires_grad:
                gw = _conv_gw(input, gy, w_shape=w.shape, **geo)
            if bias is not None and bias._requires_grad:
                gb = _sum_bias(gy)
            return gx, gw, gb
        if input._requires_grad:
            gx = const(_gx_arr(xp, gy._array, w, x.shape, **geo), gy)
        if weight._requires_grad:
            gw = const(_gw_arr(xp, cols, gy._array, w.shape, groups), gy)
        if bias is not None and bias._requires_grad:
            gb = const(gy._array.sum(axis=(0,) + tuple(range(2, 2 + nd))), gy)
        return gx, gw, gb
    return out, backward, {"name": "ConvolutionBackward0"}


@nnop()
def _conv_gx(gy, weight, bias, in_shape=(), stride=(1,), padding=(0,), dilation=(1,),
             groups=1):
    """J_x^T gy of conv(x, weight): also the forward of conv_transpose (plus bias)."""
    xp, g = xp_arr(gy)
    out = _gx_arr(xp, g, weight._array, in_shape, stride, padding, dilation, groups)
    nd = len(in_shape) - 2
    if bias is not None:
        out += bias._array.reshape((1, -1) + (1,) * nd).astype(out.dtype)
    geo = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)

    def backward(gg):
        a = b = c = None
        if gy._requires_grad:
            a = _convolution(gg, weight, None, **geo)
        if weight._requires_grad:
            b = _conv_gw(gg, gy, w_shape=tuple(weight.shape), **geo)
        if bias is not None and bias._requires_grad:
            c = _sum_bias(gg)
        return a, b, c
    return out, backward, {"name": "ConvolutionBackward0"}


@nnop()
def _conv_gw(input, gy, w_shape=(), stride=(1,), padding=(0,), dilation=(1,), groups=1):
    """The weight gradient of conv(input, w) for output gradient gy."""
    xp, x = xp_arr(input)
    cols, _, _ = _im2col(xp, x, w_shape[2:], stride, padding, dilation, groups)
    out = _gw_arr(xp, cols, gy._array, w_shape, groups)
    geo = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)

    def backward(gg):
        a = b = None
        if input._requires_grad:
            a = _conv_gx(gy, gg, None, in_shape=x.shape, **geo)
        if gy._requires_grad:
            b = _convolution(input, gg, None, **geo)
        return a, b
    return out, backward, {"name": "ConvolutionBackwardBackward0"}


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


def _conv_transpose(input: Tensor, weight: Tensor, bias, stride, padding, output_padding,
                    groups, dilation, nd: int) -> Tensor:
    name = f"conv_transpose{nd}d"
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to "
                           f"{name}, but got input of size: {list(input.shape)}")
    unbatched = input.dim() == nd + 1
    if unbatched:
        input = input.unsqueeze(0)
    stride = tuple_arg(stride, nd, "stride")
    padding = tuple_arg(padding, nd, "padding")
    output_padding = tuple_arg(output_padding, nd, "output_padding")
    dilation = tuple_arg(dilation, nd, "dilation")
    if input.size(1) != weight.size(0):
        raise RuntimeError(f"Given transposed=1, weight of size {list(weight.shape)}, expected "
                           f"input{list(input.shape)} to have {weight.size(0)} channels, but "
                           f"got {input.size(1)} channels instead")
    for i in range(nd):
        if output_padding[i] >= stride[i] and output_padding[i] >= dilation[i]:
            raise RuntimeError("output padding must be smaller than either stride or dilation, "
                               f"but got output_padding={list(output_padding)}, stride="
                               f"{list(stride)}, dilation={list(dilation)}")
    k = tuple(weight.shape[2:])
    spatial = tuple((input.size(2 + i) - 1) * stride[i] - 2 * padding[i]
                    + dilation[i] * (k[i] - 1) + output_padding[i] + 1 for i in range(nd))
    in_shape = (input.size(0), weight.size(1) * groups) + spatial
    out = _conv_gx(input, weight, bias, in_shape=in_shape, stride=stride, padding=padding,
                   dilation=dilation, groups=groups)
    return out.squeeze(0) if unbatched else out


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """torch.nn.functional.conv_transpose1d."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 1)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """torch.nn.functional.conv_transpose2d."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 2)


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """torch.nn.functional.conv_transpose3d."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 3)
