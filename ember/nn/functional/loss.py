"""nn.functional losses (reduction 'none' | 'mean' | 'sum'), as torch computes them."""

from __future__ import annotations

import math
import warnings

from numpy import errstate
from numpy import ndarray as _ndarray

import ember

from ... import _dtype as D
from ..._tensor import Tensor, _new
from ...autograd.grad_mode import GRAD_ENABLED
from ...ops._util import binary_arrays
from ._common import const, legacy_reduction, nnop, reduce_loss, xp_arr

__all__ = ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "kl_div", "nll_loss", "cross_entropy",
           "soft_margin_loss"]

_REDUCTIONS = ("none", "mean", "sum")


def _check_reduction(reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _reduce_arr(loss, reduction: str):
    if reduction == "mean":
        return loss.mean() if loss.size else loss.dtype.type(float("nan"))
    if reduction == "sum":
        return loss.sum()
    return loss


def _scale(gy: Tensor, reduction: str, n: int) -> Tensor:
    """The gradient reaching each element of a pointwise loss."""
    return gy / n if reduction == "mean" else gy


def _warn_size(input: Tensor, target: Tensor) -> None:
    if target.size() != input.size():
        warnings.warn(f"Using a target size ({target.size()}) that is different to the input "
                      f"size ({input.size()}). This will likely lead to incorrect results due to "
                      "broadcasting. Please ensure they have the same size.", UserWarning,
                      stacklevel=3)


# ---- pointwise regression losses ----------------------------------------------------------
@nnop()
def _mse_loss(input, target, reduction="mean"):
    x, t, dt = binary_arrays(input, target)
    d = x - t
    n = max(d.size, 1)
    raw = input._dtype is dt and target._dtype is dt and (dt is D.float32 or dt is D.float64) \
        and type(x) is _ndarray and type(t) is _ndarray

    def backward(gy):
        if raw and not GRAD_ENABLED[0] and gy._dtype is dt and type(gy._array) is _ndarray:
            # no graph wanted: the ops below on the raw arrays (d is input - target: the saved
            # inputs' versions are checked before backward runs)
            ga = gy._array
            ga = (ga / n if reduction == "mean" else ga) * (d * 2)
            return _new(ga, dt), _new(-ga, dt)
        g = _scale(gy, reduction, n) * ((input - target) * 2)
        return g, -g
    return _reduce_arr(d * d, reduction), backward, {"name": "MseLossBackward0"}


@nnop(saves=False)
def _l1_loss(input, target, reduction="mean"):
    x, t, _ = binary_arrays(input, target)
    xp, _ = xp_arr(input)
    d = x - t
    sign = xp.sign(d)
    n = max(d.size, 1)

    def backward(gy):
        g = _scale(gy, reduction, n) * const(sign, gy)
        return g, -g
    return _reduce_arr(xp.abs(d), reduction), backward, {"name": "L1LossBackward0"}


@nnop(saves=False)
def _smooth_l1_loss(input, target, reduction="mean", beta=1.0, huber=False):
    x, t, _ = binary_arrays(input, target)
    xp, _ = xp_arr(input)
    d = x - t
    z = xp.abs(d)
    small = z < beta
    if huber:
        loss = xp.where(small, 0.5 * d * d, beta * (z - 0.5 * beta))
        fac = xp.where(small, d, beta * xp.sign(d))
    else:
        loss = xp.where(small, 0.5 * d * d / beta, z - 0.5 * beta)
        fac = xp.where(small, d / beta, xp.sign(d))
    loss = loss.astype(x.dtype)
    n = max(d.size, 1)

    def backward(gy):
        if GRAD_ENABLED[0]:
            # create_graph: the factor in differentiable ops (second derivative 1/beta or 1)
            dd = input - target
            sgn = const(xp.sign(d), gy)
            big = sgn * beta if huber else sgn
            f = ember.where(const(small, gy) != 0, dd if huber else dd / beta, big)
            g = _scale(gy, reduction, n) * f
            return g, -g
        g = _scale(gy, reduction, n) * const(fac, gy)
        return g, -g
    name = "HuberLossBackward0" if huber else "SmoothL1LossBackward0"
    return _reduce_arr(loss, reduction), backward, {"name": name}


def _maybe_weighted(loss_fn, input: Tensor, target: Tensor, reduction: str,
                    weight: Tensor | None, **kwargs) -> Tensor:
    """loss_fn(input, target) reduced, or with `weight` (mse/l1/huber): the unreduced loss times
    weight, its 'mean' divided by weight.sum()."""
    if weight is None:
        return loss_fn(input, target, reduction=reduction, **kwargs)
    loss = loss_fn(input, target, reduction="none", **kwargs)
    if weight.size() != loss.size():
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction == "mean":
        return loss.sum() / weight.sum()
    return reduce_loss(loss, reduction)


def mse_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
             reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """torch.nn.functional.mse_loss."""
    _warn_size(input, target)
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    return _maybe_weighted(_mse_loss, input, target, reduction, weight)


def l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
            reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """torch.nn.functional.l1_loss."""
    _warn_size(input, target)
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    return _maybe_weighted(_l1_loss, input, target, reduction, weight)


def smooth_l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """torch.nn.functional.smooth_l1_loss."""
    _warn_size(input, target)
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0.0:
        return _l1_loss(input, target, reduction=reduction)
    return _smooth_l1_loss(input, target, reduction=reduction, beta=beta)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """torch.nn.functional.huber_loss."""
    _warn_size(input, target)
    _check_reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    return _maybe_weighted(_smooth_l1_loss, input, target, reduction, weight, beta=delta,
                           huber=True)


# ---- binary cross entropy -----------------------------------------------------------------
@nnop()
def _bce(input, target, weight, reduction="mean"):
    xp, x = xp_arr(input)
    t = target._array
    if x.size and ((x < 0) | (x > 1)).any():
        raise RuntimeError("all elements of input should be between 0 and 1")
    log_x = xp.maximum(xp.log(x), -100)
    log_1mx = xp.maximum(xp.log1p(-x), -100)
    loss = -(t * log_x + (1 - t) * log_1mx)
    w = weight._array if weight is not None else None
    if w is not None:
        loss = loss * w
    loss = loss.astype(x.dtype)
    n = max(loss.size, 1)

    def backward(gy):
        g = _scale(gy, reduction, n)
        if GRAD_ENABLED[0]:
            return _bce_grad_graph(input, target, weight, g)
        gx = gt = None
        if input._requires_grad:
            fac = (x - t) / xp.maximum((1 - x) * x, 1e-12)
            gx = g * const(fac * w if w is not None else fac, gy)
        if target._requires_grad:
            fac = log_1mx - log_x
            gt = g * const(fac * w if w is not None else fac, gy)
        return gx, gt, None
    return _reduce_arr(loss, reduction), backward, {"name": "BinaryCrossEntropyBackward0"}


def _bce_grad_graph(input, target, weight, g):
    """binary_cross_entropy's gradients in ember ops (create_graph)."""
    gx = gt = None
    if input._requires_grad:
        gx = g * (input - target) / ((1 - input) * input).clamp_min(1e-12)
        gx = gx * weight if weight is not None else gx
    if target._requires_grad:
        gt = g * (ember.log1p(-input).clamp_min(-100) - ember.log(input).clamp_min(-100))
        gt = gt * weight if weight is not None else gt
    return gx, gt, None


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """torch.nn.functional.binary_cross_entropy."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if target.size() != input.size():
        raise ValueError(f"Using a target size ({target.size()}) that is different to the input "
                         f"size ({input.size()}) is deprecated. Please ensure they have the same "
                         "size.")
    if weight is not None:
        weight = weight.expand(input.shape)
    return _bce(input, target, weight, reduction=reduction)


@nnop()
def _bce_logits(input, target, weight, pos_weight, reduction="mean"):
    xp, x = xp_arr(input)
    t = target._array
    sp_neg = xp.maximum(-x, 0) + xp.log1p(xp.exp(-xp.abs(x)))   # softplus(-x), stable
    if pos_weight is not None:
        c = 1 + (pos_weight._array - 1) * t
        loss = (1 - t) * x + c * sp_neg
    else:
        c = 1
        loss = (1 - t) * x + sp_neg
    w = weight._array if weight is not None else 1
    out = (loss * w).astype(x.dtype)
    n = max(out.size, 1)

    def backward(gy):
        g = _scale(gy, reduction, n)
        if GRAD_ENABLED[0]:
            return _bce_logits_grad_graph(input, target, weight, pos_weight, g)
        sig_neg = xp.exp(-sp_neg)             # sigmoid(x) = exp(-softplus(-x))
        gx = g * const(((1 - t) - c * (1 - sig_neg)) * w, gy) if input._requires_grad else None
        gt = None
        if target._requires_grad:
            pw = pos_weight._array - 1 if pos_weight is not None else 0
            gt = g * const((-x + pw * sp_neg) * w, gy)
        return gx, gt, None, None
    return _reduce_arr(out, reduction), backward, {"name": "BinaryCrossEntropyWithLogitsBackward0"}


def _bce_logits_grad_graph(input, target, weight, pos_weight, g):
    """binary_cross_entropy_with_logits' gradients in ember ops (create_graph)."""
    from .activation import softplus
    w = weight if weight is not None else 1
    gx = gt = None
    if input._requires_grad:
        c = 1 + (pos_weight - 1) * target if pos_weight is not None else 1
        gx = g * ((1 - target) - c * (1 - ember.sigmoid(input))) * w
    if target._requires_grad:
        pw = pos_weight - 1 if pos_weight is not None else 0
        gt = g * (-input + pw * softplus(-input)) * w
    return gx, gt, None, None


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                     size_average=None, reduce=None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """torch.nn.functional.binary_cross_entropy_with_logits."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if target.size() != input.size():
        raise ValueError(f"Target size ({target.size()}) must be the same as input size "
                         f"({input.size()})")
    for name, t in (("weight", weight), ("pos_weight", pos_weight)):
        if t is not None and t.requires_grad and ember.is_grad_enabled():
            raise RuntimeError("The function 'binary_cross_entropy_with_logits' is not "
                               f"differentiable with respect to argument '{name}'. This input "
                               "cannot have requires_grad True.")
    return _bce_logits(input, target, weight, pos_weight, reduction=reduction)


# ---- KL divergence ------------------------------------------------------------------------
@nnop()
def _kl_div(input, target, log_target=False):
    x, t, _ = binary_arrays(input, target)
    xp, _ = xp_arr(input)
    if log_target:
        et = xp.exp(t)
        loss = et * (t - x)
    else:
        safe = xp.where(t > 0, t, 1)
        loss = xp.where(t > 0, t * (xp.log(safe) - x), 0 * x)   # xlogy(t, t) - t * x
    loss = loss.astype(x.dtype)

    def backward(gy):
        gx = gt = None
        if GRAD_ENABLED[0] and isinstance(input, Tensor) and isinstance(target, Tensor):
            # create_graph: the same formulas in differentiable ops
            if input._requires_grad:
                gx = -gy * (target.exp() if log_target else target)
            if target._requires_grad:
                if log_target:
                    gt = gy * target.exp() * (target - input + 1)
                else:
                    pos = target > 0
                    safe_t = ember.where(pos, target, ember.ones_like(target))
                    gt = gy * ember.where(pos, ember.log(safe_t) + 1 - input,
                                          ember.zeros_like(input))
            return gx, gt
        if isinstance(input, Tensor) and input._requires_grad:
            gx = gy * const(-(et if log_target else t), gy)
        if isinstance(target, Tensor) and target._requires_grad:
            if log_target:
                gt = gy * const(et * (t - x + 1), gy)
            else:
                gt = gy * const(xp.where(t > 0, xp.log(safe) + 1 - x, 0), gy)
        return gx, gt
    return loss, backward, {"name": "KlDivBackward0"}


def kl_div(input: Tensor, target: Tensor, size_average=None, reduce=None,
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """torch.nn.functional.kl_div (reduction also 'batchmean')."""
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce, reduction)
    elif reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns with "
                      "the KL div math definition.'mean' will be changed to behave the same as "
                      "'batchmean' in the next major release.", UserWarning, stacklevel=2)
    if reduction not in ("none", "mean", "sum", "batchmean"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    loss = _kl_div(input, target, log_target=log_target)
    if reduction == "batchmean":
        return loss.sum() / input.size(0) if input.dim() != 0 else loss.sum()
    return reduce_loss(loss, reduction)


# ---- NLL and cross entropy ----------------------------------------------------------------
def _check_target(input: Tensor, target: Tensor) -> None:
    if input.dim() < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.dim()})")
    if input.dim() == 1:
        if target.dim() > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        _check_target_dtype(target)
        return
    if input.dim() == 2 and target.dim() > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if input.size(0) != target.size(0) if target.dim() else True:
        raise ValueError(f"Expected input batch_size ({input.size(0)}) to match target "
                         f"batch_size ({target.size(0) if target.dim() else 0}).")
    if input.dim() == 2 and target.dim() != 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if input.dim() > 2 and tuple(target.shape) != (input.size(0),) + tuple(input.shape[2:]):
        raise RuntimeError(f"Expected target size {[input.size(0)] + list(input.shape[2:])}, "
                           f"got {list(target.shape)}")
    _check_target_dtype(target)


def _check_target_dtype(target: Tensor) -> None:
    if target._dtype.name not in ("int64", "uint8"):
        raise RuntimeError("expected target dtype to be Long or Byte, but got "
                           f"{_scalar(target)}")


def _scalar(t: Tensor) -> str:
    from ...ops._registry import _scalar_name
    return _scalar_name(t._dtype)


def _class_last(xp, x, ndim: int):
    """(…, C) view of an (N, C, d1, …) or (C,) array."""
    return x if ndim == 1 else xp.moveaxis(x, 1, -1)


@nnop()
def _nll_loss(input, target, weight, reduction="mean", ignore_index=-100):
    xp, x = xp_arr(input)
    t = target._array.astype(xp.int64)
    ndim = x.ndim
    c = x.shape[0] if ndim == 1 else x.shape[1]
    ignored = t == ignore_index
    tt = xp.where(ignored, 0, t)
    bad = (~ignored) & ((t < 0) | (t >= c))
    if bad.any():
        raise IndexError(f"Target {int(t[bad].reshape(-1)[0])} is out of bounds.")
    w = weight._array if weight is not None else xp.ones(c, x.dtype)
    wt = xp.where(ignored, 0, w[tt]).astype(x.dtype)
    xl = _class_last(xp, x, ndim)
    picked = xp.take_along_axis(xl, tt[..., None], axis=-1)[..., 0]
    loss = -wt * picked
    if reduction == "none":
        out = loss
        den = 1
    elif reduction == "sum":
        out, den = loss.sum(), 1
    else:
        den = wt.sum()
        # all targets ignored: torch's mean is 0/0 = nan (without numpy's warning)
        out = loss.sum() / den if den != 0 else xp.asarray(float("nan"))
    out = xp.asarray(out, x.dtype)

    def backward(gy):
        onehot = xp.zeros(xl.shape, x.dtype)
        xp.put_along_axis(onehot, tt[..., None], (-wt / den)[..., None], axis=-1)
        if ndim > 1:
            onehot = xp.moveaxis(onehot, -1, 1)
        g = gy if reduction != "none" or ndim == 1 else gy.unsqueeze(1)
        return g * const(onehot, gy), None, None
    return out, backward, {"name": "NllLossBackward0"}


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
             ignore_index: int = -100, reduce=None, reduction: str = "mean") -> Tensor:
    """torch.nn.functional.nll_loss (class indices of any rank: (N, C, d1, ...))."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _check_target(input, target)
    c = input.size(0) if input.dim() == 1 else input.size(1)
    if weight is not None and (weight.dim() != 1 or weight.numel() != c):
        raise RuntimeError(f"weight tensor should be defined either for all {c} classes or no "
                           f"classes but got weight tensor of shape: {list(weight.shape)}")
    return _nll_loss(input, target, weight, reduction=reduction, ignore_index=ignore_index)


@nnop()
def _smooth_term(logp, target, weight, ignore_index=-100):
    """-(logp * weight).sum(class dim), zero where target is ignored (cross_entropy smoothing)."""
    xp, x = xp_arr(logp)
    ndim = x.ndim
    c = x.shape[0] if ndim == 1 else x.shape[1]
    wshape = (c,) if ndim == 1 else (1, c) + (1,) * (ndim - 2)
    w = weight._array.reshape(wshape) if weight is not None else xp.ones(wshape, x.dtype)
    keep = target._array != ignore_index
    cd = 0 if ndim == 1 else 1
    out = xp.where(keep, -(x * w).sum(axis=cd), 0).astype(x.dtype)

    def backward(gy):
        fac = -w * xp.expand_dims(keep, cd)
        return gy.unsqueeze(cd) * const(fac, gy), None, None
    return out, backward, {"name": "MaskedFillBackward0"}


_FUSED_CE = (D.float32, D.float64)


@nnop()
def _cross_entropy_2d(input, target, weight, reduction="mean", ignore_index=-100):
    """log_softmax + nll_loss over dim 1 of an (N, C) input as one primitive: the backward is
    one exp pass, softmax - onehot (the unfused graph made six passes over N x C)."""
    xp, x = xp_arr(input)
    n, c = x.shape
    t = target._array.astype(xp.int64)
    ignored = t == ignore_index
    tt = xp.where(ignored, 0, t)
    bad = (~ignored) & ((t < 0) | (t >= c))
    if bad.any():
        raise IndexError(f"Target {int(t[bad].reshape(-1)[0])} is out of bounds.")
    # log_softmax at the targets only: four passes over N x C (max, subtract, exp, sum) where
    # the whole log-probability matrix took five; e = exp(x - max) is what the backward needs
    rows = xp.arange(n)
    if n and c:
        m = x.max(axis=1, keepdims=True)
        m = xp.where(xp.isfinite(m), m, 0)
        # out of place: NumPy's float32 exp ran ~2x slower writing over its input
        e = xp.exp(x - m)
        s = e.sum(axis=1, keepdims=True)
        with errstate(divide="ignore", invalid="ignore"):
            logp_t = (x[rows, tt] - m[:, 0]) - xp.log(s[:, 0])
    else:
        e, s, logp_t = x.copy(), xp.ones((n, 1), x.dtype), xp.zeros(n, x.dtype)
    w = weight._array if weight is not None else xp.ones(c, x.dtype)
    wt = xp.where(ignored, 0, w[tt]).astype(x.dtype)
    loss = -wt * logp_t
    if reduction == "none":
        out, den = loss, 1
    elif reduction == "sum":
        out, den = loss.sum(), 1
    else:
        den = wt.sum()
        # all targets ignored: torch's mean is 0/0 = nan (without numpy's warning)
        out = loss.sum() / den if den != 0 else xp.asarray(float("nan"))
    out = xp.asarray(out, x.dtype)

    def backward(gy):
        # d/dx of -w_t log_softmax(x)_t is w_t (softmax(x) - onehot(t))
        scale = (wt / den).astype(x.dtype)[:, None]
        g = gy.unsqueeze(1) if reduction == "none" else gy
        if GRAD_ENABLED[0]:          # create_graph: the same formula in differentiable ops
            onehot = xp.zeros(x.shape, x.dtype)
            onehot[rows, tt] = 1
            p = ember.softmax(input, 1)
            return (p - const(onehot, gy)) * const(scale, gy) * g, None, None
        # softmax = e / s: one pass, the per-row factors folded into one column
        sg = scale * g._array
        with errstate(divide="ignore", invalid="ignore"):
            gx = e * (sg / s).astype(x.dtype)
        gx[rows, tt] -= sg[:, 0]
        return const(gx, gy), None, None
    return out, backward, {"name": "NllLossBackward0"}


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                  size_average=None, ignore_index: int = -100, reduce=None,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """torch.nn.functional.cross_entropy: class indices (any rank) or class probabilities."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    class_dim = 0 if input.dim() == 1 else 1
    n_classes = input.size(class_dim)
    if tuple(target.shape) == tuple(input.shape):
        if not target.is_floating_point():
            raise RuntimeError("Expected floating point type for target with class "
                               f"probabilities, got {_scalar(target)}")
        logp = ember.log_softmax(input, class_dim)
        if label_smoothing > 0:
            target = target * (1 - label_smoothing) + label_smoothing / n_classes
        prod = logp * target
        if weight is not None:
            shape = [1] * input.dim()
            shape[class_dim] = n_classes
            prod = prod * weight.reshape(shape)
        if reduction == "none":
            return -prod.sum(class_dim)
        if reduction == "sum":
            return -prod.sum()
        if input.numel() == 0:
            return -prod.sum() * float("nan")
        return -prod.sum() / (input.numel() / n_classes)
    _check_target(input, target)
    if label_smoothing <= 0 and input.dim() == 2 and input._dtype in _FUSED_CE and \
            input.numel() and (weight is None or (weight.dim() == 1 and
                                                  weight.numel() == n_classes)):
        return _cross_entropy_2d(input, target, weight, reduction=reduction,
                                 ignore_index=ignore_index)
    logp = ember.log_softmax(input, class_dim)
    nll = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing <= 0:
        return nll
    smooth = _smooth_term(logp, target, weight, ignore_index=ignore_index)
    if reduction == "sum":
        ret = smooth.sum()
    elif reduction == "none":
        ret = smooth
    else:
        keep = (target._array != ignore_index)
        if weight is not None:
            den = float(weight._array[target._array[keep]].sum())
        else:
            den = float(keep.sum())
        ret = smooth.sum() / (den if den else math.nan)
    return nll * (1 - label_smoothing) + ret * (label_smoothing / n_classes)


def soft_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """torch.nn.functional.soft_margin_loss: log(1 + exp(-target * input))."""
    from .activation import softplus
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    return reduce_loss(softplus(-(target * input), threshold=math.inf), reduction)
