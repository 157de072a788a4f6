"""Writes what a rank started by `ember launch` sees to <dir>/rank<N>.json."""

import json
import os
import sys

import torch
import torch.distributed as dist

dist.init_process_group("gloo", init_method="env://")
t = torch.tensor([float(dist.get_rank() + 1)])
dist.all_reduce(t)
keys = ("RANK", "LOCAL_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")
# one file per rank: mpirun may interleave the ranks' stdout within a line
with open(os.path.join(sys.argv[1], f"rank{dist.get_rank()}.json"), "w") as f:
    json.dump({"env": {k: os.environ.get(k) for k in keys}, "argv": sys.argv[2:],
               "torch": torch.__name__, "sum": t.item(), "rank": dist.get_rank(),
               "name": __name__}, f)
dist.destroy_process_group()
