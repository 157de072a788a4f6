"""torch.linalg: LAPACK-backed primitives (inv, det, solve, decompositions) and matrix norms.

The primitives call `xp.linalg` on the input's dtype (float32 stays float32). Backward formulas
follow torch's FunctionsManual; they read the forward results as constants in a plain backward
and recompute them with ember ops under create_graph, so double backward stays correct.
"""

from __future__ import annotations

import math
from collections import namedtuple

from . import _dtype as D
from ._tensor import Tensor, _new
from .autograd.grad_mode import GRAD_ENABLED
from .ops._registry import _scalar_name, op, register
from .ops._util import xp_of
from .ops.linalg import _H, LinAlgError, _cj, matmul
from .ops.linalg import linalg_cross as cross

__all__ = ["LinAlgError", "inv", "det", "slogdet", "solve", "cholesky", "qr", "eigh", "eigvalsh",
           "svd", "svdvals", "pinv", "matrix_power", "multi_dot", "matrix_norm", "vector_norm",
           "norm", "cross", "matmul", "vecdot", "inv_ex", "solve_ex", "cholesky_ex", "eig",
           "eigvals", "matrix_rank", "lstsq", "diagonal"]


def _named(name: str, fields, values):
    """A torch.return_types-style named tuple (ember.return_types when present)."""
    try:
        from . import return_types
        return getattr(return_types, name)(tuple(values))
    except (ImportError, AttributeError):
        cls = _FALLBACK.get(name)
        if cls is None:
            cls = _FALLBACK[name] = namedtuple(name, fields)
        return cls(*values)


_FALLBACK: dict = {}


def _check(A: Tensor, fname: str, square: bool = True) -> None:
    """torch's input checks: a float/complex tensor of (batches of square) matrices."""
    if not isinstance(A, Tensor):
        raise TypeError(f"{fname}(): argument 'A' (position 1) must be Tensor, not "
                        f"{type(A).__name__}")
    if A.ndim < 2:
        raise RuntimeError(f"{fname}: The input tensor A must have at least 2 dimensions.")
    if square and A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{fname}: A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")
    dt = A._dtype
    if not (dt.is_floating_point or dt.is_complex):
        raise RuntimeError(f"{fname}: Expected a floating point or complex tensor as input. Got "
                           f"{_scalar_name(dt)}")
    if dt in (D.float16, D.bfloat16):
        raise RuntimeError(f"{fname}: Low precision dtypes not supported. Got {_scalar_name(dt)}")


def _const(arr, dtype, recompute):
    """A forward result for backward: a constant, or recomputed differentiably (create_graph)."""
    return recompute() if GRAD_ENABLED[0] else _new(arr, dtype)


def _lapack(xp, fn, msg: str, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except Exception as ex:
        # numpy.linalg.LinAlgError (CuPy reports failures with the same class name)
        if type(ex).__name__ == "LinAlgError":
            raise LinAlgError(msg) from None
        raise


def _mat(g: Tensor) -> Tensor:
    """A batch of scalars as (..., 1, 1) so it scales matrices."""
    return g.unsqueeze(-1).unsqueeze(-1)


@op("linalg_inv", function=False, method=False)
def _inv(A: Tensor) -> Tensor:
    """The linalg.inv primitive."""
    _check(A, "linalg.inv")
    xp = xp_of(A)
    out = _lapack(xp, xp.linalg.inv, "linalg.inv: The input matrix is singular, the inversion "
                  "could not be completed.", A._array)

    def backward(gy):
        Ai = _H(_const(out, A._dtype, lambda: _inv(A)))
        return (-matmul(Ai, matmul(gy, Ai)),)
    return out, backward, {"name": "LinalgInvExBackward0"}


def inv(A: Tensor, *, out=None) -> Tensor:
    """torch.linalg.inv."""
    return _inv(A)


@op("linalg_det", function=False, method=False)
def _det(A: Tensor) -> Tensor:
    """The linalg.det primitive."""
    _check(A, "linalg.det")
    xp = xp_of(A)
    out = xp.linalg.det(A._array)

    def backward(gy):
        d = _const(out, A._dtype, lambda: _det(A))
        return (_mat(gy * _cj(d)) * _H(_inv(A)),)
    return out, backward


def det(A: Tensor, *, out=None) -> Tensor:
    """torch.linalg.det (torch.det)."""
    return _det(A)


@op("linalg_slogdet", function=False, method=False, multi=True)
def _slogdet(A: Tensor):
    """The linalg.slogdet primitive: (sign, logabsdet)."""
    _check(A, "linalg.slogdet")
    sign, logabs = xp_of(A).linalg.slogdet(A._array)

    def backward(gsign, glogabs):
        if glogabs is None:
            return (None,)
        return (_mat(glogabs) * _H(_inv(A)),)
    return (sign, logabs), backward


def slogdet(A: Tensor, *, out=None):
    """torch.linalg.slogdet: (sign, logabsdet)."""
    return _named("linalg_slogdet", ("sign", "logabsdet"), _slogdet(A))


def _solve_shapes(A: Tensor, B: Tensor) -> bool:
    """Validate AX = B; True in the vector case (B of shape A.shape[:-1] or (n,))."""
    if A._dtype is not B._dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A "
                           f"of type {_scalar_name(A._dtype)} and B of type "
                           f"{_scalar_name(B._dtype)} instead")
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    rows = B.shape[0] if B.ndim == 1 else (B.shape[-1] if vector else B.shape[-2])
    cols = 1 if vector else B.shape[-1]
    if rows != A.shape[-1]:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation AX = B "
                           f"({A.shape[-2]}x{A.shape[-1]} and {rows}x{cols})")
    return vector


@op("linalg_solve", function=False, method=False)
def _solve(A: Tensor, B: Tensor) -> Tensor:
    """The linalg.solve primitive (left=True)."""
    _check(A, "linalg.solve")
    vector = _solve_shapes(A, B)
    xp = xp_of(A)
    b = B._array[..., None] if vector else B._array
    x = _lapack(xp, xp.linalg.solve, "torch.linalg.solve: The solver failed because the input "
                "matrix is singular.", A._array, b)
    out = x[..., 0] if vector else x

    def backward(gy):
        gB = _solve(_H(A), gy)
        gA = None
        if A._requires_grad:
            X = _const(out, A._dtype, lambda: _solve(A, B))
            if vector:
                gA = -gB.unsqueeze(-1) * _cj(X).unsqueeze(-2)
            else:
                gA = -matmul(gB, _H(X))
        return gA, (gB if B._requires_grad else None)
    return out, backward, {"name": "LinalgSolveExBackward0"}


def solve(A: Tensor, B: Tensor, *, left: bool = True, out=None) -> Tensor:
    """torch.linalg.solve: X with AX = B (left=False: XA = B)."""
    if not left:
        return _solve(A.transpose(-2, -1), B.transpose(-2, -1)).transpose(-2, -1)
    return _solve(A, B)


@op("linalg_cholesky", function=False, method=False)
def _cholesky(A: Tensor, *, upper: bool = False) -> Tensor:
    """The linalg.cholesky primitive."""
    _check(A, "linalg.cholesky")
    xp = xp_of(A)
    L = _lapack(xp, xp.linalg.cholesky, "linalg.cholesky: The factorization could not be "
                "completed because the input is not positive-definite.", A._array)
    out = xp.conj(xp.swapaxes(L, -1, -2)) if upper else L

    def backward(gy):
        # torch's cholesky_backward: gA = L^-H Phi(L^H gL) L^-1, symmetrised, Phi = tril, diag/2
        Lt = _const(L, A._dtype, lambda: _cholesky(A))
        gL = _H(gy) if upper else gy
        n = A.shape[-1]
        phi = xp.tril(xp.ones((n, n), dtype=L.dtype)) - 0.5 * xp.eye(n, dtype=L.dtype)
        Li = _inv(Lt)
        gA = matmul(_H(Li), matmul(matmul(_H(Lt), gL) * _new(phi, A._dtype), Li))
        return ((gA + _H(gA)) * 0.5,)
    return out, backward, {"name": "LinalgCholeskyExBackward0"}


def cholesky(A: Tensor, *, upper: bool = False, out=None) -> Tensor:
    """torch.linalg.cholesky: lower-triangular L with A = L L^H (upper=True: L^H)."""
    return _cholesky(A, upper=upper)


def _no_backward(name: str):
    def backward(*grads):
        raise NotImplementedError(f"the derivative for '{name}' is not implemented in Ember")
    return backward


@op("linalg_qr", function=False, method=False, multi=True)
def _qr(A: Tensor, mode: str = "reduced"):
    """The linalg.qr primitive: (Q, R)."""
    _check(A, "linalg.qr", square=False)
    if mode not in ("reduced", "r", "complete"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    xp = xp_of(A)
    if mode == "r":
        R = xp.linalg.qr(A._array, mode="r")
        return (xp.zeros((0,), dtype=A._array.dtype), R), _no_backward("linalg_qr")
    Q, R = xp.linalg.qr(A._array, mode=mode)
    return (Q, R), _no_backward("linalg_qr")


def qr(A: Tensor, mode: str = "reduced", *, out=None):
    """torch.linalg.qr: (Q, R) (forward only in Ember)."""
    return _named("linalg_qr", ("Q", "R"), _qr(A, mode=mode))


@op("linalg_eigh", function=False, method=False, multi=True)
def _eigh(A: Tensor, UPLO: str = "L"):
    """The linalg.eigh primitive: (eigenvalues, eigenvectors)."""
    _check(A, "linalg.eigh")
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    xp = xp_of(A)
    L, V = xp.linalg.eigh(A._array, UPLO=UPLO)

    def backward(gL, gV):
        # torch's linalg_eig_backward (hermitian): V (skew(V^H gV) / E + diag(gL)) V^H
        if GRAD_ENABLED[0]:
            Lt, Vt = _eigh(A, UPLO=UPLO)
        else:
            Lt, Vt = _new(L, A._dtype.to_real()), _new(V, A._dtype)
        n = A.shape[-1]
        eye = _new(xp.eye(n, dtype=L.dtype), A._dtype.to_real())
        inner = None
        if gV is not None:
            VhgV = matmul(_H(Vt), gV)
            E = Lt.unsqueeze(-2) - Lt.unsqueeze(-1) + eye
            inner = (VhgV - _H(VhgV)) * 0.5 / E * (1 - eye)
        if gL is not None:
            dg = gL.unsqueeze(-1) * eye
            inner = dg if inner is None else inner + dg
        if inner._dtype is not Vt._dtype:         # real eigenvalue grads, complex vectors
            inner = inner.to(Vt._dtype)
        return (matmul(Vt, matmul(inner, _H(Vt))),)
    return (L, V), backward


def eigh(A: Tensor, UPLO: str = "L", *, out=None):
    """torch.linalg.eigh: (eigenvalues ascending, eigenvectors) of a Hermitian matrix."""
    return _named("linalg_eigh", ("eigenvalues", "eigenvectors"), _eigh(A, UPLO=UPLO))


def eigvalsh(A: Tensor, UPLO: str = "L", *, out=None) -> Tensor:
    """torch.linalg.eigvalsh."""
    return _eigh(A, UPLO=UPLO)[0]


@op("linalg_svd", function=False, method=False, multi=True)
def _svd(A: Tensor, full_matrices: bool = True):
    """The linalg.svd primitive: (U, S, Vh)."""
    _check(A, "linalg.svd", square=False)
    xp = xp_of(A)
    U, S, Vh = _lapack(xp, xp.linalg.svd, "linalg.svd: The algorithm failed to converge.",
                       A._array, full_matrices=full_matrices)

    def backward(gU, gS, gVh):
        # torch's svd_backward (real and complex-free case), for the thin SVD
        if GRAD_ENABLED[0]:
            Ut, St, Vht = _svd(A, full_matrices=False)
        else:
            k = S.shape[-1]
            Ut, St = _new(U[..., :k], A._dtype), _new(S, A._dtype.to_real())
            Vht = _new(Vh[..., :k, :], A._dtype)
        if gU is None and gVh is None:
            return (matmul(Ut * gS.unsqueeze(-2), Vht),)
        if full_matrices:
            raise NotImplementedError("Ember: the gradient of linalg.svd with respect to U or Vh "
                                      "needs full_matrices=False")
        m, n = A.shape[-2], A.shape[-1]
        k = min(m, n)
        eye = _new(xp.eye(k, dtype=S.dtype), A._dtype.to_real())
        S2 = St * St
        E = S2.unsqueeze(-2) - S2.unsqueeze(-1) + eye
        V = _H(Vht)
        UhgU = VhgV = None
        if gU is not None:
            UhgU = matmul(_H(Ut), gU)
            UhgU = UhgU - _H(UhgU)
        if gVh is not None:
            VhgV = matmul(Vht, _H(gVh))
            VhgV = VhgV - _H(VhgV)
        if UhgU is not None and VhgV is not None:
            gA = (UhgU * St.unsqueeze(-2) + St.unsqueeze(-1) * VhgV) / E
        elif UhgU is not None:
            gA = UhgU * (St.unsqueeze(-2) / E)
        else:
            gA = St.unsqueeze(-1) * (VhgV / E)
        if gS is not None:
            gA = gA + gS.unsqueeze(-1) * eye
        if m > k and gU is not None:
            gA = matmul(Ut, gA)
            gUSinv = gU / St.unsqueeze(-2)
            gA = matmul(gA + gUSinv - matmul(Ut, matmul(_H(Ut), gUSinv)), Vht)
        elif n > k and gVh is not None:
            gA = matmul(gA, Vht)
            gVSinv = _H(gVh) / St.unsqueeze(-2)
            gA = matmul(Ut, gA + _H(gVSinv) - matmul(matmul(_H(gVSinv), V), Vht))
        else:
            gA = matmul(Ut, matmul(gA, Vht))
        return (gA,)
    return (U, S, Vh), backward


def svd(A: Tensor, full_matrices: bool = True, *, driver=None, out=None):
    """torch.linalg.svd: (U, S, Vh) (U/Vh gradients need full_matrices=False)."""
    return _named("linalg_svd", ("U", "S", "Vh"), _svd(A, full_matrices=full_matrices))


def svdvals(A: Tensor, *, driver=None, out=None) -> Tensor:
    """torch.linalg.svdvals."""
    return _svd(A, full_matrices=False)[1]


@op("linalg_pinv", function=False, method=False)
def _pinv(A: Tensor, *, atol=None, rtol=None, hermitian: bool = False) -> Tensor:
    """The linalg.pinv primitive."""
    if not isinstance(A, Tensor) or A.ndim < 2 or A._dtype.category < 2:
        raise RuntimeError(f"linalg.pinv({_scalar_name(A._dtype)}{{{list(A.shape)}}}): expected "
                           "a tensor with 2 or more dimensions of float, double, cfloat or "
                           "cdouble types")
    xp = xp_of(A)
    x = A._array
    U, S, Vh = xp.linalg.svd(x, full_matrices=False)
    if rtol is None:
        rtol = 0.0 if atol is not None and atol > 0 else max(x.shape[-2:]) * xp.finfo(S.dtype).eps
    smax = S.max(axis=-1, keepdims=True) if S.shape[-1] else S[..., :1]
    cutoff = xp.maximum(atol or 0.0, rtol * smax)
    s_inv = xp.where(S > cutoff, 1 / xp.where(S > cutoff, S, 1), 0).astype(x.dtype)
    out = xp.matmul(xp.conj(xp.swapaxes(Vh, -1, -2)) * s_inv[..., None, :],
                    xp.conj(xp.swapaxes(U, -1, -2)))

    def backward(gy):
        # torch's pinv_backward, written with matmuls only
        P = _const(out, A._dtype, lambda: _pinv(A, atol=atol, rtol=rtol, hermitian=hermitian))
        Ph, gh = _H(P), _H(gy)
        m, n = A.shape[-2], A.shape[-1]
        if m <= n:
            K = matmul(gh, P)
            KPh = matmul(K, Ph)
            g = (-_H(matmul(P, K)) + KPh - matmul(matmul(A, P), KPh)
                 + matmul(matmul(Ph, P), gh - matmul(K, A)))
        else:
            K = matmul(P, gh)
            PhK = matmul(Ph, K)
            g = (-_H(matmul(K, P)) + matmul(matmul(gh - matmul(A, K), P), Ph) + PhK
                 - matmul(matmul(PhK, P), A))
        return (g,)
    return out, backward


def pinv(A: Tensor, *, atol=None, rtol=None, hermitian: bool = False, out=None) -> Tensor:
    """torch.linalg.pinv (via the SVD; singular values below max(atol, rtol * smax) dropped)."""
    return _pinv(A, atol=atol, rtol=rtol, hermitian=hermitian)


def matrix_power(A: Tensor, n: int, *, out=None) -> Tensor:
    """torch.linalg.matrix_power: repeated squaring; n < 0 inverts first."""
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        _check(A, "linalg.matrix_power")
    if not isinstance(n, int):
        raise TypeError(f"matrix_power(): argument 'n' must be int, not {type(n).__name__}")
    if n == 0:
        from ._creation import eye
        e = eye(A.shape[-1], dtype=A._dtype, device=A.device)
        return e.expand(A.shape).clone() if A.ndim > 2 else e
    if n < 0:
        A = inv(A)
        n = -n
    result, base = None, A
    while n:
        if n & 1:
            result = base if result is None else matmul(result, base)
        n >>= 1
        if n:
            base = matmul(base, base)
    return result


def multi_dot(tensors, *, out=None) -> Tensor:
    """torch.linalg.multi_dot: first/last may be 1-D (row/column vectors), others 2-D."""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    for i, t in enumerate(tensors):
        edge = i == 0 or i == len(tensors) - 1
        if t.ndim != 2 and not (edge and t.ndim == 1):
            which = ("the first" if i == 0 else "the last") if edge else f"tensor {i}"
            what = "1D or 2D" if edge else "2D"
            raise RuntimeError(f"multi_dot(): {which} tensor must be {what} but got {t.ndim}D"
                               if edge else f"multi_dot(): {which} must be {what} but got "
                               f"{t.ndim}D")
    mats = [t.unsqueeze(0) if i == 0 and t.ndim == 1 else t for i, t in enumerate(tensors)]
    if mats[-1].ndim == 1:
        mats[-1] = mats[-1].unsqueeze(-1)
    for i in range(len(mats) - 1):
        if mats[i].shape[-1] != mats[i + 1].shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes "
                               f"{list(tensors[i].shape)} and {list(tensors[i + 1].shape)} cannot "
                               "be multiplied")
    res = mats[0]
    for m in mats[1:]:
        res = matmul(res, m)
    if tensors[-1].ndim == 1:
        res = res.squeeze(-1)
    if tensors[0].ndim == 1:
        res = res.squeeze(0)
    return res


def vector_norm(x: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None,
                out=None) -> Tensor:
    """torch.linalg.vector_norm (implemented with the reductions in ember.ops.reduce)."""
    from .ops.reduce import vector_norm as _vn
    return _vn(x, ord, dim, keepdim, dtype=dtype)


def matrix_norm(A: Tensor, ord="fro", dim=(-2, -1), keepdim: bool = False, *, dtype=None,
                out=None) -> Tensor:
    """torch.linalg.matrix_norm: 'fro', 'nuc', inf, -inf, 1, -1, 2, -2."""
    if A.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    if dtype is not None:
        A = A.to(dtype)
    d0, d1 = (d % A.ndim for d in dim)
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim)
    if ord not in ("nuc", 2, -2, 1, -1, math.inf, -math.inf):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if ord in ("nuc", 2, -2):
        At = A.movedim((d0, d1), (-2, -1))
        s = svdvals(At)
        r = s.sum(-1) if ord == "nuc" else (s.amax(-1) if ord == 2 else s.amin(-1))
        if keepdim:
            r = r.unsqueeze(min(d0, d1)).unsqueeze(max(d0, d1))
        return r
    # 1 / inf norms: max/min over one dim of absolute sums over the other
    sum_dim, red_dim = (d0, d1) if ord in (1, -1) else (d1, d0)
    s = A.abs().sum(sum_dim, keepdim=True)
    r = s.amax(red_dim, keepdim=True) if ord > 0 else s.amin(red_dim, keepdim=True)
    return r if keepdim else r.squeeze((d0, d1))


def norm(A: Tensor, ord=None, dim=None, keepdim: bool = False, *, dtype=None,
         out=None) -> Tensor:
    """torch.linalg.norm: vector norm for 1-D / int dim, matrix norm for 2-D / 2-tuple dim."""
    if isinstance(dim, int):
        dim = (dim,)
    if ord is None:
        if dim is not None and len(dim) == 2:
            return matrix_norm(A, "fro", dim, keepdim, dtype=dtype)
        return vector_norm(A, 2, dim, keepdim, dtype=dtype)
    if dim is None:
        if A.ndim not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must "
                               f"be 1D or 2D. Got {A.ndim}D.")
        dim = tuple(range(A.ndim))
    if isinstance(ord, str) or len(dim) == 2:
        return matrix_norm(A, ord, dim, keepdim, dtype=dtype)
    return vector_norm(A, ord, dim, keepdim, dtype=dtype)


def vecdot(x: Tensor, y: Tensor, *, dim: int = -1, out=None) -> Tensor:
    """torch.linalg.vecdot: sum(conj(x) * y, dim)."""
    return (_cj(x) * y).sum(dim)


def _info(A: Tensor, failed: bool) -> Tensor:
    from ._creation import full
    return full(tuple(A.shape[:-2]), int(failed), dtype=D.int32, device=A.device)


def inv_ex(A: Tensor, *, check_errors: bool = False, out=None):
    """torch.linalg.inv_ex: (inverse, info); info != 0 where A is singular (no error)."""
    try:
        return _named("linalg_inv_ex", ("inverse", "info"), (inv(A), _info(A, False)))
    except LinAlgError:
        if check_errors:
            raise
        return _named("linalg_inv_ex", ("inverse", "info"), (A * float("nan"), _info(A, True)))


def solve_ex(A: Tensor, B: Tensor, *, left: bool = True, check_errors: bool = False,
             out=None):
    """torch.linalg.solve_ex: (result, info)."""
    try:
        return _named("linalg_solve_ex", ("result", "info"), (solve(A, B, left=left),
                                                              _info(A, False)))
    except LinAlgError:
        if check_errors:
            raise
        return _named("linalg_solve_ex", ("result", "info"), (B * float("nan"), _info(A, True)))


def cholesky_ex(A: Tensor, *, upper: bool = False, check_errors: bool = False,
                out=None):
    """torch.linalg.cholesky_ex: (L, info); info > 0 where A is not positive-definite."""
    try:
        return _named("linalg_cholesky_ex", ("L", "info"), (cholesky(A, upper=upper),
                                                            _info(A, False)))
    except LinAlgError:
        if check_errors:
            raise
        return _named("linalg_cholesky_ex", ("L", "info"), (A * float("nan"), _info(A, True)))


@op("linalg_eig", function=False, method=False, multi=True)
def _eig(A: Tensor):
    """The linalg.eig primitive (forward only)."""
    _check(A, "linalg.eig")
    xp = xp_of(A)
    w, v = xp.linalg.eig(A._array)
    cdt = A._dtype.to_complex().np
    return (w.astype(cdt), v.astype(cdt)), _no_backward("linalg_eig")


def eig(A: Tensor, *, out=None):
    """torch.linalg.eig: complex (eigenvalues, eigenvectors) (forward only in Ember)."""
    return _named("linalg_eig", ("eigenvalues", "eigenvectors"), _eig(A))


def eigvals(A: Tensor, *, out=None) -> Tensor:
    """torch.linalg.eigvals."""
    return _eig(A)[0]


def matrix_rank(A: Tensor, *, atol=None, rtol=None, hermitian: bool = False, tol=None,
                out=None) -> Tensor:
    """torch.linalg.matrix_rank: singular values above max(atol, rtol * smax)."""
    S = svdvals(A.detach())
    if tol is not None:
        atol, rtol = tol, 0.0
    if rtol is None:
        rtol = 0.0 if atol is not None and atol > 0 else \
            max(A.shape[-2:]) * float(D.finfo(S._dtype).eps)
    cutoff = S.amax(-1, keepdim=True) * rtol if S.shape[-1] else S.sum(-1, keepdim=True)
    if atol is not None:
        cutoff = cutoff.clamp(min=atol)
    return (S > cutoff).sum(-1)


def lstsq(A: Tensor, B: Tensor, rcond=None, *, driver=None):
    """torch.linalg.lstsq (CPU default driver 'gelsy'): the minimum-norm solution via pinv;
    residuals and singular_values are empty, as gelsy returns them."""
    from ._creation import zeros
    vector = B.ndim == A.ndim - 1
    Bm = B.unsqueeze(-1) if vector else B
    X = matmul(pinv(A, rtol=rcond), Bm)
    empty = zeros(0, dtype=A._dtype.to_real(), device=A.device)
    return _named("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"),
                  (X.squeeze(-1) if vector else X, empty, matrix_rank(A), empty))


def diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """torch.linalg.diagonal: torch.diagonal with matrix-default dims."""
    return A.diagonal(offset, dim1, dim2)


# ---- the torch-level names (torch.det, Tensor.inverse, ...) ---------------------------------
def _logdet(input: Tensor) -> Tensor:
    """torch.logdet: log(det) (nan for a negative determinant)."""
    return det(input).log()


def _pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:
    """torch.pinverse."""
    return pinv(input, rtol=rcond)


def _torch_qr(input: Tensor, some: bool = True):
    """torch.qr (deprecated): (Q, R)."""
    Q, R = _qr(input, mode="reduced" if some else "complete")
    return _named("qr", ("Q", "R"), (Q, R))


def _torch_svd(input: Tensor, some: bool = True, compute_uv: bool = True):
    """torch.svd (deprecated): (U, S, V) with V, not Vh."""
    U, S, Vh = _svd(input, full_matrices=not some)
    return _named("svd", ("U", "S", "V"), (U, S, _H(Vh)))


def _torch_cholesky(input: Tensor, upper: bool = False) -> Tensor:
    """torch.cholesky (deprecated)."""
    return _cholesky(input, upper=upper)


for _name, _fn in (("inverse", inv), ("det", det), ("slogdet", slogdet), ("logdet", _logdet),
                   ("matrix_power", matrix_power), ("pinverse", _pinverse), ("qr", _torch_qr),
                   ("svd", _torch_svd), ("cholesky", _torch_cholesky)):
    register(_name, _fn)
def _chain_matmul(*matrices: Tensor) -> Tensor:
    """torch.chain_matmul (deprecated): multi_dot of 2-D matrices."""
    import warnings
    warnings.warn("torch.chain_matmul is deprecated and will be removed in a future PyTorch "
                  "release. Use torch.linalg.multi_dot instead, which accepts a list of two or "
                  "more tensors rather than multiple parameters.", UserWarning, stacklevel=2)
    if len(matrices) == 1:
        return matrices[0].clone()
    return multi_dot(matrices)


register("chain_matmul", _chain_matmul, method=False)
