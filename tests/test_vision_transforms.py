"""ember.vision.transforms. Oracles: NumPy computations of torchvision's documented rules
(ToTensor, ToPILImage, crops, pads), PIL's own operations (resize, enhance, rotate), torch's
F.interpolate / conv2d (tensor resize, blur) and torch's RNG drawing in torchvision's order."""

import math

import numpy as np
import pytest
import torch
from PIL import Image, ImageEnhance

import ember
from ember.vision import transforms as T
from ember.vision.transforms import InterpolationMode
from ember.vision.transforms import functional as F


def _u8(*shape, seed=0):
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


def _t(a):
    return ember.from_numpy(np.ascontiguousarray(a))


# ---- ToTensor / PILToTensor / ToPILImage -------------------------------------------------------
def _chw(a):
    return (a[:, :, None] if a.ndim == 2 else a).transpose(2, 0, 1)


@pytest.mark.parametrize("mode", ["L", "LA", "P", "RGB", "RGBA", "CMYK", "YCbCr"])
def test_to_tensor_uint8_modes(mode):
    rgb = Image.fromarray(_u8(5, 7, 3, seed=1))
    im = rgb.convert(mode) if mode != "P" else rgb.quantize(colors=16)
    got = F.to_tensor(im)
    want = _chw(np.array(im)).astype(np.float32) / np.float32(255)
    assert got.dtype == ember.float32 and got.shape == want.shape
    np.testing.assert_array_equal(got.numpy(), want)
    pil = F.pil_to_tensor(im)
    assert pil.dtype == ember.uint8
    np.testing.assert_array_equal(pil.numpy(), _chw(np.array(im)))


def test_to_tensor_wide_modes():
    a32 = np.random.default_rng(2).integers(-1000, 100000, (4, 6)).astype(np.int32)
    got = F.to_tensor(Image.fromarray(a32, mode="I"))
    assert got.dtype == ember.int32
    np.testing.assert_array_equal(got.numpy(), a32[None])
    f = np.random.default_rng(3).random((4, 6), dtype=np.float32) * 7 - 3
    got = F.to_tensor(Image.fromarray(f, mode="F"))
    assert got.dtype == ember.float32
    np.testing.assert_array_equal(got.numpy(), f[None])
    u16 = np.array([[0, 1, 40000], [65535, 300, 7]], dtype=np.uint16)
    got = F.to_tensor(Image.fromarray(u16))           # mode I;16 -> int16 (wraps, as torchvision)
    assert got.dtype == ember.int16
    np.testing.assert_array_equal(got.numpy(), u16.astype(np.int16)[None])
    bits = Image.fromarray(_u8(3, 5) > 128)           # mode '1' -> 0.0 / 1.0
    assert bits.mode == "1"
    np.testing.assert_array_equal(F.to_tensor(bits).numpy(),
                                  np.array(bits, dtype=np.float32)[None])


def test_to_tensor_ndarrays_and_errors():
    a = _u8(4, 5, 3)
    np.testing.assert_array_equal(T.ToTensor()(a).numpy(),
                                  a.transpose(2, 0, 1).astype(np.float32) / np.float32(255))
    np.testing.assert_array_equal(T.ToTensor()(a[:, :, 0]).numpy()[0],
                                  a[:, :, 0].astype(np.float32) / np.float32(255))
    f = np.random.default_rng(0).random((4, 5, 2))      # float64: no scaling, dtype kept
    got = T.ToTensor()(f)
    assert got.dtype == ember.float64
    np.testing.assert_array_equal(got.numpy(), f.transpose(2, 0, 1))
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray"):
        T.ToTensor()([1, 2])
    with pytest.raises(ValueError, match="negative"):          # as torch.from_numpy does
        T.ToTensor()(a[:, :, ::-1])
    np.testing.assert_array_equal(T.ToTensor()(a[:, :, ::-1].copy()).numpy(),
                                  T.ToTensor()(a).numpy()[::-1])
    with pytest.raises(ValueError, match="2/3 dimensional"):
        T.ToTensor()(np.zeros((1, 2, 3, 4), np.uint8))


@pytest.mark.parametrize("c,mode", [(1, "L"), (2, "LA"), (3, "RGB"), (4, "RGBA")])
def test_to_pil_image_float_mode_inference(c, mode):
    x = np.random.default_rng(c).random((c, 3, 4), dtype=np.float32)
    im = T.ToPILImage()(_t(x))
    assert im.mode == mode and im.size == (4, 3)
    # torchvision: pic.mul(255).byte() (truncation), then HWC
    want = (torch.from_numpy(x).mul(255).byte()).permute(1, 2, 0).numpy()
    got = np.array(im)
    np.testing.assert_array_equal(got.reshape(want.shape), want)


def test_to_pil_image_int_modes_and_errors():
    assert F.to_pil_image(_t(np.zeros((1, 2, 2), np.int32))).mode == "I"
    i16 = np.array([[[1, -2], [300, 7]]], np.int16)
    im = F.to_pil_image(_t(i16))
    assert im.mode == "I;16"
    np.testing.assert_array_equal(np.array(im).astype(np.int16), i16[0])
    assert F.to_pil_image(_t(np.ones((1, 2, 2), np.float32)), mode="F").mode == "F"
    assert F.to_pil_image(_u8(3, 3, 3), mode="HSV").mode == "HSV"
    assert F.to_pil_image(_u8(3, 3)).mode == "L"
    with pytest.raises(ValueError, match="Incorrect mode"):
        F.to_pil_image(_t(np.zeros((1, 2, 2), np.uint8)), mode="F")
    with pytest.raises(ValueError, match="Only modes"):
        F.to_pil_image(_u8(2, 2, 3), mode="RGBA")
    with pytest.raises(ValueError, match="> 4 channels"):
        F.to_pil_image(ember.zeros(5, 2, 2))
    with pytest.raises(TypeError, match="Input type int64 is not supported"):
        F.to_pil_image(np.zeros((2, 2, 3), np.int64))
    with pytest.raises(TypeError, match="pic should be Tensor or ndarray"):
        F.to_pil_image([1])


def test_round_trip_and_grad_tensor():
    a = _u8(6, 5, 3, seed=9)
    x = F.to_tensor(a).requires_grad_()
    np.testing.assert_array_equal(np.array(F.to_pil_image(x)), a)


# ---- Normalize / ConvertImageDtype -------------------------------------------------------------
def test_normalize_matches_torch():
    x = np.random.default_rng(4).random((2, 3, 4, 4), dtype=np.float32)
    mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
    want = torch.from_numpy(x).sub(torch.tensor(mean).view(-1, 1, 1)).div(
        torch.tensor(std).view(-1, 1, 1)).numpy()
    src = _t(x)
    got = T.Normalize(mean, std)(src)
    np.testing.assert_array_equal(got.numpy(), want)
    np.testing.assert_array_equal(src.numpy(), x)                  # not in place
    out = F.normalize(src, mean, std, inplace=True)
    assert out is src
    np.testing.assert_array_equal(src.numpy(), want)
    assert repr(T.Normalize(mean, std)) == f"Normalize(mean={mean}, std={std})"
    with pytest.raises(TypeError, match="float tensor"):
        F.normalize(ember.zeros(3, 2, 2, dtype=ember.uint8), [0.5], [0.5])
    with pytest.raises(ValueError, match="std evaluated to zero"):
        F.normalize(ember.zeros(3, 2, 2), [0.5], [0.0])
    with pytest.raises(ValueError, match=r"\(..., C, H, W\)"):
        F.normalize(ember.zeros(2, 2), [0.5], [0.5])


def test_convert_image_dtype():
    u = _t(np.array([[[0, 1, 128, 255]]], np.uint8))
    np.testing.assert_array_equal(F.convert_image_dtype(u, ember.float32).numpy(),
                                  np.array([[[0, 1, 128, 255]]], np.float32) / np.float32(255))
    f = _t(np.array([[[0.0, 0.5, 0.999, 1.0]]], np.float32))
    np.testing.assert_array_equal(F.convert_image_dtype(f, ember.uint8).numpy(),
                                  [[[0, 127, 255, 255]]])
    np.testing.assert_array_equal(F.convert_image_dtype(u, ember.int32).numpy(),
                                  np.array([[[0, 1, 128, 255]]]) * (2**31 // 256))
    with pytest.raises(RuntimeError, match="cannot be performed safely"):
        F.convert_image_dtype(f, ember.int32)


# ---- crops, flips, pads ------------------------------------------------------------------------
def test_flips_and_crops_tensor_and_pil():
    a = _u8(6, 8, 3, seed=5)
    im, x = Image.fromarray(a), _t(a.transpose(2, 0, 1))
    np.testing.assert_array_equal(np.array(F.hflip(im)), a[:, ::-1])
    np.testing.assert_array_equal(np.array(F.vflip(im)), a[::-1])
    np.testing.assert_array_equal(F.hflip(x).numpy(), a.transpose(2, 0, 1)[:, :, ::-1])
    np.testing.assert_array_equal(F.vflip(x).numpy(), a.transpose(2, 0, 1)[:, ::-1])
    np.testing.assert_array_equal(np.array(F.crop(im, 1, 2, 3, 4)), a[1:4, 2:6])
    np.testing.assert_array_equal(F.crop(x, 1, 2, 3, 4).numpy(), a[1:4, 2:6].transpose(2, 0, 1))
    # crops reaching outside are zero-filled, on both kinds
    want = np.zeros((4, 5, 3), np.uint8)
    want[2:, 1:] = a[:2, :4]
    np.testing.assert_array_equal(np.array(F.crop(im, -2, -1, 4, 5)), want)
    np.testing.assert_array_equal(F.crop(x, -2, -1, 4, 5).numpy(), want.transpose(2, 0, 1))
    # center crop: round((h - th) / 2) offsets; larger crops pad
    np.testing.assert_array_equal(np.array(T.CenterCrop((3, 5))(im)), a[2:5, 2:7])
    np.testing.assert_array_equal(T.CenterCrop(4)(x).numpy(), a[1:5, 2:6].transpose(2, 0, 1))
    big = T.CenterCrop((8, 9))(x).numpy()
    ref = np.zeros((3, 8, 9), np.uint8)
    ref[:, 1:7, 0:8] = a.transpose(2, 0, 1)
    np.testing.assert_array_equal(big, ref)
    np.testing.assert_array_equal(np.array(T.CenterCrop((8, 9))(im)), ref.transpose(1, 2, 0))


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric"])
@pytest.mark.parametrize("padding", [2, (1, 3), (1, 0, 2, 3)])
def test_pad_matches_numpy(mode, padding):
    a = _u8(5, 6, 3, seed=6)
    p = [padding] * 4 if isinstance(padding, int) else (
        [padding[0], padding[1]] * 2 if len(padding) == 2 else list(padding))
    left, top, right, bottom = p
    kw = {"constant_values": 7} if mode == "constant" else {}
    want = np.pad(a, ((top, bottom), (left, right), (0, 0)), mode=mode, **kw)
    got_pil = np.array(T.Pad(padding, fill=7, padding_mode=mode)(Image.fromarray(a)))
    np.testing.assert_array_equal(got_pil, want)
    got_t = T.Pad(padding, fill=7, padding_mode=mode)(_t(a.transpose(2, 0, 1)))
    np.testing.assert_array_equal(got_t.numpy(), want.transpose(2, 0, 1))


def test_pad_fill_rgb_and_errors():
    im = Image.fromarray(_u8(2, 2, 3))
    out = np.array(F.pad(im, 1, fill=(10, 20, 30)))
    assert (out[0, 0] == [10, 20, 30]).all()
    with pytest.raises(ValueError, match="does not match the number of channels"):
        F.pad(im, 1, fill=(1, 2))
    with pytest.raises(ValueError, match="Padding mode should be either"):
        T.Pad(1, padding_mode="wrap")
    with pytest.raises(ValueError, match="1, 2, or 4 element tuple"):
        T.Pad((1, 2, 3))


def test_five_and_ten_crop():
    a = _u8(6, 7, seed=7)
    x = _t(a[None])
    tl, tr, bl, br, c = T.FiveCrop((3, 4))(x)
    for got, ref in [(tl, a[:3, :4]), (tr, a[:3, 3:]), (bl, a[3:, :4]), (br, a[3:, 3:]),
                     (c, a[2:5, 2:6])]:
        np.testing.assert_array_equal(got.numpy()[0], ref)
    ten = T.TenCrop(3, vertical_flip=True)(Image.fromarray(a))
    assert len(ten) == 10
    np.testing.assert_array_equal(np.array(ten[5]), a[::-1][:3, :3])
    with pytest.raises(ValueError, match="bigger than input size"):
        F.five_crop(x, 9)


# ---- resize ------------------------------------------------------------------------------------
@pytest.mark.parametrize("size,max_size,want_hw", [
    (4, None, (4, 6)), ([3], None, (3, 4)), ((5, 2), None, (5, 2)), (4, 5, (3, 5))])
def test_resize_size_rules_pil(size, max_size, want_hw):
    a = _u8(8, 12, 3, seed=8)
    im = Image.fromarray(a)
    got = T.Resize(size, max_size=max_size)(im)
    assert got.size == want_hw[::-1]
    np.testing.assert_array_equal(np.array(got), np.array(im.resize(want_hw[::-1],
                                                                    Image.BILINEAR)))


def test_resize_pil_modes_and_errors():
    im = Image.fromarray(_u8(9, 6, 3))
    for mode, pil in [(InterpolationMode.NEAREST, Image.NEAREST),
                      (InterpolationMode.BICUBIC, Image.BICUBIC),
                      (InterpolationMode.LANCZOS, Image.LANCZOS)]:
        np.testing.assert_array_equal(np.array(F.resize(im, [4, 5], mode)),
                                      np.array(im.resize((5, 4), pil)))
    assert F.resize(im, 6) is im                     # already the requested size
    with pytest.raises(ValueError, match="max_size = 4 must be strictly greater"):
        F.resize(im, 4, max_size=4)
    with pytest.raises(ValueError, match="max_size should only be passed"):
        F.resize(im, [4, 4], max_size=10)
    with pytest.raises(TypeError, match="interpolation should be a InterpolationMode"):
        F.resize(im, 4, interpolation="bilinear")


@pytest.mark.parametrize("mode,antialias", [("bilinear", True), ("bilinear", False),
                                            ("bicubic", True), ("bicubic", False),
                                            ("nearest", False), ("nearest-exact", False)])
@pytest.mark.parametrize("out_hw", [(4, 5), (13, 7)])
def test_resize_tensor_matches_torch_interpolate(mode, antialias, out_hw):
    x = np.random.default_rng(1).random((2, 3, 9, 6), dtype=np.float32)
    got = F.resize(_t(x), list(out_hw), InterpolationMode(mode), antialias=antialias)
    kw = {} if "nearest" in mode else {"align_corners": False, "antialias": antialias}
    want = torch.nn.functional.interpolate(torch.from_numpy(x), size=out_hw, mode=mode, **kw)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=2e-6)
    # uint8: torchvision interpolates in float32, rounds, casts back
    u = _u8(3, 9, 6, seed=2)
    got = F.resize(_t(u), list(out_hw), InterpolationMode(mode), antialias=antialias)
    w = torch.nn.functional.interpolate(torch.from_numpy(u).float()[None], size=out_hw,
                                        mode=mode, **kw)[0]
    if mode == "bicubic":
        w = w.clamp(0, 255)
    assert got.dtype == ember.uint8
    assert np.abs(got.numpy().astype(int) - w.round().to(torch.uint8).numpy()).max() <= 1


# ---- colour ------------------------------------------------------------------------------------
def test_color_adjust_pil_matches_imageenhance():
    im = Image.fromarray(_u8(5, 6, 3, seed=10))
    for fn, enh in [(F.adjust_brightness, ImageEnhance.Brightness),
                    (F.adjust_contrast, ImageEnhance.Contrast),
                    (F.adjust_saturation, ImageEnhance.Color)]:
        np.testing.assert_array_equal(np.array(fn(im, 1.3)), np.array(enh(im).enhance(1.3)))
    h, s, v = im.convert("HSV").split()
    hh = (np.array(h).astype(np.int32) + int(0.2 * 255)) % 256
    want = Image.merge("HSV", (Image.fromarray(hh.astype(np.uint8), "L"), s, v)).convert("RGB")
    np.testing.assert_array_equal(np.array(F.adjust_hue(im, 0.2)), np.array(want))


def test_color_adjust_tensor():
    x = np.random.default_rng(11).random((3, 4, 5), dtype=np.float32)
    np.testing.assert_allclose(F.adjust_brightness(_t(x), 1.5).numpy(),
                               np.clip(x * 1.5, 0, 1), rtol=1e-6)
    gray = (0.2989 * x[0] + 0.587 * x[1] + 0.114 * x[2]).astype(np.float32)
    np.testing.assert_allclose(F.rgb_to_grayscale(_t(x)).numpy()[0], gray, rtol=1e-6)
    m = gray.mean()
    np.testing.assert_allclose(F.adjust_contrast(_t(x), 0.7).numpy(),
                               np.clip(0.7 * x + 0.3 * m, 0, 1), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(F.adjust_saturation(_t(x), 0.0).numpy(),
                               np.broadcast_to(gray, x.shape), rtol=1e-5, atol=1e-6)
    # hue: a full turn (and a zero turn) leaves colours unchanged
    np.testing.assert_allclose(F.adjust_hue(_t(x), 0.0).numpy(), x, atol=1e-5)
    red = _t(np.array([1.0, 0.0, 0.0], np.float32).reshape(3, 1, 1))
    np.testing.assert_allclose(F.adjust_hue(red, 1 / 3).numpy().ravel(), [0, 1, 0], atol=1e-5)


def test_grayscale_pitfall_one_channel_png(tmp_path):
    # the seed's bug: a grayscale PNG through an RGB pipeline gives a 1-channel tensor
    path = tmp_path / "gray.png"
    Image.fromarray(_u8(6, 6, seed=12)).save(path)
    im = Image.open(path)
    assert T.ToTensor()(im).shape == (1, 6, 6)
    conv = ember.nn.Conv2d(3, 2, 3)                     # a model built for RGB input
    with pytest.raises(RuntimeError, match=r"expected input\[1, 1, 6, 6\] to have 3 channels, "
                                           r"but got 1 channels instead"):
        conv(T.ToTensor()(im).unsqueeze(0))
    fixed = T.Compose([T.Grayscale(num_output_channels=3), T.ToTensor()])(im)
    assert fixed.shape == (3, 6, 6)
    assert (fixed[0] == fixed[1]).all() and (fixed[1] == fixed[2]).all()
    np.testing.assert_array_equal(T.ToTensor()(im.convert("RGB")).numpy(), fixed.numpy())
    np.testing.assert_array_equal(fixed.numpy()[0], T.ToTensor()(im).numpy()[0])
    t3 = F.rgb_to_grayscale(T.ToTensor()(Image.fromarray(_u8(4, 4, 3))), 3)
    assert t3.shape == (3, 4, 4)
    assert conv(fixed.unsqueeze(0)).shape == (1, 2, 4, 4)


def test_gaussian_blur_tensor_matches_torch_conv():
    x = np.random.default_rng(13).random((3, 7, 8), dtype=np.float32)
    got = F.gaussian_blur(_t(x), [5, 3], [1.2, 0.7])
    ks, sig = [5, 3], [1.2, 0.7]
    k1 = []
    for k, s in zip(ks, sig):
        t = torch.linspace(-(k - 1) * 0.5, (k - 1) * 0.5, steps=k)
        pdf = torch.exp(-0.5 * (t / s).pow(2))
        k1.append(pdf / pdf.sum())
    k2 = torch.mm(k1[1][:, None], k1[0][None, :]).expand(3, 1, 3, 5)
    xp = torch.nn.functional.pad(torch.from_numpy(x)[None], [2, 2, 1, 1], mode="reflect")
    want = torch.nn.functional.conv2d(xp, k2, groups=3)[0]
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="odd and positive"):
        F.gaussian_blur(_t(x), 4)


# ---- rotation / affine -------------------------------------------------------------------------
def test_rotate_pil_and_tensor():
    a = _u8(5, 5, 3, seed=14)
    im = Image.fromarray(a)
    np.testing.assert_array_equal(np.array(F.rotate(im, 30.0)),
                                  np.array(im.rotate(30.0, Image.NEAREST)))
    np.testing.assert_array_equal(np.array(F.rotate(im, 90)), np.rot90(a))
    x = _t(a.transpose(2, 0, 1))
    np.testing.assert_array_equal(F.rotate(x, 90).numpy(),
                                  np.rot90(a.transpose(2, 0, 1), axes=(1, 2)))
    r = F.rotate(_t(_u8(1, 4, 6)), 90, expand=True)
    assert r.shape == (1, 6, 4)
    f = F.rotate(ember.ones(1, 6, 6), 45.0, fill=[0.5])
    assert f[0, 0, 0].item() == 0.5 and f[0, 3, 3].item() == 1.0
    np.testing.assert_array_equal(
        np.array(F.affine(im, 0.0, [1, 0], 1.0, 0.0)),
        np.array(im.transform(im.size, Image.AFFINE, [1, 0, -1, 0, 1, 0], Image.NEAREST)))
    sh = F.affine(x, 0.0, [1, 2], 1.0, [0.0, 0.0])
    want = np.zeros_like(a.transpose(2, 0, 1))
    want[:, 2:, 1:] = a.transpose(2, 0, 1)[:, :-2, :-1]
    np.testing.assert_array_equal(sh.numpy(), want)


# ---- seeded random transforms: the same draws torch makes --------------------------------------
def test_random_flips_follow_torch_rng():
    x = _t(_u8(1, 2, 3))
    ember.manual_seed(3)
    got = [bool((T.RandomHorizontalFlip(0.5)(x) != x).any()) for _ in range(20)]
    torch.manual_seed(3)
    assert got == [bool(torch.rand(1) < 0.5) for _ in range(20)]
    ember.manual_seed(4)
    got = [bool((T.RandomVerticalFlip(0.3)(x[:, ::1]) != x).any()) for _ in range(10)]
    torch.manual_seed(4)
    assert got == [bool(torch.rand(1) < 0.3) for _ in range(10)]


def test_random_crop_follows_torch_rng():
    a = _u8(1, 10, 12, seed=15)
    ember.manual_seed(5)
    outs = [T.RandomCrop((4, 5))(_t(a)).numpy() for _ in range(6)]
    torch.manual_seed(5)
    for out in outs:
        i = torch.randint(0, 10 - 4 + 1, size=(1,)).item()
        j = torch.randint(0, 12 - 5 + 1, size=(1,)).item()
        np.testing.assert_array_equal(out, a[:, i:i + 4, j:j + 5])
    # padding + pad_if_needed on PIL
    ember.manual_seed(6)
    im = T.RandomCrop(8, padding=1, pad_if_needed=True, fill=9)(Image.fromarray(a[0, :5, :6]))
    assert im.size == (8, 8)


def test_random_resized_crop_params_follow_torch_rng():
    def torch_params(h, w, scale=(0.08, 1.0), ratio=(3 / 4, 4 / 3)):
        area = h * w
        log_ratio = torch.log(torch.tensor(ratio))
        for _ in range(10):
            target_area = area * torch.empty(1).uniform_(scale[0], scale[1]).item()
            ar = torch.exp(torch.empty(1).uniform_(log_ratio[0], log_ratio[1])).item()
            cw = int(round(math.sqrt(target_area * ar)))
            ch = int(round(math.sqrt(target_area / ar)))
            if 0 < cw <= w and 0 < ch <= h:
                i = torch.randint(0, h - ch + 1, size=(1,)).item()
                j = torch.randint(0, w - cw + 1, size=(1,)).item()
                return i, j, ch, cw
        return None

    img = _t(_u8(3, 20, 30))
    ember.manual_seed(7)
    got = [T.RandomResizedCrop.get_params(img, (0.08, 1.0), (3 / 4, 4 / 3)) for _ in range(15)]
    torch.manual_seed(7)
    assert got == [torch_params(20, 30) for _ in range(15)]
    ember.manual_seed(8)
    out = T.RandomResizedCrop(6)(img)
    assert out.shape == (3, 6, 6)


def test_color_jitter_params_and_rotation_follow_torch_rng():
    ember.manual_seed(9)
    cj = T.ColorJitter(brightness=0.4, contrast=(0.5, 1.5), saturation=0.2, hue=0.1)
    got = cj.get_params(cj.brightness, cj.contrast, cj.saturation, cj.hue)
    torch.manual_seed(9)
    perm = torch.randperm(4).tolist()
    vals = [float(torch.empty(1).uniform_(lo, hi)) for lo, hi in
            [(0.6, 1.4), (0.5, 1.5), (0.8, 1.2), (-0.1, 0.1)]]
    assert got[0].tolist() == perm and list(got[1:]) == vals
    assert T.ColorJitter().brightness is None
    ember.manual_seed(10)
    angles = [T.RandomRotation.get_params([-30.0, 45.0]) for _ in range(5)]
    sigmas = [T.GaussianBlur.get_params(0.1, 2.0) for _ in range(3)]
    torch.manual_seed(10)
    assert angles == [float(torch.empty(1).uniform_(-30.0, 45.0).item()) for _ in range(5)]
    assert sigmas == [torch.empty(1).uniform_(0.1, 2.0).item() for _ in range(3)]
    ember.manual_seed(11)
    got = T.RandomAffine.get_params([-10.0, 10.0], (0.1, 0.2), (0.9, 1.1), [-5.0, 5.0, -3.0, 3.0],
                                    [30, 20])
    torch.manual_seed(11)
    u = [torch.empty(1).uniform_(lo, hi).item() for lo, hi in
         [(-10.0, 10.0), (-3.0, 3.0), (-4.0, 4.0), (0.9, 1.1), (-5.0, 5.0), (-3.0, 3.0)]]
    assert got == (u[0], (int(round(u[1])), int(round(u[2]))), u[3], (u[4], u[5]))


def test_random_erasing_follows_torch_rng():
    x = ember.ones(3, 10, 10)
    ember.manual_seed(12)
    out = T.RandomErasing(p=1.0, value=0.0)(x)
    torch.manual_seed(12)
    assert torch.rand(1) < 1.0
    log_ratio = torch.log(torch.tensor((0.3, 3.3)))
    for _ in range(10):
        erase_area = 100 * torch.empty(1).uniform_(0.02, 0.33).item()
        ar = torch.exp(torch.empty(1).uniform_(log_ratio[0], log_ratio[1])).item()
        h, w = int(round(math.sqrt(erase_area * ar))), int(round(math.sqrt(erase_area / ar)))
        if h < 10 and w < 10:
            i = torch.randint(0, 10 - h + 1, size=(1,)).item()
            j = torch.randint(0, 10 - w + 1, size=(1,)).item()
            break
    want = np.ones((3, 10, 10), np.float32)
    want[:, i:i + h, j:j + w] = 0
    np.testing.assert_array_equal(out.numpy(), want)
    assert x.numpy().min() == 1.0


def test_random_apply_grayscale_and_compose():
    x = _t(_u8(3, 4, 4, seed=16))
    ember.manual_seed(13)
    got = [bool((T.RandomApply([T.RandomHorizontalFlip(1.0)], p=0.4)(x) != x).any())
           for _ in range(8)]
    torch.manual_seed(13)
    want = []
    for _ in range(8):
        applied = not (0.4 < torch.rand(1))
        if applied:
            torch.rand(1)                    # the inner flip draws too (p=1.0 still draws)
        want.append(applied)
    assert got == want
    ember.manual_seed(14)
    g = [T.RandomGrayscale(0.5)(x).shape[0] for _ in range(4)]
    assert g == [3, 3, 3, 3]
    pipe = T.Compose([T.Lambda(lambda t: t.float() / 255), T.Normalize([0.5] * 3, [0.5] * 3)])
    np.testing.assert_allclose(pipe(x).numpy(), (x.numpy() / 255 - 0.5) / 0.5, rtol=1e-6)
    assert repr(T.Compose([T.ToTensor(), T.RandomHorizontalFlip()])) == (
        "Compose(\n    ToTensor()\n    RandomHorizontalFlip(p=0.5)\n)")
    assert repr(T.Resize(4)) == "Resize(size=4, interpolation=bilinear, max_size=None, " \
                                "antialias=True)"
    with pytest.raises(TypeError, match="should be callable"):
        T.Lambda(3)
    with pytest.raises(ValueError, match="Length of p"):
        T.RandomChoice([T.ToTensor()], p=[0.5, 0.5])


def test_bgr_rgb_helpers():
    from ember.vision import io as vio
    bgr = _u8(3, 4, 3, seed=17)
    rgb = F.bgr_to_rgb(bgr)
    np.testing.assert_array_equal(rgb, bgr[:, :, ::-1])
    np.testing.assert_array_equal(F.rgb_to_bgr(rgb), bgr)
    chw = _t(bgr.transpose(2, 0, 1))
    np.testing.assert_array_equal(F.bgr_to_rgb(chw).numpy(), bgr[:, :, ::-1].transpose(2, 0, 1))
    t = vio.from_cv2(bgr)
    np.testing.assert_array_equal(t.numpy(), F.to_tensor(bgr[:, :, ::-1].copy()).numpy())
    np.testing.assert_array_equal(vio.to_cv2(t), bgr)
    np.testing.assert_array_equal(vio.to_numpy_image(t.requires_grad_()),
                                  t.detach().numpy().transpose(1, 2, 0))
    np.testing.assert_array_equal(vio.from_numpy_image(bgr).numpy(), bgr.transpose(2, 0, 1))
    with pytest.raises(ValueError, match="expected an"):
        F.bgr_to_rgb(np.zeros((2, 2)))


def test_io_png_round_trip(tmp_path):
    from ember.vision import io as vio
    x = _t(_u8(3, 5, 6, seed=18))
    p = tmp_path / "x.png"
    vio.write_png(x, str(p))
    np.testing.assert_array_equal(vio.read_image(str(p)).numpy(), x.numpy())
    g = vio.read_image(str(p), vio.ImageReadMode.GRAY)
    assert g.shape == (1, 5, 6)
    np.testing.assert_array_equal(g.numpy()[0], np.array(Image.open(p).convert("L")))
    data = vio.encode_png(x)
    np.testing.assert_array_equal(vio.decode_image(data).numpy(), x.numpy())


def _torch_grid_warp(x, theta, mode, fill, oh, ow):
    # torchvision's tensor rotate/affine, written with torch ops: a pixel-centre grid through
    # theta, grid_sample(zeros padding, align_corners=False), then the fill mask
    n, c, h, w = x.shape
    base = torch.empty(1, oh, ow, 3)
    base[..., 0].copy_(torch.linspace(-ow * 0.5 + 0.5, ow * 0.5 - 0.5, steps=ow))
    base[..., 1].copy_(torch.linspace(-oh * 0.5 + 0.5, oh * 0.5 - 0.5, steps=oh)[:, None])
    base[..., 2].fill_(1)
    th = torch.tensor(theta, dtype=torch.float32).reshape(1, 2, 3)
    grid = base.view(1, oh * ow, 3).bmm(th.transpose(1, 2) / torch.tensor([0.5 * w, 0.5 * h]))
    img = torch.cat((x, torch.ones(n, 1, h, w)), dim=1)
    img = torch.nn.functional.grid_sample(img, grid.view(1, oh, ow, 2), mode=mode,
                                          padding_mode="zeros", align_corners=False)
    mask, img = img[:, -1:].expand(n, c, oh, ow), img[:, :-1]
    fill_img = torch.tensor(fill).view(1, -1, 1, 1).expand_as(img)
    if mode == "nearest":
        img = torch.where(mask < 0.5, fill_img, img)
    else:
        img = img * mask + (1.0 - mask) * fill_img
    return img


@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
@pytest.mark.parametrize("angle,expand", [(30.0, False), (-17.0, True), (90.0, False)])
def test_rotate_tensor_matches_grid_sample(mode, angle, expand):
    x = np.random.default_rng(19).random((1, 2, 7, 9), dtype=np.float32)
    fill = [0.25, 0.75]
    got = F.rotate(_t(x), angle, InterpolationMode(mode), expand=expand, fill=fill)
    theta = F._get_inverse_affine_matrix([0.0, 0.0], -angle, [0.0, 0.0], 1.0, [0.0, 0.0])
    ow, oh = (9, 7)
    if expand:
        ow, oh = got.shape[-1], got.shape[-2]
        assert (ow, oh) == Image.new("L", (9, 7)).rotate(angle, expand=True).size
    want = _torch_grid_warp(torch.from_numpy(x), theta, mode, fill, oh, ow)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-5)
    theta = F._get_inverse_affine_matrix([0.0, 0.0], 12.0, [1.0, -2.0], 1.1, [5.0, 3.0])
    got = F.affine(_t(x), 12.0, [1, -2], 1.1, [5.0, 3.0], InterpolationMode(mode), fill=fill)
    want = _torch_grid_warp(torch.from_numpy(x), theta, mode, fill, 7, 9)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-5)


def test_random_choice_and_order_use_python_random():
    import random
    calls = []
    ts = [T.Lambda(lambda x, k=k: calls.append(k) or x) for k in range(4)]
    random.seed(21)
    for _ in range(5):
        T.RandomChoice(ts, p=[0.1, 0.2, 0.3, 0.4])(0)
    T.RandomOrder(ts)(0)
    random.seed(21)
    want = [random.choices(range(4), weights=[0.1, 0.2, 0.3, 0.4])[0] for _ in range(5)]
    order = list(range(4))
    random.shuffle(order)
    assert calls == want + order


def test_adjust_hue_uint8_tensor_follows_torchvision_recipe():
    u = _u8(3, 4, 5, seed=22)
    got = F.adjust_hue(_t(u), -0.2)
    # float path, then convert_image_dtype(float -> uint8): x * 255.999, truncated
    back = F.adjust_hue(_t(u.astype(np.float32) / np.float32(255)), -0.2).numpy()
    np.testing.assert_array_equal(got.numpy(), (back * np.float32(255.999)).astype(np.uint8))
    assert got.dtype == ember.uint8


def _torch_adjust_hue(img, hue_factor):
    # torchvision's tensor hue shift (RGB -> HSV, rotate h, HSV -> RGB) in torch ops
    r, g, b = img.unbind(dim=-3)
    maxc, minc = img.max(dim=-3).values, img.min(dim=-3).values
    eqc, cr, ones = maxc == minc, maxc - minc, torch.ones_like(maxc)
    s = cr / torch.where(eqc, ones, maxc)
    crd = torch.where(eqc, ones, cr)
    rc, gc, bc = (maxc - r) / crd, (maxc - g) / crd, (maxc - b) / crd
    h = ((maxc == r) * (bc - gc) + ((maxc == g) & (maxc != r)) * (2.0 + rc - bc)
         + ((maxc != g) & (maxc != r)) * (4.0 + gc - rc))
    h = (torch.fmod(h / 6.0 + 1.0, 1.0) + hue_factor) % 1.0
    v = maxc
    i = torch.floor(h * 6.0)
    f = h * 6.0 - i
    i = i.to(torch.int32) % 6
    p = torch.clamp(v * (1.0 - s), 0.0, 1.0)
    q = torch.clamp(v * (1.0 - s * f), 0.0, 1.0)
    t = torch.clamp(v * (1.0 - s * (1.0 - f)), 0.0, 1.0)
    mask = (i.unsqueeze(-3) == torch.arange(6).view(-1, 1, 1)).to(img.dtype)
    a4 = torch.stack((torch.stack((v, q, p, p, t, v), -3), torch.stack((t, v, v, q, p, p), -3),
                      torch.stack((p, p, t, v, v, q), -3)), -4)
    return torch.einsum("...ijk, ...xijk -> ...xjk", mask, a4)


@pytest.mark.parametrize("hue", [-0.45, -0.1, 0.25, 0.5])
def test_adjust_hue_tensor_matches_torch_recipe(hue):
    x = np.random.default_rng(23).random((2, 3, 5, 6), dtype=np.float32)
    x[0, :, 0, 0] = 0.5                                      # a grey pixel (max == min)
    got = F.adjust_hue(_t(x), hue)
    want = _torch_adjust_hue(torch.from_numpy(x), hue)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-6)


def test_point_ops_pil_and_tensor():
    from PIL import ImageOps
    a = _u8(6, 7, 3, seed=24)
    im, x = Image.fromarray(a), _t(a.transpose(2, 0, 1))
    chw = a.transpose(2, 0, 1)
    for fn, ref in [(lambda i: F.posterize(i, 3), lambda i: ImageOps.posterize(i, 3)),
                    (lambda i: F.solarize(i, 100), lambda i: ImageOps.solarize(i, 100)),
                    (F.equalize, ImageOps.equalize)]:
        want = np.array(ref(im))
        np.testing.assert_array_equal(np.array(fn(im)), want)          # PIL path: PIL itself
        np.testing.assert_array_equal(fn(x).numpy(), want.transpose(2, 0, 1))   # tensor path
    np.testing.assert_array_equal(np.array(F.autocontrast(im)), np.array(ImageOps.autocontrast(im)))
    np.testing.assert_array_equal(np.array(F.adjust_sharpness(im, 2.0)),
                                  np.array(ImageEnhance.Sharpness(im).enhance(2.0)))
    # tensor autocontrast: per-channel (x - min) * 255 / (max - min), truncated
    lo, hi = chw.min(axis=(1, 2), keepdims=True), chw.max(axis=(1, 2), keepdims=True)
    want = ((chw.astype(np.float32) - lo) * (np.float32(255) / (hi - lo).astype(np.float32)))
    np.testing.assert_array_equal(F.autocontrast(x).numpy(), np.clip(want, 0, 255).astype(np.uint8))
    # tensor sharpness: at most one step off PIL's integer blend
    diff = F.adjust_sharpness(x, 2.0).numpy().astype(int) - np.array(
        ImageEnhance.Sharpness(im).enhance(2.0)).transpose(2, 0, 1)
    assert np.abs(diff).max() <= 1
    g = F.adjust_gamma(x, 0.5).numpy().astype(int) - np.array(F.adjust_gamma(im, 0.5)).transpose(
        2, 0, 1)
    assert np.abs(g).max() <= 1
    with pytest.raises(TypeError, match="Only torch.uint8"):
        F.posterize(x.float(), 2)
    with pytest.raises(ValueError, match="between 0 and 8"):
        F.posterize(x, 9)


def test_random_point_transforms_draw_like_torch():
    x = _t(_u8(3, 5, 5, seed=25))
    ember.manual_seed(26)
    got = [bool((T.RandomInvert(0.5)(x) != x).any()) for _ in range(10)]
    torch.manual_seed(26)
    assert got == [torch.rand(1).item() < 0.5 for _ in range(10)]
    assert repr(T.RandomPosterize(2)) == "RandomPosterize(bits=2,p=0.5)"
    assert repr(T.RandomEqualize()) == "RandomEqualize(p=0.5)"
    assert T.RandomSolarize(0, p=1.0)(x).tolist() == (255 - x).tolist()


def test_random_erasing_random_value_matches_torch():
    ember.manual_seed(27)
    out = T.RandomErasing(p=1.0, value="random")(ember.zeros(3, 12, 12))
    torch.manual_seed(27)
    tout = torch.zeros(3, 12, 12)
    torch.rand(1)
    log_ratio = torch.log(torch.tensor((0.3, 3.3)))
    for _ in range(10):
        area = 144 * torch.empty(1).uniform_(0.02, 0.33).item()
        ar = torch.exp(torch.empty(1).uniform_(log_ratio[0], log_ratio[1])).item()
        h, w = int(round(math.sqrt(area * ar))), int(round(math.sqrt(area / ar)))
        if h < 12 and w < 12:
            v = torch.empty([3, h, w], dtype=torch.float32).normal_()
            i = torch.randint(0, 12 - h + 1, size=(1,)).item()
            j = torch.randint(0, 12 - w + 1, size=(1,)).item()
            tout[..., i:i + h, j:j + w] = v
            break
    np.testing.assert_array_equal(out.numpy(), tout.numpy())
