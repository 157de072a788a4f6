"""Every op-table entry against torch: values, dtypes, shapes and gradients (random cotangent)."""

import numpy as np
import pytest
import torch
from op_db import OP_DB
from opinfo import assert_same, flat_outputs, make_inputs, random_cotangents, to_libs

import ember

CASES = [(info, dt, i) for info in OP_DB for dt in info.dtypes for i in range(len(info.shapes))]


def _run(info, dtype, idx):
    arrs = make_inputs(info, info.shapes[idx], dtype, seed=idx)
    tt, et = to_libs(arrs, info.grad)
    tout = info.fn(torch, *tt)
    eout = info.fn(ember, *et)
    return tt, et, tout, eout


@pytest.mark.parametrize("info,dtype,idx", CASES, ids=lambda v: str(v))
def test_forward_backward(info, dtype, idx):
    tt, et, tout, eout = _run(info, dtype, idx)
    tflat, eflat = flat_outputs(tout), flat_outputs(eout)
    assert len(tflat) == len(eflat)
    for k, (e, t) in enumerate(zip(eflat, tflat)):
        assert_same(e, t, info.atol, info.rtol, what=f"output {k}")
    if not info.grad:
        return
    cots = random_cotangents(tflat)
    pairs = [(t, e, c) for t, e, c in zip(tflat, eflat, cots) if c is not None]
    if not pairs:
        return
    tins = [t for t in tt if isinstance(t, torch.Tensor) and t.requires_grad]
    eins = [e for e in et if isinstance(e, ember.Tensor) and e.requires_grad]
    torch.autograd.backward([p[0] for p in pairs], [torch.tensor(p[2]) for p in pairs])
    ember.autograd.backward([p[1] for p in pairs], [ember.tensor(p[2]) for p in pairs])
    for k, (e, t) in enumerate(zip(eins, tins)):
        if t.grad is None:
            assert e.grad is None or not np.any(np.asarray(e.grad)), f"grad {k} should be None"
            continue
        assert e.grad is not None, f"input {k} got no gradient"
        assert_same(e.grad, t.grad, info.atol * 10, info.rtol * 10, what=f"grad {k}")


GG = [(info, i) for info in OP_DB if info.grad and info.gradgrad and "float64" in info.dtypes
      for i in range(len(info.shapes))]


@pytest.mark.parametrize("info,idx", GG, ids=lambda v: str(v))
def test_double_backward(info, idx):
    """create_graph=True: the gradient of (grad . v) matches torch's second derivative."""
    tt, et, tout, eout = _run(info, "float64", idx)
    tflat, eflat = flat_outputs(tout), flat_outputs(eout)
    cots = random_cotangents(tflat)
    pairs = [(t, e, c) for t, e, c in zip(tflat, eflat, cots) if c is not None]
    tins = [t for t in tt if isinstance(t, torch.Tensor) and t.requires_grad]
    eins = [e for e in et if isinstance(e, ember.Tensor) and e.requires_grad]
    if not pairs or not tins:
        return
    tg = torch.autograd.grad([p[0] for p in pairs], tins, [torch.tensor(p[2]) for p in pairs],
                             create_graph=True, allow_unused=True)
    eg = ember.autograd.grad([p[1] for p in pairs], eins, [ember.tensor(p[2]) for p in pairs],
                             create_graph=True, allow_unused=True)
    rng = np.random.default_rng(7)
    tsum, esum = 0, 0
    for t, e in zip(tg, eg):
        if t is None or not t.requires_grad:
            continue
        v = rng.standard_normal(tuple(t.shape))
        tsum = tsum + (t * torch.tensor(v)).sum()
        esum = esum + (e * ember.tensor(v)).sum()
    if not isinstance(tsum, torch.Tensor):
        return
    tgg = torch.autograd.grad(tsum, tins, allow_unused=True)
    egg = ember.autograd.grad(esum, eins, allow_unused=True)
    for k, (e, t) in enumerate(zip(egg, tgg)):
        if t is None:
            assert e is None or not np.any(np.asarray(e)), f"second grad {k} should be None"
        else:
            assert e is not None, f"second grad {k} missing"
            assert_same(e, t, 1e-7, 1e-7, what=f"second grad {k}")
