"""Keep freed large buffers in the process (glibc): a training step allocates and frees the
same tens of MB each time, and glibc's defaults hand them back to the kernel, so every step
page-faults them in again (measured: ~25% of MNIST Net's forward time).

`import ember` raises glibc's mmap threshold to its 32 MiB maximum and the trim threshold to
256 MiB. Set EMBER_MALLOC_TUNE=0 to keep the C library's defaults. Nothing happens elsewhere
than on glibc.
"""

from __future__ import annotations

import os
import sys

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 << 20          # glibc's cap for this setting on 64-bit
TRIM_THRESHOLD = 256 << 20


def tune() -> bool:
    """Apply the settings; True when they were applied."""
    if os.environ.get("EMBER_MALLOC_TUNE", "1") == "0" or not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
        if not hasattr(libc, "gnu_get_libc_version"):     # musl's mallopt does nothing
            return False
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and \
        bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))


TUNED = tune()
