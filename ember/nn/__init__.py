"""torch.nn: Module, containers, layers, losses, functional, init."""

from . import attention, functional, init, utils  # noqa: F401
from .modules import *  # noqa: F401, F403
from .modules import Module  # noqa: F401
from .parameter import Buffer, Parameter  # noqa: F401

# isort: split
# after the modules: these import them
from ..compat import module_getattr as _module_getattr  # noqa: E402
from ..distributed._sync_batchnorm import SyncBatchNorm  # noqa: F401
from . import parallel  # noqa: F401
from .parallel import DataParallel  # noqa: F401

# an nn API Ember lacks raises NotImplementedError naming it (hasattr probes still see False)
__getattr__ = _module_getattr("torch.nn", "ember.nn")
