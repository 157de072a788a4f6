"""out= on registry ops, and small indexing forms, against torch."""

import warnings

import numpy as np
import pytest
import torch

import ember

CASES = [
    ("matmul", lambda lib, o: lib.matmul(lib.ones(2, 3), lib.ones(3, 4), out=o), (2, 4)),
    ("add", lambda lib, o: lib.add(lib.arange(3.0), 1, out=o), (3,)),
    ("mul", lambda lib, o: lib.mul(lib.arange(3.0), lib.arange(3.0), out=o), (3,)),
    ("exp", lambda lib, o: lib.exp(lib.arange(3.0), out=o), (3,)),
    ("sum", lambda lib, o: lib.sum(lib.ones(2, 3), 1, out=o), (2,)),
    ("cat", lambda lib, o: lib.cat([lib.ones(2), lib.zeros(1)], out=o), (3,)),
    ("rand", lambda lib, o: (lib.manual_seed(0), lib.rand(3, out=o))[1], (3,)),
]


@pytest.mark.parametrize("name,f,shape", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("start", ["same", "empty"])
def test_out_matches_torch(name, f, shape, start):
    outs = []
    for lib in (torch, ember):
        o = lib.zeros(shape) if start == "same" else lib.empty(0)
        r = f(lib, o)
        assert r is o
        outs.append(np.asarray(o))
    np.testing.assert_allclose(outs[1], outs[0], rtol=1e-6)


def test_out_errors_and_resize_warning():
    for lib in (torch, ember):
        with pytest.raises(RuntimeError, match="can't be cast to the desired output type Long"):
            lib.mul(lib.ones(2), 2.5, out=lib.empty(2, dtype=lib.int64))
        with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
            lib.mul(lib.ones(2, requires_grad=True), 2.0, out=lib.empty(2))
        o = lib.zeros(5)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            lib.add(lib.ones(2), 1, out=o)
        assert tuple(o.shape) == (2,) and any("was resized" in str(x.message) for x in w)


def test_index_with_python_range():
    for lib in (torch, ember):
        x = lib.arange(12.0).reshape(3, 4)
        t = lib.tensor([1, 0, 3])
        assert x[range(3), t].tolist() == [1.0, 4.0, 11.0]
        assert x[range(1, 3)].tolist() == [[4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0]]


def test_namespaces_name_missing_apis_and_export_dataparallel():
    assert ember.nn.DataParallel is ember.nn.parallel.DataParallel
    assert ember.cuda.amp.GradScaler is ember.amp.GradScaler
    for mod, name, full in ((ember.nn.functional, "gumbel_softmax_x", "torch.nn.functional"),
                            (ember.optim, "SparseAdamX", "torch.optim"),
                            (ember.nn, "LazyLinearX", "torch.nn")):
        with pytest.raises(NotImplementedError, match=f"{full}.{name} is not implemented"):
            getattr(mod, name)
        assert not hasattr(mod, name)


def test_bfloat16_scalar_loss_backward():
    """A 0-dim bfloat16 result stays an array (round_bf16 on 0-dim input), so backward runs."""
    res = []
    for lib in (torch, ember):
        lib.manual_seed(0)
        x = lib.randn(4, dtype=lib.bfloat16, requires_grad=True)
        y = lib.randn(4, dtype=lib.bfloat16)
        loss = lib.nn.functional.mse_loss(x, y)
        loss.backward()
        res.append((loss.float().item(), x.grad.float().tolist()))
    assert res[0] == res[1]
