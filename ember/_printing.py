"""repr/str of tensors exactly as torch prints them (torch/_tensor_str.py's algorithm).

The tensor is summarised first (only the `edgeitems` heads and tails of each long dimension are
kept, on the tensor's own device) and only that small array is copied to the host and formatted,
so printing a huge tensor costs about as much as printing a tiny one.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from typing import Any

from . import _dtype as D
from .backend import array_module, device, to_device

__all__ = ["set_printoptions", "get_printoptions", "printoptions", "tensor_repr"]

_CPU = device("cpu")


class _PrinterOptions:
    """The module-wide options (torch's PRINT_OPTS)."""

    __slots__ = ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")

    def __init__(self) -> None:
        self.precision = 4
        self.threshold: float = 1000
        self.edgeitems = 3
        self.linewidth = 80
        self.sci_mode: bool | None = None


PRINT_OPTS = _PrinterOptions()

_PROFILES = {
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}


def set_printoptions(precision: int | None = None, threshold: float | None = None,
                     edgeitems: int | None = None, linewidth: int | None = None,
                     profile: str | None = None, sci_mode: bool | None = None) -> None:
    """torch.set_printoptions: profile first, then the explicit options; sci_mode always set."""
    o = PRINT_OPTS
    if profile in _PROFILES:        # NOTE: torch silently ignores an unknown profile name
        o.precision, o.threshold, o.edgeitems, o.linewidth = _PROFILES[profile]
    if precision is not None:
        o.precision = precision
    if threshold is not None:
        o.threshold = threshold
    if edgeitems is not None:
        o.edgeitems = edgeitems
    if linewidth is not None:
        o.linewidth = linewidth
    # NOTE: as in torch, omitting sci_mode resets it to automatic
    o.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """torch._tensor_str.get_printoptions: the options as set_printoptions kwargs."""
    o = PRINT_OPTS
    return {"precision": o.precision, "threshold": o.threshold, "edgeitems": o.edgeitems,
            "linewidth": o.linewidth, "sci_mode": o.sci_mode}


@contextlib.contextmanager
def printoptions(**kwargs: Any) -> Iterator[None]:
    """torch._tensor_str.printoptions: set_printoptions for the duration of a with-block."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


# ---- element formatting --------------------------------------------------------------------

class _Formatter:
    """Chooses int/fixed/scientific mode and the common width from the values to be printed."""

    __slots__ = ("floating", "int_mode", "sci_mode", "width")

    def __init__(self, a, floating: bool) -> None:
        # a: host array holding exactly the values that will be printed
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        xp = array_module(a)
        v = a.reshape(-1)
        if not floating:
            if v.size:
                lo, hi = v.min().item(), v.max().item()
                self.width = max(1, len(str(lo)), len(str(hi)))
            return
        # double precision: float16 would overflow on the ratio below (torch converts too)
        v = v.astype(xp.float64)
        v = v[xp.isfinite(v) & (v != 0)]
        if v.size == 0:
            return
        mag = xp.abs(v)
        lo, hi = mag.min().item(), mag.max().item()
        self.int_mode = not bool((v != xp.ceil(v)).any())
        sci = PRINT_OPTS.sci_mode
        self.sci_mode = (hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4) if sci is None else sci
        p = PRINT_OPTS.precision
        if self.sci_mode:
            spec, extra = f".{p}e", 0
        elif self.int_mode:
            spec, extra = ".0f", 1        # room for the trailing "." of integral floats
        else:
            spec, extra = f".{p}f", 0
        # The formatted length only grows with |x| (fixed point) or with |exponent| (scientific),
        # and a minus sign adds one, so the extreme values of each sign bound the width.
        pos, neg = v[v > 0], v[v < 0]
        cands = []
        if pos.size:
            cands += [pos.min().item(), pos.max().item()]
        if neg.size:
            cands += [neg.min().item(), neg.max().item()]
        self.width = max(len(format(c, spec)) + extra for c in cands)

    def format(self, value) -> str:
        if self.floating:
            if self.sci_mode:
                s = format(value, f"{self.width}.{PRINT_OPTS.precision}e")
            elif self.int_mode:
                s = format(value, ".0f")
                if not (math.isinf(value) or math.isnan(value)):
                    s += "."
            else:
                s = format(value, f".{PRINT_OPTS.precision}f")
        else:
            s = str(value)
        return (self.width - len(s)) * " " + s


class _Fmt:
    """One element -> text: a real formatter, or a pair for complex (real, imag)."""

    __slots__ = ("f1", "f2", "width")

    def __init__(self, f1: _Formatter, f2: _Formatter | None) -> None:
        self.f1, self.f2 = f1, f2
        # element width plus ", " (and the imaginary part with its "j" for complex)
        self.width = f1.width + 2 + (0 if f2 is None else f2.width + 1)

    def __call__(self, val) -> str:
        if self.f2 is None:
            return self.f1.format(val)
        re = self.f1.format(val.real)
        im = (self.f2.format(val.imag) + "j").lstrip()
        # an explicit sign on the imaginary part (negative or -0.0) replaces the "+"
        return re + im if im[0] in "+-" else re + "+" + im


# ---- layout ---------------------------------------------------------------------------------

def _vector(vals: list, cut: bool, indent: int, fmt: _Fmt) -> str:
    o = PRINT_OPTS
    per_line = max(1, math.floor((o.linewidth - indent) / fmt.width))
    if cut:
        e = o.edgeitems
        data = [fmt(v) for v in vals[:e]] + [" ..."] + [fmt(v) for v in vals[e:]]
    else:
        data = [fmt(v) for v in vals]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested(vals, cuts: tuple, indent: int, fmt: _Fmt) -> str:
    # vals: nested lists of the (summarised) data; cuts[k]: dimension k lost its middle
    ndim = len(cuts)
    if ndim == 1:
        return _vector(vals, cuts[0], indent, fmt)
    parts = [_nested(v, cuts[1:], indent + 1, fmt) for v in vals]
    if cuts[0]:
        e = PRINT_OPTS.edgeitems
        parts = parts[:e] + ["..."] + parts[e:]
    return "[" + ("," + "\n" * (ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def _host(a):
    return a if array_module(a).__name__ == "numpy" else to_device(a, _CPU)


def _summarized(a):
    """Keep the first and last `edgeitems` of every dimension longer than 2*edgeitems."""
    e = PRINT_OPTS.edgeitems
    xp = array_module(a)
    cuts = []
    for ax, n in enumerate(a.shape):
        cut = n > 2 * e
        if cut:
            idx = xp.asarray(list(range(e)) + list(range(n - e, n)))
            a = xp.take(a, idx, axis=ax)
        cuts.append(cut)
    return a, tuple(cuts)


def _tensor_str(t, indent: int) -> str:
    a = t._array
    if a.size == 0:
        return "[]"
    summarize = a.size > PRINT_OPTS.threshold
    if summarize and not PRINT_OPTS.edgeitems:
        # nothing but the ellipsis is shown at any depth
        return "[...]" if a.ndim else _scalar(t)
    if summarize:
        a, cuts = _summarized(a)
    else:
        cuts = (False,) * a.ndim
    a = _host(a)
    dt = t._dtype
    if dt.is_complex:
        fmt = _Fmt(_Formatter(a.real, True), _Formatter(a.imag, True))
    else:
        fmt = _Fmt(_Formatter(a, dt.is_floating_point), None)
    if a.ndim == 0:
        return fmt(a.item())
    return _nested(a.tolist(), cuts, indent, fmt)


def _scalar(t) -> str:
    a = _host(t._array)
    dt = t._dtype
    if dt.is_complex:
        return _Fmt(_Formatter(a.real, True), _Formatter(a.imag, True))(a.item())
    return _Fmt(_Formatter(a, dt.is_floating_point), None)(a.item())


def _add_suffixes(s: str, suffixes: list, indent: int) -> str:
    out = [s]
    # NOTE: torch's arithmetic (two more than the last line's length when there is no newline)
    last = len(s) - s.rfind("\n") + 1
    for suf in suffixes:
        if last + len(suf) + 2 > PRINT_OPTS.linewidth:
            out.append(",\n" + " " * indent + suf)
            last = indent + len(suf)
        else:
            out.append(", " + suf)
            last += len(suf) + 2
    out.append(")")
    return "".join(out)


def _is_parameter(cls) -> bool:
    return any(c.__name__ == "Parameter" and c.__module__.startswith("ember.nn")
               for c in cls.__mro__)


def tensor_repr(t, tensor_contents: str | None = None) -> str:
    """torch.Tensor.__repr__: contents, then device/dtype/size/grad suffixes."""
    from ._tensor import Tensor
    cls = type(t)
    plain = cls is Tensor or (cls.__name__ == "Parameter" and _is_parameter(cls))
    prefix = "tensor(" if plain else f"{cls.__name__}("
    indent = len(prefix)
    suffixes = []
    dev = t.device
    if dev.type != "cpu":
        suffixes.append(f"device='{dev}'")
    dt = t._dtype
    default = D.get_default_dtype()
    default_complex = D.complex128 if default is D.float64 else D.complex64
    a = t._array
    if a.size == 0:
        # numpy prints the shape of empty arrays unless it is (0,); no values hint the dtype
        if a.ndim != 1:
            suffixes.append(f"size={tuple(a.shape)}")
        if dt is not default:
            suffixes.append(f"dtype={dt!r}")
        body = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append(f"size={tuple(a.shape)}")
        if dt not in (default, default_complex, D.int64, D.bool):
            suffixes.append(f"dtype={dt!r}")
        body = None if tensor_contents is not None else _tensor_str(t, indent)
    if tensor_contents is not None:
        body = tensor_contents
    gf = t.grad_fn
    if gf is not None:
        name = gf.name() if hasattr(gf, "name") else type(gf).__name__
        suffixes.append(f"grad_fn=<{name.rsplit('::', 1)[-1]}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    s = _add_suffixes(prefix + body, suffixes, indent)
    if not plain and _is_parameter(cls):
        s = f"Parameter({s})"
    return s
