"""The `torch` import shim: `install()` makes `import torch` / `import torchvision` load Ember.

A meta-path finder maps `torch` -> `ember`, `torch.X` -> `ember.X`, `torchvision` ->
`ember.vision`, `torchvision.X` -> `ember.vision.X`. It acts only inside the process that calls
`install()`; a real torch on disk is never imported, and `uninstall()` restores `sys.modules`.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
import warnings

from ._missing import KNOWN, is_stub, missing, missing_import, module_getattr, stub

__all__ = ["install", "uninstall", "is_installed", "TORCHVISION_VERSION", "missing",
           "module_getattr"]

# The torchvision release paired with the PyTorch release Ember mirrors.
TORCHVISION_VERSION = "0.28.0"
_ROOTS = {"torch": "ember", "torchvision": "ember.vision"}
# torch paths whose content Ember keeps elsewhere (used when ember has no module at the path)
_MOVED = {"torch.cuda.amp": "ember.amp", "torch.cpu.amp": "ember.amp"}


def _is_ours(name: str) -> bool:
    return name.partition(".")[0] in _ROOTS


def _ember_name(name: str) -> str:
    root, dot, rest = name.partition(".")
    return _ROOTS[root] + dot + rest


class _AliasModule(types.ModuleType):
    """`torch` / `torchvision` under the shim: forwards every attribute to the ember package.

    A module of its own (not the ember package) only so that `torch.__version__` can report the
    PyTorch version while `ember.__version__` stays Ember's.
    """

    def __init__(self, name: str, target: types.ModuleType, version: str):
        from ..torch_version import TorchVersion
        super().__init__(name, target.__doc__)
        self.__ember_target__ = target
        self.__version__ = TorchVersion(version)
        self.__file__ = getattr(target, "__file__", None)
        self.__path__ = []      # a package; submodules all come from the finder

    def __getattr__(self, name: str):
        # Called only for names not set on the alias itself: read them live from ember.
        target = self.__dict__["__ember_target__"]
        if name == "__all__" and not hasattr(target, "__all__"):
            # `from torch import *`: torch exports its public functions, classes and dtypes
            names = [k for k, v in vars(target).items()
                     if not k.startswith("_") and not isinstance(v, types.ModuleType)]
            # names ember loads lazily (torch.save, torch.conv2d) are exported too
            return names + [k for k in getattr(target, "_LAZY_ATTRS", ()) if k not in names]
        return getattr(target, name)

    def __dir__(self) -> list[str]:
        return sorted(set(dir(self.__dict__["__ember_target__"])) | set(self.__dict__))

    def __repr__(self) -> str:
        return f"<module '{self.__name__}' (Ember: {self.__ember_target__.__name__})>"


class _Loader(importlib.abc.Loader):
    """Hands the import system an already-built module (ember's own, an alias or a stub)."""

    def __init__(self, module: types.ModuleType):
        self.module = module
        self.spec = getattr(module, "__spec__", None)

    def create_module(self, spec):
        return self.module

    def exec_module(self, module) -> None:
        # The import system stamps its spec on the module; give ember's modules theirs back.
        if not isinstance(module, (_AliasModule,)) and not is_stub(module):
            module.__spec__ = self.spec


class _Finder(importlib.abc.MetaPathFinder):
    """Resolves `torch*` / `torchvision*` imports to Ember modules."""

    def find_spec(self, fullname: str, path=None, target=None):
        if not _is_ours(fullname):
            return None
        module = self._resolve(fullname)
        if module is None:
            # Not found. The path finder that runs next searches the parent's __path__: [] for
            # torch's alias and stubs, and for ember packages the directory just tried, so it
            # finds nothing either, and `importlib.util.find_spec` answers None as usual.
            return None
        # NOTE: is_package=True would give a plain ember module (ember.linalg) a __path__.
        is_package = hasattr(module, "__path__")
        return importlib.machinery.ModuleSpec(fullname, _Loader(module), is_package=is_package)

    def _resolve(self, fullname: str) -> types.ModuleType | None:
        root = fullname.partition(".")[0]
        if fullname == root:
            target = importlib.import_module(_ROOTS[root])
            version = _torch_version() if root == "torch" else TORCHVISION_VERSION
            return _AliasModule(root, target, version)
        parent_name, _, child = fullname.rpartition(".")
        if parent_name in _ROOTS and child.startswith("_"):
            return None     # torch._C, torch._dynamo: torch's internals, nothing in Ember
        if is_stub(sys.modules.get(parent_name)):
            # Inside a module Ember lacks: `import torch.distributions.normal` and also
            # `from torch.sparse import mm` (the import system tries a submodule) land here.
            raise missing_import(fullname)
        ember_name = _ember_name(fullname)
        try:
            return importlib.import_module(ember_name)
        except ModuleNotFoundError as e:
            if e.name != ember_name:
                raise                   # a missing dependency inside the module: show it
        if fullname in _MOVED:
            return importlib.import_module(_MOVED[fullname])
        if child in KNOWN.get(parent_name, ()):
            # A torch module Ember has no file for: members come from the ember parent package
            # where they exist (torch.nn.modules.batchnorm.BatchNorm2d), else NotImplementedError.
            fallback = None if parent_name in _ROOTS else sys.modules.get(parent_name)
            return stub(fullname, fallback)
        return None


def _torch_version() -> str:
    from .. import TORCH_VERSION
    return TORCH_VERSION


_state: dict = {}


def is_installed() -> bool:
    """Whether the shim is active in this process."""
    return bool(_state)


def install() -> None:
    """Make `import torch` / `import torchvision` (and their submodules) load Ember's modules."""
    if _state:
        return
    from .. import _dtype
    # A real torch imported earlier: its public modules are shadowed (and restored on uninstall);
    # its private ones (torch._C...) stay, for the real torch objects still in use.
    saved = {k: v for k, v in sys.modules.items() if _is_ours(k) and "._" not in k}
    if saved.get("torch") is not None:
        warnings.warn("a real torch is already imported; the Ember shim applies to later "
                      "`import torch` statements only (names bound earlier stay real torch)",
                      RuntimeWarning, stacklevel=2)
    for k in saved:
        del sys.modules[k]
    finder = _Finder()
    sys.meta_path.insert(0, finder)
    _state.update(finder=finder, saved=saved, prefix=_dtype.PREFIX[0])
    _dtype.PREFIX[0] = "torch"   # dtypes and Size print as torch.float32, torch.Size([2, 3])


def uninstall() -> None:
    """Undo install(): remove the finder, the torch aliases, and restore what was there before."""
    if not _state:
        return
    from .. import _dtype
    finder = _state["finder"]
    if finder in sys.meta_path:
        sys.meta_path.remove(finder)
    for name in [k for k in sys.modules if _is_ours(k)]:
        module = sys.modules[name]
        if not (isinstance(module, _AliasModule) or is_stub(module)
                or getattr(module, "__name__", "").startswith("ember")):
            continue    # real torch's private modules, left in place by install()
        del sys.modules[name]
        # Importing a stub set it as an attribute of its (ember) parent: take it off again.
        parent = sys.modules.get(_ember_name(name.rpartition(".")[0])) if "." in name else None
        child = name.rpartition(".")[2]
        if is_stub(module) and parent is not None and parent.__dict__.get(child) is module:
            delattr(parent, child)
    sys.modules.update(_state["saved"])
    _dtype.PREFIX[0] = _state["prefix"]
    _state.clear()
