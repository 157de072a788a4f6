"""batch_norm, layer_norm, group_norm, instance_norm: fused primitives with analytic backward."""

from __future__ import annotations

import math

from ..._tensor import Tensor
from ...autograd.grad_mode import GRAD_ENABLED
from ._common import const, nnop, xp_arr

__all__ = ["batch_norm", "layer_norm", "group_norm", "instance_norm", "rms_norm"]


def _norm_backward(xp, gy, xhat, invstd, axes, count):
    """d/dx of (x - mean) * invstd over axes (gy already multiplied by the affine weight)."""
    sum_g = gy.sum(axis=axes, keepdims=True)
    sum_gx = (gy * xhat).sum(axis=axes, keepdims=True)
    return invstd * (gy - sum_g / count - xhat * sum_gx / count)


def _sum(t: Tensor, axes: tuple) -> Tensor:
    return t.sum(dim=axes) if axes else t


def _graph_grads(input, weight, bias, gy, axes, wshape, param_axes, eps, stats=None,
                 group=None):
    """The normalisation gradients as ember expressions (create_graph): exact to any order.

    axes: the reduced axes (of the grouped view when group is given); wshape: the affine
    parameters' broadcast shape; param_axes: the axes summed for their gradients; stats:
    (mean, var) raw arrays in evaluation mode.
    """
    x = input.reshape(group) if group is not None else input
    if stats is None:
        xc = x - x.mean(dim=axes, keepdim=True)
        invstd = 1 / ((xc * xc).mean(dim=axes, keepdim=True) + eps).sqrt()
    else:
        mean = const(stats[0].reshape(wshape), input)
        xc = x - mean
        invstd = 1 / (const(stats[1].reshape(wshape), input) + eps).sqrt()
    xhat = xc * invstd
    g = gy * weight.reshape(wshape) if weight is not None else gy
    if group is not None:
        g = g.reshape(group)
    if stats is None:
        gx = invstd * (g - g.mean(dim=axes, keepdim=True)
                       - xhat * (g * xhat).mean(dim=axes, keepdim=True))
    else:
        gx = g * invstd
    xhat = xhat.reshape(input.shape)
    gw = gb = None
    if weight is not None and weight._requires_grad:
        gw = _sum(gy * xhat, param_axes).reshape(weight.shape)
    if bias is not None and bias._requires_grad:
        gb = _sum(gy, param_axes).reshape(bias.shape)
    return (gx.reshape(input.shape) if input._requires_grad else None), gw, gb


def _channel_dot(xp, a, b):
    """Per-channel sum of a * b over every axis but 1, in one pass without an N x C x ...
    temporary (half the memory traffic of (a * b).sum(axes) in a batch norm)."""
    if a.dtype not in (xp.float32, xp.float64):      # half precision: a wider sum
        return (a * b).sum(axis=(0,) + tuple(range(2, a.ndim)))
    if a.ndim == 2:
        return xp.einsum("nc,nc->c", a, b)
    a3 = a.reshape(a.shape[0], a.shape[1], -1)
    return xp.einsum("nci,nci->c", a3, b.reshape(a3.shape))


@nnop()
def _batch_norm(input, running_mean, running_var, weight, bias, training=False, momentum=0.1,
                eps=1e-5):
    xp, x = xp_arr(input)
    c = x.shape[1]
    axes = (0,) + tuple(range(2, x.ndim))
    bshape = (1, c) + (1,) * (x.ndim - 2)
    if training:
        count = x.size // c
        mean = x.mean(axis=axes, dtype=xp.float64 if x.dtype == xp.float64 else None)
        xc = x - mean.reshape(bshape)
        var = _channel_dot(xp, xc, xc) / count
        if running_mean is not None:
            # running stats update in place, with the unbiased variance (torch's rule)
            rm, rv = running_mean._array, running_var._array
            unbiased = var * (count / max(count - 1, 1))
            rm[...] = ((1 - momentum) * rm + momentum * mean).astype(rm.dtype)
            rv[...] = ((1 - momentum) * rv + momentum * unbiased).astype(rv.dtype)
            running_mean._vc[0] += 1
            running_var._vc[0] += 1
    else:
        count = None
        mean, var = running_mean._array, running_var._array
        xc = x - mean.reshape(bshape).astype(x.dtype)
    invstd = (1.0 / xp.sqrt(var + eps)).astype(x.dtype).reshape(bshape)
    # in place on our own temporaries: a batch norm is memory-bound, each pass counts
    xc *= invstd
    xhat = xc
    w = weight._array.reshape(bshape) if weight is not None else None
    out = xhat * w if w is not None else xhat.copy()
    if bias is not None:
        out += bias._array.reshape(bshape)
    out = out.astype(x.dtype, copy=False)

    def backward(gy):
        if GRAD_ENABLED[0]:
            gx, gw, gb = _graph_grads(input, weight, bias, gy, axes, bshape, axes, eps,
                                      None if training else (mean, var))
            return gx, None, None, gw, gb
        g = gy._array
        gx = gw = gb = None
        # the two channel sums serve gx (training), the weight and the bias gradients
        s2 = _channel_dot(xp, g, xhat).reshape(bshape)
        s1 = g.sum(axis=axes, keepdims=True)
        if input._requires_grad:
            scale = invstd * w if w is not None else invstd
            if training:
                # w * invstd * (g - mean(g) - xhat * mean(g * xhat)), one temporary
                t = xhat * (s2 / count)
                t += s1 / count
                xp.subtract(g, t, out=t)
                t *= scale
                gx = t
            else:
                gx = g * scale
            gx = const(gx, gy)
        if weight is not None and weight._requires_grad:
            gw = const(s2.reshape(-1), gy)
        if bias is not None and bias._requires_grad:
            gb = const(s1.reshape(-1), gy)
        return gx, None, None, gw, gb
    return out, backward, {"name": "NativeBatchNormBackward0", "saved": (input,)}


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """torch.nn.functional.batch_norm (updates running stats in place when training)."""
    if training:
        size = input.shape
        count = math.prod(size) // size[1] if input.dim() >= 2 else 1
        if count == 1:
            raise ValueError("Expected more than 1 value per channel when training, got input "
                             f"size {size}")
    elif running_mean is None or running_var is None:
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    return _batch_norm(input, running_mean, running_var, weight, bias, training=training,
                       momentum=momentum, eps=eps)


@nnop()
def _layer_norm(input, weight, bias, normalized_shape=(), eps=1e-5):
    xp, x = xp_arr(input)
    nd = len(normalized_shape)
    axes = tuple(range(x.ndim - nd, x.ndim))
    count = math.prod(normalized_shape)
    mean = x.mean(axis=axes, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
    invstd = (1.0 / xp.sqrt(var + eps)).astype(x.dtype)
    xhat = (x - mean) * invstd
    w = weight._array if weight is not None else None
    out = xhat * w if w is not None else xhat
    if bias is not None:
        out = out + bias._array
    out = out.astype(x.dtype)

    def backward(gy):
        lead = tuple(range(x.ndim - nd))
        if GRAD_ENABLED[0]:
            return _graph_grads(input, weight, bias, gy, axes, normalized_shape, lead, eps)
        g = gy._array
        gx = gw = gb = None
        if input._requires_grad:
            gx = const(_norm_backward(xp, g * w if w is not None else g, xhat, invstd, axes,
                                      count), gy)
        if weight is not None and weight._requires_grad:
            gw = const((g * xhat).sum(axis=lead), gy)
        if bias is not None and bias._requires_grad:
            gb = const(g.sum(axis=lead), gy)
        return gx, gw, gb
    return out, backward, {"name": "NativeLayerNormBackward0"}


def layer_norm(input: Tensor, normalized_shape, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """torch.nn.functional.layer_norm."""
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    normalized_shape = tuple(normalized_shape)
    nd = len(normalized_shape)
    if tuple(input.shape[input.dim() - nd:]) != normalized_shape or input.dim() < nd:
        raise RuntimeError(f"Given normalized_shape={list(normalized_shape)}, expected input "
                           f"with shape [*, {', '.join(str(s) for s in normalized_shape)}], but "
                           f"got input of size{list(input.shape)}")
    return _layer_norm(input, weight, bias, normalized_shape=normalized_shape, eps=eps)


@nnop()
def _group_norm(input, weight, bias, num_groups=1, eps=1e-5):
    xp, x = xp_arr(input)
    n, c = x.shape[:2]
    xg = x.reshape(n, num_groups, -1)
    count = xg.shape[2]
    mean = xg.mean(axis=2, keepdims=True)
    var = ((xg - mean) ** 2).mean(axis=2, keepdims=True)
    invstd = (1.0 / xp.sqrt(var + eps)).astype(x.dtype)
    xhat_g = (xg - mean) * invstd
    xhat = xhat_g.reshape(x.shape)
    bshape = (1, c) + (1,) * (x.ndim - 2)
    w = weight._array.reshape(bshape) if weight is not None else None
    out = xhat * w if w is not None else xhat
    if bias is not None:
        out = out + bias._array.reshape(bshape)
    out = out.astype(x.dtype)

    def backward(gy):
        axes = (0,) + tuple(range(2, x.ndim))
        if GRAD_ENABLED[0]:
            return _graph_grads(input, weight, bias, gy, (2,), bshape, axes, eps,
                                group=(n, num_groups, -1))
        g = gy._array
        gx = gw = gb = None
        if input._requires_grad:
            gg = (g * w if w is not None else g).reshape(n, num_groups, -1)
            gx = const(_norm_backward(xp, gg, xhat_g, invstd, (2,), count).reshape(x.shape), gy)
        if weight is not None and weight._requires_grad:
            gw = const((g * xhat).sum(axis=axes), gy)
        if bias is not None and bias._requires_grad:
            gb = const(g.sum(axis=axes), gy)
        return gx, gw, gb
    return out, backward, {"name": "NativeGroupNormBackward0"}


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """torch.nn.functional.group_norm."""
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{input.dim()}")
    c = input.size(1)
    if c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by "
                           f"num_groups, but got input of shape {list(input.shape)} and "
                           f"num_groups={num_groups}")
    return _group_norm(input, weight, bias, num_groups=num_groups, eps=eps)


def instance_norm(input: Tensor, running_mean: Tensor | None = None,
                  running_var: Tensor | None = None, weight: Tensor | None = None,
                  bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """torch.nn.functional.instance_norm (running stats averaged over the batch)."""
    if not use_input_stats:
        return batch_norm(input, running_mean, running_var, weight, bias, False, momentum, eps)
    if running_mean is not None:
        # torch updates the running stats with the batch average of per-instance stats
        xp, x = xp_arr(input)
        axes = tuple(range(2, x.ndim))
        count = math.prod(x.shape[2:])
        mean = x.mean(axis=axes)
        var = x.var(axis=axes) * (count / max(count - 1, 1))
        rm, rv = running_mean._array, running_var._array
        rm[...] = ((1 - momentum) * rm + momentum * mean.mean(0)).astype(rm.dtype)
        rv[...] = ((1 - momentum) * rv + momentum * var.mean(0)).astype(rv.dtype)
        running_mean._vc[0] += 1
        running_var._vc[0] += 1
    # instance norm is group norm with one group per channel
    return _group_norm(input, weight, bias, num_groups=input.size(1), eps=eps)


def rms_norm(input: Tensor, normalized_shape, weight: Tensor | None = None,
             eps: float | None = None) -> Tensor:
    """torch.nn.functional.rms_norm: x / sqrt(mean(x**2) + eps) * weight (eps: dtype eps)."""
    import ember
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    nd = len(normalized_shape)
    if tuple(input.shape[input.dim() - nd:]) != tuple(normalized_shape):
        raise RuntimeError(f"Given normalized_shape={list(normalized_shape)}, expected input "
                           f"with shape [*, {', '.join(str(s) for s in normalized_shape)}], but "
                           f"got input of size{list(input.shape)}")
    if eps is None:
        eps = ember.finfo(input.dtype).eps
    dims = tuple(range(input.dim() - nd, input.dim()))
    out = input * (1 / ((input * input).mean(dim=dims, keepdim=True) + eps).sqrt())
    return out * weight if weight is not None else out
