"""The checkpoint round-trip matrix of issue 5 (ember->torch, torch->ember, ember->ember) for the
cells tests/test_serialization.py leaves open: every object kind in one checkpoint, in every
direction and from torch's legacy format (storage sharing checked by writing through views),
module and optimiser state_dicts loaded into the other library's model/optimiser (training
continues identically), every kind of `f`, CUDA tensors, and whole pickled modules with
weights_only=False (ember's own in fresh processes, torch's mapped onto ember's classes)."""

import collections
import io
import os
import pathlib
import pickle
import subprocess
import sys
import textwrap
import zipfile

import numpy as np
import pytest
import torch

import ember
from ember.nn.parameter import Parameter

DTYPES = ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8",
          "uint8", "bool", "complex64", "complex128"]


def _np(t):
    lib = ember if isinstance(t, ember.Tensor) else torch
    t = t.detach()
    return (t.to(lib.float32) if t.dtype == lib.bfloat16 else t).numpy()


def _every_kind(lib):
    """One object holding every kind the issue lists, built the same way in ember or torch."""
    rng = np.random.default_rng(0)
    base = lib.tensor(rng.standard_normal((4, 3)).astype(np.float32))
    half, bf16 = base.half(), base.bfloat16()
    od = collections.OrderedDict([("w", base), ("k", 2)])
    od._metadata = collections.OrderedDict([("", {"version": 1}), ("fc", {"version": 2})])
    tensors = {}
    for name in DTYPES:
        a = rng.standard_normal((2, 3)) * 10
        a = (a > 0) if name == "bool" else np.abs(a) if name == "uint8" else a
        if name.startswith("complex"):
            a = a + 1j * a[::-1]
        tensors[name] = lib.tensor(a.astype(np.complex128 if "complex" in name else np.float64)
                                   ).to(getattr(lib, name))
    return {
        "dtypes": tensors,
        "param": lib.nn.Parameter(lib.tensor([1.0, -2.0])),
        "frozen": lib.nn.Parameter(lib.tensor([3.0]), requires_grad=False),
        "grad": lib.tensor([0.5], requires_grad=True),
        "views": {"base": base, "t": base.t(), "slice": base[1:], "col": base[:, 1],
                  "every": base[::2], "ncontig": base.t()[1:, ::2]},
        "half_views": [half, half[1:].t()],
        "bf16_views": [bf16, bf16[1:].t()],
        "nested": [od, (base[0], [None, {"deep": (1, 2.5, "s")}])],
        "values": [0, -7, 2 ** 70, 1.5, float("inf"), True, False, None, "text", "",
                   b"\x00b", 3 + 4j],
        "size": lib.Size([2, 3]), "empty_size": lib.Size([]),
        "dtype_values": [lib.float16, lib.bfloat16, lib.int64, lib.bool, lib.complex64],
        "devices": [lib.device("cpu"), lib.device("cuda", 1), lib.device("cuda")],
    }


def _check_every_kind(got, want):
    """got (loaded, any library) holds the same values and structure as want."""
    glib = ember if isinstance(got["param"], ember.Tensor) else torch
    for name in DTYPES:
        g, w = got["dtypes"][name], want["dtypes"][name]
        assert str(g.dtype).split(".")[-1] == name and tuple(g.shape) == tuple(w.shape)
        np.testing.assert_array_equal(_np(g), _np(w))
    assert isinstance(got["param"], glib.nn.Parameter) and got["param"].requires_grad
    assert isinstance(got["frozen"], glib.nn.Parameter) and not got["frozen"].requires_grad
    assert got["grad"].requires_grad and not isinstance(got["grad"], glib.nn.Parameter)
    for k, v in want["views"].items():
        assert tuple(got["views"][k].shape) == tuple(v.shape)
        np.testing.assert_array_equal(_np(got["views"][k]), _np(v))
    od = got["nested"][0]
    assert type(od) is collections.OrderedDict and list(od) == ["w", "k"]
    assert od._metadata == want["nested"][0]._metadata
    np.testing.assert_array_equal(_np(got["nested"][1][0]), _np(want["nested"][1][0]))
    assert got["nested"][1][1] == [None, {"deep": (1, 2.5, "s")}]
    assert got["values"] == want["values"]
    assert type(got["size"]) is glib.Size and tuple(got["size"]) == (2, 3)
    assert type(got["empty_size"]) is glib.Size and len(got["empty_size"]) == 0
    assert [str(d).split(".")[-1] for d in got["dtype_values"]] == [
        str(d).split(".")[-1] for d in want["dtype_values"]]
    assert all(isinstance(d, glib.dtype) for d in got["dtype_values"])
    assert [str(d) for d in got["devices"]] == ["cpu", "cuda:1", "cuda"]
    assert all(isinstance(d, glib.device) for d in got["devices"])
    # several tensors over one storage still share it after loading
    views = got["views"]
    with glib.no_grad():
        views["base"][2, 1] = 77.0
    assert float(views["t"][1, 2]) == 77.0 and float(views["slice"][1, 1]) == 77.0
    assert float(views["col"][2]) == 77.0 and float(views["every"][1, 1]) == 77.0
    assert float(views["ncontig"][0, 1]) == 77.0
    assert float(got["nested"][0]["w"][2, 1]) == 77.0
    for key in ("half_views", "bf16_views"):
        a, b = got[key]
        assert str(a.dtype).split(".")[1] == str(want[key][0].dtype).split(".")[1]
        np.testing.assert_array_equal(_np(b), _np(want[key][1]))
        with glib.no_grad():
            a[3, 2] = -5.0
        assert float(b[2, 2]) == -5.0, key


@pytest.mark.parametrize("direction", ["ember->ember", "ember->torch", "torch->ember",
                                       "torch-legacy->ember"])
def test_every_kind_matrix(direction):
    src, dst = direction.split("->")
    obj = _every_kind(ember if src == "ember" else torch)
    buf = io.BytesIO()
    if src == "torch-legacy":          # the pre-1.6 format, _use_new_zipfile_serialization=False
        torch.save(obj, buf, _use_new_zipfile_serialization=False)
    else:
        (ember.save if src == "ember" else torch.save)(obj, buf)
    buf.seek(0)
    got = ember.load(buf) if dst == "ember" else torch.load(buf, weights_only=True)
    _check_every_kind(got, obj)


# ---------------------------------------------------------------------------------------------
# f: str, os.PathLike, BytesIO, an open file; each direction
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["str", "pathlike", "bytesio", "file"])
@pytest.mark.parametrize("direction", ["ember->ember", "ember->torch", "torch->ember"])
def test_every_f(tmp_path, kind, direction):
    src, dst = direction.split("->")
    lib = ember if src == "ember" else torch
    obj = {"w": lib.arange(6.0).reshape(2, 3).t(), "n": 3}
    path = tmp_path / "ck.pt"
    if kind == "bytesio":
        f_save = io.BytesIO()
    elif kind == "file":
        f_save = open(path, "wb")
    else:
        f_save = str(path) if kind == "str" else path
    lib.save(obj, f_save)
    if kind == "file":
        f_save.close()
    if kind == "bytesio":
        f_save.seek(0)
        f_load = f_save
    elif kind == "file":
        f_load = open(path, "rb")
    else:
        f_load = str(path) if kind == "str" else pathlib.Path(path)
    try:
        got = ember.load(f_load) if dst == "ember" else torch.load(f_load, weights_only=True)
    finally:
        if kind == "file":
            f_load.close()
    assert got["n"] == 3 and tuple(got["w"].shape) == (3, 2)
    np.testing.assert_array_equal(_np(got["w"]), np.arange(6.0).reshape(2, 3).T)


class _Fspath:
    """An os.PathLike that is not a pathlib.Path."""

    def __init__(self, p):
        self.p = p

    def __fspath__(self):
        return self.p


def test_custom_pathlike(tmp_path):
    p = _Fspath(str(tmp_path / "m.pt"))
    ember.save({"x": ember.ones(2)}, p)
    assert ember.load(p)["x"].tolist() == [1.0, 1.0]
    assert torch.load(str(tmp_path / "m.pt"), weights_only=True)["x"].tolist() == [1.0, 1.0]


# ---------------------------------------------------------------------------------------------
# Module state_dicts: loaded into the other library's model
# ---------------------------------------------------------------------------------------------
def _net(lib):
    nn = lib.nn
    return nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.BatchNorm2d(3), nn.ReLU(),
                         nn.Flatten(), nn.Linear(3 * 4 * 4, 5))


def _transfer(src_sd, src, dst):
    buf = io.BytesIO()
    (ember.save if src == "ember" else torch.save)(src_sd, buf)
    buf.seek(0)
    return ember.load(buf) if dst == "ember" else torch.load(buf, weights_only=True)


def _train_bn(lib, net, x):
    net.train()
    for _ in range(2):
        net(lib.tensor(x))          # moves BatchNorm's running stats and num_batches_tracked


@pytest.mark.parametrize("direction", ["ember->ember", "ember->torch", "torch->ember"])
def test_module_state_dict_into_other_model(direction):
    src, dst = direction.split("->")
    slib, dlib = (ember if src == "ember" else torch), (ember if dst == "ember" else torch)
    x = np.random.default_rng(1).standard_normal((2, 2, 4, 4)).astype(np.float32)
    slib.manual_seed(0)
    snet = _net(slib)
    _train_bn(slib, snet, x)
    sd = snet.state_dict()
    got = _transfer(sd, src, dst)
    assert list(got) == list(sd) and got._metadata == sd._metadata
    assert got["1.num_batches_tracked"].dtype == dlib.int64
    dlib.manual_seed(123)           # a different init: every value must come from the file
    dnet = _net(dlib)
    res = dnet.load_state_dict(got)
    assert list(res.missing_keys) == [] and list(res.unexpected_keys) == []
    for k, v in dnet.state_dict().items():
        np.testing.assert_array_equal(_np(v), _np(sd[k]), err_msg=k)
    snet.eval()
    dnet.eval()
    with slib.no_grad(), dlib.no_grad():
        np.testing.assert_allclose(_np(dnet(dlib.tensor(x))), _np(snet(slib.tensor(x))),
                                   rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------------------------------------
# Optimiser state_dicts: training continues identically in the other library
# ---------------------------------------------------------------------------------------------
def _mlp(lib):
    return lib.nn.Sequential(lib.nn.Linear(4, 3), lib.nn.Tanh(), lib.nn.Linear(3, 2))


def _opt(lib, name, params):
    if name == "adam":
        return lib.optim.Adam(params, lr=0.05, betas=(0.8, 0.95), weight_decay=0.01)
    return lib.optim.SGD(params, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-3)


def _steps(lib, net, opt, data, n):
    for i in range(n):
        x, y = (lib.tensor(a) for a in data[i % len(data)])
        opt.zero_grad()
        lib.nn.functional.mse_loss(net(x), y).backward()
        opt.step()


@pytest.mark.parametrize("name", ["adam", "sgd"])
@pytest.mark.parametrize("direction", ["ember->ember", "ember->torch", "torch->ember"])
def test_optimizer_state_dict_continues_identically(direction, name):
    src, dst = direction.split("->")
    slib, dlib = (ember if src == "ember" else torch), (ember if dst == "ember" else torch)
    rng = np.random.default_rng(2)
    data = [(rng.standard_normal((5, 4)).astype(np.float64),
             rng.standard_normal((5, 2)).astype(np.float64)) for _ in range(3)]
    slib.manual_seed(0)
    snet = _mlp(slib).double()
    sopt = _opt(slib, name, snet.parameters())
    _steps(slib, snet, sopt, data, 3)
    ck = _transfer({"model": snet.state_dict(), "optim": sopt.state_dict(), "epoch": 3},
                   src, dst)
    assert ck["epoch"] == 3
    osd, want = ck["optim"], sopt.state_dict()
    assert set(osd["state"]) == set(want["state"]) == {0, 1, 2, 3}
    assert osd["param_groups"][0]["params"] == want["param_groups"][0]["params"]
    dlib.manual_seed(99)
    dnet = _mlp(dlib).double()
    dopt = _opt(dlib, name, dnet.parameters())
    dnet.load_state_dict(ck["model"])
    dopt.load_state_dict(osd)
    for key in dopt.state_dict()["state"][0]:
        np.testing.assert_array_equal(np.asarray(_np_any(dopt.state_dict()["state"][0][key])),
                                      np.asarray(_np_any(want["state"][0][key])), err_msg=key)
    _steps(slib, snet, sopt, data, 4)
    _steps(dlib, dnet, dopt, data, 4)
    for (k, a), b in zip(snet.state_dict().items(), dnet.state_dict().values()):
        np.testing.assert_allclose(_np(b), _np(a), rtol=1e-12, atol=1e-13, err_msg=k)


def _np_any(v):
    return _np(v) if isinstance(v, (ember.Tensor, torch.Tensor)) else v


# ---------------------------------------------------------------------------------------------
# weights_only=False: a whole pickled ember module (the seed's case), in fresh processes
# ---------------------------------------------------------------------------------------------
_MODEL_SRC = textwrap.dedent("""
    import ember
    import ember.nn as nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 2, 3)
            self.bn = nn.BatchNorm2d(2)
            self.fc = nn.Linear(2 * 2 * 2, 3)

        def forward(self, x):
            return self.fc(ember.relu(self.bn(self.conv(x))).flatten(1))
""")


def _run(code, cwd):
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_whole_module_weights_only_false(tmp_path):
    (tmp_path / "mynets.py").write_text(_MODEL_SRC)
    ck = str(tmp_path / "whole.pt")
    save = _run(f"""
        import ember, mynets
        ember.manual_seed(0)
        model = mynets.Net().eval()
        ember.save(model, {ck!r})
        x = ember.ones(1, 1, 4, 4)
        print(model(x).tolist())
    """, tmp_path)
    assert save.returncode == 0, save.stderr
    want = save.stdout.strip()
    # a fresh process where the class is importable: the module loads and gives the same outputs
    ok = _run(f"""
        import ember
        model = ember.load({ck!r}, weights_only=False)
        print(model(ember.ones(1, 1, 4, 4)).tolist())
        assert type(model).__module__ == "mynets" and model.training is False
    """, tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == want
    # safe by default: weights_only=True refuses the class and names it
    safe = _run(f"""
        import ember
        ember.load({ck!r})
    """, tmp_path)
    assert safe.returncode != 0 and "UnpicklingError" in safe.stderr
    assert "mynets.Net" in safe.stderr
    # a fresh process where the definition is missing: the error names class and module
    os.remove(tmp_path / "mynets.py")
    missing = _run(f"""
        import ember
        ember.load({ck!r}, weights_only=False)
    """, tmp_path)
    assert missing.returncode != 0
    last = missing.stderr.strip().splitlines()[-1]
    assert last.startswith("ModuleNotFoundError"), last
    assert "Net" in last and "mynets" in last and "importable" in last, last
    # the module exists but lacks the class
    (tmp_path / "mynets.py").write_text("x = 1\n")
    absent = _run(f"""
        import ember
        ember.load({ck!r}, weights_only=False)
    """, tmp_path)
    last = absent.stderr.strip().splitlines()[-1]
    assert last.startswith("AttributeError"), last
    assert "'Net'" in last and "'mynets'" in last and "importable" in last, last


def test_whole_module_in_process_and_state_dict_alternative(tmp_path):
    net = _net(ember)
    buf = io.BytesIO()
    ember.save(net, buf)
    loaded = ember.load(io.BytesIO(buf.getvalue()), weights_only=False)
    assert type(loaded) is type(net) and loaded is not net
    for (k, a), b in zip(net.state_dict().items(), loaded.state_dict().values()):
        np.testing.assert_array_equal(_np(a), _np(b), err_msg=k)
    assert isinstance(next(loaded.parameters()), Parameter)


# ---------------------------------------------------------------------------------------------
# CUDA tensors (CuPy stood in for by tests/fake_cupy.py): saved with their device, as torch does
# ---------------------------------------------------------------------------------------------
def test_cuda_tensors_saved_by_ember(monkeypatch):
    import fake_cupy
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    fake_cupy.install(monkeypatch, n_devices=2)
    try:
        w = ember.arange(6.0).reshape(2, 3).to("cuda:1")
        buf = io.BytesIO()
        ember.save({"w": w, "wt": w.t(), "b": ember.ones(2, dtype=ember.bfloat16).cuda()}, buf)
        data = buf.getvalue()
        z = zipfile.ZipFile(io.BytesIO(data))
        assert "cuda:1" in z.read("archive/data.pkl").decode("latin1")
        with pytest.raises(RuntimeError, match="map_location"):
            torch.load(io.BytesIO(data), weights_only=True)        # no CUDA in this torch
        t = torch.load(io.BytesIO(data), weights_only=True, map_location="cpu")
        assert t["w"].tolist() == w.cpu().tolist() and t["wt"].tolist() == w.t().cpu().tolist()
        assert t["b"].dtype == torch.bfloat16 and t["b"].tolist() == [1.0, 1.0]
        back = ember.load(io.BytesIO(data))
        assert str(back["w"].device) == "cuda:1" and back["w"].cpu().tolist() == w.cpu().tolist()
        assert back["b"].dtype == ember.bfloat16 and back["b"].is_cuda
        cpu = ember.load(io.BytesIO(data), map_location="cpu")
        assert cpu["wt"].is_cpu and cpu["wt"].tolist() == w.t().cpu().tolist()
    finally:
        fake_cupy.reset()


def test_whole_torch_module_loads_as_ember_module():
    # torch.save(model) pickles torch's classes; with weights_only=False ember maps them onto
    # its own (torch.nn.modules.batchnorm.BatchNorm2d -> ember.nn.BatchNorm2d)
    torch.manual_seed(0)
    tnet = _net(torch)
    _train_bn(torch, tnet, np.ones((2, 2, 4, 4), np.float32))
    tnet.eval()
    buf = io.BytesIO()
    torch.save(tnet, buf)
    enet = ember.load(io.BytesIO(buf.getvalue()), weights_only=False)
    assert type(enet) is ember.nn.Sequential and type(enet[1]) is ember.nn.BatchNorm2d
    assert not enet.training and isinstance(enet[0].weight, Parameter)
    x = np.random.default_rng(5).standard_normal((3, 2, 4, 4)).astype(np.float32)
    with torch.no_grad():
        want = tnet(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(enet(ember.from_numpy(x)).detach().numpy(), want, rtol=1e-5,
                               atol=1e-6)
    assert list(enet.state_dict()) == list(tnet.state_dict())
    with pytest.raises(pickle.UnpicklingError, match="Sequential"):
        ember.load(io.BytesIO(buf.getvalue()))                 # safe by default
