"""The seed's tensor snippets (../shared/seed/*.txt, issue 2's "Done means"): each runs with
`torch` bound to ember and prints exactly what real torch prints and what the seed shows.

The seed's text lost its indentation (and one output lost its line breaks), so the comparison
with the seed collapses whitespace; the comparison with torch is exact. Ember prints under the
"torch" prefix here (ember._dtype.PREFIX), as it does under `ember run` / the import shim."""

import contextlib
import glob
import io
import os
import warnings

import pytest
import torch

import ember
from ember import _dtype

SNIPPETS = {
    "unsqueeze": ("""
a = torch.rand((1, 2, 3))
print(a.size())
b = torch.unsqueeze(a, 2)
print(b.size())
""", """
torch.Size([1, 2, 3])
torch.Size([1, 2, 1, 3])
"""),
    "squeeze": ("""
a = torch.rand((1, 1, 2, 3))
print(a.size())
b = torch.squeeze(a)
print(b.size())
""", """
torch.Size([1, 1, 2, 3])
torch.Size([2, 3])
"""),
    "squeeze_dim": ("""
a = torch.rand((1, 1, 2, 3))
print(a.size())
b = torch.squeeze(a, 2)
print(b.size())
c = torch.squeeze(a, 1)
print(c.size())
""", """
torch.Size([1, 1, 2, 3])
torch.Size([1, 1, 2, 3])
torch.Size([1, 2, 3])
"""),
    "view": ("""
x = torch.rand(4, 3, 5, 5)
print(x.view(x.size(0), -1).size())
print(torch.rand(3, 5, 5).unsqueeze(0).size())
""", None),
    "data_numpy": ("""
x = torch.linspace(-1, 1, 5, requires_grad=True)
y = x * 2
print(y.data.numpy(), type(y.data.numpy()).__name__, y.data.requires_grad)
print(y.detach().requires_grad)
""", None),
    "max_dim": ("""
torch.manual_seed(1)
a = torch.rand(3, 4)
value, index = torch.max(a, dim=1)
print('{}\\n{}\\n{}'.format(a, value, index))
""", """
tensor([[0.7576, 0.2793, 0.4031, 0.7347],
[0.0293, 0.7999, 0.3971, 0.7544],
[0.5695, 0.4388, 0.6387, 0.5247]])
tensor([0.7576, 0.7999, 0.6387])
tensor([0, 1, 2])
"""),
    "cat": ("""
a0 = torch.Tensor([[[[1,1,1,1],[2,2,2,2]]]])
a1 = torch.Tensor([[[[3,3,3,3],[4,4,4,4]]]])
l = []
l.append(torch.cat((a0,a1),dim=0))
l.append(torch.cat((a0,a1),dim=1))
l.append(torch.cat((a0,a1),dim=2))
l.append(torch.cat((a0,a1),dim=3))
for i in l:
    print('{}\\n{}\\n{}\\n\\n\\n'.format(i, a1.size(), i.size()))
""", """
tensor([[[[1., 1., 1., 1.],
[2., 2., 2., 2.]]],
[[[3., 3., 3., 3.],
[4., 4., 4., 4.]]]])
torch.Size([1, 1, 2, 4])
torch.Size([2, 1, 2, 4])
tensor([[[[1., 1., 1., 1.],
[2., 2., 2., 2.]],
[[3., 3., 3., 3.],
[4., 4., 4., 4.]]]])
torch.Size([1, 1, 2, 4])
torch.Size([1, 2, 2, 4])
tensor([[[[1., 1., 1., 1.],
[2., 2., 2., 2.],
[3., 3., 3., 3.],
[4., 4., 4., 4.]]]])
torch.Size([1, 1, 2, 4])
torch.Size([1, 1, 4, 4])
tensor([[[[1., 1., 1., 1., 3., 3., 3., 3.],
[2., 2., 2., 2., 4., 4., 4., 4.]]]])
torch.Size([1, 1, 2, 4])
torch.Size([1, 1, 2, 8])
"""),
    "stack": ("""
a0 = torch.Tensor([[[[1,1,1,1],[2,2,2,2]]]])
a1 = torch.Tensor([[[[3,3,3,3],[4,4,4,4]]]])
l = []
l.append(torch.stack((a0,a1),dim=0))
l.append(torch.stack((a0,a1),dim=1))
l.append(torch.stack((a0,a1),dim=2))
l.append(torch.stack((a0,a1),dim=3))
l.append(torch.stack((a0,a1),dim=4))
for i in l:
    print('{}\\n{}\\n{}\\n\\n\\n'.format(i, a1.size(), i.size()))
""", """
tensor([[[[[1., 1., 1., 1.],
[2., 2., 2., 2.]]]],
[[[[3., 3., 3., 3.],
[4., 4., 4., 4.]]]]])
torch.Size([1, 1, 2, 4])
torch.Size([2, 1, 1, 2, 4])
tensor([[[[[1., 1., 1., 1.],
[2., 2., 2., 2.]]],
[[[3., 3., 3., 3.],
[4., 4., 4., 4.]]]]])
torch.Size([1, 1, 2, 4])
torch.Size([1, 2, 1, 2, 4])
tensor([[[[[1., 1., 1., 1.],
[2., 2., 2., 2.]],
[[3., 3., 3., 3.],
[4., 4., 4., 4.]]]]])
torch.Size([1, 1, 2, 4])
torch.Size([1, 1, 2, 2, 4])
tensor([[[[[1., 1., 1., 1.],
[3., 3., 3., 3.]],
[[2., 2., 2., 2.],
[4., 4., 4., 4.]]]]])
torch.Size([1, 1, 2, 4])
torch.Size([1, 1, 2, 2, 4])
tensor([[[[[1., 3.],
[1., 3.],
[1., 3.],
[1., 3.]],
[[2., 4.],
[2., 4.],
[2., 4.],
[2., 4.]]]]])
torch.Size([1, 1, 2, 4])
torch.Size([1, 1, 2, 4, 2])
"""),
    "dtype_to": ("""
t = torch.tensor([1, 2, 3])
print(t.dtype)
t = t.to(torch.float32)
print(t.dtype)
""", """
torch.int64
torch.float32
"""),
    "dtype_to_values": ("""
t = torch.tensor([[1, 2], [3, 4]])
print(t.to(torch.float32), t.to(torch.float64), t.to(torch.float32).to(torch.int64), t.float())
""", None),
    "device": ("""
device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
data = torch.ones(2)
print(data.to(device), data.to(device).device, data.cpu())
""", None),
    "loss_function": ("""
torch.manual_seed(0)
out = torch.randn(4, 3)
label = torch.tensor([0, 2, 1, 2])
criterion = nn.CrossEntropyLoss()
print(criterion(out, label))
print(nn.CrossEntropyLoss()(out, label))
print(F.cross_entropy(out, label))
""", None),
    "maxpool_ceil_mode": ("""
x = torch.tensor([
[-2, 1, 2, 6, 4],
[-3, 1, 7, 2, -2],
[-4, 2, 3, -1 , -3],
[-7, 1, 2, 3, 11],
[5, -7, 8, 12, -9] ]).float()
x = x.unsqueeze(0)
y_1 = nn.MaxPool2d(kernel_size=2,stride=2, padding=0)
y_2 = nn.MaxPool2d(kernel_size=2,stride=2, padding=0, ceil_mode=True)
print(y_1(x))
print(y_2(x))
""", """
tensor([[[1., 7.], [2., 3.]]])
tensor([[[ 1., 7., 4.], [ 2., 3., 11.], [ 5., 12., -9.]]])
"""),
    "meshgrid": ("""
shifts_x = torch.arange(0, 4, dtype=torch.float32) * 16
shifts_y = torch.arange(0, 4, dtype=torch.float32) * 16
shift_y, shift_x = torch.meshgrid(shifts_y, shifts_x)
print(shift_x)
print(shift_y)
""", """
tensor([[ 0., 16., 32., 48.],
[ 0., 16., 32., 48.],
[ 0., 16., 32., 48.],
[ 0., 16., 32., 48.]])
tensor([[ 0., 0., 0., 0.],
[16., 16., 16., 16.],
[32., 32., 32., 32.],
[48., 48., 48., 48.]])
"""),
}


def _run(lib, code):
    """(stdout, warning categories) of code with `torch`, `nn`, `F` bound to lib."""
    out = io.StringIO()
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        with contextlib.redirect_stdout(out):
            exec(code, {"torch": lib, "nn": lib.nn, "F": lib.nn.functional})
    return out.getvalue(), sorted({c.category.__name__ for c in w})


def _squash(text):
    return " ".join(text.split())


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_seed_snippet_prints_like_torch_and_the_seed(name):
    code, seed_text = SNIPPETS[name]
    want, want_warn = _run(torch, code)
    saved = _dtype.PREFIX[0]
    _dtype.PREFIX[0] = "torch"
    try:
        got, got_warn = _run(ember, code)
    finally:
        _dtype.PREFIX[0] = saved
    assert got == want
    assert got_warn == want_warn            # e.g. meshgrid's warning when indexing is omitted
    if seed_text is not None:
        assert _squash(got) == _squash(seed_text)


def test_ember_prefix_is_restored():
    assert str(ember.Size([2])) == "ember.Size([2])" and str(ember.float32) == "ember.float32"


SEED_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "seed")


@pytest.mark.skipif(not glob.glob(os.path.join(SEED_DIR, "*.txt")), reason="no seed checkout")
def test_expected_texts_are_the_seeds():
    """Every expected text above appears in the seed (whitespace collapsed)."""
    seed = _squash(" ".join(open(p, encoding="utf-8").read()
                            for p in glob.glob(os.path.join(SEED_DIR, "*.txt"))))
    seed = seed.replace("# ", "")           # the REPL outputs of the first snippets are comments
    for name, (_, text) in SNIPPETS.items():
        if text is None:
            continue
        if name in INTERLEAVED:             # outputs shown between code lines: line by line
            for line in text.strip().splitlines():
                assert _squash(line) in seed, (name, line)
        else:
            assert _squash(text) in seed, name


# snippets whose outputs the seed shows interleaved with code (REPL style)
INTERLEAVED = {"unsqueeze", "squeeze", "squeeze_dim", "dtype_to", "meshgrid"}
