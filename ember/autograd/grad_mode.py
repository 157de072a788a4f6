"""Grad modes: no_grad, enable_grad, set_grad_enabled, inference_mode (also as decorators)."""

from __future__ import annotations

import functools

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
           "is_inference_mode_enabled"]

# One mutable cell read by the dispatcher on every op.
GRAD_ENABLED = [True]
_INFERENCE = [False]


def is_grad_enabled() -> bool:
    return GRAD_ENABLED[0]


def is_inference_mode_enabled() -> bool:
    return _INFERENCE[0]


class _Mode:
    """Base for grad-mode context managers usable as decorators."""

    _target = True

    def __enter__(self):
        self._prev = GRAD_ENABLED[0]
        GRAD_ENABLED[0] = self._target
        return None

    def __exit__(self, *exc):
        GRAD_ENABLED[0] = self._prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)
        return wrapper

    def clone(self):
        return self.__class__()


class no_grad(_Mode):
    """torch.no_grad."""

    _target = False

    def __new__(cls, orig_func=None):
        self = super().__new__(cls)
        if callable(orig_func):      # bare @no_grad without parentheses
            return self(orig_func)
        return self

    def __init__(self, orig_func=None):
        pass


class enable_grad(_Mode):
    """torch.enable_grad."""

    _target = True

    def __new__(cls, orig_func=None):
        self = super().__new__(cls)
        if callable(orig_func):
            return self(orig_func)
        return self

    def __init__(self, orig_func=None):
        pass


class set_grad_enabled(_Mode):
    """torch.set_grad_enabled: takes effect at once, and restores on exit when used with `with`."""

    def __init__(self, mode: bool):
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled(): argument 'mode' must be bool, not "
                            f"{type(mode).__name__}")
        self._prev = GRAD_ENABLED[0]
        self._target = mode
        GRAD_ENABLED[0] = mode

    def __enter__(self):
        return None

    def __call__(self, fn):
        mode = self._target
        GRAD_ENABLED[0] = self._prev

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)
        return wrapper

    def clone(self):
        return set_grad_enabled(self._target)


class inference_mode(_Mode):
    """torch.inference_mode (treated as no_grad; tensors made inside are ordinary tensors)."""

    def __new__(cls, mode=True):
        self = super().__new__(cls)
        if callable(mode):
            self._target = False
            return self(mode)
        return self

    def __init__(self, mode: bool = True):
        self.mode = mode
        self._target = not mode

    def __enter__(self):
        self._prev_inf = _INFERENCE[0]
        _INFERENCE[0] = self.mode
        return super().__enter__()

    def __exit__(self, *exc):
        _INFERENCE[0] = self._prev_inf
        return super().__exit__(*exc)

    def __call__(self, fn):
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with inference_mode(mode):
                return fn(*args, **kwargs)
        return wrapper
