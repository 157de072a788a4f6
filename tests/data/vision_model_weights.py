"""Deterministic, architecture-agnostic weights for the torchvision.models comparison: each
state_dict entry gets values drawn from a seeded NumPy generator, by name and shape only. Used
both by make_torchvision_model_refs.py (under real torch + torchvision) and by
tests/test_vision_models.py (under Ember), so no weight file needs committing."""

import numpy as np


def fill(entries):
    """entries: [(key, shape)] in state_dict order -> {key: np.ndarray}."""
    out = {}
    for i, (key, shape) in enumerate(entries):
        rng = np.random.default_rng(1000 + i)
        shape = tuple(shape)
        leaf = key.rsplit(".", 1)[-1]
        if leaf == "num_batches_tracked":
            a = np.zeros(shape, np.int64)
        elif leaf == "running_var" or (leaf == "weight" and len(shape) == 1):
            a = rng.uniform(0.5, 1.5, shape)
        elif leaf in ("running_mean", "bias"):
            a = rng.normal(0.0, 0.1, shape)
        else:  # conv / linear weight: unit-ish gain on the fan-in
            a = rng.standard_normal(shape, dtype=np.float32) / np.sqrt(np.prod(shape[1:]))
        out[key] = a if a.dtype == np.int64 else a.astype(np.float32)
    return out
