"""ember.vision.datasets on tiny files written in the real formats (IDX, CIFAR pickles, image
folders); download errors without touching the network; the bundled Digits data; FakeData
against torch's RNG."""

import gzip
import os
import pickle
import sys
import urllib.request

import numpy as np
import pytest
import torch
from PIL import Image

import ember
from ember.vision import datasets, transforms


def _idx(arr: np.ndarray) -> bytes:
    # IDX header: two zero bytes, the type code (0x08 = uint8), the number of dims, then sizes
    head = bytes([0, 0, 0x08, arr.ndim]) + b"".join(int(s).to_bytes(4, "big") for s in arr.shape)
    return head + arr.astype(np.uint8).tobytes()


def _write_mnist(root, name="MNIST", gz=False, n=(5, 3)):
    raw = os.path.join(root, name, "raw")
    os.makedirs(raw)
    rng = np.random.default_rng(0)
    out = {}
    for prefix, count in zip(("train", "t10k"), n):
        imgs = rng.integers(0, 256, (count, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, count, dtype=np.uint8)
        out[prefix] = (imgs, labels)
        for kind, arr in (("images-idx3", imgs), ("labels-idx1", labels)):
            path = os.path.join(raw, f"{prefix}-{kind}-ubyte")
            data = _idx(arr)
            if gz:
                with gzip.open(path + ".gz", "wb") as f:
                    f.write(data)
            else:
                with open(path, "wb") as f:
                    f.write(data)
    return out


@pytest.mark.parametrize("cls,gz", [(datasets.MNIST, False), (datasets.FashionMNIST, True),
                                    (datasets.KMNIST, True)])
def test_mnist_family_idx(tmp_path, cls, gz):
    ref = _write_mnist(str(tmp_path), cls.__name__, gz=gz)
    train = cls(str(tmp_path), train=True)
    test = cls(str(tmp_path), train=False, transform=transforms.ToTensor())
    assert len(train) == 5 and len(test) == 3
    assert train.data.dtype == ember.uint8 and train.data.shape == (5, 28, 28)
    assert train.targets.dtype == ember.int64
    np.testing.assert_array_equal(train.data.numpy(), ref["train"][0])
    img, target = train[2]
    assert isinstance(img, Image.Image) and img.mode == "L"
    np.testing.assert_array_equal(np.array(img), ref["train"][0][2])
    assert target == int(ref["train"][1][2]) and isinstance(target, int)
    x, y = test[1]
    assert x.shape == (1, 28, 28)
    np.testing.assert_array_equal(x.numpy()[0], ref["t10k"][0][1] / np.float32(255))
    assert train.class_to_idx[train.classes[3]] == 3
    assert repr(train).splitlines()[:3] == [f"Dataset {cls.__name__}",
                                            "    Number of datapoints: 5",
                                            f"    Root location: {tmp_path}"]


def test_mnist_missing_and_download_offline(tmp_path, monkeypatch):
    with pytest.raises(RuntimeError, match="Dataset not found. You can use download=True"):
        datasets.MNIST(str(tmp_path))

    def offline(*args, **kwargs):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(RuntimeError) as e:
        datasets.MNIST(str(tmp_path), download=True)
    msg = str(e.value)
    assert "Could not download MNIST" in msg and "no network" in msg
    assert os.path.join(str(tmp_path), "MNIST", "raw", "train-images-idx3-ubyte.gz") in msg
    assert "t10k-labels-idx1-ubyte.gz" in msg
    with pytest.raises(RuntimeError, match="cifar-10-batches-py"):
        datasets.CIFAR10(str(tmp_path), download=True)


def test_idx_errors(tmp_path):
    from ember.vision.datasets.mnist import read_image_file, read_label_file
    p = tmp_path / "bad"
    p.write_bytes(b"\x00\x00\x08\x01" + (3).to_bytes(4, "big") + b"\x01\x02\x03")
    with pytest.raises(ValueError, match="3 dimension"):
        read_image_file(str(p))
    np.testing.assert_array_equal(read_label_file(str(p)).numpy(), [1, 2, 3])
    p.write_bytes(b"junkjunk")
    with pytest.raises(ValueError, match="not an IDX file"):
        read_label_file(str(p))


def _write_cifar(root, folder, files, label_key, meta_name, meta_key, classes):
    d = os.path.join(root, folder)
    os.makedirs(d)
    rng = np.random.default_rng(1)
    data = {}
    for name, count in files:
        arr = rng.integers(0, 256, (count, 3072), dtype=np.uint8)
        labels = rng.integers(0, len(classes), count).tolist()
        data[name] = (arr, labels)
        with open(os.path.join(d, name), "wb") as f:
            pickle.dump({"data": arr, label_key: labels, "batch_label": name}, f, protocol=2)
    with open(os.path.join(d, meta_name), "wb") as f:
        pickle.dump({meta_key: classes}, f, protocol=2)
    return data


def test_cifar10_pickles(tmp_path):
    names = [f"data_batch_{i}" for i in range(1, 6)]
    ref = _write_cifar(str(tmp_path), "cifar-10-batches-py",
                       [(n, 2) for n in names] + [("test_batch", 3)], "labels", "batches.meta",
                       "label_names", [f"c{i}" for i in range(10)])
    ds = datasets.CIFAR10(str(tmp_path), train=True)
    assert len(ds) == 10 and ds.data.shape == (10, 32, 32, 3) and ds.data.dtype == np.uint8
    want0 = ref["data_batch_1"][0][0].reshape(3, 32, 32).transpose(1, 2, 0)
    img, y = ds[0]
    assert img.mode == "RGB"
    np.testing.assert_array_equal(np.array(img), want0)
    assert y == ref["data_batch_1"][1][0] and ds.targets[2] == ref["data_batch_2"][1][0]
    assert ds.classes[4] == "c4" and ds.class_to_idx["c9"] == 9
    test = datasets.CIFAR10(str(tmp_path), train=False, transform=transforms.ToTensor())
    x, _ = test[2]
    np.testing.assert_array_equal(
        x.numpy(), ref["test_batch"][0][2].reshape(3, 32, 32) / np.float32(255))


def test_cifar100_and_unsafe_pickle(tmp_path):
    _write_cifar(str(tmp_path), "cifar-100-python", [("train", 4), ("test", 2)], "fine_labels",
                 "meta", "fine_label_names", [f"f{i}" for i in range(100)])
    ds = datasets.CIFAR100(str(tmp_path))
    assert len(ds) == 4 and len(ds.classes) == 100
    evil = os.path.join(str(tmp_path), "cifar-100-python", "test")
    with open(evil, "wb") as f:
        pickle.dump({"data": os.system}, f)
    with pytest.raises(pickle.UnpicklingError, match="refusing"):
        datasets.CIFAR100(str(tmp_path), train=False)


def test_image_folder(tmp_path):
    rng = np.random.default_rng(2)
    for cls, n in (("cat", 2), ("dog", 3)):
        os.makedirs(tmp_path / cls / "sub")
        for i in range(n):
            Image.fromarray(rng.integers(0, 256, (4, 5), dtype=np.uint8)).save(
                tmp_path / cls / f"{i}.png")
        (tmp_path / cls / "notes.txt").write_text("x")
    Image.fromarray(rng.integers(0, 256, (4, 5, 3), dtype=np.uint8)).save(
        tmp_path / "dog" / "sub" / "deep.JPG")
    ds = datasets.ImageFolder(str(tmp_path), transform=transforms.ToTensor())
    assert ds.classes == ["cat", "dog"] and ds.class_to_idx == {"cat": 0, "dog": 1}
    assert ds.targets == [0, 0, 1, 1, 1, 1] and ds.imgs is ds.samples
    assert [os.path.basename(p) for p, _ in ds.samples] == ["0.png", "1.png", "0.png", "1.png",
                                                            "2.png", "deep.JPG"]
    x, y = ds[0]
    assert x.shape == (3, 4, 5) and y == 0          # grayscale PNG loaded as RGB
    only_txt = datasets.DatasetFolder(str(tmp_path), loader=lambda p: open(p).read(),
                                      extensions=(".txt",))
    assert len(only_txt) == 2 and only_txt[1] == ("x", 1)
    picky = datasets.ImageFolder(str(tmp_path), is_valid_file=lambda p: p.endswith("0.png"))
    assert len(picky) == 2
    with pytest.raises(FileNotFoundError, match="Found no valid file for the classes cat"):
        datasets.ImageFolder(str(tmp_path), is_valid_file=lambda p: "dog" in p)
    with pytest.raises(FileNotFoundError, match="Couldn't find any class folder"):
        datasets.ImageFolder(str(tmp_path / "cat" / "sub"))


def test_fake_data_matches_torch_rng():
    ember.manual_seed(0)
    before = ember.rand(1).item()
    ds = datasets.FakeData(size=3, image_size=(3, 4, 5), num_classes=4, random_offset=2)
    img, y = ds[1]
    torch.manual_seed(3)
    t = torch.randn(3, 4, 5)
    ty = torch.randint(0, 4, size=(1,), dtype=torch.long)[0].item()
    want = t.mul(255).byte().permute(1, 2, 0).numpy()
    assert img.mode == "RGB" and y == ty
    np.testing.assert_array_equal(np.array(img), want)
    ember.manual_seed(0)
    assert ember.rand(1).item() == before             # the global state was restored
    with pytest.raises(IndexError, match="index out of range"):
        ds[3]


def test_digits_bundled():
    train, test = datasets.Digits(), datasets.Digits(train=False)
    assert len(train) == 1438 and len(test) == 359
    assert train.data.shape == (1438, 8, 8) and train.data.dtype == ember.uint8
    counts = np.bincount(np.concatenate([train.targets.numpy(), test.targets.numpy()]))
    assert counts.tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    img, y = train[0]
    assert img.mode == "L" and img.size == (8, 8) and y == 0
    assert np.array(img).max() == 239                   # 15 of 16 on-pixels
    assert train.data.numpy().max() == 255 and set(np.unique(train.data.numpy())) <= {
        (v * 255 + 8) // 16 for v in range(17)}
    x, y = datasets.Digits(train=False, transform=transforms.ToTensor(),
                           target_transform=lambda t: t + 100)[0]
    assert x.shape == (1, 8, 8) and x.dtype == ember.float32 and y >= 100


def test_digits_dataloader_grid_like_the_seed():
    # the seed's flow: a shuffled DataLoader batch, shown as a grid and saved
    from ember.utils.data import DataLoader
    from ember.vision.utils import make_grid
    tf = transforms.Compose([transforms.Grayscale(num_output_channels=3), transforms.ToTensor()])
    ds = datasets.Digits(transform=tf)
    ember.manual_seed(0)
    images, labels = next(iter(DataLoader(ds, batch_size=16, shuffle=True)))
    assert images.shape == (16, 3, 8, 8) and labels.dtype == ember.int64
    torch.manual_seed(0)
    order = torch.utils.data.DataLoader(torch.from_numpy(ds.targets.numpy()), batch_size=16,
                                        shuffle=True)
    assert labels.tolist() == next(iter(order)).tolist()    # same shuffle as torch's
    grid = make_grid(images, padding=10)
    assert grid.shape == (3, 2 * (8 + 10) + 10, 8 * (8 + 10) + 10)    # 2 rows of 8


def test_emnist_split_files(tmp_path):
    raw = tmp_path / "EMNIST" / "raw"
    os.makedirs(raw)
    rng = np.random.default_rng(3)
    imgs = rng.integers(0, 256, (4, 28, 28), dtype=np.uint8)
    labels = np.array([1, 5, 26, 3], np.uint8)
    (raw / "emnist-letters-train-images-idx3-ubyte").write_bytes(_idx(imgs))
    (raw / "emnist-letters-train-labels-idx1-ubyte").write_bytes(_idx(labels))
    ds = datasets.EMNIST(str(tmp_path), split="letters")
    assert len(ds) == 4 and ds.classes[26] == "z" and ds[2][1] == 26
    np.testing.assert_array_equal(np.array(ds[0][0]), imgs[0])
    with pytest.raises(RuntimeError, match="emnist-letters-test-images-idx3-ubyte"):
        datasets.EMNIST(str(tmp_path), split="letters", train=False)
    with pytest.raises(ValueError, match="Unknown value 'abc' for argument split"):
        datasets.EMNIST(str(tmp_path), split="abc")


def test_svhn_mat_splits(tmp_path, monkeypatch):
    sio = pytest.importorskip("scipy.io")
    rng = np.random.default_rng(4)
    ref = {}
    for split, n in (("train", 3), ("test", 2), ("extra", 4)):
        x = rng.integers(0, 256, (32, 32, 3, n), dtype=np.uint8)      # MATLAB's (H, W, C, N)
        y = rng.integers(1, 11, (n, 1)).astype(np.uint8)
        y[0, 0] = 10                                                  # the digit 0 is stored as 10
        sio.savemat(str(tmp_path / f"{split}_32x32.mat"), {"X": x, "y": y})
        ref[split] = (x, y)
    for split, (x, y) in ref.items():
        ds = datasets.SVHN(str(tmp_path), split=split)
        assert len(ds) == x.shape[3] and ds.data.shape == (x.shape[3], 3, 32, 32)
        assert ds.labels.dtype == np.int64 and ds.labels.tolist() == (y[:, 0] % 10).tolist()
        img, target = ds[1]
        assert isinstance(img, Image.Image) and img.mode == "RGB" and img.size == (32, 32)
        np.testing.assert_array_equal(np.array(img), x[:, :, :, 1])
        assert target == int(y[1, 0]) % 10 and isinstance(target, int)
        assert ds[0][1] == 0 and ds.targets is ds.labels and ds.class_to_idx["7"] == 7
    x, t = datasets.SVHN(str(tmp_path), split="test", transform=transforms.ToTensor(),
                         target_transform=lambda v: v + 100)[1]
    assert x.shape == (3, 32, 32) and t >= 100
    np.testing.assert_array_equal(x.numpy(),
                                  ref["test"][0][:, :, :, 1].transpose(2, 0, 1) / np.float32(255))
    assert "Split: extra" in repr(datasets.SVHN(str(tmp_path), split="extra"))
    with pytest.raises(ValueError, match="Unknown value 'val' for argument split"):
        datasets.SVHN(str(tmp_path), split="val")
    os.remove(tmp_path / "extra_32x32.mat")
    with pytest.raises(RuntimeError, match="extra_32x32.mat"):
        datasets.SVHN(str(tmp_path), split="extra")

    def offline(*args, **kwargs):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(RuntimeError, match="(?s)Could not download SVHN.*extra_32x32.mat"):
        datasets.SVHN(str(tmp_path), split="extra", download=True)
    monkeypatch.setitem(sys.modules, "scipy", None)
    monkeypatch.setitem(sys.modules, "scipy.io", None)
    with pytest.raises(ImportError, match="scipy"):
        datasets.SVHN(str(tmp_path), split="train")
