"""Object collectives of torch.distributed (pickled Python objects, through mpi4py)."""

from __future__ import annotations

from typing import Any

from ._core import _peer, _resolve

__all__ = ["all_gather_object", "broadcast_object_list", "gather_object", "scatter_object_list",
           "send_object_list", "recv_object_list"]


def all_gather_object(object_list: list, obj: Any, group=None) -> None:
    """torch.distributed.all_gather_object: object_list[i] becomes rank i's obj."""
    pg = _resolve(group)
    if pg is None:
        return
    object_list[:] = pg.comm.allgather(obj)


def broadcast_object_list(object_list: list, src: int | None = None, group=None, device=None,
                          group_src: int | None = None) -> None:
    """torch.distributed.broadcast_object_list: every rank's list becomes rank src's, in place."""
    pg = _resolve(group)
    if pg is None:
        return
    root = _peer(pg, src, group_src, "src", default=0)
    got = pg.comm.bcast(list(object_list) if pg.rank() == root else None, root)
    object_list[:] = got


def gather_object(obj: Any, object_gather_list: list | None = None, dst: int | None = None,
                  group=None, group_dst: int | None = None) -> None:
    """torch.distributed.gather_object: object_gather_list[i] on dst becomes rank i's obj."""
    pg = _resolve(group)
    if pg is None:
        return
    root = _peer(pg, dst, group_dst, "dst", default=0)
    if pg.rank() == root and object_gather_list is None:
        raise ValueError("Argument ``object_gather_list`` must be specified on destination rank.")
    got = pg.comm.gather(obj, root)
    if pg.rank() == root:
        object_gather_list[:] = got


def scatter_object_list(scatter_object_output_list: list,
                        scatter_object_input_list: list | None = None, src: int | None = None,
                        group=None, group_src: int | None = None) -> None:
    """torch.distributed.scatter_object_list: output[0] becomes input[rank] of rank src."""
    pg = _resolve(group)
    if pg is None:
        return
    root = _peer(pg, src, group_src, "src", default=0)
    if not isinstance(scatter_object_output_list, list) or len(scatter_object_output_list) < 1:
        raise ValueError("Expected argument scatter_object_output_list to be a list of size at "
                         "least 1.")
    items = list(scatter_object_input_list) if pg.rank() == root else None
    scatter_object_output_list[0] = pg.comm.scatter(items, root)


def send_object_list(object_list: list, dst: int | None = None, group=None, device=None,
                     group_dst: int | None = None, use_batch: bool = False) -> None:
    """torch.distributed.send_object_list."""
    pg = _resolve(group)
    if pg is None:
        return
    pg.comm.send(list(object_list), _peer(pg, dst, group_dst, "dst"), tag=1)


def recv_object_list(object_list: list, src: int | None = None, group=None, device=None,
                     group_src: int | None = None, use_batch: bool = False) -> int:
    """torch.distributed.recv_object_list: fills object_list in place; returns the sender."""
    pg = _resolve(group)
    if pg is None:
        return -1
    from ._core import _mpi
    MPI = _mpi()
    status = MPI.Status()
    source = MPI.ANY_SOURCE if src is None and group_src is None else \
        _peer(pg, src, group_src, "src")
    got = pg.comm.recv(source=source, tag=1, status=status)
    object_list[:len(got)] = got
    return pg.ranks[status.Get_source()]
