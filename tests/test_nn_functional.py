"""nn.functional side by side with torch: values, gradients (random cotangent), gradcheck."""

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import ember
import ember.nn.functional as EF


class NG:
    """An input array that gets no requires_grad (e.g. class weights)."""

    def __init__(self, a):
        self.a = a


def _libs(arrs, grad=True):
    tt, et = [], []
    for a in arrs:
        if isinstance(a, NG):
            tt.append(torch.tensor(a.a))
            et.append(ember.tensor(a.a))
        elif isinstance(a, np.ndarray):
            rg = grad and a.dtype.kind == "f"
            tt.append(torch.tensor(a, requires_grad=rg))
            et.append(ember.tensor(a, requires_grad=rg))
        else:
            tt.append(a)
            et.append(a)
    return tt, et


def check(fn, arrs, atol=1e-5, rtol=1e-5, grad=True, seed=1):
    """fn(F, lib, *tensors) on torch and ember: same outputs and same input gradients."""
    tt, et = _libs(arrs, grad)
    tout = fn(TF, torch, *tt)
    eout = fn(EF, ember, *et)
    touts = tout if isinstance(tout, tuple) else (tout,)
    eouts = eout if isinstance(eout, tuple) else (eout,)
    for t, e in zip(touts, eouts):
        assert tuple(e.shape) == tuple(t.shape)
        assert e.dtype.name == str(t.dtype).replace("torch.", "")
        np.testing.assert_allclose(np.asarray(e.detach()), t.detach().numpy(), atol=atol,
                                   rtol=rtol)
    if not grad:
        return
    t0, e0 = touts[0], eouts[0]
    if not t0.requires_grad:
        return
    cot = np.random.default_rng(seed).standard_normal(tuple(t0.shape)).astype(
        str(t0.dtype).replace("torch.", ""))
    t0.backward(torch.tensor(cot))
    e0.backward(ember.tensor(cot))
    for t, e in zip(tt, et):
        if isinstance(t, torch.Tensor) and t.requires_grad:
            if t.grad is None:
                assert e.grad is None or not np.any(np.asarray(e.grad))
                continue
            np.testing.assert_allclose(np.asarray(e.grad), t.grad.numpy(), atol=atol * 10,
                                       rtol=rtol * 10)


def rnd(*shape, lo=-2.0, hi=2.0, seed=0, dtype="float32"):
    return np.random.default_rng(seed).uniform(lo, hi, size=shape).astype(dtype)


def ints(*shape, high=3, seed=0):
    return np.random.default_rng(seed).integers(0, high, size=shape).astype(np.int64)


ACTIVATIONS = [
    ("relu", lambda F, L, x: F.relu(x)),
    ("relu6", lambda F, L, x: F.relu6(x * 4)),
    ("leaky_relu", lambda F, L, x: F.leaky_relu(x, 0.2)),
    ("elu", lambda F, L, x: F.elu(x, alpha=0.7)),
    ("selu", lambda F, L, x: F.selu(x)),
    ("celu", lambda F, L, x: F.celu(x, alpha=1.3)),
    ("gelu", lambda F, L, x: F.gelu(x)),
    ("gelu_tanh", lambda F, L, x: F.gelu(x, approximate="tanh")),
    ("silu", lambda F, L, x: F.silu(x)),
    ("mish", lambda F, L, x: F.mish(x)),
    ("sigmoid", lambda F, L, x: F.sigmoid(x)),
    ("tanh", lambda F, L, x: F.tanh(x)),
    ("hardtanh", lambda F, L, x: F.hardtanh(x, -0.5, 1.5)),
    ("hardsigmoid", lambda F, L, x: F.hardsigmoid(x * 3)),
    ("hardswish", lambda F, L, x: F.hardswish(x * 3)),
    ("softplus", lambda F, L, x: F.softplus(x, beta=2.0, threshold=3.0)),
    ("softsign", lambda F, L, x: F.softsign(x)),
    ("threshold", lambda F, L, x: F.threshold(x, 0.3, -2.0)),
    ("glu", lambda F, L, x: F.glu(x, 0)),
    ("logsigmoid", lambda F, L, x: F.logsigmoid(x * 10)),
    ("tanhshrink", lambda F, L, x: F.tanhshrink(x)),
    ("softshrink", lambda F, L, x: F.softshrink(x, 0.6)),
    ("hardshrink", lambda F, L, x: F.hardshrink(x, 0.6)),
    ("softmax", lambda F, L, x: F.softmax(x, dim=1)),
    ("log_softmax", lambda F, L, x: F.log_softmax(x, dim=-1)),
    ("softmin", lambda F, L, x: F.softmin(x, dim=0)),
]


@pytest.mark.parametrize("name,fn", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activation(name, fn):
    check(fn, [rnd(4, 6)])


def test_prelu():
    check(lambda F, L, x, w: F.prelu(x, w), [rnd(2, 3, 4), rnd(3, seed=1)])
    check(lambda F, L, x, w: F.prelu(x, w), [rnd(2, 3, 4), rnd(1, seed=1)])


def test_inplace_activations():
    for fn in (lambda F, L, x: F.relu(x * 1, inplace=True),
               lambda F, L, x: F.leaky_relu(x * 1, 0.1, inplace=True),
               lambda F, L, x: F.hardtanh(x * 1, inplace=True),
               lambda F, L, x: F.elu(x * 1, inplace=True)):
        check(fn, [rnd(3, 4)])


def test_softmax_implicit_dim_warns():
    x = rnd(2, 3)
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        e = EF.softmax(ember.tensor(x))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = TF.softmax(torch.tensor(x))
        t3 = TF.log_softmax(torch.tensor(rnd(2, 3, 4)))
        e3 = EF.log_softmax(ember.tensor(rnd(2, 3, 4)))
    np.testing.assert_allclose(np.asarray(e), t.numpy(), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(e3), t3.numpy(), rtol=1e-6, atol=1e-6)


LOSSES = [
    ("mse", lambda F, L, x, y: F.mse_loss(x, y), [(3, 4), (3, 4)]),
    ("mse_none", lambda F, L, x, y: F.mse_loss(x, y, reduction="none"), [(3, 4), (3, 4)]),
    ("mse_sum", lambda F, L, x, y: F.mse_loss(x, y, reduction="sum"), [(3, 4), (3, 4)]),
    ("l1", lambda F, L, x, y: F.l1_loss(x, y), [(3, 4), (3, 4)]),
    ("l1_none", lambda F, L, x, y: F.l1_loss(x, y, reduction="none"), [(3, 4), (3, 4)]),
    ("smooth_l1", lambda F, L, x, y: F.smooth_l1_loss(x, y, beta=0.5), [(3, 4), (3, 4)]),
    ("smooth_l1_sum", lambda F, L, x, y: F.smooth_l1_loss(x, y, reduction="sum"),
     [(3, 4), (3, 4)]),
    ("huber", lambda F, L, x, y: F.huber_loss(x, y, delta=0.7), [(3, 4), (3, 4)]),
    ("kl_div", lambda F, L, x, y: F.kl_div(F.log_softmax(x, 1), F.softmax(y, 1),
                                           reduction="batchmean"), [(3, 4), (3, 4)]),
    ("kl_div_log", lambda F, L, x, y: F.kl_div(F.log_softmax(x, 1), F.log_softmax(y, 1),
                                               reduction="sum", log_target=True),
     [(3, 4), (3, 4)]),
    ("bce", lambda F, L, x, y: F.binary_cross_entropy(L.sigmoid(x), L.sigmoid(y)),
     [(3, 4), (3, 4)]),
    ("bce_none", lambda F, L, x, y: F.binary_cross_entropy(L.sigmoid(x), L.sigmoid(y),
                                                           reduction="none"), [(3, 4), (3, 4)]),
    ("bce_logits", lambda F, L, x, y: F.binary_cross_entropy_with_logits(x * 3, L.sigmoid(y)),
     [(3, 4), (3, 4)]),
    ("bce_logits_pw", lambda F, L, x, y, w, pw: F.binary_cross_entropy_with_logits(
        x, L.sigmoid(y), w.detach(), pos_weight=pw.detach(), reduction="sum"), [(3, 4), (3, 4), (4,), (4,)]),
    ("soft_margin", lambda F, L, x, y: F.soft_margin_loss(x, L.sign(y).detach()), [(3, 4), (3, 4)]),
]


@pytest.mark.parametrize("name,fn,shapes", LOSSES, ids=[a[0] for a in LOSSES])
def test_loss(name, fn, shapes):
    check(fn, [rnd(*s, seed=i) for i, s in enumerate(shapes)])


def _ce_cases():
    return [
        ("ce", lambda F, L, x, t: F.cross_entropy(x, t), [rnd(4, 5), ints(4, high=5)]),
        ("ce_sum", lambda F, L, x, t: F.cross_entropy(x, t, reduction="sum"),
         [rnd(4, 5), ints(4, high=5)]),
        ("ce_none", lambda F, L, x, t: F.cross_entropy(x, t, reduction="none"),
         [rnd(4, 5), ints(4, high=5)]),
        ("ce_unbatched", lambda F, L, x, t: F.cross_entropy(x, t), [rnd(5), np.array(3)]),
        ("ce_nd", lambda F, L, x, t: F.cross_entropy(x, t), [rnd(2, 3, 4, 2), ints(2, 4, 2)]),
        ("ce_nd_none", lambda F, L, x, t: F.cross_entropy(x, t, reduction="none"),
         [rnd(2, 3, 4), ints(2, 4)]),
        ("ce_weight_ignore", lambda F, L, x, t, w: F.cross_entropy(x, t, w, ignore_index=1),
         [rnd(6, 3), ints(6), NG(rnd(3, lo=0.5, hi=2, seed=2))]),
        ("ce_smooth", lambda F, L, x, t: F.cross_entropy(x, t, label_smoothing=0.2),
         [rnd(4, 5), ints(4, high=5)]),
        ("ce_smooth_w", lambda F, L, x, t, w: F.cross_entropy(
            x, t, w, ignore_index=0, label_smoothing=0.3),
         [rnd(6, 3), ints(6), NG(rnd(3, lo=0.5, hi=2, seed=2))]),
        ("ce_smooth_none", lambda F, L, x, t: F.cross_entropy(
            x, t, label_smoothing=0.1, reduction="none", ignore_index=2),
         [rnd(2, 3, 4), ints(2, 4)]),
        ("ce_probs", lambda F, L, x, p: F.cross_entropy(x, L.softmax(p, 1)),
         [rnd(4, 5), rnd(4, 5, seed=3)]),
        ("ce_probs_smooth_w", lambda F, L, x, p, w: F.cross_entropy(
            x, L.softmax(p, 1), w, label_smoothing=0.2, reduction="sum"),
         [rnd(4, 5), rnd(4, 5, seed=3), NG(rnd(5, lo=0.5, hi=2, seed=2))]),
        ("nll", lambda F, L, x, t: F.nll_loss(F.log_softmax(x, 1), t), [rnd(4, 5), ints(4)]),
        ("nll_w_none", lambda F, L, x, t, w: F.nll_loss(x, t, w, reduction="none"),
         [rnd(4, 3), ints(4), NG(rnd(3, lo=0.5, hi=2))]),
        ("nll_nd_w", lambda F, L, x, t, w: F.nll_loss(x, t, w, ignore_index=0),
         [rnd(2, 3, 2, 2), ints(2, 2, 2), NG(rnd(3, lo=0.5, hi=2))]),
    ]


@pytest.mark.parametrize("case", _ce_cases(), ids=lambda c: c[0])
def test_cross_entropy(case):
    _, fn, arrs = case
    check(fn, arrs)


def test_cross_entropy_three_spellings():
    x, t = rnd(4, 5), ints(4, high=5)
    out = ember.tensor(x)
    label = ember.tensor(t)
    criterion = ember.nn.CrossEntropyLoss()
    a = ember.nn.CrossEntropyLoss()(out, label)
    b = criterion(out, label)
    c = EF.cross_entropy(out, label)
    ref = TF.cross_entropy(torch.tensor(x), torch.tensor(t)).item()
    assert a.item() == b.item() == c.item()
    assert abs(a.item() - ref) < 1e-6


def test_loss_errors():
    x = ember.tensor(rnd(3, 5))
    with pytest.raises(IndexError, match="Target 7 is out of bounds."):
        EF.nll_loss(x, ember.tensor([1, 7, 2]))
    with pytest.raises(RuntimeError, match="expected target dtype to be Long or Byte"):
        EF.nll_loss(x, ember.tensor([1.0, 2.0, 2.0]))
    with pytest.raises(ValueError, match=r"Expected input batch_size \(3\) to match target "):
        EF.nll_loss(x, ember.tensor([1, 2]))
    with pytest.raises(ValueError, match="foo is not a valid value for reduction"):
        EF.mse_loss(x, x, reduction="foo")
    with pytest.warns(UserWarning, match="Using a target size"):
        EF.mse_loss(x, ember.tensor(rnd(5)))
    with pytest.raises(ValueError, match="Using a target size"):
        EF.binary_cross_entropy(ember.rand(3) if hasattr(ember, "rand") else
                                ember.tensor(rnd(3, lo=0, hi=1)), ember.tensor(rnd(3, 1)))
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        EF.binary_cross_entropy(ember.tensor(rnd(3, lo=1, hi=2)), ember.tensor(rnd(3)))
    with pytest.raises(RuntimeError, match="Expected target size"):
        EF.nll_loss(ember.tensor(rnd(3, 4, 2)), ember.tensor([1, 2, 3]))


def test_misc_functional():
    check(lambda F, L, x, w, b: F.linear(x, w, b), [rnd(3, 4), rnd(2, 4), rnd(2)])
    check(lambda F, L, x, w: F.linear(x, w), [rnd(2, 3, 4), rnd(2, 4)])
    check(lambda F, L, x, y, w, b: F.bilinear(x, y, w, b),
          [rnd(3, 2), rnd(3, 4), rnd(5, 2, 4), rnd(5)], atol=1e-5)
    check(lambda F, L, x: F.normalize(x, dim=1), [rnd(3, 4)])
    check(lambda F, L, x: F.normalize(x, p=1, dim=0), [rnd(3, 4)])
    check(lambda F, L, x, y: F.cosine_similarity(x, y), [rnd(3, 4), rnd(3, 4, seed=1)])
    check(lambda F, L, x, y: F.pairwise_distance(x, y), [rnd(3, 4), rnd(3, 4, seed=1)])
    check(lambda F, L, x: F.pad(x, (1, 2)), [rnd(2, 3)])
    check(lambda F, L, x: F.pad(x, (1, 2, 0, 1), value=3.5), [rnd(2, 3, 3)])
    check(lambda F, L, x: F.pad(x, (-1, 2)), [rnd(2, 3)])
    for mode in ("reflect", "replicate", "circular"):
        check(lambda F, L, x, m=mode: F.pad(x, (1, 2, 2, 1), mode=m), [rnd(1, 2, 3, 4)])
    t = np.array([[0, 2], [1, 3]])
    np.testing.assert_array_equal(np.asarray(EF.one_hot(ember.tensor(t))),
                                  TF.one_hot(torch.tensor(t)).numpy())
    assert EF.one_hot(ember.tensor(t), 6).dtype == ember.int64
    with pytest.raises(RuntimeError, match="Class values must be smaller than num_classes."):
        EF.one_hot(ember.tensor(t), 2)
    check(lambda F, L, w, i: F.embedding(i, w), [rnd(5, 3), ints(2, 4, high=5)])
    check(lambda F, L, w, i: F.embedding(i, w, padding_idx=1), [rnd(5, 3), ints(7, high=5)])


CONVS = [
    ("conv2d", lambda F, L, x, w, b: F.conv2d(x, w, b), [(2, 3, 6, 5), (4, 3, 3, 2), (4,)]),
    ("conv2d_stride_pad", lambda F, L, x, w, b: F.conv2d(x, w, b, stride=2, padding=1),
     [(2, 3, 7, 6), (4, 3, 3, 3), (4,)]),
    ("conv2d_dil_groups", lambda F, L, x, w: F.conv2d(x, w, None, 1, (1, 2), (2, 1), groups=2),
     [(1, 4, 7, 7), (6, 2, 3, 3)]),
    ("conv2d_same", lambda F, L, x, w: F.conv2d(x, w, padding="same"),
     [(1, 2, 5, 6), (3, 2, 4, 3)]),
    ("conv2d_valid_unbatched", lambda F, L, x, w: F.conv2d(x, w, padding="valid"),
     [(2, 5, 5), (3, 2, 2, 2)]),
    ("conv1d", lambda F, L, x, w, b: F.conv1d(x, w, b, stride=2, padding=2, dilation=2),
     [(2, 3, 11), (5, 3, 3), (5,)]),
    ("conv3d", lambda F, L, x, w: F.conv3d(x, w, stride=(1, 2, 1), padding=1),
     [(1, 2, 4, 5, 3), (2, 2, 2, 3, 2)]),
    ("conv_transpose2d", lambda F, L, x, w, b: F.conv_transpose2d(
        x, w, b, stride=(2, 1), padding=1, output_padding=(1, 0), groups=2, dilation=(1, 2)),
     [(2, 4, 3, 4), (4, 3, 3, 2), (6,)]),
    ("conv_transpose1d", lambda F, L, x, w: F.conv_transpose1d(x, w, stride=3, padding=2),
     [(2, 3, 5), (3, 2, 4)]),
]


@pytest.mark.parametrize("name,fn,shapes", CONVS, ids=[c[0] for c in CONVS])
def test_conv(name, fn, shapes):
    check(fn, [rnd(*s, seed=i) for i, s in enumerate(shapes)], atol=2e-5)


def test_conv_large_images_in_row_bands():
    # one image's im2col columns over ~1.8 MB run in bands of output rows (conv._conv_rows),
    # also in the backward's full correlation; the band edges must not show
    from ember.nn.functional import conv as C
    shapes = [(2, 16, 128, 64), (16, 8, 3, 3), (16,)]
    for p in (128 * 64, 64 * 62):           # output positions of the two convs below
        assert 16 * 9 * p * 4 > 1.5 * C._ROW_CHUNK_BYTES
    check(lambda F, L, x, w, b: F.conv2d(x, w, b, padding=1, groups=2),
          [rnd(*s, seed=i) for i, s in enumerate(shapes)], atol=1e-4, rtol=1e-4)
    check(lambda F, L, x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=(2, 0),
                                         dilation=(2, 1), groups=2),
          [rnd(*s, seed=i) for i, s in enumerate(shapes)], atol=1e-4, rtol=1e-4)


POOLS = [
    ("max2d", lambda F, L, x: F.max_pool2d(x, 2)),
    ("max2d_ceil", lambda F, L, x: F.max_pool2d(x, 2, 2, 0, ceil_mode=True)),
    ("max2d_pad_dil", lambda F, L, x: F.max_pool2d(x, 3, 2, 1, dilation=2)),
    ("max2d_idx", lambda F, L, x: F.max_pool2d(x, (2, 3), (1, 2), 1, return_indices=True)),
    ("max1d", lambda F, L, x: F.max_pool1d(x.flatten(2), 3, 2, 1, ceil_mode=True)),
    ("avg2d", lambda F, L, x: F.avg_pool2d(x, 2)),
    ("avg2d_pad", lambda F, L, x: F.avg_pool2d(x, 3, 2, 1)),
    ("avg2d_pad_nocount", lambda F, L, x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False)),
    ("avg2d_ceil", lambda F, L, x: F.avg_pool2d(x, 2, 2, 1, ceil_mode=True)),
    ("avg2d_ceil_nocount", lambda F, L, x: F.avg_pool2d(x, 3, 2, 1, True, False)),
    ("avg2d_divisor", lambda F, L, x: F.avg_pool2d(x, 2, divisor_override=3)),
    ("avg1d", lambda F, L, x: F.avg_pool1d(x.flatten(2), 4, 3, 2, ceil_mode=True)),
    ("adaptive_avg2d", lambda F, L, x: F.adaptive_avg_pool2d(x, (3, 2))),
    ("adaptive_avg2d_none", lambda F, L, x: F.adaptive_avg_pool2d(x, (None, 4))),
    ("adaptive_avg1d", lambda F, L, x: F.adaptive_avg_pool1d(x.flatten(2), 7)),
    ("adaptive_max2d", lambda F, L, x: F.adaptive_max_pool2d(x, (4, 3), True)),
    ("adaptive_max1d", lambda F, L, x: F.adaptive_max_pool1d(x.flatten(2), 4)),
]


@pytest.mark.parametrize("name,fn", POOLS, ids=[p[0] for p in POOLS])
def test_pool(name, fn):
    check(fn, [rnd(2, 3, 7, 5)])


def test_seed_maxpool_example():
    x = [[-2, 1, 2, 6, 4], [-3, 1, 7, 2, -2], [-4, 2, 3, -1, -3], [-7, 1, 2, 3, 11],
         [5, -7, 8, 12, -9]]
    for ceil, expect in ((False, "[[[1., 7.], [2., 3.]]]"),
                         (True, "[[[ 1., 7., 4.], [ 2., 3., 11.], [ 5., 12., -9.]]]")):
        e = ember.nn.MaxPool2d(kernel_size=2, stride=2, padding=0, ceil_mode=ceil)(
            ember.tensor(x).float().unsqueeze(0))
        t = torch.nn.MaxPool2d(2, 2, 0, ceil_mode=ceil)(torch.tensor(x).float().unsqueeze(0))
        np.testing.assert_array_equal(np.asarray(e), t.numpy())
        np.testing.assert_array_equal(np.asarray(e), np.array(eval(expect)))


def test_norm_functional():
    check(lambda F, L, x, w, b: F.layer_norm(x, (4,), w, b), [rnd(3, 4), rnd(4), rnd(4)])
    check(lambda F, L, x: F.layer_norm(x, (2, 4)), [rnd(3, 2, 4)])
    check(lambda F, L, x, w, b: F.group_norm(x, 2, w, b), [rnd(2, 4, 3), rnd(4), rnd(4)])
    check(lambda F, L, x, w, b: F.batch_norm(x, None, None, w, b, training=True),
          [rnd(4, 3, 2), rnd(3), rnd(3)])
    rm, rv = rnd(3, seed=5), rnd(3, lo=0.5, hi=2, seed=6)
    check(lambda F, L, x, w, b: F.batch_norm(x, L.tensor(rm), L.tensor(rv), w, b),
          [rnd(4, 3), rnd(3), rnd(3)])


GRADCHECK = [
    ("elu", lambda x: EF.elu(x)), ("gelu", lambda x: EF.gelu(x)),
    ("gelu_tanh", lambda x: EF.gelu(x, approximate="tanh")), ("silu", lambda x: EF.silu(x)),
    ("mish", lambda x: EF.mish(x)), ("softplus", lambda x: EF.softplus(x, 2.0, 2.0)),
    ("logsigmoid", lambda x: EF.logsigmoid(x)), ("glu", lambda x: EF.glu(x, -1)),
    ("mse", lambda x: EF.mse_loss(x, ember.tensor(rnd(3, 4, dtype="float64", seed=9)))),
    ("huber", lambda x: EF.huber_loss(x, ember.tensor(rnd(3, 4, dtype="float64", seed=9)),
                                      delta=0.4)),
    ("bce_logits", lambda x: EF.binary_cross_entropy_with_logits(
        x, ember.tensor(rnd(3, 4, lo=0, hi=1, dtype="float64", seed=9)))),
    ("ce", lambda x: EF.cross_entropy(x, ember.tensor([1, 0, 3]), label_smoothing=0.1)),
    ("conv2d", lambda x: EF.conv2d(x.reshape(1, 2, 3, 2), x.reshape(3, 2, 2, 1),
                                   ember.tensor([0.1, -0.2, 0.3], dtype=ember.float64),
                                   stride=(2, 1), padding=1, dilation=(1, 2))),
    ("max_pool2d", lambda x: EF.max_pool2d(x.reshape(1, 3, 4), 2, 1, 1)),
    ("avg_pool2d", lambda x: EF.avg_pool2d(x.reshape(1, 3, 4), 2, 1, 1, True, False)),
    ("adaptive_avg", lambda x: EF.adaptive_avg_pool2d(x.reshape(1, 3, 4), (2, 3))),
    ("layer_norm", lambda x: EF.layer_norm(x, (4,))),
    ("group_norm", lambda x: EF.group_norm(x.reshape(1, 4, 3), 2)),
    ("batch_norm", lambda x: EF.batch_norm(x, None, None, training=True)),
]


@pytest.mark.parametrize("name,fn", GRADCHECK, ids=[g[0] for g in GRADCHECK])
def test_gradcheck(name, fn):
    x = ember.tensor(rnd(3, 4, dtype="float64", seed=3), requires_grad=True)
    assert ember.autograd.gradcheck(fn, (x,))


DOUBLE = ["elu", "selu", "celu", "gelu", "gelu_tanh", "silu", "mish", "softplus", "logsigmoid",
          "hardswish"]


@pytest.mark.parametrize("name", DOUBLE)
def test_double_backward(name):
    fn = dict(ACTIVATIONS)[name]
    x = rnd(3, 4, dtype="float64", seed=4)
    v = np.random.default_rng(5).standard_normal((3, 4))
    res = []
    for F, L in ((TF, torch), (EF, ember)):
        t = L.tensor(x, requires_grad=True)
        (g,) = L.autograd.grad(fn(F, L, t), t, L.tensor(v), create_graph=True)
        (gg,) = L.autograd.grad((g * L.tensor(v)).sum(), t, allow_unused=True)
        res.append((np.asarray(g.detach()), None if gg is None else np.asarray(gg.detach())))
    np.testing.assert_allclose(res[1][0], res[0][0], rtol=1e-7, atol=1e-12)
    if res[0][1] is None:
        assert res[1][1] is None or not np.any(res[1][1])
    else:
        np.testing.assert_allclose(res[1][1], res[0][1], rtol=1e-6, atol=1e-10)


def test_gradient_penalty_through_mlp():
    """create_graph through linear + leaky_relu + gelu: the penalty's parameter gradients."""
    x = rnd(4, 3, dtype="float64", seed=6)
    w1, w2 = rnd(5, 3, dtype="float64", seed=7), rnd(1, 5, dtype="float64", seed=8)
    grads = []
    for F, L in ((TF, torch), (EF, ember)):
        a, b = L.tensor(w1, requires_grad=True), L.tensor(w2, requires_grad=True)
        xi = L.tensor(x, requires_grad=True)
        out = F.linear(F.gelu(F.leaky_relu(F.linear(xi, a), 0.2)), b).sum()
        (g,) = L.autograd.grad(out, xi, create_graph=True)
        ((g * g).sum(dim=1) - 1).pow(2).mean().backward()
        grads.append((np.asarray(a.grad), np.asarray(b.grad)))
    for e, t in zip(grads[1], grads[0]):
        np.testing.assert_allclose(e, t, rtol=1e-8, atol=1e-10)


def test_conv_double_backward():
    """Second derivatives through conv2d / conv_transpose2d (both inputs) equal torch's."""
    x = rnd(2, 4, 5, 4, dtype="float64", seed=1)
    w = rnd(6, 2, 3, 2, dtype="float64", seed=2)
    v = np.random.default_rng(3).standard_normal((2, 6, 3, 4))
    u = [np.random.default_rng(4).standard_normal(s) for s in (x.shape, w.shape)]
    res = []
    for F, L in ((TF, torch), (EF, ember)):
        xt, wt = L.tensor(x, requires_grad=True), L.tensor(w, requires_grad=True)
        out = F.conv2d(xt, wt, None, (2, 1), 1, (1, 2), groups=2)
        gx, gw = L.autograd.grad(out, (xt, wt), L.tensor(v), create_graph=True)
        s = (gx * L.tensor(u[0])).sum() + (gw * L.tensor(u[1])).sum()
        s = s + F.conv_transpose2d(out, wt, None, (2, 1), 1, 0, 2, (1, 2)).pow(2).sum()
        hx, hw = L.autograd.grad(s, (xt, wt))
        res.append([np.asarray(a.detach()) for a in (gx, gw, hx, hw)])
    for e, t in zip(res[1], res[0]):
        np.testing.assert_allclose(e, t, rtol=1e-9, atol=1e-9)


DOUBLE_MULTI = [
    ("unfold_fold", lambda F, L, x, w: F.fold(F.unfold(x.reshape(1, 2, 4, 5) * w.sum(), 2,
                                                       padding=1) ** 2, (4, 5), 2, padding=1)),
    ("interpolate", lambda F, L, x, w: F.interpolate(x * w.sum(), scale_factor=1.5,
                                                     mode="linear")),
    ("max_pool2d", lambda F, L, x, w: F.max_pool2d(x * w.sum(), 2, 1, 1)),
    ("avg_pool2d", lambda F, L, x, w: F.avg_pool2d(x * w.sum(), 3, 2, 1, True, False)),
    ("adaptive_avg", lambda F, L, x, w: F.adaptive_avg_pool2d(x * w.sum(), (2, 3))),
    ("adaptive_max", lambda F, L, x, w: F.adaptive_max_pool2d(x * w.sum(), (3, 2))),
    ("layer_norm", lambda F, L, x, w: F.layer_norm(x, (5,), w, w * 0.5)),
    ("group_norm", lambda F, L, x, w: F.group_norm(x.reshape(2, 4, 5), 2, w[:4], w[1:])),
    ("batch_norm", lambda F, L, x, w: F.batch_norm(x.reshape(4, 5, 2), None, None, w, w * 2,
                                                  training=True)),
    ("batch_norm_eval", lambda F, L, x, w: F.batch_norm(
        x.reshape(4, 5, 2), L.arange(5.0, dtype=L.float64) * 0.1,
        L.arange(5.0, dtype=L.float64) + 1, w, None)),
]


@pytest.mark.parametrize("name,fn", DOUBLE_MULTI, ids=[d[0] for d in DOUBLE_MULTI])
def test_double_backward_pool_norm(name, fn):
    x = rnd(2, 4, 5, dtype="float64", seed=1)
    w = rnd(5, dtype="float64", seed=2)
    res = []
    for F, L in ((TF, torch), (EF, ember)):
        xt, wt = L.tensor(x, requires_grad=True), L.tensor(w, requires_grad=True)
        out = fn(F, L, xt, wt)
        v = L.tensor(np.random.default_rng(3).standard_normal(tuple(out.shape)))
        gx, gw = L.autograd.grad(out, (xt, wt), v, create_graph=True)
        s = (gx * gx).sum() + (gw * gw).sum()
        hx, hw = L.autograd.grad(s, (xt, wt))
        res.append([np.asarray(a.detach()) for a in (gx, gw, hx, hw)])
    for e, t in zip(res[1], res[0]):
        np.testing.assert_allclose(e, t, rtol=1e-8, atol=1e-9)


INTERP = [
    ("nearest_up", lambda F, L, x: F.interpolate(x, scale_factor=2)),
    ("nearest_size", lambda F, L, x: F.interpolate(x, size=(4, 9))),
    ("nearest_frac", lambda F, L, x: F.interpolate(x, scale_factor=1.7)),
    ("nearest_exact", lambda F, L, x: F.interpolate(x, size=(7, 3), mode="nearest-exact")),
    ("bilinear", lambda F, L, x: F.interpolate(x, scale_factor=2, mode="bilinear")),
    ("bilinear_ac", lambda F, L, x: F.interpolate(x, size=(8, 5), mode="bilinear",
                                                  align_corners=True)),
    ("bilinear_down", lambda F, L, x: F.interpolate(x, size=(2, 3), mode="bilinear")),
    ("bilinear_sf_recompute", lambda F, L, x: F.interpolate(
        x, scale_factor=1.3, mode="bilinear", recompute_scale_factor=True)),
    ("linear", lambda F, L, x: F.interpolate(x.flatten(2), scale_factor=1.5, mode="linear")),
    ("bicubic", lambda F, L, x: F.interpolate(x, size=(7, 8), mode="bicubic")),
    ("bicubic_ac_down", lambda F, L, x: F.interpolate(x, size=(2, 3), mode="bicubic",
                                                      align_corners=True)),
    ("bicubic_sf", lambda F, L, x: F.interpolate(x, scale_factor=2.5, mode="bicubic")),
    ("area", lambda F, L, x: F.interpolate(x, size=(2, 3), mode="area")),
    ("trilinear", lambda F, L, x: F.interpolate(x.unsqueeze(2), size=(2, 5, 7),
                                                mode="trilinear", align_corners=False)),
]


@pytest.mark.parametrize("name,fn", INTERP, ids=[i[0] for i in INTERP])
def test_interpolate(name, fn):
    check(fn, [rnd(2, 3, 3, 5)])


def test_interpolate_errors_and_modules():
    x = ember.tensor(rnd(1, 1, 3, 4))
    with pytest.raises(ValueError, match="only one of size or scale_factor should be defined"):
        EF.interpolate(x, size=3, scale_factor=2)
    with pytest.raises(ValueError, match="align_corners option can only be set"):
        EF.interpolate(x, size=3, align_corners=True)
    for args in ((None, 2), ((3, 4), None, "bilinear", True)):
        assert repr(ember.nn.Upsample(*args)) == repr(torch.nn.Upsample(*args))
    assert repr(ember.nn.UpsamplingBilinear2d(scale_factor=2)) == \
        repr(torch.nn.UpsamplingBilinear2d(scale_factor=2))


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
def test_affine_grid_and_grid_sample(mode, padding_mode, align_corners):
    x = rnd(2, 3, 5, 6)
    theta = np.array([[[0.9, 0.2, 0.1], [-0.3, 1.1, -0.2]],
                      [[1.3, 0.0, 0.4], [0.1, 0.7, 0.5]]], "float32")

    def fn(F, L, x, th):
        grid = F.affine_grid(th, (2, 3, 4, 7), align_corners=align_corners)
        return F.grid_sample(x, grid, mode=mode, padding_mode=padding_mode,
                             align_corners=align_corners)
    check(fn, [x, theta], atol=2e-5)
