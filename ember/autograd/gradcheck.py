"""gradcheck / gradgradcheck: analytical vs central-difference gradients in float64."""

from __future__ import annotations

import numpy as np

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Raised by gradcheck when analytical and numerical gradients differ."""


def _outputs(fn, inputs):
    from .._tensor import Tensor
    out = fn(*inputs)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    return [o for o in outs if isinstance(o, Tensor) and (o.dtype.is_floating_point
                                                          or o.dtype.is_complex)]


def gradcheck(func, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, nondet_tol: float = 0.0, check_undefined_grad=True,
              check_grad_dtypes=False, check_batched_grad=False, fast_mode=False,
              masked=None) -> bool:
    """torch.autograd.gradcheck for real inputs: each output with a random cotangent."""
    from .. import autograd
    from .._tensor import Tensor, _new
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    diff = [x for x in inputs if isinstance(x, Tensor) and x.requires_grad]
    outs = _outputs(func, inputs)
    rng = np.random.default_rng(0)
    for k, o in enumerate(outs):
        if not o.requires_grad:
            continue
        v = rng.standard_normal(o.shape)
        analytic = autograd.grad(o, diff, _new(v.astype(o._array.dtype)), retain_graph=True,
                                 allow_unused=True)
        for i, x in enumerate(diff):
            num = np.zeros(x.shape)
            flat = x._array.reshape(-1) if x._array.flags.c_contiguous else None
            if flat is None:
                raise GradcheckError("gradcheck needs contiguous inputs")
            for j in range(flat.size):
                old = flat[j]
                flat[j] = old + eps
                plus = _outputs(func, inputs)[k]._array.copy()
                flat[j] = old - eps
                minus = _outputs(func, inputs)[k]._array.copy()
                flat[j] = old
                num.reshape(-1)[j] = float(np.sum((plus - minus) * v)) / (2 * eps)
            a = np.zeros(x.shape) if analytic[i] is None else np.asarray(analytic[i]._array)
            if not np.allclose(a, num, atol=atol, rtol=rtol):
                if raise_exception:
                    raise GradcheckError(
                        f"Jacobian mismatch for output {k} with respect to input {i},\n"
                        f"numerical:{num}\nanalytical:{a}\n")
                return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, raise_exception: bool = True, **kwargs) -> bool:
    """Check second derivatives: gradcheck of the first gradient (random cotangents)."""
    from .. import autograd
    from .._tensor import Tensor, _new
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    rng = np.random.default_rng(1)
    outs = _outputs(func, inputs)
    vs = [_new(rng.standard_normal(o.shape).astype(o._array.dtype)) for o in outs]

    def first_grad(*xs):
        os = _outputs(func, xs)
        d = [x for x in xs if isinstance(x, Tensor) and x.requires_grad]
        gs = autograd.grad(os, d, vs, create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(first_grad, inputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
