"""One prepared check for a GPU machine: ember on CUDA against torch on CUDA.

Run from the repository root (CuPy and a CUDA build of PyTorch installed there):

    PYTHONPATH=. python bench/gpu_check.py            # ~5 minutes on one GPU
    PYTHONPATH=. python bench/gpu_check.py --dry-run  # CPU, tiny sizes: checks the script only

Sections (each prints and carries on when an ember feature is missing):
1. the op table (tests/op_db.py: forward values and backward grads) on the device;
2. the pytorch/examples MNIST Net trained 20 steps from the same weights on the same batch
   (model.eval(): dropout off, so both runs are deterministic), max relative loss difference;
3. ember/torch time ratios with synchronisation: MNIST Net training step at batch 256,
   a ResNet-18 CIFAR training step at batch 128, a 4096x4096 float32 matmul.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback

import numpy as np

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _ROOT not in sys.path:                   # `python bench/gpu_check.py` without PYTHONPATH=.
    sys.path.insert(0, _ROOT)

from bench.workloads import mnist_net, resnet18  # noqa: E402  (the models, defined once)


def _say(*a) -> None:
    print(*a, flush=True)


def _err(e: BaseException) -> str:
    """The exception and the innermost ember frame, in one line."""
    frames = [f for f in traceback.extract_tb(e.__traceback__) if "ember" in f.filename]
    where = f" @ {os.path.relpath(frames[-1].filename, _ROOT)}:{frames[-1].lineno}" \
        if frames else ""
    return f"{type(e).__name__}: {str(e).splitlines()[0][:160] if str(e) else ''}{where}"


def _sync(lib, dev: str) -> None:
    if dev.startswith("cuda"):
        lib.cuda.synchronize()


def _host(t) -> np.ndarray:
    """A float64 NumPy copy of an ember or torch tensor (bfloat16 through float32)."""
    t = t.detach().cpu().resolve_conj()          # torch's conj() is a lazy view
    if "bfloat16" in str(t.dtype):
        t = t.float()
    return np.asarray(t.numpy(), dtype=np.complex128 if t.is_complex() else np.float64)


# ---- 1. the op table ---------------------------------------------------------------------------
def _tensors(lib, arrs, dev: str, requires_grad: bool):
    out = []
    for a in arrs:
        if isinstance(a, np.ndarray):
            rg = requires_grad and a.dtype.kind == "f"
            out.append(lib.tensor(a, device=dev, requires_grad=rg))
        else:
            out.append(a)
    return out


def _close(e, t, atol: float, rtol: float) -> str | None:
    """None when ember's result e matches torch's t, else what differs."""
    if tuple(e.shape) != tuple(t.shape):
        return f"shape {tuple(e.shape)} != {tuple(t.shape)}"
    if str(e.dtype).split(".")[-1] != str(t.dtype).split(".")[-1]:
        return f"dtype {e.dtype} != {t.dtype}"
    ea, ta = _host(e), _host(t)
    if not np.allclose(ea, ta, atol=atol, rtol=rtol, equal_nan=True):
        return f"max abs diff {np.nanmax(np.abs(ea - ta)) if ea.size else 0:.3g}"
    return None


def run_op_table(ember, torch, edev: str, tdev: str, max_cases: int | None = None,
                 budget_s: float = 150.0, infos=None,
                 dtypes=None) -> tuple[int, int, list]:
    """OP_DB entries (or `infos`) on ember (edev) and torch (tdev): (passed, run, failures)."""
    if os.path.join(_ROOT, "tests") not in sys.path:
        sys.path.insert(0, os.path.join(_ROOT, "tests"))
    from op_db import OP_DB
    from opinfo import flat_outputs, make_inputs, random_cotangents

    cases = [(info, dt, i) for info in (OP_DB if infos is None else infos) for dt in info.dtypes
             if dtypes is None or dt in dtypes for i in range(len(info.shapes))]
    if max_cases is not None:
        cases = cases[:max_cases]
    passed, failures, t0 = 0, [], time.perf_counter()
    for n, (info, dt, idx) in enumerate(cases):
        if time.perf_counter() - t0 > budget_s:
            failures.append(("(budget)", f"stopped after {n} of {len(cases)} cases"))
            return passed, n, failures
        name = f"{info.name}[{dt},{idx}]"
        # device kernels sum in other orders than the host: looser than the CPU test's bounds
        atol, rtol = max(info.atol * 10, 1e-5 if dt == "float64" else 1e-4), max(
            info.rtol * 10, 1e-6 if dt == "float64" else 1e-4)
        arrs = make_inputs(info, info.shapes[idx], dt, seed=idx)
        try:
            tt = _tensors(torch, arrs, tdev, info.grad)
            tout = flat_outputs(info.fn(torch, *tt))
        except Exception:
            passed += 1               # torch refuses this case on the device: nothing to match
            continue
        try:
            et = _tensors(ember, arrs, edev, info.grad)
            eout = flat_outputs(info.fn(ember, *et))
            bad = None
            for k, (e, t) in enumerate(zip(eout, tout)):
                if isinstance(t, torch.Tensor):
                    if not isinstance(e, ember.Tensor):
                        bad = f"output {k}: expected a Tensor, got {type(e).__name__}"
                    elif e.device.type != edev.split(":")[0]:
                        bad = f"output {k} on {e.device}"
                    bad = bad or _close(e, t, atol, rtol)
                elif e != t and not (e != e and t != t):
                    bad = f"output {k}: {e!r} != {t!r}"
                if bad:
                    break
            if bad is None and info.grad:
                cots = random_cotangents(tout)
                pairs = [(t, e, c) for t, e, c in zip(tout, eout, cots) if c is not None]
                if pairs:
                    torch.autograd.backward([p[0] for p in pairs],
                                            [torch.tensor(p[2], device=tdev) for p in pairs])
                    ember.autograd.backward([p[1] for p in pairs],
                                            [ember.tensor(p[2], device=edev) for p in pairs])
                    for k, (e, t) in enumerate(zip(et, tt)):
                        if isinstance(t, torch.Tensor) and t.grad is not None:
                            if e.grad is None:
                                bad = f"input {k} got no gradient"
                            elif e.grad.device.type != edev.split(":")[0]:
                                bad = f"grad {k} on {e.grad.device}"
                            else:
                                bad = _close(e.grad, t.grad, atol * 10, rtol * 10)
                            if bad:
                                bad = f"grad {k}: {bad}"
                                break
        except Exception as e:
            bad = _err(e)
        if bad is None:
            passed += 1
        else:
            failures.append((name, bad))
    return passed, len(cases), failures


# ---- 2. models (bench/workloads.py: mnist_net, resnet18) --------------------------------------
def _copy_weights(tmodel, emodel, ember, edev: str) -> None:
    """torch's parameters and buffers into the ember model (same names), on edev."""
    sd = {k: ember.tensor(v.detach().cpu().numpy(), device=edev)
          for k, v in tmodel.state_dict().items()}
    emodel.load_state_dict(sd)


def mnist_compare(ember, torch, edev: str, tdev: str, steps: int = 20,
                  batch: int = 64) -> float:
    """Train Net `steps` Adadelta steps on both from the same weights: max relative loss diff."""
    torch.manual_seed(0)
    tnet = mnist_net(torch).to(tdev)
    enet = mnist_net(ember).to(edev)
    _copy_weights(tnet, enet, ember, edev)
    tnet.eval()
    enet.eval()       # dropout off: both runs are deterministic
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, batch)
    tx, ty = torch.tensor(x, device=tdev), torch.tensor(y, device=tdev)
    ex, ey = ember.tensor(x, device=edev), ember.tensor(y, device=edev)
    topt = torch.optim.Adadelta(tnet.parameters(), lr=1.0)
    eopt = ember.optim.Adadelta(enet.parameters(), lr=1.0)
    worst = 0.0
    for step in range(steps):
        losses = []
        for lib, net, opt, bx, by in ((torch, tnet, topt, tx, ty), (ember, enet, eopt, ex, ey)):
            opt.zero_grad()
            loss = lib.nn.functional.nll_loss(net(bx), by)
            loss.backward()
            opt.step()
            losses.append(float(loss.item()))
        rel = abs(losses[1] - losses[0]) / max(abs(losses[0]), 1e-12)
        worst = max(worst, rel)
        if step in (0, steps - 1):
            _say(f"  step {step:2d}: torch loss {losses[0]:.6f}  ember loss {losses[1]:.6f}")
    return worst


# ---- 3. timing ---------------------------------------------------------------------------------
def _train_step(lib, net, x, y, opt):
    def step():
        opt.zero_grad()
        loss = lib.nn.functional.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
    return step


def _mnist_work(lib, dev: str, batch: int):
    net = mnist_net(lib).to(dev)
    x = lib.randn(batch, 1, 28, 28, device=dev)
    y = lib.randint(0, 10, (batch,), device=dev)
    return _train_step(lib, net, x, y, lib.optim.Adadelta(net.parameters(), lr=1.0))


def _resnet_work(lib, dev: str, batch: int, width: int, size: int):
    net = resnet18(lib, width).to(dev)
    x = lib.randn(batch, 3, size, size, device=dev)
    y = lib.randint(0, 10, (batch,), device=dev)
    return _train_step(lib, net, x, y, lib.optim.SGD(net.parameters(), lr=0.1, momentum=0.9))


def _matmul_work(lib, dev: str, n: int):
    a = lib.randn(n, n, device=dev)
    b = lib.randn(n, n, device=dev)
    return lambda: lib.matmul(a, b)


def time_it(lib, dev: str, fn, reps: int, budget_s: float) -> float:
    """Median seconds per call (synchronised), after one warm-up call."""
    fn()
    _sync(lib, dev)
    times, t_end = [], time.perf_counter() + budget_s
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        _sync(lib, dev)
        times.append(time.perf_counter() - t0)
        if time.perf_counter() > t_end:
            break
    return float(np.median(times))


def timings(ember, torch, edev: str, tdev: str, dry: bool, per_budget: float = 25.0) -> list:
    """(workload, ember s, torch s) rows; a failing ember workload is reported and skipped."""
    if dry:
        work = [("mnist_step", lambda lib, d: _mnist_work(lib, d, 2)),
                ("resnet18_step", lambda lib, d: _resnet_work(lib, d, 2, 4, 8)),
                ("matmul", lambda lib, d: _matmul_work(lib, d, 64))]
        reps, budget = 2, 5.0
    else:
        work = [("mnist_step_b256", lambda lib, d: _mnist_work(lib, d, 256)),
                ("resnet18_cifar_b128", lambda lib, d: _resnet_work(lib, d, 128, 64, 32)),
                ("matmul_4096", lambda lib, d: _matmul_work(lib, d, 4096))]
        reps, budget = 20, per_budget
    rows = []
    for name, make in work:
        res = {}
        for lname, lib, dev in (("torch", torch, tdev), ("ember", ember, edev)):
            try:
                res[lname] = time_it(lib, dev, make(lib, dev), reps, budget)
            except Exception as e:
                _say(f"  {name}: {lname} failed: {_err(e)}")
        if len(res) == 2:
            _say(f"  {name:<22} ember {res['ember'] * 1e3:9.2f} ms  torch "
                 f"{res['torch'] * 1e3:9.2f} ms  ember/torch {res['ember'] / res['torch']:7.2f}")
            rows.append((name, res["ember"], res["torch"]))
    return rows


# ---- main --------------------------------------------------------------------------------------
def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dry-run", action="store_true", help="CPU, tiny sizes (checks the script)")
    p.add_argument("--device", default=None, help="device for both (default cuda, or cpu dry)")
    p.add_argument("--max-cases", type=int, default=None, help="limit the op table")
    p.add_argument("--skip", default="", help="comma list of: ops,mnist,timing")
    p.add_argument("--budget", type=float, default=290.0,
                   help="seconds for the whole run (the op table stops early to keep to it)")
    args = p.parse_args(argv)
    dev = args.device or ("cpu" if args.dry_run else "cuda")
    skip = set(filter(None, args.skip.split(",")))
    import torch

    import ember
    _say(f"ember {getattr(ember, '__version__', '?')}, torch {torch.__version__}, numpy "
         f"{np.__version__}, device {dev}")
    if dev.startswith("cuda"):
        _say(f"torch.cuda: {torch.cuda.is_available()} ({torch.cuda.device_count()} devices); "
             f"ember.cuda: {ember.cuda.is_available()} ({ember.cuda.device_count()} devices)")
        if not (torch.cuda.is_available() and ember.cuda.is_available()):
            try:
                ember.cuda.init()
            except Exception as e:
                _say(f"ember: {e}")
            _say("no CUDA for both libraries: nothing to check (use --dry-run on a CPU)")
            return 1
        _say(f"GPU: {ember.cuda.get_device_name()} (torch: {torch.cuda.get_device_name()})")
        # compare like with like: no TF32 in torch (CuPy does not use it by default)
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    t_start = time.perf_counter()
    summary = []
    if "ops" not in skip:
        _say("== op table (forward + backward) ==")
        try:
            # CuPy compiles each new kernel on first use: leave time for the models after it
            passed, n, fails = run_op_table(ember, torch, dev, dev, args.max_cases,
                                            budget_s=max(30.0, args.budget - 140.0))
            for name, why in fails[:60]:
                _say(f"  FAIL {name}: {why}")
            if len(fails) > 60:
                _say(f"  ... and {len(fails) - 60} more")
            _say(f"  op table: {passed}/{n} passed")
            summary.append(f"op table {passed}/{n} passed")
        except Exception as e:
            _say(f"  op table could not run: {_err(e)}")
            summary.append("op table: could not run")
    if "mnist" not in skip:
        _say("== MNIST Net, 20 Adadelta steps from the same weights (eval mode) ==")
        try:
            worst = mnist_compare(ember, torch, dev, dev, steps=20,
                                  batch=4 if args.dry_run else 64)
            _say(f"  max relative loss difference: {worst:.3g}")
            summary.append(f"MNIST max rel loss diff {worst:.3g}")
        except Exception as e:
            _say(f"  MNIST comparison failed: {_err(e)}")
            summary.append("MNIST: failed")
    if "timing" not in skip:
        _say(f"== timing (median, synchronised; {time.perf_counter() - t_start:.0f} s so far) ==")
        left = args.budget - (time.perf_counter() - t_start)
        rows = timings(ember, torch, dev, dev, args.dry_run, per_budget=max(5.0, left / 8))
        summary += [f"{n} ember/torch {e / t:.2f}" for n, e, t in rows]
    _say(f"== summary ({time.perf_counter() - t_start:.0f} s) ==")
    for line in summary:
        _say("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
