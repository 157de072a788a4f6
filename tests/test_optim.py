"""Optimizers and lr schedulers side by side with torch: same parameters after 20 steps."""

import copy

import numpy as np
import pytest
import torch

import ember


def _mlp(lib):
    lib.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Linear(3, 5), lib.nn.Tanh(), lib.nn.Linear(5, 2))


def _data():
    rng = np.random.default_rng(0)
    return rng.standard_normal((8, 3)).astype("float32"), rng.standard_normal(
        (8, 2)).astype("float32")


def _train(lib, make_opt, steps=20, closure=False, sched=None):
    net = _mlp(lib)
    x, y = (lib.tensor(a) for a in _data())
    opt = make_opt(lib, net)
    scheduler = sched(lib, opt) if sched else None
    ids = [id(p) for p in net.parameters()]
    losses, lrs = [], []
    for _ in range(steps):
        def f():
            opt.zero_grad()
            loss = ((net(x) - y) ** 2).mean()
            loss.backward()
            return loss
        if closure:
            loss = opt.step(f)
        else:
            loss = f()
            opt.step()
        losses.append(loss.item())
        if scheduler is not None:
            lrs.append(scheduler.get_last_lr()[0])
            scheduler.step()
    assert [id(p) for p in net.parameters()] == ids
    return net, opt, losses, lrs


CONFIGS = [
    ("sgd", lambda L, n: L.optim.SGD(n.parameters(), lr=0.1)),
    ("sgd_momentum", lambda L, n: L.optim.SGD(n.parameters(), lr=0.05, momentum=0.9,
                                              dampening=0.1, weight_decay=1e-2)),
    ("sgd_nesterov", lambda L, n: L.optim.SGD(n.parameters(), lr=0.05, momentum=0.9,
                                              nesterov=True, maximize=False)),
    ("sgd_groups", lambda L, n: L.optim.SGD([{"params": n[0].parameters()},
                                             {"params": n[2].parameters(), "lr": 0.01}],
                                            lr=0.1, momentum=0.5)),
    ("adam", lambda L, n: L.optim.Adam(n.parameters(), lr=0.01)),
    ("adam_amsgrad_wd", lambda L, n: L.optim.Adam(n.parameters(), lr=0.01, betas=(0.8, 0.99),
                                                  weight_decay=0.1, amsgrad=True)),
    ("adamw", lambda L, n: L.optim.AdamW(n.parameters(), lr=0.01)),
    ("adamw_amsgrad", lambda L, n: L.optim.AdamW(n.parameters(), lr=0.02, weight_decay=0.3,
                                                 amsgrad=True)),
    ("adadelta", lambda L, n: L.optim.Adadelta(n.parameters())),
    ("adadelta_wd", lambda L, n: L.optim.Adadelta(n.parameters(), lr=0.5, rho=0.8,
                                                  weight_decay=0.1)),
    ("rmsprop", lambda L, n: L.optim.RMSprop(n.parameters(), lr=0.01)),
    ("rmsprop_centered_mom", lambda L, n: L.optim.RMSprop(n.parameters(), lr=0.01, momentum=0.5,
                                                          centered=True, weight_decay=0.01)),
    ("adagrad", lambda L, n: L.optim.Adagrad(n.parameters(), lr=0.1)),
    ("adagrad_decay", lambda L, n: L.optim.Adagrad(n.parameters(), lr=0.1, lr_decay=0.01,
                                                   initial_accumulator_value=0.1,
                                                   weight_decay=0.01)),
    ("adam_maximize", lambda L, n: L.optim.Adam(n.parameters(), lr=0.001, maximize=True)),
    ("adamax", lambda L, n: L.optim.Adamax(n.parameters(), lr=0.02, weight_decay=0.01)),
    ("nadam", lambda L, n: L.optim.NAdam(n.parameters(), lr=0.01)),
    ("nadam_decoupled", lambda L, n: L.optim.NAdam(n.parameters(), lr=0.01, weight_decay=0.1,
                                                   decoupled_weight_decay=True)),
    ("radam", lambda L, n: L.optim.RAdam(n.parameters(), lr=0.01)),
    ("rprop", lambda L, n: L.optim.Rprop(n.parameters(), lr=0.01)),
    ("rprop_opts", lambda L, n: L.optim.Rprop(n.parameters(), lr=0.02, etas=(0.3, 1.5),
                                              step_sizes=(1e-4, 0.05), maximize=True)),
    ("radam_wd", lambda L, n: L.optim.RAdam(n.parameters(), lr=0.01, weight_decay=0.1)),
]


@pytest.mark.parametrize("name,make", CONFIGS, ids=[c[0] for c in CONFIGS])
def test_optimizer_matches_torch(name, make):
    tnet, topt, tl, _ = _train(torch, make)
    enet, eopt, el, _ = _train(ember, make)
    np.testing.assert_allclose(el, tl, rtol=2e-5, atol=1e-6)
    for (n, tp), (_, ep) in zip(tnet.named_parameters(), enet.named_parameters()):
        np.testing.assert_allclose(np.asarray(ep.detach()), tp.detach().numpy(), rtol=1e-4,
                                   atol=2e-6, err_msg=n)
    tsd, esd = topt.state_dict(), eopt.state_dict()
    assert esd["param_groups"] == tsd["param_groups"]
    assert list(esd["state"]) == list(tsd["state"])
    for k in tsd["state"]:
        assert list(esd["state"][k]) == list(tsd["state"][k])
        for key, tv in tsd["state"][k].items():
            ev = esd["state"][k][key]
            assert ev.dtype.name == str(tv.dtype).replace("torch.", "")
            np.testing.assert_allclose(np.asarray(ev), tv.numpy(), rtol=1e-4, atol=1e-5)
    assert repr(eopt) == repr(topt)


def test_closure_and_state_dict_roundtrip():
    make = CONFIGS[4][1]
    tnet, topt, tl, _ = _train(torch, make, steps=5, closure=True)
    enet, eopt, el, _ = _train(ember, make, steps=5, closure=True)
    np.testing.assert_allclose(el, tl, rtol=1e-5)
    # a fresh optimizer loaded from the state dict continues identically
    sd = copy.deepcopy(eopt.state_dict())
    opt2 = ember.optim.Adam(enet.parameters(), lr=0.5)
    opt2.load_state_dict(sd)
    assert opt2.param_groups[0]["lr"] == 0.01
    assert opt2.state[next(iter(enet.parameters()))]["step"].item() == 5


def test_optimizer_errors_and_zero_grad():
    p = ember.nn.Parameter(ember.ones(2))
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        ember.optim.SGD([p], lr=-1)
    with pytest.raises(ValueError, match="Nesterov momentum requires a momentum and zero"):
        ember.optim.SGD([p], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        ember.optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="params argument given to the optimizer should be an "
                                        "iterable of Tensors or dicts"):
        ember.optim.SGD(p, lr=0.1)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        ember.optim.SGD([p * 2], lr=0.1)
    with pytest.raises(ValueError, match="Invalid beta parameter at index 0: 1.0"):
        ember.optim.Adam([p], betas=(1.0, 0.9))
    opt = ember.optim.SGD([p], lr=0.1)
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter"):
        opt.add_param_group({"params": [p]})
    q = ember.nn.Parameter(ember.ones(3))
    opt.add_param_group({"params": q, "lr": 0.5})
    assert opt.param_groups[1]["lr"] == 0.5 and opt.param_groups[1]["momentum"] == 0
    (p.sum() + q.sum()).backward()
    opt.step()
    np.testing.assert_allclose(np.asarray(q.detach()), 0.5)
    opt.zero_grad(set_to_none=False)
    assert not np.any(np.asarray(p.grad))
    opt.zero_grad()
    assert p.grad is None


SCHEDS = [
    ("step", lambda L, o: L.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5)),
    ("multistep", lambda L, o: L.optim.lr_scheduler.MultiStepLR(o, [2, 5, 5, 9], 0.3)),
    ("exponential", lambda L, o: L.optim.lr_scheduler.ExponentialLR(o, 0.9)),
    ("lambda", lambda L, o: L.optim.lr_scheduler.LambdaLR(o, lambda e: 1 / (e + 1))),
    ("cosine", lambda L, o: L.optim.lr_scheduler.CosineAnnealingLR(o, T_max=6, eta_min=0.01)),
    ("linear", lambda L, o: L.optim.lr_scheduler.LinearLR(o, 0.2, 1.0, 6)),
    ("constant", lambda L, o: L.optim.lr_scheduler.ConstantLR(o, 0.5, 4)),
    ("polynomial", lambda L, o: L.optim.lr_scheduler.PolynomialLR(o, 8, 2.0)),
    ("warm_restarts", lambda L, o: L.optim.lr_scheduler.CosineAnnealingWarmRestarts(
        o, T_0=3, T_mult=2, eta_min=0.001)),
    ("one_cycle", lambda L, o: L.optim.lr_scheduler.OneCycleLR(o, max_lr=0.3, total_steps=25)),
    ("one_cycle_3", lambda L, o: L.optim.lr_scheduler.OneCycleLR(
        o, max_lr=0.2, epochs=5, steps_per_epoch=5, anneal_strategy="linear",
        three_phase=True)),
    ("sequential", lambda L, o: L.optim.lr_scheduler.SequentialLR(
        o, [L.optim.lr_scheduler.LinearLR(o, 0.1, total_iters=4),
            L.optim.lr_scheduler.ExponentialLR(o, 0.8)], milestones=[5])),
    ("cyclic", lambda L, o: L.optim.lr_scheduler.CyclicLR(o, 0.01, 0.1, step_size_up=3,
                                                          step_size_down=4)),
    ("cyclic_tri2", lambda L, o: L.optim.lr_scheduler.CyclicLR(
        o, 0.01, 0.1, step_size_up=2, mode="triangular2", cycle_momentum=False)),
    ("cyclic_exp", lambda L, o: L.optim.lr_scheduler.CyclicLR(
        o, [0.02], 0.1, step_size_up=3, mode="exp_range", gamma=0.9)),
    ("chained", lambda L, o: L.optim.lr_scheduler.ChainedScheduler(
        [L.optim.lr_scheduler.ConstantLR(o, 0.1, total_iters=2),
         L.optim.lr_scheduler.ExponentialLR(o, 0.9)])),
]


@pytest.mark.parametrize("name,make", SCHEDS, ids=[s[0] for s in SCHEDS])
def test_scheduler_matches_torch(name, make):
    opt = CONFIGS[1][1]
    tnet, topt, tl, tlr = _train(torch, opt, sched=make)
    enet, eopt, el, elr = _train(ember, opt, sched=make)
    assert elr == tlr
    np.testing.assert_allclose(el, tl, rtol=2e-5, atol=1e-6)
    tsd = make(torch, topt).state_dict()
    esd = make(ember, eopt).state_dict()
    assert list(esd) == list(tsd)


def test_reduce_lr_on_plateau():
    lrs, keys = [], []
    for lib in (torch, ember):
        p = lib.nn.Parameter(lib.ones(1))
        opt = lib.optim.SGD([p], lr=1.0)
        s = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=2, factor=0.5, cooldown=1,
                                                     min_lr=0.1)
        seq = []
        for metric in [5, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3]:
            s.step(metric)
            seq.append(s.get_last_lr()[0])
        lrs.append(seq)
        keys.append(list(s.state_dict()))
    assert lrs[0] == lrs[1]
    assert keys[0] == keys[1]


@pytest.mark.parametrize("line_search", [None, "strong_wolfe"])
def test_lbfgs_matches_torch(line_search):
    results = []
    for lib in (torch, ember):
        net = _mlp(lib)
        x, y = (lib.tensor(a) for a in _data())
        opt = lib.optim.LBFGS(net.parameters(), lr=0.5, max_iter=10, history_size=5,
                              line_search_fn=line_search)

        def closure(net=net, opt=opt, x=x, y=y):
            opt.zero_grad()
            loss = ((net(x) - y) ** 2).mean()
            loss.backward()
            return loss
        losses = [float(opt.step(closure)) for _ in range(3)]
        results.append((losses, [np.asarray(p.detach()) for p in net.parameters()],
                        opt.state[next(iter(net.parameters()))]["func_evals"]))
    (tl, tp, tf), (el, ep, ef) = results
    # L-BFGS amplifies float32 rounding differences (dot products) over its iterations
    assert ef == tf
    np.testing.assert_allclose(el, tl, rtol=1e-3)
    for e, t in zip(ep, tp):
        np.testing.assert_allclose(e, t, rtol=1e-2, atol=1e-4)
