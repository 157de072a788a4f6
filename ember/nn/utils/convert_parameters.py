"""torch.nn.utils.parameters_to_vector / vector_to_parameters."""

from __future__ import annotations

import ember

from ..._tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters) -> Tensor:
    """torch.nn.utils.parameters_to_vector: one flat tensor of all parameters."""
    return ember.cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec: Tensor, parameters) -> None:
    """torch.nn.utils.vector_to_parameters: slice vec back into the parameters' .data."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    pointer = 0
    for param in parameters:
        n = param.numel()
        param.data = vec[pointer:pointer + n].reshape(tuple(param.shape)).data
        pointer += n
