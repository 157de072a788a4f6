"""torchvision.datasets MNIST, FashionMNIST and KMNIST: IDX files under root/<Name>/raw/."""

from __future__ import annotations

import gzip
import os
import shutil
import string

import numpy as np

import ember

from ..._tensor import Tensor
from .utils import (
    URLError,
    check_integrity,
    download_and_extract_archive,
    download_failed,
    extract_archive,
)
from .vision import VisionDataset

# IDX type codes (the third byte of the magic number) -> big-endian NumPy dtypes
SN3_PASCALVINCENT_TYPEMAP = {8: ">u1", 9: ">i1", 11: ">i2", 12: ">i4", 13: ">f4", 14: ">f8"}


def _open_maybe_gz(path: str) -> bytes:
    if not os.path.isfile(path) and os.path.isfile(path + ".gz"):
        path = path + ".gz"
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        return f.read()


def read_sn3_pascalvincent_tensor(path: str, strict: bool = True) -> Tensor:
    """torchvision.datasets.mnist.read_sn3_pascalvincent_tensor: an IDX file (or its .gz)."""
    data = _open_maybe_gz(path)
    magic = int.from_bytes(data[0:4], "big")
    nd, ty = magic % 256, magic // 256
    if not (1 <= nd <= 3) or ty not in SN3_PASCALVINCENT_TYPEMAP:
        raise ValueError(f"{path} is not an IDX file (magic number {magic:#x})")
    shape = [int.from_bytes(data[4 * (i + 1):4 * (i + 2)], "big") for i in range(nd)]
    parsed = np.frombuffer(data, dtype=SN3_PASCALVINCENT_TYPEMAP[ty], offset=4 * (nd + 1))
    if parsed.size != int(np.prod(shape)):
        raise ValueError(f"{path}: header says shape {shape} but holds {parsed.size} values")
    arr = parsed.astype(parsed.dtype.newbyteorder("=")).reshape(shape)
    return ember.from_numpy(arr.copy())


def read_label_file(path: str) -> Tensor:
    """torchvision.datasets.mnist.read_label_file: 1-D uint8 IDX -> int64 tensor."""
    x = read_sn3_pascalvincent_tensor(path, strict=False)
    if x.dtype != ember.uint8:
        raise TypeError(f"x should be of dtype torch.uint8 instead of {x.dtype}")
    if x.ndim != 1:
        raise ValueError(f"x should have 1 dimension instead of {x.ndim}")
    return x.long()


def read_image_file(path: str) -> Tensor:
    """torchvision.datasets.mnist.read_image_file: 3-D uint8 IDX -> (N, H, W) uint8 tensor."""
    x = read_sn3_pascalvincent_tensor(path, strict=False)
    if x.dtype != ember.uint8:
        raise TypeError(f"x should be of dtype torch.uint8 instead of {x.dtype}")
    if x.ndim != 3:
        raise ValueError(f"x should have 3 dimension instead of {x.ndim}")
    return x


class MNIST(VisionDataset):
    """torchvision.datasets.MNIST: IDX files (raw or .gz) in root/MNIST/raw/; PIL 'L' images
    and int targets."""

    mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/",
               "http://yann.lecun.com/exdb/mnist/"]
    resources = [("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
                 ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
                 ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
                 ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c")]
    training_file = "training.pt"
    test_file = "test.pt"
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six",
               "7 - seven", "8 - eight", "9 - nine"]

    def __init__(self, root, train: bool = True, transform=None, target_transform=None,
                 download: bool = False) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        if not self._check_exists():
            raise RuntimeError(f"Dataset not found. You can use download=True to download it "
                               f"(expected {', '.join(self._needed())} in {self.raw_folder})")
        self.data, self.targets = self._load_data()

    @property
    def raw_folder(self) -> str:
        return os.path.join(self.root, self.__class__.__name__, "raw")

    @property
    def processed_folder(self) -> str:
        return os.path.join(self.root, self.__class__.__name__, "processed")

    @property
    def class_to_idx(self) -> dict[str, int]:
        return {_class: i for i, _class in enumerate(self.classes)}

    @property
    def train_labels(self):
        return self.targets

    @property
    def test_labels(self):
        return self.targets

    @property
    def train_data(self):
        return self.data

    @property
    def test_data(self):
        return self.data

    def _needed(self) -> list[str]:
        return [os.path.splitext(f)[0] for f, _ in self.resources]

    def _check_exists(self) -> bool:
        # the extracted file or the .gz itself (read directly) will do
        return all(check_integrity(os.path.join(self.raw_folder, f))
                   or check_integrity(os.path.join(self.raw_folder, f + ".gz"))
                   for f in self._needed())

    def _load_data(self):
        prefix = "train" if self.train else "t10k"
        data = read_image_file(os.path.join(self.raw_folder, f"{prefix}-images-idx3-ubyte"))
        targets = read_label_file(os.path.join(self.raw_folder, f"{prefix}-labels-idx1-ubyte"))
        return data, targets

    def __getitem__(self, index: int):
        from PIL import Image
        img, target = self.data[index], int(self.targets[index])
        img = Image.fromarray(img.numpy(), mode="L")
        return self._transformed(img, target)

    def __len__(self) -> int:
        return len(self.data)

    def download(self) -> None:
        """Fetch and extract the four IDX files (urllib); a clear RuntimeError offline."""
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        for filename, md5 in self.resources:
            errors = []
            for mirror in self.mirrors:
                try:
                    download_and_extract_archive(f"{mirror}{filename}", self.raw_folder,
                                                 filename=filename, md5=md5)
                except (URLError, OSError) as error:
                    errors.append(error)
                    continue
                break
            else:
                download_failed(self.__class__.__name__, self.raw_folder,
                                [f for f, _ in self.resources],
                                [m + f for m in self.mirrors[:1] for f, _ in self.resources],
                                errors[-1])

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train is True else 'Test'}"


class FashionMNIST(MNIST):
    """torchvision.datasets.FashionMNIST (files in root/FashionMNIST/raw/)."""

    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = [("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
                 ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
                 ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
                 ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310")]
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot"]


class KMNIST(MNIST):
    """torchvision.datasets.KMNIST (files in root/KMNIST/raw/)."""

    mirrors = ["http://codh.rois.ac.jp/kmnist/dataset/kmnist/"]
    resources = [("train-images-idx3-ubyte.gz", "bdb82020997e1d708af4cf47b453dcf7"),
                 ("train-labels-idx1-ubyte.gz", "e144d726b3acfaa3e44228e80efcd344"),
                 ("t10k-images-idx3-ubyte.gz", "5c965bf0a639b31b8f53240b1b52f4d7"),
                 ("t10k-labels-idx1-ubyte.gz", "7320c461ea6c1c855c0b718fb2a4b134")]
    classes = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]


def verify_str_arg(value: str, arg: str, valid_values) -> str:
    """torchvision.datasets.utils.verify_str_arg (the part datasets use)."""
    if value not in valid_values:
        valid = "'" + "', '".join(str(v) for v in valid_values) + "'"
        raise ValueError(f"Unknown value '{value}' for argument {arg}. Valid values are "
                         f"{{{valid}}}.")
    return value


class EMNIST(MNIST):
    """torchvision.datasets.EMNIST: emnist-<split>-<train|test>-*-ubyte in root/EMNIST/raw/.
    As in torchvision, images are returned as stored (transposed relative to MNIST)."""

    url = "https://www.itl.nist.gov/iaui/vip/cs_links/EMNIST/gzip.zip"
    md5 = "58c8d27c78d21e728a6bc7b3cc06412e"
    splits = ("byclass", "bymerge", "balanced", "letters", "digits", "mnist")
    _merged_classes = {"c", "i", "j", "k", "l", "m", "o", "p", "s", "u", "v", "w", "x", "y", "z"}
    _all_classes = set(string.digits + string.ascii_letters)
    classes_split_dict = {
        "byclass": sorted(_all_classes),
        "bymerge": sorted(_all_classes - _merged_classes),
        "balanced": sorted(_all_classes - _merged_classes),
        "letters": ["N/A"] + list(string.ascii_lowercase),
        "digits": list(string.digits),
        "mnist": list(string.digits),
    }

    def __init__(self, root, split: str, **kwargs) -> None:
        self.split = verify_str_arg(split, "split", self.splits)
        self.training_file = f"training_{split}.pt"
        self.test_file = f"test_{split}.pt"
        super().__init__(root, **kwargs)
        self.classes = self.classes_split_dict[self.split]

    @property
    def _file_prefix(self) -> str:
        return f"emnist-{self.split}-{'train' if self.train else 'test'}"

    @property
    def images_file(self) -> str:
        return os.path.join(self.raw_folder, f"{self._file_prefix}-images-idx3-ubyte")

    @property
    def labels_file(self) -> str:
        return os.path.join(self.raw_folder, f"{self._file_prefix}-labels-idx1-ubyte")

    def _needed(self) -> list[str]:
        return [os.path.basename(self.images_file), os.path.basename(self.labels_file)]

    def _load_data(self):
        return read_image_file(self.images_file), read_label_file(self.labels_file)

    def download(self) -> None:
        """Fetch gzip.zip and unpack its .gz members into raw/ (urllib)."""
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        try:
            download_and_extract_archive(self.url, download_root=self.raw_folder, md5=self.md5)
        except (URLError, OSError) as error:
            download_failed(self.__class__.__name__, self.raw_folder, self._needed(), [self.url],
                            error)
        gzip_folder = os.path.join(self.raw_folder, "gzip")
        for gzip_file in os.listdir(gzip_folder):
            if gzip_file.endswith(".gz"):
                extract_archive(os.path.join(gzip_folder, gzip_file), self.raw_folder)
        shutil.rmtree(gzip_folder)
