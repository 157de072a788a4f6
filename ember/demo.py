"""`ember demo`: train a small CNN on the bundled 8x8 digits, offline, in the seed's idiom.

Trains, reports the held-out test accuracy, saves and reloads a checkpoint, and writes a PNG
grid of test predictions and the loss/accuracy curves into --out (default ./ember-demo).
tqdm, Pillow and matplotlib are used when installed; without them the demo still runs.
"""

from __future__ import annotations

import argparse
import csv
import os
import struct
import sys
import time
import zlib

import ember
import ember.nn as nn
from ember.utils.data import DataLoader, TensorDataset
from ember.vision.datasets import Digits
from ember.vision.utils import make_grid, save_image

DEFAULT_EPOCHS, BATCH_SIZE, LR = 10, 32, 0.003


class Net(nn.Module):
    """Two conv blocks and a linear classifier: 1x8x8 -> 32x4x4 -> 64x2x2 -> 10."""

    def __init__(self) -> None:
        super().__init__()
        # Batch-norm and dropout: without them the net overfits the 1,438 digits (~92% test).
        self.conv1 = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
                                   nn.MaxPool2d(2))
        self.conv2 = nn.Sequential(nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64),
                                   nn.ReLU(), nn.MaxPool2d(2))
        self.dropout = nn.Dropout(0.3)
        self.fc = nn.Linear(64 * 2 * 2, 10)

    def forward(self, x: ember.Tensor) -> ember.Tensor:
        x = self.conv2(self.conv1(x))
        return self.fc(self.dropout(x.view(x.size(0), -1)))


def _tensors(train: bool) -> TensorDataset:
    # The digits' uint8 tensors directly (ToTensor's /255), so a fresh install needs no Pillow.
    ds = Digits(train=train)
    return TensorDataset(ds.data.unsqueeze(1).float() / 255, ds.targets)


class _TextBar:
    """A minimal stand-in for tqdm(iterable, desc=...) with set_postfix, on stderr."""

    def __init__(self, iterable, desc: str) -> None:
        self.iterable, self.desc, self.postfix = iterable, desc, ""
        self.total, self.n, self.tty = len(iterable), 0, sys.stderr.isatty()

    def __iter__(self):
        for item in self.iterable:
            yield item
            self.n += 1
            if self.tty:        # redraw in place; a log file gets only the finished bar
                self._draw("\r")
        self._draw("\r" if self.tty else "")
        sys.stderr.write("\n")

    def set_postfix(self, **kw) -> None:
        self.postfix = ", ".join(f"{k}={v}" for k, v in kw.items())

    def _draw(self, lead: str) -> None:
        done = 30 * self.n // max(self.total, 1)
        sys.stderr.write(f"{lead}{self.desc}: |{'#' * done}{' ' * (30 - done)}| "
                         f"{self.n}/{self.total} [{self.postfix}]")
        sys.stderr.flush()


def _progress(iterable, desc: str):
    try:
        from tqdm import tqdm
    except ImportError:
        return _TextBar(iterable, desc)
    return tqdm(iterable, desc=desc, unit="batch", leave=True)


def evaluate(model: nn.Module, loader: DataLoader, device: ember.device) -> ember.Tensor:
    """The model's predicted labels for every sample of `loader`, in order."""
    model.eval()
    preds = []
    with ember.no_grad():
        for x, _ in loader:
            out = model(x.to(device))
            _, pred = ember.max(out, dim=1)
            preds.append(pred.cpu())
    return ember.cat(preds)


def _write_png(path: str, rgb) -> None:
    # Without Pillow: an 8-bit RGB PNG by hand (signature, IHDR, one zlib IDAT, IEND).
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[i].tobytes() for i in range(h))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def save_predictions(images: ember.Tensor, preds: ember.Tensor, labels: ember.Tensor,
                     out_dir: str) -> str:
    """A grid of test images (upscaled 4x) labelled with the predictions; returns a line to
    print."""
    pad, scale, nrow = 12, 4, 8
    big = nn.functional.interpolate(images, scale_factor=scale, mode="nearest")
    path = os.path.join(out_dir, "predictions.png")
    try:
        from PIL import Image, ImageDraw
    except ImportError:             # save_image needs Pillow: write the grid's PNG by hand
        note = "Pillow is not installed, so the labels are in predictions.txt only"
        grid = make_grid(big, nrow=nrow, padding=pad, pad_value=1.0)
        _write_png(path, grid.mul(255).add(0.5).clamp(0, 255).permute(1, 2, 0)
                   .to(ember.uint8).numpy())
    else:
        note = "labels: green right, red wrong; also in predictions.txt"
        save_image(big, path, nrow=nrow, padding=pad, pad_value=1.0)
        img = Image.open(path).convert("RGB")
        draw, cell = ImageDraw.Draw(img), 8 * scale + pad
        for k, (p, t) in enumerate(zip(preds.tolist(), labels.tolist())):
            xy = ((k % nrow) * cell + pad, (k // nrow) * cell)   # in the padding above the digit
            draw.text(xy, str(p), fill=(0, 128, 0) if p == t else (220, 0, 0))
        img.save(path)
    with open(os.path.join(out_dir, "predictions.txt"), "w") as f:
        f.write("predicted/true label of each image in predictions.png, row by row\n")
        for r in range(0, len(preds), nrow):
            f.write(" ".join(f"{p}/{t}" for p, t in zip(preds[r:r + nrow].tolist(),
                                                        labels[r:r + nrow].tolist())) + "\n")
    return f"predictions: {path} ({note})"


def save_curves(history: list[dict], out_dir: str) -> str:
    """curves.csv always; curves.png when matplotlib is installed. Returns a line to print."""
    csv_path = os.path.join(out_dir, "curves.csv")
    with open(csv_path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(history[0]))
        writer.writeheader()
        writer.writerows(history)
    try:
        import matplotlib
        matplotlib.use("Agg")       # no display needed
        import matplotlib.pyplot as plt
    except ImportError:
        return (f"curves: matplotlib is not installed (pip install 'ember[plot]'), so no plot; "
                f"the numbers are in {csv_path}")
    epochs = [h["epoch"] for h in history]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.5))
    ax1.plot(epochs, [h["train_loss"] for h in history], marker="o")
    ax1.set(xlabel="epoch", ylabel="train loss", title="loss")
    ax2.plot(epochs, [h["train_acc"] for h in history], marker="o", label="train")
    ax2.plot(epochs, [h["test_acc"] for h in history], marker="o", label="test")
    ax2.set(xlabel="epoch", ylabel="accuracy (%)", title="accuracy")
    ax2.legend()
    fig.tight_layout()
    png = os.path.join(out_dir, "curves.png")
    fig.savefig(png)
    plt.close(fig)
    return f"curves: {png} (numbers in {csv_path})"


def _device(name: str) -> ember.device:
    if name == "auto":
        return ember.device("cuda" if ember.cuda.is_available() else "cpu")
    if name == "cuda" and not ember.cuda.is_available():
        raise SystemExit("ember demo: --device cuda, but CUDA is not available here "
                         "(use --device cpu or auto)")
    return ember.device(name)


def main(argv: list[str] | None = None) -> int:
    """Run the demo; returns 0 when the reloaded checkpoint reproduces the predictions."""
    parser = argparse.ArgumentParser(prog="ember demo", description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=DEFAULT_EPOCHS)
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    parser.add_argument("--out", default="ember-demo", help="output folder (./ember-demo)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.epochs < 1:
        parser.error("--epochs must be at least 1")

    ember.manual_seed(args.seed)
    device = _device(args.device)
    os.makedirs(args.out, exist_ok=True)
    train_set, test_set = _tensors(True), _tensors(False)
    train_loader = DataLoader(train_set, batch_size=BATCH_SIZE, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=256)
    labels = test_set.tensors[1]
    print(f"ember {ember.__version__} on {device}: {len(train_set)} training and "
          f"{len(test_set)} test digits (8x8), {args.epochs} epochs")

    model = Net().to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = ember.optim.Adam(model.parameters(), lr=LR)
    scheduler = ember.optim.lr_scheduler.StepLR(optimizer, step_size=4, gamma=0.3)
    history, start = [], time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        model.train()
        total_loss, correct, seen = 0.0, 0, 0
        bar = _progress(train_loader, desc=f"epoch {epoch}/{args.epochs}")
        for x, y in bar:
            x, y = x.to(device), y.to(device)
            out = model(x)
            loss = criterion(out, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            _, pred = ember.max(out, dim=1)
            total_loss += loss.item() * y.size(0)
            correct += (pred == y).sum().item()
            seen += y.size(0)
            bar.set_postfix(loss=f"{total_loss / seen:.4f}", acc=f"{100 * correct / seen:.1f}%")
        scheduler.step()
        preds = evaluate(model, test_loader, device)
        test_acc = 100 * (preds == labels).float().mean().item()
        history.append({"epoch": epoch, "train_loss": round(total_loss / seen, 4),
                        "train_acc": round(100 * correct / seen, 2),
                        "test_acc": round(test_acc, 2)})
        print(f"epoch {epoch}: loss {total_loss / seen:.4f}, train accuracy "
              f"{100 * correct / seen:.2f}%, test accuracy {test_acc:.2f}%")
    n_right = int((preds == labels).sum())
    print(f"test accuracy: {100 * n_right / len(labels):.2f}% ({n_right}/{len(labels)}) "
          f"after {time.perf_counter() - start:.1f}s")

    ckpt = os.path.join(args.out, "digits_cnn.pt")
    ember.save(model.state_dict(), ckpt)
    fresh = Net().to(device)        # the class must be defined to load a state_dict into
    fresh.load_state_dict(ember.load(ckpt, map_location=device))
    same = ember.equal(evaluate(fresh, test_loader, device), preds)
    print(f"checkpoint: {ckpt} reloaded into a fresh model: "
          f"{'identical test predictions' if same else 'PREDICTIONS DIFFER'}")

    shown = min(64, len(test_set))
    print(save_predictions(test_set.tensors[0][:shown], preds[:shown], labels[:shown], args.out))
    print(save_curves(history, args.out))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
