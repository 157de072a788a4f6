"""torch.optim.Adagrad."""

from __future__ import annotations

from .optimizer import Optimizer, bump, check_nonnegative, grad_of, step_tensor, zeros_state

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """torch.optim.Adagrad."""

    def __init__(self, params, lr: float = 1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10,
                 foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        check_nonnegative(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                          initial_accumulator_value=initial_accumulator_value, eps=eps)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        # torch creates the state eagerly
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = step_tensor()
                state["sum"] = zeros_state(p, group["initial_accumulator_value"])

    def _step_group(self, group: dict) -> None:
        from ..backend import array_module
        lr, eps, wd, lr_decay = group["lr"], group["eps"], group["weight_decay"], \
            group["lr_decay"]
        for p in group["params"]:
            if p.grad is None:
                continue
            state = self.state[p]
            x = p._array
            xp = array_module(x)
            state["step"]._array += 1
            step = float(state["step"]._array)
            g = grad_of(p, group["maximize"])
            if wd != 0:
                g = g + wd * x
            clr = lr / (1 + (step - 1) * lr_decay)
            s = state["sum"]._array
            s += g * g
            std = xp.sqrt(s) + eps
            x -= clr * (g / std)
            bump(p)
