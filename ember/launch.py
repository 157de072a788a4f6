"""`ember launch`: torchrun's role, starting the ranks through Open MPI's mpirun.

    ember launch --nproc-per-node 2 train.py --epochs 3
    ember launch --nproc-per-node 4 --hostfile hosts train.py     # 4 ranks on each host

Each rank runs the script under the torch shim with torchrun's environment (RANK, LOCAL_RANK,
WORLD_SIZE, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT, ...). A rank that raises, exits
non-zero or dies takes the whole job down (MPI_Abort / mpirun), naming the rank.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys

__all__ = ["main", "mpirun_command", "mpi_env"]

USAGE = "ember launch [options] (script.py | -m module) [args...]"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ember launch", usage=USAGE,
                                description="Run a training script on several processes (as "
                                            "torchrun), through mpirun.")
    p.add_argument("--nproc-per-node", "--nproc_per_node", dest="nproc_per_node", default="1",
                   help="processes per host (an integer; 'cpu'/'auto' = the number of cores)")
    p.add_argument("--hostfile", default=None,
                   help="Open MPI hostfile (one host per line, optionally 'slots=N'); "
                        "default: this machine only")
    p.add_argument("--nnodes", default=None, help="accepted for torchrun compatibility; the "
                   "hostfile decides the hosts")
    p.add_argument("--node-rank", "--node_rank", default=None, help="accepted and ignored "
                   "(mpirun starts every host)")
    p.add_argument("--standalone", action="store_true", help="accepted (the default here)")
    p.add_argument("--master-addr", "--master_addr", default=None,
                   help="MASTER_ADDR given to the ranks (default: the first host)")
    p.add_argument("--master-port", "--master_port", type=int, default=29500,
                   help="MASTER_PORT given to the ranks (default: 29500)")
    p.add_argument("--mpirun-args", default="",
                   help="extra arguments for mpirun, as one string")
    p.add_argument("--no-shim", action="store_true",
                   help="run the script with plain Python (no `import torch` -> ember shim)")
    p.add_argument("-m", dest="module", action="store_true",
                   help="run the target as a module (python -m)")
    p.add_argument("target", help="the script (or, with -m, the module)")
    p.add_argument("args", nargs=argparse.REMAINDER, help="the script's arguments")
    return p


def _nproc(value: str) -> int:
    if value in ("cpu", "auto", "gpu"):
        return os.cpu_count() or 1
    n = int(value)
    if n < 1:
        raise ValueError(f"--nproc-per-node must be at least 1, got {n}")
    return n


def _hosts(hostfile: str) -> list[str]:
    with open(hostfile) as f:
        lines = (ln.split("#", 1)[0].split() for ln in f)
        return [ln[0] for ln in lines if ln]


def mpi_env(base: dict | None = None) -> dict:
    """The environment mpirun needs here: root allowed, container-safe shared memory."""
    env = dict(os.environ if base is None else base)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Open MPI refuses root unless told twice (CI containers run as root)
        env.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
        env.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    # containers often forbid the cross-memory-attach syscalls vader uses for large messages
    env.setdefault("OMPI_MCA_btl_vader_single_copy_mechanism", "none")
    return env


def mpirun_command(ns: argparse.Namespace, python: str | None = None) -> list[str]:
    """The mpirun command line that starts every rank of the job."""
    mpirun = shutil.which("mpirun") or shutil.which("mpiexec")
    if mpirun is None:
        raise FileNotFoundError("ember launch needs Open MPI's mpirun: apt-get install "
                                "openmpi-bin libopenmpi-dev && pip install 'ember[mpi]'")
    n = _nproc(ns.nproc_per_node)
    cmd = [mpirun]
    if ns.hostfile:
        cmd += ["--hostfile", ns.hostfile, "--npernode", str(n)]
    else:
        cmd += ["-n", str(n)]
    # torchrun never refuses more ranks than cores, nor pins them
    cmd += ["--oversubscribe", "--bind-to", "none"]
    for var in ("MASTER_ADDR", "MASTER_PORT", "OMP_NUM_THREADS", "PYTHONPATH"):
        cmd += ["-x", var]
    cmd += ns.mpirun_args.split()
    worker = [python or sys.executable, "-m", "ember.launch", "--worker"]
    if ns.no_shim:
        worker.append("--no-shim")
    if ns.module:
        worker.append("-m")
    return cmd + worker + [ns.target, *ns.args]


def main(argv: list[str] | None = None) -> int:
    """`ember launch ...`: run mpirun, forward SIGINT/SIGTERM, return the job's exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    ns = _parser().parse_args(argv)
    try:
        cmd = mpirun_command(ns)
        hosts = _hosts(ns.hostfile) if ns.hostfile else ["127.0.0.1"]
    except (OSError, ValueError) as e:
        sys.stderr.write(f"ember launch: {e}\n")
        return 2
    env = mpi_env()
    env["MASTER_ADDR"] = ns.master_addr or (hosts[0] if hosts else "127.0.0.1")
    env["MASTER_PORT"] = str(ns.master_port)
    if _nproc(ns.nproc_per_node) > 1:
        # as torchrun: one thread per rank unless asked, so ranks don't fight over the cores
        env.setdefault("OMP_NUM_THREADS", "1")
    # the ranks must import this ember even when it is not installed (a source checkout)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    proc = subprocess.Popen(cmd, env=env)
    got: list[int] = []

    def forward(signum, frame):
        got.append(signum)
        if proc.poll() is None:
            proc.send_signal(signum)      # mpirun passes it on to every rank and ends the job

    old = {s: signal.signal(s, forward) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        rc = proc.wait()
    finally:
        for s, h in old.items():
            signal.signal(s, h)
    if rc < 0:
        rc = 128 - rc
    if got:
        # stopped by a signal, whatever mpirun's own status (it exits 0 or not depending on
        # when the signal reached the ranks): the shell convention, 128 + the signal
        sys.stderr.write(f"ember launch: stopped by signal {got[0]}\n")
        return 128 + got[0]
    if rc != 0:
        sys.stderr.write(f"ember launch: the job failed with exit code {rc} (see above for the "
                         "rank that failed)\n")
    return rc


# ---- inside each rank ---------------------------------------------------------------------------

def _rank_env() -> int:
    """Set torchrun's variables from Open MPI's; returns this rank."""
    e = os.environ
    rank = e.get("OMPI_COMM_WORLD_RANK", e.get("PMI_RANK", "0"))
    size = e.get("OMPI_COMM_WORLD_SIZE", e.get("PMI_SIZE", "1"))
    local = e.get("OMPI_COMM_WORLD_LOCAL_RANK", "0")
    local_size = e.get("OMPI_COMM_WORLD_LOCAL_SIZE", size)
    node = e.get("OMPI_COMM_WORLD_NODE_RANK", "0")
    e.update(RANK=rank, WORLD_SIZE=size, LOCAL_RANK=local, LOCAL_WORLD_SIZE=local_size,
             GROUP_RANK=node, ROLE_RANK=rank, ROLE_WORLD_SIZE=size, ROLE_NAME="default",
             GROUP_WORLD_SIZE=str(max(1, int(size) // max(1, int(local_size)))),
             TORCHELASTIC_RUN_ID=e.get("TORCHELASTIC_RUN_ID", "ember-launch"))
    e.setdefault("MASTER_ADDR", "127.0.0.1")
    e.setdefault("MASTER_PORT", "29500")
    return int(rank)


def _abort_if_mpi(code: int, rank: int) -> None:
    """A failing rank with MPI up aborts the job: its peers may be waiting in a collective."""
    mpi = sys.modules.get("mpi4py.MPI")
    if mpi is None or not mpi.Is_initialized() or mpi.Is_finalized():
        return
    sys.stderr.write(f"[rank {rank}] exited with code {code}: aborting the job\n")
    sys.stderr.flush()
    mpi.COMM_WORLD.Abort(code)


def _worker(argv: list[str]) -> int:
    shim = True
    module = False
    while argv and argv[0] in ("--no-shim", "-m"):
        if argv[0] == "--no-shim":
            shim = False
        else:
            module = True
        argv = argv[1:]
    target, args = argv[0], argv[1:]
    rank = _rank_env()
    from . import cli
    if not shim:
        import runpy
        sys.argv = [target, *args]
        runner = (lambda: runpy.run_module(target, run_name="__main__", alter_sys=True)) \
            if module else (lambda: runpy.run_path(target, run_name="__main__"))
        run = lambda: (runner(), 0)[1]  # noqa: E731
    elif module:
        run = lambda: cli.run_module(target, args)  # noqa: E731
    else:
        run = lambda: cli.run_script(target, args)  # noqa: E731
    try:
        code = run()
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        if e.code is not None and not isinstance(e.code, int):
            sys.stderr.write(f"{e.code}\n")
    except BaseException as e:          # only without the shim: cli reports its own errors
        sys.excepthook(type(e), e, e.__traceback__)
        code = 1
    if code:
        _abort_if_mpi(code, rank)
    return code


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        sys.exit(_worker(sys.argv[2:]))
    sys.exit(main())
