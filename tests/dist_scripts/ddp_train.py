"""2-rank DDP training against a 1-process full-batch run (run under mpirun -n 2)."""

import ember as torch
import ember.distributed as dist
import ember.nn as nn
import ember.nn.functional as F
from ember.nn.parallel import DistributedDataParallel as DDP

dist.init_process_group("gloo")
rank, world = dist.get_rank(), dist.get_world_size()
assert world == 2


def cnn():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(),
                         nn.Linear(64, 16), nn.Tanh(), nn.Linear(16, 3))


def close(a, b, what):
    assert torch.allclose(a, b, rtol=1e-4, atol=1e-5), f"{what}: {(a - b).abs().max()}"


def identical_across_ranks(module):
    everyone = [None] * world
    dist.all_gather_object(everyone, {k: v.clone() for k, v in module.state_dict().items()})
    for k in everyone[0]:
        assert torch.equal(everyone[0][k], everyone[1][k]), f"{k} differs across ranks"


torch.manual_seed(1)
X = torch.randn(8, 1, 6, 6)
Y = torch.randint(0, 3, (8,))
half = X.shape[0] // world
mine = slice(rank * half, (rank + 1) * half)

# ---- A: a CNN with SyncBatchNorm, 20 steps, each rank on half the batch ----------------------
ref = cnn()                                   # one process, whole batch, plain BatchNorm
ref_opt = torch.optim.SGD(ref.parameters(), lr=0.1, momentum=0.9)
model = nn.SyncBatchNorm.convert_sync_batchnorm(cnn())
assert isinstance(model[1], nn.SyncBatchNorm) and model[1].weight is not None
if rank == 1:                                 # DDP must broadcast rank 0's state at construction
    with torch.no_grad():
        for p in model.parameters():
            p.add_(1.0)
ddp = DDP(model, bucket_cap_mb=0.0005)        # tiny buckets: several all-reduces in flight
assert len(ddp._buckets) > 1
assert list(ddp.state_dict()) == ["module." + k for k in model.state_dict()]
assert ddp.module is model
opt = torch.optim.SGD(ddp.parameters(), lr=0.1, momentum=0.9)
for _step in range(20):
    ref_opt.zero_grad()
    F.cross_entropy(ref(X), Y).backward()
    ref_opt.step()
    opt.zero_grad()
    F.cross_entropy(ddp(X[mine]), Y[mine]).backward()
    opt.step()
for (name, a), b in zip(ref.state_dict().items(), model.state_dict().values()):
    close(a.double(), b.double(), name)
identical_across_ranks(model)

# ---- B: gradient accumulation with no_sync (an MLP: no batch statistics) ----------------------
torch.manual_seed(2)
ref = nn.Sequential(nn.Linear(36, 8), nn.ReLU(), nn.Linear(8, 3))
torch.manual_seed(2)
model = nn.Sequential(nn.Linear(36, 8), nn.ReLU(), nn.Linear(8, 3))
ddp = DDP(model)
xf = X.reshape(8, 36)
for _ in range(3):
    ref.zero_grad()
    F.cross_entropy(ref(xf), Y).backward()
    model.zero_grad()
    xs, ys = xf[mine], Y[mine]
    with ddp.no_sync():
        (F.cross_entropy(ddp(xs[:2]), ys[:2]) / 2).backward()
    local = model[0].weight.grad.clone()
    everyone = [None] * world
    dist.all_gather_object(everyone, local)
    assert not torch.equal(everyone[0], everyone[1])       # no_sync kept the grads local
    (F.cross_entropy(ddp(xs[2:]), ys[2:]) / 2).backward()
    for (name, p), q in zip(ref.named_parameters(), model.parameters()):
        close(p.grad, q.grad, name)

# ---- C: find_unused_parameters -----------------------------------------------------------------


class Branchy(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(3, 2)
        self.b = nn.Linear(3, 2)            # used by rank 0 only
        self.c = nn.Linear(3, 2)            # never used

    def forward(self, x, use_b):
        return self.a(x) + (self.b(x) if use_b else 0)


torch.manual_seed(3)
model = Branchy()
ddp = DDP(model, find_unused_parameters=True)
x = torch.ones(2, 3) * (rank + 1)
ddp(x, use_b=rank == 0).sum().backward()
assert model.c.weight.grad is None                           # unused everywhere: untouched
close(model.b.weight.grad, torch.full((2, 3), 2.0 / world), "b (used on rank 0 only)")
close(model.a.weight.grad, torch.full((2, 3), (2.0 + 4.0) / world), "a")
try:
    DDP(Branchy())(x, use_b=False).sum().backward()
except RuntimeError as e:
    assert "find_unused_parameters=True" in str(e) and "b.weight" in str(e), e
else:
    raise AssertionError("unused parameters without find_unused_parameters went unnoticed")

try:
    DDP(nn.Linear(2, 2), device_ids=[0])          # as torch: device_ids are for GPU modules
except ValueError as e:
    assert "device_ids [0]" in str(e), e
else:
    raise AssertionError("device_ids accepted for a CPU module")

print(f"OK rank {rank}", flush=True)
