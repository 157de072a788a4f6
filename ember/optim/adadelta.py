"""torch.optim.Adadelta."""

from __future__ import annotations

from .optimizer import Optimizer, bump, check_nonnegative, grad_of, zeros_state

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """torch.optim.Adadelta."""

    def __init__(self, params, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach: bool | None = None, *,
                 capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False) -> None:
        check_nonnegative(lr=lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_nonnegative(eps=eps, weight_decay=weight_decay)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def _new_state(self, p, group: dict) -> dict:
        return {"square_avg": zeros_state(p), "acc_delta": zeros_state(p)}

    def _step_group(self, group: dict) -> None:
        from ..backend import array_module
        lr, rho, eps, wd = group["lr"], group["rho"], group["eps"], group["weight_decay"]
        for p, state in self._with_grad(group):
            x = p._array
            xp = array_module(x)
            g = grad_of(p, group["maximize"])
            if wd != 0:
                g = g + wd * x
            sq, acc = state["square_avg"]._array, state["acc_delta"]._array
            # torch's arithmetic order with two temporaries (a fresh array per term made the
            # step allocation-bound)
            t = xp.multiply(g, 1 - rho)
            t *= g
            sq *= rho
            sq += t                                       # addcmul_(g, g, 1 - rho)
            std = xp.add(sq, eps)
            xp.sqrt(std, out=std)
            delta = xp.add(acc, eps, out=t)
            xp.sqrt(delta, out=delta)
            delta /= std
            delta *= g
            acc *= rho
            xp.multiply(delta, 1 - rho, out=std)
            std *= delta
            acc += std                                    # addcmul_(delta, delta, 1 - rho)
            xp.multiply(delta, lr, out=std)
            x -= std                                      # add_(delta, alpha=-lr)
            bump(p)
