"""torch.optim.Adadelta."""

from __future__ import annotations

from .optimizer import Optimizer, bump, grad_of, step_tensor, zeros_state

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """torch.optim.Adadelta."""

    def __init__(self, params, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach: bool | None = None, *,
                 capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def _step_group(self, group: dict) -> None:
        from ..backend import array_module
        lr, rho, eps, wd = group["lr"], group["rho"], group["eps"], group["weight_decay"]
        for p in group["params"]:
            if p.grad is None:
                continue
            state = self.state[p]
            if len(state) == 0:
                state["step"] = step_tensor()
                state["square_avg"] = zeros_state(p)
                state["acc_delta"] = zeros_state(p)
            x = p._array
            xp = array_module(x)
            g = grad_of(p, group["maximize"])
            state["step"]._array += 1
            if wd != 0:
                g = g + wd * x
            sq, acc = state["square_avg"]._array, state["acc_delta"]._array
            sq *= rho
            sq += (1 - rho) * g * g
            std = xp.sqrt(sq + eps)
            delta = xp.sqrt(acc + eps) / std * g
            acc *= rho
            acc += (1 - rho) * delta * delta
            x -= lr * delta
            bump(p)
