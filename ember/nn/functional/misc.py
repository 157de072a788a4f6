"""nn.functional: linear, bilinear, dropout, embedding, one_hot, pad, normalize, distances."""

from __future__ import annotations

import math

import ember

from ... import _dtype as D
from ..._tensor import Tensor, _new
from ...autograd.grad_mode import GRAD_ENABLED
from ._common import const, nnop, xp_arr

__all__ = ["linear", "bilinear", "dropout", "dropout1d", "dropout2d", "dropout3d",
           "alpha_dropout", "feature_alpha_dropout", "embedding", "embedding_bag", "one_hot",
           "pad", "normalize",
           "cosine_similarity", "pairwise_distance", "pdist", "gumbel_softmax"]


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """torch.nn.functional.linear: input @ weight.T + bias."""
    if bias is not None:
        if input.dim() == 2:
            return ember.addmm(bias, input, weight.t())
        if input.dim() > 2 and input.is_contiguous() and weight.dim() == 2:
            # as torch: a contiguous N-d input runs as one addmm on its (rows, in) view
            shape = input.shape
            out = ember.addmm(bias, input.reshape(-1, shape[-1]), weight.t())
            return out.view(*shape[:-1], out.shape[-1])
    out = ember.matmul(input, weight.t())
    return out if bias is None else out + bias


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor,
             bias: Tensor | None = None) -> Tensor:
    """torch.nn.functional.bilinear: x1^T A x2 + b for each output feature."""
    out = ember.einsum("...i,oij,...j->...o", input1, weight, input2)
    return out if bias is None else out + bias


# ---- dropout ------------------------------------------------------------------------------
def _check_p(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _apply_noise(input: Tensor, noise_shape, p: float, inplace: bool) -> Tensor:
    from ... import random as R
    if p == 1.0:
        noise = ember.zeros(noise_shape, dtype=input.dtype, device=input.device)
    else:
        # drawn by the generator of input's device (host-side), then moved there
        order = _memory_order(input._array) if tuple(noise_shape) == tuple(input.shape) \
            else None
        if order is None:
            noise = R.dropout_mask(tuple(noise_shape), p, input.dtype, device=input.device)
        else:
            # torch fills empty_like(input) in memory order: draw for the permuted layout
            perm_shape = tuple(input.shape[i] for i in order)
            noise = R.dropout_mask(perm_shape, p, input.dtype, device=input.device)
            inv = [0] * len(order)
            for k, i in enumerate(order):
                inv[i] = k
            noise = noise.transpose(inv)
        if not isinstance(noise, Tensor):
            noise = _new(noise, input.dtype)
        if input.is_cuda:
            noise = noise.to(input.device)
    if inplace:
        return input.mul_(noise)
    return input * noise


def _memory_order(arr):
    """Axis order (outermost first) of a dense permuted array; None when C-contiguous."""
    if arr.flags.c_contiguous or arr.ndim < 2:
        return None
    order = sorted(range(arr.ndim), key=lambda i: -arr.strides[i])
    expect = arr.itemsize
    for i in reversed(order):
        if arr.shape[i] > 1 and arr.strides[i] != expect:
            return None          # not dense: torch uses contiguous strides then
        expect *= arr.shape[i]
    return order


def dropout(input: Tensor, p: float = 0.5, training: bool = True,
            inplace: bool = False) -> Tensor:
    """torch.nn.functional.dropout (the mask drawn as torch draws it, same seed same units)."""
    _check_p(p)
    if not training or p == 0.0 or input.numel() == 0:
        return input
    return _apply_noise(input, input.shape, p, inplace)


def _feature_dropout(input: Tensor, p: float, training: bool, inplace: bool,
                     batched_dim: int, name: str) -> Tensor:
    _check_p(p)
    if input.dim() not in (batched_dim, batched_dim + 1):
        raise RuntimeError(f"{name}: Expected {batched_dim}D or {batched_dim + 1}D input, but "
                           f"received a {input.dim()}D input")
    if not training or p == 0.0 or input.numel() == 0:
        return input
    batched = input.dim() == batched_dim + 1
    x = input if batched else input.unsqueeze(0)
    shape = tuple(x.shape[:2]) + (1,) * (x.dim() - 2)
    out = _apply_noise(x, shape, p, inplace)
    return out if batched else (input if inplace else out.squeeze(0))


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """torch.nn.functional.dropout1d: zero whole channels of (N, C, L) or (C, L)."""
    return _feature_dropout(input, p, training, inplace, 2, "dropout1d")


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """torch.nn.functional.dropout2d: zero whole channels of (N, C, H, W) or (C, H, W)."""
    if input.dim() not in (3, 4):
        import warnings
        warnings.warn(f"dropout2d: Received a {input.dim()}-D input to dropout2d, which is "
                      "deprecated and will result in an error in a future release. To retain "
                      "the behavior and silence this warning, please use dropout instead. Note "
                      "that dropout2d exists to provide channel-wise dropout on inputs with 2 "
                      "spatial dimensions, a channel dimension, and an optional batch dimension "
                      "(i.e. 3D or 4D inputs).", UserWarning, stacklevel=2)
    _check_p(p)
    if not training or p == 0.0 or input.numel() == 0:
        return input
    if input.dim() == 3:
        import warnings
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise "
                      "1D dropout behavior is desired - input is interpreted as shape (N, C, L), "
                      "where C is the channel dim. This behavior will change in a future release "
                      "to interpret the input as one without a batch dimension, i.e. shape "
                      "(C, H, W). To maintain the 1D channel-wise dropout behavior, please "
                      "switch to using dropout1d instead.", UserWarning, stacklevel=2)
    shape = tuple(input.shape[:2]) + (1,) * (input.dim() - 2)
    return _apply_noise(input, shape, p, inplace)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """torch.nn.functional.dropout3d: zero whole channels of (N, C, D, H, W) or (C, D, H, W)."""
    return _feature_dropout(input, p, training, inplace, 4, "dropout3d")


def _alpha_dropout(input: Tensor, p: float, training: bool, inplace: bool,
                   feature: bool) -> Tensor:
    _check_p(p)
    if p == 0 or not training or input.numel() == 0:
        return input
    if feature and input.dim() < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    if p == 1:
        return input.mul_(0) if inplace else input * 0
    shape = tuple(input.shape[:2]) + (1,) * (input.dim() - 2) if feature else \
        tuple(input.shape)
    # torch's _dropout_impl: noise ~ Bernoulli(1 - p), then an affine map keeping the SELU
    # fixed point (mean 0, variance 1)
    noise = ember.empty(shape, dtype=input.dtype, device=input.device).bernoulli_(1 - p)
    alpha = 1.7580993408473766
    a = 1.0 / math.sqrt((alpha * alpha * p + 1) * (1 - p))
    b = noise.add(-1).mul_(alpha * a).add_(alpha * a * p)
    noise.mul_(a)
    if inplace:
        return input.mul_(noise).add_(b)
    return input * noise + b


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                  inplace: bool = False) -> Tensor:
    """torch.nn.functional.alpha_dropout (same draws as torch)."""
    return _alpha_dropout(input, p, training, inplace, False)


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                          inplace: bool = False) -> Tensor:
    """torch.nn.functional.feature_alpha_dropout: alpha dropout of whole channels."""
    return _alpha_dropout(input, p, training, inplace, True)


# ---- embedding and one_hot ----------------------------------------------------------------
@nnop()
def _embedding(weight, indices, padding_idx=None):
    xp, w = xp_arr(weight)
    idx = indices._array
    out = w[idx]

    def backward(gy):
        if GRAD_ENABLED[0]:
            # create_graph: a differentiable scatter-add (its own gradient is a gather)
            flat_idx = idx.reshape(-1)
            keep = flat_idx != padding_idx if padding_idx is not None else None
            rows = flat_idx if keep is None else flat_idx[keep]
            flat_g = gy.reshape(-1, w.shape[1])
            if keep is not None:
                flat_g = flat_g[_new(xp.nonzero(keep)[0], D.int64)]
            return ember.zeros(w.shape, dtype=gy.dtype, device=gy.device).index_add(
                0, _new(rows.astype(xp.int64), D.int64), flat_g), None
        g = xp.zeros(w.shape, gy._array.dtype)
        flat_idx = idx.reshape(-1)
        flat_g = gy._array.reshape(-1, w.shape[1])
        if padding_idx is not None:
            keep = flat_idx != padding_idx
            flat_idx, flat_g = flat_idx[keep], flat_g[keep]
        xp.add.at(g, flat_idx, flat_g)
        return const(g, gy), None
    return out, backward, {"name": "EmbeddingBackward0", "saved": ()}


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """torch.nn.functional.embedding (max_norm renormalises the used rows in place)."""
    if input._dtype.name not in ("int64", "int32"):
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the "
                           "following scalar types: Long, Int; but got "
                           f"{input._type_str()} instead (while checking arguments for "
                           "embedding)")
    n = weight.size(0)
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= n:
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -n:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = n + padding_idx
    idx = input._array
    if idx.size and (idx.min() < -n or idx.max() >= n or idx.min() < 0):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        xp, w = xp_arr(weight)
        rows = xp.unique(idx.reshape(-1))
        norms = (xp.abs(w[rows]) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
        scale = xp.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
        w[rows] = (w[rows] * scale[:, None]).astype(w.dtype)
    return _embedding(weight, input, padding_idx=padding_idx)


def embedding_bag(input: Tensor, weight: Tensor, offsets: Tensor | None = None,
                  max_norm: float | None = None, norm_type: float = 2, scale_grad_by_freq=False,
                  mode: str = "mean", sparse: bool = False,
                  per_sample_weights: Tensor | None = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> Tensor:
    """torch.nn.functional.embedding_bag: sum / mean / max of each bag's embeddings."""
    import numpy as np
    if mode not in ("sum", "mean", "max"):
        raise ValueError(f"mode has to be one of sum, mean or max, but got {mode}")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError("embedding_bag: per_sample_weights was not None. "
                                  "per_sample_weights is only supported for mode='sum' (got "
                                  f"mode='{mode}'). Please open a feature request on GitHub.")
    idx = np.asarray(input.detach().cpu()._array).astype(np.int64)
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated "
                             "is a mini-batch of fixed length sequences.")
        n_bags, length = idx.shape
        starts = np.arange(n_bags) * length
        idx = idx.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        starts = np.asarray(offsets.detach().cpu()._array).astype(np.int64)
        if include_last_offset:
            starts = starts[:-1]
        n_bags = starts.size
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{input.dim()}")
    if padding_idx is not None and padding_idx < 0:
        padding_idx += weight.size(0)
    ends = np.append(starts[1:], idx.size)
    bag_of = np.repeat(np.arange(n_bags), ends - starts)
    keep = np.ones(idx.size, bool) if padding_idx is None else idx != padding_idx
    flat = _new(idx, D.int64)
    emb = embedding(flat, weight, max_norm=max_norm, norm_type=norm_type)
    if per_sample_weights is not None:
        emb = emb * per_sample_weights.reshape(-1, 1)
    if mode == "max":
        rows = []
        for b in range(n_bags):
            sel = np.nonzero((bag_of == b) & keep)[0]
            rows.append(emb[_new(sel, D.int64)].max(0).values if sel.size else
                        ember.zeros(weight.size(1), dtype=weight.dtype, device=weight.device))
        return ember.stack(rows, 0) if rows else emb[:0]
    # sum / mean: one (bags x items) assignment matrix, so the reduction is one matmul
    assign = np.zeros((n_bags, idx.size), weight._array.dtype)
    assign[bag_of[keep], np.nonzero(keep)[0]] = 1
    if mode == "mean":
        counts = assign.sum(1, keepdims=True)
        assign = np.divide(assign, counts, out=np.zeros_like(assign), where=counts > 0)
    m = _new(assign, weight.dtype).to(weight.device)
    return m @ emb


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """torch.nn.functional.one_hot (int64 output)."""
    if tensor._dtype is not D.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    xp, t = xp_arr(tensor)
    if t.size and t.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        if t.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(t.max()) + 1
    elif t.size and t.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = (t[..., None] == xp.arange(num_classes)).astype(xp.int64)
    return _new(out, D.int64)


# ---- padding ------------------------------------------------------------------------------
def _pad_pairs(pad, ndim: int):
    """torch's pad list (last dim first) as per-axis (before, after) pairs."""
    pairs = [(0, 0)] * ndim
    for i in range(len(pad) // 2):
        pairs[ndim - 1 - i] = (int(pad[2 * i]), int(pad[2 * i + 1]))
    return pairs


@nnop(saves=False)
def _constant_pad(input, pad, value=0.0):
    xp, x = xp_arr(input)
    pairs = _pad_pairs(pad, x.ndim)
    # negative pads crop (torch allows them); crop first, then pad the rest
    sl = tuple(slice(-min(b, 0), x.shape[i] + min(a, 0)) for i, (b, a) in enumerate(pairs))
    x = x[sl]
    pos = [(max(b, 0), max(a, 0)) for b, a in pairs]
    out = xp.pad(x, pos, mode="constant", constant_values=value) if any(
        b or a for b, a in pos) else x.copy()
    neg = [-p for p in pad]
    return out, lambda gy: (_constant_pad(gy, neg, value=0.0),), {
        "name": "ConstantPadNdBackward0"}


@nnop(saves=False)
def _index_pad(input, pad, mode="reflect"):
    xp, x = xp_arr(input)
    npmode = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[mode]
    pairs = _pad_pairs(pad, x.ndim)
    out = xp.pad(x, pairs, mode=npmode)
    # where each output element came from, so backward can scatter-add
    src = xp.pad(xp.arange(x.size).reshape(x.shape), pairs, mode=npmode)

    def backward(gy):
        if GRAD_ENABLED[0]:
            # create_graph: a differentiable scatter-add (its own gradient is a gather)
            flat = _new(src.reshape(-1).astype(xp.int64), D.int64)
            return (ember.zeros(x.size, dtype=gy.dtype, device=gy.device).index_add(
                0, flat, gy.reshape(-1)).reshape(x.shape),)
        g = xp.zeros(x.size, gy._array.dtype)
        xp.add.at(g, src.reshape(-1), gy._array.reshape(-1))
        return (const(g.reshape(x.shape), gy),)
    names = {"reflect": "ReflectionPad", "replicate": "ReplicationPad", "circular": "Circular"}
    return out, backward, {"name": f"{names[mode]}{len(pad) // 2}DBackward0"}


def pad(input: Tensor, pad, mode: str = "constant", value: float | None = None) -> Tensor:
    """torch.nn.functional.pad (constant, reflect, replicate, circular)."""
    if len(pad) % 2 != 0:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.dim():
        raise RuntimeError("Padding length should be less than or equal to two times the input "
                           "dimension but got padding length "
                           f"{len(pad)} and input of dimension {input.dim()}")
    if mode == "constant":
        return _constant_pad(input, tuple(pad), value=0.0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument.")
    if mode == "reflect":
        for i in range(len(pad) // 2):
            size = input.shape[input.dim() - 1 - i]
            if pad[2 * i] >= size or pad[2 * i + 1] >= size:
                raise RuntimeError("Argument #4: Padding size should be less than the "
                                   "corresponding input dimension, but got: padding "
                                   f"({pad[2 * i]}, {pad[2 * i + 1]}) at dimension "
                                   f"{input.dim() - 1 - i} of input {list(input.shape)}")
    return _index_pad(input, tuple(pad), mode=mode)


# ---- norms and distances ------------------------------------------------------------------
def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12,
              out: Tensor | None = None) -> Tensor:
    """torch.nn.functional.normalize: input / max(||input||_p, eps) along dim."""
    denom = ember.linalg_vector_norm(input, p, dim, keepdim=True).clamp_min(eps)
    return input / denom.expand_as(input)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """torch.nn.functional.cosine_similarity."""
    n1 = ember.linalg_vector_norm(x1, 2, dim, keepdim=True)
    n2 = ember.linalg_vector_norm(x2, 2, dim, keepdim=True)
    # torch clamps the norms without recording the clamp in the graph
    n1 = n1.clamp_min(eps)
    n2 = n2.clamp_min(eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """torch.nn.functional.pairwise_distance: ||x1 - x2 + eps||_p over the last dim."""
    return ember.linalg_vector_norm(x1 - x2 + eps, p, -1, keepdim=keepdim)


def pdist(input: Tensor, p: float = 2) -> Tensor:
    """torch.nn.functional.pdist: ||x_i - x_j||_p for every row pair i < j (row-major)."""
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    xp, _ = xp_arr(input)
    i, j = xp.triu_indices(input.shape[0], 1)
    rows = _new(i.astype(xp.int64), D.int64)
    cols = _new(j.astype(xp.int64), D.int64)
    return ember.linalg_vector_norm(input[rows] - input[cols], p, -1)


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0,
          compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Tensor:
    """torch.cdist: p-norm distances between the rows of x1 and x2 (batched); for p=2 and
    more than 25 rows (or 'use_mm_for_euclid_dist') torch's matmul expansion, as torch."""
    modes = ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
             "donot_use_mm_for_euclid_dist")
    if compute_mode not in modes:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    for name, t in (("X1", x1), ("X2", x2)):
        if t.dim() < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: "
                               f"{t.dim()}D")
    if x1.size(-1) != x2.size(-1):
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: "
                           f"{x1.size(-1)} X2: {x2.size(-1)}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    r1, r2 = x1.size(-2), x2.size(-2)
    use_mm = p == 2 and (compute_mode == "use_mm_for_euclid_dist" or (
        compute_mode == modes[0] and (r1 > 25 or r2 > 25)))
    if use_mm:
        x1_norm = x1.pow(2).sum(dim=-1, keepdim=True)
        x2_norm = x2.pow(2).sum(dim=-1, keepdim=True)
        x1_ = ember.cat([x1.mul(-2), x1_norm, ember.ones_like(x1_norm)], dim=-1)
        x2_ = ember.cat([x2, ember.ones_like(x2_norm), x2_norm], dim=-1)
        return x1_.matmul(x2_.transpose(-2, -1)).clamp_min(1e-30).sqrt()
    diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
    return ember.linalg_vector_norm(diff, p, -1)


def gumbel_softmax(logits: Tensor, tau: float = 1, hard: bool = False, eps: float = 1e-10,
                   dim: int = -1) -> Tensor:
    """torch.nn.functional.gumbel_softmax (same exponential_ draws as torch)."""
    if eps != 1e-10:
        import warnings
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    gumbels = -ember.empty_like(logits).exponential_().log()
    y_soft = ((logits + gumbels) / tau).softmax(dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = ember.zeros_like(logits).scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft
