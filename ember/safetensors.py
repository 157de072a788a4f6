"""The safetensors format (an 8-byte header length, a JSON header, raw little-endian bytes).

Same API as the `safetensors` package's torch flavour: save_file/load_file/save/load/safe_open.
"""

from __future__ import annotations

import json
import os
import struct

import numpy as np

from . import _dtype as D
from ._tensor import Tensor, _new

__all__ = ["save_file", "load_file", "save", "load", "safe_open", "SafetensorError"]

_CODES = {"float64": "F64", "float32": "F32", "float16": "F16", "bfloat16": "BF16",
          "int64": "I64", "int32": "I32", "int16": "I16", "int8": "I8", "uint8": "U8",
          "bool": "BOOL", "complex64": "C64"}
_FROM_CODE = {v: k for k, v in _CODES.items()}
_ORDER = ["int64", "float64", "complex64", "float32", "int32", "bfloat16", "float16", "int16",
          "int8", "uint8", "bool"]
_MAX_HEADER = 100_000_000


class SafetensorError(Exception):
    """Raised for malformed safetensors data (the package raises its own SafetensorError)."""


def _tensor_bytes(t: Tensor) -> bytes:
    arr = t.detach().cpu()._array
    if t.dtype is D.bfloat16:
        arr = (np.ascontiguousarray(arr, dtype=np.float32).view(np.uint32) >> 16).astype("<u2")
    else:
        arr = np.ascontiguousarray(arr)
        if arr.dtype.byteorder == ">":
            arr = arr.astype(arr.dtype.newbyteorder("<"))
    return arr.tobytes()


def save(tensors: dict, metadata: dict | None = None) -> bytes:
    """safetensors.torch.save: the file's bytes."""
    header: dict = {}
    if metadata is not None:
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise SafetensorError("metadata must be a dict of str to str")
        header["__metadata__"] = metadata
    # the package orders tensors by its dtype enum (largest first), then by name
    items = sorted(tensors.items(), key=lambda kv: (_ORDER.index(kv[1].dtype.name), kv[0]))
    blobs, offset = [], 0
    for name, t in items:
        if not isinstance(t, Tensor):
            raise SafetensorError(f"{name!r} is not a tensor")
        if t.dtype.name not in _CODES:
            raise SafetensorError(f"dtype {t.dtype} is not supported by safetensors")
        b = _tensor_bytes(t)
        header[name] = {"dtype": _CODES[t.dtype.name], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + b"".join(blobs)


def save_file(tensors: dict, filename, metadata: dict | None = None) -> None:
    """safetensors.torch.save_file (written atomically: temp file, fsync, rename)."""
    data = save(tensors, metadata)
    path = os.fspath(filename)
    tmp = f"{path}.tmp{os.getpid()}"
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _parse_header(buf: bytes | memoryview, total: int) -> tuple[dict, int]:
    if total < 8:
        raise SafetensorError("file too small to be safetensors (no header length)")
    (n,) = struct.unpack("<Q", bytes(buf[:8]))
    if n > _MAX_HEADER or 8 + n > total:
        raise SafetensorError(f"invalid header length {n}")
    try:
        header = json.loads(bytes(buf[8:8 + n]))
    except (ValueError, UnicodeDecodeError) as e:
        raise SafetensorError(f"invalid JSON header: {e}") from None
    if not isinstance(header, dict):
        raise SafetensorError("header is not a JSON object")
    return header, 8 + n


def _make_tensor(info: dict, data, name: str) -> Tensor:
    try:
        code, shape, (start, end) = info["dtype"], info["shape"], info["data_offsets"]
        dname = _FROM_CODE[code]
    except (KeyError, TypeError, ValueError):
        raise SafetensorError(f"invalid header entry for {name!r}: {info!r}") from None
    dt = getattr(D, dname)
    npd = np.dtype("<u2") if dt is D.bfloat16 else dt.np.newbyteorder("<")
    n = int(np.prod(shape, dtype=np.int64)) if shape else 1
    if not (0 <= start <= end <= len(data)) or end - start != n * npd.itemsize:
        raise SafetensorError(f"data offsets {start}..{end} of {name!r} do not fit shape {shape}")
    arr = np.frombuffer(bytearray(data[start:end]), dtype=npd).reshape(shape)
    if dt is D.bfloat16:
        arr = (arr.astype(np.uint32) << 16).view(np.float32)
    else:
        arr = arr.astype(dt.np, copy=False)
    return _new(arr, dt)


def load(data: bytes) -> dict:
    """safetensors.torch.load: tensors from bytes."""
    header, start = _parse_header(data, len(data))
    body = memoryview(data)[start:]
    return {k: _make_tensor(v, body, k) for k, v in header.items() if k != "__metadata__"}


def load_file(filename, device="cpu") -> dict:
    """safetensors.torch.load_file."""
    with open(filename, "rb") as f:
        out = load(f.read())
    if str(device) != "cpu":
        out = {k: v.to(device) for k, v in out.items()}
    return out


class safe_open:
    """Lazy per-tensor reads: `with safe_open(path, framework="pt") as f: f.get_tensor(name)`."""

    def __init__(self, filename, framework: str = "pt", device="cpu"):
        self._f = open(filename, "rb")
        size = os.fstat(self._f.fileno()).st_size
        head = self._f.read(8)
        (n,) = struct.unpack("<Q", head) if len(head) == 8 else (None,)
        if n is None or n > _MAX_HEADER or 8 + n > size:
            self._f.close()
            raise SafetensorError("invalid safetensors header")
        self._header, self._start = _parse_header(head + self._f.read(n), size)
        self._device = device

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._f.close()

    def keys(self) -> list:
        return sorted(k for k in self._header if k != "__metadata__")

    def metadata(self) -> dict | None:
        return self._header.get("__metadata__")

    def get_tensor(self, name: str) -> Tensor:
        info = self._header[name]
        start, end = info["data_offsets"]
        self._f.seek(self._start + start)
        raw = self._f.read(end - start)
        local = dict(info, data_offsets=[0, end - start])
        t = _make_tensor(local, raw, name)
        return t if str(self._device) == "cpu" else t.to(self._device)
