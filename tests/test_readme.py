"""The README stays true: its generated status section is current and its commands are CI's."""

import importlib.util
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _readme() -> str:
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        return f.read()


def _gen_status():
    spec = importlib.util.spec_from_file_location("gen_status",
                                                  os.path.join(ROOT, "tools", "gen_status.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_status_section_is_current():
    # A fresh process: names another test adds to a registry in this one must not count.
    r = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "gen_status.py"), "--check"],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr


def test_status_counts_come_from_the_registry():
    from ember.ops._registry import METHODS, REGISTRY
    rows = {area: names for area, names, _ in _gen_status().areas()}
    assert rows["tensor functions (`ember.*`, op registry)"] == sorted(REGISTRY)
    assert rows["Tensor methods (op registry)"] == sorted(METHODS)
    assert "Conv2d" in rows["`nn` modules"] and "Adam" in rows["`optim` optimisers"]
    assert "DataLoader" in rows["`utils.data`"] and "Digits" in rows["`vision.datasets`"]


def test_setup_commands_are_the_ones_ci_runs():
    readme = _readme()
    assert "python -m pip install -e . && ember demo" in readme
    with open(os.path.join(ROOT, ".ci", "run"), encoding="utf-8") as f:
        ci_line = f.read().strip().splitlines()[-1]      # the test command, verbatim
    assert ci_line.startswith("python -m pip install")
    assert f"```bash\n{ci_line}\n```" in readme


def test_example_prints_what_the_readme_says(tmp_path):
    readme = _readme()
    code = readme.split("## A short example", 1)[1].split("```python\n", 1)[1].split("```")[0]
    env = dict(os.environ, PYTHONPATH=ROOT)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       cwd=tmp_path, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert f"It prints `{r.stdout.strip()}`" in readme


def test_checkpoint_example_runs(tmp_path):
    pytest.importorskip("torch")
    readme = _readme()
    code = readme.split("## Moving models", 1)[1].split("```python\n", 1)[1].split("```")[0]
    env = dict(os.environ, PYTHONPATH=ROOT)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       cwd=tmp_path, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "linear.pt").exists() and (tmp_path / "back.pt").exists()
