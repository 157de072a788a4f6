"""torchvision.transforms.functional: the same functions on PIL images and (..., C, H, W)
ember Tensors, with torchvision's argument checks and size rules."""

from __future__ import annotations

import math
import numbers
import sys
import warnings
from enum import Enum

import numpy as np

import ember

from ..._tensor import Tensor, _new
from . import _functional_pil as F_pil
from . import _functional_tensor as F_t
from ._functional_pil import _is_pil_image


class InterpolationMode(Enum):
    """torchvision.transforms.InterpolationMode."""

    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


# PIL's resampling filter numbers
pil_modes_mapping = {
    InterpolationMode.NEAREST: 0, InterpolationMode.BILINEAR: 2, InterpolationMode.BICUBIC: 3,
    InterpolationMode.NEAREST_EXACT: 0, InterpolationMode.BOX: 4, InterpolationMode.HAMMING: 5,
    InterpolationMode.LANCZOS: 1,
}
_FROM_INT = {0: InterpolationMode.NEAREST, 2: InterpolationMode.BILINEAR,
             3: InterpolationMode.BICUBIC, 4: InterpolationMode.BOX,
             5: InterpolationMode.HAMMING, 1: InterpolationMode.LANCZOS}


def _interpolation(interpolation) -> InterpolationMode:
    if isinstance(interpolation, int) and not isinstance(interpolation, bool):
        return _FROM_INT[interpolation]
    if not isinstance(interpolation, InterpolationMode):
        raise TypeError("Argument interpolation should be a InterpolationMode or a corresponding "
                        "Pillow integer constant")
    return interpolation


def _is_numpy(img) -> bool:
    return isinstance(img, np.ndarray)


def _is_numpy_image(img) -> bool:
    return img.ndim in {2, 3}


def get_dimensions(img) -> list[int]:
    """torchvision F.get_dimensions: [channels, height, width]."""
    if isinstance(img, Tensor):
        return F_t.get_dimensions(img)
    return F_pil.get_dimensions(img)


def get_image_size(img) -> list[int]:
    """torchvision F.get_image_size: [width, height]."""
    _, h, w = get_dimensions(img)
    return [w, h]


def get_image_num_channels(img) -> int:
    """torchvision F.get_image_num_channels."""
    return get_dimensions(img)[0]


# ---- conversions -------------------------------------------------------------------------------
def to_tensor(pic) -> Tensor:
    """torchvision F.to_tensor: PIL/HWC ndarray -> CHW tensor; uint8 data scaled to [0, 1]."""
    if not (_is_pil_image(pic) or _is_numpy(pic)):
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    if _is_numpy(pic) and not _is_numpy_image(pic):
        raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
    default_float_dtype = ember.get_default_dtype()
    if isinstance(pic, np.ndarray):
        if pic.ndim == 2:
            pic = pic[:, :, None]
        if any(st < 0 for st in pic.strides):
            # torch.from_numpy refuses these (e.g. an OpenCV image flipped with [..., ::-1])
            raise ValueError("At least one stride in the given numpy array is negative, and "
                             "tensors with negative strides are not currently supported. (You "
                             "can probably work around this by making a copy of your array  "
                             "with array.copy().) ")
        return _chw_tensor(pic, default_float_dtype)
    # 'I', 'I;16' and 'F' keep their integer/float values; every other mode is read as uint8
    mode_to_nptype = {"I": np.int32, "I;16" if sys.byteorder == "little" else "I;16B": np.int16,
                      "F": np.float32}
    arr = np.array(pic, mode_to_nptype.get(pic.mode, np.uint8), copy=True)
    if pic.mode == "1":
        arr = 255 * arr
    arr = arr.reshape(pic.size[1], pic.size[0], F_pil.get_image_num_channels(pic))
    return _chw_tensor(arr, default_float_dtype)


def _chw_tensor(arr: np.ndarray, float_dtype) -> Tensor:
    """to_tensor's HWC array -> CHW tensor, uint8 scaled to [0, 1] in float_dtype."""
    if arr.dtype == np.uint8 and float_dtype in (ember.float32, ember.float64):
        # permute + to(float) + div(255) as one pass: uint8 -> float is exact and the division
        # is the same correctly rounded one in that dtype
        out = np.empty((arr.shape[2], arr.shape[0], arr.shape[1]), float_dtype.np)
        np.divide(arr.transpose((2, 0, 1)), out.dtype.type(255), out=out)
        return _new(out, float_dtype)
    img = ember.from_numpy(np.ascontiguousarray(arr.transpose((2, 0, 1))))
    if img.dtype == ember.uint8:
        return img.to(dtype=float_dtype).div(255)
    return img


def pil_to_tensor(pic) -> Tensor:
    """torchvision F.pil_to_tensor: PIL -> CHW tensor of the image's own dtype, unscaled."""
    if not _is_pil_image(pic):
        raise TypeError(f"pic should be PIL Image. Got {type(pic)}")
    arr = np.array(pic, copy=True)
    if arr.dtype == np.uint16:
        arr = arr.astype(np.int32)     # NOTE: torch's uint16 is unsupported in ember; widened
    arr = arr.reshape(pic.size[1], pic.size[0], F_pil.get_image_num_channels(pic))
    return ember.from_numpy(np.ascontiguousarray(arr.transpose((2, 0, 1))))


def to_pil_image(pic, mode: str | None = None):
    """torchvision F.to_pil_image: CHW tensor / HWC ndarray -> PIL image, mode inferred."""
    if isinstance(pic, Tensor):
        if pic.ndim not in {2, 3}:
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        if pic.ndim == 2:
            pic = pic.unsqueeze(0)
        if pic.shape[-3] > 4:
            raise ValueError(f"pic should not have > 4 channels. Got {pic.shape[-3]} channels.")
    elif isinstance(pic, np.ndarray):
        if pic.ndim not in {2, 3}:
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        if pic.ndim == 2:
            pic = np.expand_dims(pic, 2)
        if pic.shape[-1] > 4:
            raise ValueError(f"pic should not have > 4 channels. Got {pic.shape[-1]} channels.")
    else:
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")
    if isinstance(pic, Tensor):
        npimg = np.transpose(pic.detach().cpu().numpy(), (1, 2, 0))
    else:
        npimg = pic
    if np.issubdtype(npimg.dtype, np.floating) and mode != "F":
        # NOTE: torchvision >= 0.22 scales floats in NumPy for tensors and ndarrays alike
        npimg = (npimg * 255).astype(np.uint8)    # truncation
    if npimg.shape[2] == 1:
        expected_mode = None
        npimg = npimg[:, :, 0]
        if npimg.dtype == np.uint8:
            expected_mode = "L"
        elif npimg.dtype == np.int16:
            expected_mode = "I;16" if sys.byteorder == "little" else "I;16B"
        elif npimg.dtype == np.int32:
            expected_mode = "I"
        elif npimg.dtype == np.float32:
            expected_mode = "F"
        if mode is not None and mode != expected_mode:
            raise ValueError(f"Incorrect mode ({mode}) supplied for input type {npimg.dtype}. "
                             f"Should be {expected_mode}")
        mode = expected_mode
    elif npimg.shape[2] == 2:
        permitted = ["LA"]
        if mode is not None and mode not in permitted:
            raise ValueError(f"Only modes {permitted} are supported for 2D inputs")
        if mode is None and npimg.dtype == np.uint8:
            mode = "LA"
    elif npimg.shape[2] == 4:
        permitted = ["RGBA", "CMYK", "RGBX"]
        if mode is not None and mode not in permitted:
            raise ValueError(f"Only modes {permitted} are supported for 4D inputs")
        if mode is None and npimg.dtype == np.uint8:
            mode = "RGBA"
    else:
        permitted = ["RGB", "YCbCr", "HSV"]
        if mode is not None and mode not in permitted:
            raise ValueError(f"Only modes {permitted} are supported for 3D inputs")
        if mode is None and npimg.dtype == np.uint8:
            mode = "RGB"
    if mode is None:
        raise TypeError(f"Input type {npimg.dtype} is not supported")
    Image = F_pil._pil()
    if mode.startswith("I;16"):
        # NOTE: Pillow >= 12 builds 16-bit images from uint16 data only; same bits
        return Image.fromarray(npimg.astype(np.uint16))
    return Image.fromarray(np.ascontiguousarray(npimg), mode=mode)


def convert_image_dtype(image: Tensor, dtype=ember.float32) -> Tensor:
    """torchvision F.convert_image_dtype: rescale values between integer and float ranges."""
    if not isinstance(image, Tensor):
        raise TypeError("Input img should be Tensor Image")
    if image.dtype == dtype:
        return image
    if image.is_floating_point():
        if dtype.is_floating_point:
            return image.to(dtype)
        if (image.dtype == ember.float32 and dtype in (ember.int32, ember.int64)) or (
                image.dtype == ember.float64 and dtype == ember.int64):
            raise RuntimeError(f"The cast from {image.dtype} to {dtype} cannot be performed "
                               "safely.")
        # the 1e-3 keeps 1.0 from landing on max + 1 after truncation
        eps = 1e-3
        max_val = float(F_t._max_value(dtype))
        return image.mul(max_val + 1.0 - eps).to(dtype)
    input_max = float(F_t._max_value(image.dtype))
    if dtype.is_floating_point:
        return image.to(dtype) / input_max
    output_max = float(F_t._max_value(dtype))
    if input_max > output_max:
        factor = int((input_max + 1) // (output_max + 1))
        return ember.div(image, factor, rounding_mode="floor").to(dtype)
    factor = int((output_max + 1) // (input_max + 1))
    return image.to(dtype) * factor


def normalize(tensor: Tensor, mean, std, inplace: bool = False) -> Tensor:
    """torchvision F.normalize: (tensor - mean) / std per channel."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    if not tensor.is_floating_point():
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if tensor.ndim < 3:
        raise ValueError("Expected tensor to be a tensor image of size (..., C, H, W). Got "
                         f"tensor.size() = {tensor.size()}")
    mean, std = _normalize_consts(mean, std, tensor.dtype, tensor.device)
    # out of place: the subtraction makes the copy that torchvision's clone() would
    return (tensor.sub_(mean) if inplace else tensor.sub(mean)).div_(std)


_NORM_CONSTS: dict = {}       # (mean, std, dtype, device) -> their (C, 1, 1) tensors


def _normalize_consts(mean, std, dtype, device):
    """normalize's mean and std as tensors of the image's dtype, checked once per distinct
    sequence of numbers (a DataLoader calls normalize once per image with the same ones)."""
    key = None
    if isinstance(mean, (list, tuple)) and isinstance(std, (list, tuple)) and all(
            type(v) in (float, int) for v in (*mean, *std)):
        key = (tuple(mean), tuple(std), dtype, str(device))
        hit = _NORM_CONSTS.get(key)
        if hit is not None:
            return hit
    mean = ember.as_tensor(mean, dtype=dtype, device=device)
    std = ember.as_tensor(std, dtype=dtype, device=device)
    if (std == 0).any():
        raise ValueError(f"std evaluated to zero after conversion to {dtype}, leading to "
                         "division by zero.")
    if mean.ndim == 1:
        mean = mean.view(-1, 1, 1)
    if std.ndim == 1:
        std = std.view(-1, 1, 1)
    if key is not None and len(_NORM_CONSTS) < 64:
        _NORM_CONSTS[key] = (mean, std)
    return mean, std


def _rgb_bgr(img):
    if isinstance(img, Tensor):
        if img.ndim < 3 or img.shape[-3] not in (3, 4):
            raise ValueError("expected a (..., 3, H, W) tensor image, got shape "
                             f"{tuple(img.shape)}")
        idx = [2, 1, 0] + ([3] if img.shape[-3] == 4 else [])
        return img[..., idx, :, :]
    if isinstance(img, np.ndarray):
        if img.ndim < 3 or img.shape[-1] not in (3, 4):
            raise ValueError(f"expected an (H, W, 3) array, got shape {img.shape}")
        return np.ascontiguousarray(img[..., [2, 1, 0] + ([3] if img.shape[-1] == 4 else [])])
    raise TypeError(f"img should be a Tensor (CHW) or ndarray (HWC). Got {type(img)}")


def bgr_to_rgb(img):
    """OpenCV's BGR -> RGB channel order: HWC ndarrays (last axis) or CHW tensors (dim -3).
    Ember extra (cv2.cvtColor(img, cv2.COLOR_BGR2RGB)); alpha stays last."""
    return _rgb_bgr(img)


def rgb_to_bgr(img):
    """RGB -> OpenCV's BGR order; HWC ndarrays or CHW tensors. Ember extra."""
    return _rgb_bgr(img)


# ---- geometry ----------------------------------------------------------------------------------
def hflip(img):
    """torchvision F.hflip."""
    return img.flip(-1) if isinstance(img, Tensor) else F_pil.hflip(img)


def vflip(img):
    """torchvision F.vflip."""
    return img.flip(-2) if isinstance(img, Tensor) else F_pil.vflip(img)


def crop(img, top: int, left: int, height: int, width: int):
    """torchvision F.crop (zero-filled outside the image)."""
    if isinstance(img, Tensor):
        return F_t.crop(img, top, left, height, width)
    return F_pil.crop(img, top, left, height, width)


def pad(img, padding, fill=0, padding_mode: str = "constant"):
    """torchvision F.pad: constant, edge, reflect or symmetric padding."""
    if isinstance(img, Tensor):
        return F_t.pad(img, padding, fill=fill, padding_mode=padding_mode)
    return F_pil.pad(img, padding, fill=fill, padding_mode=padding_mode)


def center_crop(img, output_size):
    """torchvision F.center_crop (pads with zeros when the crop is larger than the image)."""
    if isinstance(output_size, numbers.Number):
        output_size = (int(output_size), int(output_size))
    elif isinstance(output_size, (tuple, list)) and len(output_size) == 1:
        output_size = (output_size[0], output_size[0])
    _, image_height, image_width = get_dimensions(img)
    crop_height, crop_width = output_size
    if crop_width > image_width or crop_height > image_height:
        padding_ltrb = [
            (crop_width - image_width) // 2 if crop_width > image_width else 0,
            (crop_height - image_height) // 2 if crop_height > image_height else 0,
            (crop_width - image_width + 1) // 2 if crop_width > image_width else 0,
            (crop_height - image_height + 1) // 2 if crop_height > image_height else 0,
        ]
        img = pad(img, padding_ltrb, fill=0)
        _, image_height, image_width = get_dimensions(img)
        if crop_width == image_width and crop_height == image_height:
            return img
    crop_top = int(round((image_height - crop_height) / 2.0))
    crop_left = int(round((image_width - crop_width) / 2.0))
    return crop(img, crop_top, crop_left, crop_height, crop_width)


def _compute_resized_output_size(image_size, size, max_size=None) -> list[int]:
    if size is None or len(size) == 1:
        h, w = image_size
        short, long = (w, h) if w <= h else (h, w)
        if size is None:                      # only max_size: fit the longer edge
            new_short, new_long = int(max_size * short / long), max_size
        else:
            requested_new_short = size[0]
            new_short, new_long = requested_new_short, int(requested_new_short * long / short)
            if max_size is not None:
                if max_size <= requested_new_short:
                    raise ValueError(f"max_size = {max_size} must be strictly greater than the "
                                     f"requested size for the smaller edge size = {size}")
                if new_long > max_size:
                    new_short, new_long = int(max_size * new_short / new_long), max_size
        new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
    else:
        new_w, new_h = size[1], size[0]
    return [new_h, new_w]


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size: int | None = None,
           antialias: bool | None = True):
    """torchvision F.resize: an int size matches the smaller edge (aspect kept, max_size caps
    the longer one). PIL images use Image.resize; tensors use ember's own NumPy resampler
    (ATen's upsample weights, antialias as in F.interpolate(antialias=True))."""
    interpolation = _interpolation(interpolation)
    if isinstance(size, (list, tuple)):
        if len(size) not in [1, 2]:
            raise ValueError("Size must be an int or a 1 or 2 element tuple/list, not a "
                             f"{len(size)} element tuple/list")
        if max_size is not None and len(size) != 1:
            raise ValueError("max_size should only be passed if size specifies the length of "
                             "the smaller edge, i.e. size should be an int or a sequence of "
                             "length 1 in torchscript mode.")
    elif size is None:
        if max_size is None:
            raise ValueError("If size is None, then max_size must be a positive integer")
    elif not isinstance(size, int):
        raise TypeError(f"Size should be int or sequence. Got {type(size)}")
    _, image_height, image_width = get_dimensions(img)
    if isinstance(size, int):
        size = [size]
    output_size = _compute_resized_output_size((image_height, image_width), size, max_size)
    if [image_height, image_width] == output_size:
        return img
    if not isinstance(img, Tensor):
        if antialias is False:
            warnings.warn("Anti-alias option is always applied for PIL Image input. Argument "
                          "antialias is ignored.", stacklevel=2)
        return F_pil.resize(img, size=output_size,
                            interpolation=pil_modes_mapping[interpolation])
    return F_t.resize(img, size=output_size, interpolation=interpolation.value,
                      antialias=antialias)


def resized_crop(img, top: int, left: int, height: int, width: int, size,
                 interpolation=InterpolationMode.BILINEAR, antialias: bool | None = True):
    """torchvision F.resized_crop."""
    img = crop(img, top, left, height, width)
    return resize(img, size, interpolation, antialias=antialias)


def five_crop(img, size):
    """torchvision F.five_crop: (top-left, top-right, bottom-left, bottom-right, center)."""
    if isinstance(size, numbers.Number):
        size = (int(size), int(size))
    elif isinstance(size, (tuple, list)) and len(size) == 1:
        size = (size[0], size[0])
    if len(size) != 2:
        raise ValueError("Please provide only two dimensions (h, w) for size.")
    _, image_height, image_width = get_dimensions(img)
    crop_height, crop_width = size
    if crop_width > image_width or crop_height > image_height:
        raise ValueError(f"Requested crop size {size} is bigger than input size "
                         f"{(image_height, image_width)}")
    tl = crop(img, 0, 0, crop_height, crop_width)
    tr = crop(img, 0, image_width - crop_width, crop_height, crop_width)
    bl = crop(img, image_height - crop_height, 0, crop_height, crop_width)
    br = crop(img, image_height - crop_height, image_width - crop_width, crop_height, crop_width)
    center = center_crop(img, [crop_height, crop_width])
    return tl, tr, bl, br, center


def ten_crop(img, size, vertical_flip: bool = False):
    """torchvision F.ten_crop: five crops of the image and five of its flip."""
    if isinstance(size, numbers.Number):
        size = (int(size), int(size))
    elif isinstance(size, (tuple, list)) and len(size) == 1:
        size = (size[0], size[0])
    if len(size) != 2:
        raise ValueError("Please provide only two dimensions (h, w) for size.")
    first_five = five_crop(img, size)
    img = vflip(img) if vertical_flip else hflip(img)
    return first_five + five_crop(img, size)


def _get_inverse_affine_matrix(center, angle, translate, scale, shear) -> list[float]:
    # inverse of T * C * R * S * Sh * C^-1 (rotation/shear in degrees, y axis down)
    rot = math.radians(angle)
    sx, sy = math.radians(shear[0]), math.radians(shear[1])
    cx, cy = center
    tx, ty = translate
    a = math.cos(rot - sy) / math.cos(sy)
    b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    c = math.sin(rot - sy) / math.cos(sy)
    d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    matrix = [x / scale for x in [d, -b, 0.0, -c, a, 0.0]]
    matrix[2] += matrix[0] * (-cx - tx) + matrix[1] * (-cy - ty)
    matrix[5] += matrix[3] * (-cx - tx) + matrix[4] * (-cy - ty)
    matrix[2] += cx
    matrix[5] += cy
    return matrix


def _tensor_fill(fill, img: Tensor):
    if fill is None:
        return None
    if isinstance(fill, (int, float)):
        return [float(fill)] * get_dimensions(img)[0]
    return [float(f) for f in fill]


def rotate(img, angle: float, interpolation=InterpolationMode.NEAREST, expand: bool = False,
           center=None, fill=None):
    """torchvision F.rotate: counter-clockwise degrees about `center` (default image centre)."""
    interpolation = _interpolation(interpolation)
    if not isinstance(angle, (int, float)):
        raise TypeError("Argument angle should be int or float")
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError("Argument center should be a sequence")
    if not isinstance(img, Tensor):
        return F_pil.rotate(img, angle=angle, interpolation=pil_modes_mapping[interpolation],
                            expand=expand, center=center, fill=fill)
    _, height, width = get_dimensions(img)
    center_f = [0.0, 0.0]
    if center is not None:
        center_f = [1.0 * (c - s * 0.5) for c, s in zip(center, [width, height])]
    # the tensor path rotates the sampling grid, hence -angle
    matrix = _get_inverse_affine_matrix(center_f, -angle, [0.0, 0.0], 1.0, [0.0, 0.0])
    out_size = None
    if expand:
        ow, oh = F_t.affine_output_size(matrix, width, height)
        out_size = (oh, ow)
    return F_t.affine_warp(img, matrix, interpolation.value, _tensor_fill(fill, img), out_size)


def affine(img, angle: float, translate, scale: float, shear,
           interpolation=InterpolationMode.NEAREST, fill=None, center=None):
    """torchvision F.affine: rotation, translation, scale and shear about the centre."""
    interpolation = _interpolation(interpolation)
    if not isinstance(angle, (int, float)):
        raise TypeError("Argument angle should be int or float")
    if not isinstance(translate, (list, tuple)):
        raise TypeError("Argument translate should be a sequence")
    if len(translate) != 2:
        raise ValueError("Argument translate should be a sequence of length 2")
    if scale <= 0.0:
        raise ValueError("Argument scale should be positive")
    if not isinstance(shear, (numbers.Number, list, tuple)):
        raise TypeError("Shear should be either a single value or a sequence of two values")
    if isinstance(shear, numbers.Number):
        shear = [shear, 0.0]
    shear = list(shear)
    if len(shear) == 1:
        shear = [shear[0], shear[0]]
    if len(shear) != 2:
        raise ValueError(f"Shear should be a sequence containing two values. Got {shear}")
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError("Argument center should be a sequence")
    _, height, width = get_dimensions(img)
    if not isinstance(img, Tensor):
        # PIL's origin is the top-left corner; no half-pixel offset (matches torch.rot90)
        if center is None:
            center = [width * 0.5, height * 0.5]
        matrix = _get_inverse_affine_matrix(center, float(angle), list(translate), scale, shear)
        return F_pil.affine(img, matrix=matrix, interpolation=pil_modes_mapping[interpolation],
                            fill=fill)
    center_f = [0.0, 0.0]
    if center is not None:
        center_f = [1.0 * (c - s * 0.5) for c, s in zip(center, [width, height])]
    translate_f = [1.0 * t for t in translate]
    matrix = _get_inverse_affine_matrix(center_f, float(angle), translate_f, scale, shear)
    return F_t.affine_warp(img, matrix, interpolation.value, _tensor_fill(fill, img))


# ---- colour ------------------------------------------------------------------------------------
def rgb_to_grayscale(img, num_output_channels: int = 1):
    """torchvision F.rgb_to_grayscale (L = 0.2989 R + 0.587 G + 0.114 B for tensors;
    PIL's own convert('L') for PIL images)."""
    if isinstance(img, Tensor):
        return F_t.rgb_to_grayscale(img, num_output_channels)
    return F_pil.to_grayscale(img, num_output_channels)


to_grayscale = rgb_to_grayscale


def adjust_brightness(img, brightness_factor: float):
    """torchvision F.adjust_brightness."""
    if isinstance(img, Tensor):
        return F_t.adjust_brightness(img, brightness_factor)
    return F_pil.adjust_brightness(img, brightness_factor)


def adjust_contrast(img, contrast_factor: float):
    """torchvision F.adjust_contrast."""
    if isinstance(img, Tensor):
        return F_t.adjust_contrast(img, contrast_factor)
    return F_pil.adjust_contrast(img, contrast_factor)


def adjust_saturation(img, saturation_factor: float):
    """torchvision F.adjust_saturation."""
    if isinstance(img, Tensor):
        return F_t.adjust_saturation(img, saturation_factor)
    return F_pil.adjust_saturation(img, saturation_factor)


def adjust_hue(img, hue_factor: float):
    """torchvision F.adjust_hue."""
    if isinstance(img, Tensor):
        return F_t.adjust_hue(img, hue_factor)
    return F_pil.adjust_hue(img, hue_factor)


def invert(img):
    """torchvision F.invert: max_value - img."""
    if isinstance(img, Tensor):
        F_t._assert_channels(img, [1, 3])
        return F_t._max_value(img.dtype) - img
    from PIL import ImageOps
    return ImageOps.invert(img)


def _dispatch(name: str, img, *args):
    if isinstance(img, Tensor):
        return getattr(F_t, name)(img, *args)
    return getattr(F_pil, name)(img, *args)


def posterize(img, bits: int):
    """torchvision F.posterize: keep the `bits` high bits of each uint8 channel."""
    if not (0 <= bits <= 8):
        raise ValueError(f"The number if bits should be between 0 and 8. Got {bits}")
    return _dispatch("posterize", img, bits)


def solarize(img, threshold: float):
    """torchvision F.solarize: invert every pixel >= threshold."""
    return _dispatch("solarize", img, threshold)


def autocontrast(img):
    """torchvision F.autocontrast: stretch each channel to the full range."""
    return _dispatch("autocontrast", img)


def equalize(img):
    """torchvision F.equalize: histogram equalisation (uint8), PIL's lookup-table rule."""
    return _dispatch("equalize", img)


def adjust_sharpness(img, sharpness_factor: float):
    """torchvision F.adjust_sharpness: blend with PIL's SMOOTH-filtered image."""
    return _dispatch("adjust_sharpness", img, sharpness_factor)


def adjust_gamma(img, gamma: float, gain: float = 1.0):
    """torchvision F.adjust_gamma: gain * img ** gamma on [0, 1] values."""
    return _dispatch("adjust_gamma", img, gamma, gain)


def gaussian_blur(img, kernel_size, sigma=None):
    """torchvision F.gaussian_blur (reflect padding; PIL images go through a uint8 tensor)."""
    if not isinstance(kernel_size, (int, list, tuple)):
        raise TypeError(f"kernel_size should be int or a sequence of integers. Got "
                        f"{type(kernel_size)}")
    if isinstance(kernel_size, int):
        kernel_size = [kernel_size, kernel_size]
    if len(kernel_size) != 2:
        raise ValueError(f"If kernel_size is a sequence its length should be 2. Got "
                         f"{len(kernel_size)}")
    for ksize in kernel_size:
        if ksize % 2 == 0 or ksize < 0:
            raise ValueError(f"kernel_size should have odd and positive integers. Got "
                             f"{kernel_size}")
    if sigma is None:
        sigma = [ksize * 0.15 + 0.35 for ksize in kernel_size]
    if not isinstance(sigma, (int, float, list, tuple)):
        raise TypeError(f"sigma should be either float or sequence of floats. Got {type(sigma)}")
    if isinstance(sigma, (int, float)):
        sigma = [float(sigma), float(sigma)]
    if isinstance(sigma, (list, tuple)) and len(sigma) == 1:
        sigma = [sigma[0], sigma[0]]
    if len(sigma) != 2:
        raise ValueError(f"If sigma is a sequence, its length should be 2. Got {len(sigma)}")
    for s in sigma:
        if s <= 0.0:
            raise ValueError(f"sigma should have positive values. Got {sigma}")
    if isinstance(img, Tensor):
        return F_t.gaussian_blur(img, kernel_size, sigma)
    if not _is_pil_image(img):
        raise TypeError(f"img should be PIL Image or Tensor. Got {type(img)}")
    out = F_t.gaussian_blur(pil_to_tensor(img), kernel_size, sigma)
    return to_pil_image(out, mode=img.mode)


def erase(img: Tensor, i: int, j: int, h: int, w: int, v, inplace: bool = False) -> Tensor:
    """torchvision F.erase: set img[..., i:i+h, j:j+w] = v."""
    if not isinstance(img, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(img)}")
    if not inplace:
        img = img.clone()
    img[..., i:i + h, j:j + w] = v
    return img
