"""Shared helpers for ember.vision.models: the no-download weights check, a model registry and
_make_divisible (channel rounding used by MobileNet)."""

from __future__ import annotations

from collections.abc import Callable

_MODELS: dict[str, Callable] = {}


def register_model(fn: Callable) -> Callable:
    _MODELS[fn.__name__] = fn
    return fn


def check_no_weights(name: str, weights, kwargs: dict) -> None:
    """Raise unless the caller asked for a randomly initialised model (weights=None)."""
    pretrained = kwargs.pop("pretrained", False)
    if weights is None and not pretrained:
        return
    raise RuntimeError(
        f"ember.vision.models.{name}: Ember does not download pretrained weights (got "
        f"weights={weights!r}, pretrained={pretrained!r}). Build the model with weights=None, "
        "then load a state_dict saved from real torch: in torch, "
        f"torch.save(torchvision.models.{name}(weights=...).state_dict(), 'w.pt'); in Ember, "
        f"model = ember.vision.models.{name}(); model.load_state_dict(ember.load('w.pt')).")


def make_divisible(v: float, divisor: int, min_value: int | None = None) -> int:
    """Round a channel count to a multiple of divisor, never going more than 10% below v."""
    if min_value is None:
        min_value = divisor
    rounded = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if rounded < 0.9 * v:
        rounded += divisor
    return rounded
