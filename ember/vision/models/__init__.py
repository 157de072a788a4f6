"""torchvision.models stub: ember has no model zoo yet; every constructor says so."""

from __future__ import annotations

_NAMES = ["alexnet", "vgg11", "vgg16", "vgg19", "resnet18", "resnet34", "resnet50", "resnet101",
          "resnet152", "mobilenet_v2", "mobilenet_v3_small", "mobilenet_v3_large", "densenet121",
          "squeezenet1_0", "efficientnet_b0", "googlenet", "inception_v3", "shufflenet_v2_x1_0",
          "vit_b_16", "convnext_tiny", "regnet_y_400mf", "wide_resnet50_2", "resnext50_32x4d"]


def _stub(name: str):
    def constructor(*args, weights=None, progress: bool = True, **kwargs):
        raise NotImplementedError(f"torchvision.models.{name} is not implemented in ember yet "
                                  "(ember.vision.models is a stub)")
    constructor.__name__ = name
    constructor.__doc__ = f"torchvision.models.{name}: not implemented in ember (raises)."
    return constructor


def __getattr__(name: str):
    if name in _NAMES:
        return _stub(name)
    raise AttributeError(f"module 'ember.vision.models' has no attribute '{name}'")


def get_model(name: str, **config):
    """torchvision.models.get_model: not implemented in ember (raises NotImplementedError)."""
    return _stub(name)(**config)


def list_models(module=None) -> list[str]:
    """torchvision.models.list_models: the names the stub knows (none are implemented)."""
    return sorted(_NAMES)
