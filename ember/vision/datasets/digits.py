"""ember.vision.datasets.Digits: the UCI optdigits 8x8 handwritten digits, bundled for offline
demos (1,797 images, 10 classes; CC BY 4.0, see _data/README.md)."""

from __future__ import annotations

import os

import numpy as np

import ember

from .vision import VisionDataset

_FILE = os.path.join(os.path.dirname(__file__), "_data", "digits.npz")
N_TRAIN = 1438          # first 1,438 samples train, last 359 test (a fixed ~80/20 split)


def _load() -> tuple[np.ndarray, np.ndarray]:
    with np.load(_FILE, allow_pickle=False) as z:
        return z["images"], z["labels"]


class Digits(VisionDataset):
    """8x8 handwritten digits (ember extra, no torchvision counterpart): PIL 'L' images with
    the 0..16 counts scaled to 0..255, int labels; train = first 1,438, test = last 359.
    `data` is a (N, 8, 8) uint8 tensor and `targets` an int64 tensor, as MNIST's are."""

    classes = [str(i) for i in range(10)]

    def __init__(self, root=None, train: bool = True, transform=None,
                 target_transform=None) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        images, labels = _load()
        sl = slice(0, N_TRAIN) if train else slice(N_TRAIN, None)
        # (v * 255 + 8) // 16 rounds v * 255 / 16 to nearest: 0 -> 0, 16 -> 255
        scaled = ((images[sl].astype(np.int32) * 255 + 8) // 16).astype(np.uint8)
        self.data = ember.from_numpy(np.ascontiguousarray(scaled))
        self.targets = ember.from_numpy(labels[sl].astype(np.int64))
        self.class_to_idx = {c: i for i, c in enumerate(self.classes)}

    def __getitem__(self, index: int):
        from PIL import Image
        img = Image.fromarray(self.data[index].numpy(), mode="L")
        target = int(self.targets[index])
        return self._transformed(img, target)

    def __len__(self) -> int:
        return len(self.data)

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train is True else 'Test'}"
