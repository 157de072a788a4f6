"""Composite losses: torch's formulas over ember ops (autograd comes from the ops)."""

from __future__ import annotations

import math

import ember

from ..._tensor import Tensor
from ._common import legacy_reduction, reduce_loss
from .loss import _check_reduction

__all__ = ["margin_ranking_loss", "hinge_embedding_loss", "cosine_embedding_loss",
           "triplet_margin_loss", "poisson_nll_loss", "gaussian_nll_loss",
           "multilabel_soft_margin_loss", "multi_margin_loss", "multilabel_margin_loss",
           "triplet_margin_with_distance_loss"]

def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                        size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """torch.nn.functional.margin_ranking_loss: max(0, -target * (x1 - x2) + margin)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension "
                           f"but got sizes: input1: {input1.size()}, input2: {input2.size()}, "
                           f"target: {target.size()} ")
    return reduce_loss((-target * (input1 - input2) + margin).clamp_min(0), reduction)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0, size_average=None,
                         reduce=None, reduction: str = "mean") -> Tensor:
    """torch.nn.functional.hinge_embedding_loss."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    zeros = ember.zeros_like(input)
    margin_clamp = (margin - input).clamp_min(0)
    out = ember.where(target != 1, margin_clamp, zeros) + ember.where(target != -1, input, zeros)
    return reduce_loss(out, reduction)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                          size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """torch.nn.functional.cosine_embedding_loss."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    d = 1 if input1.dim() == 2 else 0
    eps = 1e-12
    prod_sum = (input1 * input2).sum(d)
    denom = (((input1 * input1).sum(d) + eps) * ((input2 * input2).sum(d) + eps)).sqrt()
    cos = prod_sum / denom
    zeros = ember.zeros_like(cos)
    out = ember.where(target == 1, 1 - cos, zeros) + ember.where(
        target == -1, (cos - margin).clamp_min(0), zeros)
    return reduce_loss(out, reduction)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor,
                        margin: float = 1.0, p: float = 2, eps: float = 1e-6, swap: bool = False,
                        size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """torch.nn.functional.triplet_margin_loss."""
    from .misc import pairwise_distance
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if margin <= 0:
        raise ValueError(f"TripletMarginLoss: expected margin to be greater than 0, got {margin} "
                         "instead")
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = ember.minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return reduce_loss((margin + d_pos - d_neg).clamp_min(0), reduction)


def triplet_margin_with_distance_loss(anchor: Tensor, positive: Tensor, negative: Tensor, *,
                                      distance_function=None, margin: float = 1.0,
                                      swap: bool = False, reduction: str = "mean") -> Tensor:
    """torch.nn.functional.triplet_margin_with_distance_loss."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    a_dim, p_dim, n_dim = anchor.ndim, positive.ndim, negative.ndim
    if not (a_dim == p_dim and p_dim == n_dim):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have "
                           f"the same number of dimensions, but got: anchor {a_dim}D, "
                           f"positive {p_dim}D, and negative {n_dim}D inputs")
    if distance_function is None:
        from .misc import pairwise_distance as distance_function
    d_pos = distance_function(anchor, positive)
    d_neg = distance_function(anchor, negative)
    if swap:
        d_neg = ember.minimum(d_neg, distance_function(positive, negative))
    return reduce_loss(ember.clamp_min(margin + d_pos - d_neg, 0), reduction)


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False,
                     size_average=None, eps: float = 1e-8, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """torch.nn.functional.poisson_nll_loss."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if log_input:
        loss = ember.exp(input) - target * input
    else:
        loss = input - target * ember.log(input + eps)
    if full:
        stirling = target * ember.log(target) - target + 0.5 * ember.log(2 * math.pi * target)
        loss = loss + ember.where(target <= 1, ember.zeros_like(stirling), stirling)
    return reduce_loss(loss, reduction)


def gaussian_nll_loss(input: Tensor, target: Tensor, var, full: bool = False,
                      eps: float = 1e-6, reduction: str = "mean") -> Tensor:
    """torch.nn.functional.gaussian_nll_loss."""
    if isinstance(var, (int, float)):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = ember.full_like(input, float(var))
    if var.size() != input.size():
        if input.size()[:-1] == var.size():
            var = var.unsqueeze(-1)
        elif input.size()[:-1] == var.size()[:-1] and var.size(-1) == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    _check_reduction(reduction)
    if bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    # torch clamps a copy of var without recording the clamp in the graph
    var = var * 1
    var._array[...] = var._array.clip(eps, None)
    loss = 0.5 * (ember.log(var) + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return reduce_loss(loss, reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                size_average=None, reduce=None,
                                reduction: str = "mean") -> Tensor:
    """torch.nn.functional.multilabel_soft_margin_loss."""
    from .activation import logsigmoid
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    loss = loss.sum(dim=class_dim) / input.size(class_dim)
    return reduce_loss(loss, reduction)


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0,
                      weight: Tensor | None = None, size_average=None, reduce=None,
                      reduction: str = "mean") -> Tensor:
    """torch.nn.functional.multi_margin_loss: sum_j max(0, margin - x[y] + x[j])**p / C."""
    import numpy as np
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    x = input if input.dim() == 2 else input.reshape(1, -1)
    t = target.reshape(-1)
    c = x.size(1)
    x_y = x.gather(1, t.reshape(-1, 1))
    terms = (margin - x_y + x).clamp_min(0)
    if p == 2:
        terms = terms * terms
    if weight is not None:
        terms = terms * weight[t].reshape(-1, 1)
    # the target class itself does not count
    keep = np.ones(tuple(x.shape), dtype=bool)
    keep[np.arange(x.size(0)), np.asarray(t.detach().cpu()._array)] = False
    loss = (terms * ember.tensor(keep, dtype=x.dtype, device=x.device)).sum(1) / c
    if input.dim() < 2:
        loss = loss.reshape(())
    return reduce_loss(loss, reduction)


def multilabel_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                           reduction: str = "mean") -> Tensor:
    """torch.nn.functional.multilabel_margin_loss (targets padded with -1)."""
    import numpy as np
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    x = input if input.dim() == 2 else input.reshape(1, -1)
    tgt = np.asarray(target.detach().cpu()._array).reshape(x.shape)
    n, c = x.shape
    pos = np.zeros((n, c), bool)
    for i in range(n):
        for j in tgt[i]:
            if j < 0:
                break
            pos[i, j] = True
    # pairs (j target, k non-target): max(0, 1 - (x[j] - x[k])) / C
    diff = 1 - (x.unsqueeze(2) - x.unsqueeze(1))
    mask = ember.tensor(pos[:, :, None] & ~pos[:, None, :], dtype=x.dtype, device=x.device)
    loss = (diff.clamp_min(0) * mask).sum(dim=(1, 2)) / c
    if input.dim() < 2:
        loss = loss.reshape(())
    return reduce_loss(loss, reduction)
