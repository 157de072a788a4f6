"""Pooling: max/avg (1d/2d/3d) over strided window views, adaptive avg/max with torch's bins."""

from __future__ import annotations

import math

from ... import _dtype as D
from ..._tensor import Tensor
from ...autograd.grad_mode import GRAD_ENABLED
from ._common import nnop, xp_arr
from .conv import _ndindex, col2im_add, tuple_arg, windows

__all__ = ["max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d", "avg_pool3d",
           "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool1d",
           "adaptive_avg_pool3d", "adaptive_max_pool2d", "max_pool1d_with_indices",
           "max_pool2d_with_indices", "max_unpool1d", "max_unpool2d", "lp_pool1d", "lp_pool2d",
           "local_response_norm",
           "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
           "adaptive_max_pool3d", "adaptive_max_pool3d_with_indices", "max_pool3d_with_indices",
           "max_unpool3d", "lp_pool3d"]


def _pool_out(size, k, s, p, d, ceil_mode) -> int:
    num = size + 2 * p - d * (k - 1) - 1
    o = (-(-num // s) if ceil_mode else num // s) + 1
    # torch: the last window must start inside the input or the left padding
    if ceil_mode and (o - 1) * s >= size + p:
        o -= 1
    return o


def _geometry(x_shape, nd, kernel, stride, padding, dilation, ceil_mode, name):
    kernel = tuple_arg(kernel, nd, "kernel_size")
    stride = kernel if stride is None or (not isinstance(stride, int) and len(stride) == 0) \
        else tuple_arg(stride, nd, "stride")
    padding = tuple_arg(padding, nd, "padding")
    dilation = tuple_arg(dilation, nd, "dilation")
    for i in range(nd):
        if padding[i] * 2 > (kernel[i] - 1) * dilation[i] + 1:
            raise RuntimeError("pad should be at most half of effective kernel size, but got "
                               f"pad={padding[i]}, kernel_size={kernel[i]} and "
                               f"dilation={dilation[i]}")
    spatial = x_shape[-nd:]
    out = tuple(_pool_out(spatial[i], kernel[i], stride[i], padding[i], dilation[i], ceil_mode)
                for i in range(nd))
    if any(o <= 0 for o in out):
        given = "x".join(str(s) for s in x_shape[-nd - 1:])
        calc = "x".join(str(s) for s in x_shape[-nd - 1:-nd] + out)
        raise RuntimeError(f"Given input size: ({given}). Calculated output size: ({calc}). "
                           "Output size is too small")
    # right padding so that every (ceil-mode) window lies inside the padded array
    pads = []
    for i in range(nd):
        need = (out[i] - 1) * stride[i] + dilation[i] * (kernel[i] - 1) + 1
        pads.append((padding[i], max(need - spatial[i] - padding[i], 0)))
    return kernel, stride, padding, dilation, out, pads


# Max pooling's gradient scatters into the argmax positions; scatter and gather are each
# other's adjoints, which makes max pooling differentiable to any order.
@nnop(saves=False)
def _plane_scatter(gy, idx=None, in_shape=(), nd=2, unique=False):
    # unique: no two indices of a plane coincide (non-overlapping windows), so a plain
    # fancy-index store does what add.at does, ~4x faster
    xp, g = xp_arr(gy)
    plane = math.prod(in_shape[len(in_shape) - nd:])
    n = math.prod(in_shape) // plane if plane else 0
    out = xp.zeros((n, plane), g.dtype)
    rows = xp.arange(n)[:, None]
    if unique:
        out.reshape(-1)[(rows * plane + idx.reshape(n, -1)).reshape(-1)] = g.reshape(-1)
    else:
        xp.add.at(out, (rows, idx.reshape(n, -1)), g.reshape(n, -1))
    return out.reshape(in_shape), lambda gg: (_plane_gather(gg, idx=idx, nd=nd),), {
        "name": "MaxPoolBackward"}


@nnop(saves=False)
def _plane_gather(input, idx=None, nd=2):
    xp, x = xp_arr(input)
    n = math.prod(x.shape[:x.ndim - nd])
    flat = x.reshape(n, -1)
    out = xp.take_along_axis(flat, idx.reshape(n, -1), axis=1).reshape(idx.shape)
    return out, lambda gg: (_plane_scatter(gg, idx=idx, in_shape=x.shape, nd=nd),), {
        "name": "GatherBackward0"}


@nnop(multi=True)
def _max_pool(input, kernel_size=(1,), stride=None, padding=(0,), dilation=(1,),
              ceil_mode=False, need_idx=True):
    # need_idx=False (no grad, no return_indices): the indices are not computed (an empty
    # placeholder is returned), which halves the cost of inference
    xp, x = xp_arr(input)
    nd = len(kernel_size)
    lead = x.shape[:-nd]
    x2 = x.reshape((-1, 1) + x.shape[-nd:])
    k, s, p, d, osz, pads = _geometry(x.shape, nd, kernel_size, stride, padding, dilation,
                                      ceil_mode, "max")
    neg = -xp.inf if x.dtype.kind == "f" else xp.iinfo(x.dtype).min
    xpad = xp.pad(x2, [(0, 0), (0, 0)] + pads, constant_values=neg) if any(
        a or b for a, b in pads) else x2
    win = windows(xp, xpad, k, s, d, osz)                         # (B, 1, *O, *K)
    # a running max over the kernel offsets: a few branch-free whole-array passes (argmax over
    # a copied window axis ran ~5x slower). As torch's kernel: the first maximum wins, but
    # every NaN takes over (the last NaN's index), and NaN propagates.
    offs = list(_ndindex(k))
    best = None
    for nan in (False, True):
        out = win[(Ellipsis,) + offs[0]].copy()
        if need_idx:
            best = xp.zeros(out.shape, xp.int8 if len(offs) < 128 else xp.int64)
        for j in range(1, len(offs)):
            v = win[(Ellipsis,) + offs[j]]
            if need_idx:
                m = v > out
                if nan:
                    m |= v != v
                best += m * (j - best)
            out = xp.maximum(out, v)
        # NaN's index rule costs two passes per offset: rerun with it only when a NaN is there
        if not need_idx or x.dtype.kind != "f" or not xp.isnan(out).any():
            break
    if not need_idx:
        return (out.reshape(lead + osz), xp.empty(0, xp.int64)), None
    # flat index into the unpadded input plane: window origin + the chosen offset's shift
    plane = x.shape[-nd:]
    inner = [math.prod(plane[i + 1:]) for i in range(nd)]
    shift = xp.asarray([sum(o[i] * d[i] * inner[i] for i in range(nd)) for o in offs])
    idx = xp.take(shift, best)
    for i in range(nd):
        org = (xp.arange(osz[i]) * s[i] - p[i]) * inner[i]
        idx += org.reshape((osz[i],) + (1,) * (nd - 1 - i))
    out = out.reshape(lead + osz)
    idx = idx.reshape(lead + osz).astype(xp.int64, copy=False)
    unique = all(s[i] >= d[i] * (k[i] - 1) + 1 for i in range(nd))

    def backward(gy, _gi=None):
        return (_plane_scatter(gy, idx=idx, in_shape=x.shape, nd=nd, unique=unique),)
    name = f"MaxPool{nd}DWithIndicesBackward0" if nd > 1 else "MaxPool2DWithIndicesBackward0"
    return (out, idx), backward, {"name": name}


def _max_pool_nd(input, nd, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    if input.dim() not in (nd + 1, nd + 2) or input.numel() == 0:
        if nd == 2:
            raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
        raise RuntimeError(f"max_pool{nd}d: Expected {nd + 1}D or {nd + 2}D (batch mode) tensor "
                           f"with optional 0 dim batch size for input, but got:"
                           f"{list(input.shape)}")
    kernel_size = tuple_arg(kernel_size, nd, "kernel_size")
    need_idx = return_indices or (GRAD_ENABLED[0] and input.requires_grad)
    out, idx = _max_pool(input, kernel_size=kernel_size, stride=stride, padding=padding,
                         dilation=dilation, ceil_mode=ceil_mode, need_idx=need_idx)
    idx._dtype = D.int64
    return (out, idx) if return_indices else out


def max_pool1d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """torch.nn.functional.max_pool1d."""
    return _max_pool_nd(input, 1, kernel_size, stride, padding, dilation, ceil_mode,
                        return_indices)


def max_pool2d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """torch.nn.functional.max_pool2d."""
    return _max_pool_nd(input, 2, kernel_size, stride, padding, dilation, ceil_mode,
                        return_indices)


def max_pool3d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """torch.nn.functional.max_pool3d."""
    return _max_pool_nd(input, 3, kernel_size, stride, padding, dilation, ceil_mode,
                        return_indices)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):
    """torch.nn.functional.max_pool1d_with_indices."""
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):
    """torch.nn.functional.max_pool2d_with_indices."""
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):
    """torch.nn.functional.max_pool3d_with_indices."""
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def _avg_divisor(xp, size, k, s, p, osz, count_include_pad):
    """Per-output-position window sizes along one axis (torch's pool_size rules)."""
    start = xp.arange(osz) * s - p
    end = xp.minimum(start + k, size + p)
    full = end - start
    start_c = xp.maximum(start, 0)
    end_c = xp.minimum(end, size)
    return full if count_include_pad else end_c - start_c


@nnop(saves=False)
def _avg_pool(input, kernel_size=(1,), stride=None, padding=(0,), ceil_mode=False,
              count_include_pad=True, divisor_override=None):
    xp, x = xp_arr(input)
    nd = len(kernel_size)
    lead = x.shape[:-nd]
    x2 = x.reshape((-1, 1) + x.shape[-nd:])
    k, s, p, d, osz, pads = _geometry(x.shape, nd, kernel_size, stride, padding, 1,
                                      ceil_mode, "avg")
    xpad = xp.pad(x2, [(0, 0), (0, 0)] + pads)
    win = windows(xp, xpad, k, s, d, osz)
    total = win.sum(axis=tuple(range(2 + nd, 2 + 2 * nd)))
    div = _avg_geometry(xp, x.shape, kernel_size, stride, padding, ceil_mode, count_include_pad,
                        divisor_override)[-1]
    out = (total / div).astype(x.dtype).reshape(lead + osz)

    geo = dict(kernel_size=kernel_size, stride=stride, padding=padding, ceil_mode=ceil_mode,
               count_include_pad=count_include_pad, divisor_override=divisor_override)
    return out, lambda gy: (_avg_pool_adj(gy, in_shape=x.shape, **geo),), {
        "name": f"AvgPool{nd}DBackward0"}


def _avg_geometry(xp, in_shape, kernel_size, stride, padding, ceil_mode, count_include_pad,
                  divisor_override):
    nd = len(kernel_size)
    k, s, p, d, osz, pads = _geometry(in_shape, nd, kernel_size, stride, padding, 1,
                                      ceil_mode, "avg")
    if divisor_override:
        div = xp.asarray(float(divisor_override))
    else:
        div = xp.ones(osz)
        for i in range(nd):
            shape = [1] * nd
            shape[i] = osz[i]
            div = div * _avg_divisor(xp, in_shape[-nd + i], k[i], s[i], p[i], osz[i],
                                     count_include_pad).reshape(shape)
    return k, s, p, d, osz, pads, div


@nnop(saves=False)
def _avg_pool_adj(gy, in_shape=(), kernel_size=(1,), stride=None, padding=(0,), ceil_mode=False,
                  count_include_pad=True, divisor_override=None):
    """The adjoint of avg_pool (its input gradient); its own gradient is avg_pool again."""
    xp, gya = xp_arr(gy)
    nd = len(kernel_size)
    k, s, p, d, osz, pads, div = _avg_geometry(xp, in_shape, kernel_size, stride, padding,
                                               ceil_mode, count_include_pad, divisor_override)
    b = math.prod(in_shape[:len(in_shape) - nd])
    g = (gya.reshape((b, 1) + osz) / div).astype(gya.dtype)
    cols = xp.broadcast_to(g.reshape(g.shape + (1,) * nd), g.shape + tuple(k))
    pshape = (b, 1) + tuple(in_shape[-nd + i] + pads[i][0] + pads[i][1] for i in range(nd))
    g_pad = xp.zeros(pshape, g.dtype)
    col2im_add(xp, g_pad, cols, k, s, d, osz)
    sl = (slice(None), slice(None)) + tuple(slice(p[i], p[i] + in_shape[-nd + i])
                                            for i in range(nd))
    out = xp.ascontiguousarray(g_pad[sl].reshape(in_shape))
    geo = dict(kernel_size=kernel_size, stride=stride, padding=padding, ceil_mode=ceil_mode,
               count_include_pad=count_include_pad, divisor_override=divisor_override)
    return out, lambda gg: (_avg_pool(gg, **geo),), {"name": "AvgPoolBackward"}


def _avg_pool_nd(input, nd, kernel_size, stride, padding, ceil_mode, count_include_pad,
                 divisor_override):
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"avg_pool{nd}d: Expected {nd + 1}D or {nd + 2}D input, but got "
                           f"input of size: {list(input.shape)}")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    kernel_size = tuple_arg(kernel_size, nd, "kernel_size")
    return _avg_pool(input, kernel_size=kernel_size, stride=stride, padding=padding,
                     ceil_mode=ceil_mode, count_include_pad=count_include_pad,
                     divisor_override=divisor_override)


def avg_pool1d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """torch.nn.functional.avg_pool1d."""
    return _avg_pool_nd(input, 1, kernel_size, stride, padding, ceil_mode, count_include_pad,
                        None)


def avg_pool2d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """torch.nn.functional.avg_pool2d."""
    return _avg_pool_nd(input, 2, kernel_size, stride, padding, ceil_mode, count_include_pad,
                        divisor_override)


def avg_pool3d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """torch.nn.functional.avg_pool3d."""
    return _avg_pool_nd(input, 3, kernel_size, stride, padding, ceil_mode, count_include_pad,
                        divisor_override)


# ---- adaptive pools -----------------------------------------------------------------------
def _bins(in_size: int, out_size: int):
    """torch's adaptive bins: start = floor(i*in/out), end = ceil((i+1)*in/out)."""
    return [((i * in_size) // out_size, -(-((i + 1) * in_size) // out_size))
            for i in range(out_size)]


def _adaptive_sizes(input: Tensor, output_size, nd: int, name: str) -> tuple:
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got "
                           f"{list(input.shape)}")
    if isinstance(output_size, int):
        return (output_size,) * nd
    sizes = tuple(input.shape[-nd + i] if o is None else int(o)
                  for i, o in enumerate(output_size))
    return sizes * nd if len(sizes) == 1 else sizes


@nnop(saves=False)
def _adaptive_avg(input, output_size=(1,)):
    xp, x = xp_arr(input)
    nd = len(output_size)
    mats = _adaptive_mats(xp, x.shape, output_size, x.dtype)
    out = x
    # contract each spatial axis with its averaging matrix
    for i, m in enumerate(mats):
        ax = x.ndim - nd + i
        out = xp.moveaxis(xp.tensordot(out, m, axes=([ax], [1])), -1, ax)
    out = xp.ascontiguousarray(out, dtype=x.dtype)

    return out, lambda gy: (_adaptive_avg_adj(gy, in_shape=x.shape, output_size=output_size),), {
        "name": f"AdaptiveAvgPool{nd}DBackward0"}


def _adaptive_mats(xp, in_shape, output_size, dtype):
    nd = len(output_size)
    mats = []
    for i in range(nd):
        n_in, n_out = in_shape[-nd + i], output_size[i]
        m = xp.zeros((n_out, n_in), dtype)
        for o, (a, b) in enumerate(_bins(n_in, n_out)):
            m[o, a:b] = 1.0 / (b - a)
        mats.append(m)
    return mats


@nnop(saves=False)
def _adaptive_avg_adj(gy, in_shape=(), output_size=(1,)):
    """The adjoint of adaptive_avg_pool; its own gradient is adaptive_avg_pool again."""
    xp, g = xp_arr(gy)
    nd = len(output_size)
    for i, m in enumerate(_adaptive_mats(xp, in_shape, output_size, g.dtype)):
        ax = g.ndim - nd + i
        g = xp.moveaxis(xp.tensordot(g, m, axes=([ax], [0])), -1, ax)
    out = xp.ascontiguousarray(g)
    return out, lambda gg: (_adaptive_avg(gg, output_size=output_size),), {
        "name": "AdaptiveAvgPoolBackward"}


@nnop(multi=True)
def _adaptive_max(input, output_size=(1,)):
    xp, x = xp_arr(input)
    nd = len(output_size)
    lead = x.shape[:-nd]
    plane = x.shape[-nd:]
    x2 = x.reshape((-1,) + plane)
    out = xp.empty((x2.shape[0],) + tuple(output_size), x.dtype)
    idx = xp.empty(out.shape, xp.int64)
    bins = [_bins(plane[i], output_size[i]) for i in range(nd)]
    # one vectorised max per output cell (output sizes are small)
    for cell in _cells(output_size):
        sl = tuple(slice(*bins[i][cell[i]]) for i in range(nd))
        region = x2[(slice(None),) + sl]
        flat = region.reshape(region.shape[0], -1)
        a = flat.argmax(axis=1)
        out[(slice(None),) + cell] = flat[xp.arange(flat.shape[0]), a]
        local = xp.unravel_index(a, region.shape[1:])
        pos = [local[i] + bins[i][cell[i]][0] for i in range(nd)]
        idx[(slice(None),) + cell] = xp.ravel_multi_index(pos, plane)
    out = out.reshape(lead + tuple(output_size))
    idx = idx.reshape(lead + tuple(output_size))

    def backward(gy, _gi=None):
        return (_plane_scatter(gy, idx=idx, in_shape=x.shape, nd=nd),)
    return (out, idx), backward, {"name": f"AdaptiveMaxPool{nd}DBackward0"}


def _cells(shape):
    if not shape:
        yield ()
        return
    for i in range(shape[0]):
        for rest in _cells(shape[1:]):
            yield (i,) + rest


def adaptive_avg_pool1d(input: Tensor, output_size) -> Tensor:
    """torch.nn.functional.adaptive_avg_pool1d."""
    return _adaptive_avg(input, output_size=_adaptive_sizes(input, output_size, 1,
                                                            "adaptive_avg_pool1d"))


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    """torch.nn.functional.adaptive_avg_pool2d (None keeps that input size)."""
    return _adaptive_avg(input, output_size=_adaptive_sizes(input, output_size, 2,
                                                            "adaptive_avg_pool2d"))


def adaptive_avg_pool3d(input: Tensor, output_size) -> Tensor:
    """torch.nn.functional.adaptive_avg_pool3d."""
    return _adaptive_avg(input, output_size=_adaptive_sizes(input, output_size, 3,
                                                            "adaptive_avg_pool3d"))


def _adaptive_max_nd(input, output_size, nd, return_indices):
    out, idx = _adaptive_max(input, output_size=_adaptive_sizes(
        input, output_size, nd, f"adaptive_max_pool{nd}d"))
    idx._dtype = D.int64
    return (out, idx) if return_indices else out


def adaptive_max_pool1d(input: Tensor, output_size, return_indices: bool = False):
    """torch.nn.functional.adaptive_max_pool1d."""
    return _adaptive_max_nd(input, output_size, 1, return_indices)


def adaptive_max_pool2d(input: Tensor, output_size, return_indices: bool = False):
    """torch.nn.functional.adaptive_max_pool2d."""
    return _adaptive_max_nd(input, output_size, 2, return_indices)


def adaptive_max_pool3d(input: Tensor, output_size, return_indices: bool = False):
    """torch.nn.functional.adaptive_max_pool3d."""
    return _adaptive_max_nd(input, output_size, 3, return_indices)


def adaptive_max_pool3d_with_indices(input: Tensor, output_size, return_indices: bool = True):
    """torch.nn.functional.adaptive_max_pool3d_with_indices."""
    return _adaptive_max_nd(input, output_size, 3, True)


def adaptive_max_pool1d_with_indices(input: Tensor, output_size, return_indices: bool = True):
    """torch.nn.functional.adaptive_max_pool1d_with_indices."""
    return _adaptive_max_nd(input, output_size, 1, True)


def adaptive_max_pool2d_with_indices(input: Tensor, output_size, return_indices: bool = True):
    """torch.nn.functional.adaptive_max_pool2d_with_indices."""
    return _adaptive_max_nd(input, output_size, 2, True)



# ---- unpooling, power pooling, local response norm ----------------------------------------
def _max_unpool(input: Tensor, indices: Tensor, kernel_size, stride, padding, output_size,
                nd: int) -> Tensor:
    kernel_size = tuple_arg(kernel_size, nd, "kernel_size")
    stride = kernel_size if stride is None else tuple_arg(stride, nd, "stride")
    padding = tuple_arg(padding, nd, "padding")
    spatial = tuple(input.shape[-nd:])
    default = tuple((spatial[i] - 1) * stride[i] - 2 * padding[i] + kernel_size[i]
                    for i in range(nd))
    if output_size is None:
        out = default
    else:
        out = tuple(output_size)[-nd:]
        for i in range(nd):
            lo, hi = default[i] - stride[i], default[i] + stride[i]
            if not lo < out[i] < hi:
                raise ValueError(f"invalid output_size \"{list(output_size)}\" (dim {i} must be "
                                 f"between {lo} and {hi})")
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({list(input.shape)}) but got indices tensor with shape: "
                           f"{list(indices.shape)}")
    in_shape = tuple(input.shape[:-nd]) + out
    idx = indices._array
    if idx.size and (idx.min() < 0 or idx.max() >= math.prod(out)):
        raise RuntimeError(f"Found an invalid max index: {int(idx.max())} (output volumes are "
                           f"of size {'x'.join(str(o) for o in out)}")
    return _plane_scatter(input, idx=idx, in_shape=in_shape, nd=nd)


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0,
                 output_size=None) -> Tensor:
    """torch.nn.functional.max_unpool1d."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 1)


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0,
                 output_size=None) -> Tensor:
    """torch.nn.functional.max_unpool2d: scatter values back to their argmax positions."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 2)


def max_unpool3d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0,
                 output_size=None) -> Tensor:
    """torch.nn.functional.max_unpool3d."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 3)


def _lp_pool(input, nd, norm_type, kernel_size, stride, ceil_mode):
    import ember
    maxp, avgp = {1: (max_pool1d, avg_pool1d), 2: (max_pool2d, avg_pool2d),
                  3: (max_pool3d, avg_pool3d)}[nd]
    if isinstance(norm_type, (int, float)):
        if norm_type == float("inf"):
            return maxp(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
        if norm_type == -float("inf"):
            return -maxp(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    out = avgp(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    k = kernel_size if nd == 1 else math.prod(tuple_arg(kernel_size, nd, "kernel_size"))
    return (ember.sign(out) * ember.relu(out.abs())).mul(k).pow(1.0 / norm_type)


def lp_pool1d(input: Tensor, norm_type: float, kernel_size, stride=None,
              ceil_mode: bool = False) -> Tensor:
    """torch.nn.functional.lp_pool1d: (sum of x**p over each window) ** (1/p)."""
    return _lp_pool(input, 1, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input: Tensor, norm_type: float, kernel_size, stride=None,
              ceil_mode: bool = False) -> Tensor:
    """torch.nn.functional.lp_pool2d: (sum of x**p over each window) ** (1/p)."""
    return _lp_pool(input, 2, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input: Tensor, norm_type: float, kernel_size, stride=None,
              ceil_mode: bool = False) -> Tensor:
    """torch.nn.functional.lp_pool3d: (sum of x**p over each window) ** (1/p)."""
    return _lp_pool(input, 3, norm_type, kernel_size, stride, ceil_mode)


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> Tensor:
    """torch.nn.functional.local_response_norm (across channels)."""
    from .misc import pad
    dim = input.dim()
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {dim} dimensions)")
    if input.numel() == 0:
        return input
    div = input * input
    if dim == 3:
        div = div.unsqueeze(1)
        div = pad(div, (0, 0, size // 2, (size - 1) // 2))
        div = avg_pool2d(div, (size, 1), stride=1).squeeze(1)
    else:
        sizes = tuple(input.shape)
        div = div.reshape(sizes[0], 1, sizes[1], sizes[2], -1)
        div = pad(div, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div = avg_pool3d(div, (size, 1, 1), stride=1).squeeze(1)
        div = div.reshape(sizes)
    div = (div * alpha + k).pow(beta)
    return input / div
