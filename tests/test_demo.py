"""`ember demo`: trains on the bundled digits past 95%, saves, reloads and draws, offline."""

import importlib.util
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _demo(args, cwd, block=()):
    # `block` hides optional packages (sys.modules[name] = None), as on a fresh install.
    code = ("import sys\n" + "".join(f"sys.modules[{m!r}] = None\n" for m in block)
            + "from ember.cli import main\nsys.exit(main(sys.argv[1:]))\n")
    path = os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")]))
    env = dict(os.environ, PYTHONPATH=path)
    return subprocess.run([sys.executable, "-c", code, "demo", *args], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=300)


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("demo")
    return _demo(["--device", "cpu"], cwd), cwd / "ember-demo"


def test_default_demo_clears_95_percent(default_run):
    r, out = default_run
    assert r.returncode == 0, r.stderr
    m = re.search(r"^test accuracy: (\d+\.\d+)% \((\d+)/359\)", r.stdout, re.M)
    assert m, r.stdout
    assert float(m.group(1)) >= 95.0
    assert "reloaded into a fresh model: identical test predictions" in r.stdout
    assert len(re.findall(r"^epoch \d+: loss", r.stdout, re.M)) == 10
    assert "epoch 10/10" in r.stderr                  # the progress bar, tqdm's or ours
    for name in ["digits_cnn.pt", "predictions.png", "predictions.txt", "curves.csv"]:
        assert (out / name).stat().st_size > 0, name
    assert (out / "predictions.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len((out / "curves.csv").read_text().splitlines()) == 11
    has_plot = importlib.util.find_spec("matplotlib") is not None
    assert (out / "curves.png").exists() == has_plot
    assert ("matplotlib is not installed" in r.stdout) != has_plot


def test_checkpoint_loads_in_torch(default_run):
    torch = pytest.importorskip("torch")
    _, out = default_run
    import ember
    ours = ember.load(out / "digits_cnn.pt")
    theirs = torch.load(out / "digits_cnn.pt", weights_only=True)
    assert list(theirs) == list(ours) and "conv1.1.running_mean" in theirs
    for k, v in ours.items():
        assert (theirs[k].numpy() == v.numpy()).all(), k


def test_without_optional_packages(tmp_path):
    # No tqdm, Pillow or matplotlib: a text bar, a hand-written PNG and the numbers in a CSV.
    r = _demo(["--epochs", "1", "--out", "o", "--seed", "3"], tmp_path,
              block=("tqdm", "PIL", "matplotlib"))
    assert r.returncode == 0, r.stderr
    assert "epoch 1/1: |" in r.stderr and "45/45" in r.stderr
    assert "matplotlib is not installed" in r.stdout and "curves.csv" in r.stdout
    assert "Pillow is not installed" in r.stdout
    png = (tmp_path / "o" / "predictions.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    assert not (tmp_path / "o" / "curves.png").exists()
    assert len((tmp_path / "o" / "predictions.txt").read_text().splitlines()) == 9


def test_bad_device_and_help(tmp_path):
    r = _demo(["--help"], tmp_path)
    assert r.returncode == 0 and "--epochs" in r.stdout and "--device" in r.stdout
    import ember
    if not ember.cuda.is_available():
        r = _demo(["--device", "cuda"], tmp_path)
        assert r.returncode != 0 and "CUDA is not available" in r.stderr
