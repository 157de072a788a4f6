"""CTC loss: torch's alpha/beta recursions in log space, vectorised over the batch."""

from __future__ import annotations

from ..._tensor import Tensor, _new
from ...autograd.grad_mode import GRAD_ENABLED
from ._common import nnop, xp_arr
from .loss import _check_reduction

__all__ = ["ctc_loss"]


def _lse(xp, *arrs):
    """Elementwise log-sum-exp of same-shape arrays holding -inf for 'impossible'."""
    m = arrs[0]
    for a in arrs[1:]:
        m = xp.maximum(m, a)
    ms = xp.where(m == -xp.inf, 0.0, m)
    acc = 0.0
    for a in arrs:
        acc = acc + xp.exp(a - ms)
    with_inf = xp.log(acc) + ms
    return xp.where(m == -xp.inf, -xp.inf, with_inf)


def _extended(xp, tg, tl, blank):
    """Labels l' (blank, l1, blank, l2, ..., blank) per batch entry, padded with blank, and
    where each state s may also be entered from s - 2."""
    n, lmax = tg.shape
    s_len = 2 * lmax + 1
    ext = xp.full((n, s_len), blank, xp.int64)
    ext[:, 1::2] = tg
    skip = xp.zeros((n, s_len), bool)
    if lmax > 1:
        skip[:, 3::2] = tg[:, 1:] != tg[:, :-1]
    valid = xp.arange(s_len)[None, :] < (2 * tl + 1)[:, None]
    return ext, skip, valid


@nnop(name="ctc_loss_prim")
def _ctc(log_probs, targets=None, input_lengths=None, target_lengths=None, blank=0,
         zero_infinity=False):
    xp, lp_raw = xp_arr(log_probs)
    lp = lp_raw.astype(xp.float64)                     # (T, N, C)
    t_max, n, c = lp.shape
    il, tl = input_lengths, target_lengths
    ext, skip, valid = _extended(xp, targets, tl, blank)
    s_len = ext.shape[1]
    ninf = -xp.inf
    rows = xp.arange(n)[:, None]
    emit = lp[:, rows, ext]                            # (T, N, S) log p of each state's label
    emit = xp.where(valid[None], emit, ninf)
    alpha = xp.full((t_max, n, s_len), ninf)
    if t_max:
        alpha[0, :, 0] = emit[0, :, 0]
        if s_len > 1:
            alpha[0, :, 1] = xp.where(tl > 0, emit[0, :, 1], ninf)
    pad1 = xp.full((n, 1), ninf)
    pad2 = xp.full((n, 2), ninf)
    for t in range(1, t_max):
        a = alpha[t - 1]
        a1 = xp.concatenate([pad1, a[:, :-1]], axis=1)
        a2 = xp.where(skip, xp.concatenate([pad2, a[:, :-2]], axis=1), ninf)
        alpha[t] = _lse(xp, a, a1, a2) + emit[t]
    last = alpha[xp.maximum(il - 1, 0), xp.arange(n)]  # (N, S) at each entry's last frame
    end = 2 * tl
    a_end = last[xp.arange(n), end]
    a_end1 = xp.where(tl > 0, last[xp.arange(n), xp.maximum(end - 1, 0)], ninf)
    nll = -_lse(xp, a_end, a_end1)
    nll = xp.where(il == 0, xp.where(tl == 0, 0.0, xp.inf), nll)
    out = nll.astype(lp_raw.dtype)

    def backward(gy):
        if GRAD_ENABLED[0]:
            raise RuntimeError("derivative for aten::_ctc_loss_backward is not implemented")
        # beta[t, s]: log p of emitting the rest of the target from state s at frame t
        # (this frame's emission included, as in torch)
        beta = xp.full((t_max, n, s_len), ninf)
        init = xp.full((n, s_len), ninf)
        ar = xp.arange(n)
        init[ar, end] = emit[xp.maximum(il - 1, 0), ar, end]
        init[ar, xp.maximum(end - 1, 0)] = xp.where(
            tl > 0, emit[xp.maximum(il - 1, 0), ar, xp.maximum(end - 1, 0)],
            init[ar, xp.maximum(end - 1, 0)])
        nxt = xp.full((n, s_len), ninf)
        skip_next = xp.concatenate([skip[:, 2:], xp.zeros((n, 2), bool)], axis=1)
        for t in range(t_max - 1, -1, -1):
            b1 = xp.concatenate([nxt[:, 1:], pad1], axis=1)
            b2 = xp.where(skip_next, xp.concatenate([nxt[:, 2:], pad2], axis=1), ninf)
            rec = _lse(xp, nxt, b1, b2) + emit[t]
            cur = xp.where((t == il - 1)[:, None], init,
                           xp.where((t < il - 1)[:, None], rec, ninf))
            beta[t] = cur
            nxt = cur
        ab = alpha + beta                              # (T, N, S)
        # log sum over the states carrying class k of alpha*beta, per (t, n, k)
        lcab = xp.full((t_max, n, c), ninf)
        for s in range(s_len):
            k = ext[:, s]
            cur = lcab[:, ar, k]
            lcab[:, ar, k] = _lse(xp, cur, ab[:, :, s])
        g = xp.exp(lp) - xp.exp(lcab + nll[None, :, None] - lp)
        g = xp.where((xp.arange(t_max)[:, None] < il[None, :])[:, :, None], g, 0.0)
        if zero_infinity:
            g = xp.where(xp.isinf(nll)[None, :, None], 0.0, g)
        g = g * gy._array.astype(xp.float64)[None, :, None]
        return (_new(g.astype(lp_raw.dtype), log_probs._dtype),)
    return out, backward, {"name": "CtcLossBackward0"}


def _lengths(v, name, n, xp):
    if isinstance(v, Tensor):
        if v._dtype.category >= 2:
            raise TypeError(f"ctc_loss(): argument '{name}' must be a tuple of ints or a "
                            f"Tensor of integers, not a floating Tensor")
        a = v._array.reshape(-1).astype(xp.int64)
    elif isinstance(v, int):
        a = xp.asarray([v], xp.int64)
    else:
        a = xp.asarray([int(e) for e in v], xp.int64)
    if a.shape[0] != n:
        raise RuntimeError(f"{name} must be of size batch_size")
    return a


def ctc_loss(log_probs: Tensor, targets: Tensor, input_lengths, target_lengths, blank: int = 0,
             reduction: str = "mean", zero_infinity: bool = False) -> Tensor:
    """torch.nn.functional.ctc_loss (the gradient is torch's, which assumes log_probs come
    from log_softmax)."""
    import ember
    _check_reduction(reduction)
    if log_probs._dtype.category < 2:
        from ...ops._registry import _scalar_name
        raise NotImplementedError(f"\"ctc_loss_cpu\" not implemented for "
                                  f"'{_scalar_name(log_probs._dtype)}'")
    unbatched = log_probs.dim() == 2
    if unbatched:
        log_probs = log_probs.unsqueeze(1)
        targets = targets.unsqueeze(0)
    xp, _ = xp_arr(log_probs)
    t_max, n, c = log_probs.shape
    if blank < 0 or blank >= c:
        raise RuntimeError("blank must be in label range")
    il = _lengths(input_lengths, "input_lengths", n, xp)
    tl = _lengths(target_lengths, "target_lengths", n, xp)
    tg = targets._array.astype(xp.int64)
    for arr, name, hi in ((il, "input_lengths", t_max), (tl, "target_lengths", None)):
        if arr.size and int(arr.min()) < 0:
            raise RuntimeError(f"Expected {name} to have value at least 0, but got value "
                               f"{int(arr.min())} (while checking arguments for "
                               "ctc_loss_allocate_outputs)")
        if hi is not None and arr.size and int(arr.max()) > hi:
            raise RuntimeError(f"Expected {name} to have value at most {hi}, but got value "
                               f"{int(arr.max())} (while checking arguments for "
                               "ctc_loss_allocate_outputs)")
    lmax = int(tl.max()) if tl.size else 0
    if tg.ndim == 1 and not unbatched:                 # concatenated targets
        offs = xp.concatenate([xp.zeros(1, xp.int64), xp.cumsum(tl)[:-1]])
        if tg.shape[0] < int(tl.sum()):
            raise RuntimeError(f"Expected tensor to have size at least {int(tl.sum())} at "
                               f"dimension 0, but got size {tg.shape[0]} for argument #2 "
                               "'targets' (while checking arguments for "
                               "ctc_loss_allocate_outputs)")
        pos = xp.minimum(offs[:, None] + xp.arange(lmax)[None, :], max(tg.shape[0] - 1, 0))
        dense = tg[pos] if tg.shape[0] else xp.zeros((n, lmax), xp.int64)
    else:
        if tg.shape[1] < lmax:
            raise RuntimeError(f"Expected tensor to have size at least {lmax} at dimension 1, "
                               f"but got size {tg.shape[1]} for argument #2 'targets' (while "
                               "checking arguments for ctc_loss_allocate_outputs)")
        dense = tg[:, :lmax]
    dense = xp.where(xp.arange(lmax)[None, :] < tl[:, None], dense, blank)
    loss = _ctc(log_probs, targets=dense, input_lengths=il, target_lengths=tl, blank=blank,
                zero_infinity=zero_infinity)
    if zero_infinity:
        loss = ember.where(loss == float("inf"), ember.zeros_like(loss), loss)
    if reduction == "mean":
        denom = _new(xp.maximum(tl, 1).astype(loss._array.dtype), loss._dtype)
        loss = (loss / denom).mean()
    elif reduction == "sum":
        loss = loss.sum()
    elif unbatched:
        loss = loss.squeeze(0)
    return loss
