"""torch.optim.ASGD."""

from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, bump, grad_of, step_tensor, zeros_state

__all__ = ["ASGD"]


class ASGD(Optimizer):
    """torch.optim.ASGD (averaged SGD; torch's single-tensor CPU path, float32 eta/mu)."""

    def __init__(self, params, lr: float = 1e-2, lambd: float = 1e-4, alpha: float = 0.75,
                 t0: float = 1e6, weight_decay: float = 0, foreach: bool | None = None,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def _step_group(self, group: dict) -> None:
        lr, lambd, alpha = float(group["lr"]), group["lambd"], group["alpha"]
        t0, wd = group["t0"], group["weight_decay"]
        for p in group["params"]:
            if p.grad is None:
                continue
            state = self.state[p]
            if len(state) == 0:
                state["step"] = step_tensor()
                state["eta"] = step_tensor(lr)
                state["mu"] = step_tensor(1.0)
                state["ax"] = zeros_state(p)
            x = p._array
            g = grad_of(p, group["maximize"])
            state["step"]._array += 1
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
