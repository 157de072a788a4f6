"""Checkpoints: round trips with torch both ways, safety against malicious pickles, corruption
fuzzing, atomic saves."""

import collections
import io
import os
import pickle
import random
import signal
import struct
import subprocess
import sys
import zipfile

import numpy as np
import pytest
import torch

import ember
from ember import serialization as S

DTYPES = ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8",
          "uint8", "bool", "complex64", "complex128"]


def _np_data(name, shape=(2, 3), seed=0):
    rng = np.random.default_rng(seed)
    if name == "bool":
        return rng.integers(0, 2, size=shape).astype(bool)
    if name.startswith("complex"):
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(name)
    if name in ("float16", "bfloat16"):
        return rng.standard_normal(shape).astype(np.float32)
    if name.startswith("float"):
        return rng.standard_normal(shape).astype(name)
    return rng.integers(-5 if name != "uint8" else 0, 100, size=shape).astype(name)


def _pair(name, shape=(2, 3), seed=0):
    a = _np_data(name, shape, seed)
    return (ember.tensor(a, dtype=getattr(ember, name)), torch.tensor(a, dtype=getattr(torch, name)))


def _same(e, t):
    assert isinstance(e, ember.Tensor) and isinstance(t, torch.Tensor)
    assert e.dtype.name == str(t.dtype)[6:]
    assert tuple(e.shape) == tuple(t.shape)
    ev = e.to(ember.float32) if e.dtype is ember.bfloat16 else e
    tv = t.float() if t.dtype == torch.bfloat16 else t
    np.testing.assert_array_equal(np.asarray(ev.detach()), tv.detach().numpy())


def _roundtrip_ember_to_torch(obj):
    buf = io.BytesIO()
    ember.save(obj, buf)
    buf.seek(0)
    return torch.load(buf, weights_only=True)


def _roundtrip_torch_to_ember(obj, **kw):
    buf = io.BytesIO()
    torch.save(obj, buf, **kw)
    buf.seek(0)
    return ember.load(buf)


@pytest.mark.parametrize("name", DTYPES)
@pytest.mark.parametrize("shape", [(2, 3), (), (0, 3)])
def test_dtypes_both_ways(name, shape):
    e, t = _pair(name, shape)
    _same(e, _roundtrip_ember_to_torch(e))
    _same(_roundtrip_torch_to_ember(t), t)
    buf = io.BytesIO()
    ember.save(e, buf)
    buf.seek(0)
    _same(ember.load(buf), t)


def _views(lib, base):
    return {"base": base, "t": base.t(), "slice": base[1:], "col": base[:, 1], "every": base[::2]}


def test_shared_storage_ember_to_torch():
    e, _ = _pair("float32", (4, 3))
    out = _roundtrip_ember_to_torch(_views(ember, e))
    for k in ("t", "slice", "col", "every"):
        np.testing.assert_array_equal(out[k].numpy(), np.asarray(_views(ember, e)[k]))
    out["base"][1, 1] = 123.0      # sharing preserved: a write shows in every view
    assert out["t"][1, 1] == 123.0 and out["slice"][0, 1] == 123.0 and out["col"][1] == 123.0


def test_shared_storage_torch_to_ember():
    _, t = _pair("float64", (4, 3))
    out = _roundtrip_torch_to_ember(_views(torch, t))
    for k, v in _views(torch, t).items():
        _same(out[k], v)
    out["base"][2, 1] = 5.0
    assert float(out["col"][2]) == 5.0 and float(out["t"][1, 2]) == 5.0
    assert float(out["every"][1, 1]) == 5.0


def test_python_values_and_containers():
    e, t = _pair("float32")
    od = collections.OrderedDict([("w", e), ("n", 1)])
    od._metadata = collections.OrderedDict([("", {"version": 1})])
    obj = {"list": [1, 2.5, "x", None, True], "tuple": (e, (e,)), "od": od,
           "size": ember.Size([2, 3]), "dtype": ember.float16, "device": ember.device("cpu"),
           "bytes": b"\x00\xffab", "set": {1, 2}, "big": 2 ** 70, "neg": -3, "f": 1e-300}
    back = _roundtrip_ember_to_torch(obj)
    assert back["list"] == [1, 2.5, "x", None, True]
    assert back["size"] == torch.Size([2, 3]) and isinstance(back["size"], torch.Size)
    assert back["dtype"] is torch.float16 and back["device"] == torch.device("cpu")
    assert back["bytes"] == b"\x00\xffab" and back["set"] == {1, 2} and back["big"] == 2 ** 70
    assert back["od"]._metadata == od._metadata and list(back["od"]) == ["w", "n"]
    assert back["tuple"][1][0].data_ptr() == back["tuple"][0].data_ptr()
    tobj = {"size": torch.Size([4]), "dtype": torch.bfloat16, "device": torch.device("cpu"),
            "nested": [{"a": (1, 2)}], "bytes": b"ab", "set": {3}}
    eb = _roundtrip_torch_to_ember(tobj)
    assert eb["size"] == ember.Size([4]) and type(eb["size"]) is ember.Size
    assert eb["dtype"] is ember.bfloat16 and eb["device"] == ember.device("cpu")
    assert eb["nested"] == [{"a": (1, 2)}] and eb["bytes"] == b"ab" and eb["set"] == {3}


def test_requires_grad_and_parameter_both_ways():
    from ember.nn.parameter import Parameter
    p = Parameter(ember.tensor([1.0, 2.0]))
    g = ember.tensor([3.0], requires_grad=True)
    back = _roundtrip_ember_to_torch({"p": p, "g": g})
    assert isinstance(back["p"], torch.nn.Parameter) and back["p"].requires_grad
    assert back["g"].requires_grad and not isinstance(back["g"], torch.nn.Parameter)
    tp = torch.nn.Parameter(torch.tensor([4.0]), requires_grad=False)
    eb = _roundtrip_torch_to_ember({"p": tp, "g": torch.tensor([1.0], requires_grad=True)})
    assert isinstance(eb["p"], Parameter) and not eb["p"].requires_grad
    assert eb["g"].requires_grad


def test_state_dicts_both_ways():
    tnet = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2),
                               torch.nn.Flatten(), torch.nn.Linear(2, 3))
    sd = _roundtrip_torch_to_ember(tnet.state_dict())
    assert list(sd) == list(tnet.state_dict())
    assert sd._metadata == tnet.state_dict()._metadata
    for k, v in tnet.state_dict().items():
        _same(sd[k], v)
    back = _roundtrip_ember_to_torch(sd)
    tnet.load_state_dict(back)
    for k, v in tnet.state_dict().items():
        _same(sd[k], v)


def test_optimizer_state_dict_from_torch():
    w = torch.nn.Parameter(torch.ones(3))
    opt = torch.optim.Adam([w], lr=0.1)
    w.sum().backward()
    opt.step()
    sd = _roundtrip_torch_to_ember(opt.state_dict())
    assert sd["param_groups"][0]["lr"] == 0.1
    _same(sd["state"][0]["exp_avg"], opt.state_dict()["state"][0]["exp_avg"])


def test_paths_pathlike_and_archive_name(tmp_path):
    e, t = _pair("float32")
    p = tmp_path / "model.pt"
    ember.save({"x": e}, p)
    assert zipfile.ZipFile(p).namelist()[0].startswith("model/")
    _same(e, torch.load(str(p), weights_only=True)["x"])
    _same(ember.load(str(p))["x"], t)
    with open(p, "rb") as f:
        _same(ember.load(f)["x"], t)


def test_layout_matches_torch_bytes():
    """ember's archive for Linear(3, 2)'s state dict has torch's entries, offsets and data."""
    torch.manual_seed(0)
    lin = torch.nn.Linear(3, 2)
    tb = io.BytesIO()
    torch.save(lin.state_dict(), tb)
    sd = _roundtrip_torch_to_ember(lin.state_dict())
    eb = io.BytesIO()
    ember.save(sd, eb)
    tz, ez = zipfile.ZipFile(tb), zipfile.ZipFile(eb)
    assert [i.filename for i in tz.infolist()] == [i.filename for i in ez.infolist()]
    raw = eb.getvalue()
    for ti, ei in zip(tz.infolist(), ez.infolist()):
        (nlen, xlen) = struct.unpack("<HH", raw[ei.header_offset + 26:ei.header_offset + 30])
        assert (ei.header_offset + 30 + nlen + xlen) % 64 == 0, ei.filename   # 64-byte aligned
        if "/data/" in ti.filename:
            assert tz.read(ti) == ez.read(ei)


def test_legacy_format_from_torch():
    _, t = _pair("float32", (3, 2))
    obj = {"a": t, "b": t[1:], "n": 5}
    e = _roundtrip_torch_to_ember(obj, _use_new_zipfile_serialization=False)
    _same(e["a"], t)
    _same(e["b"], t[1:])
    assert e["n"] == 5


def _cuda_checkpoint():
    """A checkpoint whose storage says 'cuda:0' (as a GPU machine writes it)."""
    class P(S._Pickler):
        def persistent_id(self, obj):
            pid = super().persistent_id(obj)
            return None if pid is None else pid[:3] + ("cuda:0",) + pid[4:]
    storages = []
    buf = io.BytesIO()
    P(buf, storages).dump({"w": ember.tensor([1.0, 2.0])})
    out = io.BytesIO()
    z = S._ZipWriter(out)
    z.add("archive/data.pkl", buf.getvalue())
    for ref, flat in storages:
        z.add(f"archive/data/{ref.key}", np.ascontiguousarray(flat).view(np.uint8))
    z.add("archive/version", b"3\n")
    z.close()
    return out.getvalue()


def test_map_location_for_cuda_checkpoints():
    data = _cuda_checkpoint()
    with pytest.raises(RuntimeError) as te:
        torch.load(io.BytesIO(data), weights_only=True)
    with pytest.raises(RuntimeError) as ee:
        ember.load(io.BytesIO(data))
    assert "torch.cuda.is_available() is False" in str(ee.value)
    assert "map_location=torch.device('cpu')" in str(te.value)
    for ml in ("cpu", ember.device("cpu"), {"cuda:0": "cpu"}, lambda s, loc: s):
        out = ember.load(io.BytesIO(data), map_location=ml)
        assert out["w"].tolist() == [1.0, 2.0]
    assert torch.load(io.BytesIO(data), map_location="cpu")["w"].tolist() == [1.0, 2.0]


# ---------------------------------------------------------------------------------------------
# Safety: a corpus of malicious pickles, each of which would leave a marker file if executed
# ---------------------------------------------------------------------------------------------
def _g(module, name):
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def _s(text):
    b = text.encode()
    return b"X" + struct.pack("<I", len(b)) + b


def _payloads(marker):
    cmd = f"touch {marker}"
    py = f"open({marker!r}, 'w').write('x')"
    P2 = b"\x80\x02"
    return {
        "os.system": P2 + _g("os", "system") + _s(cmd) + b"\x85R.",
        "posix.system": P2 + _g("posix", "system") + _s(cmd) + b"\x85R.",
        "subprocess.call": P2 + _g("subprocess", "call") + _s(cmd) + b"\x85\x88\x86R.",
        "subprocess.Popen": P2 + _g("subprocess", "Popen") + b"(" + _s("touch") + _s(marker)
        + b"l\x85R.",
        "builtins.exec": P2 + _g("builtins", "exec") + _s(py) + b"\x85R.",
        "builtins.eval": P2 + _g("builtins", "eval") + _s(py) + b"\x85R.",
        "__builtin__.eval": P2 + _g("__builtin__", "eval") + _s(py) + b"\x85R.",
        "builtins.open": P2 + _g("builtins", "open") + _s(marker) + _s("w") + b"\x86R.",
        "importlib": P2 + _g("importlib", "import_module") + _s("os") + b"\x85R.",
        "getattr-trick": P2 + _g("builtins", "getattr") + _g("os", "system").replace(b"c", b"c", 1)
        + _s("x") + b"\x86R.",
        "stack_global": b"\x80\x04" + b"\x8c\x02os\x94\x8c\x06system\x94\x93" + _s(cmd)
        + b"\x85R.",
        "inst": b"(" + _s(cmd) + b"ios\nsystem\n.",
        "obj": b"(" + _g("os", "system") + _s(cmd) + b"o.",
        "newobj_ex": b"\x80\x04" + _g("subprocess", "Popen") + b"(" + _s("touch") + _s(marker)
        + b"l\x85}\x92.",
        "nested-in-tensor-args": P2 + _g("torch._utils", "_rebuild_tensor_v2")
        + b"(" + _g("os", "system") + _s(cmd) + b"\x85RK\x00)" + b")\x89" + _g(
            "collections", "OrderedDict") + b")Rt" + b"R.",
        "nested-in-ordereddict": P2 + _g("collections", "OrderedDict") + b")R" + b"(" + _s("k")
        + _g("builtins", "exec") + _s(py) + b"\x85R" + b"u.",
        "reduce-class-from-module": P2 + _g("test_serialization", "_Evil") + b")R.",
        "persistent-id-not-storage": P2 + b"(" + _s("module") + _s("os") + b"tQ.",
        "copyreg-reconstructor": P2 + _g("copyreg", "_reconstructor") + b"(" + _g(
            "subprocess", "Popen") + _g("builtins", "object") + b"Ntr.",
        "functools.partial": P2 + _g("functools", "partial") + _g("os", "system") + _s(cmd)
        + b"\x86R)R.",
        "build-setstate": P2 + _g("collections", "OrderedDict") + b")R" + b"}" + _s("__setstate__")
        + _g("os", "system") + b"sb.",
    }


class _Evil:
    def __reduce__(self):
        return (os.system, ("true",))


def _as_checkpoint(pkl: bytes) -> bytes:
    out = io.BytesIO()
    z = S._ZipWriter(out)
    z.add("archive/data.pkl", pkl)
    z.add("archive/version", b"3\n")
    z.close()
    return out.getvalue()


def test_malicious_corpus_runs_nothing(tmp_path):
    marker = str(tmp_path / "pwned")
    corpus = _payloads(marker)
    assert len(corpus) >= 15
    for name, pkl in corpus.items():
        for data in (_as_checkpoint(pkl), pkl):
            with pytest.raises((pickle.UnpicklingError, RuntimeError)) as ei:
                ember.load(io.BytesIO(data))
            assert not os.path.exists(marker), f"payload {name} executed"
            if data is not pkl and name not in ("persistent-id-not-storage",):
                assert isinstance(ei.value, pickle.UnpicklingError), (name, ei.value)
    # the refused global is named in the error
    with pytest.raises(pickle.UnpicklingError, match="os.system"):
        ember.load(io.BytesIO(_as_checkpoint(corpus["os.system"])))


def test_weights_only_false_and_safe_globals(tmp_path):
    obj = {"p": _Point(1, 2)}
    buf = io.BytesIO()
    ember.save(obj, buf)
    with pytest.raises(pickle.UnpicklingError, match="_Point"):
        ember.load(io.BytesIO(buf.getvalue()))
    assert ember.load(io.BytesIO(buf.getvalue()), weights_only=False)["p"] == _Point(1, 2)
    with S.safe_globals([_Point]):
        assert ember.load(io.BytesIO(buf.getvalue()))["p"] == _Point(1, 2)
    with pytest.raises(pickle.UnpicklingError):
        ember.load(io.BytesIO(buf.getvalue()))
    S.add_safe_globals([_Point])
    try:
        assert ember.load(io.BytesIO(buf.getvalue()))["p"] == _Point(1, 2)
    finally:
        S.clear_safe_globals()


def test_missing_class_definition_is_named():
    pkl = b"\x80\x02" + _g("my_models", "Net") + b")\x81."
    # torch raises ModuleNotFoundError for a missing module, AttributeError for a missing class
    with pytest.raises(ModuleNotFoundError, match="Net.*my_models.*importable"):
        ember.load(io.BytesIO(_as_checkpoint(pkl)), weights_only=False)
    pkl = b"\x80\x02" + _g("collections", "NoSuchNet") + b")\x81."
    with pytest.raises(AttributeError, match="NoSuchNet.*collections.*importable"):
        ember.load(io.BytesIO(_as_checkpoint(pkl)), weights_only=False)


class _Point:
    def __init__(self, x, y):
        self.x, self.y = x, y

    def __eq__(self, other):
        return (self.x, self.y) == (other.x, other.y)


# ---------------------------------------------------------------------------------------------
# Corruption: truncations, byte flips, empty and foreign files
# ---------------------------------------------------------------------------------------------
def test_empty_and_foreign_files(tmp_path):
    for content, what in ((b"", "empty"), (b"hello world", "not a checkpoint"),
                          (b"PK\x03\x04garbage", "corrupted")):
        p = tmp_path / "f.pt"
        p.write_bytes(content)
        with pytest.raises(RuntimeError, match=what) as ei:
            ember.load(p)
        assert str(p) in str(ei.value)


def test_corruption_fuzz():
    e, _ = _pair("float32", (8, 8))
    buf = io.BytesIO()
    ember.save({"w": e, "b": e[0], "meta": [1, "x"]}, buf)
    good = buf.getvalue()
    rng = random.Random(0)
    signal.signal(signal.SIGALRM, lambda *a: (_ for _ in ()).throw(TimeoutError("hang")))
    signal.alarm(60)
    try:
        for i in range(400):
            data = bytearray(good)
            if i % 2:
                data = data[:rng.randrange(len(data))]
            else:
                for _ in range(rng.randint(1, 8)):
                    data[rng.randrange(len(data))] = rng.randrange(256)
            try:
                ember.load(io.BytesIO(bytes(data)))
            except (RuntimeError, pickle.UnpicklingError):
                pass
    finally:
        signal.alarm(0)


# ---------------------------------------------------------------------------------------------
# Atomic saves
# ---------------------------------------------------------------------------------------------
def test_failed_save_keeps_previous_checkpoint(tmp_path, monkeypatch):
    p = tmp_path / "ckpt.pt"
    ember.save({"v": ember.tensor([1.0])}, p)
    before = p.read_bytes()

    def broken(obj, fp, name, proto):
        fp.write(b"PK\x03\x04partial")
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(S, "_write_archive", broken)
    with pytest.raises(OSError):
        ember.save({"v": ember.tensor([2.0])}, p)
    assert p.read_bytes() == before
    assert os.listdir(tmp_path) == ["ckpt.pt"]


def test_killed_save_keeps_a_loadable_checkpoint(tmp_path):
    p = tmp_path / "ckpt.pt"
    ember.save({"step": 0, "w": ember.zeros(200_000)}, p)
    code = ("import ember, sys\n"
            "for i in range(1, 10**6):\n"
            "    ember.save({'step': i, 'w': ember.full((200_000,), float(i))}, sys.argv[1])\n")
    for delay in (0.3, 0.5, 0.8):
        proc = subprocess.Popen([sys.executable, "-c", code, str(p)])
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        ck = ember.load(p)
        assert float(ck["w"][0]) == float(ck["step"]) and float(ck["w"][-1]) == ck["step"]
