"""nn.Module semantics side by side with torch: registration, traversal, state_dict, repr."""

from collections import OrderedDict

import numpy as np
import pytest
import torch

import ember


def _net(lib):
    nn = lib.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 2, 3)
            self.bn = nn.BatchNorm2d(2)
            self.body = nn.Sequential(nn.Linear(8, 4), nn.ReLU(), nn.Dropout(0.2))
            self.heads = nn.ModuleList([nn.Linear(4, 2), nn.Linear(4, 2)])
            self.extra = nn.ModuleDict({"act": nn.Tanh(), "lin": nn.Linear(2, 2, bias=False)})
            self.scale = nn.Parameter(lib.ones(1))
            self.register_buffer("steps", lib.zeros(2))
            self.register_buffer("tmp", lib.zeros(1), persistent=False)

        def forward(self, x):
            x = self.bn(self.conv(x)).flatten(1)
            x = self.body(x)
            return self.extra["lin"](self.extra["act"](self.heads[0](x))) * self.scale

    return Net()


def _copy_params(tmod, emod):
    """Copy torch parameters and buffers into the ember module (via numpy)."""
    for (tn, tp), (en, ep) in zip(tmod.state_dict(keep_vars=True).items(),
                                  emod.state_dict(keep_vars=True).items()):
        assert tn == en
        ep._array[...] = tp.detach().numpy()


def test_repr_identical():
    t, e = _net(torch), _net(ember)
    assert repr(e) == repr(t)
    seq_t = torch.nn.Sequential(*[torch.nn.Linear(2, 2) for _ in range(3)], torch.nn.ReLU())
    seq_e = ember.nn.Sequential(*[ember.nn.Linear(2, 2) for _ in range(3)], ember.nn.ReLU())
    assert repr(seq_e) == repr(seq_t)
    ml_t = torch.nn.ModuleList([torch.nn.ReLU(), torch.nn.ReLU(), torch.nn.Tanh()])
    ml_e = ember.nn.ModuleList([ember.nn.ReLU(), ember.nn.ReLU(), ember.nn.Tanh()])
    assert repr(ml_e) == repr(ml_t)
    assert repr(ember.nn.ModuleList()) == repr(torch.nn.ModuleList())


def test_layer_reprs():
    specs = [("Linear", (3, 2)), ("Linear", (3, 2, False)), ("Bilinear", (2, 3, 4)),
             ("Identity", ()), ("Flatten", ()), ("Unflatten", (1, (2, 3))), ("ReLU", (True,)),
             ("ReLU6", ()), ("LeakyReLU", (0.2, True)), ("ELU", ()), ("SELU", ()), ("CELU", ()),
             ("GELU", ("tanh",)), ("SiLU", ()), ("Mish", ()), ("Sigmoid", ()), ("Tanh", ()),
             ("Hardtanh", (-2, 2)), ("Hardsigmoid", ()), ("Hardswish", ()), ("Softplus", ()),
             ("Softsign", ()), ("Softmax", (1,)), ("Softmax", ()), ("LogSoftmax", (1,)),
             ("Softmin", (0,)), ("Threshold", (0.1, 20)), ("GLU", ()), ("LogSigmoid", ()),
             ("Tanhshrink", ()), ("Softshrink", ()), ("Hardshrink", ()), ("PReLU", (3,)),
             ("CrossEntropyLoss", ()), ("NLLLoss", ()), ("MSELoss", ()), ("L1Loss", ()),
             ("SmoothL1Loss", ()), ("HuberLoss", ()), ("BCELoss", ()),
             ("BCEWithLogitsLoss", ()), ("KLDivLoss", ()), ("Conv1d", (2, 3, 3)),
             ("Conv2d", (1, 2, 3)), ("Conv2d", (1, 2, 3, 1, "same")),
             ("Conv3d", (2, 4, (3, 2, 1), 2, 1, 2, 2, False, "reflect")),
             ("ConvTranspose2d", (4, 6, 3, 2, 1, 1, 2)), ("ConvTranspose1d", (2, 3, 3)),
             ("Unfold", (2, 1, 1)), ("Fold", ((4, 5), 2)), ("PixelShuffle", (2,)),
             ("PixelUnshuffle", (3,)), ("InstanceNorm2d", (3,)),
             ("InstanceNorm1d", (3, 1e-5, 0.1, True, True)), ("LSTM", (3, 4, 2)),
             ("GRU", (3, 4, 1, False, True, 0.0, True)), ("RNNCell", (3, 4, True, "relu")),
             ("MarginRankingLoss", ()), ("TripletMarginLoss", ()), ("GaussianNLLLoss", ()),
             ("MultiMarginLoss", ()), ("MultiLabelMarginLoss", ()), ("EmbeddingBag", (5, 2)),
             ("EmbeddingBag", (5, 2, None, 2.0, False, "max")), ("AlphaDropout", (0.2,)),
             ("FeatureAlphaDropout", ()), ("Dropout1d", ()), ("Dropout3d", ()),
             ("Upsample", (None, 2.0, "bicubic")), ("LPPool2d", (2, 3)),
             ("MaxUnpool2d", (2,)), ("LocalResponseNorm", (3,)), ("InstanceNorm3d", (2,)),
             ("MultiheadAttention", (4, 2)), ("TransformerEncoderLayer", (4, 2, 8)),
             ("TransformerDecoderLayer", (4, 2, 8)), ("AdaptiveMaxPool1d", (3,)),
             ("AvgPool3d", (2,)), ("MaxPool3d", (2,)), ("BatchNorm3d", (2,)),
             ("SoftMarginLoss", ()), ("PoissonNLLLoss", ()), ("CosineEmbeddingLoss", ()),
             ("HingeEmbeddingLoss", ()), ("MultiLabelSoftMarginLoss", ()),
             ("MaxPool2d", (2,)), ("MaxPool2d", (2, 2, 0, 1, False, True)), ("MaxPool1d", (3,)),
             ("AvgPool2d", (2,)), ("AvgPool1d", (2,)), ("AdaptiveAvgPool2d", ((5, None),)),
             ("AdaptiveMaxPool2d", (1,)), ("AdaptiveAvgPool1d", (3,)), ("Dropout", ()),
             ("Dropout", (0.2, True)), ("Dropout2d", ()), ("BatchNorm1d", (3,)),
             ("BatchNorm2d", (3, 1e-3, None, False)), ("LayerNorm", (4,)),
             ("LayerNorm", ((2, 3), 1e-5, False)), ("GroupNorm", (2, 4)), ("Embedding", (10, 3)),
             ("Embedding", (10, 3, 0, 1.0))]
    for name, args in specs:
        t = getattr(torch.nn, name)(*args)
        e = getattr(ember.nn, name)(*args)
        assert repr(e) == repr(t), name
        assert list(e.state_dict()) == list(t.state_dict()), name


def test_registration_and_traversal():
    t, e = _net(torch), _net(ember)
    for fn in ("named_parameters", "named_buffers", "named_children", "named_modules"):
        assert [n for n, _ in getattr(e, fn)()] == [n for n, _ in getattr(t, fn)()], fn
    assert [n for n, _ in e.named_parameters(prefix="m", recurse=False)] == \
        [n for n, _ in t.named_parameters(prefix="m", recurse=False)]
    assert [n for n, _ in e.named_modules(prefix="root")] == \
        [n for n, _ in t.named_modules(prefix="root")]
    assert len(list(e.parameters())) == len(list(t.parameters()))
    assert len(list(e.buffers())) == len(list(t.buffers()))
    assert len(list(e.children())) == len(list(t.children()))
    assert len(list(e.modules())) == len(list(t.modules()))
    # shared parameters are reported once
    for m in (t, e):
        m.heads[1].weight = m.heads[0].weight
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in e.named_parameters(remove_duplicate=False)] == \
        [n for n, _ in t.named_parameters(remove_duplicate=False)]
    assert isinstance(e.scale, ember.nn.Parameter) and e.scale.requires_grad


def test_setattr_routing_and_errors():
    e = ember.nn.Module()
    e.w = ember.nn.Parameter(ember.zeros(2))
    assert "w" in e._parameters
    e.sub = ember.nn.Linear(2, 2)
    assert "sub" in e._modules
    e.register_buffer("b", ember.ones(2))
    e.b = ember.zeros(3)
    assert e._buffers["b"].shape == (3,)
    with pytest.raises(TypeError, match="cannot assign 'torch.FloatTensor' as parameter 'w'|"
                                        "cannot assign '.*' as parameter 'w'"):
        e.w = ember.zeros(2)
    e.w = None
    assert e._parameters["w"] is None
    with pytest.raises(KeyError, match="attribute 'sub' already exists"):
        e.register_buffer("sub", ember.zeros(1))
    with pytest.raises(KeyError, match="buffer name can"):
        e.register_buffer("a.b", ember.zeros(1))
    with pytest.raises(TypeError, match="is not a Module subclass"):
        e.add_module("x", 3)
    with pytest.raises(AttributeError, match="'Module' object has no attribute 'foo'"):
        _ = e.foo
    t = _net(torch)
    with pytest.raises(AttributeError) as te:
        _ = t.foo
    with pytest.raises(AttributeError) as ee:
        _ = _net(ember).foo
    assert str(ee.value) == str(te.value)

    class Early(ember.nn.Module):
        def __init__(self):
            self.p = ember.nn.Parameter(ember.zeros(1))

    with pytest.raises(AttributeError, match="cannot assign parameters before Module.__init__"):
        Early()
    del e.sub
    assert "sub" not in e._modules
    # a Parameter object carrying a grad_fn must be rejected
    nonleaf = (ember.nn.Parameter(ember.zeros(1)) * 2).as_subclass(ember.nn.Parameter)
    with pytest.raises(ValueError, match="Cannot assign non-leaf Tensor"):
        e.register_parameter("z", nonleaf)


def test_state_dict_and_load():
    t, e = _net(torch), _net(ember)
    tsd, esd = t.state_dict(), e.state_dict()
    assert list(esd) == list(tsd)
    assert isinstance(esd, OrderedDict)
    assert dict(esd._metadata) == {k: dict(v) for k, v in tsd._metadata.items()}
    assert not esd["body.0.weight"].requires_grad
    assert e.state_dict(keep_vars=True)["body.0.weight"] is e.body[0].weight
    # load torch's values into ember
    sd = OrderedDict((k, ember.tensor(v.numpy())) for k, v in tsd.items())
    w = e.body[0].weight
    res = e.load_state_dict(sd)
    assert repr(res) == "<All keys matched successfully>"
    assert e.body[0].weight is w
    np.testing.assert_array_equal(np.asarray(w.detach()), t.body[0].weight.detach().numpy())
    # strict errors
    bad = OrderedDict(sd)
    del bad["conv.bias"]
    bad["extra.foo"] = ember.zeros(1)
    bad["body.0.weight"] = ember.zeros(3, 3)
    tbad = OrderedDict((k, torch.tensor(np.asarray(v))) for k, v in bad.items())
    with pytest.raises(RuntimeError) as te:
        t.load_state_dict(tbad)
    with pytest.raises(RuntimeError) as ee:
        e.load_state_dict(bad)
    assert str(ee.value).replace("ember.", "torch.") == str(te.value)
    del bad["body.0.weight"]
    tres = t.load_state_dict(OrderedDict((k, torch.tensor(np.asarray(v)))
                                         for k, v in bad.items()), strict=False)
    eres = e.load_state_dict(bad, strict=False)
    assert eres.missing_keys == tres.missing_keys == ["body.0.weight", "conv.bias"] or \
        eres == tres
    assert repr(eres) == repr(tres)


def test_train_eval_apply_hooks_zero_grad():
    e = _net(ember)
    assert e.training and e.body[2].training
    e.eval()
    assert not e.training and not e.body[2].training
    e.train()
    assert e.bn.training
    seen = []
    e.apply(lambda m: seen.append(type(m).__name__))
    assert seen[-1] == "Net" and seen[0] == "Conv2d"
    calls = []
    h1 = e.register_forward_pre_hook(lambda m, a: calls.append("pre"))
    h2 = e.register_forward_hook(lambda m, a, o: o * 0)
    e.eval()
    out = e(ember.ones(2, 1, 4, 4))
    assert calls == ["pre"]
    assert not np.any(np.asarray(out.detach()))
    h1.remove()
    h2.remove()
    out = e(ember.ones(2, 1, 4, 4))
    out.sum().backward()
    assert e.conv.weight.grad is not None
    e.zero_grad()
    assert e.conv.weight.grad is None
    out = e(ember.ones(2, 1, 4, 4))
    out.sum().backward()
    e.zero_grad(set_to_none=False)
    assert not np.any(np.asarray(e.conv.weight.grad))
    e.requires_grad_(False)
    assert not any(p.requires_grad for p in e.parameters())


def test_to_and_dtype_conversions():
    e = _net(ember)
    w = e.conv.weight
    e.double()
    assert e.conv.weight is w and w.dtype == ember.float64
    assert e.bn.num_batches_tracked.dtype == ember.int64
    assert e.steps.dtype == ember.float64
    e.to(ember.float32)
    assert w.dtype == ember.float32
    e.half().float().cpu()
    assert e.to("cpu") is e
    with pytest.raises(TypeError, match="nn.Module.to only accepts floating point"):
        e.to(ember.int64)


def test_containers():
    nn = ember.nn
    s = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert len(s) == 3 and isinstance(s[0], nn.Linear) and isinstance(s[-1], nn.Linear)
    sub = s[1:]
    assert isinstance(sub, nn.Sequential) and len(sub) == 2 and list(sub._modules) == ["1", "2"]
    s.append(nn.Sigmoid())
    assert len(s) == 4 and [type(m).__name__ for m in s][-1] == "Sigmoid"
    del s[1]
    assert list(s._modules) == ["0", "1", "2"]
    with pytest.raises(IndexError, match="index 5 is out of range"):
        s[5]
    od = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.ReLU())]))
    assert list(od._modules) == ["fc", "act"] and od.fc is od[0]
    assert repr(od) == repr(torch.nn.Sequential(OrderedDict(
        [("fc", torch.nn.Linear(2, 2)), ("act", torch.nn.ReLU())])))
    ml = nn.ModuleList([nn.ReLU()])
    ml.append(nn.Tanh())
    ml.extend([nn.ReLU()])
    ml.insert(0, nn.Identity())
    assert [type(m).__name__ for m in ml] == ["Identity", "ReLU", "Tanh", "ReLU"]
    assert isinstance(ml[1:3], nn.ModuleList) and len(ml[1:3]) == 2
    md = nn.ModuleDict({"b": nn.ReLU(), "a": nn.Tanh()})
    assert list(md.keys()) == ["b", "a"] and "a" in md and len(md) == 2
    md["c"] = nn.Identity()
    assert md.pop("c").__class__ is nn.Identity
    pl = nn.ParameterList([nn.Parameter(ember.zeros(2)), ember.ones(3)])
    assert isinstance(pl[1], nn.Parameter) and len(pl) == 2
    assert [n for n, _ in pl.named_parameters()] == ["0", "1"]
    tpl = torch.nn.ParameterList([torch.nn.Parameter(torch.zeros(2)), torch.ones(3)])
    assert repr(pl) == repr(tpl).replace("torch.", "ember.") or repr(pl) == repr(tpl)
    pd = nn.ParameterDict({"x": nn.Parameter(ember.zeros(2))})
    pd["y"] = ember.ones(1)
    assert isinstance(pd["y"], nn.Parameter) and list(pd.keys()) == ["x", "y"]
    assert [n for n, _ in pd.named_parameters()] == ["x", "y"]
    tpd = torch.nn.ParameterDict({"x": torch.nn.Parameter(torch.zeros(2))})
    tpd["y"] = torch.ones(1)
    assert repr(pd) == repr(tpd)
    ident = nn.Identity(3, foo=1)
    x = ember.ones(2)
    assert ident(x) is x
    fl = nn.Flatten()(ember.ones(2, 3, 4))
    assert tuple(fl.shape) == (2, 12)
    un = nn.Unflatten(1, (3, 4))(fl)
    assert tuple(un.shape) == (2, 3, 4)


def test_parameter_basics():
    p = ember.nn.Parameter(ember.tensor([1.0, 2.0]))
    tp = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    assert repr(p) == repr(tp)
    assert p.requires_grad and p.is_leaf
    q = ember.nn.Parameter(ember.zeros(2), requires_grad=False)
    assert not q.requires_grad
    import copy
    c = copy.deepcopy(p)
    assert isinstance(c, ember.nn.Parameter) and c is not p and c.requires_grad
    import pickle
    r = pickle.loads(pickle.dumps(p))
    assert isinstance(r, ember.nn.Parameter)


def test_forward_matches_torch():
    t, e = _net(torch), _net(ember)
    _copy_params(t, e)
    t.eval()
    e.eval()
    x = np.random.default_rng(0).standard_normal((2, 1, 4, 4)).astype("float32")
    tx = torch.tensor(x, requires_grad=True)
    ex = ember.tensor(x, requires_grad=True)
    to, eo = t(tx), e(ex)
    np.testing.assert_allclose(np.asarray(eo.detach()), to.detach().numpy(), atol=1e-6)
    to.sum().backward()
    eo.sum().backward()
    np.testing.assert_allclose(np.asarray(ex.grad), tx.grad.numpy(), atol=1e-6)
    for (n, tp), (_, ep) in zip(t.named_parameters(), e.named_parameters()):
        if tp.grad is None:
            assert ep.grad is None, n
            continue
        np.testing.assert_allclose(np.asarray(ep.grad), tp.grad.numpy(), atol=1e-5, err_msg=n)


def test_full_backward_hooks():
    results = []
    for lib in (torch, ember):
        lib.manual_seed(0)
        m = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.ReLU(), lib.nn.Linear(4, 2))
        log = []
        m[0].register_full_backward_hook(
            lambda mod, gi, go, log=log: log.append(
                ([None if g is None else tuple(g.shape) for g in gi],
                 [tuple(g.shape) for g in go])))
        h = m[2].register_full_backward_hook(lambda mod, gi, go: (gi[0] * 2,))
        m[2].register_full_backward_pre_hook(lambda mod, go: (go[0] * 3,))
        x = lib.ones(2, 3, requires_grad=True)
        m(x).sum().backward()
        grads = [np.asarray(x.grad), np.asarray(m[0].weight.grad)]
        h.remove()
        with pytest.warns(UserWarning, match="Full backward hook is firing"):
            m(lib.ones(2, 3)).sum().backward()
        results.append((log, grads))
    assert results[0][0] == results[1][0]
    for e, t in zip(results[1][1], results[0][1]):
        np.testing.assert_allclose(e, t, rtol=1e-6)


def test_weight_norm_and_clipping_utils():
    res = []
    for lib in (torch, ember):
        lib.manual_seed(0)
        with pytest.warns(FutureWarning):
            m = lib.nn.utils.weight_norm(lib.nn.Linear(3, 2))
        keys = list(m.state_dict())
        out = m(lib.ones(4, 3))
        out.sum().backward()
        gg = np.asarray(m.weight_g.grad)
        total = lib.nn.utils.clip_grad_norm_(m.parameters(), 0.5)
        clipped = np.asarray(m.weight_v.grad)
        lib.nn.utils.clip_grad_value_(m.parameters(), 0.01)
        vec = lib.nn.utils.parameters_to_vector(m.parameters())
        lib.nn.utils.vector_to_parameters(vec * 2, m.parameters())
        lib.nn.utils.remove_weight_norm(m)
        res.append((keys, np.asarray(out.detach()), gg, float(total), clipped,
                    np.asarray(m.bias.grad), np.asarray(m.weight.detach()),
                    list(m.state_dict())))
    (tk, *tv, tk2), (ek, *ev, ek2) = res
    assert ek == tk and ek2 == tk2
    for e, t in zip(ev, tv):
        np.testing.assert_allclose(e, t, rtol=1e-5, atol=1e-7)


def test_extra_state_and_state_dict_hooks():
    class WithExtra(ember.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = ember.nn.Linear(2, 2)
            self.count = 3

        def get_extra_state(self):
            return {"count": self.count}

        def set_extra_state(self, state):
            self.count = state["count"]

    m = WithExtra()
    sd = m.state_dict()
    assert list(sd) == ["_extra_state", "lin.weight", "lin.bias"]
    m2 = WithExtra()
    m2.count = 0
    seen = []
    m2.register_load_state_dict_post_hook(lambda mod, keys: seen.append(tuple(keys)))
    m2.load_state_dict(sd)
    assert m2.count == 3 and seen == [([], [])]
    del sd["_extra_state"]
    with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "_extra_state"'):
        m2.load_state_dict(sd)
    plain = ember.nn.Linear(2, 2)
    with pytest.raises(RuntimeError, match='Unexpected key\\(s\\) in state_dict: "_extra_state"'):
        plain.load_state_dict({**plain.state_dict(), "_extra_state": 1})
    h = plain.register_state_dict_post_hook(lambda mod, d, prefix, meta: d.update(extra=1))
    assert "extra" in plain.state_dict()
    h.remove()
    assert "extra" not in plain.state_dict()


def test_spectral_norm():
    res = []
    for lib in (torch, ember):
        lib.manual_seed(0)
        m = lib.nn.utils.spectral_norm(lib.nn.Conv2d(2, 3, 2))
        x = lib.tensor(np.random.default_rng(0).standard_normal((1, 2, 3, 3)).astype("f4"))
        outs = [m(x) for _ in range(3)]
        outs[-1].sum().backward()
        m.eval()
        ev = m(x)
        keys = list(m.state_dict())
        lib.nn.utils.remove_spectral_norm(m)
        res.append([np.asarray(o.detach()) for o in outs + [ev]] +
                   [np.asarray(m.weight.detach()), keys, list(m.state_dict())])
    t, e = res
    assert e[-2:] == t[-2:]
    for a, b in zip(e[:-2], t[:-2]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
