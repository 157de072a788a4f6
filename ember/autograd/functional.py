"""torch.autograd.functional: vjp, jvp, jacobian, hessian, vhp, hvp (reverse mode, looped)."""

from __future__ import annotations

__all__ = ["vjp", "jvp", "jacobian", "hessian", "vhp", "hvp"]


def _tuple(x):
    from .._tensor import Tensor
    return (x,) if isinstance(x, Tensor) else tuple(x)


def _prep(inputs, create_graph: bool):
    """Fresh leaves requiring grad (graph-connected copies under create_graph)."""
    return tuple(x.view_as(x) if create_graph and x.requires_grad else
                 x.detach().requires_grad_(True) for x in inputs)


def _grads(outs, ins, gouts, create_graph):
    from .._creation import zeros_like
    from . import grad
    gs = grad(outs, ins, gouts, create_graph=True if create_graph else False,
              retain_graph=True, allow_unused=True)
    return tuple(zeros_like(x) if g is None else g for g, x in zip(gs, ins))


def vjp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """torch.autograd.functional.vjp: (func(inputs), v^T J)."""
    from .grad_mode import enable_grad
    single = not isinstance(inputs, (tuple, list))
    ins = _prep(_tuple(inputs), create_graph)
    with enable_grad():
        out = func(*ins)
        outs = _tuple(out)
        vs = _tuple(v) if v is not None else tuple(None for _ in outs)
        res = _grads(outs, ins, vs, create_graph)
    out = out if create_graph else (out.detach() if not isinstance(out, tuple)
                                    else tuple(o.detach() for o in out))
    res = res if create_graph else tuple(r.detach() for r in res)
    return out, res[0] if single else res


def jacobian(func, inputs, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode"):
    """torch.autograd.functional.jacobian: one reverse pass per output element."""
    from .._creation import zeros
    from ..ops import REGISTRY
    from .grad_mode import enable_grad
    single_in = not isinstance(inputs, (tuple, list))
    ins = _prep(_tuple(inputs), create_graph)
    with enable_grad():
        out = func(*ins)
        single_out = not isinstance(out, (tuple, list))
        outs = _tuple(out)
        result = []
        for o in outs:
            rows = [[] for _ in ins]
            flat = o.reshape(-1)
            for k in range(flat.numel()):
                gs = _grads((flat[k],), ins, None, create_graph)
                for i, g in enumerate(gs):
                    rows[i].append(g if create_graph else g.detach())
            per_in = []
            for i, x in enumerate(ins):
                if rows[i]:
                    j = REGISTRY["stack"](rows[i]).reshape(tuple(o.shape) + tuple(x.shape))
                else:
                    j = zeros(tuple(o.shape) + tuple(x.shape), dtype=x.dtype, device=x.device)
                per_in.append(j)
            result.append(per_in[0] if single_in else tuple(per_in))
    return result[0] if single_out else tuple(result)


def hessian(func, inputs, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode"):
    """torch.autograd.functional.hessian of a scalar function."""
    single_in = not isinstance(inputs, (tuple, list))

    def jac(*xs):
        return jacobian(func, xs[0] if single_in else xs, create_graph=True)
    return jacobian(jac, inputs, create_graph=create_graph)


def jvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """torch.autograd.functional.jvp: (func(inputs), J v) via the double-vjp trick."""
    from .._creation import zeros_like
    from .grad_mode import enable_grad
    ins = _prep(_tuple(inputs), create_graph)
    vs = _tuple(v) if v is not None else None
    with enable_grad():
        out = func(*ins)
        outs = _tuple(out)
        us = tuple(zeros_like(o).requires_grad_(True) for o in outs)
        g = _grads(outs, ins, us, True)
        res = _grads(g, us, vs, create_graph)
    res = res if create_graph else tuple(r.detach() for r in res)
    out = out if create_graph else (out.detach() if not isinstance(out, tuple)
                                    else tuple(o.detach() for o in out))
    return out, res[0] if not isinstance(out, tuple) else res


def vhp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """torch.autograd.functional.vhp: (func(inputs), v^T H)."""
    from .grad_mode import enable_grad
    single = not isinstance(inputs, (tuple, list))
    ins = _prep(_tuple(inputs), create_graph)
    with enable_grad():
        out = func(*ins)
        g = _grads((out,), ins, None, True)
        res = _grads(g, ins, _tuple(v), create_graph)
    res = res if create_graph else tuple(r.detach() for r in res)
    return (out if create_graph else out.detach()), res[0] if single else res


hvp = vhp   # the Hessian of a scalar function is symmetric: H v == v^T H
