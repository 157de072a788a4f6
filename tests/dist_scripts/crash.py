"""Rank 1 fails (raises, is killed, or exits non-zero) while rank 0 waits in a collective."""

import os
import signal
import sys

import torch
import torch.distributed as dist

dist.init_process_group("gloo")
if dist.get_rank() == 1:
    how = sys.argv[1]
    if how == "raise":
        raise ValueError("deliberate failure")
    if how == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if how == "exit":
        sys.exit(3)
t = torch.ones(2)
dist.all_reduce(t)                  # rank 0 blocks here: the job must not hang
print("rank 0 finished: the failure was not noticed", flush=True)
