"""Module full backward hooks: identity nodes around a module's inputs and outputs.

The output node sees grad_output (and runs the backward pre-hooks); the input node sees
grad_input and runs hook(module, grad_input, grad_output), as torch's BackwardHook does.
"""

from __future__ import annotations

from ..._tensor import Tensor
from ...autograd.grad_mode import GRAD_ENABLED
from ..functional._common import nnop


@nnop(multi=True, saves=False)
def _hook_identity(*tensors, on_backward=None):
    def backward(*grads):
        res = on_backward(grads)
        return tuple(res) if res is not None else grads
    return tuple(t._array for t in tensors), backward, {"name": "BackwardHookFunctionBackward"}


def _check(res, n: int, what: str) -> None:
    if not isinstance(res, tuple) or len(res) != n:
        got = len(res) if isinstance(res, (tuple, list)) else type(res).__name__
        raise RuntimeError(f"Backward hook returned an invalid number of grad_{what}, got "
                           f"{got}, but expected {n}")


def call_with_backward_hooks(module, call, args, kwargs):
    """Run module's forward with its full backward (pre-)hooks wired into the graph."""
    if not GRAD_ENABLED[0]:
        return call(*args, **kwargs)
    state = {"grad_output": None}
    tensor_pos = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
    grad_pos = [i for i in tensor_pos if args[i].requires_grad]

    def run_hooks(grad_input):
        for hook in list(module._backward_hooks.values()):
            res = hook(module, grad_input, state["grad_output"])
            if res is not None:
                _check(res, len(grad_input), "input")
                grad_input = tuple(res)
        return grad_input

    def on_input_grads(grads):
        full = [None] * len(tensor_pos)
        for g, i in zip(grads, grad_pos):
            full[tensor_pos.index(i)] = g
        new = run_hooks(tuple(full))
        return tuple(new[tensor_pos.index(i)] for i in grad_pos)

    if grad_pos:
        wrapped = _hook_identity(*[args[i] for i in grad_pos], on_backward=on_input_grads)
        args = list(args)
        for w, i in zip(wrapped, grad_pos):
            args[i] = w
        args = tuple(args)
    out = call(*args, **kwargs)
    outs = out if isinstance(out, tuple) else (out,)
    out_pos = [i for i, o in enumerate(outs) if isinstance(o, Tensor) and o.requires_grad]
    if not out_pos:
        return out

    def on_output_grads(grads):
        grads = tuple(grads)
        for hook in list(module._backward_pre_hooks.values()):
            res = hook(module, grads)
            if res is not None:
                _check(res, len(grads), "output")
                grads = tuple(res)
        state["grad_output"] = grads
        if not grad_pos and module._backward_hooks:
            # no input requires grad: the hooks run now, with grad_input all None
            import warnings
            warnings.warn(
                "Full backward hook is firing when gradients are computed with respect to "
                "module outputs since no inputs require gradients. See https://docs.pytorch.org"
                "/docs/main/generated/torch.nn.Module.html#torch.nn.Module."
                "register_full_backward_hook for more details.", UserWarning, stacklevel=2)
            run_hooks((None,) * len(tensor_pos))
        return grads

    wrapped = _hook_identity(*[outs[i] for i in out_pos], on_backward=on_output_grads)
    new = list(outs)
    for w, i in zip(wrapped, out_pos):
        new[i] = w
    return tuple(new) if isinstance(out, tuple) else new[0]
