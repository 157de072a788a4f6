"""Run each workload on ember and torch in one process, interleaved; print medians and ratios.

Usage: python -m bench [workload ...] [--repeat N] [--threads N] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time


def _time(run, repeat: int) -> list[float]:
    run()  # warm-up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return times


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench")
    p.add_argument("workloads", nargs="*")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--threads", type=int, default=1, help="BLAS/torch threads for both")
    p.add_argument("--json", default=os.path.join(os.path.dirname(__file__), "results.json"))
    args = p.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    os.environ.setdefault("OPENBLAS_NUM_THREADS", str(args.threads))
    import numpy as np

    import ember
    from bench.workloads import WORKLOADS
    try:
        import torch
        torch.set_num_threads(args.threads)
    except ImportError:
        torch = None
    names = args.workloads or list(WORKLOADS)
    rows = []
    print(f"{'workload':<20}{'ember':>14}{'torch':>14}{'ember/torch':>13}")
    for name in names:
        make = WORKLOADS[name]
        res = {}
        libs = [("ember", ember)] + ([("torch", torch)] if torch else [])
        runs = {}
        for lname, lib in libs:
            try:
                runs[lname] = make(lib)
            except Exception as e:  # a workload whose API is not implemented yet
                print(f"{name:<20} {lname}: {type(e).__name__}: {e}")
        samples = {k: [] for k in runs}
        for _ in range(args.repeat):     # interleave so both see the same machine load
            for lname, (run, _, _) in list(runs.items()):
                try:
                    samples[lname].extend(_time(run, 1))
                except Exception as e:
                    print(f"{name:<20} {lname}: {type(e).__name__}: {e}")
                    del runs[lname]
        for lname, (_, per, unit) in runs.items():
            scale = 1e6 if unit.startswith("µs") else 1e3
            res[lname] = statistics.median(samples[lname]) / per * scale
        unit = next(iter(runs.values()))[2] if runs else ""
        ratio = res["ember"] / res["torch"] if "ember" in res and "torch" in res else None
        rows.append({"workload": name, "unit": unit, **res, "ratio": ratio})
        fmt = lambda v: f"{v:.3g}" if v is not None else "-"  # noqa: E731
        print(f"{name:<20}{fmt(res.get('ember')):>14}{fmt(res.get('torch')):>14}"
              f"{(f'{ratio:.2f}x' if ratio else '-'):>13}  ({unit})")
    info = {"date": time.strftime("%Y-%m-%d"), "python": sys.version.split()[0],
            "numpy": np.__version__, "torch": getattr(torch, "__version__", None),
            "machine": platform.machine(), "processor": platform.processor(),
            "cores": os.cpu_count(), "threads": args.threads, "results": rows}
    with open(args.json, "w") as f:
        json.dump(info, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
