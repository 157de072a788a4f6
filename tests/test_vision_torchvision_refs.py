"""ember.vision against outputs of real torchvision 0.28 (tests/data/torchvision_refs.npz, made
by tests/data/make_torchvision_refs.py from tests/vision_ref_cases.py): transforms on PIL and
tensor inputs, seeded random transforms, make_grid tensors and save_image PNG bytes."""

import json
import os

import numpy as np
import pytest
from vision_ref_cases import CASES, run

import ember
import ember.vision as tv

_REFS = np.load(os.path.join(os.path.dirname(__file__), "data", "torchvision_refs.npz"))
_META = json.loads(str(_REFS["meta"]))
_X = {k[len("input/"):]: _REFS[k] for k in _REFS.files if k.startswith("input/")}

# float32 tensor results that torch sums in another order (conv, interpolation weights, pow):
# a few ulps apart. Everything else, PIL results and uint8 tensors included, is exact.
_FLOAT_TOL = {name: 1e-6 for name in (
    "adjust_gamma_float", "adjust_sharpness_float", "affine_tensor_bilinear",
    "rotate_tensor_expand_bilinear", "gaussian_blur_tensor", "rand_blur",
    "resize_tensor_bilinear_True", "resize_tensor_bilinear_False",
    "resize_tensor_bicubic_True", "resize_tensor_bicubic_False")}
# ember has no uint16 dtype: a PIL 'I;16' image gives an int32 tensor with the same values
_KNOWN = {"pil_to_tensor_I16": "tensor:int32:[1, 10, 13]"}


def test_every_case_has_a_reference():
    assert set(_META["cases"]) == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torchvision(name):
    want = _META["cases"][name]
    desc, arrays = run(name, tv, ember, _X)
    assert desc == _KNOWN.get(name, want)
    for i, got in enumerate(arrays):
        ref = _REFS[f"{name}/{i}"]
        if name in _KNOWN:
            ref = ref.astype(got.dtype)
        assert got.dtype == ref.dtype and got.shape == ref.shape, (i, got.dtype, ref.dtype)
        tol = _FLOAT_TOL.get(name)
        if tol is None:
            np.testing.assert_array_equal(got, ref, err_msg=f"{name}[{i}]")
        else:
            np.testing.assert_allclose(got, ref, atol=tol, rtol=0, err_msg=f"{name}[{i}]")
