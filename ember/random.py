"""torch's CPU generator (MT19937), bit-exact samplers, manual_seed and RNG state."""

from __future__ import annotations
