"""torchvision.datasets for ember (no network needed except for download=True), plus the
bundled Digits data set."""

from .cifar import CIFAR10, CIFAR100
from .digits import Digits
from .fakedata import FakeData
from .folder import IMG_EXTENSIONS, DatasetFolder, ImageFolder, default_loader, pil_loader
from .mnist import EMNIST, KMNIST, MNIST, FashionMNIST
from .svhn import SVHN
from .vision import StandardTransform, VisionDataset

__all__ = ["CIFAR10", "CIFAR100", "Digits", "FakeData", "DatasetFolder", "ImageFolder",
           "IMG_EXTENSIONS", "default_loader", "pil_loader", "MNIST", "FashionMNIST", "KMNIST",
           "EMNIST", "SVHN",
           "VisionDataset", "StandardTransform"]
