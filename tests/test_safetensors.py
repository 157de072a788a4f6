"""ember.safetensors against the safetensors package (format compatibility both ways)."""

import numpy as np
import pytest
import safetensors.numpy as stnp
import safetensors.torch as sttorch
import torch

import ember
from ember import safetensors as est

NAMES = ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8",
         "bool"]


def _tensors(lib):
    rng = np.random.default_rng(0)
    out = {}
    for i, n in enumerate(NAMES):
        a = rng.standard_normal((2, 3)) * 10
        if n == "bool":
            a = a > 0
        out[f"t{i}_{n}"] = lib.tensor(a, dtype=getattr(lib, n))
    out["scalar"] = lib.tensor(3.5)
    out["empty"] = lib.zeros(0, 4)
    return out


def _np(t):
    return (t.float() if str(t.dtype).endswith("bfloat16") else t).detach().numpy()


def test_ember_file_reads_in_package(tmp_path):
    p = tmp_path / "m.safetensors"
    est.save_file(_tensors(ember), p, metadata={"format": "pt"})
    back = sttorch.load_file(str(p))
    ref = _tensors(torch)
    assert set(back) == set(ref)
    for k, v in ref.items():
        assert back[k].dtype == v.dtype and back[k].shape == v.shape
        np.testing.assert_array_equal(_np(back[k]), _np(v))
    with est.safe_open(p) as f:
        assert f.metadata() == {"format": "pt"}
    assert est.save(_tensors(ember), {"format": "pt"}) == sttorch.save(ref, {"format": "pt"})


def test_package_file_reads_in_ember(tmp_path):
    p = tmp_path / "t.safetensors"
    sttorch.save_file(_tensors(torch), str(p), metadata={"k": "v"})
    back = est.load_file(p)
    for k, v in _tensors(torch).items():
        assert back[k].dtype.name == str(v.dtype)[6:]
        np.testing.assert_array_equal(_np(back[k]), _np(v))
    with est.safe_open(p, framework="pt") as f:
        assert f.keys() == sorted(_tensors(torch))
        np.testing.assert_array_equal(_np(f.get_tensor("t0_float32")),
                                      _np(_tensors(torch)["t0_float32"]))
        assert f.metadata() == {"k": "v"}
    np_bytes = stnp.save({"a": np.arange(6, dtype=np.int32).reshape(2, 3)})
    assert est.load(np_bytes)["a"].tolist() == [[0, 1, 2], [3, 4, 5]]


def test_load_state_dict_from_safetensors():
    lin = ember.nn.Linear(3, 2)
    data = est.save(lin.state_dict())
    other = ember.nn.Linear(3, 2)
    other.load_state_dict(est.load(data))
    assert np.array_equal(np.asarray(other.weight.detach()), np.asarray(lin.weight.detach()))


@pytest.mark.parametrize("data", [b"", b"\x01\x00", b"\xff" * 8 + b"{}",
                                  b"\x02\x00\x00\x00\x00\x00\x00\x00[]",
                                  b"\x20\x00\x00\x00\x00\x00\x00\x00" + b'{"a":{"dtype":"F32",'
                                  b'"shape":[4],"data_offsets":[0,16]}}   '])
def test_malformed_inputs(data):
    with pytest.raises(est.SafetensorError):
        est.load(data)
