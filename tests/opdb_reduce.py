"""Op-table entries for reductions."""

from opinfo import OpInfo

OPS = [
    OpInfo("sum", lambda lib, a: a.sum(), shapes=[((3, 4),), ((),)]),
    OpInfo("sum_dim", lambda lib, a: lib.sum(a, dim=(0, -1), keepdim=True),
           shapes=[((2, 3, 4),)]),
    OpInfo("sum_dim1", lambda lib, a: a.sum(1), shapes=[((2, 3, 4),)]),
    OpInfo("mean", lambda lib, a: a.mean(), shapes=[((3, 4),)]),
    OpInfo("mean_dim", lambda lib, a: a.mean(dim=-1, keepdim=False), shapes=[((3, 4),)]),
]
