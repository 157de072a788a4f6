"""torchvision.models for Ember: classic classification architectures with torchvision's module
layout (identical state_dict keys, shapes and order) and initialisation. Models are randomly
initialised; Ember never downloads weights (load a state_dict saved from torch instead)."""

from __future__ import annotations

from ._utils import _MODELS
from .alexnet import AlexNet, alexnet
from .mobilenetv2 import MobileNetV2, mobilenet_v2
from .resnet import (
    ResNet,
    resnet18,
    resnet34,
    resnet50,
    resnet101,
    resnet152,
    resnext50_32x4d,
    wide_resnet50_2,
)
from .squeezenet import SqueezeNet, squeezenet1_0, squeezenet1_1
from .vgg import VGG, vgg11, vgg11_bn, vgg13, vgg13_bn, vgg16, vgg16_bn, vgg19, vgg19_bn

__all__ = ["AlexNet", "MobileNetV2", "ResNet", "SqueezeNet", "VGG", "alexnet", "get_model",
           "get_model_builder", "list_models", "mobilenet_v2", "resnet18", "resnet34",
           "resnet50", "resnet101", "resnet152", "resnext50_32x4d", "squeezenet1_0",
           "squeezenet1_1", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn",
           "vgg19", "vgg19_bn", "wide_resnet50_2"]


def get_model_builder(name: str):
    """The constructor registered under name (lower case), as torchvision.models does."""
    try:
        return _MODELS[name.lower()]
    except KeyError:
        raise ValueError(f"Unknown model {name}") from None


def get_model(name: str, **config):
    """Build the model called name, e.g. get_model("resnet18", num_classes=10)."""
    return get_model_builder(name)(**config)


def list_models(module=None, include=None, exclude=None) -> list[str]:
    """Sorted names of the available models (module, include/exclude fnmatch filters as
    torchvision's)."""
    import fnmatch

    names = set(_MODELS)
    if module is not None:
        prefix = module.__name__ + "."
        names = {n for n in names if (_MODELS[n].__module__ + ".").startswith(prefix)}
    if include is not None:
        pats = [include] if isinstance(include, str) else include
        names = {n for n in names if any(fnmatch.fnmatch(n, p) for p in pats)}
    if exclude is not None:
        pats = [exclude] if isinstance(exclude, str) else exclude
        names = {n for n in names if not any(fnmatch.fnmatch(n, p) for p in pats)}
    return sorted(names)


# torchvision.models architectures Ember does not have yet: asking for one says so by name
_MISSING = {"mobilenet_v3_small", "mobilenet_v3_large", "densenet121", "densenet161",
            "densenet169", "densenet201", "efficientnet_b0", "googlenet", "inception_v3",
            "shufflenet_v2_x1_0", "vit_b_16", "convnext_tiny", "regnet_y_400mf", "mnasnet1_0",
            "resnext101_32x8d", "wide_resnet101_2", "swin_t", "maxvit_t"}


def __getattr__(name: str):
    if name in _MISSING:
        def missing(*args, **kwargs):
            raise NotImplementedError(f"torchvision.models.{name} is not implemented in Ember yet")
        missing.__name__ = name
        return missing
    raise AttributeError(f"module 'ember.vision.models' has no attribute '{name}'")
