"""An unmodified torch DDP script: `torchrun` (real torch) and `ember launch` must agree."""

import json

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler

dist.init_process_group("gloo")
rank = dist.get_rank()
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Linear(16, 3))
ddp = DDP(model)
opt = torch.optim.SGD(ddp.parameters(), lr=0.05, momentum=0.9)
g = torch.Generator().manual_seed(1)
X, Y = torch.randn(64, 10, generator=g), torch.randint(0, 3, (64,), generator=g)
ds = TensorDataset(X, Y)
sampler = DistributedSampler(ds, shuffle=True, seed=3)
loader = DataLoader(ds, batch_size=8, sampler=sampler)
for epoch in range(3):
    sampler.set_epoch(epoch)
    for x, y in loader:
        opt.zero_grad()
        F.cross_entropy(ddp(x), y).backward()
        opt.step()
t = torch.tensor([float(rank)])
dist.all_reduce(t, op=dist.ReduceOp.MAX)
if rank == 0:
    sums = [p.detach().double().sum().item() for p in model.parameters()]
    print("final " + json.dumps({"sums": sums, "max": t.item(), "sampler": list(sampler)}),
          flush=True)
dist.destroy_process_group()
