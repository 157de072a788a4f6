"""ember._malloc: glibc keeps freed large buffers after `import ember` (opt-out by env)."""

import os
import subprocess
import sys

import pytest

_PROBE = "import ember._malloc as m; print(m.TUNED)"


def _run(env_extra: dict) -> str:
    env = dict(os.environ, **env_extra)
    return subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True,
                          text=True, check=True).stdout.strip()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc setting (Linux only)")
def test_applied_on_glibc_and_opt_out():
    import platform
    glibc = platform.libc_ver()[0] == "glibc"
    assert _run({}) == str(glibc)
    assert _run({"EMBER_MALLOC_TUNE": "0"}) == "False"

