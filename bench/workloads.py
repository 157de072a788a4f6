"""Benchmark workloads (issue 8): each takes the library module (ember or torch) and returns a
Workload: a callable running one repetition, how many units it does, and the unit.

Units ending in "/s" are throughputs (value = per / median time); the others are times per unit
(µs or ms). A workload with `direct` set measures itself (subprocesses) and returns the value.
Both libraries get the same inputs (seeded NumPy) and the same weights (torch's, copied).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from typing import NamedTuple

import numpy as np


class Workload(NamedTuple):
    """One repetition's callable, the units it processes, and the unit's name."""

    run: Callable[[], object]
    per: float
    unit: str


def _is_torch(lib) -> bool:
    return lib.__name__ == "torch"


def _arr(lib, a: np.ndarray):
    """A library tensor holding a copy of a NumPy array (same dtype)."""
    return lib.from_numpy(np.array(a, copy=True))


def _same_weights(lib, model) -> None:
    """Give an ember model the weights torch's freshly seeded copy has (same work for both)."""
    if _is_torch(lib):
        return
    try:
        import torch
    except ImportError:         # no oracle: ember's own seeded init
        return
    torch.manual_seed(0)
    ref = _MODELS[model._bench_name](torch)
    sd = {k: _arr(lib, v.detach().numpy()) for k, v in ref.state_dict().items()}
    model.load_state_dict(sd)


def _build(lib, name: str, copy: bool = True):
    lib.manual_seed(0)
    model = _MODELS[name](lib)
    model._bench_name = name
    if copy:                # the RSS probes skip it: importing torch would count its memory
        _same_weights(lib, model)
    return model


# ---- models -----------------------------------------------------------------------------------
def mnist_net(lib):
    """pytorch/examples' MNIST Net, written once for either library (bench, gpu_check, tests)."""
    nn, F = lib.nn, lib.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 32, 3, 1)
            self.conv2 = nn.Conv2d(32, 64, 3, 1)
            self.dropout1 = nn.Dropout(0.25)
            self.dropout2 = nn.Dropout(0.5)
            self.fc1 = nn.Linear(9216, 128)
            self.fc2 = nn.Linear(128, 10)

        def forward(self, x):
            x = F.relu(self.conv1(x))
            x = F.relu(self.conv2(x))
            x = F.max_pool2d(x, 2)
            x = self.dropout1(x)
            x = lib.flatten(x, 1)
            x = F.relu(self.fc1(x))
            x = self.dropout2(x)
            return F.log_softmax(self.fc2(x), dim=1)
    return Net()


def _mlp(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                         nn.Linear(512, 10))


def resnet18(lib, width: int = 64, num_classes: int = 10):
    """ResNet-18 for CIFAR (3x3 stem, no max-pool), written once for either library."""
    nn, F = lib.nn, lib.nn.functional

    class BasicBlock(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.shortcut = nn.Sequential()
            if stride != 1 or cin != cout:
                self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                              nn.BatchNorm2d(cout))

        def forward(self, x):
            out = F.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            return F.relu(out + self.shortcut(x))

    class ResNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, width, 3, 1, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(width)
            layers, cin = [], width
            for i, stride in enumerate((1, 2, 2, 2)):
                cout = width * 2 ** i
                layers += [BasicBlock(cin, cout, stride), BasicBlock(cout, cout, 1)]
                cin = cout
            self.layers = nn.Sequential(*layers)
            self.linear = nn.Linear(cin, num_classes)

        def forward(self, x):
            out = self.layers(F.relu(self.bn1(self.conv1(x))))
            out = F.adaptive_avg_pool2d(out, 1)
            return self.linear(lib.flatten(out, 1))
    return ResNet()


def _lstm_lm(lib):
    """word_language_model's RNNModel: Embedding(10000, 200), 2-layer LSTM 200, Linear decoder."""
    nn = lib.nn

    class LM(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = nn.Embedding(10000, 200)
            self.rnn = nn.LSTM(200, 200, 2)
            self.decoder = nn.Linear(200, 10000)

        def forward(self, x, hidden):
            out, hidden = self.rnn(self.encoder(x), hidden)
            return self.decoder(out), hidden
    return LM()


def _transformer(lib):
    nn = lib.nn

    class Enc(nn.Module):
        def __init__(self):
            super().__init__()
            layer = nn.TransformerEncoderLayer(128, 4, batch_first=True)
            self.enc = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
            self.head = nn.Linear(128, 128)

        def forward(self, x):
            return self.head(self.enc(x))
    return Enc()


_MODELS = {"mnist": mnist_net, "mlp": _mlp, "resnet18": resnet18, "lstm": _lstm_lm,
           "transformer": _transformer}


# ---- 1, 2: tiny-tensor overhead ---------------------------------------------------------------
def per_op_overhead(lib) -> Workload:
    """2,000 chained `y = y * 1.0001 + 0.0001` on 10 elements, then backward (µs per op)."""
    x = lib.ones(10, requires_grad=True)

    def run():
        y = x
        for _ in range(2000):
            y = y * 1.0001 + 0.0001
        y.sum().backward()
    return Workload(run, 4000, "µs/op")


def seed_regression(lib) -> Workload:
    """The seed's regression net: Linear(1,10)-ReLU-Linear(10,1), SGD lr 0.2, MSE, 200 epochs."""
    nn = lib.nn
    lib.manual_seed(1)
    x = lib.unsqueeze(lib.linspace(-1, 1, 100), dim=1)
    y = x.pow(2) + 0.2 * lib.rand(x.size())

    def run():
        net = nn.Sequential(nn.Linear(1, 10), nn.ReLU(), nn.Linear(10, 1))
        opt = lib.optim.SGD(net.parameters(), lr=0.2)
        loss_fn = nn.MSELoss()
        for _ in range(200):
            loss = loss_fn(net(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
    return Workload(run, 1, "ms/200 epochs")


# ---- 3: MNIST Net -----------------------------------------------------------------------------
def _mnist_batch(lib, batch=64):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, batch)
    return _arr(lib, x), _arr(lib, y)


def mnist_train_step(lib, model, opt, x, y) -> None:
    """One pytorch/examples training step (shared by the bench and the RSS probes)."""
    opt.zero_grad()
    loss = lib.nn.functional.nll_loss(model(x), y)
    loss.backward()
    opt.step()


def mnist_train(lib, steps: int = 4) -> Workload:
    """MNIST Net, batch 64, Adadelta lr 1.0: training images/s."""
    model = _build(lib, "mnist")
    model.train()
    opt = lib.optim.Adadelta(model.parameters(), lr=1.0)
    x, y = _mnist_batch(lib)

    def run():
        for _ in range(steps):
            mnist_train_step(lib, model, opt, x, y)
    return Workload(run, steps * 64, "images/s")


def mnist_infer(lib, steps: int = 10) -> Workload:
    """MNIST Net, batch 64, eval() + no_grad: inference images/s."""
    model = _build(lib, "mnist")
    model.eval()
    x, _ = _mnist_batch(lib)

    def run():
        with lib.no_grad():
            for _ in range(steps):
                model(x)
    return Workload(run, steps * 64, "images/s")


# ---- 4: MLP -----------------------------------------------------------------------------------
def mlp_adam(lib, steps: int = 20) -> Workload:
    """MLP 784-512-512-10, CrossEntropyLoss, Adam lr 1e-3, batch 128: steps/s."""
    model = _build(lib, "mlp")
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = lib.nn.CrossEntropyLoss()
    rng = np.random.default_rng(1)
    x = _arr(lib, rng.standard_normal((128, 784), dtype=np.float32))
    y = _arr(lib, rng.integers(0, 10, 128))

    def run():
        for _ in range(steps):
            opt.zero_grad()
            loss_fn(model(x), y).backward()
            opt.step()
    return Workload(run, steps, "steps/s")


# ---- 5: ResNet-18 -----------------------------------------------------------------------------
def resnet18_train(lib) -> Workload:
    """ResNet-18 (CIFAR, BatchNorm), batch 32, SGD momentum 0.9: training images/s."""
    model = _build(lib, "resnet18")
    model.train()
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = lib.nn.CrossEntropyLoss()
    rng = np.random.default_rng(2)
    x = _arr(lib, rng.standard_normal((32, 3, 32, 32), dtype=np.float32))
    y = _arr(lib, rng.integers(0, 10, 32))

    def run():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    return Workload(run, 32, "images/s")


resnet18_train.repeat = 5           # ~1 s a step: fewer repeats keep the suite under 3 minutes


# ---- 6: LSTM language model -------------------------------------------------------------------
def lstm_lm_train(lib, steps: int = 2) -> Workload:
    """2-layer LSTM LM (emb 200, hidden 200, vocab 10,000), seq 35, batch 20, SGD, clip 0.25."""
    model = _build(lib, "lstm")
    model.train()
    opt = lib.optim.SGD(model.parameters(), lr=20.0)
    loss_fn = lib.nn.CrossEntropyLoss()
    rng = np.random.default_rng(3)
    data = _arr(lib, rng.integers(0, 10000, (35, 20)))
    target = _arr(lib, rng.integers(0, 10000, 35 * 20))

    def run():
        hidden = (lib.zeros(2, 20, 200), lib.zeros(2, 20, 200))
        for _ in range(steps):
            hidden = tuple(h.detach() for h in hidden)
            opt.zero_grad()
            out, hidden = model(data, hidden)
            loss_fn(out.view(-1, 10000), target).backward()
            lib.nn.utils.clip_grad_norm_(model.parameters(), 0.25)
            opt.step()
    return Workload(run, steps * 35 * 20, "tokens/s")


# ---- 7: TransformerEncoder --------------------------------------------------------------------
def transformer_train(lib, steps: int = 3) -> Workload:
    """2-layer TransformerEncoder (d_model 128, 4 heads, ff 2048), seq 64, batch 16, Adam."""
    model = _build(lib, "transformer")
    model.train()
    opt = lib.optim.Adam(model.parameters(), lr=1e-4)
    rng = np.random.default_rng(4)
    x = _arr(lib, rng.standard_normal((16, 64, 128), dtype=np.float32))
    t = _arr(lib, rng.standard_normal((16, 64, 128), dtype=np.float32))

    def run():
        for _ in range(steps):
            opt.zero_grad()
            lib.nn.functional.mse_loss(model(x), t).backward()
            opt.step()
    return Workload(run, steps, "steps/s")


# ---- 8: DataLoader ----------------------------------------------------------------------------
_MEAN, _STD = (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)


class _PILDataset:
    """N random 32x32 RGB PIL images with int labels, through a transform."""

    def __init__(self, n: int, transform):
        from PIL import Image
        rng = np.random.default_rng(5)
        arrs = rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8)
        self.images = [Image.fromarray(a) for a in arrs]
        self.labels = rng.integers(0, 10, n).tolist()
        self.transform = transform

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, i):
        return self.transform(self.images[i]), self.labels[i]


def _torch_transform():
    """torchvision's ToTensor + Normalize (F.to_tensor, F.normalize) transcribed op for op in
    torch: torchvision is not installed, and ember.vision mirrors these same functions."""
    import torch

    def to_tensor(pic):
        img = torch.from_numpy(np.array(pic, np.uint8, copy=True))
        img = img.view(pic.size[1], pic.size[0], len(pic.getbands()))
        img = img.permute((2, 0, 1)).contiguous()
        return img.to(dtype=torch.get_default_dtype()).div(255)

    def normalize(tensor, mean, std):
        if not tensor.is_floating_point():
            raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
        tensor = tensor.clone()
        mean = torch.as_tensor(mean, dtype=tensor.dtype, device=tensor.device)
        std = torch.as_tensor(std, dtype=tensor.dtype, device=tensor.device)
        if (std == 0).any():
            raise ValueError("std evaluated to zero, leading to division by zero.")
        return tensor.sub_(mean.view(-1, 1, 1)).div_(std.view(-1, 1, 1))

    return lambda img: normalize(to_tensor(img), _MEAN, _STD)


def _loader(lib, workers: int, n: int = 1280) -> Workload:
    if _is_torch(lib):
        transform = _torch_transform()
    else:
        from ember.vision import transforms as T
        transform = T.Compose([T.ToTensor(), T.Normalize(_MEAN, _STD)])
    ds = _PILDataset(n, transform)

    def run():
        loader = lib.utils.data.DataLoader(ds, batch_size=64, num_workers=workers)
        for _ in loader:
            pass
    return Workload(run, n, "images/s")


def dataloader_w0(lib) -> Workload:
    """32x32 RGB PIL -> ToTensor+Normalize, batch 64, num_workers 0 (torch: torch-op transform)."""
    return _loader(lib, 0)


def dataloader_w2(lib) -> Workload:
    """As dataloader_w0 with num_workers 2 (worker start-up included)."""
    return _loader(lib, 2, n=2560)


# ---- 9: GEMM and conv GFLOP/s -----------------------------------------------------------------
def matmul_1024(lib, reps: int = 4) -> Workload:
    """1024x1024 float32 matmul: GFLOP/s."""
    rng = np.random.default_rng(6)
    a = _arr(lib, rng.standard_normal((1024, 1024), dtype=np.float32))
    b = _arr(lib, rng.standard_normal((1024, 1024), dtype=np.float32))

    def run():
        for _ in range(reps):
            lib.matmul(a, b)
    return Workload(run, reps * 2 * 1024 ** 3 / 1e9, "GFLOP/s")


def conv3x3(lib, reps: int = 2) -> Workload:
    """conv2d 3x3 pad 1, batch 32, 64->64 channels, 32x32, forward: GFLOP/s."""
    rng = np.random.default_rng(7)
    x = _arr(lib, rng.standard_normal((32, 64, 32, 32), dtype=np.float32))
    w = _arr(lib, rng.standard_normal((64, 64, 3, 3), dtype=np.float32) * 0.05)
    flops = 2 * 32 * 64 * 64 * 9 * 32 * 32

    def run():
        for _ in range(reps):
            lib.nn.functional.conv2d(x, w, padding=1)
    return Workload(run, reps * flops / 1e9, "GFLOP/s")


def sgemm_peak(lib, reps: int = 4) -> Workload | None:
    """The machine's sgemm peak: NumPy's own 1024^2 float32 matmul (the same for both columns)."""
    if _is_torch(lib):
        return None
    rng = np.random.default_rng(6)
    a = rng.standard_normal((1024, 1024), dtype=np.float32)
    b = rng.standard_normal((1024, 1024), dtype=np.float32)

    def run():
        for _ in range(reps):
            a @ b
    return Workload(run, reps * 2 * 1024 ** 3 / 1e9, "GFLOP/s")


# ---- 10: import time and memory (subprocesses) ------------------------------------------------
def _py(code: str, threads: int) -> str:
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads))
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                       check=True, cwd=root)
    return r.stdout.strip().splitlines()[-1]


def import_time(lib, threads: int = 1, tries: int = 5) -> float:
    """`import <lib>` in a fresh interpreter, best of 5 (s)."""
    code = (f"import time; t = time.perf_counter(); import {lib.__name__}; "
            "print(time.perf_counter() - t)")
    return min(float(_py(code, threads)) for _ in range(tries))


import_time.direct = "s"


_RSS_PROBE = """
import numpy as np
import {lib} as lib
from bench.workloads import _build, _mnist_batch, mnist_train_step, current_rss, peak_rss_now
lib.set_num_threads({threads}) if hasattr(lib, "set_num_threads") else None
model = _build(lib, "mnist", copy=False); model.train()
opt = lib.optim.Adadelta(model.parameters(), lr=1.0)
x, y = _mnist_batch(lib)
steps = {steps}
first, last = [], []
# medians over two 50-step windows after a warm-up: RSS moves once by up to +-20 MB some
# seconds into a run (the kernel's khugepaged collapsing NumPy's madvised buffers into huge
# pages; seen with and without ember's malloc setting), then stays flat
w0 = min(400, steps // 2)
for i in range(steps):
    mnist_train_step(lib, model, opt, x, y)
    if w0 <= i < w0 + 50 or (steps < 100 and i == steps - 1):
        first.append(current_rss())
    if i >= steps - 50:
        last.append(current_rss())
print(peak_rss_now(), float(np.median(first)), float(np.median(last)))
"""


def peak_rss_now() -> float:
    """This process's peak RSS (MiB): VmHWM, which (unlike ru_maxrss) is not inherited from the
    parent process across fork + exec."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss() -> float:
    """Resident set size now (MiB), from /proc (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20


def peak_rss(lib, threads: int = 1) -> float:
    """Peak RSS (MiB) of a process running 10 MNIST Net training steps."""
    out = _py(_RSS_PROBE.format(lib=lib.__name__, threads=threads, steps=10), threads)
    return float(out.split()[0])


peak_rss.direct = "MiB peak"


def rss_growth(lib, threads: int = 1, steps: int = 1000) -> float:
    """RSS growth (%) of MNIST Net training from steps 400-449 to the last 50 of 1,000 (medians;
    the --leak check)."""
    out = _py(_RSS_PROBE.format(lib=lib.__name__, threads=threads, steps=steps), threads)
    _, base, end = (float(v) for v in out.split())
    return 100.0 * (end - base) / base


rss_growth.direct = "% RSS growth"


WORKLOADS = {
    "per_op_overhead": per_op_overhead,
    "seed_regression": seed_regression,
    "mnist_train": mnist_train,
    "mnist_infer": mnist_infer,
    "mlp_adam": mlp_adam,
    "resnet18_train": resnet18_train,
    "lstm_lm_train": lstm_lm_train,
    "transformer_train": transformer_train,
    "dataloader_w0": dataloader_w0,
    "dataloader_w2": dataloader_w2,
    "matmul_1024": matmul_1024,
    "conv3x3": conv3x3,
    "sgemm_peak": sgemm_peak,
    "import_time": import_time,
    "peak_rss": peak_rss,
}
SLOW = {"rss_growth": rss_growth}     # --leak
