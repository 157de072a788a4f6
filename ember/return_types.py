"""torch.return_types: the named tuples (structseqs) that max, sort, topk, ... return."""

from __future__ import annotations

from . import _dtype as D

__all__ = []


class _StructSeq(tuple):
    """A tuple with named fields that prints as `torch.return_types.<name>(\\nf=...,\\ng=...)`."""

    __slots__ = ()
    _fields: tuple = ()
    n_fields = n_sequence_fields = 0
    n_unnamed_fields = 0

    def __new__(cls, sequence=(), dict=None):
        seq = tuple(sequence)
        if len(seq) != len(cls._fields):
            raise TypeError(f"{D.PREFIX[0]}.return_types.{cls.__name__}() takes a "
                            f"{len(cls._fields)}-sequence ({len(seq)}-sequence given)")
        return tuple.__new__(cls, seq)

    def __repr__(self) -> str:
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self))
        return f"{D.PREFIX[0]}.return_types.{type(self).__name__}(\n{body})"

    __str__ = __repr__

    def __reduce__(self):
        return (type(self), (tuple(self), {}))


def _field(i: int):
    return property(lambda self: tuple.__getitem__(self, i))


def _make(name: str, fields: tuple) -> type:
    ns = {f: _field(i) for i, f in enumerate(fields)}
    ns.update(_fields=fields, __match_args__=fields, n_fields=len(fields),
              n_sequence_fields=len(fields),
              __slots__=(), __module__=__name__, __qualname__=name)
    cls = type(name, (_StructSeq,), ns)
    cls.__doc__ = f"torch.return_types.{name}"
    return cls


_VI = ("values", "indices")
_SPECS = {
    "max": _VI, "min": _VI, "sort": _VI, "topk": _VI, "kthvalue": _VI, "median": _VI,
    "nanmedian": _VI, "mode": _VI, "cummax": _VI, "cummin": _VI,
    "aminmax": ("min", "max"),
    "frexp": ("mantissa", "exponent"),
    "geqrf": ("a", "tau"),
    "histogram": ("hist", "bin_edges"),
    "histogramdd": ("hist", "bin_edges"),
    "slogdet": ("sign", "logabsdet"),
    "qr": ("Q", "R"),
    "svd": ("U", "S", "V"),
    "lu_unpack": ("P", "L", "U"),
    "triangular_solve": ("solution", "cloned_coefficient"),
    "linalg_cholesky_ex": ("L", "info"),
    "linalg_eig": ("eigenvalues", "eigenvectors"),
    "linalg_eigh": ("eigenvalues", "eigenvectors"),
    "linalg_inv_ex": ("inverse", "info"),
    "linalg_ldl_factor": ("LD", "pivots"),
    "linalg_ldl_factor_ex": ("LD", "pivots", "info"),
    "linalg_lstsq": ("solution", "residuals", "rank", "singular_values"),
    "linalg_lu": ("P", "L", "U"),
    "linalg_lu_factor": ("LU", "pivots"),
    "linalg_lu_factor_ex": ("LU", "pivots", "info"),
    "linalg_qr": ("Q", "R"),
    "linalg_slogdet": ("sign", "logabsdet"),
    "linalg_solve_ex": ("result", "info"),
    "linalg_svd": ("U", "S", "Vh"),
}

for _name, _fields in _SPECS.items():
    globals()[_name] = _make(_name, _fields)
    __all__.append(_name)
del _name, _fields
