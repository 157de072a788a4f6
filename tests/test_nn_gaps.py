"""Side by side with torch: nn/optim pieces added late (CTC loss, 3-d pooling variants, pdist,
gumbel_softmax, TripletMarginWithDistanceLoss, MHA bias_kv / zero_attn, LSTM proj_size, ASGD,
init.sparse_, double backward of glu / prelu / index pads / embedding, add's fused alpha)."""

import warnings

import numpy as np
import pytest
import torch

import ember

F_ = {torch: torch.nn.functional, ember: ember.nn.functional}


def _run(lib, fn, arrays, grad=True):
    lib.manual_seed(0)
    ts = [lib.tensor(a, requires_grad=grad and a.dtype.kind == "f") for a in arrays]
    out = fn(lib, *ts)
    outs = out if isinstance(out, tuple) else (out,)
    grads = []
    if grad:
        cot = np.asarray(np.random.RandomState(1).standard_normal(tuple(outs[0].shape)),
                         dtype=np.float32)
        outs[0].backward(lib.tensor(cot).to(outs[0].dtype))
        grads = [t.grad for t in ts if t.requires_grad]
    return [o.detach().numpy() for o in outs], [g.numpy() for g in grads]


def same(fn, *shapes, grad=True, tol=1e-5):
    """fn(lib, *tensors) on torch and ember: same outputs and input gradients."""
    rng = np.random.RandomState(0)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    (to, tg), (eo, eg) = _run(torch, fn, arrays, grad), _run(ember, fn, arrays, grad)
    assert len(to) == len(eo) and len(tg) == len(eg)
    for t, e in zip(to + tg, eo + eg):
        assert t.shape == e.shape
        np.testing.assert_allclose(e, t, rtol=tol, atol=tol, equal_nan=True)


def same_error(fn, *shapes):
    rng = np.random.RandomState(0)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    errs = []
    for lib in (torch, ember):
        with pytest.raises(Exception) as info:
            _run(lib, fn, arrays)
        errs.append(info.value)
    assert type(errs[1]) is type(errs[0]) and str(errs[1]) == str(errs[0])


def same_repr(expr):
    assert repr(eval("ember." + expr)) == repr(eval("torch." + expr))


# ---- 3-d pooling variants -------------------------------------------------------------------
def _unpool3d(lib, x):
    out, idx = F_[lib].max_pool3d(x, 2, return_indices=True)
    return lib.nn.MaxUnpool3d(2)(out, idx, output_size=(5, 4, 7))


@pytest.mark.parametrize("fn,shape", [
    (lambda L, x: F_[L].adaptive_max_pool3d(x, (2, None, 3), return_indices=True),
     (2, 3, 5, 4, 7)),
    (lambda L, x: L.nn.AdaptiveMaxPool3d(2)(x), (3, 5, 4, 7)),
    (lambda L, x: F_[L].max_pool3d_with_indices(x, 2, 1, 1), (2, 2, 4, 3, 4)),
    (_unpool3d, (1, 2, 5, 4, 7)),
    (lambda L, x: L.nn.LPPool3d(2, 2)(x), (2, 2, 4, 4, 6)),
    (lambda L, x: F_[L].lp_pool3d(x, 3, (2, 1, 2), stride=1, ceil_mode=True), (1, 2, 3, 4, 5)),
    (lambda L, x: F_[L].lp_pool2d(x, float("inf"), 2), (2, 2, 4, 4)),
    (lambda L, x: F_[L].lp_pool1d(x, -float("inf"), 2), (2, 2, 4)),
], ids=["amp3d", "AMP3d", "mp3d_idx", "unpool3d", "LPPool3d", "lp3d", "lp2d_inf", "lp1d_-inf"])
def test_pool3d_variants(fn, shape):
    same(fn, shape)


def test_pool3d_reprs():
    for expr in ["nn.LPPool3d(2, 3)", "nn.MaxUnpool3d(2)", "nn.AdaptiveMaxPool3d((2, None, 3))",
                 "nn.CTCLoss(blank=2)", "nn.TripletMarginWithDistanceLoss()"]:
        same_repr(expr)


# ---- pdist, gumbel_softmax, triplet_margin_with_distance_loss -------------------------------
@pytest.mark.parametrize("p", [2, 1, 0.5, float("inf")])
def test_pdist(p):
    same(lambda L, x: F_[L].pdist(L.cat([x, x[:1]]), p), (4, 3))


def test_pdist_errors():
    same_error(lambda L, x: F_[L].pdist(x), (1, 3, 2))
    same_error(lambda L, x: F_[L].pdist(x, -1), (2, 3))


@pytest.mark.parametrize("hard", [False, True])
def test_gumbel_softmax_same_draws(hard):
    same(lambda L, x: F_[L].gumbel_softmax(x, tau=0.5, hard=hard, dim=0), (3, 5))


def test_triplet_margin_with_distance_loss():
    same(lambda L, a, p, n: F_[L].triplet_margin_with_distance_loss(a, p, n, swap=True),
         (3, 4), (3, 4), (3, 4))
    same(lambda L, a, p, n: L.nn.TripletMarginWithDistanceLoss(
        distance_function=lambda x, y: 1 - F_[L].cosine_similarity(x, y), margin=0.3,
        reduction="none")(a, p, n), (3, 4), (3, 4), (3, 4))
    same_error(lambda L, a, p, n: F_[L].triplet_margin_with_distance_loss(a, p, n),
               (3, 4), (4,), (3, 4))
    same_error(lambda L, a, p, n: L.nn.TripletMarginWithDistanceLoss(margin=0)(a, p, n),
               (3, 4), (3, 4), (3, 4))


# ---- CTC loss -------------------------------------------------------------------------------
_TG = [[1, 2, 2], [1, 0, 0], [3, 3, 4]]


def _ctc(reduction, targets, il, tl, zero_infinity=False, blank=0, dtype=None):
    def fn(L, x):
        if dtype:
            x = x.to(getattr(L, dtype))
        t = L.tensor(targets)
        il_, tl_ = (L.tensor(v) if isinstance(v, list) else v for v in (il, tl))
        return F_[L].ctc_loss(x.log_softmax(-1), t, il_, tl_, blank=blank, reduction=reduction,
                              zero_infinity=zero_infinity)
    return fn


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("case", [
    dict(targets=_TG, il=[6, 4, 5], tl=[3, 1, 2]),
    dict(targets=_TG, il=(6, 4, 5), tl=(3, 0, 3)),                       # tuples, empty target
    dict(targets=[1, 2, 2, 1, 3, 3], il=[6, 4, 5], tl=[3, 1, 2]),        # concatenated targets
    dict(targets=[[1, 1, 1], [1, 0, 0], [2, 2, 2]], il=[2, 4, 6], tl=[3, 1, 3]),   # inf loss
    dict(targets=[[1, 1, 1], [1, 0, 0], [2, 2, 2]], il=[2, 4, 6], tl=[3, 1, 3],
         zero_infinity=True),
    dict(targets=[[1, 2, 2], [1, 0, 0], [3, 3, 0]], il=[6, 4, 5], tl=[3, 1, 2], blank=4),
    dict(targets=_TG, il=[6, 0, 5], tl=[3, 0, 2], dtype="float64"),
], ids=["padded", "tuples", "concat", "inf", "zero_inf", "blank4", "f64"])
def test_ctc_loss(reduction, case):
    same(_ctc(reduction, **case), (6, 3, 5))


def test_ctc_loss_unbatched_long_and_module():
    same(_ctc("mean", [1, 2, 2], (6,), (3,)), (6, 5))
    rng = np.random.RandomState(0)
    same(_ctc("mean", rng.randint(1, 20, (4, 15)).tolist(), [50, 40, 30, 50], [15, 10, 12, 1]),
         (50, 4, 20), tol=1e-4)
    same(lambda L, x: L.nn.CTCLoss(blank=1)(x.log_softmax(2), L.tensor(_TG) + 1,
                                            L.tensor([6, 6, 6]), L.tensor([3, 1, 2])), (6, 3, 5))


@pytest.mark.parametrize("case", [
    dict(targets=_TG, il=[6, 4], tl=[3, 1, 2]),
    dict(targets=_TG, il=[7, 4, 1], tl=[3, 1, 2]),
    dict(targets=_TG, il=[6, 4, 1], tl=[4, 1, 2]),
    dict(targets=_TG, il=[6, 4, 1], tl=[3, -1, 2]),
    dict(targets=_TG, il=[6, 4, 1], tl=[3, 1, 2], blank=5),
])
def test_ctc_loss_errors(case):
    same_error(_ctc("mean", **case), (6, 3, 5))


def test_ctc_loss_double_backward_raises_like_torch():
    def fn(L, x):
        loss = _ctc("mean", _TG, [6, 4, 5], [3, 1, 2])(L, x)
        (g,) = L.autograd.grad(loss, x, create_graph=True)
        return g.sum()
    same_error(fn, (6, 3, 5))


# ---- attention and LSTM -----------------------------------------------------------------
def _mha(kw, masks=False, unbatched=False):
    def fn(L, q, k, v):
        m = L.nn.MultiheadAttention(8, 2, **kw)
        extra = {}
        if masks:
            extra["attn_mask"] = L.tensor(np.triu(np.ones((3, 4), bool), 1))
            if not unbatched:
                extra["key_padding_mask"] = L.tensor([[False, False, False, True],
                                                      [False, True, False, False]])
        if unbatched:
            q, k, v = q[:, 0], k[:, 0], v[:, 0]
        out, w = m(q, k, v, **extra)
        return (out, w) + tuple(t.detach() for t in m.state_dict().values())
    return fn


@pytest.mark.parametrize("kw", [dict(add_bias_kv=True), dict(add_zero_attn=True),
                                dict(add_bias_kv=True, add_zero_attn=True, kdim=5, vdim=6)],
                         ids=["bias_kv", "zero_attn", "both_kdim"])
@pytest.mark.parametrize("masks,unbatched", [(False, False), (True, False), (True, True)])
def test_mha_bias_kv_zero_attn(kw, masks, unbatched):
    shapes = [(3, 2, 8), (4, 2, kw.get("kdim", 8)), (4, 2, kw.get("vdim", 8))]
    same(_mha(kw, masks, unbatched), *shapes)
    keys = [list(L.nn.MultiheadAttention(8, 2, **kw).state_dict()) for L in (torch, ember)]
    assert keys[0] == keys[1]


def _lstm(kw, hx=False, unbatched=False):
    def fn(L, x):
        m = L.nn.LSTM(3, 5, **kw)
        if unbatched:
            x = x[:, 0]
        args = ()
        if hx:
            lead = ((2 if kw.get("bidirectional") else 1) * kw.get("num_layers", 1),)
            lead += () if unbatched else (x.shape[0 if kw.get("batch_first") else 1],)
            args = ((L.ones(*lead, kw.get("proj_size") or 5) * 0.3, L.ones(*lead, 5) * -0.2),)
        out, (h, c) = m(x, *args)
        return (out, h, c) + tuple(p.detach() for p in m.parameters())
    return fn


@pytest.mark.parametrize("kw", [dict(proj_size=2),
                                dict(proj_size=3, num_layers=2, bidirectional=True),
                                dict(proj_size=2, bias=False, num_layers=2, batch_first=True)])
@pytest.mark.parametrize("hx,unbatched", [(False, False), (True, False), (True, True)])
def test_lstm_proj_size(kw, hx, unbatched):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")           # torch: "not supported with oneDNN"
        same(_lstm(kw, hx, unbatched), (4, 2, 3))
        keys = [list(L.nn.LSTM(3, 5, **kw).state_dict()) for L in (torch, ember)]
    assert keys[0] == keys[1]
    same_repr(f"nn.LSTM(3, 5, **{kw})")


def test_lstm_proj_size_packed_and_errors():
    def packed(L, x):
        m = L.nn.LSTM(3, 5, proj_size=2, bidirectional=True)
        p = L.nn.utils.rnn.pack_padded_sequence(x, [4, 2], enforce_sorted=False)
        out, (h, c) = m(p)
        return L.nn.utils.rnn.pad_packed_sequence(out)[0], h, c
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        same(packed, (4, 2, 3))
        same_error(lambda L, x: L.nn.LSTM(3, 4, proj_size=2)(
            x, (L.zeros(1, 2, 4), L.zeros(1, 2, 4))), (5, 2, 3))
        same_error(lambda L, x: L.nn.LSTM(3, 4, proj_size=2)(
            x, (L.zeros(1, 2, 2), L.zeros(1, 2, 2))), (5, 2, 3))
        same_error(lambda L, x: L.nn.LSTM(3, 4, proj_size=4)(x), (5, 2, 3))
        same_error(lambda L, x: L.nn.GRU(3, 4)(x, L.zeros(1, 2, 3)), (5, 2, 3))


# ---- optim and init -------------------------------------------------------------------------
@pytest.mark.parametrize("kw", [dict(lr=0.05),
                                dict(lr=0.05, t0=5, lambd=0.01, alpha=0.5, weight_decay=0.1)])
def test_asgd_matches_torch(kw):
    results = []
    for L in (torch, ember):
        L.manual_seed(0)
        net = L.nn.Sequential(L.nn.Linear(3, 5), L.nn.Tanh(), L.nn.Linear(5, 2))
        rng = np.random.default_rng(0)
        x = L.tensor(rng.standard_normal((8, 3)).astype("float32"))
        y = L.tensor(rng.standard_normal((8, 2)).astype("float32"))
        opt = L.optim.ASGD(net.parameters(), **kw)
        losses = []
        for _ in range(20):
            opt.zero_grad()
            loss = ((net(x) - y) ** 2).mean()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        sd = opt.state_dict()
        results.append((losses, [p.detach().numpy().copy() for p in net.parameters()], sd,
                        repr(opt)))
    (tl, tp, tsd, tr), (el, ep, esd, er) = results
    np.testing.assert_allclose(el, tl, rtol=2e-5, atol=1e-6)
    for t, e in zip(tp, ep):
        np.testing.assert_allclose(e, t, rtol=1e-5, atol=1e-6)
    assert esd["param_groups"] == tsd["param_groups"] and tr == er
    for k, st in tsd["state"].items():
        assert list(esd["state"][k]) == list(st)
        for name, v in st.items():
            np.testing.assert_allclose(esd["state"][k][name].numpy(), v.numpy(), rtol=1e-5,
                                       atol=1e-6)


def test_init_sparse_and_deprecated_aliases():
    same(lambda L: L.nn.init.sparse_(L.empty(6, 4), 0.4, std=0.5), grad=False)
    same(lambda L: L.nn.init.sparse_(L.empty(5, 3), 0.1,
                                     generator=L.Generator().manual_seed(3)), grad=False)
    same_error(lambda L: L.nn.init.sparse_(L.empty(5, 3, 2), 0.1))
    with pytest.warns(FutureWarning, match="nn.init.xavier_uniform_"):
        same(lambda L: L.nn.init.xavier_uniform(L.empty(5, 3)), grad=False)


# ---- double backward and add's fused alpha ---------------------------------------------
@pytest.mark.parametrize("fn,shapes", [
    (lambda L, x: F_[L].glu(x, 1), [(3, 4, 2)]),
    (lambda L, x, w: F_[L].prelu(x, w), [(3, 4, 2), (4,)]),
    (lambda L, x, w: F_[L].prelu(x, w), [(3, 4), (1,)]),
    (lambda L, x: F_[L].pad(x, (1, 2, 2, 1), mode="reflect") ** 2, [(2, 3, 4, 5)]),
    (lambda L, x: F_[L].pad(x, (1, 2, 2, 1), mode="replicate") ** 2, [(2, 3, 4, 5)]),
    (lambda L, x: F_[L].pad(x, (1, 2), mode="circular") ** 2, [(2, 3, 4)]),
    (lambda L, w: F_[L].embedding(L.tensor([[0, 2], [2, 1]]), w, padding_idx=1) ** 2, [(4, 3)]),
    (lambda L, x, y: F_[L].smooth_l1_loss(x, y, beta=0.5), [(3, 4), (3, 4)]),
    (lambda L, x, y: F_[L].huber_loss(x, y, delta=0.5, reduction="sum"), [(3, 4), (3, 4)]),
    (lambda L, x, y: F_[L].binary_cross_entropy(
        x.sigmoid(), y.sigmoid(), weight=L.tensor([1., 2, 3, 4], dtype=L.float64)),
     [(3, 4), (3, 4)]),
    (lambda L, x, y: F_[L].binary_cross_entropy_with_logits(
        x, y.sigmoid(), weight=L.tensor([1., 2, 3, 4], dtype=L.float64),
        pos_weight=L.tensor([1., 2, 3, 4], dtype=L.float64), reduction="none"),
     [(3, 4), (3, 4)]),
    (lambda L, x, y: F_[L].kl_div(x.log_softmax(1), y.softmax(1), reduction="batchmean"),
     [(3, 4), (3, 4)]),
    (lambda L, x, y: F_[L].kl_div(x.log_softmax(1), y.log_softmax(1), log_target=True),
     [(3, 4), (3, 4)]),
], ids=["glu", "prelu", "prelu1", "reflect", "replicate", "circular", "embedding",
        "smooth_l1", "huber", "bce", "bce_logits", "kl_div", "kl_div_log_target"])
def test_double_backward(fn, shapes):
    rng = np.random.RandomState(0)
    arrays = [rng.standard_normal(s) for s in shapes]
    res = []
    for L in (torch, ember):
        ts = [L.tensor(a, requires_grad=True) for a in arrays]
        out = fn(L, *ts)
        cot = L.tensor(np.random.RandomState(1).standard_normal(tuple(out.shape)))
        gs = L.autograd.grad(out, ts, cot, create_graph=True)
        s = sum((g * L.tensor(np.random.RandomState(2 + i).standard_normal(tuple(g.shape))))
                .sum() for i, g in enumerate(gs))
        g2 = L.autograd.grad(s, ts, allow_unused=True)
        res.append([g.detach().numpy() for g in gs] +
                   [np.zeros(1) if g is None else g.numpy() for g in g2])
    for t, e in zip(*res):
        np.testing.assert_allclose(e, t, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16"])
def test_add_alpha_is_fused_like_torch(dtype):
    rng = np.random.default_rng(1)
    # 256 elements: all in torch's vectorised loop (its scalar tail rounds half types twice)
    a, b = rng.standard_normal((2, 256)).astype(np.float32)
    alpha = float(rng.standard_normal())
    outs = []
    for L in (torch, ember):
        x, y = (L.tensor(v).to(getattr(L, dtype)) for v in (a, b))
        outs.append([r.float().numpy() for r in (
            L.add(x, y, alpha=alpha), L.sub(x, y, alpha=alpha), x.clone().add_(y, alpha=alpha),
            L.add(x, 2.5, alpha=alpha))])
    for t, e in zip(*outs):
        np.testing.assert_array_equal(e, t)


# ---- nn.utils.parametrize / parametrizations ----------------------------------------------
def _spectral(L, x):
    m = L.nn.utils.parametrizations.spectral_norm(L.nn.Linear(3, 4))
    y = m(x) + m(x)
    m.eval()
    sn = m.parametrizations.weight[0]
    return y + m(x), sn._u, sn._v, m.weight.detach()


def _weight_norm(L, x):
    m = L.nn.utils.parametrizations.weight_norm(L.nn.Linear(3, 4))
    p = m.parametrizations.weight
    return m(x), m.weight.detach(), p.original0.detach(), p.original1.detach()


@pytest.mark.parametrize("fn,shape", [
    (_weight_norm, (2, 3)),
    (lambda L, x: L.nn.utils.parametrizations.weight_norm(L.nn.Conv1d(2, 3, 2), dim=None)(x),
     (2, 2, 5)),
    (_spectral, (2, 3)),
    (lambda L, x: L.nn.utils.parametrizations.spectral_norm(
        L.nn.ConvTranspose2d(2, 3, 2), n_power_iterations=3)(x), (1, 2, 3, 3)),
], ids=["weight_norm", "weight_norm_conv", "spectral_norm", "spectral_norm_convT"])
def test_parametrizations(fn, shape):
    same(fn, shape)


def test_parametrize_structure_and_removal():
    res = []
    for L in (torch, ember):
        P = L.nn.utils.parametrize
        L.manual_seed(0)
        m = L.nn.utils.parametrizations.weight_norm(L.nn.Linear(3, 4))
        sn = L.nn.utils.parametrizations.spectral_norm(L.nn.Linear(3, 4))
        row = [repr(m), type(m).__name__, list(m.state_dict()), list(sn.state_dict()),
               P.is_parametrized(m), P.type_before_parametrizations(m).__name__]
        w = m.weight.detach().clone()
        P.remove_parametrizations(m, "weight")
        row += [type(m).__name__, list(m.state_dict()), bool((m.weight == w).all())]
        # the old weight_g / weight_v keys load into the parametrization
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            old = L.nn.utils.weight_norm(L.nn.Linear(3, 4))
        new = L.nn.utils.parametrizations.weight_norm(L.nn.Linear(3, 4))
        row.append(str(new.load_state_dict(old.state_dict())))
        row.append(new.weight.detach().numpy().round(5).tolist())
        new.weight = L.ones(4, 3)                                    # right_inverse
        row.append(new.parametrizations.weight.original0.detach().numpy().round(5).tolist())

        class Sym(L.nn.Module):
            def forward(self, X):
                return X.triu() + X.triu(1).transpose(-1, -2)
        s = P.register_parametrization(L.nn.Linear(3, 3), "weight", Sym())
        row += [repr(s), s.weight.detach().numpy().round(5).tolist()]
        with P.cached():
            row.append(s.weight is s.weight)
        res.append(row)
    assert res[0] == res[1]


# ---- torch.cdist and torch.<nn op> spellings ------------------------------------------
@pytest.mark.parametrize("fn,shapes", [
    (lambda L, x, y: L.cdist(x, y), [(2, 5, 3), (2, 4, 3)]),
    (lambda L, x, y: L.cdist(x, y, p=1), [(5, 3), (1, 4, 3)]),
    (lambda L, x, y: L.cdist(x, y, p=float("inf")), [(5, 3), (4, 3)]),
    (lambda L, x, y: L.cdist(x, y, p=0.5), [(5, 3), (4, 3)]),
    (lambda L, x, y: L.cdist(L.cat([x, y]), y), [(5, 3), (4, 3)]),        # zero distances
    (lambda L, x, y: L.conv2d(x, y, None, 1, 1), [(1, 2, 4, 4), (3, 2, 3, 3)]),
    (lambda L, x, y: L.prelu(x, y), [(4, 3), (3,)]),
    (lambda L, x: L.max_pool1d(x, 2, [], 1), [(1, 2, 5)]),
    (lambda L, x: L.pdist(L.selu(x)), [(4, 3)]),
], ids=["cdist", "cdist_p1", "cdist_inf", "cdist_p05", "cdist_zero", "conv2d", "prelu",
        "max_pool1d", "pdist_selu"])
def test_cdist_and_torch_level_nn_ops(fn, shapes):
    same(fn, *shapes)


def test_cdist_mm_path_and_errors():
    # torch switches to the matmul expansion for p=2 beyond 25 rows
    same(lambda L, x, y: L.cdist(x, y), (30, 3), (4, 3), tol=1e-4)
    same(lambda L, x, y: L.cdist(x, y, compute_mode="use_mm_for_euclid_dist"), (3, 3), (4, 3),
         tol=1e-4)
    same_error(lambda L, x, y: L.cdist(x, y), (5, 3), (4, 2))
    same_error(lambda L, x, y: L.cdist(x, y), (3,), (4, 3))
    same_error(lambda L, x, y: L.cdist(x, y, p=-1), (5, 3), (4, 3))
    same_error(lambda L, x, y: L.cdist(x, y, compute_mode="x"), (5, 3), (4, 3))


def test_clip_grad_norm_deprecated_spelling():
    p = ember.nn.Parameter(ember.ones(2))
    p.grad = ember.ones(2)
    with pytest.warns(FutureWarning, match="nn.utils.clip_grad_norm_"):
        total = ember.nn.utils.clip_grad_norm([p], 1.0)
    assert abs(total.item() - 2 ** 0.5) < 1e-6
    assert issubclass(ember.nn.RNNCell, ember.nn.RNNCellBase)


# ---- AdaptiveLogSoftmaxWithLoss -------------------------------------------------------
def _asm(L, x):
    m = L.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4, 8], div_value=2.0, head_bias=True)
    out = m(x, L.tensor([0, 5, 9, 3, 7]))
    return out.output, out.loss, m.log_prob(x), m.predict(x).float()


def test_adaptive_log_softmax():
    same(_asm, (5, 8))
    same(lambda L, x: L.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4])(x, L.tensor(6)).output, (8,))
    same_error(lambda L, x: L.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4])(
        x, L.tensor([0, 10])).output, (2, 8))
    same_error(lambda L: L.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4, 4]))
    same_repr("nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4, 8], div_value=2.0, head_bias=True)")


# ---- lazy modules ---------------------------------------------------------------------------
def _lazy(make):
    def fn(L, x):
        m = make(L)
        y = m(x)
        return (y,) + tuple(t.detach() for t in m.state_dict().values()
                            if t.dtype.is_floating_point)
    return fn


@pytest.mark.parametrize("make,shape", [
    (lambda L: L.nn.Sequential(L.nn.LazyLinear(4), L.nn.ReLU(), L.nn.LazyLinear(2)), (3, 5)),
    (lambda L: L.nn.LazyConv2d(4, 3, padding=1, groups=2), (2, 2, 5, 5)),
    (lambda L: L.nn.LazyConv1d(4, 3, bias=False), (2, 3, 5)),
    (lambda L: L.nn.LazyConv3d(2, 2), (3, 4, 4, 4)),
    (lambda L: L.nn.LazyConvTranspose2d(4, 3, stride=2), (2, 3, 4, 4)),
    (lambda L: L.nn.LazyBatchNorm2d(), (2, 3, 4, 4)),
    (lambda L: L.nn.LazyBatchNorm1d(affine=False), (4, 3)),
    (lambda L: L.nn.LazyInstanceNorm2d(affine=True), (2, 3, 4, 4)),
], ids=["linear", "conv2d", "conv1d", "conv3d_unbatched", "convT2d", "bn2d", "bn1d", "in2d"])
def test_lazy_modules(make, shape):
    same(_lazy(make), shape)


def test_lazy_module_lifecycle():
    rows = []
    for L in (torch, ember):
        L.manual_seed(0)

        def make(L=L):
            return L.nn.Sequential(L.nn.LazyConv2d(4, 3), L.nn.LazyBatchNorm2d(),
                                   L.nn.Flatten(), L.nn.LazyLinear(3))
        net = make()
        row = [repr(net), {k: repr(v) for k, v in net.state_dict().items()},
               repr(net[0].weight), net[0].has_uninitialized_params()]
        opt = L.optim.SGD(net.parameters(), lr=0.1)         # placeholders keep identity
        net(L.ones(2, 3, 5, 5)).sum().backward()
        opt.step()
        row += [repr(net), type(net[3]).__name__, list(net.state_dict())]
        weights = net[3].weight.detach().numpy().copy()
        n2 = make()
        row += [str(n2.load_state_dict(net.state_dict())), type(n2[0]).__name__,
                list(n2[0].weight.shape)]
        rows.append((row, weights))
    assert rows[0][0] == rows[1][0]
    np.testing.assert_allclose(rows[1][1], rows[0][1], rtol=1e-4, atol=1e-5)


# ---- swa_utils, Module helpers, nn.modules.utils, nn.attention ---------------------------
@pytest.mark.parametrize("kind", ["swa", "ema_multi", "ema_fn_buffers", "swa_multi"])
def test_swa_utils(kind):
    res = []
    for L in (torch, ember):
        S = L.optim.swa_utils
        L.manual_seed(0)
        net = L.nn.Sequential(L.nn.Linear(3, 5), L.nn.BatchNorm1d(5), L.nn.ReLU(),
                              L.nn.Linear(5, 2))
        kw = {"swa": {}, "ema_multi": {"multi_avg_fn": S.get_ema_multi_avg_fn(0.9)},
              "ema_fn_buffers": {"avg_fn": S.get_ema_avg_fn(0.8), "use_buffers": True},
              "swa_multi": {"multi_avg_fn": S.get_swa_multi_avg_fn()}}[kind]
        avg = S.AveragedModel(net, **kw)
        opt = L.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
        sched = S.SWALR(opt, swa_lr=0.05, anneal_epochs=3,
                        anneal_strategy="linear" if kind == "ema_multi" else "cos")
        rng = np.random.default_rng(0)
        x = L.tensor(rng.standard_normal((8, 3)).astype("float32"))
        y = L.tensor(rng.standard_normal((8, 2)).astype("float32"))
        lrs = []
        for _ in range(8):
            opt.zero_grad()
            ((net(x) - y) ** 2).mean().backward()
            opt.step()
            sched.step()
            lrs.append(sched.get_last_lr()[0])
            avg.update_parameters(net)
        S.update_bn([x[:4], (x[4:],)], avg)
        values = [avg(x).detach().numpy()] + [v.detach().numpy().astype(float)
                                               for v in avg.state_dict().values()]
        res.append((values, lrs, sorted(sched.state_dict()), list(avg.state_dict()), repr(avg)))
    (tv, *trest), (ev, *erest) = res
    assert trest[1:] == erest[1:]
    np.testing.assert_allclose(erest[0], trest[0], rtol=1e-12)
    for t, e in zip(tv, ev):
        np.testing.assert_allclose(e, t, rtol=1e-5, atol=1e-6)


def test_module_helpers_and_small_namespaces():
    from ember.nn.attention import SDPBackend, sdpa_kernel
    from ember.nn.modules.utils import _pair, _triple, consume_prefix_in_state_dict_if_present
    assert _pair(3) == (3, 3) and _triple((1, 2, 3)) == (1, 2, 3)
    sd = {"module.a": 1, "module.b.c": 2}
    consume_prefix_in_state_dict_if_present(sd, "module.")
    assert sd == {"a": 1, "b.c": 2}
    with sdpa_kernel(SDPBackend.MATH):
        pass
    assert int(SDPBackend.FLASH_ATTENTION) == 1
    outs = []
    for L in (torch, ember):
        bag = L.nn.EmbeddingBag.from_pretrained(L.tensor([[1., 2], [3, 4], [5, 6]]), mode="sum")
        m = L.nn.Sequential(L.nn.Linear(2, 2), L.nn.BatchNorm1d(2))
        m.set_submodule("0", L.nn.Identity())
        with pytest.raises(AttributeError) as info:
            m.get_buffer("1.weight")
        outs.append((repr(bag), bag.weight.requires_grad,
                     bag(L.tensor([[0, 2]])).numpy().tolist(), repr(m),
                     m.get_buffer("1.running_var").numpy().tolist(), str(info.value)))
    assert outs[0] == outs[1]


def _functional_call(L, w, x):
    m = L.nn.Sequential(L.nn.Linear(3, 4), L.nn.BatchNorm1d(4))
    fc = L.nn.utils.stateless.functional_call
    out = fc(m, {"0.weight": w, "1.running_mean": L.ones(4)}, (x,))
    m.eval()
    out2 = fc(m, {"0.weight": w, "1.running_mean": L.ones(4)}, x)
    return out + out2, m[0].weight.detach(), m[1].running_mean


def _functional_call_tied(L, w, x):
    lin = L.nn.Linear(3, 3, bias=False)
    return L.nn.utils.stateless.functional_call(L.nn.Sequential(lin, lin), {"0.weight": w}, x)


def test_functional_call():
    same(_functional_call, (4, 3), (5, 3))
    same(_functional_call_tied, (3, 3), (2, 3))
    same_error(lambda L, w, x: L.nn.utils.stateless.functional_call(
        L.nn.Linear(3, 4), {"weight": w, "x": w}, x, strict=True), (4, 3), (5, 3))
