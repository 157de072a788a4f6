"""torch.optim.ASGD."""

from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, bump, check_nonnegative, grad_of, step_tensor, zeros_state

__all__ = ["ASGD"]


class ASGD(Optimizer):
    """torch.optim.ASGD (averaged SGD; torch's single-tensor CPU path, float32 eta/mu)."""

    def __init__(self, params, lr: float = 1e-2, lambd: float = 1e-4, alpha: float = 0.75,
                 t0: float = 1e6, weight_decay: float = 0, foreach: bool | None = None,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        check_nonnegative(lr=lr, weight_decay=weight_decay)
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def _new_state(self, p, group: dict) -> dict:
        return {"eta": step_tensor(float(group["lr"])), "mu": step_tensor(1.0),
                "ax": zeros_state(p)}

    def _step_group(self, group: dict) -> None:
        lr, lambd, alpha = float(group["lr"]), group["lambd"], group["alpha"]
        t0, wd = group["t0"], group["weight_decay"]
        for p, state in self._with_grad(group):
            x = p._array
            g = grad_of(p, group["maximize"])
            if wd != 0:
                g = g + wd * x
            eta = float(state["eta"]._array)
            x *= 1 - lambd * eta
            x -= eta * g
            bump(p)
            ax, mu = state["ax"]._array, state["mu"]._array
            if float(mu) != 1:
                ax += (x - ax) * mu
            else:
                ax[...] = x
            step = float(state["step"]._array)
            state["eta"]._array[...] = np.float32(lr / ((1 + lambd * lr * step) ** alpha))
            state["mu"]._array[...] = np.float32(1 / max(1, step - t0))
