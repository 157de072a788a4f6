"""torch.hub: Ember never downloads, so loading from a hub or URL raises a clear RuntimeError."""

from __future__ import annotations

import os

__all__ = ["load", "list", "help", "load_state_dict_from_url", "download_url_to_file", "get_dir",
           "set_dir"]

_dir: list[str | None] = [None]


def _no_network(what: str):
    return RuntimeError(f"torch.hub.{what}: Ember does not download models or weights (no "
                        "network access); build the model locally and load a checkpoint "
                        "with torch.load(path)")


def load(repo_or_dir, model, *args, source: str = "github", **kwargs):
    """torch.hub.load: a local directory (source='local') works; GitHub sources raise."""
    if source != "local":
        raise _no_network("load")
    import importlib.util
    import sys
    path = os.path.join(repo_or_dir, "hubconf.py")
    spec = importlib.util.spec_from_file_location("hubconf", path)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, repo_or_dir)
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(repo_or_dir)
    return getattr(module, model)(*args, **kwargs)


def list(github, force_reload: bool = False, **kwargs):  # noqa: A001 - torch's name
    """torch.hub.list: raises (needs the network)."""
    raise _no_network("list")


def help(github, model, force_reload: bool = False, **kwargs):  # noqa: A001 - torch's name
    """torch.hub.help: raises (needs the network)."""
    raise _no_network("help")


def load_state_dict_from_url(url: str, model_dir: str | None = None, map_location=None,
                             progress: bool = True, check_hash: bool = False,
                             file_name: str | None = None, weights_only: bool = False):
    """torch.hub.load_state_dict_from_url: loads an already-cached file, else raises."""
    name = file_name or os.path.basename(url.split("?")[0])
    cached = os.path.join(model_dir or os.path.join(get_dir(), "checkpoints"), name)
    if os.path.exists(cached):
        from .serialization import load as _load
        return _load(cached, map_location=map_location, weights_only=weights_only)
    raise _no_network("load_state_dict_from_url")


def download_url_to_file(url: str, dst: str, hash_prefix: str | None = None,
                         progress: bool = True) -> None:
    """torch.hub.download_url_to_file: raises (needs the network)."""
    raise _no_network("download_url_to_file")


def get_dir() -> str:
    """torch.hub.get_dir: $TORCH_HOME/hub (default ~/.cache/torch/hub), or what set_dir chose."""
    if _dir[0] is not None:
        return _dir[0]
    home = os.environ.get("TORCH_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "torch")
    return os.path.join(os.path.expanduser(home), "hub")


def set_dir(d) -> None:
    """torch.hub.set_dir."""
    _dir[0] = os.path.expanduser(os.fspath(d))
