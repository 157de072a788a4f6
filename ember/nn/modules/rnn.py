"""torch.nn RNN, LSTM, GRU and their cells, with torch's parameter names, layout and init.

The input projections of a whole sequence are one matmul per layer and direction; the
recurrence is a Python loop over time steps built from ember ops, so autograd is exact.
"""

from __future__ import annotations

import math
import warnings

import ember

from ..._tensor import Tensor, _new
from ...autograd.grad_mode import GRAD_ENABLED
from ...backend import array_module
from ...ops._registry import make_dispatcher
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


def _time_order(n: int, reverse: bool) -> range:
    """The steps of a direction in the order it runs them."""
    return range(n - 1, -1, -1) if reverse else range(n)


def _step_weight(w_hh: Tensor) -> Tensor:
    """w_hh for a sequence's step GEMMs: the same values with a contiguous transpose, made once
    per sequence (F.linear's h @ W.T on a transposed view ran ~1.7x slower in OpenBLAS)."""
    return w_hh.t().contiguous().t()


def _rnn_step(x_proj, h, w_hh, b_hh, mode):
    g = x_proj + F.linear(h, w_hh, b_hh)
    return ember.tanh(g) if mode == "RNN_TANH" else ember.relu(g)


def _lstm_grads(i, f, g, o, c, tc, gh, gc, cat):
    """The LSTM cell's gate and cell-state gradients; works on raw arrays or on Tensors."""
    gct = 0 if gc is None else gc
    if gh is not None:
        gct = gct + gh * o * (1 - tc * tc)
    gi = gct * g * (i * (1 - i))
    gf = gct * c * (f * (1 - f))
    gg = gct * i * (1 - g * g)
    go = 0 * o if gh is None else gh * tc * (o * (1 - o))
    return cat((gi, gf, gg, go)), gct * f


def _lstm_cell_arrays(xp, gates, c0):
    """One LSTM cell on raw arrays: gate activations i, f, g, o, the new cell and its tanh.
    The same float formulas as ember.sigmoid / ember.tanh, so values equal the unfused graph's."""
    H = gates.shape[-1] // 4
    sg = 1 / (1 + xp.exp(-gates[..., :2 * H]))
    i, f = sg[..., :H], sg[..., H:]
    g = xp.tanh(gates[..., 2 * H:3 * H])
    o = 1 / (1 + xp.exp(-gates[..., 3 * H:]))
    c1 = f * c0 + i * g
    return i, f, g, o, c1, xp.tanh(c1)


def _lstm_cell_fn(x_proj, hh, c):
    # gates = x_proj + hh, then the cell's elementwise work as one node
    xp = array_module(x_proj._array)
    c0 = c._array
    i, f, g, o, c1, tc = _lstm_cell_arrays(xp, x_proj._array + hh._array, c0)

    def backward(gh, gc):
        if GRAD_ENABLED[0]:           # create_graph: recompute with ember ops (differentiable)
            gi, gf, gt, go = (x_proj + hh).chunk(4, -1)
            i_, f_, o_ = ember.sigmoid(gi), ember.sigmoid(gf), ember.sigmoid(go)
            g_ = ember.tanh(gt)
            tc_ = ember.tanh(f_ * c + i_ * g_)
            ga, gcp = _lstm_grads(i_, f_, g_, o_, c, tc_, gh, gc, lambda t: ember.cat(t, -1))
        else:
            ga, gcp = _lstm_grads(i, f, g, o, c0, tc, None if gh is None else gh._array,
                                  None if gc is None else gc._array,
                                  lambda t: xp.concatenate(t, -1))
            ga, gcp = _new(ga), _new(gcp)
        return ga, ga, gcp
    return (o * tc, c1), backward, {"name": "LstmCellBackward0"}


_lstm_cell = make_dispatcher(_lstm_cell_fn, "_lstm_cell", multi=True)
_FUSED_DTYPES = (ember.float32, ember.float64)


def _mkldnn_rnn_layer_fn(xs, h, c, w_hh, b_hh, reverse=False):
    """One direction of one LSTM layer as a single node (torch's MkldnnRnnLayer): the time loop
    runs on raw arrays, its backward is BPTT on raw arrays with the recurrent weight's gradient
    as one GEMM over all steps. Per-step nodes spent as long in dispatch and small GEMMs as in
    the arithmetic. Returns (outputs (T, B, H), h_T, c_T); the values equal the per-step path's.
    """
    from ...ops.linalg import _mm
    xp = array_module(xs._array)
    x, W = xs._array, w_hh._array
    WT = xp.ascontiguousarray(W.T)
    b = None if b_hh is None else b_hh._array
    T, B, G = x.shape
    saved = [None] * T                       # per step: i, f, g, o, c_prev, tanh(c), h_prev
    hs = xp.empty((T, B, G // 4), x.dtype)
    ht, ct = h._array, c._array
    for t in _time_order(T, reverse):
        hh = _mm(xp, ht, WT)                 # as addmm(b_hh, h, w_hh.T) in the per-step path
        if b is not None:
            hh += b
        i, f, g, o, c1, tc = _lstm_cell_arrays(xp, x[t] + hh, ct)
        saved[t] = (i, f, g, o, ct, tc, ht)
        ht, ct = o * tc, c1
        hs[t] = ht

    def backward(ghs, ght, gct):
        if GRAD_ENABLED[0]:
            return _lstm_layer_graph_grads(xs, h, c, w_hh, b_hh, reverse, (ghs, ght, gct))
        gh_all = None if ghs is None else ghs._array
        dh = None if ght is None else ght._array
        dc = None if gct is None else gct._array
        dg = xp.empty((T, B, G), x.dtype)
        for t in _time_order(T, not reverse):
            i, f, g, o, cp, tc, _ = saved[t]
            gh = dh if gh_all is None else (gh_all[t] if dh is None else dh + gh_all[t])
            dg[t], dc = _lstm_grads(i, f, g, o, cp, tc, gh, dc,
                                    lambda parts: xp.concatenate(parts, -1))
            dh = _mm(xp, dg[t], W)
        gw = gb = None
        if w_hh._requires_grad:
            hp = xp.stack([s_[6] for s_ in saved]).reshape(T * B, -1)
            gw = _new(xp.matmul(dg.reshape(T * B, G).T, hp))
        if b_hh is not None and b_hh._requires_grad:
            gb = _new(dg.sum(axis=(0, 1)))
        return _new(dg), _new(dh), _new(dc), gw, gb
    return (hs, ht, ct), backward, {"name": "MkldnnRnnLayerBackward0"}


def _lstm_layer_graph_grads(xs, h, c, w_hh, b_hh, reverse, grads):
    """create_graph through a fused layer: rebuild it from per-step ops and differentiate that
    graph (so the gradients are themselves differentiable)."""
    T = xs.shape[0]
    hs = [None] * T
    ht, ct = h, c
    for t in _time_order(T, reverse):
        ht, ct = _lstm_step(xs[t], ht, ct, w_hh, b_hh)
        hs[t] = ht
    outs = [o for o, g in zip((ember.stack(hs, 0), ht, ct), grads) if g is not None]
    gouts = [g for g in grads if g is not None]
    args = (xs, h, c, w_hh, b_hh)
    want = [a for a in args if a is not None and a.requires_grad]
    got = iter(ember.autograd.grad(outs, want, gouts, create_graph=True, allow_unused=True))
    return tuple(next(got) if a is not None and a.requires_grad else None for a in args)


_mkldnn_rnn_layer = make_dispatcher(_mkldnn_rnn_layer_fn, "_mkldnn_rnn_layer", multi=True)


def _fusable(x_proj, h, c, w_hh, w_hr) -> bool:
    """Whether a layer can run as one _mkldnn_rnn_layer node (the common batched case)."""
    dt = x_proj.dtype
    return (w_hr is None and dt in _FUSED_DTYPES and h.dtype == dt and c.dtype == dt
            and w_hh.dtype == dt and x_proj.dim() == 3 and x_proj.shape[0] > 0
            and h.dim() == 2 and tuple(c.shape) == tuple(h.shape)
            and x_proj.shape[1] == h.shape[0] and x_proj.shape[2] == 4 * h.shape[1]
            and tuple(w_hh.shape) == (x_proj.shape[2], h.shape[1]))


def _lstm_step(x_proj, h, c, w_hh, b_hh, w_hr=None):
    hh = F.linear(h, w_hh, b_hh)
    dt = hh.dtype
    if (dt not in _FUSED_DTYPES or x_proj.dtype != dt or c.dtype != dt
            or x_proj.shape != hh.shape or c.shape != hh.shape[:-1] + (hh.shape[-1] // 4,)):
        gates = x_proj + hh                   # unusual shapes/dtypes: the plain graph
        i, f, g, o = gates.chunk(4, -1)
        c = ember.sigmoid(f) * c + ember.sigmoid(i) * ember.tanh(g)
        h = ember.sigmoid(o) * ember.tanh(c)
    else:
        h, c = _lstm_cell(x_proj, hh, c)
    # proj_size > 0: the hidden state is projected down by weight_hr (no bias)
    return (h if w_hr is None else F.linear(h, w_hr)), c


def _gru_step(x_proj, h, w_hh, b_hh):
    gh = F.linear(h, w_hh, b_hh)
    ir, iz, in_ = x_proj.chunk(3, -1)
    hr, hz, hn = gh.chunk(3, -1)
    r = ember.sigmoid(ir + hr)
    z = ember.sigmoid(iz + hz)
    n = ember.tanh(in_ + r * hn)
    return (1 - z) * n + z * h


class RNNBase(Module):
    """torch.nn.RNNBase: the multi-layer, optionally bidirectional recurrence."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None,
                 dtype=None) -> None:
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_directions = 2 if bidirectional else 1
        if not isinstance(dropout, (int, float)) or not 0 <= dropout <= 1 or isinstance(
                dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                          "non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}", stacklevel=2)
        if not isinstance(hidden_size, int) or hidden_size <= 0:
            raise ValueError("hidden_size must be an integer greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be an integer greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        gate_size = _GATES[mode] * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names = []
        for layer in range(num_layers):
            for direction in range(num_directions):
                layer_input = input_size if layer == 0 else real_hidden * num_directions
                suffix = "_reverse" if direction == 1 else ""
                shapes = [("weight_ih", (gate_size, layer_input)),
                          ("weight_hh", (gate_size, real_hidden))]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                if proj_size > 0:
                    shapes += [("weight_hr", (proj_size, hidden_size))]
                for name, shape in shapes:
                    full = f"{name}_l{layer}{suffix}"
                    setattr(self, full, Parameter(ember.empty(shape, device=device,
                                                              dtype=dtype)))
                    self._flat_weights_names.append(full)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """uniform_(-1/sqrt(hidden_size), 1/sqrt(hidden_size)) for every weight, in order."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    @property
    def all_weights(self) -> list:
        per = (4 if self.bias else 2) + (self.proj_size > 0)
        ws = [getattr(self, n) for n in self._flat_weights_names]
        return [ws[i:i + per] for i in range(0, len(ws), per)]

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    def _weights(self, layer: int, direction: int):
        suffix = "_reverse" if direction == 1 else ""
        get = (lambda n: getattr(self, f"{n}_l{layer}{suffix}"))
        if self.bias:
            return get("weight_ih"), get("weight_hh"), get("bias_ih"), get("bias_hh")
        return get("weight_ih"), get("weight_hh"), None, None

    def _w_hr(self, layer: int, direction: int):
        if self.proj_size == 0:
            return None
        return getattr(self, f"weight_hr_l{layer}{'_reverse' if direction == 1 else ''}")

    def _zero_hidden(self, batch: int, like: Tensor):
        num_dir = 2 if self.bidirectional else 1
        h = ember.zeros(self.num_layers * num_dir, batch, self.proj_size or self.hidden_size,
                        dtype=like.dtype, device=like.device)
        if self.mode != "LSTM":
            return h
        c = h if not self.proj_size else ember.zeros(
            self.num_layers * num_dir, batch, self.hidden_size, dtype=like.dtype,
            device=like.device)
        return h, c

    def _check_hidden(self, hx, batch: int) -> None:
        num_dir = 2 if self.bidirectional else 1
        lead = (self.num_layers * num_dir, batch)
        if self.mode != "LSTM":
            checks = [(hx, lead + (self.hidden_size,), "Expected hidden size")]
        else:
            checks = [(hx[0], lead + (self.proj_size or self.hidden_size,),
                       "Expected hidden[0] size"),
                      (hx[1], lead + (self.hidden_size,), "Expected hidden[1] size")]
        for t, expected, msg in checks:
            if tuple(t.shape) != expected:
                raise RuntimeError(f"{msg} {expected}, got {list(t.shape)}")

    def _check_input(self, input: Tensor) -> bool:
        if input.dim() not in (2, 3):
            raise ValueError(f"{type(self).__name__}: Expected input to be 2D or 3D, got "
                             f"{input.dim()}D tensor instead")
        if input.size(-1) != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.size(-1)}")
        return input.dim() == 3

    def _step(self, x_t, h, c, w_hh, b_hh, w_hr=None):
        if self.mode == "LSTM":
            return _lstm_step(x_t, h, c, w_hh, b_hh, w_hr)
        if self.mode == "GRU":
            return _gru_step(x_t, h, w_hh, b_hh), None
        return _rnn_step(x_t, h, w_hh, b_hh, self.mode), None

    def _forward_packed(self, packed, hx):
        """The recurrence over a PackedSequence: step t updates the first batch_sizes[t] rows."""
        from ..utils.rnn import PackedSequence
        data, bs_t, sorted_idx, unsorted_idx = packed
        bs = [int(b) for b in bs_t.tolist()]
        offs = [0]
        for b in bs:
            offs.append(offs[-1] + b)
        batch = bs[0] if bs else 0
        is_lstm = self.mode == "LSTM"
        num_dir = 2 if self.bidirectional else 1
        if hx is None:
            hx = self._zero_hidden(batch, data)
        elif sorted_idx is not None:
            # hx comes in the caller's batch order
            hx = tuple(h.index_select(1, sorted_idx) for h in hx) if is_lstm else \
                hx.index_select(1, sorted_idx)
        h0, c0 = hx if is_lstm else (hx, None)
        layer_input = data
        h_n, c_n = [], []
        for layer in range(self.num_layers):
            outs = []
            for d in range(num_dir):
                w_ih, w_hh, b_ih, b_hh = self._weights(layer, d)
                w_hh = _step_weight(w_hh)
                h = h0[layer * num_dir + d]
                c = c0[layer * num_dir + d] if is_lstm else None
                x_proj = F.linear(layer_input, w_ih, b_ih)
                steps = _time_order(len(bs), d == 1)
                rows = [None] * len(bs)
                for t in steps:
                    b = bs[t]
                    hn, cn = self._step(x_proj[offs[t]:offs[t + 1]], h[:b],
                                        c[:b] if is_lstm else None, w_hh, b_hh,
                                        self._w_hr(layer, d))
                    rows[t] = hn
                    h = hn if b == batch else ember.cat([hn, h[b:]], 0)
                    if is_lstm:
                        c = cn if b == batch else ember.cat([cn, c[b:]], 0)
                outs.append(ember.cat(rows, 0))
                h_n.append(h)
                if is_lstm:
                    c_n.append(c)
            layer_input = outs[0] if num_dir == 1 else ember.cat(outs, 1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_input = F.dropout(layer_input, self.dropout, True)
        hidden = [ember.stack(h_n, 0)] + ([ember.stack(c_n, 0)] if is_lstm else [])
        if unsorted_idx is not None:
            hidden = [h.index_select(1, unsorted_idx) for h in hidden]
        out = PackedSequence(layer_input, bs_t, sorted_idx, unsorted_idx)
        return out, (tuple(hidden) if is_lstm else hidden[0])

    def forward(self, input: Tensor, hx=None):
        from ..utils.rnn import PackedSequence
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        batched = self._check_input(input)
        is_lstm = self.mode == "LSTM"
        if not batched:
            input = input.unsqueeze(1)
            if hx is not None:
                hx = tuple(h.unsqueeze(1) for h in hx) if is_lstm else hx.unsqueeze(1)
        elif self.batch_first:
            input = input.transpose(0, 1)
        seq_len, batch = input.size(0), input.size(1)
        num_dir = 2 if self.bidirectional else 1
        if hx is None:
            hx = self._zero_hidden(batch, input)
        self._check_hidden(hx, batch)
        h0, c0 = hx if is_lstm else (hx, None)
        layer_input = input
        h_n, c_n = [], []
        for layer in range(self.num_layers):
            outs = []
            for d in range(num_dir):
                w_ih, w_hh, b_ih, b_hh = self._weights(layer, d)
                idx = layer * num_dir + d
                h = h0[idx]
                c = c0[idx] if is_lstm else None
                w_hr = self._w_hr(layer, d)
                x_proj = F.linear(layer_input, w_ih, b_ih)          # (seq, batch, gates)
                if is_lstm and _fusable(x_proj, h, c, w_hh, w_hr):
                    out, h, c = _mkldnn_rnn_layer(x_proj, h, c, w_hh, b_hh, reverse=d == 1)
                    outs.append(out)
                    h_n.append(h)
                    c_n.append(c)
                    continue
                w_hh = _step_weight(w_hh)
                steps = _time_order(seq_len, d == 1)
                hs = [None] * seq_len
                # one multi-output node: backward stacks the step grads (no zero-padded slices)
                xs = x_proj.unbind(0) if seq_len else ()
                for t in steps:
                    if is_lstm:
                        h, c = _lstm_step(xs[t], h, c, w_hh, b_hh, w_hr)
                    elif self.mode == "GRU":
                        h = _gru_step(xs[t], h, w_hh, b_hh)
                    else:
                        h = _rnn_step(xs[t], h, w_hh, b_hh, self.mode)
                    hs[t] = h
                outs.append(ember.stack(hs, 0) if seq_len else layer_input[:, :, :0])
                h_n.append(h)
                if is_lstm:
                    c_n.append(c)
            layer_input = outs[0] if num_dir == 1 else ember.cat(outs, 2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_input = F.dropout(layer_input, self.dropout, True)
        output = layer_input
        h_n = ember.stack(h_n, 0)
        hidden = (h_n, ember.stack(c_n, 0)) if is_lstm else h_n
        if not batched:
            output = output.squeeze(1)
            hidden = tuple(h.squeeze(1) for h in hidden) if is_lstm else hidden.squeeze(1)
        elif self.batch_first:
            output = output.transpose(0, 1)
        return output, hidden


class RNN(RNNBase):
    """torch.nn.RNN (nonlinearity 'tanh' or 'relu')."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, device=None,
                 dtype=None) -> None:
        if nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             "'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__(mode, input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, 0, device, dtype)


class LSTM(RNNBase):
    """torch.nn.LSTM (gates i, f, g, o)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None,
                 dtype=None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device, dtype)


class GRU(RNNBase):
    """torch.nn.GRU (gates r, z, n)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, device=None, dtype=None) -> None:
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, 0, device, dtype)


class RNNCellBase(Module):
    """torch.nn.RNNCellBase."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device=None, dtype=None) -> None:
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        fk = {"device": device, "dtype": dtype}
        self.weight_ih = Parameter(ember.empty((num_chunks * hidden_size, input_size), **fk))
        self.weight_hh = Parameter(ember.empty((num_chunks * hidden_size, hidden_size), **fk))
        if bias:
            self.bias_ih = Parameter(ember.empty(num_chunks * hidden_size, **fk))
            self.bias_hh = Parameter(ember.empty(num_chunks * hidden_size, **fk))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += f", bias={self.bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def reset_parameters(self) -> None:
        """uniform_(-1/sqrt(hidden_size), 1/sqrt(hidden_size)) for every weight, in order."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _prep(self, input: Tensor, hx, n_states: int):
        if input.dim() not in (1, 2):
            raise ValueError(f"{type(self).__name__}: Expected input to be 1D or 2D, got "
                             f"{input.dim()}D instead")
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
        if hx is None:
            z = ember.zeros(input.size(0), self.hidden_size, dtype=input.dtype,
                            device=input.device)
            hx = (z, z) if n_states == 2 else z
        elif not batched:
            hx = tuple(h.unsqueeze(0) for h in hx) if n_states == 2 else hx.unsqueeze(0)
        return input, hx, batched


class RNNCell(RNNCellBase):
    """torch.nn.RNNCell."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        input, hx, batched = self._prep(input, hx, 1)
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        mode = "RNN_TANH" if self.nonlinearity == "tanh" else "RNN_RELU"
        h = _rnn_step(F.linear(input, self.weight_ih, self.bias_ih), hx, self.weight_hh,
                      self.bias_hh, mode)
        return h if batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    """torch.nn.LSTMCell."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input: Tensor, hx=None):
        input, (h, c), batched = self._prep(input, hx, 2)
        h, c = _lstm_step(F.linear(input, self.weight_ih, self.bias_ih), h, c, self.weight_hh,
                          self.bias_hh)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """torch.nn.GRUCell."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        input, hx, batched = self._prep(input, hx, 1)
        h = _gru_step(F.linear(input, self.weight_ih, self.bias_ih), hx, self.weight_hh,
                      self.bias_hh)
        return h if batched else h.squeeze(0)
