"""MultiheadAttention, scaled_dot_product_attention and Transformer layers against torch."""

import warnings

import numpy as np
import pytest
import torch

import ember


def rnd(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def _run(make, fwd, shapes, train=False):
    outs = []
    for lib in (torch, ember):
        lib.manual_seed(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = make(lib).train(train)
        xs = [lib.tensor(rnd(*s, seed=i), requires_grad=True) for i, s in enumerate(shapes)]
        res = fwd(lib, m, *xs)
        res = res if isinstance(res, tuple) else (res,)
        res = [r for r in res if r is not None]
        (res[0] * lib.tensor(rnd(*res[0].shape, seed=9))).sum().backward()
        grads = [np.asarray(x.grad) for x in xs] + [np.asarray(p.grad) for p in m.parameters()
                                                     if p.grad is not None]
        outs.append(([np.asarray(r.detach()) for r in res], grads, repr(m),
                     list(m.state_dict())))
    (to, tg, tr, tk), (eo, eg, er, ek) = outs
    assert er == tr and ek == tk
    assert len(eo) == len(to) and len(eg) == len(tg)
    for e, t in zip(eo + eg, to + tg):
        np.testing.assert_allclose(e, t, rtol=1e-4, atol=2e-6)


CASES = [
    ("mha", lambda L: L.nn.MultiheadAttention(8, 2),
     lambda L, m, q, k, v: m(q, k, v), [(4, 3, 8), (5, 3, 8), (5, 3, 8)]),
    ("mha_kv_dims_bf_padding", lambda L: L.nn.MultiheadAttention(8, 2, kdim=4, vdim=6,
                                                                 batch_first=True),
     lambda L, m, q, k, v: m(q, k, v, key_padding_mask=L.tensor([[False] * 4 + [True]] * 3),
                             average_attn_weights=False), [(3, 4, 8), (3, 5, 4), (3, 5, 6)]),
    ("mha_float_mask_unbatched", lambda L: L.nn.MultiheadAttention(4, 1, bias=False),
     lambda L, m, q: m(q, q, q, attn_mask=L.tensor(rnd(3, 3, seed=5))), [(3, 4)]),
    ("mha_bool_mask_no_weights", lambda L: L.nn.MultiheadAttention(6, 3),
     lambda L, m, q: m(q, q, q, need_weights=False,
                       attn_mask=L.tensor(np.triu(np.ones((4, 4), bool), 1))), [(4, 2, 6)]),
    ("encoder_layer_causal", lambda L: L.nn.TransformerEncoderLayer(8, 2, 16),
     lambda L, m, x: m(x, src_mask=L.nn.Transformer.generate_square_subsequent_mask(5)),
     [(5, 3, 8)]),
    ("encoder_layer_prenorm_gelu", lambda L: L.nn.TransformerEncoderLayer(
        8, 2, 16, batch_first=True, norm_first=True, activation="gelu"),
     lambda L, m, x: m(x), [(3, 5, 8)]),
    ("encoder", lambda L: L.nn.TransformerEncoder(L.nn.TransformerEncoderLayer(8, 2, 16), 2,
                                                  L.nn.LayerNorm(8)),
     lambda L, m, x: m(x, src_key_padding_mask=L.tensor([[False] * 4 + [True]] * 3)),
     [(5, 3, 8)]),
    ("decoder_layer", lambda L: L.nn.TransformerDecoderLayer(8, 2, 16),
     lambda L, m, t, s: m(t, s), [(4, 3, 8), (5, 3, 8)]),
    ("transformer", lambda L: L.nn.Transformer(8, 2, 2, 2, 16),
     lambda L, m, s, t: m(s, t, tgt_mask=L.nn.Transformer.generate_square_subsequent_mask(4)),
     [(5, 3, 8), (4, 3, 8)]),
]


@pytest.mark.parametrize("name,make,fwd,shapes", CASES, ids=[c[0] for c in CASES])
def test_attention_modules(name, make, fwd, shapes):
    _run(make, fwd, shapes)


@pytest.mark.parametrize("kw", [{}, {"is_causal": True}, {"scale": 0.3},
                                {"attn_mask": "bool"}, {"attn_mask": "float"}])
def test_scaled_dot_product_attention(kw):
    q, k, v = rnd(2, 3, 4, 5), rnd(2, 3, 6, 5, seed=1), rnd(2, 3, 6, 5, seed=2)
    res = []
    for lib in (torch, ember):
        args = dict(kw)
        if kw.get("attn_mask") == "bool":
            args["attn_mask"] = lib.tensor(rnd(4, 6, seed=3) > -0.5)
        elif kw.get("attn_mask") == "float":
            args["attn_mask"] = lib.tensor(rnd(4, 6, seed=3))
        ts = [lib.tensor(a, requires_grad=True) for a in (q, k, v)]
        out = lib.nn.functional.scaled_dot_product_attention(*ts, **args)
        out.sum().backward()
        res.append([np.asarray(out.detach())] + [np.asarray(t.grad) for t in ts])
    for e, t in zip(res[1], res[0]):
        np.testing.assert_allclose(e, t, rtol=1e-5, atol=1e-6)
