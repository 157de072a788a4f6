"""Every collective on 2+ ranks, checked against values computed locally (run under mpirun)."""

import os

import numpy as np

import ember as torch
import ember.distributed as dist

dist.init_process_group("gloo")
rank, world = dist.get_rank(), dist.get_world_size()
assert dist.is_initialized() and world >= 2
DTYPES = [torch.float32, torch.float64, torch.int64, torch.int32, torch.float16, torch.bfloat16]


def data(r, dtype, shape=(2, 3)):
    """Rank r's tensor: distinct small integers (exact in every dtype)."""
    n = int(np.prod(shape))
    return torch.arange(n, dtype=torch.float64).reshape(shape).add(r * 10 + 1).to(dtype)


def same(a, b):
    assert a.dtype == b.dtype, (a.dtype, b.dtype)
    assert a.shape == b.shape, (a.shape, b.shape)
    assert torch.equal(a, b), (a, b)


everyone = lambda dtype, shape=(2, 3): [data(r, dtype, shape) for r in range(world)]  # noqa: E731

for dt in DTYPES:
    ref = torch.stack([x.double() for x in everyone(dt)])
    expect = {dist.ReduceOp.SUM: ref.sum(0), dist.ReduceOp.PRODUCT: ref.prod(0),
              dist.ReduceOp.MIN: ref.min(0).values, dist.ReduceOp.MAX: ref.max(0).values}
    for op, e in expect.items():
        t = data(rank, dt)
        assert dist.all_reduce(t, op=op) is None
        same(t, e.to(dt))
    t = data(rank, dt)
    dist.all_reduce(t, op=dist.ReduceOp.AVG)
    avg = ref.mean(0)
    same(t, (avg.trunc() if not dt.is_floating_point else avg).to(dt))
    # reduce: only dst changes
    t = data(rank, dt)
    dist.reduce(t, dst=1)
    same(t, ref.sum(0).to(dt) if rank == 1 else data(rank, dt))
    # broadcast
    t = data(rank, dt)
    dist.broadcast(t, src=1)
    same(t, data(1, dt))
    # all_gather / all_gather_into_tensor
    outs = [torch.zeros(2, 3, dtype=dt) for _ in range(world)]
    dist.all_gather(outs, data(rank, dt))
    for o, e in zip(outs, everyone(dt)):
        same(o, e)
    out = torch.zeros(world * 2, 3, dtype=dt)
    dist.all_gather_into_tensor(out, data(rank, dt))
    same(out, torch.cat(everyone(dt)))
    # gather / scatter
    glist = [torch.zeros(2, 3, dtype=dt) for _ in range(world)] if rank == 0 else None
    dist.gather(data(rank, dt), glist, dst=0)
    if rank == 0:
        for o, e in zip(glist, everyone(dt)):
            same(o, e)
    t = torch.zeros(2, 3, dtype=dt)
    dist.scatter(t, everyone(dt) if rank == 0 else None, src=0)
    same(t, data(rank, dt))
    # reduce_scatter / reduce_scatter_tensor: rank i gets the sum of everyone's piece i
    pieces = lambda r, dt=dt: [data(r * world + i, dt) for i in range(world)]  # noqa: E731
    t = torch.zeros(2, 3, dtype=dt)
    dist.reduce_scatter(t, pieces(rank))
    e = sum(pieces(r)[rank].double() for r in range(world))
    same(t, e.to(dt))
    t = torch.zeros(2, 3, dtype=dt)
    dist.reduce_scatter_tensor(t, torch.cat(pieces(rank)))
    same(t, e.to(dt))

# bool and bitwise ops
b = torch.tensor([rank == 0, True, False])
dist.all_reduce(b)
same(b, torch.tensor([True, True, False]))
i = torch.tensor([1 << rank, 3])
dist.all_reduce(i, op=dist.ReduceOp.BOR)
same(i, torch.tensor([(1 << world) - 1, 3]))

# in place on a non-contiguous view writes through to the base tensor
base = torch.zeros(3, 4)
view = base.t()
view.add_(1)
dist.all_reduce(view)
same(base, torch.full((3, 4), float(world)))
v0 = torch.ones(2)
ver = v0._version
dist.all_reduce(v0)
assert v0._version > ver

# async handles
t = data(rank, torch.float32)
w = dist.all_reduce(t, async_op=True)
assert w.wait() is True and w.is_completed()
same(t, sum(x for x in everyone(torch.float32)))
works = [dist.broadcast(x, src=0, async_op=True) for x in (torch.zeros(3) + rank,
                                                           torch.zeros(2) + rank)]
for w in works:
    w.wait()
    same(w.result()[0], torch.zeros(w.result()[0].shape))
w = dist.barrier(async_op=True)
w.wait()
dist.barrier()

# point to point (a ring), sync and async
nxt, prv = (rank + 1) % world, (rank - 1) % world
t = torch.zeros(3, dtype=torch.int64)
if rank == 0:
    dist.send(data(0, torch.int64, (3,)), dst=1)
    dist.recv(t, src=world - 1)
else:
    assert dist.recv(t, src=prv) == prv
    dist.send(data(rank, torch.int64, (3,)), dst=nxt)
same(t, data(prv, torch.int64, (3,)))
r = torch.zeros(4)
reqs = [dist.isend(torch.full((4,), float(rank)), dst=nxt, tag=7),
        dist.irecv(r, src=prv, tag=7)]
for q in reqs:
    q.wait()
same(r, torch.full((4,), float(prv)))
r = torch.zeros(2)
if rank == 0:
    w = dist.irecv(r)                                 # from any source
    w.wait()
    assert w.source_rank() == 1
    same(r, torch.ones(2))
elif rank == 1:
    dist.send(torch.ones(2), dst=0)

# all_to_all_single
inp = torch.arange(world * 2) + rank * 100
out = torch.zeros(world * 2, dtype=torch.int64)
dist.all_to_all_single(out, inp)
same(out, torch.cat([torch.arange(2) + rank * 2 + r * 100 for r in range(world)]))

# new_group: a subgroup of rank 0 and 1, and a group this rank may not belong to
g = dist.new_group([0, 1])
if rank < 2:
    t = torch.tensor([float(rank + 1)])
    dist.all_reduce(t, group=g)
    same(t, torch.tensor([3.0]))
    assert dist.get_world_size(g) == 2 and dist.get_rank(g) == rank
    assert dist.get_process_group_ranks(g) == [0, 1]
solo = dist.new_group([1])
if rank == 1:
    assert dist.get_world_size(solo) == 1 and dist.get_rank(solo) == 0
    t = torch.tensor([5.0])
    dist.all_reduce(t, group=solo)
    same(t, torch.tensor([5.0]))
else:
    assert solo is dist.GroupMember.NON_GROUP_MEMBER and dist.get_rank(solo) == -1
    assert dist.all_reduce(torch.ones(1), group=solo) is None
if rank < 2:
    t = torch.tensor([float(rank)])
    dist.broadcast(t, src=1, group=g)                  # src is a global rank, as torch
    same(t, torch.tensor([1.0]))

# object collectives
objs = [None] * world
dist.all_gather_object(objs, {"rank": rank, "t": torch.tensor([rank])})
assert [o["rank"] for o in objs] == list(range(world))
assert all(torch.equal(o["t"], torch.tensor([i])) for i, o in enumerate(objs))
lst = ["a", 1, rank] if rank == 0 else [None, None, None]
dist.broadcast_object_list(lst, src=0)
assert lst == ["a", 1, 0]
got = [None] * world if rank == 0 else None
dist.gather_object(("hi", rank), got, dst=0)
if rank == 0:
    assert got == [("hi", r) for r in range(world)]
out = [None]
dist.scatter_object_list(out, [{"i": r} for r in range(world)] if rank == 0 else None, src=0)
assert out == [{"i": rank}]

# errors: mismatched shapes across ranks are reported on every rank, naming both shapes (the
# first collectives of each group are checked: a fresh group's first call is)
try:
    dist.all_reduce(torch.zeros(2 + rank), group=dist.new_group())
except RuntimeError as e:
    assert "rank 0" in str(e) and "rank 1" in str(e) and "[2]" in str(e) and "[3]" in str(e), e
else:
    raise AssertionError("shape mismatch not detected")
os.environ["TORCH_DISTRIBUTED_DEBUG"] = "DETAIL"      # checks every call, not just the first ones
try:
    dist.broadcast(torch.zeros(2, dtype=torch.float32 if rank else torch.float64), src=0)
except RuntimeError as e:
    assert "float32" in str(e) and "float64" in str(e), e
else:
    raise AssertionError("dtype mismatch not detected")
del os.environ["TORCH_DISTRIBUTED_DEBUG"]
for bad, err in [(lambda: dist.broadcast(torch.zeros(1)), "Must specify global_rank"),
                 (lambda: dist.send(torch.zeros(1), dst=rank), "should not be the same"),
                 (lambda: dist.all_reduce(torch.zeros(1), op=dist.ReduceOp.BAND),
                  "not supported")]:
    try:
        bad()
    except (ValueError, RuntimeError) as e:
        assert err in str(e), e
    else:
        raise AssertionError(err)
try:
    dist.init_process_group("gloo")
except ValueError as e:
    assert "twice" in str(e)
assert dist.get_backend() == "gloo"
dist.destroy_process_group()
assert not dist.is_initialized()
try:
    dist.get_rank()
except ValueError as e:
    assert str(e).startswith("Default process group has not been initialized")
print(f"OK rank {rank}", flush=True)
