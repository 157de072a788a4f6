"""The op table's record type and the differential-test helpers shared by the op tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

import ember

FLOATS = ("float32", "float64")


@dataclass
class OpInfo:
    """One op-table entry: `fn(lib, *tensors)` runs unchanged on torch and on ember.

    shapes: one tuple of input shapes per sample (broadcasting cases included);
    domain: (low, high) for the uniform inputs; dtypes: dtype names tested;
    grad: whether gradients are compared (float inputs get requires_grad);
    gradcheck: whether the float64 numerical gradcheck runs; int_inputs: positions of integer
    inputs (drawn in [0, int_high)); make: optional custom input maker rng -> list of arrays;
    ops: the registered ops (ember.ops._registry REGISTRY/METHODS names) that fn exercises
    besides `name` itself -- test_registry checks each is really called and that every
    registered op is named by some entry.
    """

    name: str
    fn: Callable
    shapes: list = field(default_factory=lambda: [((3, 4),)])
    domain: tuple = (-2.0, 2.0)
    dtypes: tuple = FLOATS
    grad: bool = True
    gradcheck: bool = True
    gradgrad: bool = True
    atol: float = 1e-5
    rtol: float = 1.3e-6
    int_inputs: tuple = ()
    int_high: int = 3
    make: Callable | None = None
    extra: Any = None
    ops: tuple = ()

    def __repr__(self) -> str:
        return self.name


def make_inputs(info: OpInfo, shapes, dtype: str, seed: int = 0):
    rng = np.random.default_rng(seed)
    if info.make is not None:
        return info.make(rng, shapes, dtype)
    lo, hi = info.domain
    arrs = []
    for i, s in enumerate(shapes):
        if i in info.int_inputs:
            arrs.append(rng.integers(0, info.int_high, size=s).astype(np.int64))
        else:
            arrs.append(rng.uniform(lo, hi, size=s).astype(dtype))
    return arrs


def to_libs(arrs, requires_grad: bool):
    """The same inputs as torch and ember tensors (floating ones requiring grad)."""
    tt, et = [], []
    for a in arrs:
        if not isinstance(a, np.ndarray):
            tt.append(a)
            et.append(a)
            continue
        rg = requires_grad and a.dtype.kind == "f"
        tt.append(torch.tensor(a, requires_grad=rg))
        et.append(ember.tensor(a, requires_grad=rg))
    return tt, et


def flat_outputs(out):
    if isinstance(out, (tuple, list)):
        res = []
        for o in out:
            res.extend(flat_outputs(o))
        return res
    return [out]


def assert_same(e, t, atol=1e-5, rtol=1.3e-6, what="output"):
    """Shape, dtype and values of an ember result equal torch's."""
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), f"{what}: expected a Tensor, got {type(e)}"
        assert tuple(e.shape) == tuple(t.shape), \
            f"{what}: shape {tuple(e.shape)} != {tuple(t.shape)}"
        assert e.dtype.name == str(t.dtype).replace("torch.", ""), \
            f"{what}: dtype {e.dtype} != {t.dtype}"
        ea = np.asarray(e.detach().to(ember.float32) if e.dtype.name == "bfloat16" else e.detach())
        ta = (t.detach().float() if t.dtype == torch.bfloat16 else t.detach()).resolve_conj()
        ta = ta.numpy()
        if ta.dtype.kind in "fc":
            np.testing.assert_allclose(ea, ta, atol=atol, rtol=rtol, equal_nan=True, err_msg=what)
        else:
            np.testing.assert_array_equal(ea, ta, err_msg=what)
    elif isinstance(t, (int, float, bool)):
        assert type(e) is type(t) and (e == t or (e != e and t != t)), f"{what}: {e!r} != {t!r}"
    else:
        assert e == t, f"{what}: {e!r} != {t!r}"


def random_cotangents(outs, seed=1):
    rng = np.random.default_rng(seed)
    cots = []
    for o in outs:
        if isinstance(o, torch.Tensor) and o.requires_grad:
            cots.append(rng.standard_normal(tuple(o.shape)).astype(
                str(o.dtype).replace("torch.", "")))
        else:
            cots.append(None)
    return cots
