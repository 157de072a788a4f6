"""Op-table entries for reductions, sorting/selection, cumulative ops and softmax."""

import numpy as np
from opinfo import OpInfo

INF = float("inf")


def ties(rng, shapes, dtype):
    """Small integer-valued floats, so that ties happen (tie-breaking must match torch)."""
    return [rng.integers(-2, 3, size=s).astype(dtype) for s in shapes]


def with_zeros(rng, shapes, dtype):
    """Uniform values with some exact zeros (prod/cumprod backward must not divide by them)."""
    out = []
    for s in shapes:
        a = rng.uniform(0.5, 1.5, size=s) * rng.choice([-1.0, 1.0], size=s)
        a[rng.random(size=s) < 0.3] = 0.0
        out.append(np.asarray(a, dtype=dtype))
    return out


def one_zero(rng, shapes, dtype):
    """Uniform values with exactly one zero in the first row of each slice along the last dim."""
    out = []
    for s in shapes:
        a = rng.uniform(0.5, 1.5, size=s)
        a[..., 1] = 0.0
        out.append(a.astype(dtype))
    return out


def with_nans(rng, shapes, dtype):
    out = []
    for s in shapes:
        a = rng.uniform(-2, 2, size=s)
        a[rng.random(size=s) < 0.25] = np.nan
        out.append(a.astype(dtype))
    return out


def ints(rng, shapes, dtype):
    return [rng.integers(0, 3, size=s).astype(np.int64) for s in shapes]


def bools(rng, shapes, dtype):
    return [rng.random(size=s) < 0.7 for s in shapes]


RED = [((3, 4),), ((),), ((2, 3, 4),)]
DIMS = [((2, 3, 4),)]
NOGC = {"gradcheck": False}        # ties / piecewise-constant selections: compared with torch only

OPS = [
    # sum / nansum / mean / nanmean / prod
    OpInfo("sum", lambda lib, a: a.sum(), shapes=RED),
    OpInfo("sum_dim", lambda lib, a: lib.sum(a, dim=(0, -1), keepdim=True), shapes=DIMS),
    OpInfo("sum_dim1", lambda lib, a: a.sum(1), shapes=DIMS),
    OpInfo("sum_dim0d", lambda lib, a: a.sum(-1), shapes=[((),)]),
    OpInfo("sum_dtype", lambda lib, a: a.sum(0, dtype=lib.float64), shapes=DIMS),
    OpInfo("sum_int", lambda lib, a: (a.sum(), a.sum(1, keepdim=True)), make=ints, grad=False),
    OpInfo("sum_bool", lambda lib, a: (a.sum(), a.sum(0)), make=bools, grad=False),
    OpInfo("nansum", lambda lib, a: (a.nansum(), lib.nansum(a, dim=1, keepdim=True)),
           make=with_nans, gradcheck=False),
    OpInfo("nansum_plain", lambda lib, a: lib.nansum(a, (0, 2)), shapes=DIMS),
    OpInfo("mean", lambda lib, a: a.mean(), shapes=RED),
    OpInfo("mean_dim", lambda lib, a: a.mean(dim=-1, keepdim=False), shapes=DIMS),
    OpInfo("mean_dims", lambda lib, a: lib.mean(a, (0, 2), True), shapes=DIMS),
    OpInfo("nanmean", lambda lib, a: (a.nanmean(), lib.nanmean(a, dim=0)), make=with_nans,
           gradcheck=False),
    OpInfo("prod", lambda lib, a: a.prod(), shapes=RED),
    OpInfo("prod_dim", lambda lib, a: (a.prod(1), a.prod(-1, keepdim=True)), shapes=DIMS),
    OpInfo("prod_zeros", lambda lib, a: (a.prod(), a.prod(0), a.prod(1, True)), make=with_zeros,
           shapes=[((3, 4),)]),
    OpInfo("prod_one_zero", lambda lib, a: (a.prod(), a.prod(-1)), make=one_zero,
           shapes=[((2, 3),)]),
    OpInfo("prod_int", lambda lib, a: (a.prod(), a.prod(0)), make=ints, grad=False),
    # max / min in all forms
    OpInfo("max", lambda lib, a: lib.max(a), shapes=RED),
    OpInfo("min", lambda lib, a: a.min(), shapes=RED),
    OpInfo("max_ties", lambda lib, a: (a.max(), a.min()), make=ties, **NOGC,
           shapes=[((3, 4),), ((5,),)]),
    OpInfo("max_dim", lambda lib, a: lib.max(a, 1), shapes=DIMS + [((3, 4),)]),
    OpInfo("max_dim_keep", lambda lib, a: a.max(dim=-1, keepdim=True), shapes=DIMS),
    OpInfo("max_dim_0d", lambda lib, a: (a.max(0), a.min(-1, True)), shapes=[((),)]),
    OpInfo("max_dim_ties", lambda lib, a: (lib.max(a, 0), lib.min(a, 1, True)), make=ties,
           **NOGC, shapes=[((4, 5),)]),
    OpInfo("amin", lambda lib, a: (a.amin(), lib.amin(a, -1), a.amin((0, 1), keepdim=True)),
           shapes=DIMS),
    OpInfo("argmin", lambda lib, a: (a.argmin(), lib.argmin(a, 0), a.argmin(dim=-1)),
           shapes=DIMS, grad=False),
    OpInfo("min_dim", lambda lib, a: lib.min(a, dim=0), shapes=DIMS),
    OpInfo("max_binary", lambda lib, a, b: (lib.max(a, b), a.min(b)),
           shapes=[((3, 4), (3, 4))], **NOGC),
    OpInfo("max_int", lambda lib, a: (a.max(), a.max(1), a.amin(0), a.argmax()), make=ints,
           grad=False),
    OpInfo("amax", lambda lib, a: (a.amax(), lib.amax(a, (0, 2)), a.amin(-1, True)),
           shapes=DIMS),
    OpInfo("amax_ties", lambda lib, a: (a.amax(1), a.amin(0, keepdim=True), a.amax()),
           make=ties, **NOGC, shapes=[((4, 5),)]),
    OpInfo("argmax", lambda lib, a: (a.argmax(), a.argmin(), lib.argmax(a, 1),
                                     lib.argmin(a, -1, True), a.argmax(keepdim=True)),
           make=ties, grad=False, shapes=[((4, 5),)]),
    OpInfo("argmax_0d", lambda lib, a: (a.argmax(), a.argmin(0), a.argmax(-1, True)),
           grad=False, shapes=[((),)]),
    OpInfo("aminmax", lambda lib, a: (lib.aminmax(a), lib.aminmax(a, dim=1, keepdim=True)),
           shapes=DIMS),
    OpInfo("aminmax_ties", lambda lib, a: lib.aminmax(a, dim=0), make=ties, **NOGC),
    # var / std and friends
    OpInfo("var", lambda lib, a: (a.var(), a.var(0), a.var(1, keepdim=True, correction=0)),
           shapes=[((3, 4),)]),
    OpInfo("var_legacy", lambda lib, a: (a.var(False), lib.var(a, (0, 2), True, True),
                                         a.var(-1, unbiased=False)), shapes=DIMS),
    OpInfo("var_corr", lambda lib, a: (a.var(correction=2), a.var(dim=(0, 1), correction=0.5)),
           shapes=DIMS),
    OpInfo("std", lambda lib, a: (a.std(), a.std(0), a.std((0, 2), keepdim=True, correction=0)),
           shapes=DIMS),
    OpInfo("std_legacy", lambda lib, a: (a.std(True), lib.std(a, 1, False, True)),
           shapes=[((3, 4),)]),
    OpInfo("std_zero", lambda lib, a: (a * 0).std(1), shapes=[((3, 4),)], gradcheck=False),
    OpInfo("var_mean", lambda lib, a: (lib.var_mean(a), lib.var_mean(a, 1, keepdim=True)),
           shapes=DIMS),
    OpInfo("std_mean", lambda lib, a: (lib.std_mean(a, correction=0),
                                       lib.std_mean(a, (0, -1))), shapes=DIMS),
    # norms
    OpInfo("norm", lambda lib, a: (a.norm(), lib.norm(a, dim=1), a.norm(p="fro", dim=(0, 2))),
           shapes=DIMS),
    OpInfo("norm_p", lambda lib, a: (a.norm(1), a.norm(INF, dim=0), a.norm(-INF, dim=1),
                                     a.norm(0), a.norm(2, 1, True)),
           shapes=[((3, 4),)]),
    # torch's second derivative here is a ZeroTensor, which the harness cannot read back
    OpInfo("norm_inf_ties", lambda lib, a: (a.norm(INF), a.norm(INF, 1)), make=ties, **NOGC,
           gradgrad=False),
    OpInfo("norm_general_p", lambda lib, a: (a.norm(3), a.norm(1.5, dim=1), a.norm(0.5, 0, True)),
           shapes=[((3, 4),)], atol=1e-4),
    OpInfo("linalg_vector_norm", lambda lib, a: (lib.linalg.vector_norm(a),
                                                 lib.linalg.vector_norm(a, 3, (0, 2), True),
                                                 lib.linalg.vector_norm(a, INF, -1)),
           shapes=DIMS),
    OpInfo("norm_0d", lambda lib, a: (a.norm(), a.norm(1, 0)), shapes=[((),)]),
    # torch's double backward at a zero norm is NaN; ember's is 0
    OpInfo("norm_zero", lambda lib, a: (a * 0).norm(dim=1), gradcheck=False, gradgrad=False),
    # logsumexp / softmax
    OpInfo("logsumexp", lambda lib, a: (a.logsumexp(1), lib.logsumexp(a, (0, 2), True)),
           shapes=DIMS, domain=(-30, 30), atol=1e-4),
    OpInfo("logsumexp_0d", lambda lib, a: a.logsumexp(0), shapes=[((),)]),
    OpInfo("softmax", lambda lib, a: (a.softmax(1), lib.softmax(a, -1)), shapes=DIMS,
           domain=(-10, 10)),
    OpInfo("softmax_0d", lambda lib, a: (a.softmax(0), lib.log_softmax(a, -1)), shapes=[((),)]),
    OpInfo("softmax_dtype", lambda lib, a: lib.softmax(a, 0, dtype=lib.float64)),
    OpInfo("log_softmax", lambda lib, a: (a.log_softmax(0), lib.log_softmax(a, dim=-1)),
           shapes=DIMS, domain=(-10, 10)),
    # cumulative
    OpInfo("cumsum", lambda lib, a: (a.cumsum(0), lib.cumsum(a, dim=-1)), shapes=DIMS),
    OpInfo("cumsum_0d", lambda lib, a: a.cumsum(0), shapes=[((),)]),
    OpInfo("cumsum_int", lambda lib, a: (a.cumsum(1), a.cumsum(0, dtype=lib.float32)),
           make=ints, grad=False),
    OpInfo("cumprod", lambda lib, a: (a.cumprod(1), lib.cumprod(a, -1)), shapes=DIMS),
    OpInfo("cumprod_zeros", lambda lib, a: (a.cumprod(0), a.cumprod(1)), make=with_zeros,
           shapes=[((3, 4),)]),
    OpInfo("cumprod_0d", lambda lib, a: a.cumprod(-1), shapes=[((),)]),
    OpInfo("cummax", lambda lib, a: (a.cummax(1), lib.cummin(a, 0)), make=ties, **NOGC,
           shapes=[((4, 5),)]),
    OpInfo("cummin", lambda lib, a: (a.cummin(0), lib.cummin(a, dim=-1)), shapes=DIMS),
    OpInfo("cummax_plain", lambda lib, a: (lib.cummax(a, -1), a.cummin(dim=1)), shapes=DIMS),
    OpInfo("cummax_nan", lambda lib, a: (a.cummax(1), a.cummin(1)), make=with_nans, **NOGC),
    # sorting and selection
    OpInfo("sort", lambda lib, a: (a.sort(), lib.sort(a, 0, descending=True)), shapes=DIMS),
    OpInfo("sort_ties", lambda lib, a: (a.sort(stable=True),
                                        lib.sort(a, dim=0, descending=True, stable=True)),
           make=ties, **NOGC, shapes=[((4, 6),)]),
    OpInfo("sort_nan", lambda lib, a: (a.sort(stable=True), a.sort(descending=True, stable=True)),
           make=with_nans, **NOGC, shapes=[((3, 5),)]),
    OpInfo("sort_0d", lambda lib, a: a.sort(), shapes=[((),)]),
    OpInfo("argsort", lambda lib, a: (a.argsort(stable=True),
                                      lib.argsort(a, dim=0, descending=True, stable=True)),
           make=ties, grad=False, shapes=[((4, 6),)]),
    OpInfo("msort", lambda lib, a: lib.msort(a), shapes=[((3, 4),)]),
    OpInfo("topk", lambda lib, a: (a.topk(2), lib.topk(a, 3, dim=0, largest=False)),
           shapes=[((4, 5),)]),
    OpInfo("topk_0d", lambda lib, a: a.topk(1), shapes=[((),)]),
    OpInfo("kthvalue", lambda lib, a: (a.kthvalue(2), lib.kthvalue(a, 3, 0, True)),
           shapes=[((4, 5),)]),
    OpInfo("median", lambda lib, a: (a.median(), a.median(1), lib.median(a, 0, keepdim=True)),
           shapes=[((4, 5),), ((3, 4),)]),
    OpInfo("median_ties", lambda lib, a: a.median(), make=ties, **NOGC),
    OpInfo("median_nan", lambda lib, a: (a.median(), a.median(1), a.nanmedian(),
                                         a.nanmedian(1)), make=with_nans, **NOGC,
           shapes=[((4, 5),)]),
    OpInfo("nanmedian", lambda lib, a: (a.nanmedian(), lib.nanmedian(a, -1, True)),
           shapes=[((3, 5),)]),
    OpInfo("mode", lambda lib, a: (a.mode(), lib.mode(a, 0, keepdim=True)), make=ties, **NOGC,
           shapes=[((4, 7),)]),
    OpInfo("mode_0d", lambda lib, a: a.mode(), shapes=[((),)]),
    OpInfo("unique", lambda lib, a: (a.unique(), lib.unique(a, return_inverse=True,
                                                            return_counts=True)),
           make=ties, grad=False, shapes=[((4, 5),), ((),)]),
    OpInfo("unique_dim", lambda lib, a: lib.unique(a, dim=0, return_inverse=True,
                                                   return_counts=True),
           make=ints, grad=False, shapes=[((6, 2),)]),
    OpInfo("unique_consecutive", lambda lib, a: (
        a.unique_consecutive(), lib.unique_consecutive(a, return_inverse=True,
                                                       return_counts=True),
        lib.unique_consecutive(a, dim=0)), make=ints, grad=False, shapes=[((8, 1),)]),
    # logical reductions and counts
    OpInfo("all", lambda lib, a: (a.all(), lib.all(a, 1), a.all(dim=(0, 1)), a.all(0, True)),
           make=bools, grad=False),
    OpInfo("any", lambda lib, a: (a.any(), lib.any(a, 0, True), a.any(dim=(1,))), make=bools,
           grad=False),
    OpInfo("all_any_nonbool", lambda lib, a: (a.all(), lib.any(a, -1)), make=ints, grad=False),
    OpInfo("all_any_0d", lambda lib, a: (a.all(), lib.any(a, 0)), shapes=[((),)], grad=False),
    OpInfo("count_nonzero", lambda lib, a: (lib.count_nonzero(a), a.count_nonzero(0),
                                            lib.count_nonzero(a, (0, 1))), make=ties, grad=False),
]
