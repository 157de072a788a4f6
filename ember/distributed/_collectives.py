"""Tensor collectives and point-to-point ops of torch.distributed, as MPI buffer calls.

Tensors travel as contiguous NumPy buffers (no pickling): reductions in their own dtype
(float16 and bfloat16 in float32, rounded back), everything else as raw bytes.
"""

from __future__ import annotations

import numpy as np

from .. import _dtype as D
from ..backend import array_module, round_bf16
from ._core import ProcessGroup, RedOpType, _check, _mpi, _peer, _resolve

__all__ = ["Work", "all_reduce", "reduce", "broadcast", "all_gather", "all_gather_into_tensor",
           "gather", "scatter", "reduce_scatter", "reduce_scatter_tensor", "all_to_all",
           "all_to_all_single", "barrier", "monitored_barrier", "send", "recv", "isend", "irecv"]


class Work:
    """torch.distributed.Work: the handle an async_op=True call returns."""

    def __init__(self, requests, finish=None, tensors=()) -> None:
        self._reqs = list(requests)
        self._finish = finish
        self._tensors = list(tensors)
        self._done = False
        self._source = -1

    def _complete(self) -> None:
        if not self._done:
            self._done = True
            if self._finish is not None:
                r = self._finish()
                if r is not None:
                    self._source = r

    def wait(self, timeout=None) -> bool:
        """Block until the operation has finished (and its result is in the tensors)."""
        if not self._done:
            status = _mpi().Status()
            for req in self._reqs:
                req.Wait(status)
            self._status = status
            self._complete()
        return True

    def is_completed(self) -> bool:
        if not self._done:
            status = _mpi().Status()
            if all(req.Test(status) for req in self._reqs):
                self._status = status
                self._complete()
        return self._done

    def is_success(self) -> bool:
        return self.is_completed()

    def exception(self):
        return None

    def result(self) -> list:
        self.wait()
        return self._tensors

    def source_rank(self) -> int:
        self.wait()
        return self._source

    def synchronize(self) -> None:
        self.wait()

    def get_future(self):
        return _Future(self)


class _Future:
    """The torch.futures.Future a Work hands out (value() waits, then() chains)."""

    def __init__(self, work: Work) -> None:
        self._work = work

    def wait(self):
        return self._work.result()

    value = wait

    def done(self) -> bool:
        return self._work.is_completed()

    def then(self, callback):
        f = _Value(None)
        f._value = callback(self)
        return f


class _Value(_Future):
    def __init__(self, value) -> None:
        self._value = value

    def wait(self):
        return self._value

    value = wait

    def done(self) -> bool:
        return True


# ---- buffers ------------------------------------------------------------------------------------

def _host(t, reduce: bool = False):
    """(contiguous host array with t's values, whether it is t's own storage)."""
    a = t._array
    if type(a) is not np.ndarray:
        a = a.get()                               # CUDA tensors are staged through host memory
        own = False
    else:
        own = a.flags.c_contiguous and a.flags.writeable
    if reduce and a.dtype == np.float16:          # MPI has no half type: reduce in float32
        return a.astype(np.float32), False
    if not own:
        a = np.ascontiguousarray(a)
        if a is t._array:
            a = a.copy()
    return a, own


def _store(t, buf, own: bool) -> None:
    """Write a result buffer into t (in place, as torch) and bump its version."""
    if t._dtype is D.bfloat16:
        buf = round_bf16(buf)
        own = False
    if not own:
        arr = t._array
        if type(arr) is np.ndarray:
            arr[...] = buf.reshape(arr.shape)
        else:
            arr[...] = array_module(arr).asarray(buf.reshape(arr.shape))
    t._vc[0] += 1


def _bytes(a):
    return a.reshape(-1).view(np.uint8)


def _op(op, dtype) -> tuple:
    """The MPI reduction for a torch ReduceOp on an array dtype, and whether it averages."""
    MPI = _mpi()
    op = RedOpType(op)
    if dtype == np.bool_:
        table = {RedOpType.SUM: MPI.LOR, RedOpType.MAX: MPI.LOR, RedOpType.BOR: MPI.LOR,
                 RedOpType.PRODUCT: MPI.LAND, RedOpType.MIN: MPI.LAND, RedOpType.BAND: MPI.LAND,
                 RedOpType.BXOR: MPI.LXOR}
    else:
        table = {RedOpType.SUM: MPI.SUM, RedOpType.AVG: MPI.SUM, RedOpType.PRODUCT: MPI.PROD,
                 RedOpType.MIN: MPI.MIN, RedOpType.MAX: MPI.MAX}
        if dtype.kind in "iu":
            table.update({RedOpType.BAND: MPI.BAND, RedOpType.BOR: MPI.BOR,
                          RedOpType.BXOR: MPI.BXOR})
        if dtype.kind == "c":
            del table[RedOpType.MIN], table[RedOpType.MAX]
    if op not in table:
        raise RuntimeError(f"ReduceOp.{op.name} is not supported for tensors of dtype {dtype}")
    return table[op], op is RedOpType.AVG


def _average(buf, n: int) -> None:
    # integers truncate toward zero, as C's division
    np.divide(buf, n, out=buf, casting="unsafe")


def _run(pg: ProcessGroup, async_op: bool, start, finish, tensors=()):
    """Start a nonblocking MPI call (start() -> request), then finish now or in Work.wait."""
    if async_op:
        return Work([start(True)], finish, tensors)
    start(False)
    finish()
    return None


# ---- reductions ---------------------------------------------------------------------------------

def all_reduce(tensor, op=RedOpType.SUM, group=None, async_op: bool = False):
    """torch.distributed.all_reduce: reduce tensor over the group, in place on every rank."""
    pg = _resolve(group)
    if pg is None:
        return None
    _check(pg, "all_reduce", [tensor], tensor._dtype.name)
    MPI = _mpi()
    buf, own = _host(tensor, reduce=True)
    mop, avg = _op(op, buf.dtype)

    def start(nb):
        if nb:
            return pg.comm.Iallreduce(MPI.IN_PLACE, buf, mop)
        pg.comm.Allreduce(MPI.IN_PLACE, buf, mop)

    def finish():
        if avg:
            _average(buf, pg.size())
        _store(tensor, buf, own)
    return _run(pg, async_op, start, finish, [tensor])


def reduce(tensor, dst: int | None = None, op=RedOpType.SUM, group=None, async_op: bool = False,
           group_dst: int | None = None):
    """torch.distributed.reduce: the reduction lands in tensor on rank dst only."""
    pg = _resolve(group)
    if pg is None:
        return None
    root = _peer(pg, dst, group_dst, "dst")
    _check(pg, "reduce", [tensor], tensor._dtype.name)
    MPI = _mpi()
    buf, own = _host(tensor, reduce=True)
    mop, avg = _op(op, buf.dtype)
    is_root = pg.rank() == root
    send = MPI.IN_PLACE if is_root else buf
    recv = buf if is_root else None

    def start(nb):
        if nb:
            return pg.comm.Ireduce(send, recv, mop, root)
        pg.comm.Reduce(send, recv, mop, root)

    def finish():
        if is_root:
            if avg:
                _average(buf, pg.size())
            _store(tensor, buf, own)
    return _run(pg, async_op, start, finish, [tensor])


def reduce_scatter(output, input_list, op=RedOpType.SUM, group=None, async_op: bool = False):
    """torch.distributed.reduce_scatter: reduce input_list[i] over ranks into rank i's output."""
    pg = _resolve(group)
    if pg is None:
        return None
    if len(input_list) != pg.size():
        raise ValueError(f"reduce_scatter: input_list has {len(input_list)} tensors but the group "
                         f"has {pg.size()} ranks")
    _check(pg, "reduce_scatter", [output, *input_list], output._dtype.name)
    bufs = [_host(t, reduce=True)[0] for t in input_list]
    send = np.concatenate([b.reshape(-1) for b in bufs])
    return _reduce_scatter(pg, output, send, op, async_op)


def reduce_scatter_tensor(output, input, op=RedOpType.SUM, group=None, async_op=False):
    """torch.distributed.reduce_scatter_tensor: input holds size x output, concatenated."""
    pg = _resolve(group)
    if pg is None:
        return None
    if input.numel() != output.numel() * pg.size():
        raise ValueError("reduce_scatter_tensor: input tensor must be world_size times the size "
                         f"of the output tensor ({input.numel()} vs {output.numel()} x "
                         f"{pg.size()})")
    _check(pg, "reduce_scatter_tensor", [output, input], output._dtype.name)
    return _reduce_scatter(pg, output, _host(input, reduce=True)[0], op, async_op)


def _reduce_scatter(pg, output, send, op, async_op):
    buf, own = _host(output, reduce=True)
    if send.dtype != buf.dtype:
        raise TypeError(f"reduce_scatter: input dtype {send.dtype} does not match the output's "
                        f"{buf.dtype}")
    mop, avg = _op(op, buf.dtype)

    def start(nb):
        if nb:
            return pg.comm.Ireduce_scatter_block(send, buf, mop)
        pg.comm.Reduce_scatter_block(send, buf, mop)

    def finish():
        if avg:
            _average(buf, pg.size())
        _store(output, buf, own)
    return _run(pg, async_op, start, finish, [output])


# ---- data movement ------------------------------------------------------------------------------

def broadcast(tensor, src: int | None = None, group=None, async_op: bool = False,
              group_src: int | None = None):
    """torch.distributed.broadcast: rank src's tensor is copied into every rank's tensor."""
    pg = _resolve(group)
    if pg is None:
        return None
    root = _peer(pg, src, group_src, "src")
    _check(pg, "broadcast", [tensor], tensor._dtype.name)
    buf, own = _host(tensor)
    raw = _bytes(buf)

    def start(nb):
        if nb:
            return pg.comm.Ibcast(raw, root)
        pg.comm.Bcast(raw, root)

    def finish():
        if pg.rank() != root:
            _store(tensor, buf, own)
    return _run(pg, async_op, start, finish, [tensor])


def _same_kind(tensors, like, what: str) -> None:
    for t in tensors:
        if t._dtype is not like._dtype or t.shape != like.shape:
            raise ValueError(f"{what}: every tensor must have the input's dtype and shape "
                             f"({like._dtype}, {list(like.shape)}); got {t._dtype}, "
                             f"{list(t.shape)}")


def _rooted_list(pg, what: str, tensors, tensor, peer, group_peer, arg: str) -> tuple[int, bool]:
    """gather/scatter: the root (`arg` "dst" or "src") and whether this rank is it; `tensors`
    (gather_list/scatter_list) must hold one tensor per rank like `tensor` on the root, and be
    left out elsewhere."""
    root = _peer(pg, peer, group_peer, arg, default=0)
    is_root = pg.rank() == root
    role = "destination" if arg == "dst" else "source"
    if is_root:
        if tensors is None or len(tensors) != pg.size():
            raise ValueError(f"Argument ``{what}_list`` must be specified on {role} rank, with "
                             f"one tensor per rank ({pg.size()})")
        _same_kind(tensors, tensor, what)
    elif tensors:
        raise ValueError(f"Argument ``{what}_list`` must NOT be specified on non-{role} ranks.")
    return root, is_root


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """torch.distributed.all_gather: tensor_list[i] receives rank i's tensor."""
    pg = _resolve(group)
    if pg is None:
        return None
    if len(tensor_list) != pg.size():
        raise ValueError(f"all_gather: tensor_list has {len(tensor_list)} tensors but the group "
                         f"has {pg.size()} ranks")
    _same_kind(tensor_list, tensor, "all_gather")
    _check(pg, "all_gather", [tensor], tensor._dtype.name)
    send = _bytes(_host(tensor)[0])
    recv = np.empty((pg.size(), send.size), np.uint8)

    def start(nb):
        if nb:
            return pg.comm.Iallgather(send, recv)
        pg.comm.Allgather(send, recv)

    def finish():
        for out, row in zip(tensor_list, recv):
            _store(out, row.view(out._array.dtype), False)
    return _run(pg, async_op, start, finish, tensor_list)


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op=False):
    """torch.distributed.all_gather_into_tensor: ranks' inputs concatenated (or stacked)."""
    pg = _resolve(group)
    if pg is None:
        return None
    if output_tensor.numel() != input_tensor.numel() * pg.size():
        raise ValueError("all_gather_into_tensor: output tensor size must be equal to "
                         "world_size times input tensor size")
    if output_tensor._dtype is not input_tensor._dtype:
        raise TypeError("all_gather_into_tensor: output tensor must have the same type as the "
                        "input tensor")
    _check(pg, "all_gather_into_tensor", [input_tensor], input_tensor._dtype.name)
    send = _bytes(_host(input_tensor)[0])
    buf, own = _host(output_tensor)
    recv = _bytes(buf)

    def start(nb):
        if nb:
            return pg.comm.Iallgather(send, recv)
        pg.comm.Allgather(send, recv)
    return _run(pg, async_op, start, lambda: _store(output_tensor, buf, own), [output_tensor])


def gather(tensor, gather_list=None, dst: int | None = None, group=None, async_op: bool = False,
           group_dst: int | None = None):
    """torch.distributed.gather: gather_list[i] on rank dst receives rank i's tensor."""
    pg = _resolve(group)
    if pg is None:
        return None
    root, is_root = _rooted_list(pg, "gather", gather_list, tensor, dst, group_dst, "dst")
    _check(pg, "gather", [tensor], tensor._dtype.name)
    send = _bytes(_host(tensor)[0])
    recv = np.empty((pg.size(), send.size), np.uint8) if is_root else None

    def start(nb):
        if nb:
            return pg.comm.Igather(send, recv, root)
        pg.comm.Gather(send, recv, root)

    def finish():
        if is_root:
            for out, row in zip(gather_list, recv):
                _store(out, row.view(out._array.dtype), False)
    return _run(pg, async_op, start, finish, gather_list or [])


def scatter(tensor, scatter_list=None, src: int | None = None, group=None, async_op: bool = False,
            group_src: int | None = None):
    """torch.distributed.scatter: rank i's tensor receives scatter_list[i] from rank src."""
    pg = _resolve(group)
    if pg is None:
        return None
    root, is_root = _rooted_list(pg, "scatter", scatter_list, tensor, src, group_src, "src")
    send = np.concatenate([_bytes(_host(t)[0]) for t in scatter_list]) if is_root else None
    _check(pg, "scatter", [tensor], tensor._dtype.name)
    buf, own = _host(tensor)
    recv = _bytes(buf)

    def start(nb):
        if nb:
            return pg.comm.Iscatter(send, recv, root)
        pg.comm.Scatter(send, recv, root)
    return _run(pg, async_op, start, lambda: _store(tensor, buf, own), [tensor])


def all_to_all_single(output, input, output_split_sizes=None, input_split_sizes=None,
                      group=None, async_op: bool = False):
    """torch.distributed.all_to_all_single: split input along dim 0, rank i gets piece i."""
    pg = _resolve(group)
    if pg is None:
        return None
    n = pg.size()
    _check(pg, "all_to_all_single", [], input._dtype.name, shapes=False)
    row_in = input[0].numel() * input.element_size() if input.dim() else 0
    row_out = output[0].numel() * output.element_size() if output.dim() else 0
    ins = input_split_sizes or [input.shape[0] // n] * n
    outs = output_split_sizes or [output.shape[0] // n] * n
    scount = [s * row_in for s in ins]
    rcount = [s * row_out for s in outs]
    send = _bytes(_host(input)[0])
    buf, own = _host(output)
    recv = _bytes(buf)
    smsg = [send, (scount, _displs(scount))]
    rmsg = [recv, (rcount, _displs(rcount))]

    def start(nb):
        if nb:
            return pg.comm.Ialltoallv(smsg, rmsg)
        pg.comm.Alltoallv(smsg, rmsg)
    return _run(pg, async_op, start, lambda: _store(output, buf, own), [output])


def all_to_all(output_tensor_list, input_tensor_list, group=None, async_op: bool = False):
    """torch.distributed.all_to_all: output_tensor_list[i] receives rank i's input[rank]."""
    pg = _resolve(group)
    if pg is None:
        return None
    _check(pg, "all_to_all", [], input_tensor_list[0]._dtype.name, shapes=False)
    sends = [_bytes(_host(t)[0]) for t in input_tensor_list]
    send = np.concatenate(sends)
    rcount = [t.numel() * t.element_size() for t in output_tensor_list]
    recv = np.empty(sum(rcount), np.uint8)
    scount = [s.size for s in sends]
    smsg = [send, (scount, _displs(scount))]
    rmsg = [recv, (rcount, _displs(rcount))]

    def start(nb):
        if nb:
            return pg.comm.Ialltoallv(smsg, rmsg)
        pg.comm.Alltoallv(smsg, rmsg)

    def finish():
        off = 0
        for t, c in zip(output_tensor_list, rcount):
            _store(t, recv[off:off + c].view(t._array.dtype), False)
            off += c
    return _run(pg, async_op, start, finish, output_tensor_list)


def _displs(counts) -> list[int]:
    out, acc = [], 0
    for c in counts:
        out.append(acc)
        acc += c
    return out


def barrier(group=None, async_op: bool = False, device_ids=None, timeout=None):
    """torch.distributed.barrier."""
    pg = _resolve(group)
    if pg is None:
        return None

    def start(nb):
        if nb:
            return pg.comm.Ibarrier()
        pg.comm.Barrier()
    return _run(pg, async_op, start, lambda: None)


def monitored_barrier(group=None, timeout=None, wait_all_ranks: bool = False) -> None:
    """torch.distributed.monitored_barrier (a plain barrier: a dead rank aborts the MPI job)."""
    barrier(group)


# ---- point to point -----------------------------------------------------------------------------

def _p2p(tensor, peer, group, group_peer, what):
    pg = _resolve(group)
    if pg is None:
        return None, None
    if what == "src" and peer is None and group_peer is None:
        return pg, None                            # recv from any source
    r = _peer(pg, peer, group_peer, what)
    if r == pg.rank():
        raise ValueError(f"Invalid {what} rank: {what} rank should not be the same as the rank "
                         "of the current process.")
    return pg, r


def isend(tensor, dst: int | None = None, group=None, tag: int = 0,
          group_dst: int | None = None):
    """torch.distributed.isend: a Work whose wait() returns once the tensor is sent."""
    pg, r = _p2p(tensor, dst, group, group_dst, "dst")
    if pg is None:
        return None
    return Work([pg.comm.Isend(_bytes(_host(tensor)[0]), r, tag)], None, [tensor])


def send(tensor, dst: int | None = None, group=None, tag: int = 0,
         group_dst: int | None = None) -> None:
    """torch.distributed.send (blocking)."""
    w = isend(tensor, dst, group, tag, group_dst)
    if w is not None:
        w.wait()


def irecv(tensor, src: int | None = None, group=None, tag: int = 0,
          group_src: int | None = None):
    """torch.distributed.irecv: src=None receives from any rank (see Work.source_rank)."""
    pg, r = _p2p(tensor, src, group, group_src, "src")
    if pg is None:
        return None
    MPI = _mpi()
    buf, own = _host(tensor)
    work = Work([], None, [tensor])
    work._reqs = [pg.comm.Irecv(_bytes(buf), MPI.ANY_SOURCE if r is None else r, tag)]

    def finish():
        _store(tensor, buf, own)
        return pg.ranks[work._status.Get_source()]
    work._finish = finish
    return work


def recv(tensor, src: int | None = None, group=None, tag: int = 0,
         group_src: int | None = None) -> int:
    """torch.distributed.recv (blocking); returns the sender's rank."""
    w = irecv(tensor, src, group, tag, group_src)
    if w is None:
        return -1
    return w.source_rank()
