"""Op-table entries for ember/ops/extra.py and extra_misc.py: searchsorted, bincount, histc,
isin, logaddexp, diff, quantile, cov, lgamma/digamma/polygamma, logcumsumexp, trapezoid,
cartesian_prod, combinations, block_diag, vander, tril/triu_indices, renorm."""

import numpy as np
from opinfo import OpInfo


def _sorted_and_values(rng, shapes, dtype):
    """Sorted boundaries (with ties) along the last axis, and values that hit some of them."""
    b = np.sort(rng.integers(-3, 4, size=shapes[0]).astype(dtype), axis=-1)
    v = rng.integers(-4, 5, size=shapes[1]).astype(dtype) + rng.choice([0, 0.5], size=shapes[1])
    return [b, v.astype(dtype)]


def _values_and_sorted(rng, shapes, dtype):
    return _sorted_and_values(rng, shapes[::-1], dtype)[::-1]


def _ints(high):
    def make(rng, shapes, dtype):
        return [rng.integers(0, high, size=s).astype(np.int64) for s in shapes]
    return make


def _ints_and_weights(rng, shapes, dtype):
    return [rng.integers(0, 6, size=shapes[0]).astype(np.int64),
            rng.uniform(0, 2, size=shapes[1]).astype(dtype)]


def _with_nans(rng, shapes, dtype):
    out = []
    for s in shapes:
        a = rng.uniform(-2, 2, size=s)
        a[rng.random(size=s) < 0.25] = np.nan
        out.append(a.astype(dtype))
    return out


def _cov_weights(rng, shapes, dtype):
    n = shapes[0][-1]
    return [rng.uniform(-2, 2, size=shapes[0]).astype(dtype),
            rng.integers(1, 4, size=n).astype(np.int64),
            rng.uniform(0.5, 2, size=n).astype(dtype)]


def _negative_gamma(rng, shapes, dtype):
    """Negative non-integers away from the poles, for lgamma/digamma/polygamma's reflection."""
    return [(-rng.integers(0, 4, size=s) - rng.uniform(0.15, 0.85, size=s)).astype(dtype)
            for s in shapes]


def _q(lib, a, qs):
    return lib.tensor(qs, dtype=a.dtype, device=a.device)


INTERP = ("linear", "lower", "higher", "midpoint", "nearest")
NOGRAD = {"grad": False, "dtypes": ("float64",)}

OPS = [
    # searchsorted / bucketize
    OpInfo("searchsorted", lambda lib, b, v: (lib.searchsorted(b, v),
                                              lib.searchsorted(b, v, right=True),
                                              lib.searchsorted(b, v, side="right",
                                                               out_int32=True)),
           shapes=[((6,), (3, 4)), ((2, 5), (2, 3)), ((4,), ())], make=_sorted_and_values,
           dtypes=("float32", "float64", "int64"), grad=False),
    OpInfo("searchsorted_sorter", lambda lib, b, v: lib.searchsorted(
        b.flip(-1), v, sorter=lib.arange(b.shape[-1] - 1, -1, -1, device=b.device).expand(b.shape)
        .contiguous()),
        shapes=[((6,), (3, 4)), ((2, 5), (2, 3))], make=_sorted_and_values, grad=False,
        ops=("searchsorted",)),
    OpInfo("searchsorted_scalar", lambda lib, b, v: (lib.searchsorted(b, 1),
                                                     lib.searchsorted(b, 0.5, right=True)),
           shapes=[((6,), (1,))], make=_sorted_and_values, grad=False, ops=("searchsorted",)),
    OpInfo("bucketize", lambda lib, v, b: (lib.bucketize(v, b),
                                           lib.bucketize(v, b, right=True, out_int32=True)),
           shapes=[((3, 4), (5,)), ((), (3,))], make=_values_and_sorted,
           dtypes=("float32", "int64"), grad=False),
    # bincount / histc / isin
    OpInfo("bincount", lambda lib, x: (lib.bincount(x), x.bincount(minlength=9)),
           shapes=[((7,),), ((0,),)], make=_ints(6), grad=False),
    OpInfo("bincount_weights", lambda lib, x, w: lib.bincount(x, w),
           shapes=[((7,), (7,))], make=_ints_and_weights, grad=False, ops=("bincount",)),
    OpInfo("histc", lambda lib, a: (a.histc(5), lib.histc(a, bins=4, min=-1, max=1.5),
                                    lib.histc(a, 3, 2, 2)),
           shapes=[((3, 4),), ((),), ((0,),)], grad=False),
    OpInfo("isin", lambda lib, a, b: (lib.isin(a, b), lib.isin(a, b, invert=True),
                                      lib.isin(a, 1), lib.isin(2, b)),
           shapes=[((3, 4), (5,)), ((), (2, 2))], int_inputs=(0, 1), int_high=6, grad=False),
    OpInfo("isin_float", lambda lib, a, b: (lib.isin(a, b[:2]), lib.isin(a.round(), b.round(),
                                                                         assume_unique=False)),
           shapes=[((3, 4), (5,))], grad=False, ops=("isin",)),
    # logaddexp / logaddexp2
    OpInfo("logaddexp", lambda lib, a, b: a.logaddexp(b),
           shapes=[((3, 4), (3, 4)), ((3, 4), (4,)), ((), (2, 3))], domain=(-3, 3)),
    OpInfo("logaddexp2", lambda lib, a, b: lib.logaddexp2(a, b),
           shapes=[((3, 4), (3, 4)), ((2, 1), (3,))], domain=(-3, 3)),
    # diff
    OpInfo("diff", lambda lib, a: (a.diff(), lib.diff(a, 2, 0), lib.diff(a, n=0),
                                   lib.diff(a, prepend=a[..., :1] * 2, append=a[..., -2:]),
                                   lib.diff(a, n=9)),
           shapes=[((3, 4),), ((5,),)]),
    OpInfo("diff_int", lambda lib, a: (a.diff(), (a > 1).diff(dim=0)), int_inputs=(0,),
           grad=False, ops=("diff",)),
    # quantile / nanquantile
    OpInfo("quantile", lambda lib, a: (lib.quantile(a, 0.3), a.quantile(_q(lib, a, [0.1, 0.5, 1]),
                                                                        dim=1, keepdim=True),
                                       lib.quantile(a, 0.7, dim=-1),
                                       a.quantile(_q(lib, a, 0.25), 0)),
           shapes=[((3, 5),), ((2, 3, 4),)]),
    *[OpInfo(f"quantile_{m}", lambda lib, a, m=m: (
        lib.quantile(a, 0.4, interpolation=m), a.nanquantile(_q(lib, a, [0.0, 0.35, 0.9]), dim=0,
                                                             keepdim=True, interpolation=m)),
        shapes=[((4, 3),)], ops=("quantile", "nanquantile")) for m in INTERP],
    OpInfo("nanquantile", lambda lib, a: (lib.nanquantile(a, 0.3), a.nanquantile(0.6, dim=1),
                                          lib.quantile(a, _q(lib, a, [0.2, 0.5]), dim=-1),
                                          a.nanquantile(0.5, -1, True, interpolation="nearest")),
           make=_with_nans, shapes=[((4, 5),)], gradcheck=False, ops=("quantile",)),
    # cov / corrcoef
    OpInfo("cov", lambda lib, a: (lib.cov(a), a.cov(correction=0)), shapes=[((3, 5),), ((4,),)]),
    OpInfo("cov_weights", lambda lib, a, f, w: (lib.cov(a, fweights=f), lib.cov(a, aweights=w),
                                                 lib.cov(a, correction=2, fweights=f, aweights=w)),
           shapes=[((3, 6),)], make=_cov_weights, ops=("cov",)),
    OpInfo("cov_int", lambda lib, a: (lib.cov(a), lib.corrcoef(a)), int_inputs=(0,),
           int_high=5, shapes=[((3, 6),)], grad=False, ops=("cov", "corrcoef")),
    OpInfo("corrcoef", lambda lib, a: (lib.corrcoef(a), a.corrcoef()),
           shapes=[((3, 5),), ((4,),)]),
    # lgamma / digamma / polygamma
    OpInfo("lgamma", lambda lib, a: a.lgamma(), shapes=[((3, 4),), ((),)], domain=(0.2, 6)),
    OpInfo("lgamma_neg", lambda lib, a: lib.lgamma(a), make=_negative_gamma, ops=("lgamma",),
           atol=1e-5, rtol=1e-5),
    OpInfo("digamma", lambda lib, a: a.digamma(), shapes=[((3, 4),), ((),)], domain=(0.2, 6)),
    OpInfo("digamma_neg", lambda lib, a: lib.digamma(a), make=_negative_gamma,
           ops=("digamma",)),
    OpInfo("polygamma", lambda lib, a: (lib.polygamma(1, a), a.polygamma(2), lib.polygamma(0, a),
                                        lib.polygamma(3, a)),
           shapes=[((3, 4),)], domain=(0.3, 5), rtol=1e-5),
    OpInfo("polygamma_neg", lambda lib, a: (lib.polygamma(1, a), lib.polygamma(2, a)),
           make=_negative_gamma, ops=("polygamma",), rtol=1e-5),
    OpInfo("mvlgamma", lambda lib, a: (a.mvlgamma(1), lib.mvlgamma(a, 3), lib.mvlgamma(a, p=2)),
           shapes=[((3, 4),), ((),)], domain=(1.2, 5)),
    OpInfo("mvlgamma_int", lambda lib, a: lib.mvlgamma(a + 2, 2), int_inputs=(0,), grad=False,
           ops=("mvlgamma",)),
    # logcumsumexp
    OpInfo("logcumsumexp", lambda lib, a: (a.logcumsumexp(1), lib.logcumsumexp(a, 0)),
           shapes=[((3, 4),)], domain=(-3, 3)),
    OpInfo("logcumsumexp_0d", lambda lib, a: lib.logcumsumexp(a, -1), shapes=[((),), ((5,),)],
           ops=("logcumsumexp",)),
    OpInfo("logcumsumexp_complex", lambda lib, a, b: (lib.logcumsumexp(a + b * 1j, 1),
                                                      (a * 2 + b * 1j).logcumsumexp(0)),
           shapes=[((2, 3), (2, 3))], ops=("logcumsumexp",)),
    # trapezoid / cumulative_trapezoid
    OpInfo("trapezoid", lambda lib, y, x: (lib.trapezoid(y), lib.trapezoid(y, x),
                                           lib.trapz(y, dx=0.5, dim=0), lib.trapezoid(y, y),
                                           lib.trapz(y, x)),
           shapes=[((3, 4), (4,))], ops=("trapz",)),
    OpInfo("cumulative_trapezoid", lambda lib, y, x: (
        lib.cumulative_trapezoid(y), lib.cumulative_trapezoid(y, x),
        lib.cumulative_trapezoid(y, dx=2.0, dim=0), lib.cumulative_trapezoid(y, y, dim=0)),
        shapes=[((3, 4), (4,))]),
    OpInfo("trapezoid_int", lambda lib, y: (lib.trapezoid(y), lib.cumulative_trapezoid(y, dx=2)),
           int_inputs=(0,), grad=False, ops=("trapezoid", "cumulative_trapezoid")),
    # cartesian_prod / combinations / block_diag / vander / tril_indices / triu_indices
    OpInfo("cartesian_prod", lambda lib, a, b: (lib.cartesian_prod(a, b),
                                                lib.cartesian_prod(a, b, a),
                                                lib.cartesian_prod(b)),
           shapes=[((3,), (2,))]),
    OpInfo("combinations", lambda lib, a: (lib.combinations(a), lib.combinations(a, 3, True),
                                           lib.combinations(a, 1), lib.combinations(a, 0),
                                           lib.combinations(a, 6)),
           shapes=[((4,),)]),
    OpInfo("block_diag", lambda lib, a, b, c: (lib.block_diag(a, b, c), lib.block_diag(b)),
           shapes=[((2, 3), (2,), ())]),
    OpInfo("block_diag_int", lambda lib, a, b: (lib.block_diag(a, b), lib.block_diag(a, b > 1)),
           shapes=[((2, 2), (3,))], int_inputs=(0, 1), grad=False, ops=("block_diag",)),
    OpInfo("vander", lambda lib, a: (lib.vander(a), lib.vander(a, 3, increasing=True),
                                     lib.vander(a, 0), lib.vander(a, 1)),
           shapes=[((4,),), ((0,),)], domain=(0.5, 1.5), grad=False),  # torch's backward raises
    OpInfo("vander_int", lambda lib, a: (lib.vander(a), lib.vander(a.int(), 2)), int_inputs=(0,),
           shapes=[((3,),)], grad=False, ops=("vander",)),
    OpInfo("tril_indices", lambda lib, a: (
        lib.tril_indices(3, 4, device=a.device), lib.tril_indices(4, 3, -1, device=a.device),
        lib.triu_indices(3, 4, 1, dtype=lib.int32, device=a.device),
        lib.triu_indices(0, 3, device=a.device), lib.tril_indices(2, 2, 5, device=a.device)),
        shapes=[((1,),)], grad=False, ops=("triu_indices",)),
    # renorm
    OpInfo("renorm", lambda lib, a: (a.renorm(2, 0, 1.0), lib.renorm(a, 1, 1, 1.5),
                                     lib.renorm(a, float("inf"), -1, 10.0)),
           shapes=[((3, 4),), ((2, 3, 2),)]),
]

# test_registry's inputs for ops whose generic ones do not fit (L.x etc. are its _DATA tensors)
SPECIAL = {
    "searchsorted": lambda L: (L.v.sort()[0], L.x),
    "bucketize": lambda L: (L.x, L.v.sort()[0]),
    "bincount": lambda L: (L.j.flatten(),),
    "polygamma": lambda L: (1, L.x),
    "quantile": lambda L: (L.x, 0.3), "nanquantile": lambda L: (L.x, 0.3),
    "cartesian_prod": lambda L: (L.v, L.v[:2]), "combinations": lambda L: (L.v,),
    "block_diag": lambda L: (L.x, L.v), "vander": lambda L: (L.v,),
    "tril_indices": lambda L: (3, 4), "triu_indices": lambda L: (3, 4, 1),
    "renorm": lambda L: (L.x, 2, 0, 1.0), "mvlgamma": lambda L: (L.x + 2, 2),
}
