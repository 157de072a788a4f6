"""torch.nn.parallel.DistributedDataParallel over ember.distributed (MPI)."""

from __future__ import annotations

import contextlib

import numpy as np

from ... import _dtype as D
from ... import distributed as dist
from ...autograd.grad_mode import GRAD_ENABLED
from ...autograd.graph import Node, queue_callback
from ...backend import round_bf16
from ...distributed._core import _mpi, _resolve
from ..modules.module import Module

__all__ = ["DistributedDataParallel"]

_FIRST_BUCKET_BYTES = 1024 * 1024        # torch's dist._DEFAULT_FIRST_BUCKET_BYTES


class _Bucket:
    """Parameters whose gradients are averaged by one all-reduce of a flat buffer."""

    def __init__(self, params: list) -> None:
        self.params = params
        dtype = params[0]._array.dtype
        # MPI has no half type: float16 gradients travel as float32
        self.flat = np.zeros(sum(p.numel() for p in params),
                             np.float32 if dtype == np.float16 else dtype)
        offs, o = [], 0
        for p in params:
            offs.append(o)
            o += p.numel()
        self.offsets = offs
        self.pending = len(params)
        self.ready = [False] * len(params)
        self.work = None


class DistributedDataParallel(Module):
    """torch.nn.parallel.DistributedDataParallel: averages gradients across ranks in backward.

    Parameters are bucketed (~25 MB, reverse order, as torch); a bucket's non-blocking
    all-reduce starts as soon as all its gradients are accumulated, so communication overlaps
    the rest of backward; the end of backward waits for all buckets.
    """

    def __init__(self, module: Module, device_ids=None, output_device=None, dim: int = 0,
                 broadcast_buffers: bool = True, init_sync: bool = True, process_group=None,
                 bucket_cap_mb: float | None = None, find_unused_parameters: bool = False,
                 check_reduction: bool = False, gradient_as_bucket_view: bool = False,
                 static_graph: bool = False, **kwargs) -> None:
        super().__init__()
        if not any(p.requires_grad for p in module.parameters()):
            raise RuntimeError("DistributedDataParallel is not needed when a module doesn't have "
                               "any parameter that requires a gradient.")
        devices = {p.device for p in module.parameters()}
        if (device_ids or output_device is not None) and all(d.type == "cpu" for d in devices):
            raise ValueError(
                "DistributedDataParallel device_ids and output_device arguments only work with "
                "single-device/multiple-device GPU modules or CPU modules, but got device_ids "
                f"{device_ids}, output_device {output_device}, and module parameters {devices}.")
        self.module = module
        pg = _resolve(process_group)
        if pg is None:
            raise RuntimeError("DistributedDataParallel: this rank is not in process_group")
        self.process_group = pg
        self.device_ids = device_ids
        self.output_device = output_device
        self.dim = dim
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.static_graph = static_graph
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        self.bucket_bytes_cap = int((25 if bucket_cap_mb is None else bucket_cap_mb) * 1024 * 1024)
        seen: set = set()
        self._params = []
        for p in module.parameters():
            if p.requires_grad and id(p) not in seen:    # shared parameters reduce once
                seen.add(id(p))
                self._params.append(p)
        if init_sync:
            self._broadcast_coalesced(list(module.parameters()) + list(module.buffers()))
        self._buckets = self._make_buckets()
        self._where = {}
        self._pidx = {id(p): i for i, p in enumerate(self._params)}
        for bi, b in enumerate(self._buckets):
            for pi, p in enumerate(b.params):
                self._where[id(p)] = (bi, pi)
        self._hook_handles = [p.register_post_accumulate_grad_hook(self._grad_ready)
                              for p in self._params]
        self._armed = False
        self._queued = False

    # ---- setup ---------------------------------------------------------------------------------
    def _make_buckets(self) -> list[_Bucket]:
        """Reverse parameter order (roughly the order backward produces grads), split by size
        and dtype; the first bucket is small so that communication starts early."""
        buckets, cur, size = [], [], 0
        cap = min(_FIRST_BUCKET_BYTES, self.bucket_bytes_cap)
        for p in reversed(self._params):
            nbytes = p.numel() * p.element_size()
            if cur and (size + nbytes > cap or p._array.dtype != cur[0]._array.dtype):
                buckets.append(_Bucket(cur))
                cur, size, cap = [], 0, self.bucket_bytes_cap
            cur.append(p)
            size += nbytes
        if cur:
            buckets.append(_Bucket(cur))
        return buckets

    def _broadcast_coalesced(self, tensors, src: int = 0) -> None:
        """Copy rank src's values into tensors with one broadcast of their bytes."""
        tensors = [t for t in tensors if t is not None and t.numel()]
        if not tensors or self.process_group.size() == 1:
            return
        arrays = [_host(t._array) for t in tensors]
        flat = np.concatenate([a.reshape(-1).view(np.uint8) for a in arrays])
        self.process_group.comm.Bcast(flat, src)
        if self.process_group.rank() != src:
            off = 0
            for t, a in zip(tensors, arrays):
                n = a.nbytes
                _write(t._array, flat[off:off + n].view(a.dtype).reshape(a.shape))
                t._vc[0] += 1
                off += n

    # ---- forward -------------------------------------------------------------------------------
    def forward(self, *inputs, **kwargs):
        sync = GRAD_ENABLED[0] and self.require_backward_grad_sync
        if sync and self.broadcast_buffers:
            # as torch: rank 0's buffers (e.g. BatchNorm running stats) before each forward
            self._broadcast_coalesced(list(self.module.buffers()))
        out = self.module(*inputs, **kwargs)
        if sync:
            self._prepare_for_backward(out)
        else:
            self._armed = False
        return out

    def _prepare_for_backward(self, out) -> None:
        for b in self._buckets:
            if b.work is not None:            # a previous backward never finished: drain it
                b.work.Wait()
            b.pending = len(b.params)
            b.work = None
            b.ready = [False] * len(b.params)
        self._next = 0
        self._used = np.zeros(len(self._params), np.int32)
        self._armed = True
        self._queued = False
        if self.find_unused_parameters:
            reached = _reachable_leaves(out)
            for p in self._params:
                if id(p) not in reached:
                    self._mark_ready(p, used=False)

    # ---- backward ------------------------------------------------------------------------------
    def _grad_ready(self, param) -> None:
        if not self._armed:
            return                            # no_sync(), eval forward, or no forward
        if not self._queued:
            self._queued = True
            queue_callback(self._finalize)
        self._mark_ready(param, used=True)

    def _mark_ready(self, param, used: bool) -> None:
        bi, pi = self._where[id(param)]
        b = self._buckets[bi]
        if b.ready[pi]:
            return
        b.ready[pi] = True
        if used:
            self._used[self._pidx[id(param)]] = 1
        b.pending -= 1
        # buckets start in index order on every rank: MPI needs one collective order everywhere
        while self._next < len(self._buckets) and self._buckets[self._next].pending == 0:
            self._launch(self._buckets[self._next])
            self._next += 1

    def _launch(self, b: _Bucket) -> None:
        for p, off in zip(b.params, b.offsets):
            n = p.numel()
            if p.grad is None:
                b.flat[off:off + n] = 0
            else:
                b.flat[off:off + n] = _host(p.grad._array).reshape(-1)
        b.work = self.process_group.comm.Iallreduce(_mpi().IN_PLACE, b.flat, _mpi().SUM)

    def _finalize(self) -> None:
        """End of backward: wait for every bucket, write averaged gradients back."""
        self._armed = False
        missing = []
        for b in self._buckets:
            for p, r in zip(b.params, b.ready):
                if not r:
                    missing.append(p)
                    self._mark_ready(p, used=False)   # keep the collectives matched anyway
        world = self.process_group.size()
        if self.find_unused_parameters:
            self.process_group.comm.Allreduce(_mpi().IN_PLACE, self._used, _mpi().SUM)
        for b in self._buckets:
            b.work.Wait()
            b.work = None
            b.flat /= world
            for p, off in zip(b.params, b.offsets):
                if self.find_unused_parameters and not self._used[self._pidx[id(p)]]:
                    continue                  # unused on every rank: .grad stays untouched
                vals = b.flat[off:off + p.numel()].reshape(p._array.shape)
                if p._dtype is D.bfloat16:
                    vals = round_bf16(vals)
                if p.grad is None:
                    from ..._tensor import _new
                    p.grad = _new(np.zeros(p._array.shape, p._array.dtype), p._dtype)
                    if type(p._array) is not np.ndarray:
                        p.grad = p.grad.to(p.device)
                _write(p.grad._array, vals)
        if missing and not self.find_unused_parameters:
            names = {id(p): n for n, p in self.module.named_parameters()}
            raise RuntimeError(
                "Expected to have finished reduction in the prior iteration before starting a "
                "new one. This error indicates that your module has parameters that were not "
                "used in producing loss. You can enable unused parameter detection by passing "
                "the keyword argument `find_unused_parameters=True` to "
                "`torch.nn.parallel.DistributedDataParallel`. Parameters which did not receive "
                f"grad for rank {dist.get_rank()}: "
                f"{', '.join(names.get(id(p), '?') for p in missing)}")

    @contextlib.contextmanager
    def no_sync(self):
        """Accumulate gradients locally (no all-reduce) for the backwards run inside."""
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old

    def __getstate__(self):
        raise RuntimeError("DistributedDataParallel is not picklable: save ddp.module instead")


def _host(a):
    return a if type(a) is np.ndarray else a.get()


def _write(dst, vals) -> None:
    if type(dst) is np.ndarray:
        dst[...] = vals
    else:
        import cupy
        dst[...] = cupy.asarray(vals)


def _reachable_leaves(out) -> set:
    """ids of the leaf tensors the autograd graph of out reaches (find_unused_parameters)."""
    from ..._tensor import Tensor
    stack, roots = [out], []
    while stack:
        o = stack.pop()
        if isinstance(o, Tensor):
            roots.append(o)
        elif isinstance(o, (list, tuple)):
            stack.extend(o)
        elif isinstance(o, dict):
            stack.extend(o.values())
    reached: set = set()
    nodes = [t.grad_fn for t in roots if t.grad_fn is not None]
    reached.update(id(t) for t in roots if t.grad_fn is None)
    seen = set(id(n) for n in nodes)
    while nodes:
        n = nodes.pop()
        for e in n.edges:
            if e is None:
                continue
            t = e[0]
            if isinstance(t, Node):
                if id(t) not in seen:
                    seen.add(id(t))
                    nodes.append(t)
            else:
                reached.add(id(t))
    return reached
