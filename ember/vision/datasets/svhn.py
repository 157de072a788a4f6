"""torchvision.datasets.SVHN: the cropped-digits .mat files (read with an optional scipy)."""

from __future__ import annotations

import os

import numpy as np

from .mnist import verify_str_arg
from .utils import URLError, check_integrity, download_failed, download_url
from .vision import VisionDataset


def _loadmat(path: str) -> dict:
    try:
        import scipy.io as sio
    except ImportError:
        raise ImportError("SVHN reads MATLAB .mat files with scipy, which is not installed: "
                          "pip install scipy (or the ember 'test' extra)") from None
    return sio.loadmat(path)


class SVHN(VisionDataset):
    """torchvision.datasets.SVHN: `<split>_32x32.mat` in root; `data` (N, 3, 32, 32) uint8,
    int64 `labels` with the digit 0 stored as 10 mapped to 0; PIL RGB images. Files are checked
    for presence (md5 is verified after a download). `targets` and `classes` are ember extras
    (aliases of `labels` and the ten digits) so SVHN looks like the other datasets."""

    split_list = {
        "train": ["http://ufldl.stanford.edu/housenumbers/train_32x32.mat",
                  "train_32x32.mat", "e26dedcc434d2e4c54c9b2d4a06d8373"],
        "test": ["http://ufldl.stanford.edu/housenumbers/test_32x32.mat",
                 "test_32x32.mat", "eb5a983be6a315427106f1b164d9cef3"],
        "extra": ["http://ufldl.stanford.edu/housenumbers/extra_32x32.mat",
                  "extra_32x32.mat", "a93ce644f1a588dc4d68dda5feec44a7"],
    }
    classes = [str(i) for i in range(10)]

    def __init__(self, root, split: str = "train", transform=None, target_transform=None,
                 download: bool = False) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.split = verify_str_arg(split, "split", tuple(self.split_list.keys()))
        self.url, self.filename, self.file_md5 = self.split_list[split]
        if download:
            self.download()
        if not self._check_integrity():
            raise RuntimeError("Dataset not found or corrupted. You can use download=True to "
                               f"download it (expected {self.filename} in {self.root})")
        loaded_mat = _loadmat(os.path.join(self.root, self.filename))
        self.data = loaded_mat["X"]                                   # (H, W, C, N) uint8
        self.labels = loaded_mat["y"].astype(np.int64).squeeze()
        # SVHN stores the digit 0 as class 10; torchvision maps it back to 0
        np.place(self.labels, self.labels == 10, 0)
        self.data = np.transpose(self.data, (3, 2, 0, 1))             # -> (N, C, H, W)

    @property
    def targets(self):
        return self.labels

    @property
    def class_to_idx(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.classes)}

    def __getitem__(self, index: int):
        from PIL import Image
        img, target = self.data[index], int(self.labels[index])
        img = Image.fromarray(np.transpose(img, (1, 2, 0)))
        return self._transformed(img, target)

    def __len__(self) -> int:
        return len(self.data)

    def _check_integrity(self) -> bool:
        return check_integrity(os.path.join(self.root, self.filename))

    def download(self) -> None:
        """Fetch the split's .mat file (urllib); a clear RuntimeError offline."""
        if self._check_integrity():
            return
        try:
            download_url(self.url, self.root, self.filename, self.file_md5)
        except (URLError, OSError) as error:
            download_failed(self.__class__.__name__, self.root, [self.filename], [self.url],
                            error)

    def extra_repr(self) -> str:
        return f"Split: {self.split}"
