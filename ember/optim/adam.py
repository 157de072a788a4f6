"""torch.optim.Adam and AdamW (amsgrad, maximize, coupled or decoupled weight decay)."""

from __future__ import annotations

from .optimizer import Optimizer, bump, check_adam_args, grad_of, zeros_state

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """torch.optim.Adam (the single-tensor CPU algorithm, in torch's arithmetic order)."""

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, amsgrad: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None,
                 decoupled_weight_decay: bool = False) -> None:
        check_adam_args(lr, eps, betas, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _new_state(self, p, group: dict) -> dict:
        state = {"exp_avg": zeros_state(p), "exp_avg_sq": zeros_state(p)}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = zeros_state(p)
        return state

    def _step_group(self, group: dict) -> None:
        from ..backend import array_module
        lr, eps, wd = group["lr"], group["eps"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        for p, state in self._with_grad(group):
            x = p._array
            xp = array_module(x)
            g = grad_of(p, group["maximize"])
            if wd != 0:
                if group["decoupled_weight_decay"]:
                    x *= 1 - lr * wd
                else:
                    g = g + wd * x
            m, v = state["exp_avg"]._array, state["exp_avg_sq"]._array
            # torch's arithmetic order, with one temporary per parameter: fresh arrays for
            # every term (ten per step) made the update allocation-bound
            tmp = xp.subtract(g, m)
            tmp *= 1 - beta1
            m += tmp                                      # exp_avg.lerp_(grad, 1 - beta1)
            v *= beta2
            xp.multiply(g, 1 - beta2, out=tmp)
            tmp *= g
            v += tmp                                      # addcmul_(grad, grad, 1 - beta2)
            step = float(state["step"]._array)
            bias_correction1 = 1 - beta1 ** step
            bias_correction2 = 1 - beta2 ** step
            step_size = lr / bias_correction1
            bias_correction2_sqrt = bias_correction2 ** 0.5
            if group["amsgrad"]:
                vmax = state["max_exp_avg_sq"]._array
                xp.maximum(vmax, v, out=vmax)
                xp.sqrt(vmax, out=tmp)
            else:
                xp.sqrt(v, out=tmp)
            tmp /= bias_correction2_sqrt
            tmp += eps                                    # denom
            xp.divide(m, tmp, out=tmp)
            tmp *= step_size
            x -= tmp                                      # addcdiv_(m, denom, -step_size)
            bump(p)


class AdamW(Adam):
    """torch.optim.AdamW: Adam with decoupled weight decay (default 1e-2)."""

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
