"""Binary elementwise functions: atan2, hypot, copysign, xlogy, lerp, addcmul/addcdiv, heaviside."""

from __future__ import annotations

from .. import _dtype as D
from .._tensor import Tensor
from ._registry import _scalar_name, op, public
from ._util import xp_of
from .elementwise import (
    NI,
    bin_arrays,
    float_dtype,
    holomorphic,
    is_tensor_grad,
    need_tensor,
    not_implemented,
    out_tensor,
    real_only,
    result,
    scalar_as,
)

# ---- other binary arithmetic ------------------------------------------------------------------


@op(inplace=True)
def atan2(input, other):
    """torch.atan2."""
    need_tensor("atan2", other)
    x, y, dt = bin_arrays(input, other, float_dtype(input, other))
    real_only(dt, "atan2_cpu")
    out = xp_of(input, other).arctan2(x, y)

    def backward(gy):
        r = input * input + other * other
        return gy * other / r, gy * -input / r
    return result(out, dt, backward, "Atan2Backward0")


@public(inplace=True)
def arctan2(input: Tensor, other) -> Tensor:
    """torch.arctan2 (alias of atan2)."""
    return atan2(input, other)


@op(inplace=True)
def hypot(input, other):
    """torch.hypot."""
    need_tensor("hypot", other)
    x, y, dt = bin_arrays(input, other)
    real_only(dt, "hypot_cpu")
    if dt.category < 2:
        raise NotImplementedError(f"\"hypot_cpu\" not implemented for '{_scalar_name(dt)}'")
    out = xp_of(input, other).hypot(x, y)

    def backward(gy):
        r = out_tensor(out, dt, lambda: hypot(input, other))
        return (gy * input / r if is_tensor_grad(input) else None,
                gy * other / r if is_tensor_grad(other) else None)
    return result(out, dt, backward, "HypotBackward0")


@op(inplace=True)
def copysign(input, other):
    """torch.copysign (integer inputs give the default float dtype)."""
    x, y, dt = bin_arrays(input, other, float_dtype(input, other))
    real_only(dt, "copysign_cpu")
    out = xp_of(input, other).copysign(x, y)

    def backward(gy):
        from .compare import where_zero
        r = out_tensor(out, dt, lambda: copysign(input, other))
        ratio = where_zero(input == 0, r / input)
        return gy * ratio, (gy * 0 if isinstance(other, Tensor) else None)
    return result(out, dt, backward,
                  "CopysignBackward0" if isinstance(other, Tensor) else "CopysignBackward1")


@op(inplace=True)
def xlogy(input, other):
    """torch.xlogy: input * log(other), 0 where input == 0 (unless other is nan)."""
    x, y, dt = bin_arrays(input, other, float_dtype(input, other))
    real_only(dt, "xlogy_cpu")
    xp = xp_of(input, other)
    out = xp.where(x == 0, xp.zeros((), dt.np), x * xp.log(y))
    out = xp.where(xp.isnan(y), y, out)

    def backward(gy):
        ga = None
        if is_tensor_grad(input):
            # torch: xlogy(grad, other), zeroed where input == 0 and other <= 0
            from .compare import logical_and, where_zero
            ga = xlogy(gy, other)
            if isinstance(other, Tensor):
                ga = where_zero(logical_and(input == 0, other <= 0), ga)
            elif other <= 0:
                ga = where_zero(input == 0, ga)
        gb = gy * input / other if is_tensor_grad(other) else None
        return ga, gb
    name = ("XlogyBackward0" if isinstance(other, Tensor) else "XlogyBackward2") \
        if isinstance(input, Tensor) else "XlogyBackward1"
    return result(out, dt, backward, name)


def _same_float(a: Tensor, b: Tensor, what: str) -> None:
    # torch: lerp operands share one dtype (a 0-dim weight may differ)
    if isinstance(b, Tensor) and b._dtype is not a._dtype and (b.ndim or what != "weight"):
        raise RuntimeError(f"expected dtype {_c_name(a._dtype)} for `{what}` but got dtype "
                           f"{_c_name(b._dtype)}")


def _c_name(d: D.dtype) -> str:
    return {"float32": "float", "float64": "double", "int64": "long int", "int32": "int",
            "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
            "bool": "bool", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
            "complex64": "c10::complex<float>",
            "complex128": "c10::complex<double>"}[d.name]


@op(inplace=True)
def lerp(input, end, weight):
    """torch.lerp: input + weight * (end - input), in torch's two-sided form."""
    _same_float(input, end, "end")
    _same_float(input, weight, "weight")
    dt = input._dtype
    if dt.category < 2:
        kernel = "lerp_kernel_tensor" if isinstance(weight, Tensor) else "lerp_kernel_scalar"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_scalar_name(dt)}'")
    x, y, _ = bin_arrays(input, end, dt)
    w = weight._array.astype(x.dtype) if isinstance(weight, Tensor) else scalar_as(weight, x.dtype)
    xp = xp_of(input)
    diff = y - x
    # NOTE: torch's formula, exact at both ends: weight < 0.5 ? x + w*d : y - d*(1 - w)
    out = xp.where(xp.abs(w) < 0.5, x + w * diff, y - diff * (1 - w))

    def backward(gy):
        gw = gy * (end - input) if is_tensor_grad(weight) else None
        return gy * (1 - weight), gy * weight, gw
    return result(out, dt, backward,
                  "LerpBackward1" if isinstance(weight, Tensor) else "LerpBackward0")


@op(inplace=True)
def addcmul(input, tensor1, tensor2, *, value=1):
    """torch.addcmul: input + value * tensor1 * tensor2."""
    dt = D.result_type(input, tensor1, tensor2)
    x, t1, _ = bin_arrays(input, tensor1, dt)
    _, t2, _ = bin_arrays(input, tensor2, dt)
    v = scalar_as(int(value) if dt.category < 2 else value, x.dtype)
    out = x + v * t1 * t2

    def backward(gy):
        return (gy, gy * tensor2 * value if is_tensor_grad(tensor1) else None,
                gy * tensor1 * value if is_tensor_grad(tensor2) else None)
    return result(out, dt, holomorphic(backward, dt), "AddcmulBackward0")


@op(inplace=True)
def addcdiv(input, tensor1, tensor2, *, value=1):
    """torch.addcdiv: input + value * tensor1 / tensor2 (integer tensor1/tensor2 rejected)."""
    if tensor1._dtype.category < 2 and tensor2._dtype.category < 2:
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release "
            "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv "
            "behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2))."
            "to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for "
            "float inputs. The future addcdiv behavior is just the latter implementation: "
            "(input + value * tensor1 / tensor2), for all dtypes.")
    dt = D.result_type(input, tensor1, tensor2)
    x, t1, _ = bin_arrays(input, tensor1, dt)
    _, t2, _ = bin_arrays(input, tensor2, dt)
    out = x + scalar_as(value, x.dtype) * t1 / t2

    def backward(gy):
        return (gy, gy * value / tensor2 if is_tensor_grad(tensor1) else None,
                -gy * value * tensor1 / (tensor2 * tensor2) if is_tensor_grad(tensor2) else None)
    return result(out, dt, holomorphic(backward, dt), "AddcdivBackward0")


@op(inplace=True)
def heaviside(input, values):
    """torch.heaviside (not differentiable in torch: backward raises)."""
    need_tensor("heaviside", values, "values")
    if input._dtype.is_complex or values._dtype.is_complex:
        raise RuntimeError("heaviside is not yet implemented for complex tensors.")
    if input._dtype is not values._dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    x, y, dt = bin_arrays(input, values)
    xp = xp_of(input)
    out = xp.where(x == 0, y, (x > 0).astype(x.dtype))
    return result(out, dt, not_implemented("heaviside"), NI)
