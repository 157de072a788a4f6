"""Op-table entries for indexing: __getitem__/__setitem__, gather/scatter, index_*, masked_*."""

import numpy as np
from opinfo import OpInfo

I64 = np.int64


def _floats(rng, dtype, *shapes):
    return [rng.uniform(-2, 2, size=s).astype(dtype) for s in shapes]


def _mk(*parts):
    """make(rng, shapes, dtype): float inputs for shapes, then the extra arrays parts(rng)."""
    def make(rng, shapes, dtype):
        out = _floats(rng, dtype, *shapes)
        for p in parts:
            out.append(p(rng))
        return out
    return make


def _ints(high, size):
    return lambda rng: rng.integers(-high, high, size=size).astype(I64)


def _nonneg(high, size):
    return lambda rng: rng.integers(0, high, size=size).astype(I64)


def _mask(size):
    return lambda rng: rng.uniform(size=size) > 0.4


def _perm_cols(n, k, cols):
    """An index (k, cols) whose columns hold distinct rows of range(n) (scatter is then exact)."""
    return lambda rng: np.stack([rng.permutation(n)[:k] for _ in range(cols)], axis=1).astype(I64)


def _unique(n, k):
    return lambda rng: rng.permutation(n)[:k].astype(I64)


def _set(a, idx, v):
    """y = a * 1; y[idx] = v; y (a differentiable __setitem__ on a non-leaf)."""
    y = a * 1
    y[idx] = v
    return y


def _with_dup(rng):
    return np.array([0, 2, 0, 1, 2], dtype=I64)


S34, S345 = [((3, 4),)], [((3, 4, 5),)]

GETITEM = [
    OpInfo("__getitem__int", lambda lib, a: a[1], shapes=S34, ops=("__getitem__",)),
    OpInfo("__getitem__neg_int", lambda lib, a: a[-1, 2], shapes=S34),
    OpInfo("__getitem__slice", lambda lib, a: a[1:, ::2], shapes=S34),
    OpInfo("__getitem__slice_clamped", lambda lib, a: a[-10:10, 5:], shapes=S34),
    OpInfo("__getitem__mixed", lambda lib, a: a[1:, None, ..., -1], shapes=S345),
    OpInfo("__getitem__ellipsis", lambda lib, a: a[..., 1:3], shapes=S345),
    OpInfo("__getitem__none", lambda lib, a: a[None, :, None], shapes=S34),
    OpInfo("__getitem__0d", lambda lib, a: a[None, ...], shapes=[((),)]),
    OpInfo("__getitem__chain", lambda lib, a: a[1][2], shapes=S345),
    OpInfo("__getitem__0d_index", lambda lib, a: a[lib.tensor(1), lib.tensor(-1)], shapes=S34),
    OpInfo("__getitem__list_dup", lambda lib, a: a[[0, 2, 0]], shapes=S34),
    OpInfo("__getitem__tensor_dup", lambda lib, a, i: a[i], shapes=S34, make=_mk(_with_dup)),
    OpInfo("__getitem__tensor_2d", lambda lib, a, i: a[:, i], shapes=S34,
           make=_mk(_ints(4, (2, 3)))),
    OpInfo("__getitem__adv_bcast", lambda lib, a, i, j: a[i, j], shapes=S34,
           make=_mk(_ints(3, (2, 1)), _ints(4, (3,)))),
    OpInfo("__getitem__adv_separated", lambda lib, a, i, j: a[i, :, j], shapes=S345,
           make=_mk(_ints(3, (4,)), _ints(5, (4,)))),
    OpInfo("__getitem__adv_slice", lambda lib, a, i: a[1:, i, ::2], shapes=S345,
           make=_mk(_ints(4, (2, 2)))),
    OpInfo("__getitem__int_and_adv", lambda lib, a: a[0, :, [0, 1, 1]], shapes=S345),
    OpInfo("__getitem__mask_full", lambda lib, a, m: a[m], shapes=S34, make=_mk(_mask((3, 4)))),
    OpInfo("__getitem__mask_rows", lambda lib, a, m: a[m], shapes=S34, make=_mk(_mask((3,)))),
    OpInfo("__getitem__mask_cols", lambda lib, a, m: a[:, m, 1], shapes=S345,
           make=_mk(_mask((4,)))),
    OpInfo("__getitem__mask_list", lambda lib, a: a[[True, False, True]], shapes=S34),
    OpInfo("__getitem__bool_scalar", lambda lib, a: (a[True], a[None, False], a[1, True]),
           shapes=S34),
    OpInfo("__getitem__empty", lambda lib, a: a[[]], shapes=S34),
    OpInfo("__getitem__int_dtype", lambda lib, a, i: (a[1:, i], a[a.shape[0] - 1]),
           shapes=S34, dtypes=("int64", "float32"), make=_mk(_ints(4, (3,)))),
]

SETITEM = [
    OpInfo("__setitem__int", lambda lib, a, v: _set(a, 0, v), shapes=[((3, 4), (4,))],
           ops=("__setitem__",)),
    OpInfo("__setitem__scalar", lambda lib, a: _set(a, (slice(None), 1), 2.5), shapes=S34),
    OpInfo("__setitem__bcast", lambda lib, a, v: _set(a, (slice(1, None), None), v),
           shapes=[((3, 4), (1, 4))]),
    OpInfo("__setitem__adv", lambda lib, a, v, i: _set(a, i, v), shapes=[((4, 3), (2, 3))],
           make=_mk(_unique(4, 2))),
    OpInfo("__setitem__adv_bcast", lambda lib, a, v, i: _set(a, (slice(None), i), v),
           shapes=[((3, 4), (3, 1))], make=_mk(_unique(4, 3))),
    OpInfo("__setitem__mask", lambda lib, a, m: _set(a, m, 0.0), shapes=S34,
           make=_mk(_mask((3, 4)))),
    OpInfo("__setitem__mask_tensor", lambda lib, a, v, m: _set(a, m, v), shapes=[((3, 4), ())],
           make=_mk(_mask((3,)))),
    OpInfo("__setitem__int_dtype", lambda lib, a: _set(a, (0, slice(1, 3)), 7), shapes=S34,
           dtypes=("int64",)),
]

OPS = GETITEM + SETITEM + [
    OpInfo("gather", lambda lib, a, i: lib.gather(a, 0, i), shapes=S34,
           make=_mk(_nonneg(3, (2, 4)))),
    OpInfo("gather_dim1", lambda lib, a, i: a.gather(-1, i), shapes=S34,
           make=_mk(_nonneg(4, (2, 3)))),
    OpInfo("gather_0d", lambda lib, a: a.gather(0, lib.tensor(0)), shapes=[((),)]),
    OpInfo("scatter", lambda lib, a, s, i: lib.scatter(a, 0, i, s), shapes=[((3, 4), (2, 4))],
           make=_mk(_perm_cols(3, 2, 4))),
    OpInfo("scatter_src_larger", lambda lib, a, s, i: a.scatter(0, i, src=s),
           shapes=[((3, 4), (3, 5))], make=_mk(_perm_cols(3, 2, 3)), grad=False),
    OpInfo("scatter_value", lambda lib, a, i: a.scatter(0, i, 1.5), shapes=S34,
           make=_mk(_nonneg(3, (2, 4)))),
    OpInfo("scatter_", lambda lib, a, s, i: (a * 1).scatter_(0, i, s),
           shapes=[((3, 4), (2, 4))], make=_mk(_perm_cols(3, 2, 4))),
    OpInfo("scatter_add", lambda lib, a, s, i: lib.scatter_add(a, 0, i, s),
           shapes=[((3, 4), (2, 4))], make=_mk(_nonneg(3, (2, 4)))),
    OpInfo("scatter_add_", lambda lib, a, s, i: (a * 1).scatter_add_(1, i, s),
           shapes=[((3, 4), (3, 5))], make=_mk(_nonneg(4, (3, 5)))),
    OpInfo("index_select", lambda lib, a, i: lib.index_select(a, 1, i), shapes=S34,
           make=_mk(_nonneg(4, (5,)))),
    OpInfo("index_select_0d", lambda lib, a: a.index_select(0, lib.tensor(2)), shapes=S34),
    OpInfo("index_add", lambda lib, a, s, i: lib.index_add(a, 0, i, s),
           shapes=[((3, 4), (5, 4))], make=_mk(_with_dup)),
    OpInfo("index_add_alpha", lambda lib, a, s, i: a.index_add(-1, i, s, alpha=2.5),
           shapes=[((3, 4), (3, 5))], make=_mk(_nonneg(4, (5,)))),
    OpInfo("index_add_", lambda lib, a, s, i: (a * 1).index_add_(0, i, s),
           shapes=[((3, 4), (5, 4))], make=_mk(_with_dup)),
    OpInfo("index_copy", lambda lib, a, s, i: lib.index_copy(a, 1, i, s),
           shapes=[((3, 4), (3, 2))], make=_mk(_unique(4, 2))),
    OpInfo("index_fill", lambda lib, a, i: lib.index_fill(a, 1, i, -1.0), shapes=S34,
           make=_mk(_nonneg(4, (3,)))),
    OpInfo("index_fill_tensor", lambda lib, a, v, i: a.index_fill(0, i, v),
           shapes=[((3, 4), ())], make=_mk(_unique(3, 2))),
    OpInfo("index_put", lambda lib, a, v, i: lib.index_put(a, (i,), v),
           shapes=[((4, 3), (2, 3))], make=_mk(_unique(4, 2))),
    OpInfo("index_put_accumulate", lambda lib, a, v, i, j: a.index_put((i, j), v, True),
           shapes=[((3, 4), (5,))], make=_mk(_with_dup, _nonneg(4, (5,)))),
    OpInfo("index_put_mask", lambda lib, a, v, m: a.index_put((m,), v),
           shapes=[((3, 4), ())], make=_mk(_mask((3, 4)))),
    OpInfo("index_put_", lambda lib, a, v, i: (a * 1).index_put_((i,), v, accumulate=True),
           shapes=[((3, 4), (4,))], make=_mk(_with_dup)),
    OpInfo("masked_fill", lambda lib, a, m: lib.masked_fill(a, m, -1.5), shapes=S34,
           make=_mk(_mask((4,)))),
    OpInfo("masked_fill_bcast", lambda lib, a, m: a.masked_fill(m, 2), shapes=[((4,),)],
           make=_mk(_mask((3, 4)))),
    OpInfo("masked_fill_tensor", lambda lib, a, v, m: a.masked_fill(m, v),
           shapes=[((3, 4), ())], make=_mk(_mask((3, 4)))),
    OpInfo("masked_fill_", lambda lib, a, m: (a * 1).masked_fill_(m, 0.0), shapes=S34,
           make=_mk(_mask((3, 1)))),
    OpInfo("masked_fill_int", lambda lib, a, m: a.masked_fill(m, 2.7), shapes=S34,
           dtypes=("int64",), make=lambda rng, s, dt: [rng.integers(0, 9, (3, 4)),
                                                       rng.uniform(size=(3, 4)) > 0.5]),
    OpInfo("masked_select", lambda lib, a, m: lib.masked_select(a, m), shapes=S34,
           make=_mk(_mask((3, 4)))),
    OpInfo("masked_select_bcast", lambda lib, a, m: a.masked_select(m), shapes=[((4,),)],
           make=_mk(_mask((3, 4)))),
    OpInfo("masked_scatter", lambda lib, a, s, m: lib.masked_scatter(a, m, s),
           shapes=[((3, 4), (14,))], make=_mk(_mask((3, 4)))),
    OpInfo("masked_scatter_", lambda lib, a, s, m: (a * 1).masked_scatter_(m, s),
           shapes=[((3, 4), (3, 4))], make=_mk(_mask((4,)))),
    OpInfo("where", lambda lib, a, b, c: lib.where(c, a, b), shapes=[((3, 4), (4,))],
           make=_mk(_mask((3, 1)))),
    OpInfo("where_scalar", lambda lib, a, c: (lib.where(c, a, 0.5), lib.where(c, 2, a)),
           shapes=S34, make=_mk(_mask((3, 4)))),
    OpInfo("where_method", lambda lib, a, b, c: a.where(c, b), shapes=[((3, 4), (3, 4))],
           make=_mk(_mask((3, 4)))),
    OpInfo("where_promote", lambda lib, c, i: (lib.where(c, i, 2.5), lib.where(c, 1, 2),
                                               lib.where(c, True, False)),
           shapes=[()], grad=False,
           make=lambda rng, s, dt: [rng.uniform(size=(3, 4)) > 0.5,
                                    rng.integers(0, 9, (3, 4)).astype(np.int32)]),
    OpInfo("where_cond_only", lambda lib, a: lib.where(a), shapes=S34, grad=False,
           dtypes=("float32", "int64"),
           make=lambda rng, s, dt: [rng.integers(0, 2, (3, 4)).astype(dt)]),
    OpInfo("nonzero", lambda lib, a: (lib.nonzero(a), a.nonzero(as_tuple=True)),
           shapes=[((3, 4),), ((2, 3, 2),), ((),), ((0, 2),)], grad=False,
           dtypes=("float32", "int64", "bool"),
           make=lambda rng, s, dt: [rng.integers(0, 2, s[0]).astype(dt)]),
    OpInfo("argwhere", lambda lib, a: lib.argwhere(a), grad=False,
           make=lambda rng, s, dt: [rng.integers(0, 2, (3, 4)).astype(dt)]),
    OpInfo("take", lambda lib, a, i: lib.take(a, i), shapes=S34, make=_mk(_ints(12, (2, 3)))),
    OpInfo("take_along_dim", lambda lib, a, i: lib.take_along_dim(a, i, dim=1), shapes=S34,
           make=_mk(_nonneg(4, (3, 2)))),
    OpInfo("take_along_dim_bcast", lambda lib, a, i: a.take_along_dim(i, 0), shapes=S34,
           make=_mk(_nonneg(3, (2, 1)))),
    OpInfo("take_along_dim_flat", lambda lib, a, i: lib.take_along_dim(a, i), shapes=S34,
           make=_mk(_nonneg(12, (5,)))),
    OpInfo("put", lambda lib, a, s, i: lib.put(a, i, s), shapes=[((3, 4), (2, 2))],
           make=_mk(lambda rng: rng.permutation(12)[:4].reshape(2, 2).astype(I64) - 6)),
    OpInfo("put_accumulate", lambda lib, a, s, i: a.put(i, s, accumulate=True),
           shapes=[((3, 4), (5,))], make=_mk(_with_dup)),
    OpInfo("put_", lambda lib, a, s, i: (a * 1).put_(i, s), shapes=[((3, 4), (3,))],
           make=_mk(_unique(12, 3))),
    OpInfo("select_scatter", lambda lib, a, s: lib.select_scatter(a, s, 1, -1),
           shapes=[((3, 4), (3,))]),
    OpInfo("slice_scatter", lambda lib, a, s: lib.slice_scatter(a, s, 1, 1, None, 2),
           shapes=[((3, 4), (3, 2))]),
]
