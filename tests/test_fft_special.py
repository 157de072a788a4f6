"""ember.fft and ember.special against torch: values, dtypes, gradients with random complex
cotangents (the Hermitian-half handling of rfft / irfft), errors, and the torch import shim."""

import math
import subprocess
import sys

import numpy as np
import pytest
import torch

import ember

RNG = np.random.default_rng(0)
CDT = {"float32": "complex64", "float64": "complex128"}


def _np(t):
    t = t.detach()
    return t.resolve_conj().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)


def _same(e, t, tol=1e-5):
    assert tuple(e.shape) == tuple(t.shape)
    assert e.dtype.name == str(t.dtype).replace("torch.", "")
    np.testing.assert_allclose(_np(e), _np(t), atol=tol, rtol=tol, equal_nan=True)


def check(f, *arrays, tol=1e-5, grad=True):
    """f(lib, *tensors) on torch and ember: values, dtype, and grads for a random cotangent
    (complex for complex outputs)."""
    tt = [torch.tensor(a, requires_grad=grad) for a in arrays]
    et = [ember.tensor(a, requires_grad=grad) for a in arrays]
    yt, ye = f(torch, *tt), f(ember, *et)
    _same(ye, yt, tol)
    if not grad:
        return
    c = RNG.standard_normal(tuple(yt.shape))
    if yt.is_complex():
        c = c + 1j * RNG.standard_normal(tuple(yt.shape))
    c = c.astype(str(yt.dtype).replace("torch.", ""))
    gt = torch.autograd.grad(yt, tt, torch.tensor(c))
    ge = ember.autograd.grad(ye, et, ember.tensor(c))
    for a, b in zip(ge, gt):
        _same(a, b, tol * 10)


NORMS = [None, "ortho", "forward"]


@pytest.mark.parametrize("dt", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(5,), (4, 6), (2, 3, 5)])
@pytest.mark.parametrize("norm", NORMS)
def test_one_dim_transforms(dt, shape, norm):
    a = RNG.standard_normal(shape).astype(dt)
    ac = (a + 1j * RNG.standard_normal(shape)).astype(CDT[dt])
    for n in [None, 3, 8]:
        for dim in [-1, 0]:
            kw = {"n": n, "dim": dim, "norm": norm}
            check(lambda L, x, kw=kw: L.fft.fft(x, **kw), a)
            check(lambda L, x, kw=kw: L.fft.fft(x, **kw), ac)
            check(lambda L, x, kw=kw: L.fft.ifft(x, **kw), ac)
            check(lambda L, x, kw=kw: L.fft.ifft(x, **kw), a)
            check(lambda L, x, kw=kw: L.fft.rfft(x, **kw), a)
            check(lambda L, x, kw=kw: L.fft.irfft(x, **kw), ac)
            check(lambda L, x, kw=kw: L.fft.hfft(x, **kw), ac)
            check(lambda L, x, kw=kw: L.fft.ihfft(x, **kw), a)


@pytest.mark.parametrize("dt", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(4, 6), (2, 3, 5)])
@pytest.mark.parametrize("norm", NORMS)
def test_multi_dim_transforms(dt, shape, norm):
    a = RNG.standard_normal(shape).astype(dt)
    ac = (a + 1j * RNG.standard_normal(shape)).astype(CDT[dt])
    for s in [None, (3, 4), (-1, 7)]:
        kw = {"s": s, "norm": norm}
        check(lambda L, x, kw=kw: L.fft.fft2(x, **kw), a)
        check(lambda L, x, kw=kw: L.fft.ifft2(x, **kw), ac)
        check(lambda L, x, kw=kw: L.fft.rfft2(x, **kw), a)
        check(lambda L, x, kw=kw: L.fft.irfft2(x, **kw), ac)
        check(lambda L, x, kw=kw: L.fft.fftn(x, **kw), ac)
        check(lambda L, x, kw=kw: L.fft.ifftn(x, **kw), a)
        check(lambda L, x, kw=kw: L.fft.rfftn(x, **kw), a)
        check(lambda L, x, kw=kw: L.fft.irfftn(x, **kw), ac)
        check(lambda L, x, kw=kw: L.fft.irfftn(x, dim=(0, -1), **kw), ac)
    check(lambda L, x: L.fft.fftn(x, norm=norm), a)
    check(lambda L, x: L.fft.rfftn(x, dim=(-1, 0), norm=norm), a)
    check(lambda L, x: L.fft.irfftn(x, norm=norm), ac)
    check(lambda L, x: L.fft.fftshift(x), a)
    check(lambda L, x: L.fft.ifftshift(x, dim=0), a)
    check(lambda L, x: L.fft.fftshift(x, dim=(-1, 0)), ac)


def test_dtypes_and_scalars():
    check(lambda L, x: L.fft.fft(x), np.arange(5), grad=False)
    check(lambda L, x: L.fft.rfft2(x), np.arange(12).reshape(3, 4), grad=False)
    check(lambda L, x: L.fft.fftn(x), np.array(2.0, dtype=np.float32))
    check(lambda L, x: L.fft.fftn(x, dim=()), np.ones((2, 3), dtype=np.float32))
    check(lambda L, x: L.fft.irfft(x), np.ones(3), grad=False)
    check(lambda L, x: L.fft.fft(x.double()), np.ones(3, dtype=np.float32))


def test_second_derivatives():
    a = RNG.standard_normal((3, 4))
    for f in [lambda L, x: L.fft.rfft2(x).abs().pow(2).sum(),
              lambda L, x: L.fft.irfft(L.fft.fft(x * x), n=5).pow(2).sum()]:
        res = []
        for L in (torch, ember):
            x = L.tensor(a, requires_grad=True)
            g, = L.autograd.grad(f(L, x), x, create_graph=True)
            h, = L.autograd.grad((g * g).sum(), x)
            res.append((g, h))
        _same(res[1][0], res[0][0], 1e-8)
        _same(res[1][1], res[0][1], 1e-8)


@pytest.mark.parametrize("fname", ["fftfreq", "rfftfreq"])
def test_frequencies(fname):
    for n in [1, 4, 5]:
        for d in [1.0, 0.3]:
            _same(getattr(ember.fft, fname)(n, d), getattr(torch.fft, fname)(n, d), 1e-7)
    _same(getattr(ember.fft, fname)(6, dtype=ember.float64),
          getattr(torch.fft, fname)(6, dtype=torch.float64))
    assert getattr(ember.fft, fname)(4, requires_grad=True).requires_grad


def _err(f):
    try:
        f()
    except Exception as ex:
        return type(ex).__name__, str(ex).split("\n")[0]
    return None


def test_errors_match_torch():
    cases = [lambda L: L.fft.rfft(L.ones(3, dtype=L.complex64)),
             lambda L: L.fft.fft(L.ones(3), n=0),
             lambda L: L.fft.fft(L.ones(3), dim=2),
             lambda L: L.fft.fft(L.ones(3), norm="bad"),
             lambda L: L.fft.fft2(L.ones(3, 3), s=(2, 2, 2)),
             lambda L: L.fft.fftn(L.ones(3, 3), dim=(0, 0)),
             lambda L: L.fft.fftn(L.ones(3, 3), s=(2, 2, 2)),
             lambda L: L.fft.irfft(L.ones(1)),
             lambda L: L.fft.fft(L.tensor(2.0)),
             lambda L: L.fft.fft(L.ones(4, dtype=L.float16)),
             lambda L: L.fft.rfft2(L.ones(2, 4, dtype=L.bfloat16))]
    for f in cases:
        assert _err(lambda f=f: f(ember)) == _err(lambda f=f: f(torch))


# ---- torch.special ----------------------------------------------------------------------------
def test_special_aliases_are_ember_ops():
    S = ember.special
    assert S.expit is ember.sigmoid and S.gammaln is ember.lgamma and S.psi is ember.digamma
    assert S.multigammaln is ember.mvlgamma and S.round is ember.round
    with pytest.raises(NotImplementedError, match=r"^torch\.special\.zeta is not implemented"):
        _ = S.zeta


SPECIAL_UNARY = ["expit", "erf", "erfc", "exp2", "expm1", "gammaln", "digamma", "psi", "sinc",
                 "i0", "i1", "i0e", "i1e", "ndtr", "log_ndtr", "round"]


@pytest.mark.parametrize("name", SPECIAL_UNARY)
@pytest.mark.parametrize("dt", ["float32", "float64"])
def test_special_unary(name, dt):
    a = RNG.uniform(-4, 4, size=(3, 5)).astype(dt)
    a[0, 0] = 0.0
    if name in ("gammaln", "digamma", "psi"):
        a = np.abs(a) + 0.1
    check(lambda L, x: getattr(L.special, name)(x), a, tol=1e-5 if dt == "float64" else 1e-4)


def test_special_domain_functions():
    p = RNG.uniform(0.01, 0.99, size=(4, 3))
    check(lambda L, x: L.special.ndtri(x), p, tol=1e-6)
    check(lambda L, x: L.special.logit(x), p)
    check(lambda L, x: L.special.logit(x, eps=0.1), p)
    check(lambda L, x: L.special.erfinv(x * 2 - 1), p)
    check(lambda L, x: L.special.log1p(x), p)
    check(lambda L, x: L.special.entr(x), p)
    check(lambda L, x: L.special.polygamma(2, x + 0.5), p)
    check(lambda L, x: L.special.multigammaln(x + 2, 3), p)
    q = RNG.standard_normal((4, 3))
    check(lambda L, x: L.special.logsumexp(x, 1), q)
    check(lambda L, x: L.special.logsumexp(x, (0, 1), keepdim=True), q)
    check(lambda L, x: L.special.softmax(x, 0), q)
    check(lambda L, x: L.special.log_softmax(x, -1, dtype=L.float32), q)
    check(lambda L, x, y: L.special.xlogy(x, y), q, p)
    check(lambda L, x, y: L.special.xlog1py(x, y), q, p)
    check(lambda L, x, y: L.special.xlog1py(x, y), q[0], p)


def test_special_edge_values():
    inf, nan = math.inf, math.nan
    x = [-inf, -1e3, -60.0, -38.0, -20.0, -5.0, -1.0, -0.5, 0.0, 0.5, 1.0, 5.0, 9.0, 40.0, inf,
         nan]
    for dt in ["float32", "float64"]:
        a = np.array(x, dtype=dt)
        for name in ["ndtr", "log_ndtr", "i0", "i1", "i0e", "i1e", "sinc", "entr", "expit",
                     "erfc"]:
            _same(getattr(ember.special, name)(ember.tensor(a)),
                  getattr(torch.special, name)(torch.tensor(a)), 1e-5 if dt == "float64" else 2e-4)
        pr = np.array([0.0, 1e-300 if dt == "float64" else 1e-30, 1e-10, 1e-3, 0.5, 0.999,
                       1 - 1e-12 if dt == "float64" else 0.9999, 1.0, -0.5, 2.0, nan], dtype=dt)
        _same(ember.special.ndtri(ember.tensor(pr)), torch.special.ndtri(torch.tensor(pr)), 1e-6)
    xs = [torch.tensor([0.0, 0.0, 1.0, 2.0]), torch.tensor([-1.0, nan, -1.0, inf])]
    _same(ember.special.xlog1py(*[ember.tensor(t.numpy()) for t in xs]), torch.special.xlog1py(*xs))
    _same(ember.special.xlog1py(2, ember.tensor([1, 2])), torch.special.xlog1py(2, torch.tensor([1,
                                                                                              2])))
    _same(ember.special.sinc(ember.arange(3)), torch.special.sinc(torch.arange(3)))
    _same(ember.special.i0(ember.arange(3)), torch.special.i0(torch.arange(3)))


def test_special_double_backward():
    a = RNG.uniform(0.1, 0.9, size=(5,))
    for name in ["ndtr", "log_ndtr", "ndtri", "i0", "i1", "i0e", "i1e", "entr", "sinc"]:
        res = []
        for L in (torch, ember):
            x = L.tensor(a, requires_grad=True)
            g, = L.autograd.grad(getattr(L.special, name)(x).sum(), x, create_graph=True)
            h, = L.autograd.grad(g.sum(), x)
            res.append(h)
        _same(res[1], res[0], 1e-6)


# ---- the torch import shim --------------------------------------------------------------------
def test_shim_imports_fft_and_special():
    code = ("import ember.compat as c; c.install()\n"
            "import torch, torch.fft, torch.special\n"
            "from torch.fft import rfft2\n"
            "from torch.special import ndtr\n"
            "x = torch.ones(2, 4)\n"
            "print(torch.fft.rfft2(x).shape, rfft2 is torch.fft.rfft2, ndtr(x).sum().item())\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["torch.Size([2,", "3])", "True",
                                  str(torch.special.ndtr(torch.ones(2, 4)).sum().item())]


def test_out_arguments():
    for L in (torch, ember):
        o = L.empty(3, dtype=L.complex64)
        assert L.fft.fft(L.ones(3), out=o) is o
    _same(o, torch.fft.fft(torch.ones(3)))
    o = ember.empty(3, dtype=ember.complex64)
    _same(ember.fft.rfft(ember.ones(4), out=o), torch.fft.rfft(torch.ones(4)))
    o = ember.empty(4)
    _same(ember.fft.fftfreq(4, out=o), torch.fft.fftfreq(4))
    for L in (torch, ember):
        with pytest.raises(RuntimeError, match=r"^_fft_r2c\(\): functions with out="):
            L.fft.rfft(L.ones(4, requires_grad=True), out=L.empty(3, dtype=L.complex64))
