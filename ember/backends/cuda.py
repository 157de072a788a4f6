"""torch.backends.cuda: the TF32/precision flags programs set; recorded, with no effect."""

from __future__ import annotations


class _MatmulFlags:
    """torch.backends.cuda.matmul: `allow_tf32` and the reduced-precision reduction flags."""

    def __init__(self):
        self.allow_tf32 = False
        self.allow_fp16_reduced_precision_reduction = True
        self.allow_bf16_reduced_precision_reduction = True
        self.fp32_precision = "none"


matmul = _MatmulFlags()


def is_built() -> bool:
    """torch.backends.cuda.is_built: False, as for torch's CPU build (Ember's CUDA is CuPy)."""
    return False


_sdp = {"flash": True, "mem_efficient": True, "math": True}


def flash_sdp_enabled() -> bool:
    """torch.backends.cuda.flash_sdp_enabled (a recorded flag)."""
    return _sdp["flash"]


def enable_flash_sdp(enabled: bool) -> None:
    """torch.backends.cuda.enable_flash_sdp (recorded; Ember has one attention path)."""
    _sdp["flash"] = bool(enabled)


def mem_efficient_sdp_enabled() -> bool:
    """torch.backends.cuda.mem_efficient_sdp_enabled (a recorded flag)."""
    return _sdp["mem_efficient"]


def enable_mem_efficient_sdp(enabled: bool) -> None:
    """torch.backends.cuda.enable_mem_efficient_sdp (recorded)."""
    _sdp["mem_efficient"] = bool(enabled)


def math_sdp_enabled() -> bool:
    """torch.backends.cuda.math_sdp_enabled (a recorded flag)."""
    return _sdp["math"]


def enable_math_sdp(enabled: bool) -> None:
    """torch.backends.cuda.enable_math_sdp (recorded)."""
    _sdp["math"] = bool(enabled)
