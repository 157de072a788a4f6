"""torch.nn.functional."""

from .activation import *  # noqa: F401, F403
from .activation import __all__ as _a
from .attention import multi_head_attention_forward, scaled_dot_product_attention  # noqa: F401
from .conv import (  # noqa: F401
    conv1d,
    conv2d,
    conv3d,
    conv_transpose1d,
    conv_transpose2d,
    conv_transpose3d,
)
from .ctc import ctc_loss  # noqa: F401
from .fold import *  # noqa: F401, F403
from .fold import __all__ as _f
from .loss import *  # noqa: F401, F403
from .loss import __all__ as _l
from .loss_extra import *  # noqa: F401, F403
from .loss_extra import __all__ as _lx
from .misc import *  # noqa: F401, F403
from .misc import __all__ as _m
from .normalization import *  # noqa: F401, F403
from .normalization import __all__ as _n
from .pooling import *  # noqa: F401, F403
from .pooling import __all__ as _p
from .sampling import *  # noqa: F401, F403
from .sampling import __all__ as _s
from .upsample import *  # noqa: F401, F403
from .upsample import __all__ as _u

__all__ = [*_a, *_f, *_l, *_lx, *_m, *_n, *_p, *_s, *_u, "conv1d", "conv2d", "conv3d",
           "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
           "scaled_dot_product_attention", "multi_head_attention_forward", "ctc_loss"]

from ...compat import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr("torch.nn.functional", "ember.nn.functional")
