"""Cases run both by real torchvision (tests/data/make_torchvision_refs.py, once, to write
tests/data/torchvision_refs.npz) and by ember.vision (tests/test_vision_torchvision_refs.py).

Each case is `fn(tv, lib, x)`: tv is torchvision or ember.vision, lib is torch or ember, x holds
the NumPy inputs (stored in the .npz too). Outputs are PIL images, tensors, bytes or tuples of
them; `encode` turns them into arrays plus a description (kind, mode or dtype, shape)."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

H, W = 10, 13


def make_inputs() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(2024)
    return {
        "rgb": rng.integers(0, 256, (H, W, 3), dtype=np.uint8),
        "gray": rng.integers(0, 256, (H, W), dtype=np.uint8),
        "rgba": rng.integers(0, 256, (H, W, 4), dtype=np.uint8),
        "i32": rng.integers(-70000, 70000, (H, W)).astype(np.int32),
        "u16": rng.integers(0, 65536, (H, W)).astype(np.uint16),
        "f32img": (rng.random((H, W), dtype=np.float32) * 4 - 1),
        "chw": rng.random((3, H, W), dtype=np.float32),
        "chw1": rng.random((1, H, W), dtype=np.float32),
        "chw4": rng.random((4, H, W), dtype=np.float32),
        "batch": (rng.standard_normal((5, 3, 6, 7)) * 0.7).astype(np.float32),
        "batch1": rng.random((4, 1, 5, 6), dtype=np.float32),
    }


def _pil(a, mode=None):
    im = Image.fromarray(a)
    return im.convert(mode) if mode else im


def _t(lib, a):
    return lib.from_numpy(np.ascontiguousarray(a).copy())


def _u8t(lib, x):                  # the RGB image as a CHW uint8 tensor
    return _t(lib, x["rgb"].transpose(2, 0, 1))


def _png(tv, lib, x, **kw):
    buf = io.BytesIO()
    tv.utils.save_image(_t(lib, x["batch"]), buf, format="png", **kw)
    return buf.getvalue()


def _seeded(lib, seed, fn):
    lib.manual_seed(seed)
    return fn()


_I = ("nearest", "bilinear", "bicubic", "box", "hamming", "lanczos")


def _resize_pil(m):
    return lambda tv, lib, x: tv.transforms.functional.resize(
        _pil(x["rgb"]), [7, 17], interpolation=getattr(tv.transforms.InterpolationMode, m.upper()))


def _resize_tensor(m, aa):
    return lambda tv, lib, x: tv.transforms.functional.resize(
        _t(lib, x["chw"]), [6, 19], interpolation=getattr(tv.transforms.InterpolationMode,
                                                          m.upper()), antialias=aa)


def _pad(kind, m):
    if kind == "pil":
        fill = (10, 20, 30) if m == "constant" else 0
        return lambda tv, lib, x: tv.transforms.Pad((2, 1, 3, 4), fill=fill, padding_mode=m)(
            _pil(x["rgb"]))
    return lambda tv, lib, x: tv.transforms.Pad([3, 2], fill=0.5, padding_mode=m)(
        _t(lib, x["chw"]))


def _colour(fn, factor, kind):
    def case(tv, lib, x):
        img = (_pil(x["rgb"]) if kind == "pil" else _u8t(lib, x) if kind == "u8"
               else _t(lib, x["chw"]))
        return getattr(tv.transforms.functional, fn)(img, factor)
    return case

CASES = {
    # ---- conversions -----------------------------------------------------------------------
    "to_tensor_L": lambda tv, lib, x: tv.transforms.ToTensor()(_pil(x["gray"])),
    "to_tensor_LA": lambda tv, lib, x: tv.transforms.ToTensor()(_pil(x["rgba"], "LA")),
    "to_tensor_P": lambda tv, lib, x: tv.transforms.ToTensor()(_pil(x["rgb"]).quantize(9)),
    "to_tensor_RGB": lambda tv, lib, x: tv.transforms.ToTensor()(_pil(x["rgb"])),
    "to_tensor_RGBA": lambda tv, lib, x: tv.transforms.ToTensor()(_pil(x["rgba"])),
    "to_tensor_I": lambda tv, lib, x: tv.transforms.ToTensor()(Image.fromarray(x["i32"], "I")),
    "to_tensor_I16": lambda tv, lib, x: tv.transforms.ToTensor()(Image.fromarray(x["u16"])),
    "to_tensor_F": lambda tv, lib, x: tv.transforms.ToTensor()(Image.fromarray(x["f32img"])),
    "to_tensor_1": lambda tv, lib, x: tv.transforms.ToTensor()(_pil(x["gray"], "1")),
    "to_tensor_ndarray": lambda tv, lib, x: tv.transforms.ToTensor()(x["rgb"]),
    "to_tensor_ndarray_hw": lambda tv, lib, x: tv.transforms.ToTensor()(x["gray"]),
    "pil_to_tensor_RGBA": lambda tv, lib, x: tv.transforms.PILToTensor()(_pil(x["rgba"])),
    "pil_to_tensor_I16": lambda tv, lib, x: tv.transforms.PILToTensor()(
        Image.fromarray(x["u16"])),
    "to_pil_chw": lambda tv, lib, x: tv.transforms.ToPILImage()(_t(lib, x["chw"])),
    "to_pil_chw1": lambda tv, lib, x: tv.transforms.ToPILImage()(_t(lib, x["chw1"])),
    "to_pil_chw4": lambda tv, lib, x: tv.transforms.ToPILImage()(_t(lib, x["chw4"])),
    "to_pil_chw4_cmyk": lambda tv, lib, x: tv.transforms.ToPILImage("CMYK")(_t(lib, x["chw4"])),
    "to_pil_u8": lambda tv, lib, x: tv.transforms.ToPILImage()(_u8t(lib, x)),
    "to_pil_hwc_ndarray": lambda tv, lib, x: tv.transforms.ToPILImage()(x["rgb"]),
    "to_pil_int32": lambda tv, lib, x: tv.transforms.ToPILImage()(_t(lib, x["i32"][None])),
    "to_pil_float_hw1": lambda tv, lib, x: tv.transforms.ToPILImage()(
        x["f32img"][:, :, None]),
    "convert_u8_float": lambda tv, lib, x: tv.transforms.ConvertImageDtype(lib.float32)(
        _u8t(lib, x)),
    "convert_float_u8": lambda tv, lib, x: tv.transforms.ConvertImageDtype(lib.uint8)(
        _t(lib, x["chw"])),
    "convert_float_i32": lambda tv, lib, x: tv.transforms.functional.convert_image_dtype(
        _t(lib, x["chw"]), lib.int32),
    "convert_u8_i16": lambda tv, lib, x: tv.transforms.functional.convert_image_dtype(
        _u8t(lib, x), lib.int16),
    "convert_i32_u8": lambda tv, lib, x: tv.transforms.functional.convert_image_dtype(
        _t(lib, x["i32"][None]).abs(), lib.uint8),
    "normalize": lambda tv, lib, x: tv.transforms.Normalize((0.5, 0.4, 0.3), (0.2, 0.25, 0.3))(
        _t(lib, x["chw"])),
    "grayscale3_pil": lambda tv, lib, x: tv.transforms.Grayscale(3)(_pil(x["gray"])),
    "grayscale1_pil": lambda tv, lib, x: tv.transforms.Grayscale()(_pil(x["rgb"])),
    "grayscale_tensor": lambda tv, lib, x: tv.transforms.Grayscale(3)(_t(lib, x["chw"])),
    "grayscale_u8_tensor": lambda tv, lib, x: tv.transforms.Grayscale()(_u8t(lib, x)),
    # ---- geometry ----------------------------------------------------------------------------
    **{f"resize_pil_{m}": _resize_pil(m) for m in _I},
    "resize_pil_int": lambda tv, lib, x: tv.transforms.Resize(6)(_pil(x["rgb"])),
    "resize_pil_max_size": lambda tv, lib, x: tv.transforms.Resize(8, max_size=9)(
        _pil(x["gray"])),
    "resize_pil_none_max": lambda tv, lib, x: tv.transforms.Resize(None, max_size=7)(
        _pil(x["rgb"])),
    **{f"resize_tensor_{m}_{aa}": _resize_tensor(m, aa)
       for m in ("nearest", "nearest_exact", "bilinear", "bicubic") for aa in (True, False)},
    "resize_u8_tensor": lambda tv, lib, x: tv.transforms.Resize(7)(_u8t(lib, x)),
    "center_crop_pil": lambda tv, lib, x: tv.transforms.CenterCrop((5, 6))(_pil(x["rgb"])),
    "center_crop_pil_big": lambda tv, lib, x: tv.transforms.CenterCrop((13, 15))(
        _pil(x["rgb"])),
    "center_crop_tensor_big": lambda tv, lib, x: tv.transforms.CenterCrop(12)(
        _t(lib, x["chw"])),
    "crop_outside": lambda tv, lib, x: tv.transforms.functional.crop(_pil(x["gray"]), -2, 3, 6,
                                                                      12),
    "resized_crop": lambda tv, lib, x: tv.transforms.functional.resized_crop(
        _pil(x["rgb"]), 1, 2, 7, 8, [5, 5]),
    **{f"pad_{kind}_{m}": _pad(kind, m) for kind in ("pil", "tensor")
       for m in ("constant", "edge", "reflect", "symmetric")},
    "pad_pil_P": lambda tv, lib, x: tv.transforms.Pad(2, fill=3)(_pil(x["rgb"]).quantize(9)),
    "hflip_pil": lambda tv, lib, x: tv.transforms.functional.hflip(_pil(x["rgb"])),
    "vflip_tensor": lambda tv, lib, x: tv.transforms.functional.vflip(_t(lib, x["chw"])),
    "five_crop": lambda tv, lib, x: tv.transforms.FiveCrop(4)(_pil(x["rgb"])),
    "ten_crop_v": lambda tv, lib, x: tv.transforms.TenCrop((4, 5), vertical_flip=True)(
        _t(lib, x["chw"])),
    "rotate_pil": lambda tv, lib, x: tv.transforms.functional.rotate(_pil(x["rgb"]), 30),
    "rotate_pil_expand_bilinear": lambda tv, lib, x: tv.transforms.functional.rotate(
        _pil(x["rgb"]), -47.5, interpolation=tv.transforms.InterpolationMode.BILINEAR,
        expand=True, fill=(9, 99, 199)),
    "rotate_pil_center": lambda tv, lib, x: tv.transforms.functional.rotate(
        _pil(x["gray"]), 90, center=(2, 3)),
    "rotate_tensor": lambda tv, lib, x: tv.transforms.functional.rotate(_t(lib, x["chw"]), 33),
    "rotate_tensor_expand_bilinear": lambda tv, lib, x: tv.transforms.functional.rotate(
        _t(lib, x["chw"]), 120, interpolation=tv.transforms.InterpolationMode.BILINEAR,
        expand=True, fill=[0.1, 0.2, 0.3]),
    "rotate_u8_tensor": lambda tv, lib, x: tv.transforms.functional.rotate(_u8t(lib, x), 15),
    "affine_pil": lambda tv, lib, x: tv.transforms.functional.affine(
        _pil(x["rgb"]), 20, [1, -2], 1.2, [10, 5]),
    "affine_pil_bilinear": lambda tv, lib, x: tv.transforms.functional.affine(
        _pil(x["rgb"]), -35, [0, 1], 0.8, 12,
        interpolation=tv.transforms.InterpolationMode.BILINEAR, fill=7),
    "affine_tensor": lambda tv, lib, x: tv.transforms.functional.affine(
        _t(lib, x["chw"]), 20, [1, -2], 1.2, [10, 5]),
    "affine_tensor_bilinear": lambda tv, lib, x: tv.transforms.functional.affine(
        _t(lib, x["chw"]), -35, [0, 1], 0.8, 12,
        interpolation=tv.transforms.InterpolationMode.BILINEAR, fill=0.7),
    # ---- colour ------------------------------------------------------------------------------
    **{f"{fn}_{kind}": _colour(fn, f, kind)
       for fn, f in (("adjust_brightness", 1.3), ("adjust_contrast", 0.6),
                     ("adjust_saturation", 1.7), ("adjust_hue", 0.21), ("adjust_gamma", 0.8),
                     ("adjust_sharpness", 2.5))
       for kind in ("pil", "u8", "float")},
    "invert_pil": lambda tv, lib, x: tv.transforms.functional.invert(_pil(x["rgb"])),
    "invert_float": lambda tv, lib, x: tv.transforms.functional.invert(_t(lib, x["chw"])),
    "posterize_pil": lambda tv, lib, x: tv.transforms.functional.posterize(_pil(x["rgb"]), 3),
    "posterize_u8": lambda tv, lib, x: tv.transforms.functional.posterize(_u8t(lib, x), 3),
    "solarize_pil": lambda tv, lib, x: tv.transforms.functional.solarize(_pil(x["rgb"]), 100),
    "solarize_float": lambda tv, lib, x: tv.transforms.functional.solarize(_t(lib, x["chw"]),
                                                                            0.4),
    "autocontrast_pil": lambda tv, lib, x: tv.transforms.functional.autocontrast(
        _pil(x["rgb"])),
    "autocontrast_float": lambda tv, lib, x: tv.transforms.functional.autocontrast(
        _t(lib, x["chw"])),
    "equalize_pil": lambda tv, lib, x: tv.transforms.functional.equalize(_pil(x["rgb"])),
    "equalize_u8": lambda tv, lib, x: tv.transforms.functional.equalize(_u8t(lib, x)),
    "gaussian_blur_pil": lambda tv, lib, x: tv.transforms.functional.gaussian_blur(
        _pil(x["rgb"]), [5, 3], [1.5, 0.7]),
    "gaussian_blur_tensor": lambda tv, lib, x: tv.transforms.functional.gaussian_blur(
        _t(lib, x["chw"]), 5, 1.1),
    "gaussian_blur_u8": lambda tv, lib, x: tv.transforms.functional.gaussian_blur(
        _u8t(lib, x), [3, 5]),
    "erase": lambda tv, lib, x: tv.transforms.functional.erase(_t(lib, x["chw"]), 1, 2, 3, 4,
                                                               _t(lib, np.float32([0.5]))),
    "pipeline_rgb_gray_png": lambda tv, lib, x: tv.transforms.Compose([
        tv.transforms.Grayscale(num_output_channels=3), tv.transforms.Resize(8),
        tv.transforms.CenterCrop(8), tv.transforms.ToTensor(),
        tv.transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])(_pil(x["gray"])),
    # ---- random transforms under a seed ------------------------------------------------------
    "rand_crop": lambda tv, lib, x: _seeded(lib, 3, lambda: tv.transforms.RandomCrop(
        8, padding=2, pad_if_needed=True, padding_mode="reflect")(_pil(x["rgb"]))),
    "rand_resized_crop": lambda tv, lib, x: _seeded(lib, 4, lambda: tv.transforms
                                                    .RandomResizedCrop(6)(_pil(x["rgb"]))),
    "rand_hflip": lambda tv, lib, x: _seeded(lib, 5, lambda: [
        tv.transforms.RandomHorizontalFlip()(_t(lib, x["chw"]))[0, 0] for _ in range(4)]),
    "rand_color_jitter": lambda tv, lib, x: _seeded(lib, 6, lambda: tv.transforms.ColorJitter(
        0.4, 0.4, 0.4, 0.1)(_pil(x["rgb"]))),
    "rand_rotation": lambda tv, lib, x: _seeded(lib, 7, lambda: tv.transforms.RandomRotation(
        40)(_pil(x["rgb"]))),
    "rand_affine": lambda tv, lib, x: _seeded(lib, 8, lambda: tv.transforms.RandomAffine(
        25, translate=(0.1, 0.2), scale=(0.8, 1.1), shear=(-5, 5, -3, 3))(_t(lib, x["chw"]))),
    "rand_erasing": lambda tv, lib, x: _seeded(lib, 9, lambda: tv.transforms.RandomErasing(
        1.0, value="random")(_t(lib, x["chw"]))),
    "rand_gray": lambda tv, lib, x: _seeded(lib, 10, lambda: [tv.transforms.RandomGrayscale(
        0.5)(_pil(x["rgb"])) for _ in range(3)]),
    "rand_blur": lambda tv, lib, x: _seeded(lib, 11, lambda: tv.transforms.GaussianBlur(
        3, (0.1, 2.0))(_t(lib, x["chw"]))),
    "fakedata": lambda tv, lib, x: [tv.datasets.FakeData(4, (3, 6, 7), 5, random_offset=2)[i]
                                    for i in (1, 3)],
    "fakedata_gray": lambda tv, lib, x: tv.datasets.FakeData(2, (1, 5, 4), 3)[0],
    # ---- make_grid / save_image --------------------------------------------------------------
    "grid_default": lambda tv, lib, x: tv.utils.make_grid(_t(lib, x["batch"])),
    "grid_seed": lambda tv, lib, x: tv.utils.make_grid(_t(lib, x["batch"]), padding=10),
    "grid_norm": lambda tv, lib, x: tv.utils.make_grid(_t(lib, x["batch"]), nrow=2,
                                                       normalize=True, pad_value=0.3),
    "grid_range": lambda tv, lib, x: tv.utils.make_grid(_t(lib, x["batch"]), nrow=3, padding=1,
                                                        normalize=True, value_range=(-1, 0.5)),
    "grid_scale_each": lambda tv, lib, x: tv.utils.make_grid(_t(lib, x["batch"]),
                                                             normalize=True, scale_each=True),
    "grid_1ch": lambda tv, lib, x: tv.utils.make_grid(_t(lib, x["batch1"]), nrow=3),
    "grid_list": lambda tv, lib, x: tv.utils.make_grid(list(_t(lib, x["batch1"])), padding=0),
    "grid_single": lambda tv, lib, x: tv.utils.make_grid(_t(lib, x["batch"][0])),
    "grid_2d": lambda tv, lib, x: tv.utils.make_grid(_t(lib, x["batch"][0, 0])),
    "boxes": lambda tv, lib, x: tv.utils.draw_bounding_boxes(
        _u8t(lib, x), _t(lib, np.array([[1, 1, 8, 6], [3, 0, 12, 9], [0, 4, 4, 4]], np.float32)),
        colors=["red", (0, 255, 9), "#00f"], width=2),
    "boxes_fill_labels": lambda tv, lib, x: tv.utils.draw_bounding_boxes(
        _u8t(lib, x), _t(lib, np.array([[1, 1, 11, 8], [5, 2, 9, 9]], np.float32)),
        labels=["a", "b"], fill=True),
    "boxes_fill_labels_bg": lambda tv, lib, x: tv.utils.draw_bounding_boxes(
        _u8t(lib, x), _t(lib, np.array([[0, 0, 12, 9], [2, 3, 6, 8]], np.float32)),
        labels=["x", "yz"], fill_labels=True, label_background_colors=["green", (1, 2, 3)],
        label_colors="yellow", width=3),
    "boxes_gray_float": lambda tv, lib, x: tv.utils.draw_bounding_boxes(
        _t(lib, x["chw1"]), _t(lib, np.array([[2, 2, 10, 7]], np.int64)), colors="white"),
    "masks": lambda tv, lib, x: tv.utils.draw_segmentation_masks(
        _u8t(lib, x), _t(lib, np.stack([x["gray"] > 120, x["gray"] < 60, x["gray"] > 200])),
        alpha=0.6),
    "masks_float": lambda tv, lib, x: tv.utils.draw_segmentation_masks(
        _t(lib, x["chw"]), _t(lib, x["gray"] > 100), colors="blue"),
    "png_default": lambda tv, lib, x: _png(tv, lib, x),
    "png_seed": lambda tv, lib, x: _png(tv, lib, x, nrow=4, padding=10, normalize=True),
    "png_range": lambda tv, lib, x: _png(tv, lib, x, value_range=(-2, 2), normalize=True,
                                         pad_value=1.0),
    "png_scale_each": lambda tv, lib, x: _png(tv, lib, x, normalize=True, scale_each=True),
}


def encode(out):
    """(description, [arrays]) for an output: PIL images by mode and pixels, tensors by dtype and
    values (bfloat16 never occurs here), bytes as uint8, sequences element by element."""
    if isinstance(out, Image.Image):
        return f"pil:{out.mode}:{out.size}", [np.array(out)]
    if isinstance(out, int):
        return f"int:{out}", []
    if isinstance(out, (bytes, bytearray)):
        return "bytes", [np.frombuffer(bytes(out), np.uint8)]
    if isinstance(out, (list, tuple)):
        descs, arrays = [], []
        for o in out:
            d, a = encode(o)
            descs.append(d)
            arrays += a
        return "seq[" + ",".join(descs) + "]", arrays
    dtype = str(out.dtype).split(".")[-1]
    return f"tensor:{dtype}:{list(out.shape)}", [out.detach().numpy()]


def run(name, tv, lib, x):
    """encode(CASES[name](tv, lib, x)); an exception becomes ('error:<type>', [])."""
    try:
        out = CASES[name](tv, lib, x)
    except Exception as e:           # an error case: the type must match torchvision's
        return f"error:{type(e).__name__}", []
    return encode(out)
