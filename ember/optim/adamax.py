"""torch.optim.Adamax."""

from __future__ import annotations

from .optimizer import Optimizer, bump, check_adam_args, grad_of, zeros_state

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """torch.optim.Adamax (infinity-norm Adam)."""

    def __init__(self, params, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        check_adam_args(lr, eps, betas, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _new_state(self, p, group: dict) -> dict:
        return {"exp_avg": zeros_state(p), "exp_inf": zeros_state(p)}

    def _step_group(self, group: dict) -> None:
        from ..backend import array_module
        lr, eps, wd = group["lr"], group["eps"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        for p, state in self._with_grad(group):
            x = p._array
            xp = array_module(x)
            g = grad_of(p, group["maximize"])
            if wd != 0:
                g = g + wd * x
            m, u = state["exp_avg"]._array, state["exp_inf"]._array
            m += (1 - beta1) * (g - m)
            u *= beta2
            xp.maximum(u, xp.abs(g) + eps, out=u)
            clr = lr / (1 - beta1 ** float(state["step"]._array))
            x -= clr * (m / u)
            bump(p)
