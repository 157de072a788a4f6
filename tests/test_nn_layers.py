"""nn layers side by side with torch: init (same seed), forward, input/parameter gradients."""

import numpy as np
import pytest
import torch

import ember


def copy_into(tmod, emod):
    """Copy every parameter and buffer of a torch module into the ember one (via numpy)."""
    tsd = tmod.state_dict(keep_vars=True)
    esd = emod.state_dict(keep_vars=True)
    assert list(tsd) == list(esd)
    for k in tsd:
        esd[k]._array[...] = tsd[k].detach().numpy()


def run_both(tmod, emod, *arrays, cot_seed=1, atol=1e-5, train=True, copy=True):
    """Same inputs through both modules; compare outputs, input and parameter gradients."""
    if copy:
        copy_into(tmod, emod)
    tmod.train(train)
    emod.train(train)
    tin = [torch.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    ein = [ember.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    to, eo = tmod(*tin), emod(*ein)
    np.testing.assert_allclose(np.asarray(eo.detach()), to.detach().numpy(), atol=atol,
                               rtol=1e-5)
    cot = np.random.default_rng(cot_seed).standard_normal(tuple(to.shape)).astype(np.float32)
    to.backward(torch.tensor(cot))
    eo.backward(ember.tensor(cot))
    for t, e in zip(tin, ein):
        if t.requires_grad:
            np.testing.assert_allclose(np.asarray(e.grad), t.grad.numpy(), atol=atol * 10,
                                       rtol=1e-4)
    for (n, tp), (_, ep) in zip(tmod.named_parameters(), emod.named_parameters()):
        if tp.grad is None:
            assert ep.grad is None, n
        else:
            np.testing.assert_allclose(np.asarray(ep.grad), tp.grad.numpy(), atol=atol * 10,
                                       rtol=1e-4, err_msg=n)
    return to, eo


def rnd(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


LAYERS = [
    ("Linear", lambda nn: nn.Linear(4, 3), [(2, 4)]),
    ("Linear_nobias_3d", lambda nn: nn.Linear(4, 3, bias=False), [(2, 5, 4)]),
    ("Bilinear", lambda nn: nn.Bilinear(3, 2, 4), [(5, 3), (5, 2)]),
    ("Conv1d", lambda nn: nn.Conv1d(2, 4, 3, stride=2, padding=1), [(2, 2, 9)]),
    ("Conv2d", lambda nn: nn.Conv2d(3, 4, 3, padding=1), [(2, 3, 5, 5)]),
    ("Conv2d_groups", lambda nn: nn.Conv2d(4, 6, (3, 2), stride=(2, 1), dilation=(1, 2),
                                           groups=2, bias=False), [(1, 4, 7, 6)]),
    ("Conv2d_same_reflect", lambda nn: nn.Conv2d(2, 3, 4, padding="same",
                                                 padding_mode="reflect"), [(1, 2, 6, 5)]),
    ("Conv2d_circular", lambda nn: nn.Conv2d(2, 3, 3, padding=1, padding_mode="circular"),
     [(1, 2, 4, 5)]),
    ("ConvTranspose2d", lambda nn: nn.ConvTranspose2d(4, 6, 3, 2, 1, 1, groups=2),
     [(2, 4, 3, 4)]),
    ("ConvTranspose1d", lambda nn: nn.ConvTranspose1d(3, 2, 4, stride=2, bias=False),
     [(2, 3, 5)]),
    ("MaxPool2d", lambda nn: nn.MaxPool2d(3, 2, 1, ceil_mode=True), [(2, 3, 7, 6)]),
    ("Unfold", lambda nn: nn.Unfold((2, 3), dilation=(1, 2), padding=1, stride=(2, 1)),
     [(2, 3, 5, 6)]),
    ("Fold", lambda nn: nn.Fold((5, 6), (2, 3), padding=1, stride=(2, 1)), [(2, 12, 18)]),
    ("PixelShuffle", lambda nn: nn.PixelShuffle(2), [(2, 8, 3, 4)]),
    ("LPPool2d", lambda nn: nn.LPPool2d(2, (2, 3), stride=1), [(2, 3, 5, 6)]),
    ("ConstantPad2d", lambda nn: nn.ConstantPad2d((1, 0, 2, 1), 0.5), [(2, 3, 4)]),
    ("ReflectionPad2d", lambda nn: nn.ReflectionPad2d(2), [(1, 2, 4, 5)]),
    ("ReplicationPad1d", lambda nn: nn.ReplicationPad1d((3, 1)), [(2, 3, 4)]),
    ("CircularPad3d", lambda nn: nn.CircularPad3d(1), [(1, 1, 2, 3, 4)]),
    ("ZeroPad2d", lambda nn: nn.ZeroPad2d((1, 2, 0, 1)), [(1, 2, 3, 3)]),
    ("Softmax2d", lambda nn: nn.Softmax2d(), [(2, 3, 4, 2)]),
    ("RMSNorm", lambda nn: nn.RMSNorm((3, 4)), [(2, 3, 4)]),
    ("RMSNorm_eps", lambda nn: nn.RMSNorm(4, eps=1e-3, elementwise_affine=False), [(5, 4)]),
    ("ChannelShuffle", lambda nn: nn.ChannelShuffle(3), [(2, 6, 2, 2)]),
    ("CosineSimilarity", lambda nn: nn.CosineSimilarity(dim=0), [(4, 3), (4, 3)]),
    ("PairwiseDistance", lambda nn: nn.PairwiseDistance(p=1, keepdim=True), [(4, 3), (4, 3)]),
    ("RReLU_eval", lambda nn: nn.RReLU(0.1, 0.3).eval(), [(3, 4)]),
    ("LPPool1d", lambda nn: nn.LPPool1d(3, 2), [(2, 3, 6)]),
    ("LocalResponseNorm3d", lambda nn: nn.LocalResponseNorm(3), [(2, 5, 6)]),
    ("LocalResponseNorm4d", lambda nn: nn.LocalResponseNorm(2, 1e-2, 0.5, 2.0),
     [(2, 5, 3, 4)]),
    ("PixelUnshuffle", lambda nn: nn.PixelUnshuffle(2), [(2, 2, 4, 6)]),
    ("InstanceNorm2d", lambda nn: nn.InstanceNorm2d(3, affine=True), [(2, 3, 4, 5)]),
    ("InstanceNorm1d_unbatched", lambda nn: nn.InstanceNorm1d(3), [(3, 5)]),
    ("AvgPool2d", lambda nn: nn.AvgPool2d(3, 2, 1, count_include_pad=False), [(2, 3, 7, 6)]),
    ("AdaptiveAvgPool2d", lambda nn: nn.AdaptiveAvgPool2d((3, None)), [(2, 3, 7, 6)]),
    ("AdaptiveMaxPool2d", lambda nn: nn.AdaptiveMaxPool2d(2), [(2, 3, 7, 6)]),
    ("MaxPool1d", lambda nn: nn.MaxPool1d(2), [(2, 3, 7)]),
    ("AvgPool1d", lambda nn: nn.AvgPool1d(3, 2), [(2, 3, 7)]),
    ("AdaptiveAvgPool1d", lambda nn: nn.AdaptiveAvgPool1d(4), [(2, 3, 7)]),
    ("LayerNorm", lambda nn: nn.LayerNorm(5), [(3, 4, 5)]),
    ("LayerNorm2", lambda nn: nn.LayerNorm((4, 5), elementwise_affine=False), [(3, 4, 5)]),
    ("GroupNorm", lambda nn: nn.GroupNorm(2, 4), [(3, 4, 5)]),
    ("PReLU", lambda nn: nn.PReLU(3), [(2, 3, 4)]),
    ("Flatten", lambda nn: nn.Flatten(), [(2, 3, 4)]),
    ("Softmax", lambda nn: nn.Softmax(dim=-1), [(2, 3, 4)]),
    ("Sequential", lambda nn: nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.MaxPool2d(2),
                                            nn.Flatten(), nn.Linear(8, 3), nn.LogSoftmax(1)),
     [(2, 1, 6, 6)]),
]


@pytest.mark.parametrize("name,make,shapes", LAYERS, ids=[x[0] for x in LAYERS])
def test_layer(name, make, shapes):
    tm, em = make(torch.nn), make(ember.nn)
    run_both(tm, em, *[rnd(*s, seed=i) for i, s in enumerate(shapes)], train=tm.training)


def test_rrelu_training_draws_like_torch():
    res = []
    for lib in (torch, ember):
        lib.manual_seed(7)
        xi = lib.tensor(rnd(3, 5), requires_grad=True)
        out = lib.nn.RReLU()(xi)
        out.sum().backward()
        res.append((np.asarray(out.detach()), np.asarray(xi.grad), np.asarray(lib.rand(2))))
    for e, t in zip(res[1], res[0]):
        np.testing.assert_allclose(e, t, rtol=1e-6)


@pytest.mark.parametrize("momentum", [0.1, None])
def test_batchnorm_running_stats(momentum):
    t, e = torch.nn.BatchNorm2d(3, momentum=momentum), ember.nn.BatchNorm2d(3, momentum=momentum)
    t.weight.data.uniform_(0.5, 1.5)
    copy_into(t, e)
    for i in range(3):
        run_both(t, e, rnd(4, 3, 2, 2, seed=i), copy=False)
    for k in ("running_mean", "running_var"):
        np.testing.assert_allclose(np.asarray(getattr(e, k)), getattr(t, k).numpy(), rtol=1e-5)
    assert e.num_batches_tracked.item() == t.num_batches_tracked.item() == 3
    run_both(t, e, rnd(4, 3, 2, 2, seed=7), copy=False, train=False)
    t1, e1 = torch.nn.BatchNorm1d(3, affine=False, track_running_stats=False), \
        ember.nn.BatchNorm1d(3, affine=False, track_running_stats=False)
    run_both(t1, e1, rnd(5, 3))
    run_both(t1, e1, rnd(5, 3, 2), train=False)
    with pytest.raises(ValueError, match="expected 4D input"):
        e(ember.ones(3, 3))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        ember.nn.BatchNorm1d(3)(ember.ones(1, 3))


def test_instance_norm_running_stats():
    t = torch.nn.InstanceNorm1d(3, track_running_stats=True, momentum=0.3)
    e = ember.nn.InstanceNorm1d(3, track_running_stats=True, momentum=0.3)
    for i in range(2):
        run_both(t, e, rnd(4, 3, 5, seed=i), copy=False)
    np.testing.assert_allclose(np.asarray(e.running_var), t.running_var.numpy(), rtol=1e-5)
    np.testing.assert_allclose(np.asarray(e.running_mean), t.running_mean.numpy(), rtol=1e-5,
                               atol=1e-7)
    run_both(t, e, rnd(4, 3, 5, seed=7), copy=False, train=False)


def test_max_unpool():
    x = rnd(2, 3, 6, 5)
    res = []
    for lib in (torch, ember):
        xi = lib.tensor(x, requires_grad=True)
        out, idx = lib.nn.MaxPool2d(2, 2, return_indices=True)(xi)
        up = lib.nn.MaxUnpool2d(2, 2)(out, idx, output_size=(2, 3, 6, 5))
        up2 = lib.nn.MaxUnpool2d(2)(*lib.nn.MaxPool2d(2, return_indices=True)(xi[..., :4]))
        (up * lib.tensor(rnd(2, 3, 6, 5, seed=1))).sum().backward()
        res.append([np.asarray(up.detach()), np.asarray(up2.detach()), np.asarray(xi.grad),
                    repr(lib.nn.MaxUnpool2d(2))])
    for e, t in zip(res[1][:3], res[0][:3]):
        np.testing.assert_array_equal(e, t)
    assert res[1][3] == res[0][3]


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag(mode):
    res = []
    for lib in (torch, ember):
        lib.manual_seed(0)
        m = lib.nn.EmbeddingBag(7, 3, mode=mode, padding_idx=2)
        flat = lib.tensor([1, 2, 4, 5, 4, 3, 2, 6])
        offs = lib.tensor([0, 2, 2, 5])
        a = m(flat, offs)
        b = m(lib.tensor([[1, 3, 2], [6, 6, 0]]))
        c = lib.nn.EmbeddingBag(7, 3, mode="sum", include_last_offset=True)(
            flat, lib.tensor([0, 3, 8]), per_sample_weights=lib.tensor(rnd(8)))
        (a.sum() * 2 + b.sum()).backward()
        res.append([np.asarray(a.detach()), np.asarray(b.detach()), np.asarray(c.detach()),
                    np.asarray(m.weight.grad), repr(m)])
    for e, t in zip(res[1][:4], res[0][:4]):
        np.testing.assert_allclose(e, t, rtol=1e-6, atol=1e-6)
    assert res[1][4] == res[0][4]


def test_embedding():
    t, e = torch.nn.Embedding(6, 3, padding_idx=2), ember.nn.Embedding(6, 3, padding_idx=2)
    copy_into(t, e)
    idx = np.array([[0, 2, 5], [2, 1, 1]])
    to, eo = t(torch.tensor(idx)), e(ember.tensor(idx))
    np.testing.assert_array_equal(np.asarray(eo.detach()), to.detach().numpy())
    cot = rnd(2, 3, 3)
    to.backward(torch.tensor(cot))
    eo.backward(ember.tensor(cot))
    np.testing.assert_allclose(np.asarray(e.weight.grad), t.weight.grad.numpy(), atol=1e-6)
    assert not np.any(np.asarray(e.weight.detach())[2])


def test_default_init_matches_torch_bitwise():
    for make in (lambda nn: nn.Linear(3, 2), lambda nn: nn.Linear(100, 30),
                 lambda nn: nn.Conv2d(3, 4, 3), lambda nn: nn.Conv1d(4, 2, 5, groups=2),
                 lambda nn: nn.Bilinear(3, 2, 4), lambda nn: nn.Embedding(10, 3),
                 lambda nn: nn.Sequential(nn.Linear(1, 10), nn.ReLU(), nn.Linear(10, 1))):
        torch.manual_seed(0)
        ember.manual_seed(0)
        t, e = make(torch.nn), make(ember.nn)
        for (n, tp), (_, ep) in zip(t.state_dict().items(), e.state_dict().items()):
            np.testing.assert_array_equal(np.asarray(ep), tp.numpy(), err_msg=n)


def test_init_functions_match_torch():
    cases = [
        lambda init, w: init.uniform_(w, -0.3, 0.7),
        lambda init, w: init.normal_(w, 0.5, 2.0),
        lambda init, w: init.xavier_uniform_(w, gain=init.calculate_gain("tanh")),
        lambda init, w: init.xavier_normal_(w),
        lambda init, w: init.kaiming_uniform_(w, mode="fan_out", nonlinearity="relu"),
        lambda init, w: init.kaiming_normal_(w, a=0.1),
        lambda init, w: init.constant_(w, 0.3),
        lambda init, w: init.ones_(w),
        lambda init, w: init.zeros_(w),
        lambda init, w: init.eye_(w),
    ]
    for fn in cases:
        torch.manual_seed(3)
        ember.manual_seed(3)
        tw, ew = torch.empty(5, 4), ember.empty(5, 4)
        fn(torch.nn.init, tw)
        fn(ember.nn.init, ew)
        np.testing.assert_allclose(np.asarray(ew), tw.numpy(), rtol=1e-6, atol=1e-7)
    for args in ((0.1, 0.5, -0.3, 0.6), (0.0, 1.0, 1.0, 2.0), (0.0, 1.0, -2.0, 2.0)):
        torch.manual_seed(3)
        ember.manual_seed(3)
        tw, ew = torch.empty(4, 6), ember.empty(4, 6)
        torch.nn.init.trunc_normal_(tw, *args)
        ember.nn.init.trunc_normal_(ew, *args)
        np.testing.assert_allclose(np.asarray(ew), tw.numpy(), rtol=1e-6, atol=1e-7)
    tw, ew = torch.empty(2, 3, 3), ember.empty(2, 3, 3)
    torch.nn.init.dirac_(tw)
    ember.nn.init.dirac_(ew)
    np.testing.assert_array_equal(np.asarray(ew), tw.numpy())
    for g in ("linear", "conv2d", "sigmoid", "tanh", "relu", "selu"):
        assert ember.nn.init.calculate_gain(g) == torch.nn.init.calculate_gain(g)
    assert ember.nn.init.calculate_gain("leaky_relu", 0.2) == \
        torch.nn.init.calculate_gain("leaky_relu", 0.2)
    with pytest.raises(ValueError, match="Fan in and fan out can not be computed"):
        ember.nn.init.xavier_uniform_(ember.empty(3))
    with pytest.raises(ValueError, match="Unsupported nonlinearity foo"):
        ember.nn.init.calculate_gain("foo")


def test_orthogonal_init():
    for shape, gain in (((4, 6), 2.0), ((6, 3), 1.0), ((2, 3, 2), 1.0)):
        torch.manual_seed(3)
        ember.manual_seed(3)
        tw, ew = torch.empty(*shape), ember.empty(*shape)
        torch.nn.init.orthogonal_(tw, gain=gain)
        ember.nn.init.orthogonal_(ew, gain=gain)
        # same normal draws; the QR factorisations agree to rounding
        np.testing.assert_allclose(np.asarray(ew), tw.numpy(), atol=1e-5)


def test_dropout_same_mask_as_torch():
    for p in (0.5, 0.25):
        torch.manual_seed(0)
        ember.manual_seed(0)
        x = rnd(4, 6) + 3
        t = torch.nn.Dropout(p)(torch.tensor(x))
        e = ember.nn.Dropout(p)(ember.tensor(x))
        np.testing.assert_array_equal(np.asarray(e), t.numpy())
    torch.manual_seed(1)
    ember.manual_seed(1)
    x = rnd(2, 5, 3, 3)
    t = torch.nn.Dropout2d(0.4)(torch.tensor(x))
    e = ember.nn.Dropout2d(0.4)(ember.tensor(x))
    np.testing.assert_array_equal(np.asarray(e), t.numpy())
    for name, shape in (("AlphaDropout", (4, 6)), ("FeatureAlphaDropout", (2, 3, 4)),
                        ("Dropout1d", (2, 3, 4)), ("Dropout3d", (2, 3, 2, 2, 2))):
        torch.manual_seed(5)
        ember.manual_seed(5)
        x = rnd(*shape)
        t = getattr(torch.nn, name)(0.3)(torch.tensor(x))
        e = getattr(ember.nn, name)(0.3)(ember.tensor(x))
        np.testing.assert_allclose(np.asarray(e), t.numpy(), rtol=1e-6, atol=1e-7, err_msg=name)
    # a transposed input is filled in memory order, as torch's empty_like(x).bernoulli_ does
    torch.manual_seed(4)
    ember.manual_seed(4)
    x = rnd(5, 7)
    t = torch.nn.functional.dropout(torch.tensor(x).t(), 0.4)
    e = ember.nn.functional.dropout(ember.tensor(x).t(), 0.4)
    np.testing.assert_array_equal(np.asarray(e), t.numpy())
    d = ember.nn.Dropout(0.5).eval()
    xe = ember.tensor(x)
    assert d(xe) is xe
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        ember.nn.Dropout(1.5)
    # gradient flows through the kept units only, scaled
    xe = ember.tensor(x, requires_grad=True)
    ember.manual_seed(2)
    out = ember.nn.functional.dropout(xe, 0.5)
    out.sum().backward()
    np.testing.assert_array_equal(np.asarray(xe.grad), (np.asarray(out.detach()) != 0) * 2.0)


def test_seed_regression_net():
    """The seed's regression example: 200 epochs of SGD, final loss equal to torch's."""
    results = []
    for lib in (torch, ember):
        lib.manual_seed(1)
        x = lib.unsqueeze(lib.linspace(-1, 1, 100), dim=1)
        y = x.pow(2) + 0.2 * lib.rand(x.size())
        net = lib.nn.Sequential(lib.nn.Linear(1, 10), lib.nn.ReLU(), lib.nn.Linear(10, 1))
        optimizer = lib.optim.SGD(net.parameters(), lr=0.2)
        loss_func = lib.nn.MSELoss()
        for _ in range(200):
            prediction = net(x)
            loss = loss_func(prediction, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        results.append(loss.item())
    t, e = results
    assert abs(e - t) <= 1e-5 * abs(t)


def test_mnist_net_trains_like_torch():
    """pytorch/examples' MNIST Net: same seed, same batch, Adadelta + StepLR, 20 steps."""
    from bench.workloads import mnist_net  # the repository root is on sys.path (python -m pytest)
    losses = []
    for lib in (torch, ember):
        lib.manual_seed(1)
        model = mnist_net(lib)
        data, target = lib.randn(8, 1, 28, 28), lib.randint(0, 10, (8,))
        optimizer = lib.optim.Adadelta(model.parameters(), lr=1.0)
        scheduler = lib.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.7)
        model.train()
        seq = []
        for _ in range(20):
            optimizer.zero_grad()
            loss = lib.nn.functional.nll_loss(model(data), target)
            loss.backward()
            optimizer.step()
            scheduler.step()
            seq.append(loss.item())
        losses.append(seq)
    np.testing.assert_allclose(losses[1], losses[0], rtol=1e-4)


def test_double_backward_refused_where_not_implemented():
    # glu, prelu, index pads and embedding differentiate twice now (tests/test_nn_gaps.py);
    # grid_sample's backward is still first order only
    x = ember.randn(1, 1, 4, 4, requires_grad=True)
    grid = ember.rand(1, 2, 2, 2) * 2 - 1

    def f(t):
        return ember.nn.functional.grid_sample(t, grid, align_corners=False).sum()
    (g,) = ember.autograd.grad(f(x * x), x, create_graph=False)
    assert g.shape == x.shape
    with pytest.raises(NotImplementedError, match="double backward"):
        ember.autograd.grad(f(x * x), x, create_graph=True)
