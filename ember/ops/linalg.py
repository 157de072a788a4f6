"""Linear algebra: the matmul family, einsum and products, and LAPACK-backed torch.linalg ops.

Products go through `xp.matmul` / `xp.einsum` on the operands' own dtype (float32 stays float32,
so the BLAS sgemm runs); like torch, operands must share a dtype. Backward formulas are ember
ops (matmul, einsum, the linalg primitives themselves), so create_graph works.
"""

from __future__ import annotations

from collections import Counter

import numpy as _np
from numpy import ndarray as _ndarray

from .. import _dtype as D
from .._tensor import Tensor, _new
from ..autograd.grad_mode import GRAD_ENABLED
from ._registry import _scalar_name, op, public, register
from ._util import wrap_dim, xp_of

__all__ = ["LinAlgError"]


class LinAlgError(RuntimeError):
    """torch.linalg.LinAlgError: a LAPACK routine failed (singular or non-definite input)."""


# C++ type names torch prints in "expected m1 and m2 to have the same dtype" errors.
_CNAME = {"float32": "float", "float64": "double", "float16": "c10::Half",
          "bfloat16": "c10::BFloat16", "int64": "long int", "int32": "int", "int16": "short int",
          "int8": "signed char", "uint8": "unsigned char", "bool": "bool",
          "complex64": "c10::complex<float>", "complex128": "c10::complex<double>"}


def _require_tensor(fname: str, argname: str, pos: int, x) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{fname}(): argument '{argname}' (position {pos}) must be Tensor, not "
                        f"{type(x).__name__}")


def _same_dtype(a: Tensor, b: Tensor) -> None:
    if a._dtype is not b._dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{_CNAME[a._dtype.name]} != {_CNAME[b._dtype.name]}")
    if a._dtype is D.bool:
        raise NotImplementedError("\"addmm_impl_cpu_\" not implemented for 'Bool'")


def _H(t: Tensor) -> Tensor:
    """Adjoint of the last two dims (the transpose for real tensors)."""
    x = t._array
    if not GRAD_ENABLED[0] and type(x) is _ndarray and x.ndim >= 2 and t._dtype.category < 3:
        # backward without a graph: the transpose as a plain tensor (no view bookkeeping)
        return _new(x.swapaxes(-2, -1), t._dtype)
    t = t.transpose(-2, -1)
    return t.conj() if t._dtype.is_complex else t


def _cj(t: Tensor) -> Tensor:
    return t.conj() if t._dtype.is_complex else t


def _mm(xp, x, y):
    """x @ y on arrays. A 2-D float product of a short x (<= 32 rows) and a transposed
    (F-contiguous) y runs as (y.T @ x.T).T: OpenBLAS's kernel for a transposed right operand
    ran ~1.4x slower at these shapes (h @ W.T in RNN steps and their backward)."""
    if x.ndim == 2 and y.ndim == 2 and x.shape[0] <= 32 and y.flags.f_contiguous and \
            not y.flags.c_contiguous and x.shape[1] * y.shape[1] >= 4096 and \
            x.dtype.kind == "f" and x.dtype == y.dtype:
        return xp.ascontiguousarray(xp.matmul(y.T, x.T).T)
    return xp.matmul(x, y)


def _need(t) -> bool:
    return isinstance(t, Tensor) and t._requires_grad


def _mm_err(a_shape, b_shape) -> RuntimeError:
    return RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a_shape[0]}x{a_shape[1]} "
                        f"and {b_shape[0]}x{b_shape[1]})")


def _broadcast_batch(sa, sb) -> tuple:
    """Broadcast two batch shapes, raising torch's non-singleton mismatch error."""
    n = max(len(sa), len(sb))
    sa, sb = (1,) * (n - len(sa)) + tuple(sa), (1,) * (n - len(sb)) + tuple(sb)
    for i in range(n - 1, -1, -1):              # torch checks from the last dim
        p, q = sa[i], sb[i]
        if p != q and p != 1 and q != 1:
            raise RuntimeError(f"The size of tensor a ({p}) must match the size of tensor b ({q}) "
                               f"at non-singleton dimension {i}")
    return tuple(q if p == 1 else p for p, q in zip(sa, sb))


def _prod(shape) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def _matmul_checks(x, y) -> str:
    """Validate matmul shapes as torch does; returns the grad_fn name torch shows."""
    da, db = x.ndim, y.ndim
    if da == 1 and db == 1:
        if x.shape[0] != y.shape[0]:
            raise RuntimeError(
                f"inconsistent tensor size, expected tensor [{x.shape[0]}] and src [{y.shape[0]}] "
                f"to have the same number of elements, but got {x.shape[0]} and {y.shape[0]} "
                "elements respectively")
        return "DotBackward0"
    if db == 1:
        rows = _prod(x.shape[:-1])
        if x.shape[-1] != y.shape[0]:
            raise RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{x.shape[-1]}), "
                               f"vec ({y.shape[0]})")
        return "MvBackward0" if da == 2 else "UnsafeViewBackward0"
    if db == 2 and da <= 2:
        a_shape = (1, x.shape[0]) if da == 1 else x.shape
        if a_shape[1] != y.shape[0]:
            raise _mm_err(a_shape, y.shape)
        return "MmBackward0" if da == 2 else "SqueezeBackward4"
    if db == 2:
        if x.shape[-1] != y.shape[0]:
            raise _mm_err((_prod(x.shape[:-1]), x.shape[-1]), y.shape)
        return "UnsafeViewBackward0"
    batch = _broadcast_batch(x.shape[:-2], y.shape[:-2])
    k = x.shape[-1]
    if k != y.shape[-2]:
        nb = _prod(batch)
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{nb}, {k}] but got: [{nb}, {y.shape[-2]}].")
    return "CloneBackward0" if da == 2 else "UnsafeViewBackward0"


def _matmul_backward(input: Tensor, other: Tensor):
    """Gradients of torch.matmul for every 1-D/2-D/batched case (the engine unbroadcasts)."""
    da, db = input.ndim, other.ndim

    def backward(gy):
        ga = gb = None
        if da == 1 and db == 1:
            if input._requires_grad:
                ga = gy * _cj(other)
            if other._requires_grad:
                gb = gy * _cj(input)
            return ga, gb
        a = input.unsqueeze(0) if da == 1 else input
        b = other.unsqueeze(-1) if db == 1 else other
        g = gy.unsqueeze(-2) if da == 1 else gy
        if db == 1:
            g = g.unsqueeze(-1)
        if input._requires_grad:
            ga = matmul(g, _H(b))
            if da == 1:
                ga = ga.squeeze(-2)
        if other._requires_grad:
            if db == 2 and a.ndim > 2:
                # batch folded into the rows: one GEMM, and no (batch, K, N) stack of products
                # for the engine to sum away (a 280 MB temporary for an LM's decoder)
                rows = _prod(a.shape[:-1])
                gb = matmul(_H(a.reshape(rows, a.shape[-1])), g.reshape(rows, g.shape[-1]))
            else:
                gb = matmul(_H(a), g)
            if db == 1:
                gb = gb.squeeze(-1)
        return ga, gb
    return backward


@op(dunder=("__matmul__",))
def matmul(input: Tensor, other: Tensor) -> Tensor:
    """torch.matmul: 1-D/2-D/batched products with batch broadcasting."""
    _require_tensor("matmul", "input", 1, input)
    _require_tensor("matmul", "other", 2, other)
    x, y = input._array, other._array
    if x.ndim == 0 or y.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{x.ndim}D and {y.ndim}D")
    if input._dtype is not other._dtype and y.ndim == 1 and x.ndim <= 2:
        # torch runs these cases as dot / addmv and reports their dtype errors
        a, b = _scalar_name(input._dtype), _scalar_name(other._dtype)
        if x.ndim == 1:
            raise RuntimeError(f"dot : expected both vectors to have same dtype, but found {a} "
                               f"and {b}")
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {b}, {a}, "
                           f"and {b}")
    _same_dtype(input, other)
    name = _matmul_checks(x, y)
    if y.ndim == 2 and x.ndim > 2:
        # (..., M, K) @ (K, N) as one (B*M, K) GEMM: NumPy would run B small ones
        out = xp_of(input).matmul(x.reshape(_prod(x.shape[:-1]), x.shape[-1]), y).reshape(
            x.shape[:-1] + y.shape[1:])
    else:
        out = _mm(xp_of(input), x, y)
    return out, _matmul_backward(input, other), {"name": name}


@op(method="__rmatmul__", function=False)
def _rmatmul(input: Tensor, other: Tensor) -> Tensor:
    """other @ input for Tensor.__rmatmul__ (gradients reordered to (input, other))."""
    _require_tensor("matmul", "input", 1, other)
    out, backward, info = matmul.primitive(other, input)
    return out, lambda gy: backward(gy)[::-1], info


def _fixed_product(name: str):
    """mm / bmm / mv: matmul restricted to exact ranks, with torch's per-op errors."""
    def prim(input: Tensor, other: Tensor) -> Tensor:
        _require_tensor(name, "input", 1, input)
        _require_tensor(name, "mat2" if name != "mv" else "vec", 2, other)
        x, y = input._array, other._array
        if name == "mm":
            if x.ndim != 2:
                raise RuntimeError("self must be a matrix")
            if y.ndim != 2:
                raise RuntimeError("mat2 must be a matrix")
            _same_dtype(input, other)
            if x.shape[1] != y.shape[0]:
                raise _mm_err(x.shape, y.shape)
        elif name == "bmm":
            if x.ndim != 3:
                raise RuntimeError("batch1 must be a 3D tensor")
            if y.ndim != 3:
                raise RuntimeError("batch2 must be a 3D tensor")
            _same_dtype(input, other)
            if y.shape[0] != x.shape[0] or y.shape[1] != x.shape[2]:
                raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to "
                                   f"be: [{x.shape[0]}, {x.shape[2]}] but got: "
                                   f"[{y.shape[0]}, {y.shape[1]}].")
        else:
            if x.ndim != 2 or y.ndim != 1:
                raise RuntimeError(f"vector + matrix @ vector expected, got 1, {x.ndim}, "
                                   f"{y.ndim}")
            if input._dtype is not other._dtype:
                a, b = _scalar_name(input._dtype), _scalar_name(other._dtype)
                raise RuntimeError(f"addmv input tensors must have the same dtype, but got {b}, "
                                   f"{a}, and {b}")
            _same_dtype(input, other)
            if x.shape[1] != y.shape[0]:
                raise RuntimeError(f"size mismatch, got input ({x.shape[0]}), mat "
                                   f"({x.shape[0]}x{x.shape[1]}), vec ({y.shape[0]})")
        return xp_of(input).matmul(x, y), _matmul_backward(input, other)
    prim.__name__ = name
    prim.__doc__ = f"torch.{name}."
    return prim


mm = op("mm")(_fixed_product("mm"))
bmm = op("bmm")(_fixed_product("bmm"))
mv = op("mv")(_fixed_product("mv"))


def _vec_checks(input, other, fname: str) -> None:
    _require_tensor(fname, "input", 1, input)
    _require_tensor(fname, "tensor", 2, other)
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {other.ndim}D tensors")
    if input._dtype is not other._dtype:
        raise RuntimeError(f"{fname} : expected both vectors to have same dtype, but found "
                           f"{_scalar_name(input._dtype)} and {_scalar_name(other._dtype)}")
    n, m = input.shape[0], other.shape[0]
    if n != m:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to "
                           f"have the same number of elements, but got {n} and {m} elements "
                           "respectively")


@op()
def dot(input: Tensor, tensor: Tensor) -> Tensor:
    """torch.dot (1-D inner product, no conjugation)."""
    _vec_checks(input, tensor, "dot")
    return xp_of(input).matmul(input._array, tensor._array), _matmul_backward(input, tensor)


@op()
def vdot(input: Tensor, other: Tensor) -> Tensor:
    """torch.vdot: conj(input) . other."""
    _vec_checks(input, other, "vdot")
    xp = xp_of(input)
    x = input._array
    out = xp.matmul(xp.conj(x) if input._dtype.is_complex else x, other._array)

    def backward(gy):
        return (_cj(gy) * other if input._requires_grad else None,
                gy * input if other._requires_grad else None)
    return out, backward


@public()
def inner(input: Tensor, other: Tensor) -> Tensor:
    """torch.inner: sum over the last dims (a scalar operand multiplies)."""
    if input.ndim == 0 or other.ndim == 0:
        return input * other
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got "
                           f"shapes {list(input.shape)} and {list(other.shape)}")
    if other.ndim == 1:
        return matmul(input, other)
    return tensordot(input, other, dims=([input.ndim - 1], [other.ndim - 1]))


@public()
def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """torch.outer (alias ger): input[:, None] * vec2[None, :]."""
    for nm, t in (("self", input), ("vec2", vec2)):
        if t.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {nm}, but got {t.ndim}-D")
    return input.unsqueeze(-1) * vec2


register("ger", outer)


def _add_scaled(out, inp, beta, alpha, dt):
    """beta * inp + alpha * out (inp ignored when beta == 0, as torch does: no NaN leaks).

    out is the fresh product array: scaled and added to in place when the dtypes allow."""
    inplace = out.dtype == dt.np
    if alpha != 1:
        if inplace:
            out *= alpha
        else:
            out = out * alpha
    if beta != 0:
        x = inp._array
        x = x * beta if beta != 1 else x
        if inplace and out.dtype == x.dtype:
            out += x
        else:
            out = out + x
    if out.dtype != dt.np:
        out = out.astype(dt.np)
    return out


def _check_add_shape(inp: Tensor, shape) -> None:
    s = inp._array.shape
    if s == shape:
        return
    if len(s) > len(shape):
        raise RuntimeError(f"expand(torch.FloatTensor{{{list(s)}}}, size={list(shape)}): the "
                           "number of sizes provided must be greater or equal to the number of "
                           "dimensions in the tensor")
    lead = len(shape) - len(s)
    for i, c in enumerate(s):
        t = shape[lead + i]
        if c != 1 and c != t:
            raise RuntimeError(f"The expanded size of the tensor ({t}) must match the existing "
                               f"size ({c}) at non-singleton dimension {lead + i}.  Target sizes: "
                               f"{list(shape)}.  Tensor sizes: {list(s)}")


def _mm2(p: Tensor, q: Tensor) -> Tensor:
    """matmul(p, q) of two 2-D tensors (addmm's backward); without a graph to record, a plain
    float32/float64 product runs on the raw arrays (what matmul computes for them)."""
    x, y = p._array, q._array
    dt = p._dtype
    if not GRAD_ENABLED[0] and q._dtype is dt and (dt is D.float32 or dt is D.float64) and \
            type(x) is _ndarray and type(y) is _ndarray and x.ndim == 2 and y.ndim == 2 and \
            x.shape[1] == y.shape[0]:
        return _new(_mm(_np, x, y), dt)
    return matmul(p, q)


def _addprod(kind: str):
    """addmm / addmv / baddbmm / addbmm: beta * input + alpha * (a @ b) (summed over batch)."""
    ranks = {"addmm": (2, 2), "addmv": (2, 1), "baddbmm": (3, 3), "addbmm": (3, 3)}[kind]
    names = {"addmm": ("mat1", "mat2"), "addmv": ("mat", "vec"),
             "baddbmm": ("batch1", "batch2"), "addbmm": ("batch1", "batch2")}[kind]

    mm = _mm2 if kind == "addmm" else matmul

    r0, r1 = ranks

    def prim(input: Tensor, a: Tensor, b: Tensor, *, beta=1, alpha=1) -> Tensor:
        if not (isinstance(a, Tensor) and isinstance(b, Tensor) and a._array.ndim == r0 and
                b._array.ndim == r1):       # the checks below only raise: skipped when valid
            for pos, (nm, t) in enumerate(((names[0], a), (names[1], b)), start=2):
                _require_tensor(kind, nm, pos, t)
                if t.ndim != ranks[pos - 2]:
                    what = {2: "a matrix", 1: "a vector", 3: "a 3D tensor"}[ranks[pos - 2]]
                    raise RuntimeError(f"{nm} must be {what}, got {t.ndim}-D tensor")
        _same_dtype(a, b)
        if input._dtype is not a._dtype:
            raise RuntimeError(f"expected self and {names[0]} to have the same dtype, but got: "
                               f"{_CNAME[input._dtype.name]} != {_CNAME[a._dtype.name]}")
        x, y = a._array, b._array
        if kind in ("addmm", "addmv"):
            _matmul_checks(x, y)
        elif x.shape[0] != y.shape[0] or x.shape[2] != y.shape[1]:
            raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                               f"[{x.shape[0]}, {x.shape[2]}] but got: "
                               f"[{y.shape[0]}, {y.shape[1]}].")
        xp = xp_of(a)
        prod = _mm(xp, x, y)
        if kind == "addbmm":
            prod = prod.sum(axis=0)
        _check_add_shape(input, prod.shape)
        out = _add_scaled(prod, input, beta, alpha, a._dtype)
        if out.shape != prod.shape:
            out = xp.broadcast_to(out, prod.shape).copy()

        def backward(gy):
            gi = ga = gb = None
            if input._requires_grad:
                gi = gy * beta if beta != 1 else gy
            g = gy * alpha if alpha != 1 else gy
            if kind == "addbmm":
                g = g.unsqueeze(0)
            if kind == "addmv":
                if a._requires_grad:
                    ga = g.unsqueeze(-1) * _cj(b)
                if b._requires_grad:
                    gb = matmul(_H(a), g)
            else:
                if a._requires_grad:
                    ga = mm(g, _H(b))
                if b._requires_grad:
                    if kind == "addmm" and not b._array.flags.c_contiguous and \
                            b._array.flags.f_contiguous:
                        # b is a transposed weight (linear): give its gradient the same
                        # layout, so that weight.grad is C-contiguous and taken without a copy
                        gb = _H(mm(_H(g), a))
                    else:
                        gb = mm(_H(a), g)
            return gi, ga, gb
        return out, backward

    prim.__name__ = kind
    prim.__doc__ = f"torch.{kind}: beta * input + alpha * product."
    return prim


addmm = op("addmm", inplace=True)(_addprod("addmm"))
addmv = op("addmv", inplace=True)(_addprod("addmv"))
baddbmm = op("baddbmm", inplace=True)(_addprod("baddbmm"))
addbmm = op("addbmm", inplace=True)(_addprod("addbmm"))


# ---- einsum ----------------------------------------------------------------------------------
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_EINSUM_CACHE: dict = {}     # (equation, shapes) -> parsed subscripts


def _parse_einsum(equation: str, shapes):
    """Explicit subscripts (ellipses replaced by fresh letters) and the output subscript."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) > len(shapes):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the "
                           "equation")
    if len(terms) < len(shapes):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    for c in eq:
        if c not in _LETTERS and c not in ".,->":
            raise RuntimeError(f"einsum(): invalid subscript given at index {eq.index(c)} in the "
                               "equation string, subscripts must be in [a-zA-Z]")
    free = [c for c in _LETTERS if c not in eq]
    n_ell = 0
    for t, s in zip(terms, shapes):
        if "..." in t:
            n_ell = max(n_ell, len(s) - (len(t) - 3))
    ell = "".join(free[:n_ell])
    subs = []
    for i, (t, s) in enumerate(zip(terms, shapes)):
        if "..." in t:
            k = len(s) - (len(t) - 3)
            if k < 0:
                raise RuntimeError(f"einsum(): the number of subscripts in the equation "
                                   f"({len(t) - 3}) is more than the number of dimensions "
                                   f"({len(s)}) for operand {i}")
            t = t.replace("...", ell[n_ell - k:])
        elif len(t) != len(s):
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(t)}) "
                               f"does not match the number of dimensions ({len(s)}) for operand "
                               f"{i} and no ellipsis was given")
        subs.append(t)
    sizes: dict = {}
    for i, (t, s) in enumerate(zip(subs, shapes)):
        own: dict = {}
        for c, n in zip(t, s):
            if c in own and own[c] != n:
                raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {i} but the "
                                   f"sizes don't match, {n} != {own[c]}")
            own[c] = n
            old = sizes.get(c, 1)
            if n != 1 and old != 1 and n != old:
                raise RuntimeError(f"einsum(): subscript {c} has size {n} for operand {i} which "
                                   f"does not broadcast with previously seen size {old}")
            sizes[c] = max(old, n) if old == 1 or n == 1 else n
    if arrow:
        out = rhs.replace("...", ell)
        for c in out:
            if c not in sizes:
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the "
                                   "equation for any input operand")
    else:
        counts = Counter(c for t in terms for c in t if c != ".")
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1))
    return subs, out


def _einsum_grad(i: int, subs, out_sub: str, gy: Tensor, operands) -> Tensor:
    """Gradient for operand i: an einsum of gy with the other operands (conjugated)."""
    me = subs[i]
    uniq = "".join(dict.fromkeys(me))
    avail = set(out_sub)
    for j, s in enumerate(subs):
        if j != i:
            avail.update(s)
    keep = "".join(c for c in uniq if c in avail)
    others = [_cj(o) for j, o in enumerate(operands) if j != i]
    eq = ",".join([out_sub] + [s for j, s in enumerate(subs) if j != i]) + "->" + keep
    g = einsum(eq, gy, *others)
    shape = operands[i].shape
    size = {c: n for c, n in zip(me, shape)}
    if keep != uniq:          # letters summed only inside this operand: broadcast back
        g = g.reshape([size[c] if c in keep else 1 for c in uniq]).expand(
            [size[c] for c in uniq])
    if uniq != me:            # repeated letters (a diagonal): embed with identity matrices
        from .._creation import eye
        free = [c for c in _LETTERS if c not in "".join(subs) + out_sub]
        seen, target, eyes, eye_subs = set(), "", [], []
        for c in me:
            if c in seen:
                f = free.pop()
                target += f
                eyes.append(eye(size[c], dtype=gy._dtype, device=gy.device))
                eye_subs.append(c + f)
            else:
                seen.add(c)
                target += c
        g = einsum(",".join([uniq] + eye_subs) + "->" + target, g, *eyes)
    return g


@op(method=False)
def _einsum(equation: str, *operands: Tensor) -> Tensor:
    """The einsum primitive (explicit equation; `einsum` parses the public forms)."""
    x0 = operands[0]
    for o in operands[1:]:
        if o._dtype is not x0._dtype:
            raise RuntimeError(f"expected scalar type {_scalar_name(x0._dtype)} but found "
                               f"{_scalar_name(o._dtype)}")
    key = (equation, tuple(o._array.shape for o in operands))
    parsed = _EINSUM_CACHE.get(key)
    if parsed is None:
        if len(_EINSUM_CACHE) > 512:
            _EINSUM_CACHE.clear()
        parsed = _EINSUM_CACHE[key] = _parse_einsum(equation, key[1])
    subs, out_sub = parsed
    xp = xp_of(x0)
    eq = ",".join(subs) + "->" + out_sub
    arrs = [o._array for o in operands]
    # contraction-path search (and BLAS) pays off for 3+ operands or large ones only
    big = len(arrs) > 2 or (len(arrs) == 2 and arrs[0].size * arrs[1].size > 1 << 16)
    out = xp.einsum(eq, *arrs, optimize="greedy" if big else False)
    if out.dtype != x0._dtype.np:
        out = out.astype(x0._dtype.np)

    def backward(gy):
        return (None,) + tuple(_einsum_grad(i, subs, out_sub, gy, operands)
                               if operands[i]._requires_grad else None
                               for i in range(len(operands)))
    return out, backward, {"name": "EinsumBackward0"}


def _sublist_to_equation(args) -> tuple:
    """einsum(op0, [0, 1], op1, [1, 2], [0, 2]) -> ("ab,bc->ac", ops)."""
    def letters(lst):
        return "".join("..." if v is Ellipsis else _LETTERS[v] for v in lst)
    n = len(args) // 2
    ops = [args[2 * i] for i in range(n)]
    eq = ",".join(letters(args[2 * i + 1]) for i in range(n))
    if len(args) % 2:
        eq += "->" + letters(args[-1])
    return eq, ops


@public(method=False)
def einsum(*args) -> Tensor:
    """torch.einsum(equation, *operands): operands as varargs or one list; sublist form too."""
    if not args:
        raise TypeError("einsum(): must specify the equation string and at least one operand, "
                        "or at least one operand and its subscripts list")
    if isinstance(args[0], Tensor):
        eq, ops = _sublist_to_equation(args)
    else:
        eq, ops = args[0], list(args[1:])
        if len(ops) == 1 and isinstance(ops[0], (list, tuple)):
            ops = list(ops[0])
    if not ops:
        raise RuntimeError("einsum(): must provide at least one operand")
    return _einsum(eq, *ops)


@public(method=False)
def tensordot(a: Tensor, b: Tensor, dims=2, out=None) -> Tensor:
    """torch.tensordot: contract dims of a with dims of b (an int n: a's last n, b's first n)."""
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        da, db = list(range(-dims, 0)), list(range(dims))
    else:
        da, db = dims
        da = [da] if isinstance(da, int) else list(da)
        db = [db] if isinstance(db, int) else list(db)
        if len(da) != len(db):
            raise RuntimeError("both dimension lists should have same length")
    sa, sb = list(_LETTERS[:a.ndim]), list(_LETTERS[a.ndim:a.ndim + b.ndim])
    for i0, j0 in zip(da, db):
        i, j = wrap_dim(i0, a.ndim), wrap_dim(j0, b.ndim)
        if a.shape[i] != b.shape[j]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{a.shape[i]} in dim {i0} and second has size {b.shape[j]} in "
                               f"dim {j0}")
        sb[j] = sa[i]
    da = [wrap_dim(d, a.ndim) for d in da]
    db = [wrap_dim(d, b.ndim) for d in db]
    out_sub = [c for k, c in enumerate(sa) if k not in da] + \
        [c for k, c in enumerate(sb) if k not in db]
    return einsum("".join(sa) + "," + "".join(sb) + "->" + "".join(out_sub), a, b)


@public()
def kron(input: Tensor, other: Tensor) -> Tensor:
    """torch.kron: Kronecker product (dims aligned on the right)."""
    n = max(input.ndim, other.ndim)
    sa = (1,) * (n - input.ndim) + tuple(input.shape)
    sb = (1,) * (n - other.ndim) + tuple(other.shape)
    a = input.reshape([v for s in sa for v in (s, 1)])
    b = other.reshape([v for s in sb for v in (1, s)])
    return (a * b).reshape([p * q for p, q in zip(sa, sb)])


@op("linalg_cross", function=False, method=False)
def linalg_cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:
    """torch.linalg.cross (broadcasting; the size along dim must be 3)."""
    if input.ndim != other.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    d = wrap_dim(dim, input.ndim)
    na, nb = input.shape[d], other.shape[d]
    if na != 3 or nb != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{na} and {nb}")
    _broadcast_batch(input.shape, other.shape)
    if input._dtype is not other._dtype:
        raise RuntimeError(f"linalg.cross: expected both inputs to have the same dtype, but got "
                           f"{input._dtype} and {other._dtype}")
    out = xp_of(input).cross(input._array, other._array, axis=d)

    def backward(gy):
        return (linalg_cross(_cj(other), gy, dim=d) if input._requires_grad else None,
                linalg_cross(gy, _cj(input), dim=d) if other._requires_grad else None)
    return out, backward


@public()
def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:
    """torch.cross: dim=None picks the first dim of size 3 (deprecated default, with a warning)."""
    if dim is None:
        import warnings
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease "
                      "either pass the dim explicitly or simply use torch.linalg.cross.\nThe "
                      "default value of dim will change to agree with that of linalg.cross in a "
                      "future release.", UserWarning, stacklevel=2)
        shape = _broadcast_batch(input.shape, other.shape)
        dim = next((i for i, s in enumerate(shape) if s == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    return linalg_cross(input, other, dim=dim)
