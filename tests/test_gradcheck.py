"""The op table in float64 against central differences (an oracle independent of torch)."""

import numpy as np
import pytest
from op_db import OP_DB
from opinfo import make_inputs

import ember

CASES = [(info, i) for info in OP_DB if info.grad and info.gradcheck and "float64" in info.dtypes
         for i in range(len(info.shapes))]


@pytest.mark.parametrize("info,idx", CASES, ids=lambda v: str(v))
def test_gradcheck(info, idx):
    arrs = make_inputs(info, info.shapes[idx], "float64", seed=idx)
    ins = [ember.tensor(a, requires_grad=a.dtype.kind == "f") if isinstance(a, np.ndarray) else a
           for a in arrs]
    assert ember.autograd.gradcheck(lambda *xs: info.fn(ember, *xs), tuple(ins), eps=1e-6,
                                    atol=1e-5, rtol=1e-3)
