"""Found on sys.path only in processes `ember run` starts or spawns (multiprocessing's spawn
children re-import the script without the parent's shim): installs the shim, becomes Ember."""

import importlib
import sys

if __name__ in ("torch", "torchvision"):   # not when imported by its package path
    del sys.modules[__name__]       # so that install() does not take this file for a real torch
    import ember.compat

    ember.compat.install()
    # The import system hands back whatever sys.modules holds for this name once we finish.
    importlib.import_module(__name__)
