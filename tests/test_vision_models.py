"""ember.vision.models against real torchvision 0.28 (tests/data/torchvision_model_refs.npz, made
by tests/data/make_torchvision_model_refs.py): state_dict keys, shapes and order for every
architecture, and eval-mode outputs with identical deterministic weights
(tests/data/vision_model_weights.py) for the ones cheap enough to run here."""

import importlib.util
import json
import math
import os

import numpy as np
import pytest

import ember
import ember.vision.models as models
from ember import nn
from ember.vision.models.resnet import Bottleneck

_DATA = os.path.join(os.path.dirname(__file__), "data")
_REFS = np.load(os.path.join(_DATA, "torchvision_model_refs.npz"))
_META = json.loads(str(_REFS["meta"]))
_FORWARD = sorted(k[len("out/"):] for k in _REFS.files if k.startswith("out/"))
_spec = importlib.util.spec_from_file_location(
    "vision_model_weights", os.path.join(_DATA, "vision_model_weights.py"))
_weights = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_weights)


@pytest.fixture
def no_init(monkeypatch):
    """Skip random initialisation (slow for VGG's 100M parameters); structure is unaffected."""
    for fn in ("uniform_", "normal_", "kaiming_uniform_", "kaiming_normal_", "constant_",
               "zeros_", "ones_"):
        monkeypatch.setattr(nn.init, fn, lambda t, *a, **k: t)


def _entries(model):
    return [[k, list(v.shape)] for k, v in model.state_dict().items()]


@pytest.mark.parametrize("name", sorted(_META["keys"]))
def test_state_dict_matches_torchvision(name, no_init):
    model = models.get_model(name, weights=None, num_classes=10)
    assert _entries(model) == _META["keys"][name]


@pytest.mark.parametrize("name", _FORWARD)
def test_forward_matches_torchvision(name):
    model = models.get_model(name, num_classes=10).eval()
    w = _weights.fill(_entries(model))
    missing = model.load_state_dict({k: ember.tensor(v) for k, v in w.items()})
    assert not missing.missing_keys and not missing.unexpected_keys
    with ember.no_grad():
        out = model(ember.tensor(_REFS["input"])).numpy()
    ref = _REFS[f"out/{name}"]
    assert out.shape == ref.shape == (1, 10)
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-4 * np.abs(ref).max())


def test_default_head_and_training_forward():
    model = models.resnet18()
    assert tuple(model.fc.weight.shape) == (1000, 512)
    model = models.squeezenet1_1(num_classes=3)
    out = model(ember.randn(2, 3, 64, 64))
    assert tuple(out.shape) == (2, 3)
    out.sum().backward()
    assert model.features[0].weight.grad is not None


def _std(t):
    return float(t.detach().numpy().std())


def test_resnet_initialisation():
    ember.manual_seed(0)
    model = models.resnet18(num_classes=10)
    w = model.layer1[0].conv1.weight  # kaiming_normal_, fan_out, relu
    assert abs(_std(w) - math.sqrt(2 / (64 * 9))) < 0.05 * math.sqrt(2 / (64 * 9))
    assert np.all(model.bn1.weight.detach().numpy() == 1)
    assert np.all(model.bn1.bias.detach().numpy() == 0)
    assert np.all(model.layer1[0].bn2.weight.detach().numpy() == 1)
    zero = models.ResNet(Bottleneck, [1, 1, 1, 1], zero_init_residual=True, num_classes=10)
    assert np.all(zero.layer1[0].bn3.weight.detach().numpy() == 0)
    assert np.all(zero.layer1[0].bn2.weight.detach().numpy() == 1)
    zero18 = models.resnet18(zero_init_residual=True)
    assert np.all(zero18.layer4[1].bn2.weight.detach().numpy() == 0)


def test_other_initialisations():
    ember.manual_seed(0)
    sq = models.squeezenet1_1(num_classes=10)
    assert abs(_std(sq.classifier[1].weight) - 0.01) < 0.002  # final conv: normal(0, 0.01)
    w = sq.features[0].weight  # kaiming_uniform_ (a=0): bound sqrt(6 / fan_in)
    bound = math.sqrt(6 / 27)
    assert float(w.abs().max()) <= bound and float(w.abs().max()) > 0.8 * bound
    assert np.all(sq.features[0].bias.detach().numpy() == 0)
    mb = models.mobilenet_v2(num_classes=10)
    assert abs(_std(mb.classifier[1].weight) - 0.01) < 0.002
    assert np.all(mb.classifier[1].bias.detach().numpy() == 0)
    dw = mb.features[1].conv[0][0].weight  # depth-wise 3x3, fan_out as torch counts it: 32 * 9
    assert abs(_std(dw) - math.sqrt(2 / 288)) < 0.15 * math.sqrt(2 / 288)


def test_weights_are_refused_with_instructions():
    for kw in ({"weights": "IMAGENET1K_V1"}, {"pretrained": True}):
        with pytest.raises(RuntimeError, match="does not download") as info:
            models.resnet18(**kw)
        assert "load_state_dict" in str(info.value) and "ember.load" in str(info.value)
    assert isinstance(models.squeezenet1_1(weights=None, pretrained=False), models.SqueezeNet)


def test_registry():
    names = models.list_models()
    for name in ("resnet18", "resnet34", "resnet50", "vgg11", "vgg11_bn", "vgg16", "vgg16_bn",
                 "alexnet", "squeezenet1_0", "squeezenet1_1", "mobilenet_v2"):
        assert name in names
    assert models.list_models(include="resnet*") == [n for n in names if n.startswith("resnet")]
    assert "vgg11" not in models.list_models(exclude="vgg*")
    assert isinstance(models.get_model("SqueezeNet1_0", num_classes=4), models.SqueezeNet)
    with pytest.raises(ValueError, match="Unknown model"):
        models.get_model("nope")


def test_torchvision_alias():
    import ember.vision as torchvision

    assert torchvision.models.resnet18 is models.resnet18


def test_missing_architecture_says_so():
    with pytest.raises(NotImplementedError, match="densenet121"):
        models.densenet121()
    with pytest.raises(AttributeError):
        models.no_such_model  # noqa: B018
