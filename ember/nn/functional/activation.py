"""nn.functional activations: the nn-only primitives, plus wrappers over ember's elementwise ops.

relu, sigmoid, tanh, softmax and log_softmax belong to ember's op families; everything else that
torch implements as its own kernel is a primitive here. Backward factors of the smooth
activations are computed on the raw arrays; under create_graph they are rebuilt from ember ops
(`_smooth_grad`) so that second derivatives are exact too.
"""

from __future__ import annotations

import math
import warnings

import ember

from ..._tensor import Tensor
from ...autograd.grad_mode import GRAD_ENABLED, no_grad
from ._common import const, float_check, nnop, xp_arr

__all__ = ["relu", "relu_", "relu6", "leaky_relu", "leaky_relu_", "elu", "elu_", "selu", "celu",
           "gelu", "silu", "mish", "sigmoid", "tanh", "hardtanh", "hardtanh_", "hardsigmoid",
           "hardswish", "softplus", "softsign", "softmax", "log_softmax", "softmin", "threshold",
           "threshold_", "glu", "logsigmoid", "tanhshrink", "softshrink", "hardshrink", "prelu",
           "rrelu", "rrelu_", "selu_", "celu_"]


def _smooth_grad(kind: str, x: Tensor, **kw) -> Tensor:
    """d activation / dx as a differentiable ember expression (used under create_graph)."""
    if kind == "elu":
        alpha, scale, iscale = kw["alpha"], kw["scale"], kw["input_scale"]
        return ember.where(x > 0, x * 0 + scale, ember.exp(x * iscale) * (alpha * scale * iscale))
    if kind == "gelu":
        if kw["approximate"] == "tanh":
            k = math.sqrt(2.0 / math.pi)
            t = ember.tanh((x + x * x * x * 0.044715) * k)
            return (t + 1) * 0.5 + x * (1 - t * t) * (1 + x * x * (3 * 0.044715)) * (0.5 * k)
        return (ember.erf(x * (1 / math.sqrt(2.0))) + 1) * 0.5 + x * ember.exp(
            x * x * -0.5) * (1 / math.sqrt(2 * math.pi))
    if kind == "silu":
        sg = ember.sigmoid(x)
        return sg * (x * (1 - sg) + 1)
    if kind == "softplus":
        beta, thr = kw["beta"], kw["threshold"]
        return ember.where(x * beta > thr, x * 0 + 1, ember.sigmoid(x * beta))
    if kind == "mish":
        t = ember.tanh(_softplus(x))
        return t + x * ember.sigmoid(x) * (1 - t * t)
    if kind == "logsigmoid":
        return ember.sigmoid(-x)
    if kind == "hardswish":
        zero = x * 0
        return ember.where(x < -3, zero, ember.where(x <= 3, x / 3 + 0.5, zero + 1))
    raise AssertionError(kind)


def _factor_backward(kind: str, input: Tensor, fac, **kw):
    """backward(gy) = gy * f'(x): raw factor normally, an ember graph under create_graph."""
    def backward(gy):
        if GRAD_ENABLED[0]:
            return (gy * _smooth_grad(kind, input, **kw),)
        return (gy * const(fac, gy),)
    return backward


def _sigmoid_arr(xp, x):
    # numerically stable logistic on raw arrays
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype)


# ---- piecewise-linear activations (mask gradients: exact to any order) ----------------------
@nnop(saves=False)
def _hardtanh(input, min_val=-1.0, max_val=1.0):
    xp, x = xp_arr(input)
    out = xp.clip(x, min_val, max_val).astype(x.dtype)
    mask = (x > min_val) & (x < max_val)
    return out, lambda gy: (gy * const(mask, gy),), {"name": "HardtanhBackward0"}


@nnop(saves=False)
def _leaky_relu(input, negative_slope=0.01):
    xp, x = xp_arr(input)
    pos = x > 0
    out = xp.where(pos, x, x * x.dtype.type(negative_slope))
    fac = xp.where(pos, 1.0, negative_slope)
    return out, lambda gy: (gy * const(fac, gy),), {"name": "LeakyReluBackward0"}


@nnop(saves=False)
def _threshold(input, threshold, value):
    xp, x = xp_arr(input)
    keep = x > threshold
    out = xp.where(keep, x, x.dtype.type(value))
    return out, lambda gy: (gy * const(keep, gy),), {"name": "ThresholdBackward0"}


@nnop(saves=False)
def _softshrink(input, lambd=0.5):
    xp, x = xp_arr(input)
    lam = x.dtype.type(lambd)
    out = xp.where(x > lam, x - lam, xp.where(x < -lam, x + lam, x.dtype.type(0)))
    mask = (x > lam) | (x < -lam)
    return out, lambda gy: (gy * const(mask, gy),), {"name": "SoftshrinkBackward0"}


@nnop(saves=False)
def _hardshrink(input, lambd=0.5):
    xp, x = xp_arr(input)
    mask = (x > lambd) | (x < -lambd)
    out = xp.where(mask, x, x.dtype.type(0))
    return out, lambda gy: (gy * const(mask, gy),), {"name": "HardshrinkBackward0"}


@nnop(saves=False)
def _hardsigmoid(input):
    xp, x = xp_arr(input)
    out = (xp.clip(x + 3, 0, 6) / 6).astype(x.dtype)
    mask = ((x > -3) & (x < 3)) / 6
    return out, lambda gy: (gy * const(mask, gy),), {"name": "HardsigmoidBackward0"}


@nnop(saves=False)
def _hardswish(input):
    xp, x = xp_arr(input)
    out = (x * xp.clip(x + 3, 0, 6) / 6).astype(x.dtype)
    fac = xp.where(x < -3, 0.0, xp.where(x <= 3, x / 3 + 0.5, 1.0))
    return out, _factor_backward("hardswish", input, fac), {"name": "HardswishBackward0"}


# ---- smooth activations -------------------------------------------------------------------
@nnop(saves=False)
def _elu(input, alpha=1.0, scale=1.0, input_scale=1.0, name="EluBackward0"):
    xp, x = xp_arr(input)
    pos = x > 0
    neg = xp.expm1(xp.minimum(x, 0) * input_scale) * alpha
    out = (xp.where(pos, x, neg) * scale).astype(x.dtype)
    fac = xp.where(pos, scale, (neg + alpha) * (scale * input_scale))
    return out, _factor_backward("elu", input, fac, alpha=alpha, scale=scale,
                                 input_scale=input_scale), {"name": name}


@nnop(saves=False)
def _gelu(input, approximate="none"):
    xp, x = xp_arr(input)
    if approximate == "tanh":
        k = math.sqrt(2.0 / math.pi)
        inner = k * (x + 0.044715 * x ** 3)
        t = xp.tanh(inner)
        out = 0.5 * x * (1 + t)
        fac = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * 0.044715 * x * x)
    else:
        with no_grad():
            erf = ember.erf(input.detach() * (1 / math.sqrt(2.0)))._array
        out = 0.5 * x * (1 + erf)
        fac = 0.5 * (1 + erf) + x * xp.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
    return out.astype(x.dtype), _factor_backward("gelu", input, fac, approximate=approximate)


@nnop(saves=False)
def _silu(input):
    xp, x = xp_arr(input)
    s = _sigmoid_arr(xp, x)
    fac = s * (1 + x * (1 - s))
    return (x * s).astype(x.dtype), _factor_backward("silu", input, fac)


def _softplus_arr(xp, x, beta=1.0, threshold=20.0):
    bx = x * beta
    sp = (xp.maximum(bx, 0) + xp.log1p(xp.exp(-xp.abs(bx)))) / beta
    return xp.where(bx > threshold, x, sp).astype(x.dtype)


@nnop(saves=False)
def _softplus(input, beta=1.0, threshold=20.0):
    xp, x = xp_arr(input)
    out = _softplus_arr(xp, x, beta, threshold)
    fac = xp.where(x * beta > threshold, 1.0, _sigmoid_arr(xp, x * beta))
    return out, _factor_backward("softplus", input, fac, beta=beta, threshold=threshold)


@nnop(saves=False)
def _mish(input):
    xp, x = xp_arr(input)
    t = xp.tanh(_softplus_arr(xp, x))
    fac = t + x * _sigmoid_arr(xp, x) * (1 - t * t)
    return (x * t).astype(x.dtype), _factor_backward("mish", input, fac)


@nnop(saves=False)
def _log_sigmoid(input):
    xp, x = xp_arr(input)
    out = (xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.abs(x)))).astype(x.dtype)
    fac = _sigmoid_arr(xp, -x)
    return out, _factor_backward("logsigmoid", input, fac), {"name": "LogSigmoidBackward0"}


@nnop()
def _glu(input, dim=-1):
    xp, x = xp_arr(input)
    d = dim % x.ndim
    n = x.shape[d]
    if n % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {n}")
    a, b = xp.split(x, 2, axis=d)
    s = _sigmoid_arr(xp, b)

    def backward(gy):
        if GRAD_ENABLED[0]:
            # create_graph: the same formula in ember ops, so it differentiates again
            ta, tb = input.chunk(2, d)
            ts = ember.sigmoid(tb)
            return (ember.cat([gy * ts, gy * ta * ts * (1 - ts)], d),)
        g = gy._array
        return (const(xp.concatenate([g * s, g * a * s * (1 - s)], axis=d), gy),)
    return (a * s).astype(x.dtype), backward


def _prelu_grad_graph(input, weight, gy):
    """prelu's input and weight gradients in ember ops (create_graph)."""
    w = weight
    if input.dim() >= 2 and weight.numel() > 1:
        w = weight.reshape((1, -1) + (1,) * (input.dim() - 2))
    pos = input > 0
    gx = gy * ember.where(pos, ember.ones_like(w), w)
    gw = None
    if weight._requires_grad:
        g = ember.where(pos, ember.zeros_like(input), input * gy)
        if weight.numel() == 1:
            gw = g.sum().reshape(weight.shape)
        else:
            gw = g.sum([i for i in range(input.dim()) if i != 1])
    return gx, gw


@nnop()
def _prelu(input, weight):
    xp, x = xp_arr(input)
    w = weight._array
    if x.ndim >= 2 and w.size > 1:
        w = w.reshape((1, -1) + (1,) * (x.ndim - 2))
    pos = x > 0
    out = xp.where(pos, x, w * x).astype(x.dtype)

    def backward(gy):
        if GRAD_ENABLED[0]:
            return _prelu_grad_graph(input, weight, gy)
        gx = gy * const(xp.where(pos, 1, w).astype(x.dtype), gy)
        gw = None
        if weight._requires_grad:
            g = xp.where(pos, 0, x * gy._array)
            if weight._array.size == 1:
                g = g.sum().reshape(weight._array.shape)
            else:
                axes = tuple(i for i in range(x.ndim) if i != 1)
                g = g.sum(axis=axes)
            gw = const(g, gy)
        return gx, gw
    return out, backward, {"name": "PreluKernelBackward0"}


# ---- public functions ---------------------------------------------------------------------
def _inplace(input: Tensor, out: Tensor) -> Tensor:
    """Write out into input (torch's in-place activation variants)."""
    from ...ops._registry import check_inplace
    check_inplace(input)
    input._array[...] = out._array
    input._vc[0] += 1
    if out._requires_grad:
        input.grad_fn, input._requires_grad, input._out_idx = out.grad_fn, True, 0
    return input


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """torch.nn.functional.relu."""
    return input.relu_() if inplace else ember.relu(input)


def relu_(input: Tensor) -> Tensor:
    """torch.nn.functional.relu_."""
    return input.relu_()


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """torch.nn.functional.hardtanh."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    out = _hardtanh(input, min_val=min_val, max_val=max_val)
    return _inplace(input, out) if inplace else out


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """torch.nn.functional.hardtanh_."""
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """torch.nn.functional.relu6."""
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """torch.nn.functional.leaky_relu."""
    out = _leaky_relu(input, negative_slope=negative_slope)
    return _inplace(input, out) if inplace else out


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """torch.nn.functional.leaky_relu_."""
    return leaky_relu(input, negative_slope, True)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """torch.nn.functional.elu."""
    float_check(input, "elu_cpu")
    out = _elu(input, alpha=alpha)
    return _inplace(input, out) if inplace else out


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """torch.nn.functional.elu_."""
    return elu(input, alpha, True)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """torch.nn.functional.selu."""
    float_check(input, "elu_cpu")
    out = _elu(input, alpha=1.6732632423543772848170429916717,
               scale=1.0507009873554804934193349852946)
    return _inplace(input, out) if inplace else out


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """torch.nn.functional.celu."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    float_check(input, "elu_cpu")
    out = _elu(input, alpha=alpha, input_scale=1.0 / alpha, name="CeluBackward0")
    return _inplace(input, out) if inplace else out


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """torch.nn.functional.gelu (approximate 'none' or 'tanh')."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    float_check(input, "GeluKernelImpl")
    return _gelu(input, approximate=approximate)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """torch.nn.functional.silu."""
    out = _silu(input)
    return _inplace(input, out) if inplace else out


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """torch.nn.functional.mish."""
    out = _mish(input)
    return _inplace(input, out) if inplace else out


def sigmoid(input: Tensor) -> Tensor:
    """torch.nn.functional.sigmoid."""
    return ember.sigmoid(input)


def tanh(input: Tensor) -> Tensor:
    """torch.nn.functional.tanh."""
    return ember.tanh(input)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """torch.nn.functional.hardsigmoid."""
    out = _hardsigmoid(input)
    return _inplace(input, out) if inplace else out


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """torch.nn.functional.hardswish."""
    out = _hardswish(input)
    return _inplace(input, out) if inplace else out


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """torch.nn.functional.softplus."""
    return _softplus(input, beta=beta, threshold=threshold)


def softsign(input: Tensor) -> Tensor:
    """torch.nn.functional.softsign: input / (1 + |input|)."""
    return input / (input.abs() + 1)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """torch.nn.functional.threshold."""
    out = _threshold(input, threshold, value)
    return _inplace(input, out) if inplace else out


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """torch.nn.functional.threshold_."""
    return _inplace(input, _threshold(input, threshold, value))


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """torch.nn.functional.glu."""
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    return _glu(input, dim=dim)


def logsigmoid(input: Tensor) -> Tensor:
    """torch.nn.functional.logsigmoid."""
    return _log_sigmoid(input)


def tanhshrink(input: Tensor) -> Tensor:
    """torch.nn.functional.tanhshrink: input - tanh(input)."""
    return input - ember.tanh(input)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """torch.nn.functional.softshrink."""
    if lambd < 0:
        raise RuntimeError("lambda must be greater or equal to 0, but found to be "
                           f"{lambd}.")
    return _softshrink(input, lambd=lambd)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """torch.nn.functional.hardshrink."""
    return _hardshrink(input, lambd=lambd)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """torch.nn.functional.prelu (weight broadcast along dim 1)."""
    return _prelu(input, weight)


@nnop(saves=False)
def _rrelu_train(input, lower=0.125, upper=1.0 / 3):
    from ...random import _get_generator
    xp, x = xp_arr(input)
    neg = x <= 0
    # torch draws one double uniform per non-positive element, in memory order
    u = _get_generator(None)._uniform64(int(neg.sum()))
    slopes = xp.ones(x.shape, x.dtype)
    slopes[neg] = (u * (upper - lower) + lower).astype(x.dtype)
    return x * slopes, lambda gy: (gy * const(slopes, gy),), {
        "name": "RreluWithNoiseBackward0"}


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
          training: bool = False, inplace: bool = False) -> Tensor:
    """torch.nn.functional.rrelu (training: random slopes drawn as torch draws them)."""
    if not training:
        return leaky_relu(input, (lower + upper) / 2, inplace)
    out = _rrelu_train(input, lower=lower, upper=upper)
    return _inplace(input, out) if inplace else out


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
           training: bool = False) -> Tensor:
    """torch.nn.functional.rrelu_."""
    return rrelu(input, lower, upper, training, True)


def selu_(input: Tensor) -> Tensor:
    """torch.nn.functional.selu_."""
    return selu(input, True)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """torch.nn.functional.celu_."""
    return celu(input, alpha, True)


def _get_softmax_dim(name: str, ndim: int, stacklevel: int) -> int:
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to "
                  "include dim=X as an argument.", UserWarning, stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype=None) -> Tensor:
    """torch.nn.functional.softmax."""
    if dim is None:
        dim = _get_softmax_dim("softmax", input.dim(), _stacklevel)
    if dtype is None:
        return ember.softmax(input, dim)
    return ember.softmax(input, dim, dtype=dtype)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype=None) -> Tensor:
    """torch.nn.functional.softmin: softmax(-input)."""
    if dim is None:
        dim = _get_softmax_dim("softmin", input.dim(), _stacklevel)
    if dtype is None:
        return ember.softmax(-input, dim)
    return ember.softmax(-input, dim, dtype=dtype)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
                dtype=None) -> Tensor:
    """torch.nn.functional.log_softmax."""
    if dim is None:
        dim = _get_softmax_dim("log_softmax", input.dim(), _stacklevel)
    if dtype is None:
        return ember.log_softmax(input, dim)
    return ember.log_softmax(input, dim, dtype=dtype)
