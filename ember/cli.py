"""The `ember` command: `ember run script.py [args...]`, `ember demo`, `ember bench`."""

from __future__ import annotations

import builtins
import importlib
import importlib.machinery
import os
import runpy
import subprocess
import sys
import types

USAGE = """\
usage: ember <command> [args...]

commands:
  run script.py [args...]   run an unmodified PyTorch program on Ember (`import torch` loads
                            Ember); also `ember run -m module [args...]`
  demo [options]            train a small CNN on the bundled digits (`ember demo --help`)
  bench [args...]           side-by-side benchmarks against PyTorch (needs the source checkout)
  launch --nproc-per-node N script.py [args...]
                            run a script on N processes (torchrun's role, through mpirun)

options:
  -h, --help                show this message
  -V, --version             show Ember's version and the PyTorch version it mirrors
"""

RUN_USAGE = """\
usage: ember run script.py [args...]
       ember run -m module [args...]

Runs the program as `python script.py` would (same sys.argv, __name__ == "__main__", sys.path[0],
working directory and exit codes), with `import torch` / `import torchvision` resolved to Ember.
"""


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `ember` console script and of `python -m ember`."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv:
        sys.stderr.write(USAGE)
        return 2
    cmd, rest = argv[0], argv[1:]
    if cmd in ("-h", "--help", "help"):
        sys.stdout.write(USAGE)
        return 0
    if cmd in ("-V", "--version"):
        from . import TORCH_VERSION, __version__
        print(f"ember {__version__} (mirrors PyTorch {TORCH_VERSION})")
        return 0
    if cmd == "run":
        return _run_command(rest)
    if cmd == "demo":
        return _demo(rest)
    if cmd == "bench":
        return _bench(rest)
    if cmd == "launch":
        from .launch import main as launch_main  # torchrun's role, over mpirun
        return launch_main(rest)
    sys.stderr.write(f"ember: unknown command '{cmd}'\n\n{USAGE}")
    return 2


# ---- ember run --------------------------------------------------------------------------------


def _run_command(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        (sys.stdout if argv else sys.stderr).write(RUN_USAGE)
        return 0 if argv else 2
    if argv[0] == "-m":
        if len(argv) < 2:
            sys.stderr.write("ember run: -m needs a module name\n")
            return 2
        return run_module(argv[1], argv[2:])
    return run_script(argv[0], argv[1:])


def run_script(path: str, args: list[str]) -> int:
    """Run the file at `path` as `__main__` under the torch shim; returns the exit code."""
    full = os.path.abspath(path)
    try:
        with open(full, "rb") as f:
            source = f.read()
    except OSError as e:
        sys.stderr.write(f"ember run: can't open file {full!r}: [Errno {e.errno}] {e.strerror}\n")
        return 2
    from . import compat
    compat.install()
    module = types.ModuleType("__main__")
    # NOTE: since Python 3.9 the main script's __file__ (and traceback path) is absolute.
    module.__dict__.update(__file__=full, __builtins__=builtins, __cached__=None,
                           __loader__=importlib.machinery.SourceFileLoader("__main__", full))
    sys.modules["__main__"] = module
    sys.argv = [path, *args]
    sys.path[0] = os.path.dirname(full)     # the script's imports see its siblings, as python's
    _add_bootstrap_path()
    try:
        code = compile(source, full, "exec", dont_inherit=True)
        exec(code, module.__dict__)
    except SystemExit:
        raise
    except BaseException as e:
        return _report(e)
    return 0


def run_module(name: str, args: list[str]) -> int:
    """`ember run -m name`: run a module as `python -m name` would, under the torch shim."""
    from . import compat
    compat.install()
    sys.argv = [name, *args]
    sys.path[0] = os.getcwd()
    _add_bootstrap_path()
    try:
        runpy.run_module(name, run_name="__main__", alter_sys=True)
    except SystemExit:
        raise
    except BaseException as e:
        return _report(e)
    return 0


def _add_bootstrap_path() -> None:
    # Child processes that re-import the script (multiprocessing's spawn/forkserver) inherit
    # sys.path but not the shim: a `torch` package on this path installs it there.
    boot = os.path.join(os.path.dirname(os.path.abspath(__file__)), "compat", "_bootstrap")
    if boot not in sys.path:
        sys.path.insert(1, boot)


_RUNNER_FILES = {os.path.abspath(__file__), os.path.abspath(runpy.__file__), "<frozen runpy>"}


def _report(e: BaseException) -> int:
    """Print an uncaught exception as python does (runner frames left out); the exit code."""
    tb = e.__traceback__
    while tb is not None and (tb.tb_frame.f_code.co_filename in _RUNNER_FILES
                              or os.path.abspath(tb.tb_frame.f_code.co_filename) in _RUNNER_FILES):
        tb = tb.tb_next
    # NOTE: the default excepthook prints e.__traceback__, whatever tb it is passed.
    e.__traceback__ = tb
    sys.excepthook(type(e), e, tb)
    return 130 if isinstance(e, KeyboardInterrupt) else 1


# ---- ember demo / ember bench -----------------------------------------------------------------


def _demo(argv: list[str]) -> int:
    # imported on use only: the demo pulls in nn, optim and data
    from .demo import main as demo_main
    return int(demo_main(argv) or 0)


def _bench(argv: list[str]) -> int:
    # bench/ lives in the source checkout, next to the ember package, not inside it.
    candidates = [os.getcwd(), os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]
    for root in candidates:
        if os.path.isfile(os.path.join(root, "bench", "__main__.py")):
            env = dict(os.environ)
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
            return subprocess.call([sys.executable, "-m", "bench", *argv], env=env)
    sys.stderr.write("ember bench: no bench/ package found (it ships with the source checkout; "
                     "run this from the repository root)\n")
    return 1
