"""RNN / LSTM / GRU and their cells side by side with torch (same seed: same init)."""

import numpy as np
import pytest
import torch

import ember


def rnd(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def _run(make, x, hx=None, train=False, seed=0):
    res = []
    for lib in (torch, ember):
        lib.manual_seed(seed)
        m = make(lib).train(train)
        xi = lib.tensor(x, requires_grad=True)
        h = None
        if hx is not None:
            h = tuple(lib.tensor(a, requires_grad=True) for a in hx)
            h = h if len(h) > 1 else h[0]
        out = m(xi) if h is None else m(xi, h)
        flat = list(out) if isinstance(out, tuple) else [out]
        flat = [f for o in flat for f in (o if isinstance(o, tuple) else (o,))]
        loss = sum((f * lib.tensor(rnd(*f.shape, seed=i + 5))).sum() for i, f in enumerate(flat))
        loss.backward()
        grads = [np.asarray(xi.grad)] + [np.asarray(p.grad) for p in m.parameters()]
        res.append(([np.asarray(f.detach()) for f in flat], grads, repr(m),
                    list(m.state_dict())))
    (to, tg, tr, tk), (eo, eg, er, ek) = res
    assert er == tr and ek == tk
    for e, t in zip(eo, to):
        np.testing.assert_allclose(e, t, rtol=1e-5, atol=1e-6)
    for e, t in zip(eg, tg):
        np.testing.assert_allclose(e, t, rtol=1e-4, atol=1e-5)


CASES = [
    ("lstm", lambda L: L.nn.LSTM(3, 4), (5, 2, 3)),
    ("lstm_bi_2l_bf", lambda L: L.nn.LSTM(3, 4, 2, batch_first=True, bidirectional=True),
     (2, 5, 3)),
    ("lstm_nobias_unbatched", lambda L: L.nn.LSTM(3, 2, bias=False), (4, 3)),
    ("gru_2l", lambda L: L.nn.GRU(3, 4, num_layers=2), (5, 2, 3)),
    ("gru_bi", lambda L: L.nn.GRU(3, 4, bidirectional=True), (3, 2, 3)),
    ("rnn_tanh", lambda L: L.nn.RNN(3, 4, 2), (5, 2, 3)),
    ("rnn_relu_bf", lambda L: L.nn.RNN(3, 4, nonlinearity="relu", batch_first=True),
     (2, 5, 3)),
]


@pytest.mark.parametrize("name,make,shape", CASES, ids=[c[0] for c in CASES])
def test_rnn_layers(name, make, shape):
    _run(make, rnd(*shape))


def test_given_hidden_state():
    _run(lambda L: L.nn.LSTM(3, 4, 2), rnd(5, 2, 3), hx=(rnd(2, 2, 4, seed=1),
                                                          rnd(2, 2, 4, seed=2)))
    _run(lambda L: L.nn.GRU(3, 4, bidirectional=True), rnd(5, 2, 3), hx=(rnd(2, 2, 4, seed=1),))


def test_cells():
    _run(lambda L: L.nn.LSTMCell(3, 4), rnd(2, 3), hx=(rnd(2, 4, seed=1), rnd(2, 4, seed=2)))
    _run(lambda L: L.nn.GRUCell(3, 4), rnd(2, 3))
    _run(lambda L: L.nn.RNNCell(3, 4, nonlinearity="relu"), rnd(3), hx=(rnd(4, seed=1),))
    _run(lambda L: L.nn.RNNCell(3, 4, bias=False), rnd(2, 3))


def test_errors_and_warnings():
    with pytest.warns(UserWarning, match="dropout option adds dropout after all but last"):
        ember.nn.LSTM(3, 4, dropout=0.5)
    m = ember.nn.GRU(3, 4)
    with pytest.raises(RuntimeError, match="input.size\\(-1\\) must be equal to input_size"):
        m(ember.zeros(5, 2, 2))
    with pytest.raises(ValueError, match="Unknown nonlinearity 'gelu'"):
        ember.nn.RNN(3, 4, nonlinearity="gelu")


def test_dropout_between_layers_trains():
    m = ember.nn.LSTM(3, 4, num_layers=2, dropout=0.5)
    out, _ = m(ember.tensor(rnd(5, 2, 3)))
    out.sum().backward()
    assert m.weight_ih_l0.grad is not None


@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_packed_sequences(enforce_sorted):
    lengths = [5, 3, 2] if enforce_sorted else [2, 5, 3]
    x = rnd(5, 3, 4)
    res = []
    for lib in (torch, ember):
        R = lib.nn.utils.rnn
        lib.manual_seed(0)
        lstm = lib.nn.LSTM(4, 3, num_layers=2, bidirectional=True)
        xi = lib.tensor(x, requires_grad=True)
        packed = R.pack_padded_sequence(xi, lengths, enforce_sorted=enforce_sorted)
        h0 = lib.tensor(rnd(4, 3, 3, seed=1))
        out, (h, c) = lstm(packed, (h0, h0 * 0.5))
        padded, lens = R.pad_packed_sequence(out, total_length=6, padding_value=-1.0)
        ((padded * lib.tensor(rnd(6, 3, 6, seed=2))).sum() + h.sum() + c.sum()).backward()
        seqs = [lib.tensor(rnd(n, 2, seed=n)) for n in (3, 1, 4)]
        ps = R.pad_sequence(seqs, batch_first=True, padding_value=9.0)
        pk = R.pack_sequence(seqs, enforce_sorted=False)
        res.append([np.asarray(a.detach()) for a in (packed.data, packed.batch_sizes, padded,
                                                    lens, h, c, xi.grad, ps, pk.data,
                                                    lstm.weight_hh_l1_reverse.grad)])
    for e, t in zip(res[1], res[0]):
        np.testing.assert_allclose(e, t, rtol=1e-5, atol=1e-6)


# ---- the fused LSTM layer (one MkldnnRnnLayer node per layer and direction) --------------------
def test_lstm_layer_node_name_and_partial_outputs():
    # torch's CPU LSTM output comes from MkldnnRnnLayerBackward0; gradients reaching only h_n or
    # only c_n (no output gradient) go through the same BPTT
    for pick in (lambda o, h, c: h.sum(), lambda o, h, c: (c * 2).sum(),
                 lambda o, h, c: o[-1].sum() + h.sum()):
        res = []
        for lib in (torch, ember):
            lib.manual_seed(0)
            m = lib.nn.LSTM(3, 4, 2, bidirectional=True)
            x = lib.tensor(rnd(5, 2, 3), requires_grad=True)
            h0 = lib.tensor(rnd(4, 2, 4, seed=1), requires_grad=True)
            c0 = lib.tensor(rnd(4, 2, 4, seed=2), requires_grad=True)
            o, (h, c) = m(x, (h0, c0))
            pick(o, h, c).backward()
            res.append([np.asarray(t.grad) for t in (x, h0, c0, *m.parameters())])
        for e, t in zip(*res[::-1]):
            np.testing.assert_allclose(e, t, rtol=1e-4, atol=1e-5)
    names = []
    for lib in (torch, ember):
        o, _ = lib.nn.LSTM(3, 4)(lib.tensor(rnd(5, 2, 3), requires_grad=True))
        names.append(type(o.grad_fn).__name__)
    assert names[0] == names[1] == "MkldnnRnnLayerBackward0"


def test_lstm_layer_gradcheck_and_double_backward():
    ember.manual_seed(0)
    m = ember.nn.LSTM(2, 3, 2, bidirectional=True).double()
    x = ember.tensor(rnd(4, 2, 2).astype(np.float64), requires_grad=True)
    h0 = ember.tensor(rnd(4, 2, 3, seed=1).astype(np.float64), requires_grad=True)
    c0 = ember.tensor(rnd(4, 2, 3, seed=2).astype(np.float64), requires_grad=True)
    w = m.weight_hh_l0

    def f(x, h0, c0, w):          # w is the module's own weight (gradcheck perturbs it)
        o, (h, c) = m(x, (h0, c0))
        return o.sum() + (h * h).sum() + c.sum()
    assert ember.autograd.gradcheck(f, (x, h0, c0, w))
    assert ember.autograd.gradgradcheck(f, (x, h0, c0, w))


def test_lstm_layer_weight_changed_in_place_raises():
    for lib in (torch, ember):
        m = lib.nn.LSTM(3, 4)
        o, _ = m(lib.tensor(rnd(5, 2, 3)))
        with lib.no_grad():
            m.weight_hh_l0.mul_(2)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            o.sum().backward()
