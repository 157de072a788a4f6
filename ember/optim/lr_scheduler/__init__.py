"""torch.optim.lr_scheduler: torch's chainable schedulers (same recurrences, same lr values)."""

from ._base import *  # noqa: F401, F403
from ._base import EPOCH_DEPRECATION_WARNING  # noqa: F401
from ._base import __all__ as _b
from ._composite import *  # noqa: F401, F403
from ._composite import __all__ as _c
from ._cyclic import *  # noqa: F401, F403
from ._cyclic import __all__ as _y

__all__ = [*_b, *_y, *_c]

# torch's classes live in torch.optim.lr_scheduler itself (reprs and pickles name it)
for _name in __all__:
    globals()[_name].__module__ = __name__
del _name
