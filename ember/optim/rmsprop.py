"""torch.optim.RMSprop (centered, momentum)."""

from __future__ import annotations

from .optimizer import Optimizer, bump, check_nonnegative, grad_of, zeros_state

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """torch.optim.RMSprop."""

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False,
                 capturable: bool = False, foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        check_nonnegative(lr=lr, eps=eps, momentum=momentum, weight_decay=weight_decay,
                          alpha=alpha)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def _new_state(self, p, group: dict) -> dict:
        state = {"square_avg": zeros_state(p)}
        if group["momentum"] > 0:
            state["momentum_buffer"] = zeros_state(p)
        if group["centered"]:
            state["grad_avg"] = zeros_state(p)
        return state

    def _step_group(self, group: dict) -> None:
        from ..backend import array_module
        lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
        wd, momentum = group["weight_decay"], group["momentum"]
        for p, state in self._with_grad(group):
            x = p._array
            xp = array_module(x)
            g = grad_of(p, group["maximize"])
            if wd != 0:
                g = g + wd * x
            sq = state["square_avg"]._array
            sq *= alpha
            sq += (1 - alpha) * g * g
            if group["centered"]:
                ga = state["grad_avg"]._array
                ga += (1 - alpha) * (g - ga)
                avg = xp.sqrt(sq - ga * ga)
            else:
                avg = xp.sqrt(sq)
            avg = avg + eps
            if momentum > 0:
                buf = state["momentum_buffer"]._array
                buf *= momentum
                buf += g / avg
                x -= lr * buf
            else:
                x -= lr * (g / avg)
            bump(p)
