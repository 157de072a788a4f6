"""torchvision.datasets.FakeData: random images, reproducible per index."""

from __future__ import annotations

import ember

from ..transforms import functional as F
from .vision import VisionDataset


class FakeData(VisionDataset):
    """torchvision.datasets.FakeData: image `index` is randn(*image_size) drawn after
    manual_seed(index + random_offset) (the global RNG state is restored), as PIL."""

    def __init__(self, size: int = 1000, image_size=(3, 224, 224), num_classes: int = 10,
                 transform=None, target_transform=None, random_offset: int = 0) -> None:
        super().__init__(transform=transform, target_transform=target_transform)
        self.size, self.num_classes = size, num_classes
        self.image_size, self.random_offset = image_size, random_offset

    def __getitem__(self, index: int):
        if index >= len(self):
            raise IndexError(f"{self.__class__.__name__} index out of range")
        rng_state = ember.get_rng_state()
        ember.manual_seed(index + self.random_offset)
        img = ember.randn(*self.image_size)
        target = ember.randint(0, self.num_classes, size=(1,), dtype=ember.long)[0]
        ember.set_rng_state(rng_state)
        img = F.to_pil_image(img)
        img, target = self._transformed(img, target)
        return img, target.item() if hasattr(target, "item") else target

    def __len__(self) -> int:
        return self.size
