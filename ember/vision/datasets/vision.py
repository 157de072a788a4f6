"""torchvision.datasets.VisionDataset and StandardTransform."""

from __future__ import annotations

import os

from ...utils.data.dataset import Dataset


def _transform_pair(transform, target_transform, input, target):
    """(transform(input), target_transform(target)), each only where given."""
    if transform is not None:
        input = transform(input)
    if target_transform is not None:
        target = target_transform(target)
    return input, target


class StandardTransform:
    """torchvision.datasets.vision.StandardTransform: (input, target) -> transformed pair."""

    def __init__(self, transform=None, target_transform=None) -> None:
        self.transform, self.target_transform = transform, target_transform

    def __call__(self, input, target):
        return _transform_pair(self.transform, self.target_transform, input, target)

    def _format_transform_repr(self, transform, head: str) -> list[str]:
        lines = transform.__repr__().splitlines()
        return [f"{head}{lines[0]}"] + [f"{' ' * len(head)}{line}" for line in lines[1:]]

    def __repr__(self) -> str:
        body = [self.__class__.__name__ + "()"]
        if self.transform is not None:
            body += self._format_transform_repr(self.transform, "Transform: ")
        if self.target_transform is not None:
            body += self._format_transform_repr(self.target_transform, "Target transform: ")
        return "\n".join(body)


class VisionDataset(Dataset):
    """torchvision.datasets.VisionDataset: root, transform/target_transform and the repr."""

    _repr_indent = 4

    def __init__(self, root=None, transforms=None, transform=None,
                 target_transform=None) -> None:
        if isinstance(root, (str, os.PathLike)):
            root = os.path.expanduser(root)
        self.root = root
        has_transforms = transforms is not None
        has_separate_transform = transform is not None or target_transform is not None
        if has_transforms and has_separate_transform:
            raise ValueError("Only transforms or transform/target_transform can be passed as "
                             "argument")
        self.transform, self.target_transform = transform, target_transform
        if has_separate_transform:
            transforms = StandardTransform(transform, target_transform)
        self.transforms = transforms

    def __getitem__(self, index: int):
        raise NotImplementedError

    def _transformed(self, input, target):
        """The sample through self.transform and self.target_transform as they are now (a
        dataset's __getitem__ ends with it)."""
        return _transform_pair(self.transform, self.target_transform, input, target)

    def __len__(self) -> int:
        raise NotImplementedError

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        head = "Dataset " + self.__class__.__name__
        body = [f"Number of datapoints: {self.__len__()}"]
        if self.root is not None:
            body.append(f"Root location: {self.root}")
        body += self.extra_repr().splitlines()
        if getattr(self, "transforms", None) is not None:
            body += [repr(self.transforms)]
        return "\n".join([head] + [" " * self._repr_indent + line for line in body])
