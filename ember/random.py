"""torch's CPU generator (MT19937), bit-exact samplers, manual_seed and RNG state.

Placeholder API (being implemented): Generator, default_generator, manual_seed, seed,
initial_seed, get_rng_state, set_rng_state, fork_rng.
"""

from __future__ import annotations

__all__ = ["Generator", "default_generator", "manual_seed", "seed", "initial_seed",
           "get_rng_state", "set_rng_state", "fork_rng"]


class Generator:
    """torch.Generator (placeholder)."""

    def __init__(self, device="cpu"):
        raise NotImplementedError("ember.Generator is not implemented yet")


default_generator = None


def manual_seed(seed):
    raise NotImplementedError("ember.manual_seed is not implemented yet")


def seed():
    raise NotImplementedError


def initial_seed():
    raise NotImplementedError


def get_rng_state():
    raise NotImplementedError


def set_rng_state(new_state):
    raise NotImplementedError


def fork_rng(*args, **kwargs):
    raise NotImplementedError
