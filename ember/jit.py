"""torch.jit: Ember has no TorchScript; script/trace return the function or module unchanged.

The returned object runs eagerly, exactly as before scripting; saving a scripted model with
torch.jit.save is not implemented (use torch.save(model.state_dict(), path)).
"""

from __future__ import annotations

from collections.abc import Callable

from .compat._missing import missing

__all__ = ["script", "trace", "ignore", "unused", "export", "is_scripting", "is_tracing", "save",
           "load", "Final"]


def script(obj, optimize=None, _frames_up: int = 0, _rcb=None, example_inputs=None):
    """torch.jit.script: returns obj unchanged (it keeps running as Python)."""
    return obj


def trace(func, example_inputs=None, optimize=None, check_trace: bool = True, check_inputs=None,
          check_tolerance: float = 1e-05, strict: bool = True, **kwargs):
    """torch.jit.trace: returns func unchanged (no graph is recorded)."""
    return func


def ignore(drop=False, **kwargs) -> Callable:
    """torch.jit.ignore: a no-op decorator (with or without arguments)."""
    if callable(drop):
        return drop
    return lambda fn: fn


def unused(fn: Callable) -> Callable:
    """torch.jit.unused: a no-op decorator."""
    return fn


def export(fn: Callable) -> Callable:
    """torch.jit.export: a no-op decorator."""
    return fn


def is_scripting() -> bool:
    """torch.jit.is_scripting: always False (code always runs eagerly)."""
    return False


def is_tracing() -> bool:
    """torch.jit.is_tracing: always False."""
    return False


def save(m, f, _extra_files=None) -> None:
    """torch.jit.save: not implemented (Ember has no TorchScript archive format)."""
    raise missing("torch.jit.save")


def load(f, map_location=None, _extra_files=None, _restore_shapes: bool = False):
    """torch.jit.load: not implemented (Ember has no TorchScript archive format)."""
    raise missing("torch.jit.load")


class Final:
    """torch.jit.Final: an annotation marker, meaningless outside TorchScript."""

    def __class_getitem__(cls, item):
        return item
