"""torch.autograd: backward, grad, grad modes, Function, gradcheck."""

from __future__ import annotations

from numpy import ndarray as _ndarray
from numpy import ones as _np_ones

from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .graph import Node, run_backward

__all__ = ["backward", "grad", "no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
           "is_grad_enabled", "Variable", "Node", "Function", "gradcheck", "gradgradcheck",
           "set_detect_anomaly", "detect_anomaly", "is_anomaly_enabled", "functional"]


def _as_list(x):
    if x is None:
        return None
    from .._tensor import Tensor
    if isinstance(x, Tensor):
        return [x]
    return list(x)


def _make_roots(outputs, grad_outputs, create_graph):
    from .._creation import ones_like
    from .._tensor import Tensor, _new
    roots = []
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(f"Mismatch in number of gradients: expected {len(outputs)} but got "
                           f"{len(grad_outputs)}")
    for out, g in zip(outputs, grad_outputs):
        if not out._requires_grad:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a "
                               "grad_fn")
        if g is None:
            if out.numel() != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if not out._dtype.is_floating_point and not out._dtype.is_complex:
                raise RuntimeError("grad can be implicitly created only for real scalar outputs "
                                   f"but got {out._dtype}")
            a = out._array
            if type(a) is _ndarray:
                g = _new(_np_ones(a.shape, a.dtype), out._dtype)    # ones_like(out), directly
            else:
                g = ones_like(out)
        elif not isinstance(g, Tensor):
            from .._creation import tensor
            g = tensor(g, dtype=out._dtype)
        else:
            if g.shape != out.shape:
                raise RuntimeError(f"Mismatch in shape: grad_output[0] has a shape of {g.shape} "
                                   f"and output[0] has a shape of {out.shape}.")
            if not create_graph:
                g = g.detach()
        target = out.grad_fn if out.grad_fn is not None else out
        roots.append((target, out._out_idx, g))
    return roots


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """torch.autograd.backward."""
    outputs = _as_list(tensors)
    grads = _as_list(grad_tensors)
    if retain_graph is None:
        retain_graph = create_graph
    if create_graph:
        import warnings
        warnings.warn(
            "Using backward() with create_graph=True will create a reference cycle between the "
            "parameter and its gradient which can cause a memory leak. We recommend using "
            "autograd.grad when creating the graph to avoid this. If you have to use this "
            "function, make sure to reset the .grad fields of your parameters to None after use "
            "to break the cycle and avoid the leak.", UserWarning, stacklevel=3)
    roots = _make_roots(outputs, grads, create_graph)
    leaf_filter = capture = None
    if inputs is not None:
        ins = _as_list(inputs)
        if not ins:
            raise RuntimeError("'inputs' argument to backward() cannot be empty.")
        leaf_filter = {id(t) for t in ins if t.grad_fn is None}
        # non-leaf inputs get their .grad accumulated too, as in torch
        nonleaf = [t for t in ins if t.grad_fn is not None]
        capture = {(id(t.grad_fn), t._out_idx): None for t in nonleaf} if nonleaf else None
    run_backward(roots, retain_graph, create_graph, capture=capture, leaf_filter=leaf_filter,
                 accumulate=True)
    if capture:
        for t in nonleaf:
            g = capture[(id(t.grad_fn), t._out_idx)]
            if g is not None:
                g = g if create_graph else g.detach()
                t.grad = g if t.grad is None else t.grad + g


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """torch.autograd.grad: gradients of outputs w.r.t. inputs, leaving .grad untouched."""
    from .._creation import zeros_like
    outs = _as_list(outputs)
    ins = _as_list(inputs)
    if retain_graph is None:
        retain_graph = create_graph
    if allow_unused is None:
        allow_unused = materialize_grads
    for t in ins:
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    keys = [id(t) if t.grad_fn is None else (id(t.grad_fn), t._out_idx) for t in ins]
    capture = {k: None for k in keys}
    roots = _make_roots(outs, _as_list(grad_outputs), create_graph)
    run_backward(roots, retain_graph, create_graph, capture=capture)
    result = []
    for i, (k, t) in enumerate(zip(keys, ins)):
        g = capture[k]
        if g is None:
            if not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have "
                                   "been used in the graph. Set allow_unused=True if this is the "
                                   "desired behavior.")
            if materialize_grads:
                g = zeros_like(t)
        elif not create_graph:
            g = g.detach()
        result.append(g)
    return tuple(result)


def Variable(data, requires_grad: bool = False, volatile: bool = False):
    """Legacy torch.autograd.Variable: returns the tensor itself (with requires_grad set)."""
    if requires_grad:
        data.requires_grad_(True)
    return data

class set_detect_anomaly:
    """torch.autograd.set_detect_anomaly: accepted; Ember's errors already name the op."""

    def __init__(self, mode: bool, check_nan: bool = True):
        global _ANOMALY
        self._prev, _ANOMALY = _ANOMALY, bool(mode)

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        global _ANOMALY
        _ANOMALY = self._prev
        return False


class detect_anomaly(set_detect_anomaly):
    """torch.autograd.detect_anomaly (context manager)."""

    def __init__(self, check_nan: bool = True):
        super().__init__(True, check_nan)


_ANOMALY = False


def is_anomaly_enabled() -> bool:
    return _ANOMALY


from . import function, functional  # noqa: E402, F401
from .function import Function  # noqa: E402, F401
from .gradcheck import gradcheck, gradgradcheck  # noqa: E402, F401
