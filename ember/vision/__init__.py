"""torchvision for ember: `import ember.vision as torchvision` gives transforms, utils, datasets,
io and models (a stub). Pillow (the `vision` extra) is imported only where PIL images are used."""

from . import datasets, io, models, transforms, utils

__version__ = "0.28.0"     # the torchvision release whose behaviour these modules follow

__all__ = ["datasets", "io", "models", "transforms", "utils"]
