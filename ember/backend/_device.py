"""torch.device: parsing, equality, hashing and printing as torch does."""

from __future__ import annotations

import builtins

# torch's DeviceType names, in the order its error message lists them
_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga",
          "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")
_TYPE_SET = frozenset(_TYPES)
_INT32_MAX = 2**31 - 1


def _parse(s: str) -> tuple[str, int | None]:
    """'cuda:1' -> ('cuda', 1) with torch's error texts (c10::Device's string constructor)."""
    if not s:
        raise RuntimeError("Device string must not be empty")
    name, sep, idx = s.partition(":")
    if not name or not all(c.isascii() and (c.isalpha() or c == "_") for c in name) or (
            sep and not (idx.isascii() and idx.isdigit()
                         and (len(idx) == 1 or idx[0] != "0"))):
        raise RuntimeError(f"Invalid device string: '{s}'")
    if name not in _TYPE_SET:
        raise RuntimeError(f"Expected one of {', '.join(_TYPES)} device type at start of device "
                           f"string: {s}")
    if not sep:
        return name, None
    if int(idx) > _INT32_MAX:
        raise RuntimeError(f"Could not parse device index '{idx}' in device string '{s}'")
    return name, int(idx)


def _check_int(v, what: str, pos: int) -> None:
    if not isinstance(v, int) or isinstance(v, bool):
        raise TypeError(f"device(): argument '{what}' (position {pos}) must be int, not "
                        f"{builtins.type(v).__name__}")


class device:
    """torch.device('cuda:1'), device('cuda', 1), device(0) -> cuda:0."""

    __slots__ = ("type", "index")

    def __init__(self, type, index: int | None = None):
        if isinstance(type, device):
            if index is not None:
                raise TypeError("device(): argument 'type' (position 1) must be str, not "
                                f"{device.__module__.split('.')[0]}.device")
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int) and not isinstance(type, bool):
            # torch maps a bare index to the current accelerator; ember's only one is CUDA
            if type < 0:
                raise RuntimeError("Device index must not be negative")
            self.type, self.index = "cuda", type
            return
        if not isinstance(type, str):
            raise TypeError("device() received an invalid combination of arguments - got "
                            f"({builtins.type(type).__name__}), but expected one of:\n"
                            " * (torch.device device)\n * (str type, int index = -1)\n"
                            " * (int index)")
        name, idx = _parse(type)
        if index is not None:
            _check_int(index, "index", 2)
            if idx is not None:
                raise RuntimeError(f"type (string) must not include an index because index was "
                                   f"passed explicitly: {type}")
            if index < 0:
                raise RuntimeError("Device index must not be negative")
            idx = index
        self.type, self.index = name, idx

    def __eq__(self, other) -> bool:
        # torch compares devices only with devices: device('cuda') == 'cuda' is False
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __reduce__(self):
        return (device, (self.type,) if self.index is None else (self.type, self.index))


def parse_device(d) -> device | None:
    """None stays None; str/int/device become a device."""
    if d is None or type(d) is device:
        return d
    return device(d)
