"""Op-table entries for linalg ops: products, einsum, and torch.linalg."""

import numpy as np
from opinfo import OpInfo


def _wellcond(*extra):
    """A batch of well-conditioned square matrices (random + n*I), then plain random inputs."""
    def make(rng, shapes, dtype):
        s = shapes[0]
        a = rng.uniform(-1, 1, size=s) + s[-1] * np.eye(s[-1])
        return [a.astype(dtype)] + [rng.uniform(-1, 1, size=t).astype(dtype) for t in shapes[1:]]
    return make


def _spd(rng, shapes, dtype):
    s = shapes[0]
    a = rng.uniform(-1, 1, size=s)
    return [(a @ np.swapaxes(a, -1, -2) + s[-1] * np.eye(s[-1])).astype(dtype)]


def _distinct_eig(rng, shapes, dtype):
    # symmetric with well-separated eigenvalues so eigenvector gradients are stable
    n = shapes[0][-1]
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    return [((q * np.arange(1, n + 1)) @ q.T).astype(dtype)]


def _sym(a):
    """Symmetrise, so gradcheck's unsymmetric perturbations stay on symmetric inputs."""
    return (a + a.transpose(-2, -1)) * 0.5


def _eigh_fixed(lib, a):
    # eigenvectors are defined up to sign: fix it so both libraries agree
    w, v = lib.linalg.eigh(a)
    return w, v * lib.sign(v[..., :1, :])


def _svd_fixed(lib, a):
    u, s, vh = lib.linalg.svd(a, full_matrices=False)
    sg = lib.sign(u[..., :1, :])
    return u * sg, s, vh * sg.transpose(-2, -1)


def _svd_old(lib, a):
    # torch.svd: (U, S, V) with V not transposed; signs fixed as in _svd_fixed
    u, s, v = lib.svd(a)
    sg = lib.sign(u[..., :1, :])
    return u * sg, s, v * sg


def _complex_linalg(lib, z, w):
    # complex backward: torch's conjugate convention, through conj/mH in each formula
    return (z @ w, lib.linalg.inv(z), z.inverse(), lib.linalg.det(z), z.det(),
            lib.linalg.solve(z, w), lib.vdot(z[0], w[1]), z.adjoint(), z.abs(),
            lib.einsum("ij,jk->ik", z, w))


MM = [((3, 4), (4, 5)), ((4,), (4,)), ((3, 4), (4,)), ((4,), (4, 2)), ((2, 3, 4), (4, 5)),
      ((2, 3, 4), (2, 4, 5)), ((3, 4), (2, 4, 5)), ((2, 1, 3, 4), (5, 4, 2)), ((4,), (2, 4, 3)),
      ((2, 3, 4), (4,)), ((0, 4), (4, 3))]

OPS = [
    OpInfo("matmul", lambda lib, a, b: lib.matmul(a, b), shapes=MM),
    OpInfo("__matmul__", lambda lib, a, b: a @ b, shapes=MM[:3]),
    OpInfo("__rmatmul__", lambda lib, a, b: a.__rmatmul__(b), shapes=[((4, 5), (3, 4))]),
    OpInfo("chain_matmul", lambda lib, a, b, c: lib.chain_matmul(a, b, c),
           shapes=[((2, 3), (3, 4), (4, 2))]),
    OpInfo("mm", lambda lib, a, b: lib.mm(a, b), shapes=[((3, 4), (4, 5))]),
    OpInfo("bmm", lambda lib, a, b: a.bmm(b), shapes=[((2, 3, 4), (2, 4, 5))]),
    OpInfo("mv", lambda lib, a, b: lib.mv(a, b), shapes=[((3, 4), (4,))]),
    OpInfo("dot", lambda lib, a, b: lib.dot(a, b), shapes=[((4,), (4,))]),
    OpInfo("vdot", lambda lib, a, b: lib.vdot(a, b), shapes=[((4,), (4,))]),
    OpInfo("inner", lambda lib, a, b: lib.inner(a, b),
           shapes=[((4,), (4,)), ((2, 4), (3, 4)), ((), (3,))]),
    OpInfo("outer", lambda lib, a, b: lib.outer(a, b), shapes=[((3,), (4,))]),
    OpInfo("ger", lambda lib, a, b: a.ger(b), shapes=[((3,), (4,))]),
    OpInfo("addmm", lambda lib, c, a, b: lib.addmm(c, a, b, beta=0.5, alpha=2.0),
           shapes=[((3, 5), (3, 4), (4, 5)), ((5,), (3, 4), (4, 5))]),
    OpInfo("addmm_default", lambda lib, c, a, b: c.addmm(a, b),
           shapes=[((1, 5), (3, 4), (4, 5))]),
    OpInfo("addmv", lambda lib, c, a, b: lib.addmv(c, a, b, beta=2, alpha=0.5),
           shapes=[((3,), (3, 4), (4,)), ((), (3, 4), (4,))]),
    OpInfo("baddbmm", lambda lib, c, a, b: lib.baddbmm(c, a, b, alpha=1.5),
           shapes=[((2, 3, 5), (2, 3, 4), (2, 4, 5)), ((3, 1), (2, 3, 4), (2, 4, 5))]),
    OpInfo("addbmm", lambda lib, c, a, b: lib.addbmm(c, a, b, beta=-1.0),
           shapes=[((3, 5), (2, 3, 4), (2, 4, 5))]),
    OpInfo("einsum_mm", lambda lib, a, b: lib.einsum("ij,jk->ik", a, b),
           shapes=[((3, 4), (4, 5))], ops=("einsum",)),
    OpInfo("einsum_list_implicit", lambda lib, a, b: lib.einsum("bij,bjk", [a, b]),
           shapes=[((2, 3, 4), (2, 4, 5))]),
    OpInfo("einsum_ellipsis", lambda lib, a, b: lib.einsum("...ij,...jk->...ik", a, b),
           shapes=[((2, 3, 4), (4, 5)), ((1, 3, 4), (2, 4, 5))]),
    OpInfo("einsum_trace_diag", lambda lib, a: lib.einsum("ii->i", a) * lib.einsum("ii", a),
           shapes=[((4, 4),)]),
    OpInfo("einsum_sum_outer", lambda lib, a, b: lib.einsum("ij,k->jk", a, b),
           shapes=[((3, 4), (5,))]),
    OpInfo("einsum_three", lambda lib, a, b, c: lib.einsum("ij,jk,kl->il", a, b, c),
           shapes=[((2, 3), (3, 4), (4, 2))]),
    OpInfo("einsum_transpose", lambda lib, a: lib.einsum("ijk->kji", a), shapes=[((2, 3, 4),)]),
    OpInfo("tensordot", lambda lib, a, b: lib.tensordot(a, b, dims=2),
           shapes=[((2, 3, 4), (3, 4, 5))]),
    OpInfo("tensordot_lists", lambda lib, a, b: lib.tensordot(a, b, dims=([0, 2], [1, 0])),
           shapes=[((2, 3, 4), (4, 2, 5))]),
    OpInfo("kron", lambda lib, a, b: lib.kron(a, b), shapes=[((2, 3), (3, 2)), ((2,), (2, 3))]),
    OpInfo("linalg.cross", lambda lib, a, b: lib.linalg.cross(a, b),
           shapes=[((4, 3), (4, 3)), ((2, 1, 3), (1, 4, 3))]),
    OpInfo("cross_dim", lambda lib, a, b: lib.cross(a, b, dim=0), shapes=[((3, 4), (3, 4))],
           ops=("cross",)),
    OpInfo("linalg.inv", lambda lib, a: lib.linalg.inv(a), shapes=[((3, 3),), ((2, 4, 4),)],
           make=_wellcond(), atol=1e-4, rtol=1e-4),
    OpInfo("inverse", lambda lib, a: a.inverse(), shapes=[((3, 3),)], make=_wellcond(),
           atol=1e-4, rtol=1e-4),
    OpInfo("linalg.det", lambda lib, a: lib.linalg.det(a), shapes=[((3, 3),), ((2, 4, 4),)],
           make=_wellcond(), atol=1e-4, rtol=1e-4),
    OpInfo("det", lambda lib, a: a.det(), shapes=[((1, 1),)], make=_wellcond(),
           atol=1e-4, rtol=1e-4),
    OpInfo("linalg.slogdet", lambda lib, a: lib.linalg.slogdet(a)[1],
           shapes=[((3, 3),), ((2, 4, 4),)], make=_wellcond(), atol=1e-4, rtol=1e-4),
    OpInfo("logdet", lambda lib, a: lib.logdet(a), shapes=[((3, 3),)], make=_spd,
           atol=1e-4, rtol=1e-4),
    OpInfo("slogdet", lambda lib, a: lib.slogdet(a), shapes=[((3, 3),)], make=_wellcond(),
           atol=1e-4, rtol=1e-4),
    OpInfo("linalg.solve", lambda lib, a, b: lib.linalg.solve(a, b),
           shapes=[((3, 3), (3, 2)), ((3, 3), (3,)), ((2, 3, 3), (2, 3)), ((2, 3, 3), (3, 1))],
           make=_wellcond(), atol=1e-4, rtol=1e-4),
    OpInfo("linalg.solve_left_false", lambda lib, a, b: lib.linalg.solve(a, b, left=False),
           shapes=[((3, 3), (2, 3))], make=_wellcond(), atol=1e-4, rtol=1e-4),
    OpInfo("linalg.cholesky", lambda lib, a: lib.linalg.cholesky(_sym(a)), shapes=[((3, 3),)],
           make=_spd, atol=1e-4, rtol=1e-4),
    OpInfo("cholesky", lambda lib, a: (lib.cholesky(_sym(a)), _sym(a).cholesky(upper=True)),
           shapes=[((3, 3),)], make=_spd, atol=1e-4, rtol=1e-4),
    OpInfo("linalg.cholesky_upper", lambda lib, a: lib.linalg.cholesky(_sym(a), upper=True),
           shapes=[((3, 3),)], make=_spd, atol=1e-4, rtol=1e-4),
    OpInfo("linalg.qr", lambda lib, a: lib.linalg.qr(a), shapes=[((4, 3),), ((2, 3, 3),)],
           grad=False, atol=1e-4, rtol=1e-4),
    OpInfo("qr", lambda lib, a: (lib.qr(a), a.qr(some=False)), shapes=[((4, 3),)], grad=False,
           atol=1e-4, rtol=1e-4),
    OpInfo("linalg.qr_complete", lambda lib, a: lib.linalg.qr(a, mode="complete"),
           shapes=[((4, 3),)], grad=False, atol=1e-4, rtol=1e-4),
    OpInfo("linalg.eigh", lambda lib, a: _eigh_fixed(lib, _sym(a)), shapes=[((4, 4),)],
           make=_distinct_eig, atol=1e-4, rtol=1e-4),
    OpInfo("linalg.eigvalsh", lambda lib, a: lib.linalg.eigvalsh(_sym(a)), shapes=[((4, 4),)],
           make=_distinct_eig, atol=1e-4, rtol=1e-4),
    OpInfo("linalg.svdvals", lambda lib, a: lib.linalg.svdvals(a),
           shapes=[((4, 3),), ((2, 3, 5),)], atol=1e-4, rtol=1e-4),
    OpInfo("linalg.svd_S", lambda lib, a: lib.linalg.svd(a, full_matrices=False).S,
           shapes=[((4, 3),)], atol=1e-4, rtol=1e-4),
    OpInfo("linalg.svd", lambda lib, a: _svd_fixed(lib, a),
           shapes=[((4, 3),), ((3, 5),), ((3, 3),)], atol=1e-4, rtol=1e-4),
    OpInfo("svd", lambda lib, a: _svd_old(lib, a), shapes=[((4, 3),), ((3, 5),)],
           atol=1e-4, rtol=1e-4),
    OpInfo("pinverse", lambda lib, a: lib.pinverse(a), shapes=[((4, 3),)], atol=1e-4,
           rtol=1e-4),
    OpInfo("linalg.pinv", lambda lib, a: lib.linalg.pinv(a),
           shapes=[((4, 3),), ((3, 5),), ((2, 3, 3),)], atol=1e-4, rtol=1e-4),
    OpInfo("linalg.matrix_power", lambda lib, a: lib.linalg.matrix_power(a, 3),
           shapes=[((3, 3),), ((2, 3, 3),)], domain=(-1, 1), atol=1e-4, rtol=1e-4),
    OpInfo("matrix_power_neg", lambda lib, a: a.matrix_power(-2), shapes=[((3, 3),)],
           make=_wellcond(), atol=1e-4, rtol=1e-4, ops=("matrix_power",)),
    OpInfo("linalg.multi_dot", lambda lib, a, b, c: lib.linalg.multi_dot([a, b, c]),
           shapes=[((3,), (3, 4), (4, 2)), ((2, 3), (3, 4), (4,))]),
    OpInfo("linalg.matrix_norm", lambda lib, a: lib.linalg.matrix_norm(a),
           shapes=[((3, 4),), ((2, 3, 4),)]),
    OpInfo("linalg.matrix_norm_nuc", lambda lib, a: lib.linalg.matrix_norm(a, "nuc"),
           shapes=[((3, 4),)], atol=1e-4, rtol=1e-4),
    OpInfo("linalg.matrix_norm_2", lambda lib, a: lib.linalg.matrix_norm(a, 2, keepdim=True),
           shapes=[((2, 3, 4),)], atol=1e-4, rtol=1e-4),
    OpInfo("linalg.norm", lambda lib, a: lib.linalg.norm(a), shapes=[((3, 4),), ((5,),)]),
    OpInfo("linalg.norm_ord", lambda lib, a: lib.linalg.norm(a, 3.0), shapes=[((5,),)]),
    OpInfo("linalg_complex", lambda lib, a, b, c, d: _complex_linalg(lib, a + b * 1j, c + d * 1j),
           shapes=[((3, 3), (3, 3), (3, 3), (3, 3))], make=_wellcond(), atol=1e-4, rtol=1e-4,
           ops=("matmul", "det", "inverse", "vdot", "adjoint", "einsum")),
    OpInfo("linalg.vecdot", lambda lib, a, b: lib.linalg.vecdot(a, b),
           shapes=[((3, 4), (3, 4))]),
]
