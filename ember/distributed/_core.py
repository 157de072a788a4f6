"""The process groups of ember.distributed: MPI communicators behind torch's API."""

from __future__ import annotations

import enum
import os
import sys

import numpy as np

NOT_INIT_MSG = ("Default process group has not been initialized, please make sure to call "
                "init_process_group.")
_BACKENDS = ("mpi", "gloo", "nccl")
# How many collectives per group get their shapes/dtypes compared across ranks: the count is the
# same on every rank (unlike a per-shape cache), so all ranks check the same calls and never
# disagree about whether to run the check's allgather. TORCH_DISTRIBUTED_DEBUG=DETAIL: all calls.
_CHECKED_CALLS = 32


class RedOpType(enum.IntEnum):
    """torch.distributed.ReduceOp.RedOpType."""

    SUM = 0
    AVG = 1
    PRODUCT = 2
    MIN = 3
    MAX = 4
    BAND = 5
    BOR = 6
    BXOR = 7
    PREMUL_SUM = 8


class ReduceOp:
    """torch.distributed.ReduceOp: ReduceOp.SUM etc. are RedOpType members, as in torch."""

    RedOpType = RedOpType
    SUM = RedOpType.SUM
    AVG = RedOpType.AVG
    PRODUCT = RedOpType.PRODUCT
    MIN = RedOpType.MIN
    MAX = RedOpType.MAX
    BAND = RedOpType.BAND
    BOR = RedOpType.BOR
    BXOR = RedOpType.BXOR
    PREMUL_SUM = RedOpType.PREMUL_SUM


class Backend(str):
    """torch.distributed.Backend: a lower-case backend name."""

    UNDEFINED = "undefined"
    GLOO = "gloo"
    NCCL = "nccl"
    MPI = "mpi"

    def __new__(cls, name: str):
        if not isinstance(name, str):
            raise ValueError(f"Backend constructor parameter must be string-ish, but got: "
                             f"{type(name)}")
        return str.__new__(cls, name.lower())


class ProcessGroup:
    """torch.distributed.ProcessGroup: an MPI communicator and the global ranks it holds."""

    def __init__(self, comm, ranks: list[int], backend: str) -> None:
        self.comm = comm
        self.ranks = list(ranks)
        self.backend = backend
        self._rank = comm.Get_rank()
        self._size = comm.Get_size()
        self._calls = 0

    def rank(self) -> int:
        return self._rank

    def size(self) -> int:
        return self._size

    def name(self) -> str:
        return self.backend

    def __repr__(self) -> str:
        return f"<ProcessGroup {self.backend} ranks={self.ranks}>"


class GroupMember:
    """torch.distributed.GroupMember: WORLD (the default group) and the non-member sentinel."""

    WORLD: ProcessGroup | None = None
    NON_GROUP_MEMBER = -100


class group:  # noqa: N801 - torch's name
    """torch.distributed.group: group.WORLD."""

    WORLD: ProcessGroup | None = None


_group_cls = group
_STATE: dict = {"world": None, "groups": [], "hook": None, "mpi": None}


def _mpi():
    """mpi4py's MPI module, imported (and MPI initialised) on first use."""
    if _STATE["mpi"] is None:
        try:
            from mpi4py import MPI
        except ImportError as e:
            raise RuntimeError(
                "ember.distributed needs mpi4py and an MPI library: apt-get install openmpi-bin "
                "libopenmpi-dev && pip install 'ember[mpi]'") from e
        _STATE["mpi"] = MPI
    return _STATE["mpi"]


def is_available() -> bool:
    """torch.distributed.is_available: True when mpi4py can be imported."""
    try:
        import importlib.util
        return importlib.util.find_spec("mpi4py") is not None
    except (ImportError, ValueError):
        return False


def is_mpi_available() -> bool:
    return is_available()


def is_gloo_available() -> bool:
    # gloo is served by MPI here, so scripts that pick gloo on CPU run unchanged
    return is_available()


def is_nccl_available() -> bool:
    return False


def is_initialized() -> bool:
    return _STATE["world"] is not None


def is_torchelastic_launched() -> bool:
    return os.environ.get("TORCHELASTIC_RUN_ID") is not None


def _world() -> ProcessGroup:
    w = _STATE["world"]
    if w is None:
        raise ValueError(NOT_INIT_MSG)
    return w


def _resolve(grp) -> ProcessGroup | None:
    """The ProcessGroup for group= (None: the default); None when this rank is not a member."""
    if grp is None:
        return _world()
    _world()
    if grp is GroupMember.NON_GROUP_MEMBER:
        return None
    return grp


def _parse_backend(backend) -> str:
    if backend is None:
        return "mpi"
    name = str(backend).lower()
    # "cpu:gloo,cuda:nccl" device-qualified form: take the CPU entry, or the first
    if ":" in name:
        parts = dict(p.split(":", 1) for p in name.split(",") if ":" in p)
        name = parts.get("cpu", next(iter(parts.values())))
    if name not in _BACKENDS:
        raise AssertionError(f"Unknown backend type {backend}")
    return name


def init_process_group(backend: str | None = None, init_method: str | None = None, timeout=None,
                       world_size: int = -1, rank: int = -1, store=None, group_name: str = "",
                       pg_options=None, device_id=None) -> None:
    """torch.distributed.init_process_group over MPI ("gloo" and "nccl" are aliases of "mpi").

    The ranks are MPI's (start them with `ember launch` or mpirun); world_size/rank (or
    WORLD_SIZE/RANK from env://) are checked against MPI's, not used for a rendezvous.
    """
    if _STATE["world"] is not None:
        raise ValueError("trying to initialize the default process group twice!")
    name = _parse_backend(backend)
    MPI = _mpi()
    comm = MPI.COMM_WORLD
    size, me = comm.Get_size(), comm.Get_rank()
    if world_size in (-1, None) and (init_method is None or init_method.startswith("env://")):
        world_size = int(os.environ.get("WORLD_SIZE", -1))
    if rank in (-1, None) and (init_method is None or init_method.startswith("env://")):
        rank = int(os.environ.get("RANK", -1))
    if world_size not in (-1, size):
        raise RuntimeError(
            f"init_process_group: world_size={world_size} but MPI started {size} process(es); "
            f"start the job with `ember launch --nproc-per-node {world_size} script.py` "
            f"(or mpirun -n {world_size})")
    if rank not in (-1, me):
        raise RuntimeError(f"init_process_group: rank={rank} but MPI gave this process rank {me}")
    # a private communicator, so that the user's own mpi4py traffic cannot interleave with ours
    world = ProcessGroup(comm.Dup(), list(range(size)), name)
    _STATE["world"] = world
    GroupMember.WORLD = group.WORLD = world
    _install_excepthook(me)


def _install_excepthook(rank: int) -> None:
    """An uncaught exception in one rank aborts the whole job instead of leaving peers hung."""
    if _STATE["hook"] is not None:
        return
    prev = sys.excepthook

    def hook(tp, value, tb):
        prev(tp, value, tb)
        sys.stderr.write(f"[rank {rank}] uncaught {tp.__name__}: aborting the job\n")
        sys.stderr.flush()
        _mpi().COMM_WORLD.Abort(1)

    _STATE["hook"] = (prev, hook)
    sys.excepthook = hook


def destroy_process_group(group=None) -> None:
    """torch.distributed.destroy_process_group (MPI itself stays up until the process exits)."""
    w = _STATE["world"]
    if w is None:
        raise AssertionError("Process group cannot be None")
    if group is not None and group is not w:
        if group is not GroupMember.NON_GROUP_MEMBER and group in _STATE["groups"]:
            _STATE["groups"].remove(group)
            group.comm.Free()
        return
    for g in _STATE["groups"]:
        g.comm.Free()
    w.comm.Free()
    _STATE["groups"] = []
    _STATE["world"] = None
    GroupMember.WORLD = _group_cls.WORLD = None
    if _STATE["hook"] is not None and sys.excepthook is _STATE["hook"][1]:
        sys.excepthook = _STATE["hook"][0]
    _STATE["hook"] = None


def new_group(ranks=None, timeout=None, backend=None, pg_options=None,
              use_local_synchronization: bool = False, group_desc=None, device_id=None,
              sort_ranks: bool = True):
    """torch.distributed.new_group: a communicator over `ranks` (global ranks).

    Only members communicate (MPI_Comm_create_group), so it works whether or not non-members
    call it; non-members get GroupMember.NON_GROUP_MEMBER, as in torch.
    """
    w = _world()
    if ranks is None:
        ranks = list(range(w.size()))
    ranks = sorted(ranks) if sort_ranks else list(ranks)
    if len(ranks) > w.size():
        raise ValueError("the new group's world size should be less or equal to the world size "
                         "set by init_process_group")
    for r in ranks:
        if r < 0 or r >= w.size():
            raise ValueError("The new group's rank should be within the world_size set by "
                             "init_process_group")
    if w.rank() not in ranks:
        return GroupMember.NON_GROUP_MEMBER
    mgroup = w.comm.Get_group().Incl(ranks)
    comm = w.comm.Create_group(mgroup, tag=_tag(ranks))
    mgroup.Free()
    pg = ProcessGroup(comm, ranks, backend and _parse_backend(backend) or w.backend)
    _STATE["groups"].append(pg)
    return pg


def _tag(ranks) -> int:
    # members agree on it without talking; distinct rank sets rarely collide
    return hash(tuple(ranks)) & 0x7FFF


def get_rank(group=None) -> int:
    """This process's rank in group (-1 when not a member)."""
    pg = _resolve(group)
    return -1 if pg is None else pg.rank()


def get_world_size(group=None) -> int:
    """The number of ranks in group (-1 when this process is not a member)."""
    pg = _resolve(group)
    return -1 if pg is None else pg.size()


def get_backend(group=None) -> str:
    pg = _resolve(group)
    if pg is None:
        raise ValueError("Invalid process group specified")
    return Backend(pg.backend)


def get_process_group_ranks(group) -> list[int]:
    pg = _resolve(group)
    if pg is None:
        raise ValueError("Group is not registered, please create group with "
                         "torch.distributed.new_group API")
    return list(pg.ranks)


def get_global_rank(group, group_rank: int) -> int:
    return get_process_group_ranks(group)[group_rank]


def get_group_rank(group, global_rank: int) -> int:
    ranks = get_process_group_ranks(group)
    if global_rank not in ranks:
        raise ValueError(f"Global rank {global_rank} is not part of group {group}")
    return ranks.index(global_rank)


def get_node_local_rank(fallback_rank: int | None = None) -> int:
    if "LOCAL_RANK" in os.environ:
        return int(os.environ["LOCAL_RANK"])
    if fallback_rank is not None:
        return int(fallback_rank)
    raise RuntimeError("LOCAL_RANK is not in the environment. Consider passing fallback_rank to "
                       "allow `get_node_local_rank` to work, assuming you are not running in a "
                       "multi-device context and want the code to run locally instead.")


def _peer(pg: ProcessGroup, rank, group_rank, what: str,
          default: int | None = None) -> int:
    """A peer's rank inside pg from torch's (global) src/dst or group_src/group_dst."""
    if group_rank is not None:
        if rank is not None:
            raise ValueError("Can't specify both group_rank and global_rank")
        r = group_rank
    elif rank is None:
        if default is None:
            raise ValueError("Must specify global_rank or group_rank")
        r = default
    elif pg is _STATE["world"]:
        r = rank
    else:
        if rank not in pg.ranks:
            raise ValueError(f"Global rank {rank} is not part of group {pg}")
        r = pg.ranks.index(rank)
    if not 0 <= r < pg.size():
        raise RuntimeError(f"invalid {what} rank: {r} (group size {pg.size()})")
    return r


_SIG_LEN = 12


def _check(pg: ProcessGroup, opname: str, arrays, dtype_name: str, shapes: bool = True) -> None:
    """Raise on every rank when ranks disagree on the collective, its dtype or its shapes.

    Runs on the first _CHECKED_CALLS calls of each group (or all under
    TORCH_DISTRIBUTED_DEBUG=DETAIL): one allgather of a few ints, so the fast path stays fast.
    """
    pg._calls += 1
    if pg._calls > _CHECKED_CALLS and os.environ.get("TORCH_DISTRIBUTED_DEBUG") != "DETAIL":
        return
    if pg.size() == 1:
        return
    sig = np.zeros(_SIG_LEN, np.int64)
    sig[0] = _code(opname)
    sig[1] = _code(dtype_name)
    if shapes:
        dims = [len(arrays)] + [d for a in arrays for d in (a.ndim, *a.shape)]
        sig[2:2 + min(len(dims), _SIG_LEN - 3)] = dims[:_SIG_LEN - 3]
        sig[-1] = hash(tuple(dims)) & 0x7FFFFFFF
    everyone = np.empty((pg.size(), _SIG_LEN), np.int64)
    pg.comm.Allgather(sig, everyone)
    if (everyone == sig).all():
        return
    descr = pg.comm.allgather(f"{opname}({dtype_name}, shapes "
                              f"{[list(a.shape) for a in arrays]})")
    lines = "; ".join(f"rank {pg.ranks[i]}: {d}" for i, d in enumerate(descr))
    raise RuntimeError(f"{opname}: ranks called mismatched collectives or passed tensors of "
                       f"different dtype/shape: {lines}")


def _code(name: str) -> int:
    return int.from_bytes(name.encode()[:7].ljust(7, b"\0"), "little") ^ len(name)
