"""Both ranks report ready, then wait (for the signal-forwarding test)."""

import time

import torch.distributed as dist

dist.init_process_group("gloo")
print(f"ready {dist.get_rank()}", flush=True)
time.sleep(60)
