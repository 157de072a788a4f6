"""Tensor-image kernels behind ember.vision.transforms.functional (torchvision's
functional_tensor): images are (..., C, H, W) ember Tensors; geometry runs in NumPy."""

from __future__ import annotations

import numpy as np

import ember

from ..._tensor import Tensor

_INT_MAX = {"uint8": 255, "int8": 127, "int16": 32767, "int32": 2**31 - 1, "int64": 2**63 - 1}


def _is_tensor_a_torch_image(x) -> bool:
    return isinstance(x, Tensor) and x.ndim >= 2


def _assert_image_tensor(img) -> None:
    if not _is_tensor_a_torch_image(img):
        raise TypeError("Tensor is not a torch image.")


def get_dimensions(img: Tensor) -> list[int]:
    _assert_image_tensor(img)
    channels = 1 if img.ndim == 2 else img.shape[-3]
    return [channels, img.shape[-2], img.shape[-1]]


def _assert_channels(img: Tensor, permitted: list[int]) -> None:
    c = get_dimensions(img)[0]
    if c not in permitted:
        raise TypeError(
            f"Input image tensor permitted channel values are {permitted}, but found {c}")


def _max_value(dtype) -> float:
    if dtype.is_floating_point:
        return 1.0
    return _INT_MAX.get(str(dtype).split(".")[-1], 1)


def _np(img: Tensor) -> np.ndarray:
    """A host NumPy view of an image tensor (detached; copied off the GPU)."""
    return img.detach().cpu().numpy()


def _back(arr: np.ndarray, like: Tensor) -> Tensor:
    out = ember.from_numpy(np.ascontiguousarray(arr))
    return out.to(like.device) if like.is_cuda else out


def _float_work(img: Tensor) -> tuple[np.ndarray, bool]:
    """torchvision's _cast_squeeze_in: integer images are processed in float32."""
    a = _np(img)
    if a.dtype in (np.float32, np.float64):
        return a, False
    return a.astype(np.float32), True


def _cast_out(a: np.ndarray, like: Tensor, need_cast: bool) -> Tensor:
    if need_cast:
        # NOTE: torchvision rounds (half to even, as torch.round) before casting back to int
        a = np.round(a).astype(_np_dtype(like))
    return _back(a, like)


def _np_dtype(t: Tensor):
    return np.dtype(str(t.dtype).split(".")[-1]) if t.dtype != ember.bool else np.bool_


# ---- flips, crops, padding -------------------------------------------------------------------
def hflip(img: Tensor) -> Tensor:
    _assert_image_tensor(img)
    return img.flip(-1)


def vflip(img: Tensor) -> Tensor:
    _assert_image_tensor(img)
    return img.flip(-2)


def crop(img: Tensor, top: int, left: int, height: int, width: int) -> Tensor:
    _assert_image_tensor(img)
    _, h, w = get_dimensions(img)
    right, bottom = left + width, top + height
    if left < 0 or top < 0 or right > w or bottom > h:
        # out-of-image parts are zero-filled, as PIL's crop does
        padding_ltrb = [max(-left + min(0, right), 0), max(-top + min(0, bottom), 0),
                        max(right - max(w, left), 0), max(bottom - max(h, top), 0)]
        return pad(img[..., max(top, 0):bottom, max(left, 0):right], padding_ltrb, fill=0)
    return img[..., top:bottom, left:right]


def _parse_pad_padding(padding) -> list[int]:
    if isinstance(padding, int):
        return [padding] * 4
    if len(padding) == 1:
        return [padding[0]] * 4
    if len(padding) == 2:
        return [padding[0], padding[1], padding[0], padding[1]]
    return list(padding)


def pad(img: Tensor, padding, fill=0, padding_mode: str = "constant") -> Tensor:
    _assert_image_tensor(img)
    if fill is None:
        fill = 0
    if not isinstance(padding, (int, tuple, list)):
        raise TypeError("Got inappropriate padding arg")
    if not isinstance(fill, (int, float)):
        raise TypeError("Got inappropriate fill arg")
    if not isinstance(padding_mode, str):
        raise TypeError("Got inappropriate padding_mode arg")
    if isinstance(padding, tuple):
        padding = list(padding)
    if isinstance(padding, list) and len(padding) not in [1, 2, 4]:
        raise ValueError("Padding must be an int or a 1, 2, or 4 element tuple, not a "
                         f"{len(padding)} element tuple")
    if padding_mode not in ["constant", "edge", "reflect", "symmetric"]:
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    left, top, right, bottom = _parse_pad_padding(padding)
    a = _np(img)
    # negative padding crops, as torch's pad does
    hh, ww = a.shape[-2:]
    a = a[..., max(-top, 0):hh - max(-bottom, 0), max(-left, 0):ww - max(-right, 0)]
    widths = [(0, 0)] * (a.ndim - 2) + [(max(top, 0), max(bottom, 0)),
                                        (max(left, 0), max(right, 0))]
    if padding_mode == "constant":
        out = np.pad(a, widths, mode="constant", constant_values=fill)
    else:
        out = np.pad(a, widths, mode=padding_mode)
    return _back(out, img)


# ---- resizing ----------------------------------------------------------------------------------
def _cubic(x: np.ndarray, a: float) -> np.ndarray:
    x = np.abs(x)
    return np.where(x < 1, ((a + 2) * x - (a + 3)) * x * x + 1,
                    np.where(x < 2, (((x - 5) * x + 8) * x - 4) * a, 0.0))


def _weights(n_in: int, n_out: int, mode: str, antialias: bool, dt) -> np.ndarray:
    """(n_out, n_in) interpolation matrix following ATen's upsample index/weight rules."""
    scale = float(np.float32(n_in) / np.float32(n_out))
    w = np.zeros((n_out, n_in), dtype=np.float64)
    dst = np.arange(n_out)
    if mode in ("nearest", "nearest-exact"):
        # ATen computes the source index in float32; nearest-exact samples pixel centres
        pos = dst.astype(np.float32) + np.float32(0.5 if mode == "nearest-exact" else 0.0)
        src = np.minimum(np.floor(pos * np.float32(scale)).astype(np.int64), n_in - 1)
        if mode == "nearest" and n_in == n_out:
            src = dst
        w[dst, src] = 1.0
    elif antialias:
        # separable filter with support widened by the scale when downsampling (as PIL does)
        size = 2 if mode == "bilinear" else 4
        support = size * 0.5 * scale if scale >= 1.0 else size * 0.5
        inv = 1.0 / scale if scale >= 1.0 else 1.0
        for i in range(n_out):
            center = scale * (i + 0.5)
            lo = max(int(center - support + 0.5), 0)
            hi = min(int(center + support + 0.5), n_in)
            x = (np.arange(lo, hi) - center + 0.5) * inv
            f = np.maximum(1.0 - np.abs(x), 0.0) if mode == "bilinear" else _cubic(x, -0.5)
            total = f.sum()
            w[i, lo:hi] = f / total if total != 0 else f
    elif mode == "bilinear":
        real = np.maximum(scale * (dst + 0.5) - 0.5, 0.0)
        i0 = real.astype(np.int64)
        lam = real - i0
        i1 = np.minimum(i0 + 1, n_in - 1)
        np.add.at(w, (dst, i0), 1.0 - lam)
        np.add.at(w, (dst, i1), lam)
    else:  # bicubic, align_corners=False, A = -0.75 (ATen's cubic convolution)
        real = scale * (dst + 0.5) - 0.5
        i0 = np.floor(real).astype(np.int64)
        t = real - i0
        for k in range(-1, 3):
            np.add.at(w, (dst, np.clip(i0 + k, 0, n_in - 1)), _cubic(t - k, -0.75))
    return w.astype(dt)


def resize(img: Tensor, size: list[int], interpolation: str = "bilinear",
           antialias: bool | None = True) -> Tensor:
    _assert_image_tensor(img)
    if interpolation not in ("nearest", "nearest-exact", "bilinear", "bicubic"):
        raise ValueError("This interpolation mode is unsupported with Tensor input")
    antialias = bool(antialias) and interpolation in ("bilinear", "bicubic")
    a, need_cast = _float_work(img)
    h, w = size
    wh = _weights(a.shape[-2], h, interpolation, antialias, a.dtype)
    ww = _weights(a.shape[-1], w, interpolation, antialias, a.dtype)
    out = np.matmul(np.matmul(wh, a), ww.T)
    if interpolation == "bicubic" and need_cast:
        out = np.clip(out, 0, _max_value(img.dtype))
    return _cast_out(out, img, need_cast)


# ---- colour ------------------------------------------------------------------------------------
def rgb_to_grayscale(img: Tensor, num_output_channels: int = 1) -> Tensor:
    if img.ndim < 3:
        raise TypeError(
            f"Input image tensor should have at least 3 dimensions, but found {img.ndim}")
    _assert_channels(img, [1, 3])
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    if img.shape[-3] == 3:
        r, g, b = img.unbind(dim=-3)
        # ITU-R 601-2 luma weights, computed in float then cast back (truncating for ints)
        l_img = (0.2989 * r + 0.587 * g + 0.114 * b).to(img.dtype)
        l_img = l_img.unsqueeze(dim=-3)
    else:
        l_img = img.clone()
    if num_output_channels == 3:
        return l_img.expand(*l_img.shape[:-3], 3, *l_img.shape[-2:])
    return l_img


def _blend(img1: Tensor, img2, ratio: float) -> Tensor:
    ratio = float(ratio)
    bound = _max_value(img1.dtype)
    return (ratio * img1 + (1.0 - ratio) * img2).clamp(0, bound).to(img1.dtype)


def adjust_brightness(img: Tensor, brightness_factor: float) -> Tensor:
    if brightness_factor < 0:
        raise ValueError(f"brightness_factor ({brightness_factor}) is not non-negative.")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    return _blend(img, ember.zeros_like(img), brightness_factor)


def adjust_contrast(img: Tensor, contrast_factor: float) -> Tensor:
    if contrast_factor < 0:
        raise ValueError(f"contrast_factor ({contrast_factor}) is not non-negative.")
    _assert_image_tensor(img)
    _assert_channels(img, [3, 1])
    dt = img.dtype if img.is_floating_point() else ember.float32
    src = rgb_to_grayscale(img) if get_dimensions(img)[0] == 3 else img
    mean = ember.mean(src.to(dt), dim=(-3, -2, -1), keepdim=True)
    return _blend(img, mean, contrast_factor)


def adjust_saturation(img: Tensor, saturation_factor: float) -> Tensor:
    if saturation_factor < 0:
        raise ValueError(f"saturation_factor ({saturation_factor}) is not non-negative.")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    if get_dimensions(img)[0] == 1:
        return img
    return _blend(img, rgb_to_grayscale(img), saturation_factor)


def _rgb2hsv(a: np.ndarray) -> np.ndarray:
    r, g, b = a[..., 0, :, :], a[..., 1, :, :], a[..., 2, :, :]
    maxc, minc = a.max(axis=-3), a.min(axis=-3)
    eqc = maxc == minc
    cr = maxc - minc
    ones = np.ones_like(maxc)
    s = cr / np.where(eqc, ones, maxc)
    cr_div = np.where(eqc, ones, cr)
    rc, gc, bc = (maxc - r) / cr_div, (maxc - g) / cr_div, (maxc - b) / cr_div
    hr = (maxc == r) * (bc - gc)
    hg = ((maxc == g) & (maxc != r)) * (2.0 + rc - bc)
    hb = ((maxc != g) & (maxc != r)) * (4.0 + gc - rc)
    h = np.fmod((hr + hg + hb) / 6.0 + 1.0, 1.0)
    return np.stack((h, s, maxc), axis=-3)


def _hsv2rgb(a: np.ndarray) -> np.ndarray:
    h, s, v = a[..., 0, :, :], a[..., 1, :, :], a[..., 2, :, :]
    i = np.floor(h * 6.0)
    f = h * 6.0 - i
    i = i.astype(np.int32) % 6
    p = np.clip(v * (1.0 - s), 0.0, 1.0)
    q = np.clip(v * (1.0 - s * f), 0.0, 1.0)
    t = np.clip(v * (1.0 - s * (1.0 - f)), 0.0, 1.0)
    table = [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)]
    out = np.zeros_like(a)
    for k, (rr, gg, bb) in enumerate(table):
        m = i == k
        out[..., 0, :, :] += m * rr
        out[..., 1, :, :] += m * gg
        out[..., 2, :, :] += m * bb
    return out


def adjust_hue(img: Tensor, hue_factor: float) -> Tensor:
    if not (-0.5 <= hue_factor <= 0.5):
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    if get_dimensions(img)[0] == 1:
        return img
    a = _np(img)
    work = a if a.dtype in (np.float32, np.float64) else a.astype(np.float32) / 255.0
    hsv = _rgb2hsv(work)
    hsv[..., 0, :, :] = np.fmod(hsv[..., 0, :, :] + hue_factor, 1.0)
    hsv[..., 0, :, :] += (hsv[..., 0, :, :] < 0)      # Python-style modulo, as torch's %
    out = _hsv2rgb(hsv).astype(work.dtype)
    if work is not a:
        # convert_image_dtype back: scale by 255.999 and truncate
        out = (out * np.float32(255 + 1.0 - 1e-3)).astype(a.dtype)
    return _back(out, img)


# ---- blur --------------------------------------------------------------------------------------
def _gaussian_kernel1d(kernel_size: int, sigma: float, dt) -> np.ndarray:
    half = (kernel_size - 1) * 0.5
    x = np.linspace(-half, half, kernel_size).astype(dt)
    pdf = np.exp(-0.5 * (x / dt(sigma)) ** 2)
    return pdf / pdf.sum()


def gaussian_blur(img: Tensor, kernel_size: list[int], sigma: list[float]) -> Tensor:
    _assert_image_tensor(img)
    a, need_cast = _float_work(img)
    kx = _gaussian_kernel1d(kernel_size[0], sigma[0], a.dtype.type)
    ky = _gaussian_kernel1d(kernel_size[1], sigma[1], a.dtype.type)
    px, py = kernel_size[0] // 2, kernel_size[1] // 2
    widths = [(0, 0)] * (a.ndim - 2) + [(py, py), (px, px)]
    p = np.pad(a, widths, mode="reflect")
    h, w = a.shape[-2:]
    out = np.zeros_like(a)
    # separable form of torchvision's 2-D kernel (outer product of the two 1-D kernels)
    tmp = sum(ky[i] * p[..., i:i + h, :] for i in range(len(ky)))
    out = sum(kx[j] * tmp[..., :, j:j + w] for j in range(len(kx)))
    return _cast_out(np.asarray(out, dtype=a.dtype), img, need_cast)


# ---- affine warps ------------------------------------------------------------------------------
def affine_warp(img: Tensor, theta: list[float], interpolation: str = "nearest", fill=None,
                out_size: tuple[int, int] | None = None) -> Tensor:
    """torchvision's _apply_grid_transform: `theta` maps output pixel centres (relative to the
    output centre) to input positions (relative to the input centre); grid_sample semantics
    (align_corners=False, zero padding), then torchvision's fill mask."""
    _assert_image_tensor(img)
    a, need_cast = _float_work(img)
    h, w = a.shape[-2:]
    oh, ow = out_size if out_size is not None else (h, w)
    dt = a.dtype.type
    # torchvision's _gen_affine_grid in the image's float dtype: pixel centres relative to the
    # output centre, times theta^T / (w/2, h/2), then grid_sample's unnormalisation
    base = np.ones((oh, ow, 3), dtype=dt)
    base[..., 0] = (np.arange(ow) + 0.5 - ow * 0.5).astype(dt)
    base[..., 1] = (np.arange(oh) + 0.5 - oh * 0.5).astype(dt)[:, None]
    resc = np.array(theta, dtype=dt).reshape(2, 3).T / np.array([0.5 * w, 0.5 * h], dtype=dt)
    grid = base @ resc
    ix = ((grid[..., 0] + dt(1)) * dt(w) - dt(1)) / dt(2)
    iy = ((grid[..., 1] + dt(1)) * dt(h) - dt(1)) / dt(2)
    lead = a.shape[:-2]
    a3 = a.reshape((-1, h, w))
    if interpolation == "nearest":
        rx, ry = np.rint(ix).astype(np.int64), np.rint(iy).astype(np.int64)
        mask = ((rx >= 0) & (rx < w) & (ry >= 0) & (ry < h)).astype(a.dtype)
        out = a3[:, np.clip(ry, 0, h - 1), np.clip(rx, 0, w - 1)] * mask
    else:
        x0, y0 = np.floor(ix).astype(np.int64), np.floor(iy).astype(np.int64)
        tx, ty = ix - x0, iy - y0
        out, mask = 0, 0
        for dy, wy in ((0, 1 - ty), (1, ty)):
            for dx, wx in ((0, 1 - tx), (1, tx)):
                xx, yy = x0 + dx, y0 + dy
                valid = (xx >= 0) & (xx < w) & (yy >= 0) & (yy < h)
                wt = wx * wy * valid
                out = out + a3[:, np.clip(yy, 0, h - 1), np.clip(xx, 0, w - 1)] * wt
                mask = mask + wt
    out = out.reshape(lead + (oh, ow))
    if fill is not None:
        nc = a.shape[-3] if a.ndim >= 3 else 1
        fv = np.broadcast_to(np.asarray(fill, dtype=a.dtype), (nc,)).reshape(
            (nc, 1, 1) if a.ndim >= 3 else (1, 1))
        if interpolation == "nearest":
            out = np.where(mask < 0.5, fv, out)
        else:
            out = out * mask + (1.0 - mask) * fv
    return _cast_out(np.asarray(out, dtype=a.dtype), img, need_cast)


def affine_output_size(theta: list[float], w: int, h: int) -> tuple[int, int]:
    """torchvision's _compute_affine_output_size: the (w, h) canvas holding the warped image."""
    pts = np.array([[-0.5 * w, -0.5 * h, 1.0], [-0.5 * w, 0.5 * h, 1.0],
                    [0.5 * w, 0.5 * h, 1.0], [0.5 * w, -0.5 * h, 1.0]], dtype=np.float32)
    new = pts @ np.array(theta, dtype=np.float32).reshape(2, 3).T
    half = np.array([w * 0.5, h * 0.5], dtype=np.float32)
    mn, mx = new.min(axis=0) + half, new.max(axis=0) + half
    tol = np.float32(1e-4)    # truncate to 1e-4 so that 1e-15 noise does not ceil to 1
    cmax = np.ceil(np.trunc(mx / tol) * tol)
    cmin = np.floor(np.trunc(mn / tol) * tol)
    size = cmax - cmin
    return int(size[0]), int(size[1])


# ---- point operations ----------------------------------------------------------------------------
def _assert_uint8(img: Tensor) -> None:
    if img.dtype != ember.uint8:
        raise TypeError(f"Only torch.uint8 image tensors are supported, but found {img.dtype}")


def posterize(img: Tensor, bits: int) -> Tensor:
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    _assert_uint8(img)
    mask = -int(2 ** (8 - bits))             # keep the `bits` high bits
    return _back(_np(img) & np.uint8(mask & 0xFF), img)


def solarize(img: Tensor, threshold: float) -> Tensor:
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    bound = _max_value(img.dtype)
    if threshold > bound:
        raise TypeError("Threshold should be less than bound of img.")
    return ember.where(img >= threshold, bound - img, img)


def autocontrast(img: Tensor) -> Tensor:
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    a = _np(img)
    bound = _max_value(img.dtype)
    work = a if a.dtype.kind == "f" else a.astype(np.float32)
    lo = work.min(axis=(-2, -1), keepdims=True)
    hi = work.max(axis=(-2, -1), keepdims=True)
    with np.errstate(divide="ignore"):
        scale = np.asarray(bound / (hi - lo), dtype=work.dtype)
    flat = ~np.isfinite(scale)               # constant channels are left as they are
    lo = np.where(flat, 0, lo).astype(work.dtype)
    scale = np.where(flat, 1, scale).astype(work.dtype)
    out = np.clip((work - lo) * scale, 0, bound)
    return _back(out.astype(a.dtype), img)


def adjust_sharpness(img: Tensor, sharpness_factor: float) -> Tensor:
    if sharpness_factor < 0:
        raise ValueError(f"sharpness_factor ({sharpness_factor}) is not non-negative.")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    if img.shape[-1] <= 2 or img.shape[-2] <= 2:
        return img
    a, need_cast = _float_work(img)
    # PIL's SMOOTH kernel [[1, 1, 1], [1, 5, 1], [1, 1, 1]] / 13 on the interior, border kept
    k = np.ones((3, 3), dtype=a.dtype)
    k[1, 1] = 5.0
    k /= k.sum()
    h, w = a.shape[-2:]
    inner = sum(k[i, j] * a[..., i:i + h - 2, j:j + w - 2] for i in range(3) for j in range(3))
    if need_cast:
        inner = np.round(inner)
    degenerate = a.copy()
    degenerate[..., 1:-1, 1:-1] = inner
    blurred = _back(degenerate.astype(_np_dtype(img)) if need_cast else degenerate, img)
    return _blend(img, blurred, sharpness_factor)


def equalize(img: Tensor) -> Tensor:
    _assert_image_tensor(img)
    if not 3 <= img.ndim <= 4:
        raise TypeError(f"Input image tensor should have 3 or 4 dimensions, but found {img.ndim}")
    _assert_uint8(img)
    _assert_channels(img, [1, 3])
    a = _np(img)
    out = np.empty_like(a)
    for idx in np.ndindex(a.shape[:-2]):
        chan = a[idx]
        hist = np.bincount(chan.ravel(), minlength=256).astype(np.int64)
        nonzero = hist[hist != 0]
        step = nonzero[:-1].sum() // 255
        if step == 0:
            out[idx] = chan
            continue
        lut = (np.cumsum(hist) + step // 2) // step
        lut = np.clip(np.concatenate([[0], lut[:-1]]), 0, 255)
        out[idx] = lut[chan].astype(np.uint8)
    return _back(out, img)


def adjust_gamma(img: Tensor, gamma: float, gain: float = 1.0) -> Tensor:
    if not isinstance(img, Tensor):
        raise TypeError("Input img should be a Tensor.")
    _assert_channels(img, [1, 3])
    if gamma < 0:
        raise ValueError("Gamma should be a non-negative real number")
    from .functional import convert_image_dtype
    dtype = img.dtype
    result = img if img.is_floating_point() else convert_image_dtype(img, ember.float32)
    result = (gain * result**gamma).clamp(0, 1)
    return convert_image_dtype(result, dtype)
