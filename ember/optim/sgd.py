"""torch.optim.SGD (momentum, dampening, nesterov, weight_decay, maximize)."""

from __future__ import annotations

from .._tensor import _new
from .optimizer import Optimizer, bump, grad_of

__all__ = ["SGD"]


class SGD(Optimizer):
    """torch.optim.SGD."""

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, differentiable: bool = False,
                 fused: bool | None = None) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize,
                        foreach=foreach, differentiable=differentiable, fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def _step_group(self, group: dict) -> None:
        lr, momentum = group["lr"], group["momentum"]
        dampening, wd = group["dampening"], group["weight_decay"]
        for p in group["params"]:
            if p.grad is None:
                continue
            x = p._array
            g = grad_of(p, group["maximize"])
            if wd != 0:
                g = g + wd * x
            if momentum != 0:
                state = self.state[p]
                buf = state.get("momentum_buffer")
                if buf is None:
                    buf = state["momentum_buffer"] = _new(g.copy(), p.dtype)
                else:
                    b = buf._array
                    b *= momentum
                    if dampening == 0:
                        b += g                   # alpha 1: no scaled temporary of g
                    else:
                        b += (1 - dampening) * g
                g = g + momentum * buf._array if group["nesterov"] else buf._array
            x -= lr * g
            bump(p)
