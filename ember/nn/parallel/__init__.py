"""torch.nn.parallel: DataParallel as a pass-through on one device (Ember runs one process)."""

from __future__ import annotations

from ..modules.module import Module

__all__ = ["DataParallel", "DistributedDataParallel", "data_parallel"]


class DataParallel(Module):
    """torch.nn.DataParallel: calls the wrapped module directly instead of scattering a batch.

    The wrapped model is `.module`, so `state_dict()` keys gain the `module.` prefix as in torch.
    """

    def __init__(self, module: Module, device_ids=None, output_device=None, dim: int = 0):
        super().__init__()
        self.module = module
        self.device_ids = [] if device_ids is None else list(device_ids)
        self.output_device = output_device
        self.dim = dim

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)


def data_parallel(module: Module, inputs, device_ids=None, output_device=None, dim: int = 0,
                  module_kwargs=None):
    """torch.nn.parallel.data_parallel: module(*inputs) on the one device."""
    if not isinstance(inputs, tuple):
        inputs = (inputs,)
    return module(*inputs, **(module_kwargs or {}))


from .distributed import DistributedDataParallel  # noqa: E402  (over MPI: ember.distributed)
