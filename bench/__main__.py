"""Run each workload on ember and torch in one process, interleaved; print medians and ratios.

Usage: python -m bench [workload ...] [--repeat N] [--threads N] [--json PATH] [--leak]

The default suite takes about a minute on 2 cores; --leak adds ~4 minutes (1,000 MNIST steps
per library).

Ratios are ember/torch: for times (µs, ms, s, MiB) lower is better, for throughputs (.../s)
higher is better. torch's DataLoader rows use a torch-op ToTensor+Normalize (no torchvision).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time


def _time(run) -> float:
    t0 = time.perf_counter()
    run()
    return time.perf_counter() - t0


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _blas_info(np) -> dict:
    """NumPy's BLAS/LAPACK build info (numpy.show_config's dict form)."""
    try:
        cfg = np.show_config(mode="dicts")
        deps = cfg.get("Build Dependencies", {})
        return {k: {f: deps[k].get(f) for f in ("name", "version", "openblas configuration")
                    if f in deps[k]} for k in ("blas", "lapack") if k in deps}
    except Exception as e:  # older NumPy: no dict mode
        return {"error": f"{type(e).__name__}: {e}"}


def _fmt(v) -> str:
    return "-" if v is None else f"{v:.3g}"


def _measure(name, make, libs, repeat, threads):
    """{lib: value} for one workload, plus its unit."""
    if getattr(make, "direct", None):
        res = {}
        for lname, lib in libs:
            try:
                res[lname] = make(lib, threads=threads)
            except Exception as e:
                print(f"{name:<20} {lname}: {type(e).__name__}: {e}")
        return res, make.direct
    runs = {}
    for lname, lib in libs:
        try:
            w = make(lib)
            if w is not None:
                w.run()          # warm-up (and the first call's errors, outside the timing)
                runs[lname] = w
        except Exception as e:  # a workload whose API is not implemented yet
            print(f"{name:<20} {lname}: {type(e).__name__}: {e}")
    samples = {k: [] for k in runs}
    for _ in range(getattr(make, "repeat", repeat)):   # interleaved: both see the same load
        for lname, w in list(runs.items()):
            samples[lname].append(_time(w.run))
    res = {}
    unit = ""
    for lname, w in runs.items():
        med = statistics.median(samples[lname])
        unit = w.unit
        if unit.endswith("/s"):
            res[lname] = w.per / med
        else:
            res[lname] = med / w.per * (1e6 if unit.startswith("µs") else 1e3)
    return res, unit


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench")
    p.add_argument("workloads", nargs="*")
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--threads", type=int, default=1, help="BLAS/torch threads for both")
    p.add_argument("--json", default=os.path.join(os.path.dirname(__file__), "results.json"))
    p.add_argument("--leak", action="store_true",
                   help="also run the slow RSS-growth check (1,000 MNIST steps per library)")
    args = p.parse_args(argv)
    # before NumPy loads: BLAS reads these once
    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
    import numpy as np

    import ember
    from bench.workloads import SLOW, WORKLOADS
    try:
        import torch
        torch.set_num_threads(args.threads)
    except ImportError:
        torch = None
    table = {**WORKLOADS, **(SLOW if args.leak else {})}
    names = args.workloads or list(table)
    unknown = [n for n in names if n not in {**WORKLOADS, **SLOW}]
    if unknown:
        p.error(f"unknown workload(s): {', '.join(unknown)}; choose from "
                f"{', '.join([*WORKLOADS, *SLOW])}")
    libs = [("ember", ember)] + ([("torch", torch)] if torch else [])
    rows = []
    t_start = time.perf_counter()
    print(f"{'workload':<20}{'ember':>12}{'torch':>12}{'ember/torch':>13}  unit")
    for name in names:
        res, unit = _measure(name, {**WORKLOADS, **SLOW}[name], libs, args.repeat, args.threads)
        ratio = res["ember"] / res["torch"] if res.get("ember") and res.get("torch") else None
        rows.append({"workload": name, "unit": unit, **res, "ratio": ratio})
        better = "higher" if unit.endswith("/s") else "lower"
        print(f"{name:<20}{_fmt(res.get('ember')):>12}{_fmt(res.get('torch')):>12}"
              f"{(f'{ratio:.2f}' if ratio else '-'):>13}  {unit} ({better} is better)",
              flush=True)
    elapsed = time.perf_counter() - t_start
    note = ("; torch's dataloader rows run torchvision's ToTensor+Normalize code transcribed in "
            "torch ops (torchvision is not installed)") if any(
        n.startswith("dataloader") for n in names) else ""
    print(f"({elapsed:.0f} s; {args.threads} thread(s){note})")
    info = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "python": sys.version.split()[0], "numpy": np.__version__,
            "blas": _blas_info(np), "torch": getattr(torch, "__version__", None),
            "ember": getattr(ember, "__version__", None), "cpu": _cpu_model(),
            "machine": platform.machine(), "cores": os.cpu_count(), "threads": args.threads,
            "repeat": args.repeat, "seconds": round(elapsed, 1), "results": rows}
    with open(args.json, "w") as f:
        json.dump(info, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
