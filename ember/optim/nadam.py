"""torch.optim.NAdam."""

from __future__ import annotations

from .optimizer import (
    Optimizer,
    bump,
    check_adam_args,
    check_nonnegative,
    grad_of,
    step_tensor,
    zeros_state,
)

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """torch.optim.NAdam (Nesterov Adam with momentum decay)."""

    def __init__(self, params, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        check_adam_args(lr, eps, betas, weight_decay)
        check_nonnegative(momentum_decay=momentum_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _new_state(self, p, group: dict) -> dict:
        return {"mu_product": step_tensor(1.0), "exp_avg": zeros_state(p),
                "exp_avg_sq": zeros_state(p)}

    def _step_group(self, group: dict) -> None:
        from ..backend import array_module
        lr, eps, wd = group["lr"], group["eps"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        md = group["momentum_decay"]
        for p, state in self._with_grad(group):
            x = p._array
            xp = array_module(x)
            g = grad_of(p, group["maximize"])
            step = float(state["step"]._array)
            bias_correction2 = 1 - beta2 ** step
            if wd != 0:
                if group["decoupled_weight_decay"]:
                    x *= 1 - lr * wd
                else:
                    g = g + wd * x
            mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * md)))
            mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * md)))
            # torch keeps mu_product as a float32 tensor
            state["mu_product"]._array *= mu
            mu_product = float(state["mu_product"]._array)
            m, v = state["exp_avg"]._array, state["exp_avg_sq"]._array
            m += (1 - beta1) * (g - m)
            v *= beta2
            v += (1 - beta2) * g * g
            denom = xp.sqrt(v / bias_correction2) + eps
            mu_product_next = mu_product * mu_next
            x += (-lr * (1.0 - mu) / (1.0 - mu_product)) * (g / denom)
            x += ((-lr * mu_next) / (1.0 - mu_product_next)) * (m / denom)
            bump(p)
