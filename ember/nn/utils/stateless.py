"""torch.nn.utils.stateless.functional_call: run a module with substituted tensors."""

from __future__ import annotations

import contextlib

__all__ = ["functional_call"]


def _named_tensors(module):
    yield from module.named_parameters(remove_duplicate=False)
    yield from module.named_buffers(remove_duplicate=False)


def _owner(module, name: str):
    path, _, attr = name.rpartition(".")
    return module.get_submodule(path), attr


@contextlib.contextmanager
def _reparametrize_module(module, tensors: dict, tie_weights: bool = True,
                          strict: bool = False):
    named = list(_named_tensors(module))
    if tie_weights:
        # a tensor shared under several names follows the one name that was given
        by_id: dict = {}
        for name, t in named:
            by_id.setdefault(id(t), []).append(name)
        tensors = dict(tensors)
        for names in by_id.values():
            given = [n for n in names if n in tensors]
            for n in names:
                if given and n not in tensors:
                    tensors[n] = tensors[given[0]]
    if strict:
        known = {n for n, _ in named}
        unexpected = [k for k in tensors if k not in known]
        missing = [n for n in dict(named) if n not in tensors]
        msgs = []
        if unexpected:
            msgs.append("Unexpected key(s): {}.".format(", ".join(map(repr, unexpected))))
        if missing:
            msgs.append("Missing key(s): {}.".format(", ".join(map(repr, missing))))
        if msgs:
            raise RuntimeError(f"Error(s) in reparametrizing for {module._get_name()}:\n\t"
                               + "\n\t".join(msgs))
    saved = []
    try:
        for name, t in tensors.items():
            mod, attr = _owner(module, name)
            for store in (mod._parameters, mod._buffers):
                if attr in store:
                    saved.append((store, attr, store[attr]))
                    store[attr] = t
                    break
            else:
                saved.append((mod.__dict__, attr, mod.__dict__.get(attr, _MISSING)))
                mod.__dict__[attr] = t
        yield
    finally:
        for store, attr, old in reversed(saved):
            if old is _MISSING:
                store.pop(attr, None)
            else:
                store[attr] = old


_MISSING = object()


def functional_call(module, parameters_and_buffers, args=None, kwargs=None, *,
                    tie_weights: bool = True, strict: bool = False):
    """torch.nn.utils.stateless.functional_call: module(*args, **kwargs) with the named
    parameters/buffers replaced by the given tensors (restored afterwards)."""
    if isinstance(parameters_and_buffers, (list, tuple)):
        merged: dict = {}
        for d in parameters_and_buffers:
            for k, v in d.items():
                if k in merged:
                    raise ValueError(f"{k} appeared in multiple dictionaries; behavior of "
                                     "functional call is ambiguous")
                merged[k] = v
        parameters_and_buffers = merged
    if kwargs is None:
        kwargs = {}
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _reparametrize_module(module, parameters_and_buffers, tie_weights, strict):
        return module(*args, **kwargs)
