"""ember.vision.utils: make_grid against hand-built grids, save_image bytes against the PNG that
PIL writes for torchvision's uint8 conversion (done with real torch ops), draw_bounding_boxes,
imshow (matplotlib replaced by a recording stub)."""

import io
import sys
import types

import numpy as np
import pytest
import torch
from PIL import Image

import ember
import ember.vision as tv
from ember.vision.utils import make_grid, save_image


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def _hand_grid(batch: np.ndarray, nrow: int, padding: int, pad_value: float) -> np.ndarray:
    """The layout torchvision documents: `padding` pixels before every tile and after the last."""
    b, c, h, w = batch.shape
    cols = min(nrow, b)
    rows = -(-b // cols)
    out = np.full((c, rows * (h + padding) + padding, cols * (w + padding) + padding), pad_value,
                  dtype=batch.dtype)
    for k in range(b):
        r, q = divmod(k, cols)
        y, x = padding + r * (h + padding), padding + q * (w + padding)
        out[:, y:y + h, x:x + w] = batch[k]
    return out


def _torch_norm(a: np.ndarray, lo, hi) -> np.ndarray:
    # torchvision's norm_ip written with torch ops: clamp_, sub_, div_(max(hi - lo, 1e-5))
    t = torch.from_numpy(a.copy())
    t.clamp_(min=lo, max=hi)
    t.sub_(lo).div_(max(hi - lo, 1e-5))
    return t.numpy()


@pytest.mark.parametrize("b,nrow,padding,pad_value", [
    (5, 2, 1, 0.0), (4, 8, 2, 0.5), (7, 3, 0, 1.0), (3, 1, 10, 0.25), (2, 2, 3, -1.0)])
def test_make_grid_layout(b, nrow, padding, pad_value):
    x = _rand(b, 3, 4, 5, seed=b)
    got = make_grid(ember.from_numpy(x), nrow=nrow, padding=padding, pad_value=pad_value)
    np.testing.assert_array_equal(got.numpy(), _hand_grid(x, nrow, padding, pad_value))


def test_make_grid_normalize_global_and_value_range():
    x = _rand(4, 3, 3, 3, seed=1)
    got = make_grid(ember.from_numpy(x), nrow=2, normalize=True)
    ref = _hand_grid(_torch_norm(x, float(x.min()), float(x.max())), 2, 2, 0.0)
    np.testing.assert_array_equal(got.numpy(), ref)
    got = make_grid(ember.from_numpy(x), nrow=3, normalize=True, value_range=(-0.5, 0.5))
    np.testing.assert_array_equal(got.numpy(), _hand_grid(_torch_norm(x, -0.5, 0.5), 3, 2, 0.0))
    assert np.array_equal(x, _rand(4, 3, 3, 3, seed=1))     # input untouched


def test_make_grid_scale_each():
    x = _rand(3, 3, 2, 4, seed=2)
    x[1] *= 10
    got = make_grid(ember.from_numpy(x), nrow=3, padding=1, normalize=True, scale_each=True)
    per = np.stack([_torch_norm(x[i], float(x[i].min()), float(x[i].max())) for i in range(3)])
    np.testing.assert_array_equal(got.numpy(), _hand_grid(per, 3, 1, 0.0))
    got = make_grid(ember.from_numpy(x), normalize=True, scale_each=True, value_range=(0.0, 1.0))
    np.testing.assert_array_equal(got.numpy(), _hand_grid(_torch_norm(x, 0.0, 1.0), 8, 2, 0.0))


def test_make_grid_one_channel_list_and_single_images():
    x = _rand(3, 1, 4, 4, seed=3)
    got = make_grid(ember.from_numpy(x), nrow=2)
    np.testing.assert_array_equal(got.numpy(), _hand_grid(np.repeat(x, 3, axis=1), 2, 2, 0.0))
    lst = [ember.from_numpy(x[i]) for i in range(3)]
    np.testing.assert_array_equal(make_grid(lst, nrow=2).numpy(), got.numpy())
    # a single 2-D or 1-channel 3-D image: three identical channels, no padding
    img = ember.from_numpy(x[0, 0])
    assert make_grid(img).shape == (3, 4, 4)
    np.testing.assert_array_equal(make_grid(img).numpy(), np.repeat(x[0], 3, axis=0))
    np.testing.assert_array_equal(make_grid(ember.from_numpy(x[0])).numpy(),
                                  np.repeat(x[0], 3, axis=0))
    # a batch of one keeps its channels and is returned without a border
    rgb = _rand(1, 3, 2, 2)
    np.testing.assert_array_equal(make_grid(ember.from_numpy(rgb), padding=5).numpy(), rgb[0])
    assert make_grid(ember.zeros(2, 3, 2, 2, dtype=ember.uint8)).dtype == ember.uint8


def test_make_grid_errors():
    with pytest.raises(TypeError, match="tensor or list of tensors expected"):
        make_grid(np.zeros((2, 3, 4, 4)))
    with pytest.raises(TypeError, match="list containing"):
        make_grid([ember.zeros(3, 2, 2), np.zeros((3, 2, 2))])
    with pytest.raises(TypeError, match="value_range has to be a tuple"):
        make_grid(ember.zeros(2, 3, 2, 2), normalize=True, value_range=[0, 1])


def _expected_png(grid: np.ndarray, **save_kw) -> bytes:
    # torchvision's save_image conversion, run with torch itself, then the same PIL call
    nd = (torch.from_numpy(grid).mul(255).add_(0.5).clamp_(0, 255).permute(1, 2, 0)
          .to("cpu", torch.uint8).numpy())
    buf = io.BytesIO()
    Image.fromarray(nd).save(buf, **save_kw)
    return buf.getvalue()


@pytest.mark.parametrize("kw", [{}, {"nrow": 4, "padding": 0, "normalize": True},
                                {"nrow": 2, "padding": 3, "pad_value": 1.0}])
def test_save_image_bytes(kw, tmp_path):
    x = np.random.default_rng(7).random((5, 3, 6, 5), dtype=np.float32) * 1.2 - 0.1
    src = _torch_norm(x, float(x.min()), float(x.max())) if kw.get("normalize") else x
    ref_grid = _hand_grid(src, kw.get("nrow", 8), kw.get("padding", 2), kw.get("pad_value", 0.0))
    want = _expected_png(ref_grid, format="PNG")
    buf = io.BytesIO()
    save_image(ember.from_numpy(x), buf, format="png", **kw)
    assert buf.getvalue() == want
    path = tmp_path / "grid.png"
    save_image(ember.from_numpy(x), str(path), **kw)
    assert path.read_bytes() == want


def test_save_image_gray_single_and_grad(tmp_path):
    x = ember.rand(1, 1, 5, 7, requires_grad=True)
    path = tmp_path / "g.png"
    save_image(x, path)
    im = Image.open(path)
    assert im.mode == "RGB" and im.size == (7, 5)
    want = np.clip(np.floor(x.detach().numpy()[0, 0] * 255 + 0.5), 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(np.array(im)[:, :, 1], want)


def test_draw_bounding_boxes():
    img = ember.zeros(3, 10, 12, dtype=ember.uint8)
    boxes = ember.tensor([[1, 2, 6, 8]])
    out = tv.utils.draw_bounding_boxes(img, boxes, colors="red", width=1)
    a = out.numpy()
    assert out.dtype == ember.uint8 and out.shape == (3, 10, 12)
    assert (a[:, 2, 1:7] == np.array([255, 0, 0])[:, None]).all()        # top edge
    assert (a[:, 2:9, 6] == np.array([255, 0, 0])[:, None]).all()        # right edge
    assert (a[:, 4:7, 3:5] == 0).all()                                   # inside untouched
    assert img.numpy().sum() == 0
    with pytest.raises(ValueError, match="xmin, ymin, xmax, ymax"):
        tv.utils.draw_bounding_boxes(img, ember.tensor([[5, 5, 1, 1]]))
    with pytest.raises(ValueError, match="Pass individual images"):
        tv.utils.draw_bounding_boxes(img[None], boxes)
    # default colours: torchvision's palette i * (2**25 - 1, 2**15 - 1, 2**21 - 1) % 255
    two = tv.utils.draw_bounding_boxes(img, ember.tensor([[0, 0, 3, 3], [5, 5, 9, 9]]))
    assert two.numpy()[:, 0, 0].tolist() == [0, 0, 0]
    assert two.numpy()[:, 5, 5].tolist() == [(2**25 - 1) % 255, (2**15 - 1) % 255,
                                             (2**21 - 1) % 255]


def test_draw_segmentation_masks_matches_torch_blend():
    rng = np.random.default_rng(5)
    img = rng.integers(0, 256, (3, 4, 5), dtype=np.uint8)
    masks = rng.random((2, 4, 5)) > 0.5
    got = tv.utils.draw_segmentation_masks(ember.from_numpy(img), ember.from_numpy(masks),
                                           alpha=0.3, colors=["red", (0, 0, 255)])
    # torchvision's recipe with torch ops: paint each mask, black where they overlap, blend
    t = torch.from_numpy(img)
    draw = t.clone()
    for m, c in zip(torch.from_numpy(masks), [(255, 0, 0), (0, 0, 255)]):
        draw[:, m] = torch.tensor(c, dtype=torch.uint8)[:, None]
    draw[:, torch.from_numpy(masks).sum(dim=0) > 1] = 0
    want = (t * (1 - 0.3) + draw * 0.3).to(torch.uint8)
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    with pytest.raises(ValueError, match="dtype bool"):
        tv.utils.draw_segmentation_masks(ember.from_numpy(img), ember.zeros(4, 5))


@pytest.fixture
def fake_plt(monkeypatch):
    shown = []

    class Ax:
        def imshow(self, arr, **kw):
            shown.append((arr, kw))
            return "image"

    plt = types.ModuleType("matplotlib.pyplot")
    plt.gca = lambda: Ax()
    mpl = types.ModuleType("matplotlib")
    mpl.pyplot = plt
    monkeypatch.setitem(sys.modules, "matplotlib", mpl)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", plt)
    return shown


def test_imshow_layouts(fake_plt):
    from ember.vision.utils import imshow
    x = ember.rand(3, 4, 5, requires_grad=True)
    assert imshow(x) == "image"
    arr, _ = fake_plt[-1]
    assert arr.shape == (4, 5, 3)
    np.testing.assert_array_equal(arr, np.transpose(x.detach().numpy(), (1, 2, 0)))
    batch = ember.rand(6, 1, 4, 4)
    imshow(batch)
    arr, _ = fake_plt[-1]
    np.testing.assert_array_equal(arr, np.transpose(make_grid(batch).numpy(), (1, 2, 0)))
    imshow(ember.rand(1, 4, 4))
    arr, kw = fake_plt[-1]
    assert arr.shape == (4, 4) and kw["cmap"] == "gray"


def test_imshow_and_save_image_cuda_tensors(fake_plt, monkeypatch, tmp_path):
    # a GPU batch that requires grad (tests/fake_cupy.py stands in for CuPy)
    import fake_cupy

    from ember.vision.utils import imshow
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    fake_cupy.install(monkeypatch, n_devices=1)
    try:
        host = ember.rand(4, 3, 5, 6)
        x = host.cuda().requires_grad_()
        imshow(x)
        arr, _ = fake_plt[-1]
        assert type(arr) is np.ndarray
        np.testing.assert_array_equal(arr, np.transpose(make_grid(host).numpy(), (1, 2, 0)))
        imshow(x[0])
        np.testing.assert_array_equal(fake_plt[-1][0], np.transpose(host[0].numpy(), (1, 2, 0)))
        assert make_grid(x, nrow=2).is_cuda
        save_image(x, tmp_path / "gpu.png", nrow=2)
        save_image(host, tmp_path / "cpu.png", nrow=2)
        assert (tmp_path / "gpu.png").read_bytes() == (tmp_path / "cpu.png").read_bytes()
    finally:
        fake_cupy.reset()


def test_imshow_without_matplotlib(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"ember\[plot\]"):
        tv.utils.imshow(ember.rand(3, 2, 2))


def test_import_as_torchvision():
    import ember.vision as torchvision
    assert torchvision.utils.make_grid is make_grid
    assert hasattr(torchvision.transforms, "ToTensor") and hasattr(torchvision.datasets, "MNIST")
    assert isinstance(torchvision.models.resnet18(num_classes=2), torchvision.models.ResNet)
    with pytest.raises(NotImplementedError, match="densenet121"):
        torchvision.models.densenet121()
