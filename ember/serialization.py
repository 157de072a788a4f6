"""save/load in PyTorch's checkpoint format (zip + pickle protocol 2), safe by default.

Follows shared/spec/torch-checkpoint-format.md: files written here load in torch with
weights_only=True, and torch's files load here without torch installed.
"""

from __future__ import annotations

import collections
import io
import os
import pickle
import struct
import tempfile
import zipfile
import zlib

import numpy as np

from . import _dtype as D
from ._tensor import Size, Tensor, _new
from .backend import device as _device
from .backend import round_bf16

__all__ = ["save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals",
           "safe_globals", "UnpicklingError"]

UnpicklingError = pickle.UnpicklingError

_STORAGE_NAMES = {
    "float32": "FloatStorage", "float64": "DoubleStorage", "float16": "HalfStorage",
    "bfloat16": "BFloat16Storage", "complex64": "ComplexFloatStorage",
    "complex128": "ComplexDoubleStorage", "int64": "LongStorage", "int32": "IntStorage",
    "int16": "ShortStorage", "int8": "CharStorage", "uint8": "ByteStorage", "bool": "BoolStorage",
}
_STORAGE_DTYPES = {v: k for k, v in _STORAGE_NAMES.items()}
_UNTYPED_DTYPES = {"uint16": np.uint16, "uint32": np.uint32, "uint64": np.uint64}


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------
class _Global:
    """A GLOBAL opcode naming a torch object (written by name; nothing is imported)."""

    __slots__ = ("module", "name")

    def __init__(self, module: str, name: str):
        self.module, self.name = module, name

    def __call__(self, *args):   # pickle's save_reduce requires a callable; never called
        raise TypeError(f"{self.module}.{self.name} is a name written into a checkpoint")


class _StorageRef:
    __slots__ = ("key", "dtype_name", "numel", "location", "_root")

    def __init__(self, key, dtype_name, numel, location):
        self.key, self.dtype_name, self.numel, self.location = key, dtype_name, numel, location


_REBUILD_V2 = _Global("torch._utils", "_rebuild_tensor_v2")
_REBUILD_PARAM = _Global("torch._utils", "_rebuild_parameter")
_ORDERED_DICT = _Global("collections", "OrderedDict")


def _root_of(arr: np.ndarray) -> np.ndarray:
    root = arr
    while isinstance(root.base, np.ndarray):
        root = root.base
    return root


class _Pickler(pickle._Pickler):
    """Protocol-2 pickler that writes tensors as torch's persistent storages and rebuild calls."""

    dispatch = dict(pickle._Pickler.dispatch)

    def __init__(self, file, storages: list):
        super().__init__(file, protocol=2)
        self._storages = storages          # [(ref, 1-D array of the storage)]
        self._by_root: dict = {}

    def _save_global_ref(self, obj):
        self.write(pickle.GLOBAL + obj.module.encode() + b"\n" + obj.name.encode() + b"\n")

    dispatch[_Global] = _save_global_ref

    def _save_dtype(self, obj):
        self._save_global_ref(_Global("torch", obj.name))

    dispatch[D.dtype] = _save_dtype

    def persistent_id(self, obj):
        if type(obj) is _StorageRef:
            return ("storage", _Global("torch", _STORAGE_NAMES[obj.dtype_name]), obj.key,
                    obj.location, obj.numel)
        return None

    def _storage_for(self, t: Tensor):
        """(storage ref, element offset, strides) for t, sharing storages between views."""
        arr = t._array
        if type(arr) is not np.ndarray:
            loc = str(t.device)
            arr = arr.get()
        else:
            loc = "cpu"
        bf16 = t._dtype is D.bfloat16      # held as float32: the storage gets the top 16 bits
        root = _root_of(arr)
        it = arr.itemsize
        ok = (root.dtype.itemsize == it and all(s >= 0 and s % it == 0 for s in arr.strides)
              and (root.flags.c_contiguous or root.flags.f_contiguous))
        if ok:
            # a root of another same-size dtype (bfloat16 rounding works on uint32 bits) is
            # read as the tensor's dtype
            flat = root.reshape(-1, order="C" if root.flags.c_contiguous else "F").view(arr.dtype)
            base_ptr = root.__array_interface__["data"][0]
            off = arr.__array_interface__["data"][0] - base_ptr
            ok = off % it == 0 and off >= 0
        if not ok:   # a layout torch cannot express (negative strides...): write a copy
            flat = np.ascontiguousarray(arr).reshape(-1)
            return self._new_storage(_bf16_bits(flat) if bf16 else flat, t._dtype.name, loc), \
                0, _c_strides(arr.shape)
        key = (id(root), loc, t._dtype.name)     # one storage per (memory, dtype)
        ref = self._by_root.get(key)
        if ref is None:
            ref = self._by_root[key] = self._new_storage(_bf16_bits(flat) if bf16 else flat,
                                                         t._dtype.name, loc)
            ref._root = root     # keep the root alive while pickling (ids stay unique)
        return ref, off // it, tuple(s // it for s in arr.strides)

    def _new_storage(self, flat, dtype_name, loc):
        ref = _StorageRef(str(len(self._storages)), dtype_name, int(flat.size), loc)
        self._storages.append((ref, flat))
        return ref

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            from .nn.parameter import Parameter
            ref, off, strides = self._storage_for(obj)
            plain = (ref, off, tuple(obj.shape), strides, False, collections.OrderedDict())
            if isinstance(obj, Parameter):
                t = _TensorArgs(plain)
                return (_REBUILD_PARAM, (t, obj.requires_grad, collections.OrderedDict()))
            args = plain[:4] + (bool(obj.requires_grad), plain[5])
            return (_REBUILD_V2, args)
        if type(obj) is Size:
            return (_Global("torch", "Size"), (tuple(obj),))
        if type(obj) is _device:
            return (_Global("torch", "device"), (str(obj),))
        if type(obj) is _TensorArgs:
            return (_REBUILD_V2, obj.args)
        return NotImplemented


def _bf16_bits(flat: np.ndarray) -> np.ndarray:
    """bfloat16 values held as float32 -> their uint16 bit patterns (the storage's bytes)."""
    return (np.ascontiguousarray(flat, dtype=np.float32).view(np.uint32) >> 16).astype(np.uint16)


class _TensorArgs:
    __slots__ = ("args",)

    def __init__(self, args):
        self.args = args


def _c_strides(shape):
    st, acc = [], 1
    for s in reversed(shape):
        st.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(st))


def _archive_name(f) -> str:
    if isinstance(f, (str, os.PathLike)):
        base = os.path.basename(os.fspath(f))
        stem, dot, _ = base.rpartition(".")
        return stem if dot and stem else base
    return "archive"


class _ZipWriter:
    """Writes torch's zip layout: stored entries, data 64-byte aligned, data descriptors."""

    def __init__(self, fp):
        self.fp = fp
        self.pos = 0
        self.entries = []

    def _write(self, b: bytes) -> None:
        self.fp.write(b)
        self.pos += len(b)

    def add(self, name: str, data) -> None:
        data = memoryview(data).cast("B")
        nb = name.encode()
        off = self.pos
        pad = (-(off + 30 + len(nb) + 4)) % 64
        extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
        self._write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 0, 0x0808, 0, 0, 0, 0, 0, 0,
                                len(nb), len(extra)) + nb + extra)
        crc = zlib.crc32(data)
        self._write(data)
        self._write(struct.pack("<IIII", 0x08074B50, crc, len(data), len(data)))
        self.entries.append((nb, off, crc, len(data)))

    def close(self) -> None:
        cd_start = self.pos
        for nb, off, crc, size in self.entries:
            self._write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0, 0, 0x0808, 0, 0, 0, crc,
                                    size, size, len(nb), 0, 0, 0, 0, 0, off) + nb)
        cd_size = self.pos - cd_start
        z64 = self.pos
        n = len(self.entries)
        self._write(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 0x031E, 0x2D, 0, 0, n, n, cd_size,
                                cd_start))
        self._write(struct.pack("<IIQI", 0x07064B50, 0, z64, 1))
        self._write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, cd_size, cd_start, 0))


def _write_archive(obj, fp, name: str, pickle_protocol: int) -> None:
    storages: list = []
    buf = io.BytesIO()
    _Pickler(buf, storages).dump(obj)
    z = _ZipWriter(fp)
    z.add(f"{name}/data.pkl", buf.getvalue())
    z.add(f"{name}/.format_version", b"1")
    z.add(f"{name}/.storage_alignment", b"64")
    z.add(f"{name}/byteorder", b"little")
    for ref, flat in storages:
        a = np.ascontiguousarray(flat)
        if a.dtype.byteorder == ">":
            a = a.astype(a.dtype.newbyteorder("<"))
        z.add(f"{name}/data/{ref.key}", a.view(np.uint8) if a.size else b"")
    z.add(f"{name}/version", b"3\n")
    digest = str(zlib.crc32(buf.getvalue())).rjust(40, "0")[:40]
    z.add(f"{name}/.data/serialization_id", digest.encode())
    z.close()


def save(obj, f, pickle_module=None, pickle_protocol: int = 2,
         _use_new_zipfile_serialization: bool = True, _disable_byteorder_record: bool = False
         ) -> None:
    """torch.save. Saving to a path is atomic: the previous file survives a failed save."""
    if not _use_new_zipfile_serialization:
        raise NotImplementedError("ember.save writes only the zip format "
                                  "(_use_new_zipfile_serialization=True)")
    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        d = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp",
                                   dir=d)
        try:
            with os.fdopen(fd, "wb") as fp:
                _write_archive(obj, fp, _archive_name(path), pickle_protocol)
                fp.flush()
                os.fsync(fp.fileno())
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        return
    _write_archive(obj, f, "archive", pickle_protocol)


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------
_SAFE_GLOBALS: dict = {}


def add_safe_globals(safe_globals) -> None:
    """torch.serialization.add_safe_globals: allow these classes/functions in weights_only."""
    for g in safe_globals:
        if isinstance(g, tuple):
            obj, name = g
            mod, _, nm = name.rpartition(".")
        else:
            obj, mod, nm = g, g.__module__, g.__qualname__
        _SAFE_GLOBALS[(mod, nm)] = obj


def get_safe_globals() -> list:
    return list(_SAFE_GLOBALS.values())


def clear_safe_globals() -> None:
    _SAFE_GLOBALS.clear()


class safe_globals:
    """Context manager adding safe globals for the duration of a block."""

    def __init__(self, safe_globals):
        self.globals = safe_globals

    def __enter__(self):
        self._saved = dict(_SAFE_GLOBALS)
        add_safe_globals(self.globals)

    def __exit__(self, *exc):
        _SAFE_GLOBALS.clear()
        _SAFE_GLOBALS.update(self._saved)


class _StorageType:
    def __init__(self, dtype_name: str):
        self.dtype_name = dtype_name


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False,
                       backward_hooks=None, metadata=None):
    arr, dt, loc = storage if len(storage) == 3 else (*storage, "cpu")
    t = _new(_strided(arr, storage_offset, size, stride), dt)
    if loc != "cpu":
        t = t.to(loc)        # torch restores a storage on the device it was saved from
    if metadata and metadata.get("conj"):
        t = _new(t._array.conj(), dt)
    if metadata and metadata.get("neg"):
        t = _new(-t._array, dt)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                       dtype, metadata=None):
    arr, _, loc = storage if len(storage) == 3 else (*storage, "cpu")
    if isinstance(dtype, D.dtype):
        npd, dt = dtype.np, dtype
    else:
        raise UnpicklingError(f"tensors of dtype {dtype} are not supported by ember")
    arr = arr.view(np.uint8).view(npd) if arr.dtype != npd else arr
    return _rebuild_tensor_v2((arr, dt, loc), storage_offset, size, stride, requires_grad)


def _rebuild_tensor(storage, storage_offset, size, stride):
    return _rebuild_tensor_v2(storage, storage_offset, size, stride)


def _rebuild_parameter(data, requires_grad, backward_hooks, state=None):
    from .nn.parameter import Parameter
    p = Parameter(data, requires_grad=requires_grad)
    if state:
        p.__dict__.update(state)
    return p


def _strided(arr: np.ndarray, offset: int, size, stride) -> np.ndarray:
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride) or offset < 0 or any(s < 0 for s in size) or \
            any(s < 0 for s in stride):
        raise RuntimeError(f"invalid tensor layout: size {size}, stride {stride}, "
                           f"offset {offset}")
    if 0 in size:
        return np.zeros(size, dtype=arr.dtype)
    last = offset + sum((n - 1) * s for n, s in zip(size, stride))
    if last >= arr.size:
        raise RuntimeError(f"tensor layout (offset {offset}, size {list(size)}, stride "
                           f"{list(stride)}) reaches past its storage of {arr.size} elements")
    it = arr.itemsize
    return np.lib.stride_tricks.as_strided(arr[offset:], size, tuple(s * it for s in stride))


def _encode(text, encoding="latin1"):
    import codecs
    return codecs.encode(text, encoding)


def _safe_table() -> dict:
    from . import _dtype
    t = {
        ("collections", "OrderedDict"): collections.OrderedDict,
        ("collections", "Counter"): collections.Counter,
        ("builtins", "set"): set, ("__builtin__", "set"): set,
        ("builtins", "bytearray"): bytearray, ("builtins", "complex"): complex,
        # protocol 2 (what torch and ember write) names builtins as __builtin__
        ("__builtin__", "bytearray"): bytearray, ("__builtin__", "complex"): complex,
        ("_codecs", "encode"): _encode,
        ("torch", "Size"): Size,
        ("torch", "device"): _device,
        ("torch._utils", "_rebuild_tensor"): _rebuild_tensor,
        ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
        ("torch._utils", "_rebuild_tensor_v3"): _rebuild_tensor_v3,
        ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
        ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter,
    }
    for name in _STORAGE_DTYPES:
        t[("torch", name)] = _StorageType(_STORAGE_DTYPES[name])
        t[("torch.cuda", name)] = _StorageType(_STORAGE_DTYPES[name])
    t[("torch.storage", "UntypedStorage")] = _StorageType("untyped")
    for d in _dtype.ALL:
        t[("torch", d.name)] = d
    for alias in ("half", "float", "double", "short", "int", "long", "cfloat", "cdouble"):
        t[("torch", alias)] = getattr(_dtype, alias)
    for u in _UNTYPED_DTYPES:
        t[("torch", u)] = u
    return t


def _parameter_cls():
    from .nn.parameter import Parameter
    return Parameter


def _find_in_parents(module: str, name: str):
    """`name` from the nearest importable parent package of `module` (None when absent)."""
    import importlib
    parts = module.split(".")
    for i in range(len(parts) - 1, 0, -1):
        try:
            found = getattr(importlib.import_module(".".join(parts[:i])), name, None)
        except ImportError:
            continue
        if found is not None:
            return found
    return None


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, load_storage, weights_only: bool):
        super().__init__(file, encoding="utf-8")
        self._load_storage = load_storage
        self._weights_only = weights_only
        self._table = _safe_table()

    def find_class(self, module, name):
        key = (module, name)
        if key in self._table:
            return self._table[key]
        if key == ("torch.nn.parameter", "Parameter"):
            return _parameter_cls()
        if key in _SAFE_GLOBALS:
            return _SAFE_GLOBALS[key]
        if self._weights_only or module.split(".")[0] in ("os", "sys", "posix", "nt"):
            raise UnpicklingError(
                f"Weights only load failed. Unsupported global: GLOBAL {module}.{name} was not "
                "an allowed global by default. If you trust this checkpoint, load it with "
                "weights_only=False, or allow the global with "
                f"ember.serialization.add_safe_globals([{name}]).")
        torch_module = module
        for prefix, ours in (("torchvision", "ember.vision"), ("torch", "ember")):
            if module == prefix or module.startswith(prefix + "."):
                module = ours + module[len(prefix):]
                break
        try:
            return super().find_class(module, name)
        except (AttributeError, ModuleNotFoundError) as e:
            if module != torch_module:
                # torch's private module layout differs from ember's (torch.nn.modules.batchnorm
                # vs ember.nn.modules.norm): look the name up in the enclosing packages
                found = _find_in_parents(module, name)
                if found is not None:
                    return found
            # NOTE: torch raises ModuleNotFoundError / AttributeError here; keep the type
            msg = (f"Can't load {module}.{name}: the class or function '{name}' is not defined "
                   f"in module '{module}'. The checkpoint holds a pickled object whose "
                   "definition must be importable when loading (define or import it first), or "
                   f"save and load a state_dict instead. ({e})")
            if isinstance(e, ModuleNotFoundError):
                raise ModuleNotFoundError(msg, name=e.name) from None
            raise AttributeError(msg) from None

    def persistent_load(self, pid):
        if not isinstance(pid, tuple) or not pid or pid[0] != "storage":
            raise UnpicklingError(f"Unsupported persistent id {pid!r}: only storages are allowed")
        return self._load_storage(pid)


def _dtype_of_storage(st) -> tuple:
    if not isinstance(st, _StorageType):
        raise UnpicklingError(f"invalid storage type {st!r}")
    if st.dtype_name == "untyped":
        return np.dtype(np.uint8), None
    dt = getattr(D, st.dtype_name)
    return (np.dtype(np.uint16) if dt is D.bfloat16 else dt.np), dt


def _storage_array(raw: bytes | bytearray, npd, dt, numel: int, little: bool):
    if len(raw) < numel * npd.itemsize:
        raise RuntimeError(f"storage holds {len(raw)} bytes, {numel * npd.itemsize} expected")
    arr = np.frombuffer(bytearray(raw[:numel * npd.itemsize]), dtype=npd.newbyteorder(
        "<" if little else ">"))
    if not little:
        arr = arr.astype(npd)
    if dt is D.bfloat16:
        arr = (arr.astype(np.uint32) << 16).view(np.float32)
    return arr


def _map_location(location: str, map_location):
    if map_location is None:
        loc = location
    elif callable(map_location) and not isinstance(map_location, (str, _device)):
        # torch calls it with the storage (deserialised on the CPU) and its saved location
        res = map_location(_new(np.zeros(0, np.uint8)), location)
        loc = "cpu" if res is None else str(getattr(res, "device", res))
    elif isinstance(map_location, dict):
        loc = map_location.get(location, location)
    else:
        loc = str(map_location)
    if str(loc).startswith("cuda"):
        from . import cuda
        if not cuda.is_available():
            raise RuntimeError(
                "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() "
                "is False. If you are running on a CPU-only machine, please use torch.load with "
                "map_location=torch.device('cpu') to map your storages to the CPU.")
    return loc


def _load_zip(zf: zipfile.ZipFile, map_location, weights_only: bool):
    names = zf.namelist()
    if not names:
        raise RuntimeError("empty zip archive")
    prefix = names[0].split("/")[0]
    if f"{prefix}/data.pkl" not in names:
        raise RuntimeError(f"archive has no {prefix}/data.pkl record")
    if f"{prefix}/version" not in names:
        raise RuntimeError(f'PytorchStreamReader failed locating file {prefix}/version: '
                           'file not found')
    little = True
    if f"{prefix}/byteorder" in names:
        little = zf.read(f"{prefix}/byteorder").strip() != b"big"
    cache: dict = {}

    def load_storage(pid):
        if len(pid) != 5:
            raise UnpicklingError(f"invalid storage id {pid!r}")
        _, st, key, location, numel = pid
        npd, dt = _dtype_of_storage(st)
        if key not in cache:
            raw = zf.read(f"{prefix}/data/{key}")
            cache[key] = (_storage_array(raw, npd, dt, int(numel), little), dt,
                          str(_map_location(location, map_location)))
        return cache[key]

    up = _Unpickler(io.BytesIO(zf.read(f"{prefix}/data.pkl")), load_storage, weights_only)
    return up.load()


_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C


def _load_legacy(fp, map_location, weights_only: bool):
    """The pre-1.6 format (section 8 of the spec): a sequence of pickles, then raw storages."""
    def plain(f):
        return _Unpickler(f, None, True).load()

    if plain(fp) != _LEGACY_MAGIC:
        raise RuntimeError("Invalid magic number; corrupt file?")
    if plain(fp) != 1001:
        raise RuntimeError("unsupported legacy checkpoint protocol version")
    info = plain(fp)
    little = info.get("little_endian", True) if isinstance(info, dict) else True
    pending: dict = {}

    def load_storage(pid):
        if len(pid) != 6:
            raise UnpicklingError(f"invalid storage id {pid!r}")
        _, st, key, location, numel, view = pid
        npd, dt = _dtype_of_storage(st)
        if key not in pending:
            _map_location(location, map_location)
            arr = np.zeros(int(numel), dtype=np.float32 if dt is D.bfloat16 else npd)
            pending[key] = (arr, dt, npd, str(_map_location(location, map_location)))
        arr, dt, _, loc = pending[key]
        return (arr, dt, loc)

    obj = _Unpickler(fp, load_storage, weights_only).load()
    keys = plain(fp)
    for key in keys:
        (n,) = struct.unpack("<q", fp.read(8))
        arr, dt, npd, _ = pending[key]
        raw = fp.read(n * npd.itemsize)
        arr[...] = _storage_array(raw, npd, dt, n, little)
    return obj


def load(f, map_location=None, pickle_module=None, *, weights_only: bool | None = None,
         mmap: bool | None = None, **pickle_load_args):
    """torch.load: weights_only=True by default (an allow-list unpickler that runs nothing)."""
    if weights_only is None:
        weights_only = True
    name = os.fspath(f) if isinstance(f, (str, os.PathLike)) else getattr(f, "name", "<buffer>")
    opened = None
    try:
        if isinstance(f, (str, os.PathLike)):
            opened = fp = open(f, "rb")
        else:
            fp = f
        head = fp.read(4)
        fp.seek(-len(head), 1)
        if not head:
            raise RuntimeError(f"{name}: the file is empty, not a checkpoint")
        if head == b"PK\x03\x04":
            with zipfile.ZipFile(fp) as zf:
                return _load_zip(zf, map_location, weights_only)
        if head[:1] == b"\x80":
            return _load_legacy(fp, map_location, weights_only)
        raise RuntimeError(f"{name}: not a checkpoint (no zip header, no pickle header)")
    except UnpicklingError:
        raise
    except RuntimeError as e:
        if str(e).startswith(str(name)):
            raise
        raise RuntimeError(f"{name}: invalid checkpoint: {e}") from e
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, TypeError,
            IndexError, struct.error, OverflowError, UnicodeDecodeError, MemoryError) as e:
        raise RuntimeError(f"{name}: corrupted or truncated checkpoint "
                           f"({type(e).__name__}: {e})") from e
    finally:
        if opened is not None:
            opened.close()


del round_bf16
