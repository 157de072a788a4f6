"""torchvision.io image functions (decoded and encoded with Pillow, not libpng/libjpeg), and
ember's layout helpers between tensors (CHW, RGB), PIL, NumPy (HWC, RGB) and OpenCV (HWC, BGR)."""

from __future__ import annotations

import io as _io
from enum import Enum

import numpy as np

import ember

from .._tensor import Tensor
from .transforms.functional import bgr_to_rgb, rgb_to_bgr

__all__ = ["ImageReadMode", "read_file", "write_file", "decode_image", "decode_png",
           "decode_jpeg", "read_image", "encode_png", "write_png", "encode_jpeg", "write_jpeg",
           "bgr_to_rgb", "rgb_to_bgr", "to_numpy_image", "from_numpy_image", "to_cv2",
           "from_cv2"]


class ImageReadMode(Enum):
    """torchvision.io.ImageReadMode."""

    UNCHANGED = 0
    GRAY = 1
    GRAY_ALPHA = 2
    RGB = 3
    RGB_ALPHA = 4


_PIL_MODE = {ImageReadMode.GRAY: "L", ImageReadMode.GRAY_ALPHA: "LA",
             ImageReadMode.RGB: "RGB", ImageReadMode.RGB_ALPHA: "RGBA"}


def read_file(path) -> Tensor:
    """torchvision.io.read_file: the file's bytes as a 1-D uint8 tensor."""
    with open(path, "rb") as f:
        data = f.read()
    return ember.from_numpy(np.frombuffer(data, dtype=np.uint8).copy())


def write_file(filename, data: Tensor) -> None:
    """torchvision.io.write_file: write a 1-D uint8 tensor's bytes."""
    with open(filename, "wb") as f:
        f.write(data.detach().cpu().numpy().astype(np.uint8).tobytes())


def _mode(mode) -> ImageReadMode:
    if isinstance(mode, str):
        return ImageReadMode[mode.upper()]
    return ImageReadMode(mode) if isinstance(mode, int) else mode


def decode_image(input, mode=ImageReadMode.UNCHANGED, apply_exif_orientation: bool = False
                 ) -> Tensor:
    """torchvision.io.decode_image: encoded bytes (1-D uint8 tensor) or a path -> (C, H, W)
    uint8 tensor (16-bit PNGs become int32 here, as ember has no uint16)."""
    from PIL import Image, ImageOps
    if isinstance(input, Tensor):
        if input.dtype != ember.uint8 or input.dim() != 1:
            raise RuntimeError("Expected a 1-D uint8 tensor of encoded bytes, got "
                               f"{input.dtype} of shape {tuple(input.shape)}")
        src = _io.BytesIO(input.detach().cpu().numpy().tobytes())
    else:
        src = str(input)
    with Image.open(src) as im:
        if apply_exif_orientation:
            im = ImageOps.exif_transpose(im)
        mode = _mode(mode)
        if mode != ImageReadMode.UNCHANGED:
            im = im.convert(_PIL_MODE[mode])
        elif im.mode == "P":
            im = im.convert("RGBA" if "transparency" in im.info else "RGB")
        elif im.mode in ("1", "CMYK", "YCbCr", "HSV"):
            im = im.convert("L" if im.mode == "1" else "RGB")
        arr = np.array(im)
    if arr.dtype == np.uint16:
        arr = arr.astype(np.int32)
    if arr.ndim == 2:
        arr = arr[:, :, None]
    return ember.from_numpy(np.ascontiguousarray(arr.transpose(2, 0, 1)))


decode_png = decode_image
decode_jpeg = decode_image


def read_image(path, mode=ImageReadMode.UNCHANGED, apply_exif_orientation: bool = False
               ) -> Tensor:
    """torchvision.io.read_image: a PNG/JPEG/... file -> (C, H, W) uint8 tensor."""
    return decode_image(read_file(path), mode, apply_exif_orientation)


def _pil_from_chw(input: Tensor):
    from PIL import Image
    if not isinstance(input, Tensor) or input.dtype != ember.uint8:
        raise RuntimeError("Input tensor dtype should be uint8")
    if input.dim() != 3:
        raise RuntimeError(f"Input data should be a 3-dimensional tensor, got {input.dim()}")
    c = input.shape[0]
    if c not in (1, 2, 3, 4):
        raise RuntimeError(f"The number of channels should be 1, 2, 3 or 4, got: {c}")
    arr = np.ascontiguousarray(input.detach().cpu().numpy().transpose(1, 2, 0))
    return Image.fromarray(arr[:, :, 0] if c == 1 else arr)


def encode_png(input: Tensor, compression_level: int = 6) -> Tensor:
    """torchvision.io.encode_png: (C, H, W) uint8 -> PNG bytes as a 1-D uint8 tensor
    (Pillow's encoder: the pixels round-trip exactly, the bytes may differ from libpng's)."""
    if not 0 <= compression_level <= 9:
        raise RuntimeError("Compression level should be between 0 and 9")
    buf = _io.BytesIO()
    _pil_from_chw(input).save(buf, format="PNG", compress_level=compression_level)
    return ember.from_numpy(np.frombuffer(buf.getvalue(), dtype=np.uint8).copy())


def write_png(input: Tensor, filename, compression_level: int = 6) -> None:
    """torchvision.io.write_png."""
    write_file(filename, encode_png(input, compression_level))


def encode_jpeg(input: Tensor, quality: int = 75) -> Tensor:
    """torchvision.io.encode_jpeg (Pillow's libjpeg; 1 or 3 channels)."""
    if not 1 <= quality <= 100:
        raise ValueError("Image quality should be a positive number between 1 and 100")
    buf = _io.BytesIO()
    _pil_from_chw(input).save(buf, format="JPEG", quality=quality)
    return ember.from_numpy(np.frombuffer(buf.getvalue(), dtype=np.uint8).copy())


def write_jpeg(input: Tensor, filename, quality: int = 75) -> None:
    """torchvision.io.write_jpeg."""
    write_file(filename, encode_jpeg(input, quality))


# ---- layout helpers (ember extras) ---------------------------------------------------------------
def to_numpy_image(img) -> np.ndarray:
    """A CHW tensor (any device, grad or not), PIL image or HWC array -> an HWC RGB ndarray, as
    matplotlib and PIL expect (the seed's np.transpose(npimg, (1, 2, 0)))."""
    if isinstance(img, Tensor):
        a = img.detach().cpu().numpy()
        if a.ndim == 3:
            a = np.transpose(a, (1, 2, 0))
        return np.ascontiguousarray(a)
    return np.asarray(img)


def from_numpy_image(arr: np.ndarray) -> Tensor:
    """An HWC (or HW) ndarray -> a CHW tensor with the same dtype and values (no scaling;
    use transforms.ToTensor for uint8 -> float in [0, 1])."""
    arr = np.asarray(arr)
    if arr.ndim == 2:
        arr = arr[:, :, None]
    if arr.ndim != 3:
        raise ValueError(f"expected an (H, W) or (H, W, C) array, got shape {arr.shape}")
    return ember.from_numpy(np.ascontiguousarray(arr.transpose(2, 0, 1)))


def to_cv2(img) -> np.ndarray:
    """A CHW RGB tensor (float in [0, 1] or uint8) or PIL image -> OpenCV's HWC BGR uint8."""
    if isinstance(img, Tensor) and img.is_floating_point():
        with ember.no_grad():
            img = img.detach().mul(255).add(0.5).clamp(0, 255).to(ember.uint8)
    a = to_numpy_image(img)
    if a.dtype != np.uint8:
        a = a.astype(np.uint8)
    return rgb_to_bgr(a) if a.ndim == 3 and a.shape[2] in (3, 4) else a


def from_cv2(arr: np.ndarray) -> Tensor:
    """OpenCV's HWC BGR uint8 array -> a CHW RGB float tensor in [0, 1] (as ToTensor would
    give for the same picture loaded with PIL)."""
    from .transforms.functional import to_tensor
    arr = np.asarray(arr)
    if arr.ndim == 3 and arr.shape[2] in (3, 4):
        arr = bgr_to_rgb(arr)
    return to_tensor(arr)
