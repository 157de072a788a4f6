"""torch.torch_version: TorchVersion, a str that compares as a PEP 440 version."""

from __future__ import annotations

import re

__all__ = ["TorchVersion"]

_VERSION = re.compile(
    r"^\s*v?(?P<release>\d+(?:\.\d+)*)"
    r"(?:[-_.]?(?P<pre>a|b|c|rc|alpha|beta|pre|preview)[-_.]?(?P<pre_n>\d*))?"
    r"(?:[-_.]?(?P<post>post|rev|r)[-_.]?(?P<post_n>\d*))?"
    r"(?:[-_.]?(?P<dev>dev)[-_.]?(?P<dev_n>\d*))?"
    r"(?:\+(?P<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$",
    re.IGNORECASE,
)
_PRE = {"a": 0, "alpha": 0, "b": 1, "beta": 1, "c": 2, "rc": 2, "pre": 2, "preview": 2}
_INF = float("inf")


def _key(v) -> tuple:
    """A sort key with packaging.version.Version's order (release, pre, post, dev, local)."""
    if isinstance(v, (tuple, list)):
        v = ".".join(str(x) for x in v)
    elif not isinstance(v, str):
        v = str(v)                      # e.g. a packaging Version
    m = _VERSION.match(v)
    if m is None:
        raise ValueError(f"Invalid version: '{v}'")
    release = [int(x) for x in m["release"].split(".")]
    while len(release) > 1 and release[-1] == 0:
        release.pop()                   # 2.13 == 2.13.0
    if m["pre"]:
        pre = (_PRE[m["pre"].lower()], int(m["pre_n"] or 0))
    elif m["dev"] and not m["post"]:
        pre = (-1, 0)                   # 1.0.dev0 sorts before 1.0a0
    else:
        pre = (_INF, 0)
    post = (int(m["post_n"] or 0),) if m["post"] else (-1,)
    dev = (int(m["dev_n"] or 0),) if m["dev"] else (_INF,)
    local = tuple((1, int(p), "") if p.isdigit() else (0, 0, p.lower())
                  for p in re.split(r"[-_.]", m["local"])) if m["local"] else ()
    return (tuple(release), pre, post, dev, local)


class TorchVersion(str):
    """torch.torch_version.TorchVersion: `torch.__version__ >= "1.6"` compares versions.

    Tuples compare as versions too; a non-version string falls back to str comparison, as torch.
    """

    __slots__ = ()

    def _cmp(self, other, method: str) -> bool:
        try:
            if isinstance(other, str) or not hasattr(other, "__iter__"):
                other_key = _key(other if isinstance(other, str) else str(other))
            else:
                other_key = _key(tuple(other))
            return getattr(_key(self), method)(other_key)
        except ValueError:
            return getattr(str, method)(self, other)

    def __lt__(self, other) -> bool:
        return self._cmp(other, "__lt__")

    def __le__(self, other) -> bool:
        return self._cmp(other, "__le__")

    def __gt__(self, other) -> bool:
        return self._cmp(other, "__gt__")

    def __ge__(self, other) -> bool:
        return self._cmp(other, "__ge__")

    def __eq__(self, other) -> bool:
        return self._cmp(other, "__eq__")

    # NOTE: torch overrides only the five above, so `!=` stays str's and hashing stays str's.
    __ne__ = str.__ne__
    __hash__ = str.__hash__
