"""torch.nn.SyncBatchNorm: batch statistics over the whole distributed batch (all ranks)."""

from __future__ import annotations

import numpy as np

from .. import _dtype as D
from ..autograd.function import Function
from ..nn import functional as F
from ..nn.modules.norm import _BatchNorm
from ._core import _mpi, _resolve, is_initialized

__all__ = ["SyncBatchNorm"]


def _allreduce_sum(pg, a):
    """Sum a float64 host array over pg (in place) and return it."""
    pg.comm.Allreduce(_mpi().IN_PLACE, a, _mpi().SUM)
    return a


class _SyncBatchNormFn(Function):
    """Forward and backward of batch norm with sums all-reduced over the process group."""

    @staticmethod
    def forward(ctx, input, weight, bias, running_mean, running_var, eps, momentum, pg):
        from .._tensor import _new
        from ..backend import array_module
        x = input._array
        xp = array_module(x)
        c = x.shape[1]
        axes = (0,) + tuple(range(2, x.ndim))
        x64 = x.astype(np.float64)
        count = x.size // c
        # one all-reduce of [sum, sum of squares, count] per channel
        stats = xp.concatenate([x64.sum(axis=axes), (x64 * x64).sum(axis=axes),
                                xp.full(1, float(count))])
        stats = _allreduce_sum(pg, stats if xp is np else stats.get())
        stats = xp.asarray(stats)
        n = float(stats[-1])
        mean = stats[:c] / n
        var = xp.maximum(stats[c:2 * c] / n - mean * mean, 0.0)
        if running_mean is not None:
            rm, rv = running_mean._array, running_var._array
            rm[...] = (1 - momentum) * rm + momentum * mean
            rv[...] = (1 - momentum) * rv + momentum * var * n / max(n - 1, 1)
            running_mean._vc[0] += 1
            running_var._vc[0] += 1
        invstd = 1.0 / xp.sqrt(var + eps)
        shape = [1, c] + [1] * (x.ndim - 2)
        xhat = (x64 - mean.reshape(shape)) * invstd.reshape(shape)
        out = xhat
        if weight is not None:
            out = out * weight._array.reshape(shape)
        if bias is not None:
            out = out + bias._array.reshape(shape)
        ctx.pg, ctx.n, ctx.axes, ctx.shape = pg, n, axes, shape
        ctx.xhat, ctx.invstd, ctx.has_bias = xhat, invstd, bias is not None
        ctx.w = None if weight is None else weight._array.astype(np.float64)
        return _new(out.astype(x.dtype), input._dtype)

    @staticmethod
    def backward(ctx, grad_output):
        from .._tensor import _new
        from ..backend import array_module
        gy = grad_output._array.astype(np.float64)
        xp = array_module(gy)
        axes, shape, c = ctx.axes, ctx.shape, ctx.invstd.shape[0]
        sum_dy = gy.sum(axis=axes)
        sum_dy_xhat = (gy * ctx.xhat).sum(axis=axes)
        dt = grad_output._array.dtype
        gw = _new(sum_dy_xhat.astype(dt), grad_output._dtype) if ctx.w is not None else None
        gb = _new(sum_dy.astype(dt), grad_output._dtype) if ctx.has_bias else None
        # the input gradient needs the means over the whole distributed batch
        both = xp.concatenate([sum_dy, sum_dy_xhat])
        both = xp.asarray(_allreduce_sum(ctx.pg, both if xp is np else both.get()))
        mean_dy = (both[:c] / ctx.n).reshape(shape)
        mean_dy_xhat = (both[c:] / ctx.n).reshape(shape)
        scale = ctx.invstd.reshape(shape)
        if ctx.w is not None:
            scale = scale * ctx.w.reshape(shape)
        gx = (gy - mean_dy - ctx.xhat * mean_dy_xhat) * scale
        return (_new(gx.astype(dt), grad_output._dtype), gw, gb, None, None, None, None, None)


class SyncBatchNorm(_BatchNorm):
    """torch.nn.SyncBatchNorm: in training, mean and variance over every rank's batch."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, process_group=None,
                 device=None, dtype=None) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype)
        self.process_group = process_group

    def _check_input_dim(self, input) -> None:
        if input.dim() < 2:
            raise ValueError(f"expected at least 2D input (got {input.dim()}D input)")

    def forward(self, input):
        bn_training, rm, rv, factor = self._prepare(input)
        pg = _resolve(self.process_group) if bn_training and is_initialized() else None
        if pg is None or pg.size() == 1:
            return F.batch_norm(input, rm, rv, self.weight, self.bias, bn_training, factor,
                                self.eps)
        if input._dtype is D.bfloat16 or input._dtype is D.float16:
            raise NotImplementedError("SyncBatchNorm: float16/bfloat16 inputs are not supported")
        return _SyncBatchNormFn.apply(input, self.weight, self.bias, rm, rv, self.eps, factor,
                                      pg)

    @classmethod
    def convert_sync_batchnorm(cls, module, process_group=None):
        """Replace every BatchNorm*d in module by a SyncBatchNorm holding the same state."""
        out = module
        if isinstance(module, _BatchNorm) and not isinstance(module, SyncBatchNorm):
            out = SyncBatchNorm(module.num_features, module.eps, module.momentum, module.affine,
                                module.track_running_stats, process_group)
            if module.affine:
                out.weight = module.weight
                out.bias = module.bias
            out.running_mean = module.running_mean
            out.running_var = module.running_var
            out.num_batches_tracked = module.num_batches_tracked
            out.training = module.training
            if hasattr(module, "qconfig"):
                out.qconfig = module.qconfig
        for name, child in module.named_children():
            out.add_module(name, cls.convert_sync_batchnorm(child, process_group))
        del module
        return out
