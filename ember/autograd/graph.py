"""The autograd graph (Node) and the iterative backward engine."""

from __future__ import annotations

import heapq
import itertools
from sys import getrefcount as _refcount
from types import FunctionType

from numpy import ndarray as _ndarray

from .. import _dtype as _D
from ..backend import _cuda
from ..backend._cuda import MULTI_GPU as _MULTI_GPU
from .grad_mode import GRAD_ENABLED

_seq = itertools.count()
_BF16 = _D.bfloat16          # stored as float32: an in-place add would skip bf16 rounding

FREED_MSG = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through "
    "the graph a second time or if you need to access saved tensors after calling backward.")


class Node:
    """One recorded op: its backward closure and one edge per positional input.

    An edge is None (no gradient flows) or (target, output_index, shape, dtype), target being the
    producing Node or the leaf Tensor itself.
    """

    __slots__ = ("fn", "edges", "_name", "seq", "n_outputs", "saved", "pre_hooks", "hooks",
                 "retained", "__weakref__", "ctx")

    def __init__(self, fn, edges, name, n_outputs=1, saved=None):
        self.fn = fn
        self.edges = edges
        self._name = name
        self.seq = next(_seq)
        self.n_outputs = n_outputs
        self.saved = saved            # ((tensor, version), ...) checked before running fn
        self.pre_hooks = None         # {output_index: [hook, ...]} (tensor hooks on non-leaves)
        self.hooks = None             # node post-hooks: hook(grad_inputs, grad_outputs)
        self.retained = None          # {output_index: weakref to a tensor with retain_grad()}

    def name(self) -> str:
        return self._name

    def __getattr__(self, attr):
        # a custom Function's grad_fn is its ctx in torch (saved_tensors, needs_input_grad, ...)
        try:
            ctx = object.__getattribute__(self, "ctx")
        except AttributeError:
            ctx = None
        if ctx is None or attr == "ctx":
            raise AttributeError(f"'{self._name}' object has no attribute '{attr}'")
        return getattr(ctx, attr)

    def __repr__(self) -> str:
        return f"<{self._name} object at {hex(id(self))}>"

    @property
    def next_functions(self):
        out = []
        for e in self.edges:
            if e is None:
                out.append((None, 0))
            elif isinstance(e[0], Node):
                out.append((e[0], e[1]))
            else:
                out.append((AccumulateGrad(e[0]), 0))
        return tuple(out)

    def register_hook(self, hook):
        if self.hooks is None:
            self.hooks = []
        self.hooks.append(hook)
        return _RemovableHandle(self.hooks, hook)

    def register_prehook(self, hook):
        return self._add_pre_hook(0, lambda g: hook((g,)))

    def _add_pre_hook(self, idx, hook):
        if self.pre_hooks is None:
            self.pre_hooks = {}
        lst = self.pre_hooks.setdefault(idx, [])
        lst.append(hook)
        return _RemovableHandle(lst, hook)


_NODE_CLASSES: dict = {}


def node_class(name: str) -> type:
    """The Node subclass named like torch's backward class (MulBackward0), one per name, so
    `type(t.grad_fn).__name__ == t.grad_fn.name()` as in torch."""
    cls = _NODE_CLASSES.get(name)
    if cls is None:
        # NOTE: each class gets its own copy of __init__'s code: CPython specialises attribute
        # stores per type, and one __init__ shared by every op's class would run unspecialised
        init = Node.__init__
        own_init = FunctionType(init.__code__.replace(), init.__globals__, "__init__",
                                init.__defaults__)
        cls = _NODE_CLASSES[name] = type(name, (Node,), {"__slots__": (), "__init__": own_init})
    return cls


class AccumulateGrad:
    """The node torch shows for a leaf in next_functions."""

    def __init__(self, variable):
        self.variable = variable
        self.next_functions = ()

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {hex(id(self))}>"


class _RemovableHandle:
    _ids = itertools.count()

    def __init__(self, lst, item):
        self._lst, self._item = lst, item
        self.id = next(self._ids)

    def remove(self) -> None:
        try:
            self._lst.remove(self._item)
        except ValueError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


_CALLBACKS: list = []        # one list per running backward pass (torch's GraphTask callbacks)


def queue_callback(callback) -> None:
    """Run callback() once the current backward pass is done (torch's Engine.queue_callback)."""
    if not _CALLBACKS:
        raise RuntimeError("Final callbacks can only be installed during backward pass.")
    _CALLBACKS[-1].append(callback)


def _accumulate_buffer(buf, idx, g):
    old = buf[idx]
    buf[idx] = g if old is None else old + g


_TENSOR_MOD: list = []


def run_backward(roots, retain_graph: bool, create_graph: bool, capture=None, leaf_filter=None,
                 accumulate=None):
    """Propagate gradients from roots = [(target, idx, grad), ...].

    capture: {key: None} where key is a leaf Tensor id or (id(node), idx); filled with the
    gradients flowing there (autograd.grad; backward(inputs=) for non-leaf inputs).
    leaf_filter: a set of leaf ids that may be accumulated into (backward(inputs=...)).
    accumulate: whether leaves' .grad are written (default: when nothing is captured).
    With capture or leaf_filter, only the nodes on a path to those targets run (as torch).
    """
    if not _TENSOR_MOD:      # ember._tensor imports this module: bound on first use
        from .._tensor import Tensor, sum_to_shape
        _TENSOR_MOD[:] = (Tensor, sum_to_shape)
    Tensor, sum_to_shape = _TENSOR_MOD

    if accumulate is None:
        accumulate = capture is None
    targets = None
    if capture is not None or leaf_filter is not None:
        targets = set(leaf_filter or ())
        if capture is not None:
            targets.update(k if type(k) is int else k[0] for k in capture)

    # Count, for every node reachable from the roots, how many edges lead into it; with
    # targets, also find the nodes that lead to one (only those need their backward run).
    deps: dict = {}
    leaf_deps: dict = {}       # edges still to come into each leaf: accumulate it when none are
    parents: dict = {}
    direct = set()
    stack = [t for t, _, _ in roots if isinstance(t, Node)]
    seen = set(stack)
    while stack:
        n = stack.pop()
        for e in n.edges:
            if e is None:
                continue
            nxt = e[0]
            if targets is not None and id(nxt) in targets:
                direct.add(n)
            if not isinstance(nxt, Node):
                leaf_deps[id(nxt)] = leaf_deps.get(id(nxt), 0) + 1
            else:
                deps[nxt] = deps.get(nxt, 0) + 1
                if targets is not None:
                    parents.setdefault(nxt, []).append(n)
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
    needed = None
    if targets is not None:
        needed = set(direct)
        stack = list(direct)
        while stack:
            for p in parents.get(stack.pop(), ()):
                if p not in needed:
                    needed.add(p)
                    stack.append(p)

    buffers: dict = {}
    leaf_grads: dict = {}      # AccumulateGrad runs once per leaf, on the summed gradient
    # Buffer slots (node -> {index}) holding a sum this pass made: no one else can see it yet,
    # so further gradients are added into it in place (an RNN's per-step grads: one array,
    # not one per step). Leaves keep the same flag in leaf_grads' third entry.
    owned: dict = {}
    inplace_ok = not create_graph
    heap = []

    def deliver(target, idx, g, shape, dtype):
        if shape is not None:
            if g._array.shape != shape:
                g = sum_to_shape(g, shape)
            if g._dtype is not dtype:
                # a real input of a complex op gets the real part (torch: no warning)
                g = (g.real if g._dtype.is_complex and not dtype.is_complex else g).to(dtype)
        if isinstance(target, Node):
            buf = buffers.get(target)
            if buf is None:
                buf = buffers[target] = [None] * target.n_outputs
            old = buf[idx]
            if old is None:
                buf[idx] = g
            elif inplace_ok and old._dtype is not _BF16 and idx in owned.get(target, ()):
                old._array += g._array
            else:
                buf[idx] = old + g
                if inplace_ok:
                    owned.setdefault(target, set()).add(idx)
            return
        key = id(target)
        if capture is not None and key in capture:
            capture[key] = g if capture[key] is None else capture[key] + g
        if not accumulate or (leaf_filter is not None and key not in leaf_filter):
            return
        old = leaf_grads.get(key)
        if old is None:
            leaf_grads[key] = (target, g, False)
        elif old[2] and old[1]._dtype is not _BF16:
            old[1]._array += g._array
        else:
            leaf_grads[key] = (target, old[1] + g, inplace_ok)

    for target, idx, g in roots:
        deliver(target, idx, g, None, None)
    for n in list(buffers):
        if deps.get(n, 0) == 0:
            heapq.heappush(heap, (-n.seq, id(n), n))

    prev = GRAD_ENABLED[0]
    GRAD_ENABLED[0] = create_graph
    callbacks: list = []
    _CALLBACKS.append(callbacks)
    try:
        while heap:
            _, _, node = heapq.heappop(heap)
            grads = buffers.pop(node, None)
            edges = node.edges
            in_grads = ()
            if grads is not None:
                run = needed is None or node in needed
                in_grads = _run_node(node, grads, create_graph, capture, run)
                grads = None        # dropped now: what it held may be stolen (_exclusive)
                if run and not retain_graph and node.saved:
                    # as torch: only a node holding saved tensors is freed (add, view... rerun)
                    node.fn = None
                    node.saved = None       # edges stay: next_functions works as in torch
            for i, e in enumerate(edges):
                if e is None:
                    continue
                target = e[0]
                g = in_grads[i] if i < len(in_grads) else None
                if g is not None:
                    deliver(target, e[1], g if type(g) is Tensor else Tensor(g), e[2], e[3])
                if isinstance(target, Node):
                    d = deps[target] - 1
                    deps[target] = d
                    if d == 0:
                        heapq.heappush(heap, (-target.seq, id(target), target))
                else:
                    # a leaf's gradient is final once its last edge is done: accumulate it now,
                    # as torch's AccumulateGrad, so post-accumulate hooks (DDP) fire mid-backward
                    key = id(target)
                    d = leaf_deps[key] - 1
                    leaf_deps[key] = d
                    if d == 0 and key in leaf_grads:
                        leaf, g, own = leaf_grads.pop(key)
                        if not own and inplace_ok:
                            own = _exclusive(g, in_grads)
                        _accumulate(leaf, g, create_graph, own)
        for target, g, own in leaf_grads.values():
            _accumulate(target, g, create_graph, own)
        while callbacks:
            callbacks.pop(0)()
    finally:
        GRAD_ENABLED[0] = prev
        _CALLBACKS.pop()


def _exclusive(g, holders) -> bool:
    """Whether only the engine holds gradient g and its array, so that .grad may take it
    without a copy (torch's AccumulateGrad steals such a gradient too).

    Counted: the caller's local, this parameter and getrefcount's argument (3), plus g's
    entries in holders (the node's returned tuple); the array: g._array, `a` and the argument;
    its base: the view, `b` and the argument. Anything referenced elsewhere is copied.
    """
    a = g._array
    if type(a) is not _ndarray or not a.flags.c_contiguous or \
            getattr(g, "_view_fn", None) is not None or getattr(g, "_view_of", None) is not None:
        return False            # a view Tensor as .grad would carry its base's history
    b = a.base
    # a whole-buffer view (a reshaped GEMM result) counts when nothing else holds its base
    if b is not None and (type(b) is not _ndarray or b.nbytes != a.nbytes or _refcount(b) != 3):
        return False
    # (a generator: a loop variable left bound to g would be one more reference)
    n = 3 + sum(1 for h in holders if h is g)
    return _refcount(g) == n and _refcount(a) == 3


def _accumulate(leaf, g, create_graph: bool, owned: bool = False) -> None:
    if _MULTI_GPU[0] and _cuda.needs_guard((g,)):
        with _cuda.guard((g,)):              # the gradient's GPU current while adding into .grad
            leaf._accumulate(g, create_graph, owned)
    else:
        leaf._accumulate(g, create_graph, owned)


def version_error(t, v: int) -> RuntimeError:
    """torch's error for a saved tensor t changed in place since it was saved at version v."""
    src = ""
    if t.grad_fn is not None:      # torch names the op: ExpBackward0 -> Exp
        op_name = t.grad_fn._name
        op_name = op_name[:-9] if op_name.endswith("Backward0") else \
            op_name.replace("Backward", "")
        src = f", which is output {t._out_idx} of {op_name},"
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by "
        f"an inplace operation: [{t._type_str()} {list(t.shape)}]{src} is at version "
        f"{t._vc[0]}; expected version {v} instead. Hint: enable anomaly detection "
        "to find the operation that failed to compute its gradient, with "
        "torch.autograd.set_detect_anomaly(True, check_nan=False).")


def _run_node(node, grads, create_graph, capture, run=True):
    if node.pre_hooks:
        for i, hooks in node.pre_hooks.items():
            for h in hooks:
                if grads[i] is not None:
                    r = h(grads[i])
                    if r is not None:
                        grads[i] = r
    if node.retained:
        for i, ref in node.retained.items():
            t = ref()
            if t is not None and grads[i] is not None:
                g = grads[i] if create_graph else grads[i].detach()
                t.grad = g if t.grad is None else t.grad + g
    if capture is not None:
        for i in range(node.n_outputs):
            key = (id(node), i)
            if key in capture and grads[i] is not None:
                capture[key] = grads[i] if capture[key] is None else capture[key] + grads[i]
    if not run:
        return ()
    fn = node.fn
    if fn is None:
        raise RuntimeError(FREED_MSG)
    if node.saved:
        for t, v in node.saved:
            if t._vc[0] != v:
                raise version_error(t, v)
    if _MULTI_GPU[0] and _cuda.needs_guard(grads):
        # gradients on a non-current GPU: run the backward with that device current
        with _cuda.guard(grads):
            in_grads = fn(grads[0]) if node.n_outputs == 1 else fn(*grads)
    else:
        in_grads = fn(grads[0]) if node.n_outputs == 1 else fn(*grads)
    if node.hooks:
        for h in node.hooks:
            r = h(in_grads, tuple(grads))
            if r is not None:
                in_grads = r
    return in_grads
