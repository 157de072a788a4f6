"""Each program here is plain PyTorch: real torch and `ember run` must print the same stdout."""

import json
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PROGRAMS = sorted(f for f in os.listdir(HERE)
                  if f.endswith(".py") and not f.startswith(("test_", "_")))

# Real torch runs every program in one process (importing torch once costs seconds), each as
# __main__ with its own argv and a fresh seed state, its stdout captured separately.
_TORCH_DRIVER = """
import contextlib, io, json, runpy, sys
import torch
out = {}
for name in sys.argv[1:]:
    buf = io.StringIO()
    sys.argv = [name]
    torch.manual_seed(0)
    with contextlib.redirect_stdout(buf):
        runpy.run_path(name, run_name="__main__")
    out[name] = buf.getvalue()
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def torch_stdout():
    r = subprocess.run([sys.executable, "-c", _TORCH_DRIVER, *PROGRAMS], capture_output=True,
                       text=True, cwd=HERE, timeout=300)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.splitlines()[-1])


def test_there_are_programs():
    assert len(PROGRAMS) >= 20      # issue 6's acceptance: at least 20 programs


@pytest.mark.parametrize("name", PROGRAMS)
def test_program_matches_torch(name, torch_stdout):
    env = dict(os.environ, PYTHONPATH=ROOT)
    r = subprocess.run([sys.executable, "-m", "ember", "run", name], capture_output=True,
                       text=True, cwd=HERE, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout == torch_stdout[name]
