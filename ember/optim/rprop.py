"""torch.optim.Rprop."""

from __future__ import annotations

from .optimizer import Optimizer, bump, check_nonnegative, grad_of, zeros_state

__all__ = ["Rprop"]


class Rprop(Optimizer):
    """torch.optim.Rprop (sign-based steps with per-element adaptive sizes)."""

    def __init__(self, params, lr: float = 1e-2, etas: tuple[float, float] = (0.5, 1.2),
                 step_sizes: tuple[float, float] = (1e-6, 50), *, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        check_nonnegative(lr=lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach,
                        maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def _new_state(self, p, group: dict) -> dict:
        return {"prev": zeros_state(p), "step_size": zeros_state(p, group["lr"])}

    def _step_group(self, group: dict) -> None:
        from ..backend import array_module
        etaminus, etaplus = group["etas"]
        smin, smax = group["step_sizes"]
        for p, state in self._with_grad(group):
            x = p._array
            xp = array_module(x)
            g = grad_of(p, group["maximize"])
            prev, size = state["prev"]._array, state["step_size"]._array
            s = xp.sign(g * prev)
            factor = xp.where(s > 0, etaplus, xp.where(s < 0, etaminus, 1.0)).astype(x.dtype)
            size *= factor
            xp.clip(size, smin, smax, out=size)
            g = xp.where(factor == x.dtype.type(etaminus), 0, g).astype(x.dtype)
            x -= xp.sign(g) * size
            prev[...] = g
            bump(p)
