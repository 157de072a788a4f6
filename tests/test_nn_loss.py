"""Loss modules side by side with torch (module form, reductions, weights, buffers)."""

import warnings

import numpy as np
import pytest
import torch

import ember


def rnd(*shape, seed=0, lo=-2.0, hi=2.0):
    return np.random.default_rng(seed).uniform(lo, hi, size=shape).astype(np.float32)


def ints(*shape, high=4, seed=0):
    return np.random.default_rng(seed).integers(0, high, size=shape).astype(np.int64)


def _both(make, x, t, prep=None):
    out = []
    for lib in (torch, ember):
        xi = lib.tensor(x, requires_grad=True)
        ti = lib.tensor(t)
        crit = make(lib)
        inp = prep(lib, xi) if prep else xi
        loss = crit(inp, ti)
        cot = np.random.default_rng(3).standard_normal(tuple(loss.shape)).astype(np.float32)
        loss.backward(lib.tensor(cot))
        out.append((np.asarray(loss.detach()), np.asarray(xi.grad), crit))
    (tl, tg, tc), (el, eg, ec) = out
    np.testing.assert_allclose(el, tl, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(eg, tg, rtol=1e-4, atol=1e-6)
    assert list(ec.state_dict()) == list(tc.state_dict())
    assert repr(ec) == repr(tc)


W3 = rnd(3, seed=9, lo=0.5, hi=2.0)
W4 = rnd(4, seed=9, lo=0.5, hi=2.0)
REDUCTIONS = ["mean", "sum", "none"]


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_regression_losses(reduction):
    x, t = rnd(3, 4), rnd(3, 4, seed=1)
    _both(lambda L: L.nn.MSELoss(reduction=reduction), x, t)
    _both(lambda L: L.nn.L1Loss(reduction=reduction), x, t)
    _both(lambda L: L.nn.SmoothL1Loss(reduction=reduction, beta=0.5), x, t)
    _both(lambda L: L.nn.HuberLoss(reduction=reduction, delta=0.8), x, t)
    _both(lambda L: L.nn.SoftMarginLoss(reduction=reduction), x, np.sign(t))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_classification_losses(reduction):
    x, t = rnd(5, 4), ints(5)
    _both(lambda L: L.nn.CrossEntropyLoss(reduction=reduction), x, t)
    _both(lambda L: L.nn.CrossEntropyLoss(L.tensor(W4), reduction=reduction, ignore_index=2,
                                          label_smoothing=0.15), x, t)
    _both(lambda L: L.nn.NLLLoss(L.tensor(W4), reduction=reduction), x, t,
          prep=lambda L, v: L.nn.functional.log_softmax(v, 1))
    x3, t3 = rnd(2, 3, 4, 5), ints(2, 4, 5, high=3)
    _both(lambda L: L.nn.CrossEntropyLoss(L.tensor(W3), reduction=reduction), x3, t3)
    p = rnd(5, 4, seed=2, lo=0.05, hi=1.0)
    _both(lambda L: L.nn.CrossEntropyLoss(reduction=reduction, label_smoothing=0.1), x,
          p / p.sum(1, keepdims=True))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_losses(reduction):
    x, t = rnd(3, 4), rnd(3, 4, seed=1, lo=0, hi=1)
    _both(lambda L: L.nn.BCELoss(reduction=reduction), x, t, prep=lambda L, v: L.sigmoid(v))
    _both(lambda L: L.nn.BCELoss(L.tensor(W4), reduction=reduction), x, t,
          prep=lambda L, v: L.sigmoid(v))
    _both(lambda L: L.nn.BCEWithLogitsLoss(reduction=reduction), x, t)
    _both(lambda L: L.nn.BCEWithLogitsLoss(L.tensor(W4), reduction=reduction,
                                           pos_weight=L.tensor(W4[::-1].copy())), x, t)


@pytest.mark.parametrize("reduction", ["batchmean", "sum", "none", "mean"])
def test_kl_div(reduction):
    x, t = rnd(3, 4), rnd(3, 4, seed=1)
    p = np.exp(t) / np.exp(t).sum(1, keepdims=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _both(lambda L: L.nn.KLDivLoss(reduction=reduction), x, p,
              prep=lambda L, v: L.log_softmax(v, 1))
        _both(lambda L: L.nn.KLDivLoss(reduction=reduction, log_target=True), x, np.log(p),
              prep=lambda L, v: L.log_softmax(v, 1))
    with pytest.warns(UserWarning, match="reduction: 'mean' divides the total loss"):
        ember.nn.KLDivLoss()(ember.tensor(x), ember.tensor(p))


def test_legacy_size_average_reduce():
    for kw in ({"size_average": False}, {"reduce": False}, {"size_average": True}):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t = torch.nn.MSELoss(**kw)
            e = ember.nn.MSELoss(**kw)
        assert e.reduction == t.reduction
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        ember.nn.L1Loss(size_average=False)


def test_all_ignored_mean_is_nan():
    x, t = rnd(2, 3), np.array([1, 1])
    e = ember.nn.CrossEntropyLoss(ignore_index=1)(ember.tensor(x), ember.tensor(t))
    tt = torch.nn.CrossEntropyLoss(ignore_index=1)(torch.tensor(x), torch.tensor(t))
    assert np.isnan(e.item()) and np.isnan(tt.item())


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_composite_losses(reduction):
    x, y, z = rnd(4, 3), rnd(4, 3, seed=1), rnd(4, 3, seed=2)
    sign = np.where(rnd(4, seed=3) > 0, 1.0, -1.0).astype(np.float32)
    sign43 = np.where(rnd(4, 3, seed=3) > 0, 1.0, -1.0).astype(np.float32)
    cases = [
        (lambda L: L.nn.MarginRankingLoss(0.3, reduction=reduction), (x[:, 0], y[:, 0]),
         sign),
        (lambda L: L.nn.HingeEmbeddingLoss(0.5, reduction=reduction), (x,), sign43),
        (lambda L: L.nn.CosineEmbeddingLoss(0.1, reduction=reduction), (x, y), sign),
        (lambda L: L.nn.TripletMarginLoss(1.0, reduction=reduction), (x, y, z), None),
        (lambda L: L.nn.TripletMarginLoss(0.5, p=1, swap=True, reduction=reduction),
         (x, y, z), None),
        (lambda L: L.nn.PoissonNLLLoss(reduction=reduction), (x,), np.abs(y) * 3),
        (lambda L: L.nn.PoissonNLLLoss(False, True, reduction=reduction), (np.abs(x),),
         np.abs(y) * 3),
        (lambda L: L.nn.GaussianNLLLoss(reduction=reduction, full=True), (x, np.abs(z)), y),
        (lambda L: L.nn.MultiLabelSoftMarginLoss(reduction=reduction), (x,),
         (y > 0).astype(np.float32)),
    ]
    for make, ins, target in cases:
        outs = []
        for lib in (torch, ember):
            ts = [lib.tensor(a, requires_grad=True) for a in ins]
            args = list(ts)
            if make(lib).__class__.__name__ == "GaussianNLLLoss":
                args = [ts[0], lib.tensor(target), ts[1]]
            elif target is not None:
                args.append(lib.tensor(target))
            loss = make(lib)(*args)
            loss.backward(lib.ones_like(loss))
            outs.append([np.asarray(loss.detach())] + [np.asarray(t.grad) for t in ts])
        for e, t in zip(outs[1], outs[0]):
            np.testing.assert_allclose(e, t, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_margin_losses(reduction):
    x = rnd(4, 5)
    t = np.array([1, 0, 4, 2])
    mt = np.array([[3, 0, -1, 1, 1], [1, 2, 4, -1, 0], [-1, 0, 0, 0, 0], [0, 1, 2, 3, 4]])
    w = rnd(5, seed=3, lo=0.5, hi=2)
    cases = [
        (lambda L: L.nn.MultiMarginLoss(reduction=reduction), x, t),
        (lambda L: L.nn.MultiMarginLoss(p=2, margin=0.5, weight=L.tensor(w),
                                        reduction=reduction), x, t),
        (lambda L: L.nn.MultiLabelMarginLoss(reduction=reduction), x, mt),
        (lambda L: L.nn.MultiMarginLoss(reduction=reduction), x[0], t[:1].reshape(())),
    ]
    for make, xi, ti in cases:
        outs = []
        for lib in (torch, ember):
            xt = lib.tensor(xi, requires_grad=True)
            loss = make(lib)(xt, lib.tensor(ti))
            loss.backward(lib.ones_like(loss))
            outs.append((np.asarray(loss.detach()), np.asarray(xt.grad)))
        for e, tt in zip(outs[1], outs[0]):
            np.testing.assert_allclose(e, tt, rtol=1e-5, atol=1e-6)
