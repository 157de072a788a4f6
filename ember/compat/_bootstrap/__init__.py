"""Placeholder `torch`/`torchvision` packages for processes that `ember run` starts (a folder
put on sys.path; see ember.cli)."""
