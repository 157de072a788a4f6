"""torchvision.utils: make_grid, save_image, draw_bounding_boxes; plus ember's imshow helper."""

from __future__ import annotations

import math

import numpy as np

import ember

from .._tensor import Tensor

__all__ = ["make_grid", "save_image", "draw_bounding_boxes", "draw_segmentation_masks", "imshow"]


def make_grid(tensor: Tensor | list[Tensor], nrow: int = 8, padding: int = 2,
              normalize: bool = False, value_range: tuple[float, float] | None = None,
              scale_each: bool = False, pad_value: float = 0.0, **kwargs) -> Tensor:
    """torchvision.utils.make_grid: tile a (B, C, H, W) batch (or list) into one (C, H', W')
    image, `nrow` images per row, `padding` pixels of `pad_value` around each."""
    if not isinstance(tensor, Tensor):
        if isinstance(tensor, list):
            for t in tensor:
                if not isinstance(t, Tensor):
                    raise TypeError("tensor or list of tensors expected, got a list containing "
                                    f"{type(t)}")
        else:
            raise TypeError(f"tensor or list of tensors expected, got {type(tensor)}")
    if isinstance(tensor, list):
        tensor = ember.stack(tensor, dim=0)
    if tensor.dim() == 2:                       # single image H x W
        tensor = tensor.unsqueeze(0)
    if tensor.dim() == 3:                       # single image C x H x W
        if tensor.size(0) == 1:                 # one channel becomes three
            tensor = ember.cat((tensor, tensor, tensor), 0)
        tensor = tensor.unsqueeze(0)
    if tensor.dim() == 4 and tensor.size(1) == 1:
        tensor = ember.cat((tensor, tensor, tensor), 1)

    if normalize is True:
        tensor = tensor.clone()                 # the caller's tensor is left alone
        if value_range is not None and not isinstance(value_range, tuple):
            raise TypeError("value_range has to be a tuple (min, max) if specified. min and max "
                            "are numbers")

        def norm_ip(img, low, high):
            img.clamp_(min=low, max=high)
            img.sub_(low).div_(max(high - low, 1e-5))

        def norm_range(t, value_range):
            if value_range is not None:
                norm_ip(t, value_range[0], value_range[1])
            else:
                norm_ip(t, float(t.min()), float(t.max()))

        if scale_each is True:
            for t in tensor:                    # views: each image rescaled in place
                norm_range(t, value_range)
        else:
            norm_range(tensor, value_range)

    if tensor.size(0) == 1:
        return tensor.squeeze(0)
    nmaps = tensor.size(0)
    xmaps = min(nrow, nmaps)
    ymaps = int(math.ceil(float(nmaps) / xmaps))
    height, width = int(tensor.size(2) + padding), int(tensor.size(3) + padding)
    num_channels = tensor.size(1)
    grid = tensor.new_full((num_channels, height * ymaps + padding, width * xmaps + padding),
                           pad_value)
    k = 0
    for y in range(ymaps):
        for x in range(xmaps):
            if k >= nmaps:
                break
            grid.narrow(1, y * height + padding, height - padding).narrow(
                2, x * width + padding, width - padding).copy_(tensor[k])
            k += 1
    return grid


def _to_uint8_hwc(grid: Tensor) -> np.ndarray:
    # torchvision: grid.mul(255).add_(0.5).clamp_(0, 255).permute(1, 2, 0).to("cpu", uint8)
    with ember.no_grad():
        arr = grid.mul(255).add_(0.5).clamp_(0, 255).permute(1, 2, 0).to("cpu", ember.uint8)
    return arr.numpy()


def save_image(tensor: Tensor | list[Tensor], fp, format: str | None = None, **kwargs) -> None:
    """torchvision.utils.save_image: make_grid(**kwargs), scale to uint8 and save with PIL
    (a path or a file object; `format` is needed for file objects)."""
    from PIL import Image
    grid = make_grid(tensor, **kwargs)
    im = Image.fromarray(_to_uint8_hwc(grid))
    im.save(fp, format=format)


def _generate_color_palette(num_objects: int) -> list[tuple[int, int, int]]:
    # torchvision's deterministic palette: i * (2**25 - 1, 2**15 - 1, 2**21 - 1) mod 255
    palette = (2**25 - 1, 2**15 - 1, 2**21 - 1)
    return [tuple((i * p) % 255 for p in palette) for i in range(num_objects)]


def _parse_colors(colors, *, num_objects: int, floating: bool = False) -> list[tuple]:
    from PIL import ImageColor
    if colors is None:
        colors = _generate_color_palette(num_objects)
    elif isinstance(colors, list):
        if len(colors) < num_objects:
            raise ValueError("Number of colors must be equal or larger than the number of "
                             f"objects, but got {len(colors)} < {num_objects}.")
    elif not isinstance(colors, (tuple, str)):
        raise ValueError("`colors` must be a tuple or a string, or a list thereof, but got "
                         f"{colors}.")
    elif isinstance(colors, tuple) and len(colors) != 3:
        raise ValueError(f"If passed as tuple, colors should be an RGB triplet, but got {colors}.")
    else:
        colors = [colors] * num_objects
    colors = [ImageColor.getrgb(c) if isinstance(c, str) else tuple(c) for c in colors]
    if floating:
        colors = [tuple(v / 255 for v in c) for c in colors]
    return colors


def draw_bounding_boxes(image: Tensor, boxes: Tensor, labels: list[str] | None = None,
                        colors=None, fill: bool = False, width: int = 1, font=None,
                        font_size: int | None = None, label_colors=None,
                        label_background_colors=None, fill_labels: bool = False) -> Tensor:
    """torchvision.utils.draw_bounding_boxes: draw (xmin, ymin, xmax, ymax) boxes on a uint8 or
    float (C, H, W) image with PIL's ImageDraw; returns a new 3-channel image of the input's
    dtype (grayscale input is tiled to RGB, as torchvision >= 0.20 does). Oriented (8-value)
    boxes are not supported."""
    from PIL import Image, ImageDraw, ImageFont
    if not isinstance(image, Tensor):
        raise TypeError(f"Tensor expected, got {type(image)}")
    if image.dtype != ember.uint8 and not image.is_floating_point():
        raise ValueError(f"The image dtype must be uint8 or float, got {image.dtype}")
    if image.dim() != 3:
        raise ValueError("Pass individual images, not batches")
    if image.size(0) not in {1, 3}:
        raise ValueError("Only grayscale and RGB images are supported")
    b = boxes.detach().cpu().numpy()
    if b.ndim != 2 or (b.shape[0] and b.shape[1] != 4):
        raise ValueError(f"boxes should be of shape (N, 4), got {tuple(boxes.shape)}")
    if ((b[:, 0] > b[:, 2]) | (b[:, 1] > b[:, 3])).any():
        raise ValueError("Boxes need to be in (xmin, ymin, xmax, ymax) format. Use "
                         "torchvision.ops.box_convert to convert them")
    num_boxes = b.shape[0]
    if num_boxes == 0:
        import warnings
        warnings.warn("boxes doesn't contain any box. No box was drawn", stacklevel=2)
        return image
    if labels is None:
        labels = [None] * num_boxes
    elif len(labels) != num_boxes:
        raise ValueError(f"Number of boxes ({num_boxes}) and labels ({len(labels)}) mismatch. "
                         "Please specify labels for each box.")
    colors = _parse_colors(colors, num_objects=num_boxes)
    if label_colors or fill_labels:
        label_colors = _parse_colors(label_colors if label_colors else "black",
                                     num_objects=num_boxes)
    else:
        label_colors = list(colors)
    if fill_labels and label_background_colors:
        label_background_colors = _parse_colors(label_background_colors, num_objects=num_boxes)
    else:
        label_background_colors = list(colors)
    if font is None:
        if font_size is not None:
            import warnings
            warnings.warn("Argument 'font_size' will be ignored since 'font' is not set.",
                          stacklevel=2)
        txt_font = ImageFont.load_default()
    else:
        txt_font = ImageFont.truetype(font=font, size=font_size or 10)
    if image.size(0) == 1:
        image = ember.cat((image, image, image), 0)
    original_dtype = image.dtype
    if original_dtype.is_floating_point:
        # torchvision's to_dtype(scale=True): times (255 + 1 - 1e-3), then truncation
        image = (image * (255 + 1.0 - 1e-3)).to(ember.uint8)
    arr = np.ascontiguousarray(image.detach().cpu().numpy().transpose(1, 2, 0))
    img = Image.fromarray(arr)
    draw = ImageDraw.Draw(img, "RGBA" if fill else None)
    for bbox, color, label, label_color, label_bg in zip(b.astype(np.int64).tolist(), colors,
                                                         labels, label_colors,
                                                         label_background_colors):
        draw.rectangle(bbox, width=width, outline=color, fill=color + (100,) if fill else None)
        if label is not None:
            box_margin = 1
            margin = width + box_margin
            if fill_labels:
                left, top, right, bottom = draw.textbbox((bbox[0] + margin, bbox[1] + margin),
                                                         label, font=txt_font)
                draw.rectangle((left - box_margin, top - box_margin, right + box_margin,
                                bottom + box_margin), fill=label_bg)
            draw.text((bbox[0] + margin, bbox[1] + margin), label, fill=label_color,
                      font=txt_font)
    out = ember.from_numpy(np.array(img)).permute(2, 0, 1)
    if original_dtype.is_floating_point:
        out = out.to(original_dtype) * (1.0 / 255)
    return out


def draw_segmentation_masks(image: Tensor, masks: Tensor, alpha: float = 0.8,
                            colors=None) -> Tensor:
    """torchvision.utils.draw_segmentation_masks: blend boolean (N, H, W) masks onto an RGB
    (3, H, W) image with weight `alpha`; overlapping pixels are blended with black."""
    if not isinstance(image, Tensor):
        raise TypeError(f"The image must be a tensor, got {type(image)}")
    if image.dtype != ember.uint8 and not image.is_floating_point():
        raise ValueError(f"The image dtype must be uint8 or float, got {image.dtype}")
    if image.dim() != 3:
        raise ValueError("Pass individual images, not batches")
    if image.size(0) != 3:
        raise ValueError("Pass an RGB image. Other Image formats are not supported")
    if masks.ndim == 2:
        masks = masks[None, :, :]
    if masks.ndim != 3:
        raise ValueError("masks must be of shape (H, W) or (batch_size, H, W)")
    if masks.dtype != ember.bool:
        raise ValueError("The masks must be of dtype bool")
    if tuple(masks.shape[-2:]) != tuple(image.shape[-2:]):
        raise ValueError("The image and the masks must have the same height and width")
    num_masks = masks.size(0)
    if num_masks == 0:
        import warnings
        warnings.warn("masks doesn't contain any mask. No mask was drawn", stacklevel=2)
        return image
    colors = _parse_colors(colors, num_objects=num_masks, floating=image.is_floating_point())
    img = image.detach().cpu().numpy()
    m = masks.detach().cpu().numpy()
    to_draw = img.copy()
    for mask, color in zip(m, colors):
        to_draw[:, mask] = np.asarray(color, dtype=img.dtype)[:, None]
    to_draw[:, m.sum(axis=0) > 1] = 0
    # torchvision blends in the image dtype's arithmetic, then casts back (truncating uint8)
    out = image * (1 - alpha) + ember.from_numpy(to_draw).to(image.device) * alpha
    return out.to(image.dtype)


def imshow(img, ax=None, **kwargs):
    """Ember extra: show a CHW tensor, a (B, C, H, W) batch (tiled with make_grid), a PIL image
    or an HWC ndarray with matplotlib; CUDA and requires_grad tensors are handled (the seed's
    `plt.imshow(np.transpose(npimg, (1, 2, 0)))`). Returns the AxesImage."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise ImportError("imshow needs matplotlib: pip install 'ember[plot]' "
                          "(or pip install matplotlib)") from e
    if isinstance(img, (list, tuple)) or (isinstance(img, Tensor) and img.dim() == 4):
        img = make_grid(list(img) if isinstance(img, tuple) else img)
    if isinstance(img, Tensor):
        t = img.detach().cpu()
        if t.dim() == 3:
            arr = np.transpose(t.numpy(), (1, 2, 0))     # CHW -> HWC for matplotlib
            if arr.shape[2] == 1:
                arr = arr[:, :, 0]
        else:
            arr = t.numpy()
    else:
        arr = np.asarray(img)
    if arr.ndim == 2:
        kwargs.setdefault("cmap", "gray")
    if arr.dtype.kind == "f":
        arr = np.clip(arr, 0.0, 1.0)            # matplotlib warns and clips anyway
    ax = plt.gca() if ax is None else ax
    return ax.imshow(arr, **kwargs)
