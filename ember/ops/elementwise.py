"""Elementwise ops with broadcasting, torch type promotion and reflected/in-place dunders."""

from __future__ import annotations

from .. import _dtype as D
from .._tensor import Tensor
from ._registry import op
from ._util import binary_arrays, xp_of


@op(dunder=("__add__", "__radd__"), inplace=True, idunder=("__iadd__",), saves=False)
def add(input, other, *, alpha=1):
    x, y, dt = binary_arrays(input, other)
    if alpha != 1:
        y = y * alpha
    out = x + y
    if out.dtype != dt.np:
        out = out.astype(dt.np)

    def backward(gy):
        return gy, (gy * alpha if alpha != 1 else gy)
    return out, backward


@op(dunder=("__sub__",), inplace=True, idunder=("__isub__",), saves=False)
def sub(input, other, *, alpha=1):
    x, y, dt = binary_arrays(input, other)
    if dt is D.bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if alpha != 1:
        y = y * alpha
    out = x - y
    if out.dtype != dt.np:
        out = out.astype(dt.np)

    def backward(gy):
        return gy, -(gy * alpha if alpha != 1 else gy)
    return out, backward


@op(dunder=("__rsub__",), method=True, saves=False)
def rsub(input, other, *, alpha=1):
    x, y, dt = binary_arrays(input, other)
    out = y - (x * alpha if alpha != 1 else x)
    if out.dtype != dt.np:
        out = out.astype(dt.np)

    def backward(gy):
        return -(gy * alpha if alpha != 1 else gy), gy
    return out, backward


@op(dunder=("__mul__", "__rmul__"), inplace=True, idunder=("__imul__",))
def mul(input, other):
    x, y, dt = binary_arrays(input, other)
    out = x * y
    if out.dtype != dt.np:
        out = out.astype(dt.np)

    def backward(gy):
        return (gy * other if isinstance(input, Tensor) and input._requires_grad else None,
                gy * input if isinstance(other, Tensor) and other._requires_grad else None)
    return out, backward


@op(dunder=("__truediv__",), inplace=True, idunder=("__itruediv__",))
def div(input, other, *, rounding_mode=None):
    if rounding_mode is not None:
        if rounding_mode not in ("trunc", "floor"):
            raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or "
                               f"'floor' but found '{rounding_mode}'")
        x, y, dt = binary_arrays(input, other)
        xp = xp_of(input, other)
        if dt.category < 2:
            if rounding_mode == "floor":
                out = xp.floor_divide(x, y)
            else:
                out = xp.trunc(xp.true_divide(x, y)).astype(dt.np)
        else:
            q = xp.true_divide(x, y)
            out = xp.floor(q) if rounding_mode == "floor" else xp.trunc(q)
        if out.dtype != dt.np:
            out = out.astype(dt.np)

        def backward(gy):
            return gy * 0, gy * 0
        return out, backward
    dt = D.result_type(input, other)
    if dt.category < 2:
        dt = D.get_default_dtype()
    x, y, dt = binary_arrays(input, other, dt)
    out = x / y
    if out.dtype != dt.np:
        out = out.astype(dt.np)

    def backward(gy):
        ga = gy / other if isinstance(input, Tensor) and input._requires_grad else None
        gb = (-gy * input / (other * other)
              if isinstance(other, Tensor) and other._requires_grad else None)
        return ga, gb
    return out, backward


@op(dunder=("__rtruediv__",), method=True)
def _rdiv(input, other):
    """other / input for a Python scalar other (Tensor.__rtruediv__)."""
    dt = D.result_type(input, other)
    if dt.category < 2:
        dt = D.get_default_dtype()
    x, y, dt = binary_arrays(input, other, dt)
    out = y / x
    if out.dtype != dt.np:
        out = out.astype(dt.np)

    def backward(gy):
        return (-gy * other / (input * input), None)
    return out, backward


@op(dunder=("__neg__",), inplace=True, saves=False)
def neg(input):
    if input._dtype is D.bool:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If "
                           "you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")
    return -input._array, lambda gy: (-gy,)
