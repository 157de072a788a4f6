"""torch.optim.Adamax."""

from __future__ import annotations

from .optimizer import Optimizer, bump, grad_of, step_tensor, zeros_state

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """torch.optim.Adamax (infinity-norm Adam)."""

    def __init__(self, params, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _step_group(self, group: dict) -> None:
        from ..backend import array_module
        lr, eps, wd = group["lr"], group["eps"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        for p in group["params"]:
            if p.grad is None:
                continue
            state = self.state[p]
            if len(state) == 0:
                state["step"] = step_tensor()
                state["exp_avg"] = zeros_state(p)
                state["exp_inf"] = zeros_state(p)
            x = p._array
            xp = array_module(x)
            g = grad_of(p, group["maximize"])
            state["step"]._array += 1
            if wd != 0:
                g = g + wd * x
            m, u = state["exp_avg"]._array, state["exp_inf"]._array
            m += (1 - beta1) * (g - m)
            u *= beta2
            xp.maximum(u, xp.abs(g) + eps, out=u)
            clr = lr / (1 - beta1 ** float(state["step"]._array))
            x -= clr * (m / u)
            bump(p)
