"""torch.optim.Optimizer: param groups, state, zero_grad, state_dict/load_state_dict."""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from .. import _dtype as D
from .._tensor import Tensor, _new
from ..autograd.grad_mode import no_grad
from ..backend import _cuda
from ..backend._cuda import MULTI_GPU as _MULTI_GPU
from ..nn.modules.module import zero_grads

__all__ = ["Optimizer", "required"]


class _RequiredParameter:
    """Singleton marking a required optimizer argument (torch.optim.optimizer.required)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


def _typename(obj) -> str:
    if isinstance(obj, Tensor):
        return obj._type_str()
    module = type(obj).__module__
    return type(obj).__qualname__ if module == "builtins" else \
        f"{module}.{type(obj).__qualname__}"


def step_tensor(value: float = 0.0) -> Tensor:
    """The float32 0-dim 'step' counter torch keeps in optimizer state."""
    import numpy as np
    return _new(np.array(value, dtype=np.float32), D.float32)


def zeros_state(p: Tensor, fill: float = 0.0) -> Tensor:
    """A state buffer shaped and typed like p (torch.zeros_like / full_like)."""
    from ..backend import array_module
    xp = array_module(p._array)
    return _new(xp.full(p._array.shape, fill, dtype=p._array.dtype), p._dtype)


_LABELS = {"lr": "learning rate", "eps": "epsilon value"}


def check_nonnegative(**values: float) -> None:
    """torch's constructor checks `not 0.0 <= value` (NaN fails too), in the order given, with
    its texts: 'Invalid learning rate: x', 'Invalid epsilon value: x', 'Invalid <name> value: x'."""
    for name, value in values.items():
        if not 0.0 <= value:
            raise ValueError(f"Invalid {_LABELS.get(name, name + ' value')}: {value}")


def check_adam_args(lr: float, eps: float, betas, weight_decay: float) -> None:
    """The Adam family's checks (Adam, AdamW, Adamax, NAdam, RAdam): lr, eps, betas in [0, 1),
    weight_decay, in torch's order."""
    check_nonnegative(lr=lr, eps=eps)
    for i in (0, 1):
        if not 0.0 <= betas[i] < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {betas[i]}")
    check_nonnegative(weight_decay=weight_decay)


class Optimizer:
    """torch.optim.Optimizer."""

    def __init__(self, params, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got " + _typename(params))
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    def __getstate__(self) -> dict:
        return {"defaults": self.defaults, "state": self.state,
                "param_groups": self.param_groups}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)

    def __repr__(self) -> str:
        format_string = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            format_string += "\n"
            format_string += f"Parameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    format_string += f"    {key}: {group[key]}\n"
        format_string += ")"
        return format_string

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """torch.optim.Optimizer.add_param_group."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        else:
            param_group["params"] = list(params)
        for param in param_group["params"]:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + _typename(param))
            if not self.defaults.get("differentiable", None) and not (
                    param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError("parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)
        params = param_group["params"]
        if len(params) != len({id(p) for p in params}):
            import warnings
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in "
                          "future, this will cause an error; see "
                          "github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        param_set: set = set()
        for group in self.param_groups:
            param_set.update(id(p) for p in group["params"])
        if not param_set.isdisjoint(id(p) for p in param_group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """torch.optim.Optimizer.zero_grad."""
        zero_grads((p for group in self.param_groups for p in group["params"]), set_to_none)

    def step(self, closure: Callable[[], float] | None = None):
        """Perform one optimisation step (subclasses implement _step_group)."""
        loss = None
        if closure is not None:
            from ..autograd.grad_mode import enable_grad
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                if _MULTI_GPU[0] and _cuda.needs_guard(group["params"]):
                    with _cuda.guard(group["params"]):     # kernels run on the params' GPU
                        self._step_group(group)
                else:
                    self._step_group(group)
        return loss

    def _step_group(self, group: dict) -> None:
        raise NotImplementedError

    def _new_state(self, p: Tensor, group: dict) -> dict:
        """The buffers a parameter's state starts with, after 'step' (torch's key order)."""
        raise NotImplementedError

    def _with_grad(self, group: dict):
        """(p, state) for the group's parameters that have a grad: the state made on first use
        ('step' then _new_state's buffers) and its step counted."""
        for p in group["params"]:
            if p.grad is None:
                continue
            state = self.state[p]
            if len(state) == 0:
                state["step"] = step_tensor()
                state.update(self._new_state(p, group))
            state["step"]._array += 1
            yield p, state

    def state_dict(self) -> dict[str, Any]:
        """torch.optim.Optimizer.state_dict: {'state': {index: ...}, 'param_groups': [...]}."""
        param_mappings: dict = {}
        start_index = 0

        def pack_group(group):
            nonlocal start_index
            packed = {k: v for k, v in group.items() if k != "params"}
            param_mappings.update({id(p): i for i, p in enumerate(group["params"], start_index)
                                   if id(p) not in param_mappings})
            packed["params"] = [param_mappings[id(p)] for p in group["params"]]
            start_index += len(packed["params"])
            return packed

        param_groups = [pack_group(g) for g in self.param_groups]
        packed_state = {(param_mappings[id(k)] if isinstance(k, Tensor) else k): v
                        for k, v in self.state.items()}
        return {"state": packed_state, "param_groups": param_groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """torch.optim.Optimizer.load_state_dict (state cast to each parameter's dtype)."""
        state_dict = copy.deepcopy(state_dict)
        groups = self.param_groups
        saved_groups = state_dict["param_groups"]
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        param_lens = (len(g["params"]) for g in groups)
        saved_lens = (len(g["params"]) for g in saved_groups)
        if any(p_len != s_len for p_len, s_len in zip(param_lens, saved_lens)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        id_map = {}
        for g, sg in zip(groups, saved_groups):
            for old_id, p in zip(sg["params"], g["params"]):
                id_map[old_id] = p

        def cast(param, value, key=None):
            if isinstance(value, Tensor):
                if key == "step":
                    return value
                if param.is_floating_point() and value.is_floating_point():
                    return value.to(dtype=param.dtype, device=param.device)
                return value.to(device=param.device)
            if isinstance(value, dict):
                return {k: cast(param, v, k) for k, v in value.items()}
            return value

        state: defaultdict = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = cast(param, v)
            else:
                state[k] = v

        def update_group(group, new_group):
            new_group["params"] = group["params"]
            return new_group

        self.__setstate__({"state": state, "param_groups": [
            update_group(g, ng) for g, ng in zip(groups, saved_groups)]})


def grad_of(p: Tensor, maximize: bool):
    """The raw gradient array of p (negated when maximizing)."""
    g = p.grad._array
    return -g if maximize else g


def bump(p: Tensor) -> None:
    """Record an in-place update of p (torch's version counter); keep bfloat16 values exact."""
    if p._dtype is D.bfloat16:
        # bfloat16 is stored as float32: round the updated values back onto the bf16 grid
        from ..backend import round_bf16
        p._array[...] = round_bf16(p._array)
    p._vc[0] += 1

