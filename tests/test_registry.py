"""The registry test (DESIGN.md section 4): every registered op has an op-table entry, and its
function, method, dunders and in-place form agree with each other and with torch."""

import operator
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from op_db import OP_DB
from opdb_extra import SPECIAL as _EXTRA_SPECIAL
from opinfo import assert_same, make_inputs, to_libs

import ember
from ember._tensor import Tensor
from ember.ops._registry import METHODS, REGISTRY

# torch's deprecation warnings for old spellings (chain_matmul, qr, cholesky, cross without dim)
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

SAMPLERS = ("bernoulli", "multinomial", "normal", "rand", "rand_like", "randint",
            "randint_like", "randn", "randn_like", "randperm", "bernoulli_", "normal_",
            "random_", "uniform_", "exponential_", "cauchy_", "geometric_", "log_normal_")
# registered names that are not op-table ops, each with the reason
EXCLUDED = {
    **{n: "random sampler: bit-exactness with torch's generator is test_random's job"
       for n in SAMPLERS},
    "broadcast_shapes": "takes shapes and returns an ember.Size: tested in test_shape_extra",
}
ALL = set(REGISTRY) | set(METHODS)


def _inplace_of(name):
    """The base op of a generated in-place method `name_` (None when name is not one)."""
    base = name[:-1]
    if name.endswith("_") and not name.startswith("__") and base in ALL:
        return base
    return None


# ---------------------------------------------------------------- coverage of the op table

def test_every_registered_op_has_an_entry():
    named = set()
    for info in OP_DB:
        named.add(info.name)
        named.update(info.ops)
    missing = sorted(n for n in ALL if n not in named and n not in EXCLUDED
                     and _inplace_of(n) is None)
    assert not missing, f"registered ops with no op-table entry: {missing}"
    unknown = sorted(n for info in OP_DB for n in info.ops if n not in ALL)
    assert not unknown, f"OpInfo.ops names that are not registered ops: {unknown}"
    # generated in-place forms are checked against torch by test_variants_agree_with_torch
    untested = sorted(n for n in ALL if _inplace_of(n) and n not in EXCLUDED
                      and _inplace_of(n) not in VARIANT_OPS)
    assert not untested, f"in-place ops whose base op is not in VARIANT_OPS: {untested}"


class _Tracer:
    """Records the registered ops called at top level (not from inside another op)."""

    def __init__(self):
        self.called = set()
        self.depth = 0
        self.saved = []

    def _wrap(self, f, names):
        def traced(*args, **kwargs):
            if self.depth == 0:
                self.called.update(names)
            self.depth += 1
            try:
                return f(*args, **kwargs)
            finally:
                self.depth -= 1
        return traced

    def __enter__(self):
        by_id = {}
        for n, f in METHODS.items():
            by_id.setdefault(id(f), n)
        for n, f in REGISTRY.items():
            by_id.setdefault(id(f), n)
        for n, f in REGISTRY.items():
            if ember.__dict__.get(n) is f:
                self.saved.append((ember, n, f))
        for n, f in list(vars(Tensor).items()):
            # binary dunders wrap their op (they return NotImplemented for other operands)
            op = by_id.get(id(getattr(f, "__wrapped__", f)))
            if op is not None and callable(f):
                self.saved.append((Tensor, n, f))
                by_id.setdefault(id(f), op)
        # public spellings that wrap a registered op (torch has no torch.linalg_vector_norm)
        self.saved.append((ember.linalg, "vector_norm", ember.linalg.vector_norm))
        by_id[id(ember.linalg.vector_norm)] = "linalg_vector_norm"
        for owner, n, f in self.saved:
            names = {n}
            if id(f) in by_id:
                names.add(by_id[id(f)])
            setattr(owner, n, self._wrap(f, names))
        return self

    def __exit__(self, *exc):
        for owner, n, f in self.saved:
            setattr(owner, n, f)


def test_entries_call_the_ops_they_name():
    """An entry's name (when it is an op) and its `ops` are really called by its lambda."""
    wrong = []
    for info in OP_DB:
        claimed = set(info.ops) | ({info.name} & ALL)
        if not claimed:
            continue
        arrs = make_inputs(info, info.shapes[0], info.dtypes[0], seed=0)
        _, et = to_libs(arrs, False)
        with _Tracer() as tr:
            info.fn(ember, *et)
        if claimed - tr.called:
            wrong.append(f"{info.name}: {sorted(claimed - tr.called)} not called")
    assert not wrong, "\n".join(wrong)


# ---------------------------------------------------------------- variants agree with torch

_RNG = np.random.default_rng(0)
_DATA = {
    "x": _RNG.uniform(0.1, 0.9, (3, 4)),
    "y": _RNG.uniform(0.1, 0.9, (3, 4)),
    "z": _RNG.uniform(0.1, 0.9, (3, 4)),
    "i": _RNG.integers(-4, 5, (3, 4)),
    "j": _RNG.integers(1, 4, (3, 4)),
    "m": _RNG.uniform(size=(3, 4)) > 0.5,
    "sq": _RNG.uniform(-1, 1, (3, 3)) + 3 * np.eye(3),
    "v": _RNG.uniform(-1, 1, (4,)),
    "b": _RNG.uniform(-1, 1, (2, 3, 4)),
    "idx": np.array([[0, 2, 1, 0], [1, 0, 2, 2]]),
    "row": np.array([2, 0]),
    "c": _RNG.uniform(-1, 1, (3, 4)) + 1j * _RNG.uniform(-1, 1, (3, 4)),
}


def _env(lib):
    return SimpleNamespace(lib=lib, **{k: lib.tensor(v) for k, v in _DATA.items()})


# op -> L -> positional args (L.x etc. are tensors of _DATA); kwargs after a dict at the end
SPECIAL = {
    "acosh": lambda L: (L.x + 1,), "arccosh": lambda L: (L.x + 1,),
    "addbmm": lambda L: (L.x[:, :3], L.b.transpose(1, 2)[:, :3], L.b[:, :, :3]),
    "addmm": lambda L: (L.x, L.sq, L.x), "addmv": lambda L: (L.v[:3], L.x, L.v),
    "adjoint": lambda L: (L.x,),
    "all": lambda L: (L.m,), "any": lambda L: (L.m,), "allclose": lambda L: (L.x, L.y),
    "baddbmm": lambda L: (L.b[:, :, :3], L.b, L.b.transpose(1, 2)[:, :, :3]),
    "bmm": lambda L: (L.b, L.b.transpose(1, 2)),
    "broadcast_tensors": lambda L: (L.x, L.v), "broadcast_to": lambda L: (L.v, (3, 4)),
    "cat": lambda L: ((L.x, L.y), 1), "concat": lambda L: ((L.x, L.y),),
    "concatenate": lambda L: ((L.x, L.y), 1), "stack": lambda L: ((L.x, L.y), 2),
    "hstack": lambda L: ((L.x, L.y),), "vstack": lambda L: ((L.x, L.y),),
    "dstack": lambda L: ((L.x, L.y),), "row_stack": lambda L: ((L.x, L.y),),
    "column_stack": lambda L: ((L.x, L.v[:3]),),
    "chain_matmul": lambda L: (L.x, L.x.t(), L.sq), "cholesky": lambda L: (L.sq @ L.sq.t(),),
    "chunk": lambda L: (L.x, 2, 1), "split": lambda L: (L.x, 2, 1),
    "split_with_sizes": lambda L: (L.x, [1, 3], 1), "tensor_split": lambda L: (L.x, 3, 1),
    "hsplit": lambda L: (L.x, 2), "vsplit": lambda L: (L.x, [1]), "dsplit": lambda L: (L.b, 2),
    "unbind": lambda L: (L.x, 1),
    "cross": lambda L: (L.x[:, :3], L.y[:, :3]),
    "cummax": lambda L: (L.x, 1), "cummin": lambda L: (L.x, 0), "cumprod": lambda L: (L.x, 1),
    "cumsum": lambda L: (L.x, 0), "logcumsumexp": lambda L: (L.x, 1),
    "det": lambda L: (L.sq,), "logdet": lambda L: (L.sq,), "slogdet": lambda L: (L.sq,),
    "inverse": lambda L: (L.sq,), "pinverse": lambda L: (L.x,), "qr": lambda L: (L.x.t(),),
    "svd": lambda L: (L.x,), "matrix_power": lambda L: (L.sq, 3), "trace": lambda L: (L.sq,),
    "diag_embed": lambda L: (L.x,), "diagonal": lambda L: (L.x, 1),
    "dot": lambda L: (L.v, L.v), "vdot": lambda L: (L.v, L.v), "inner": lambda L: (L.x, L.y),
    "outer": lambda L: (L.v, L.v), "ger": lambda L: (L.v, L.v), "mv": lambda L: (L.x, L.v),
    "mm": lambda L: (L.x, L.x.t()), "matmul": lambda L: (L.x, L.v),
    "kron": lambda L: (L.x[:2, :2], L.y[:1]),
    "tensordot": lambda L: (L.x, L.y, ([1], [1])),
    "einsum": lambda L: ("ij,kj->ik", L.x, L.y),
    "equal": lambda L: (L.x, L.y),
    "flatten": lambda L: (L.b, 1), "unflatten": lambda L: (L.x, 1, (2, 2)),
    "flip": lambda L: (L.x, (0, 1)), "roll": lambda L: (L.x, 1, 1),
    "rot90": lambda L: (L.x, 1, (0, 1)),
    "gather": lambda L: (L.x, 0, L.idx), "take_along_dim": lambda L: (L.x, L.idx, 0),
    "scatter": lambda L: (L.x, 0, L.idx, L.y), "scatter_add": lambda L: (L.x, 0, L.idx, L.y),
    "index_add": lambda L: (L.x, 0, L.row, L.y[:2]),
    "index_copy": lambda L: (L.x, 0, L.row, L.y[:2]),
    "index_fill": lambda L: (L.x, 0, L.row, -1.0),
    "index_put": lambda L: (L.x, (L.row,), L.y[:2]),
    "index_select": lambda L: (L.x, 1, L.row),
    "masked_fill": lambda L: (L.x, L.m, 2.0), "masked_select": lambda L: (L.x, L.m),
    "masked_scatter": lambda L: (L.x, L.m, L.y),
    "put": lambda L: (L.x, L.row, L.v[:2]), "take": lambda L: (L.x, L.row),
    "select_scatter": lambda L: (L.x, L.v[:3], 1, 0),
    "slice_scatter": lambda L: (L.x, L.y[:, :2], 1, 0, None, 2),
    "where": lambda L: (L.m, L.x, L.y),
    "kthvalue": lambda L: (L.x, 2, 1), "topk": lambda L: (L.x, 2),
    "lerp": lambda L: (L.x, L.y, 0.3), "addcmul": lambda L: (L.x, L.y, L.z, {"value": 0.5}),
    "addcdiv": lambda L: (L.x, L.y, L.z, {"value": 0.5}),
    "meshgrid": lambda L: (L.v, L.v[:3], {"indexing": "ij"}),
    "movedim": lambda L: (L.b, 0, 2), "moveaxis": lambda L: (L.b, 0, 2),
    "narrow": lambda L: (L.x, 1, 1, 2), "select": lambda L: (L.x, 1, -1),
    "permute": lambda L: (L.b, (2, 0, 1)), "transpose": lambda L: (L.x, 0, 1),
    "swapaxes": lambda L: (L.x, 0, 1), "swapdims": lambda L: (L.x, 0, 1),
    "repeat_interleave": lambda L: (L.x, 2, 1), "tile": lambda L: (L.x, (2, 1)),
    "reshape": lambda L: (L.x, (2, 6)), "squeeze": lambda L: (L.x[None],),
    "unsqueeze": lambda L: (L.x, 1), "unfold": lambda L: (L.x, 1, 2, 1),
    **{n: (lambda L: (L.c,)) for n in ("conj", "conj_physical", "resolve_conj", "resolve_neg",
                                         "real", "imag", "angle", "sgn", "view_as_real")},
    "view_as_complex": lambda L: (L.x[:, :2],),
    "softmax": lambda L: (L.x, 1), "linalg_vector_norm": lambda L: (L.x,),
    "log_softmax": lambda L: (L.x, 0),
    "logsumexp": lambda L: (L.x, 1),
    "unique_consecutive": lambda L: (L.i,), "isin": lambda L: (L.i, L.j),
    "bitwise_left_shift": lambda L: (L.i, L.j), "bitwise_right_shift": lambda L: (L.i, L.j),
    "pow": lambda L: (L.x, L.y), "float_power": lambda L: (L.x, 2),
    "heaviside": lambda L: (L.x - 0.5, L.y),
    "nan_to_num": lambda L: (L.x.log() * 0.0 / (L.x - L.x),),
    # method-only ops
    "expand": lambda L: (L.v, 3, 4), "expand_as": lambda L: (L.v, L.x),
    "view": lambda L: (L.x, 2, 6), "view_as": lambda L: (L.x, L.y.reshape(6, 2)),
    "reshape_as": lambda L: (L.x, L.y.reshape(6, 2)), "repeat": lambda L: (L.x, 2, 1),
    "contiguous": lambda L: (L.x.t(),), "__getitem__": lambda L: (L.x, (L.row, slice(1, 3))),
    "__rmatmul__": lambda L: (L.v, L.x), "copy_": lambda L: (L.x * 1, L.y),
    "fill_": lambda L: (L.x * 1, 2.5), "zero_": lambda L: (L.x * 1,),
    **_EXTRA_SPECIAL,
}
# method-only ops: torch has no function of that name
NO_TORCH_FN = {"expand", "expand_as", "view", "view_as", "reshape_as", "repeat", "contiguous",
               "__getitem__", "__rmatmul__", "copy_", "fill_", "zero_"}
# ember functions that torch spells differently (ember keeps them for its own use)
TORCH_SPELLING = {"linalg_vector_norm": lambda *a, **k: torch.linalg.vector_norm(*a, **k),
                  "unfold": lambda x, *a: x.unfold(*a)}
NOT_TESTED_HERE = {
    "__setitem__": "returns None: the __setitem__ entries of opdb_index check it",
}
GENERIC = (("x",), ("x", "y"), ("i",), ("i", "j"), ("x", "y", "z"))


def _args(name, L):
    if name in SPECIAL:
        res = SPECIAL[name](L)
    else:
        for keys in GENERIC:
            try:
                getattr(torch, name)(*(torch.tensor(_DATA[k]) for k in keys))
            except (TypeError, RuntimeError, ValueError, IndexError):
                continue
            res = tuple(getattr(L, k) for k in keys)
            break
        else:
            raise AssertionError(f"no generic arguments fit torch.{name}: add it to SPECIAL")
    kwargs = {}
    if res and isinstance(res[-1], dict):
        res, kwargs = res[:-1], res[-1]
    return res, kwargs


def _function(lib, name):
    if lib is torch and name in TORCH_SPELLING:
        return TORCH_SPELLING[name]
    return getattr(lib, name)


def _same(e, t, what):
    if isinstance(t, (tuple, list)):
        assert isinstance(e, (tuple, list)) and len(e) == len(t), what
        for k, (a, b) in enumerate(zip(e, t)):
            _same(a, b, f"{what}[{k}]")
        if hasattr(t, "_fields"):
            assert tuple(e._fields) == tuple(t._fields), what
    else:
        assert_same(e, t, 1e-6, 1e-6, what=what)


def _dunders(f):
    return sorted(n for n, v in vars(Tensor).items() if n.startswith("__") and v is f)


def _call_both(name, call):
    """call(L) on torch's and ember's inputs: both raise the same type, or both return."""
    Lt, Le = _env(torch), _env(ember)
    try:
        t = call(Lt)
    except Exception as exc:
        with pytest.raises(type(exc)):
            call(Le)
        return None
    return call(Le), t


VARIANT_OPS = sorted(n for n in ALL if n not in EXCLUDED and n not in NOT_TESTED_HERE
                     and _inplace_of(n) is None)


@pytest.mark.parametrize("name", VARIANT_OPS)
def test_variants_agree_with_torch(name):
    f = REGISTRY.get(name, METHODS.get(name))
    has_fn = name in REGISTRY and name not in NO_TORCH_FN
    ref_args = _args(name, _env(torch))
    if has_fn:
        pairs = [_call_both(name, lambda L: _function(L.lib, name)(*_args(name, L)[0],
                                                                      **_args(name, L)[1]))]
    else:
        pairs = []
    if name in METHODS:
        assert hasattr(torch.Tensor, name), f"torch.Tensor has no method {name}"
        pairs.append(_call_both(name, lambda L: getattr(_args(name, L)[0][0], name)(
            *_args(name, L)[0][1:], **_args(name, L)[1])))
    elif hasattr(torch.Tensor, name) and not callable(getattr(torch.Tensor, name)):
        # a property in torch (Tensor.real, Tensor.imag)
        pairs.append(_call_both(name, lambda L: getattr(_args(name, L)[0][0], name)))
    elif hasattr(torch.Tensor, name) and isinstance(ref_args[0][0], torch.Tensor):
        pytest.fail(f"torch has the method Tensor.{name}; ember does not")
    for d in _dunders(f):
        pairs.append(_call_both(d, lambda L, d=d: getattr(_args(name, L)[0][0], d)(
            *_args(name, L)[0][1:])))
    ip = METHODS.get(name + "_")
    if ip is not None and name + "_" not in EXCLUDED:
        def inplace(L, d=None):
            a, kw = _args(name, L)
            self = a[0].clone()
            out = getattr(self, d or name + "_")(*a[1:], **kw)
            assert out is self, "in-place ops return self"
            return self
        pairs.append(_call_both(name + "_", inplace))
        for d in _dunders(ip):
            pairs.append(_call_both(d, lambda L, d=d: inplace(L, d)))
    assert pairs, f"{name}: nothing to compare"
    for k, p in enumerate(pairs):
        if p is not None:
            _same(p[0], p[1], f"{name} variant {k}")


# ---------------------------------------------------------------- operator syntax

BINARY = [operator.add, operator.sub, operator.mul, operator.truediv, operator.floordiv,
          operator.mod, operator.pow, operator.eq, operator.ne, operator.lt, operator.le,
          operator.gt, operator.ge]
INPLACE = [operator.iadd, operator.isub, operator.imul, operator.itruediv, operator.ifloordiv,
           operator.imod, operator.ipow]
BITS = [operator.and_, operator.or_, operator.xor, operator.lshift, operator.rshift]
IBITS = [operator.iand, operator.ior, operator.ixor, operator.ilshift, operator.irshift]


def _pair(lib, key):
    return lib.tensor(_DATA[key])


@pytest.mark.parametrize("fn", BINARY + BITS, ids=lambda f: f.__name__)
def test_operators_with_tensors_and_scalars(fn):
    a, b, s = ("j", "i", 3) if fn in BITS else ("x", "y", 1.5)
    for case in (lambda L, fn=fn: fn(_pair(L, a), _pair(L, b)),
                 lambda L, fn=fn: fn(_pair(L, a), s),
                 lambda L, fn=fn: fn(s, _pair(L, a)),
                 lambda L, fn=fn: fn(_pair(L, a), _pair(L, b)[0, 0])):
        e, t = case(ember), case(torch)
        _same(e, t, fn.__name__)


@pytest.mark.parametrize("fn", INPLACE + IBITS, ids=lambda f: f.__name__)
def test_inplace_operators(fn):
    a, b, s = ("j", "i", 2) if fn in IBITS else ("x", "y", 1.5)
    for other in (lambda L: _pair(L, b), lambda L: s, lambda L: _pair(L, b)[1]):
        res = []
        for lib in (ember, torch):
            t = _pair(lib, a)
            r = fn(t, other(lib))
            assert r is t
            res.append(r)
        _same(res[0], res[1], fn.__name__)


@pytest.mark.parametrize("fn", [operator.neg, operator.pos, abs, operator.invert],
                         ids=lambda f: f.__name__)
def test_unary_operators(fn):
    key = "i" if fn is operator.invert else "x"
    _same(fn(_pair(ember, key)), fn(_pair(torch, key)), fn.__name__)
    if fn is operator.invert:
        _same(fn(ember.tensor(_DATA["m"])), fn(torch.tensor(_DATA["m"])), "~bool")


def test_matmul_operator():
    for a, b in (("x", "v"), ("v", "v")):
        x = [(lib.tensor(_DATA[a]), lib.tensor(_DATA[b])) for lib in (ember, torch)]
        _same(x[0][0] @ x[0][1], x[1][0] @ x[1][1], "@")
    e, t = ember.tensor(_DATA["sq"]), torch.tensor(_DATA["sq"])
    e2, t2 = e.clone(), t.clone()
    e2 @= e
    t2 @= t
    _same(e2, t2, "@=")
