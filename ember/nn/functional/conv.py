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


# im2col columns for this many bytes at a time: a chunk that stays in L2 makes its copy and its
# GEMM cheap, where one whole-batch column matrix (tens of MB) ran at memory speed.
_CHUNK_BYTES = 4 << 20


def _pad_arr(xp, x, padding):
    """x zero-padded on both sides of every spatial axis (x itself without padding)."""
    if not any(padding):
        return x
    nd = x.ndim - 2
    xpad = xp.zeros(x.shape[:2] + tuple(x.shape[2 + i] + 2 * padding[i] for i in range(nd)),
                    x.dtype)
    xpad[(slice(None), slice(None)) + tuple(
        slice(padding[i], padding[i] + x.shape[2 + i]) for i in range(nd))] = x
    return xpad


def _cols(xp, xpad, k, stride, dilation, osz, groups):
    """(G, Cg*K, n*P) columns of a padded (n, C, *S) array: channel-and-kernel major, batch and
    output positions last, so a conv is one GEMM per group with no big transpose after it."""
    nd = len(k)
    n, c = xpad.shape[:2]
    win = windows(xp, xpad, k, stride, dilation, osz)            # (n, C, *O, *K)
    perm = (1,) + tuple(range(2 + nd, 2 + 2 * nd)) + (0,) + tuple(range(2, 2 + nd))
    return xp.ascontiguousarray(win.transpose(perm)).reshape(
        groups, (c // groups) * math.prod(k), n * math.prod(osz))


def _step(n: int, cols_per_item: int, itemsize: int, w_size: int) -> int:
    """Batch items per im2col chunk: cache-sized, but at least four times the weight's size,
    since every chunk's GEMM reads all of the weight again (ResNet's 512-channel layers ran
    their backward 1.6x faster with whole-batch chunks)."""
    budget = max(_CHUNK_BYTES, 4 * w_size * itemsize)
    return max(1, min(n, budget // max(1, cols_per_item * itemsize)))


# one image's columns above 1.5x this size are built a band of output rows at a time: a band
# that fits L2 (1.2 MB of columns) ran the 64-channel 32x32 conv 12% faster than whole images
_ROW_CHUNK_BYTES = 1200 << 10


def _bands(xp, xpad, k, stride, dilation, osz, groups, item):
    """(image, first row, end row, columns) for bands of output rows of each image in turn."""
    rows = max(1, osz[0] * _ROW_CHUNK_BYTES // item)
    for i in range(xpad.shape[0]):
        for r0 in range(0, osz[0], rows):
            r1 = min(osz[0], r0 + rows)
            lo, hi = r0 * stride[0], (r1 - 1) * stride[0] + dilation[0] * (k[0] - 1) + 1
            yield i, r0, r1, _cols(xp, xpad[i:i + 1, :, lo:hi], k, stride, dilation,
                                   (r1 - r0,) + tuple(osz[1:]), groups)


def _banded(step: int, item: int, osz) -> bool:
    return step == 1 and 2 * item > 3 * _ROW_CHUNK_BYTES and osz[0] > 1


def _conv_rows(xp, xpad, wm, out, k, stride, dilation, osz, groups, bias, item) -> None:
    """_conv_arr's loop for large single images: bands of output rows, one GEMM each."""
    n, oc = out.shape[:2]
    outv = out.reshape(n, oc, osz[0], -1)
    b = None if bias is None else bias.reshape(-1, 1, 1)
    for i, r0, r1, cols in _bands(xp, xpad, k, stride, dilation, osz, groups, item):
        o = xp.matmul(wm, cols).reshape(oc, r1 - r0, -1)
        if b is None:
            outv[i, :, r0:r1] = o
        else:
            xp.add(o, b, out=outv[i, :, r0:r1])


def _conv_arr(xp, x, w, stride, padding, dilation, groups, bias=None):
    """conv(x, w) (+ bias) on raw arrays: im2col + one GEMM per group, a cache-sized chunk at a
    time; the bias is added while each chunk's product is copied out (no extra pass)."""
    n, oc, nd = x.shape[0], w.shape[0], x.ndim - 2
    k = tuple(w.shape[2:])
    osz = tuple(_out_size(x.shape[2 + i], k[i], stride[i], padding[i], dilation[i])
                for i in range(nd))
    p = math.prod(osz)
    ckg = w[0].size
    wm = w.reshape(groups, oc // groups, ckg)
    xpad = _pad_arr(xp, x, padding)
    out = xp.empty((n, oc, p), xp.result_type(x, w))
    step = _step(n, ckg * groups * p, x.itemsize, w.size)
    item = ckg * groups * p * x.itemsize
    if _banded(step, item, osz):
        _conv_rows(xp, xpad, wm, out, k, stride, dilation, osz, groups, bias, item)
    else:
        for i in range(0, n, step):
            m = min(step, n - i)
            o = xp.matmul(wm, _cols(xp, xpad[i:i + m], k, stride, dilation, osz, groups))
            o = o.reshape(oc, m, p).transpose(1, 0, 2)
            if bias is None:
                out[i:i + m] = o
            else:
                xp.add(o, bias, out=out[i:i + m])
    out = out.reshape((n, oc) + osz)
    return (out if out.dtype == x.dtype else out.astype(x.dtype)), nd


def _conv_bwd_arr(xp, x, gy, w, in_shape, stride, padding, dilation, groups, need_gx=True,
                  need_gw=True):
    """(J_x^T gy, J_w^T gy) of conv(x, w) on raw arrays (None where not needed; x may be None
    without need_gw): both from one pass over cache-sized batch chunks, columns recomputed."""
    nd = len(in_shape) - 2
    n, c = in_shape[:2]
    oc = w.shape[0]
    k = tuple(w.shape[2:])
    osz = tuple(gy.shape[2:])
    p = math.prod(osz)
    ocg, ckg = oc // groups, w[0].size
    wmt = w.reshape(groups, ocg, ckg).transpose(0, 2, 1)
    gx = gw = xpad = None
    q = tuple(dilation[i] * (k[i] - 1) - padding[i] for i in range(nd))
    if need_gx and all(st == 1 for st in stride) and min(q) >= 0 and oc <= c:
        # stride 1: J_x^T gy is a full correlation of gy with the flipped, channel-transposed
        # kernel, i.e. one more im2col + GEMM; scattering K column blocks back (col2im) moved
        # K times the input's size through memory (measured: faster unless oc > c)
        wt = w.reshape((groups, ocg, c // groups) + k).swapaxes(1, 2).reshape((c, ocg) + k)
        wt = xp.ascontiguousarray(wt[(slice(None), slice(None)) + (slice(None, None, -1),) * nd])
        gx = _conv_arr(xp, gy, wt, (1,) * nd, q, dilation, groups)[0]
        need_gx = False
    if need_gw:
        xpad = _pad_arr(xp, x, padding)
        # the product with the long side first: OpenBLAS ran (Cg*K, P) @ (P, OCg) 15-25%
        # faster than (OCg, P) @ (P, Cg*K) at these shapes; summed in that orientation and
        # transposed once at the end, which pays only when the GEMMs are long (n * P large):
        # a (4608, 512) transpose cost as much as the whole 4x4-pixel GEMM
        flip = ckg > ocg and n * p >= 4096
    if need_gx:
        gx = xp.zeros((n, c) + tuple(in_shape[2 + i] + 2 * padding[i] for i in range(nd)),
                      gy.dtype)
    # 2-D stride 1: col2im on rows of the padded width, where each kernel offset is one shift
    flat = need_gx and nd == 2 and all(st == 1 for st in stride)
    step = _step(n, ckg * groups * p, gy.itemsize, w.size)
    for i in range(0, n, step):
        m = min(step, n - i)
        gyc = xp.ascontiguousarray(gy[i:i + m].reshape(m, oc, p).transpose(1, 0, 2))
        gyc = gyc.reshape(groups, ocg, m * p)
        if need_gw:
            cols = _cols(xp, xpad[i:i + m], k, stride, dilation, osz, groups)
            prod = xp.matmul(cols, gyc.transpose(0, 2, 1)) if flip else \
                xp.matmul(gyc, cols.transpose(0, 2, 1))
            if gw is None:
                gw = prod
            else:
                gw += prod
        if need_gx and flat:
            _col2im_flat(xp, gx[i:i + m], gy[i:i + m], wmt, k, dilation, groups)
        elif need_gx:
            gcols = xp.matmul(wmt, gyc).reshape((c,) + k + (m,) + osz)   # (C, *K, m, *O)
            g = gx[i:i + m]
            for offs in _ndindex(k):         # col2im: one strided slice-add per kernel offset
                sl = tuple(slice(offs[j] * dilation[j],
                                 offs[j] * dilation[j] + stride[j] * (osz[j] - 1) + 1,
                                 stride[j]) for j in range(nd))
                g[(slice(None), slice(None)) + sl] += \
                    gcols[(slice(None),) + offs].swapaxes(0, 1)
    if need_gx and any(padding):
        gx = xp.ascontiguousarray(gx[(slice(None), slice(None)) + tuple(
            slice(padding[i], padding[i] + in_shape[2 + i]) for i in range(nd))])
    if need_gw:
        if flip:
            gw = xp.ascontiguousarray(gw.transpose(0, 2, 1))
        gw = gw.reshape(w.shape).astype(gy.dtype, copy=False)
    return gx, gw


def _col2im_flat(xp, g, gy, wmt, k, dilation, groups) -> None:
    """Add J_x^T gy of a stride-1 2-D conv into g, a padded (m, C, Hp, Wp) chunk.

    gy is laid out on rows of the padded width Wp (its Wp - Wo extra columns zero), so that
    kernel offset (a, b) lands at flat offset a * dh * Wp + b * dw of each input plane: col2im
    becomes one contiguous-row add per offset (rows of Ho * Wp) instead of short strided ones
    (MNIST conv2: 10 -> 4 ms). The zero columns add zeros; the last row's overhang is cut."""
    m, c, hp, wp = g.shape
    oc, ho, wo = gy.shape[1], gy.shape[2], gy.shape[3]
    ln = ho * wp
    gyw = xp.zeros((oc, m, ho, wp), gy.dtype)
    gyw[..., :wo] = gy.transpose(1, 0, 2, 3)
    kk = k[0] * k[1]
    gcols = xp.matmul(wmt, gyw.reshape(groups, oc // groups, m * ln)).reshape(c, kk, m, ln)
    gf = g.reshape(m, c, hp * wp)
    for a in range(k[0]):
        for b in range(k[1]):
            off = a * dilation[0] * wp + b * dilation[1]
            n = min(ln, hp * wp - off)
            gf[:, :, off:off + n] += gcols[:, a * k[1] + b, :, :n].swapaxes(0, 1)


def _gx_arr(xp, gy, w, in_shape, stride, padding, dilation, groups):
    """The input gradient J_x^T gy (a transposed convolution) on raw arrays."""
    return _conv_bwd_arr(xp, None, gy, w, in_shape, stride, padding, dilation, groups,
                         need_gw=False)[0]


def _gw_arr(xp, x, gy, w_shape, stride, padding, dilation, groups):
    """The weight gradient J_w^T gy on raw arrays."""
    w = xp.empty(w_shape, gy.dtype)          # only its shape is read
    return _conv_bwd_arr(xp, x, gy, w, x.shape, stride, padding, dilation, groups,
                         need_gx=False)[1]


def _sum_bias(gy: Tensor):
    return gy.sum(dim=(0,) + tuple(range(2, gy.dim())))


# The three ops below are closed under differentiation (each one's derivatives are the others),
# so convolutions have exact gradients of any order. The first-order path stays on raw arrays.
@nnop()
def _convolution(input, weight, bias, stride=(1,), padding=(0,), dilation=(1,), groups=1):
    xp, x = xp_arr(input)
    w = weight._array
    b = None
    if bias is not None:
        b = bias._array.astype(xp.result_type(x, w), copy=False).reshape(-1, 1)
    out, nd = _conv_arr(xp, x, w, stride, padding, dilation, groups, b)
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
        gxa, gwa = _conv_bwd_arr(xp, x, gy._array, w, x.shape, **geo,
                                 need_gx=input._requires_grad, need_gw=weight._requires_grad)
        if gxa is not None:
            gx = const(gxa, gy)
        if gwa is not None:
            gw = const(gwa, gy)
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
    out = _gw_arr(xp, x, gy._array, w_shape, stride, padding, dilation, groups)
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
