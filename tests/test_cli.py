"""`ember run` / `python -m ember`: a script runs as `python script.py` would, on Ember."""

import importlib.util
import os
import subprocess
import sys
import textwrap

import ember

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _run(args, cwd, entry=("-m", "ember")):
    env = dict(os.environ, PYTHONPATH=ROOT)     # the checkout's ember, wherever cwd is
    return subprocess.run([sys.executable, *entry, *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=120)


def _write(path, code):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(code))
    return path


def test_argv_name_path_and_relative_files(tmp_path):
    _write(tmp_path / "sub" / "helper.py", "VALUE = 42\n")
    _write(tmp_path / "data.txt", "from the caller's cwd\n")
    _write(tmp_path / "sub" / "prog.py", """
        import os, sys
        import torch
        import helper                   # a sibling module: sys.path[0] is the script's folder
        print(__name__, sys.argv, helper.VALUE)
        print(sys.path[0] == os.path.dirname(os.path.abspath(__file__)), os.path.isabs(__file__))
        print(open("data.txt").read().strip())
        print(torch.tensor([1.0, 2.0]) * 2, torch.float32)
    """)
    r = _run(["run", "sub/prog.py", "--lr", "0.1", "x"], cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "__main__ ['sub/prog.py', '--lr', '0.1', 'x'] 42", "True True", "from the caller's cwd",
        "tensor([2., 4.]) torch.float32"]


def test_exit_codes(tmp_path):
    _write(tmp_path / "ok.py", "import torch\n")
    _write(tmp_path / "three.py", "import sys\nsys.exit(3)\n")
    _write(tmp_path / "msg.py", "import sys\nsys.exit('bad input')\n")
    assert _run(["run", "ok.py"], tmp_path).returncode == 0
    assert _run(["run", "three.py"], tmp_path).returncode == 3
    r = _run(["run", "msg.py"], tmp_path)
    assert r.returncode == 1 and r.stderr.strip() == "bad input"
    r = _run(["run", "missing.py"], tmp_path)
    assert r.returncode == 2 and "can't open file" in r.stderr


def test_traceback_is_pythons(tmp_path):
    # No torch import here, so `python` itself can run it for the expected output.
    _write(tmp_path / "boom.py", """
        def inner():
            raise ValueError("boom")
        try:
            {}["k"]
        except KeyError:
            inner()
    """)
    _write(tmp_path / "syntax.py", "x = (\n")
    for name in ["boom.py", "syntax.py"]:
        ours, theirs = _run(["run", name], tmp_path), _run([name], tmp_path, entry=())
        assert ours.returncode == theirs.returncode == 1
        assert ours.stderr == theirs.stderr
        assert "ember" not in ours.stderr


def test_not_implemented_error_names_the_torch_api(tmp_path):
    _write(tmp_path / "sp.py", "import torch\nx = torch.sparse.mm(torch.ones(2, 2), None)\n")
    r = _run(["run", "sp.py"], tmp_path)
    assert r.returncode == 1
    assert r.stderr.splitlines()[-1] == ("NotImplementedError: torch.sparse.mm is not "
                                         "implemented in Ember yet")


def test_run_module(tmp_path):
    _write(tmp_path / "pkg" / "__init__.py", "")
    _write(tmp_path / "pkg" / "main.py", """
        import sys, torch
        print(__name__, sys.argv[1:], torch.__name__)
    """)
    r = _run(["run", "-m", "pkg.main", "a"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["__main__", "['a']", "torch"]


def test_version_help_demo_bench_and_entry_point(tmp_path):
    r = _run(["--version"], tmp_path)
    assert r.returncode == 0 and ember.__version__ in r.stdout and ember.TORCH_VERSION in r.stdout
    assert _run(["--help"], tmp_path).stdout.startswith("usage: ember")
    assert _run([], tmp_path).returncode == 2
    assert _run(["frobnicate"], tmp_path).returncode == 2
    assert _run(["run"], tmp_path).returncode == 2
    if importlib.util.find_spec("ember.demo") is None:     # the real demo trains for minutes
        r = _run(["demo"], tmp_path)
        assert r.returncode == 1 and "ember demo" in r.stderr
    # the console script's entry point (pyproject: ember = "ember.__main__:main")
    r = _run(["-c", "import sys; from ember.__main__ import main; sys.exit(main(['-V']))"],
             tmp_path, entry=())
    assert r.returncode == 0 and r.stdout.startswith("ember ")
    r = _run(["bench", "--help"], tmp_path)     # found next to the package in a checkout
    has_bench = os.path.isfile(os.path.join(ROOT, "bench", "__main__.py"))
    assert (r.returncode == 0) == has_bench or "no bench/" in r.stderr


def test_spawned_children_get_ember_too(tmp_path):
    # multiprocessing's spawn re-imports the script in a fresh interpreter: `import torch` there
    # must still be Ember (DataLoader workers on macOS, mp.set_start_method("spawn") scripts).
    _write(tmp_path / "spawn.py", """
        import multiprocessing as mp
        import torch

        def work(i):
            return f"{i} {hasattr(torch, '__ember_target__')} {torch.ones(2).sum().item()}"

        if __name__ == "__main__":
            with mp.get_context("spawn").Pool(1) as pool:
                print(pool.map(work, [1]), hasattr(torch, "__ember_target__"))
    """)
    r = _run(["run", "spawn.py"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "['1 True 2.0'] True"
