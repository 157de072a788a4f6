"""Random numbers: bit-exact against torch's CPU generator (spec: shared/spec/torch-rng.md)."""
# The lambdas below run at once inside their loop iteration, so late binding is harmless.
# ruff: noqa: B023

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import ember

SEEDS = [0, 1, 42, 2**32 + 5, -1]
SIZES = [1, 5, 15, 16, 17, 20, 31, 100, 1003]
FLOATS = ["float32", "float64", "float16", "bfloat16"]


def canon(t) -> np.ndarray:
    """Raw bits of a torch or ember tensor (bfloat16 widened exactly to float32)."""
    if isinstance(t, torch.Tensor):
        t = t.detach()
        a = (t.float() if t.dtype == torch.bfloat16 else t).numpy()
    else:
        a = np.asarray(t.detach()._array)
    a = np.ascontiguousarray(a)
    if a.dtype.kind == "f":
        a = a.view({2: np.uint16, 4: np.uint32, 8: np.uint64}[a.itemsize])
    return a


def same(tt, et) -> None:
    assert str(tt.dtype).split(".")[-1] == str(et.dtype).split(".")[-1]
    assert tuple(tt.shape) == tuple(et.shape)
    np.testing.assert_array_equal(canon(tt), canon(et))


def both(seed, fn):
    """fn(lib) run after manual_seed(seed) in torch and ember; also checks the states agree."""
    torch.manual_seed(seed)
    ember.manual_seed(seed)
    tt, et = fn(torch), fn(ember)
    np.testing.assert_array_equal(torch.get_rng_state().numpy(), ember.get_rng_state()._array)
    return tt, et


def check(seed, fn):
    tt, et = both(seed, fn)
    if isinstance(tt, (tuple, list)):
        for a, b in zip(tt, et):
            same(a, b)
    else:
        same(tt, et)


# ---- the spec's test vectors ----
def test_spec_vectors():
    g = ember.manual_seed(0)
    assert g is ember.default_generator
    assert g._raw32(5).tolist() == [2357136044, 2546248239, 3071714933, 3626093760, 2588848963]
    ember.manual_seed(0)
    assert [hex(v) for v in ember.default_generator._raw64(2).tolist()] == \
        ["0x8c7f0aac97c4aa2f", "0xb716a675d821ccc0"]
    assert ember.Generator()._raw32(3).tolist() == [2353294710, 1155489284, 4015379837]
    ember.manual_seed(0)
    assert [hex(v) for v in ember.rand(5).numpy().view(np.uint32).tolist()] == \
        ["0x3efe1558", "0x3f44aa2f", "0x3db533a8", "0x3e073300", "0x3e9d6686"]
    ember.manual_seed(0)
    assert ember.rand(3, dtype=ember.float64).tolist() == \
        [0.9700530018065531, 0.707819864399788, 0.45938294312745087]
    ember.manual_seed(0)
    assert ember.randn(3, dtype=ember.float64).tolist() == \
        [1.5409961082440433, -0.2934289057609464, -2.1787893820745574]
    ember.manual_seed(1)
    hexes = ("bfc346ba bf400f31 bf276b4b bfce0399 3f5d9e04 3e7a4504 bf29b48f 3f4eabc1 3ee0d72a "
             "3f95e9e8 3fe23b0f bdc34d17 3d7a7df6 bf1e2480 bf4c4e4e be06c83c bf4c668d 3eabe4df "
             "3e8cf884 3fdbafce").split()
    assert ember.randn(20).numpy().view(np.uint32).tolist() == [int(h, 16) for h in hexes]
    ember.manual_seed(0)
    assert ember.randn(16, dtype=ember.bfloat16)[:4].tolist() == \
        [-1.125, -1.15625, -0.25, -0.43359375]
    ember.manual_seed(0)
    assert ember.randint(0, 10, (10,)).tolist() == [4, 9, 3, 0, 3, 9, 7, 3, 7, 3]
    ember.manual_seed(0)
    assert ember.randint(0, 2**30, (3,)).tolist() == [398764591, 404868288, 463622907]
    ember.manual_seed(0)
    assert ember.randperm(10).tolist() == [4, 1, 7, 5, 3, 9, 0, 8, 6, 2]
    ember.manual_seed(42)
    assert ember.randperm(10).tolist() == [2, 6, 1, 8, 4, 5, 0, 9, 3, 7]
    ember.manual_seed(0)
    assert ember.bernoulli(ember.full((8,), 0.5)).tolist() == [1, 0, 1, 1, 1, 0, 1, 0]
    p = ember.tensor([.1, .2, .3, .4])
    ember.manual_seed(0)
    assert ember.multinomial(p, 8, True).tolist() == [3, 3, 2, 3, 3, 3, 1, 2]
    ember.manual_seed(0)
    assert ember.multinomial(p, 2).tolist() == [2, 1]
    ember.manual_seed(0)
    assert ember.random.dropout_mask((10,), 0.5, ember.float32).tolist() == \
        [0, 0, 2, 0, 0, 0, 2, 2, 0, 2]
    assert len(ember.get_rng_state()) == 5056


# ---- floats: rand / randn / uniform_ / normal_ ----
@pytest.mark.parametrize("dtype", FLOATS)
def test_rand_randn(dtype):
    for seed in SEEDS:
        for n in SIZES:
            check(seed, lambda lib: lib.rand(n, dtype=getattr(lib, dtype)))
            check(seed, lambda lib: lib.randn(n, dtype=getattr(lib, dtype)))
    check(3, lambda lib: lib.randn(4, 5, 6, dtype=getattr(lib, dtype)))
    check(3, lambda lib: lib.rand((2, 3), dtype=getattr(lib, dtype)))


@pytest.mark.parametrize("dtype", FLOATS)
def test_uniform_normal_bounds(dtype):
    for seed in (0, 7, 2**32 + 5):
        for n in (5, 16, 37, 200):
            for lo, hi in ((-0.577, 0.577), (-1, 1), (2.5, 3.7), (-1e-3, 1e4)):
                check(seed, lambda lib: lib.empty(n, dtype=getattr(lib, dtype)).uniform_(lo, hi))
            for mean, std in ((2.0, 0.5), (-0.3, 1.7), (0.0, 0.02), (1.0, 1.0)):
                check(seed, lambda lib: lib.empty(n, dtype=getattr(lib, dtype)).normal_(mean, std))


def test_complex():
    for dt in ("complex64", "complex128"):
        for n in (3, 8, 20):
            check(1, lambda lib: lib.rand(n, dtype=getattr(lib, dt)))
            check(1, lambda lib: lib.randn(n, dtype=getattr(lib, dt)))
            check(1, lambda lib: lib.empty(n, dtype=getattr(lib, dt)).normal_(0.5, 2.0))


def test_large_float32():
    check(5, lambda lib: lib.rand(100003))
    check(6, lambda lib: lib.randn(100003))
    check(7, lambda lib: lib.empty(50000).uniform_(-0.3333, 0.7777))
    check(8, lambda lib: lib.empty(4099, dtype=lib.float64).normal_(0.25, 3.0))
    check(9, lambda lib: lib.empty(300, 200, dtype=lib.float64).uniform_(-0.577, 0.577))


def test_chunked_float32_paths():
    # uniform_: the exact-in-float64 chunked path (symmetric and general ranges) and the
    # midpoint-repair fallback; normal_: chunked draws, the mean == 0 shortcut, a tail block
    for n in (3 * (1 << 16) + 5, 3 * (1 << 15) + 16):
        for lo, hi in ((-0.0721, 0.0721), (0.3, 0.7), (-3e-5, 2.0), (2.5, 2.5000001)):
            check(11, lambda lib: lib.empty(n).uniform_(lo, hi))
        for mean, std in ((0.0, 0.01), (-0.0, 0.3), (0.5, 2.0)):
            check(12, lambda lib: lib.empty(n).normal_(mean, std))


def test_box_muller32_log_sincos_exhaustive():
    # the block path feeds LOG and SINCOS only 2**24 possible inputs each: the repair-free
    # versions must equal the midpoint-repairing ones (checked against torch above) on all
    from ember.ops import _rng_math as M
    for i in range(0, 1 << 24, 1 << 21):
        u = np.arange(i, i + (1 << 21), dtype=np.float32) * np.float32(2.0 ** -24)
        x = np.float32(1.0) - u
        np.testing.assert_array_equal(M.log256q(x).view(np.uint32),
                                      M.log256(x).view(np.uint32))
        th = M.TWO_PI32 * u
        for a, b in zip(M.sincos256q(th), M.sincos256(th)):
            np.testing.assert_array_equal(a.view(np.uint32), b.view(np.uint32))


def test_non_contiguous_memory_order():
    for shape, perm in (((4, 6), (1, 0)), ((3, 4, 5), (2, 0, 1)), ((2, 8), (1, 0))):
        def f(lib, fill):
            base = lib.zeros(shape)
            fill(base.permute(*perm))
            return base
        check(0, lambda lib: f(lib, lambda t: t.normal_(1.0, 2.0)))
        check(1, lambda lib: f(lib, lambda t: t.uniform_(-0.577, 0.577)))
        check(2, lambda lib: f(lib, lambda t: t.random_(0, 100)))
        check(3, lambda lib: f(lib, lambda t: t.exponential_(2.0)))
        check(4, lambda lib: f(lib, lambda t: t.bernoulli_(0.3)))


def test_like_functions():
    for dt in ("float32", "float64"):
        x = torch.zeros(6, 7, dtype=getattr(torch, dt))
        e = ember.zeros(6, 7, dtype=getattr(ember, dt))
        for f in (lambda lib, a: lib.rand_like(a), lambda lib, a: lib.randn_like(a),
                  lambda lib, a: lib.randint_like(a, 10), lambda lib, a: lib.randint_like(a, 3, 9),
                  lambda lib, a: lib.randn_like(a.t()), lambda lib, a: lib.rand_like(a.t()),
                  lambda lib, a: lib.randn_like(a, dtype=lib.float16)):
            check(11, lambda lib: f(lib, x if lib is torch else e))


# ---- the scalar-path normal cache ----
def test_normal_cache_persists():
    def f(lib):
        a = lib.randn(3)
        b = lib.rand(5)                        # does not touch the cache
        c = lib.randn(1, dtype=lib.float64)    # consumes the cached value
        d = lib.randn(20)                      # block path: neither reads nor writes it
        e = lib.empty(7, dtype=lib.float16).normal_(1.0, 3.0)
        return a, b, c, d, e
    for seed in (0, 1, 2**32 + 5):
        check(seed, f)
        torch.manual_seed(seed)
        ember.manual_seed(seed)
        torch.randn(1)
        ember.randn(1)
        ts, es = torch.get_rng_state().numpy(), ember.get_rng_state()._array
        np.testing.assert_array_equal(ts, es)
        assert es[5040] == 1                   # a cached double normal is part of the state


# ---- integers ----
RANGES = [(0, 10), (-5, 5), (0, 2**28 - 1), (0, 2**28), (0, 2**30), (-2**40, 2**40),
          (3, 2**33 + 7), (-2**62, 2**62)]


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_randint():
    for seed in SEEDS:
        for lo, hi in RANGES:
            for n in (1, 17, 100):
                check(seed, lambda lib: lib.randint(lo, hi, (n,)))
        check(seed, lambda lib: lib.randint(10, (3, 4)))
        check(seed, lambda lib: lib.randint(3, size=(5,), dtype=lib.int32))
        check(seed, lambda lib: lib.randint(0, 2**30, (9,), dtype=lib.int32))
        check(seed, lambda lib: lib.randint(-100, 100, (9,), dtype=lib.int8))
        check(seed, lambda lib: lib.randint(0, 256, (9,), dtype=lib.uint8))
        check(seed, lambda lib: lib.randint(0, 2, (9,), dtype=lib.bool))
        for dt in ("float32", "float64", "float16", "bfloat16"):
            check(seed, lambda lib: lib.randint(-50, 2000, (9,), dtype=getattr(lib, dt)))
        check(seed, lambda lib: lib.randint(0, 2**30, (9,), dtype=lib.float32))
        check(seed, lambda lib: lib.randint(0, 2**30, (9,), dtype=lib.bfloat16))


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_random_():
    dts = ["int64", "int32", "int16", "int8", "uint8", "bool", "float32", "float64", "float16",
           "bfloat16"]
    for seed in (0, 1, 2**32 + 5):
        for dt in dts:
            check(seed, lambda lib: lib.empty(19, dtype=getattr(lib, dt)).random_())
            check(seed, lambda lib: lib.empty(19, dtype=getattr(lib, dt)).random_(2))
            check(seed, lambda lib: lib.empty(19, dtype=getattr(lib, dt)).random_(0, 2))
        for dt in ("int64", "int32", "float32", "float64"):
            check(seed, lambda lib: lib.empty(9, dtype=getattr(lib, dt)).random_(5, None))
            check(seed, lambda lib: lib.empty(9, dtype=getattr(lib, dt)).random_(-7, 2**31 - 1))
        check(seed, lambda lib: lib.empty(9, dtype=lib.int64).random_(-2**63, None))
        check(seed, lambda lib: lib.empty(9).random_(0, 2**25))
        check(seed, lambda lib: lib.empty(9, dtype=lib.int16).random_(to=1000))


def test_randperm():
    for seed in (0, 1, 42, 2**32 + 5, -1):
        for n in (0, 1, 2, 3, 10, 1000, 60000):
            check(seed, lambda lib: lib.randperm(n))
        check(seed, lambda lib: lib.randperm(100, dtype=lib.float32))
        check(seed, lambda lib: lib.randperm(50, dtype=lib.int32))


# ---- bernoulli, multinomial, exponential and friends ----
def test_bernoulli():
    for seed in SEEDS:
        for n in (1, 7, 33):
            probs = np.linspace(0, 1, n)
            for dt in ("float32", "float64", "float16", "bfloat16"):
                check(seed, lambda lib: lib.bernoulli(lib.tensor(probs, dtype=getattr(lib, dt))))
            check(seed, lambda lib: lib.empty(n).bernoulli_(0.3))
            check(seed, lambda lib: lib.empty(n, dtype=lib.int64).bernoulli_(0.7))
            check(seed, lambda lib: lib.empty(n, dtype=lib.bool).bernoulli_(0.5))
            check(seed, lambda lib: lib.bernoulli(lib.zeros(n, 2), 0.25))
            check(seed, lambda lib: lib.zeros(n).bernoulli_(lib.tensor(probs)))
            check(seed, lambda lib: lib.tensor(probs, dtype=lib.float32).bernoulli())


def test_multinomial():
    for seed in SEEDS:
        for k in (1, 2, 3, 50):
            p1 = [0.1, 0.2, 0.3, 0.4, 0.0, 1.5]
            p2 = [[0.5, 0.1, 0.1, 0.3], [1.0, 2.0, 3.0, 0.5]]
            for dt in ("float32", "float64"):
                check(seed, lambda lib: lib.multinomial(lib.tensor(p1, dtype=getattr(lib, dt)),
                                                        k, True))
                check(seed, lambda lib: lib.multinomial(lib.tensor(p2, dtype=getattr(lib, dt)),
                                                        k, replacement=True))
            if k <= 4:
                check(seed, lambda lib: lib.multinomial(lib.tensor(p1), k))
                check(seed, lambda lib: lib.tensor(p2).multinomial(k))


def test_exponential_and_friends():
    for seed in SEEDS:
        for dt in FLOATS:
            check(seed, lambda lib: lib.empty(21, dtype=getattr(lib, dt)).exponential_(1.5))
            check(seed, lambda lib: lib.empty(21, dtype=getattr(lib, dt)).exponential_())
            check(seed, lambda lib: lib.empty(21, dtype=getattr(lib, dt)).cauchy_(0.5, 2.0))
            check(seed, lambda lib: lib.empty(21, dtype=getattr(lib, dt)).log_normal_(0.1, 0.5))
            check(seed, lambda lib: lib.empty(21, dtype=getattr(lib, dt)).geometric_(0.3))
        check(seed, lambda lib: lib.empty(21, dtype=lib.int64).geometric_(0.2))


def test_normal_overloads():
    m = np.linspace(-2, 2, 20).astype(np.float32)
    s = np.linspace(0.1, 3, 20).astype(np.float32)
    for seed in (0, 1, 2**32 + 5):
        check(seed, lambda lib: lib.normal(lib.tensor(m), lib.tensor(s)))
        check(seed, lambda lib: lib.normal(lib.tensor(m[:7]), 0.7))
        check(seed, lambda lib: lib.normal(0.3, lib.tensor(s)))
        check(seed, lambda lib: lib.normal(lib.tensor(m).reshape(4, 5), lib.tensor(s[:5])))
        check(seed, lambda lib: lib.normal(2.0, 3.0, size=(17,)))
        check(seed, lambda lib: lib.normal(2.0, 3.0, (3,), dtype=lib.float64))
        check(seed, lambda lib: lib.normal(lib.tensor(m, dtype=lib.float64), lib.tensor(s)))
    mean = ember.zeros(3, requires_grad=True)
    out = ember.normal(mean, 1.0)
    assert out.grad_fn.name() == "NormalBackward1"
    out.sum().backward()
    assert mean.grad.tolist() == [0.0, 0.0, 0.0]


def test_dropout_mask():
    for seed in SEEDS:
        for p in (0.1, 0.25, 0.5, 0.9):
            for dt in ("float32", "float64", "float16", "bfloat16"):
                torch.manual_seed(seed)
                ember.manual_seed(seed)
                tt = F.dropout(torch.ones(5, 7, dtype=getattr(torch, dt)), p)
                e = ember.random.dropout_mask((5, 7), p, getattr(ember, dt))
                assert e.shape == (5, 7)
                tt = tt.float() if dt == "bfloat16" else tt
                np.testing.assert_array_equal(tt.numpy(), e)
                np.testing.assert_array_equal(torch.get_rng_state().numpy(),
                                              ember.get_rng_state()._array)


def test_dropout_mask_awkward_p():
    # the keep test runs on the 53-bit integers; it must equal `u < 1 - p` on doubles
    for p in (0.1, 0.3, 1 / 3, 0.7, 2 / 3, 1e-9, 0.5 + 2**-40, 1 - 2**-53, 2**-53):
        for seed in (0, 7):
            torch.manual_seed(seed)
            ember.manual_seed(seed)
            tt = F.dropout(torch.ones(4003, dtype=torch.float64), p)
            np.testing.assert_array_equal(tt.numpy(),
                                          ember.random.dropout_mask((4003,), p, ember.float64))
            g = ember.Generator().manual_seed(seed)
            ref = g._uniform64(4003) < 1.0 - p
            g.manual_seed(seed)
            e = ember.random.dropout_mask((4003,), p, ember.float32, generator=g)
            np.testing.assert_array_equal(e != 0, ref)

# ---- state, generators, seeds ----
def test_rng_state_bytes_and_interop():
    for seed in (0, 3, 2**32 + 5, 2**63 - 1, -12345):
        for draws in (0, 1, 623, 624, 625, 5000):
            torch.manual_seed(seed)
            ember.manual_seed(seed)
            torch.randint(0, 10, (draws,))
            ember.randint(0, 10, (draws,))
            np.testing.assert_array_equal(torch.get_rng_state().numpy(),
                                          ember.get_rng_state()._array)
    torch.manual_seed(9)
    torch.randn(5)                              # leaves a cached normal in the state
    ember.set_rng_state(ember.tensor(torch.get_rng_state().numpy()))
    check_cont = (torch.randn(3), torch.rand(40), torch.randn(33))
    got = (ember.randn(3), ember.rand(40), ember.randn(33))
    for a, b in zip(check_cont, got):
        same(a, b)
    ember.manual_seed(4)
    ember.randn(7)
    state = ember.get_rng_state()
    torch.set_rng_state(torch.from_numpy(state._array.copy()))
    same(torch.randn(5), ember.randn(5))
    ember.set_rng_state(state)
    torch.set_rng_state(torch.from_numpy(state._array.copy()))
    same(torch.rand(3), ember.rand(3))


def test_generator_objects():
    g, tg = ember.Generator(), torch.Generator()
    assert g.initial_seed() == tg.initial_seed() == 67280421310721
    assert str(g.device) == "cpu"
    same(torch.rand(4, generator=tg), ember.rand(4, generator=g))
    np.testing.assert_array_equal(tg.get_state().numpy(), g.get_state()._array)
    assert g.manual_seed(5) is g
    tg.manual_seed(5)
    ember.manual_seed(0)
    before = ember.get_rng_state()._array.copy()
    same(torch.randn(20, generator=tg), ember.randn(20, generator=g))
    same(torch.randperm(30, generator=tg), ember.randperm(30, generator=g))
    same(torch.randint(0, 7, (5,), generator=tg), ember.randint(0, 7, (5,), generator=g))
    same(torch.empty(6).uniform_(-2, 2, generator=tg), ember.empty(6).uniform_(-2, 2,
                                                                               generator=g))
    np.testing.assert_array_equal(before, ember.get_rng_state()._array)   # default untouched
    g2 = ember.Generator().set_state(g.get_state())
    same(torch.rand(3, generator=tg), ember.rand(3, generator=g2))
    s = g.seed()
    assert g.initial_seed() == s and 0 <= s < 2**64


def test_seeds_and_errors():
    assert ember.manual_seed(-1).initial_seed() == 2**64 - 1
    assert ember.initial_seed() == 2**64 - 1
    ember.manual_seed(2**64 - 1)
    ember.manual_seed(-2**63)
    assert ember.initial_seed() == 2**63
    for bad in (2**64, -2**63 - 1):
        with pytest.raises(ValueError):
            ember.manual_seed(bad)
        with pytest.raises(ValueError):
            torch.manual_seed(bad)
    with pytest.raises(RuntimeError, match="manual_seed expected a long"):
        ember.Generator().manual_seed(1.5)
    ember.manual_seed(1.5)                       # torch.manual_seed calls int() first
    assert ember.initial_seed() == 1
    s = ember.seed()
    assert ember.initial_seed() == s
    with pytest.raises(RuntimeError, match="size 5056"):
        ember.set_rng_state(ember.zeros(10, dtype=ember.uint8))
    with pytest.raises(RuntimeError, match="Invalid mt19937 state"):
        ember.set_rng_state(ember.zeros(5056, dtype=ember.uint8))
    with pytest.raises(TypeError):
        ember.set_rng_state(ember.zeros(5056))


def test_fork_rng():
    ember.manual_seed(3)
    with ember.random.fork_rng():
        ember.randn(5)
        ember.rand(100)
    torch.manual_seed(3)
    same(torch.randn(5), ember.randn(5))


@pytest.mark.parametrize("call, exc, msg", [
    (lambda lib: lib.empty(3).uniform_(1, 0), RuntimeError, "uniform_ expects to return"),
    (lambda lib: lib.empty(3).normal_(0, -1), RuntimeError, "normal expects std >= 0.0"),
    (lambda lib: lib.randint(5, 3, (3,)), RuntimeError, "random_ expects 'from'"),
    (lambda lib: lib.randint(0, 300, (3,), dtype=lib.uint8), RuntimeError, "out of bounds"),
    (lambda lib: lib.rand(3, dtype=lib.int64), NotImplementedError, "check_uniform_bounds"),
    (lambda lib: lib.randn(3, dtype=lib.int64), NotImplementedError, "normal_kernel_cpu"),
    (lambda lib: lib.empty(3, requires_grad=True).normal_(), RuntimeError, "leaf Variable"),
    (lambda lib: lib.empty(3).exponential_(0), RuntimeError, "exponential_ expects lambda"),
    (lambda lib: lib.empty(3).bernoulli_(1.5), RuntimeError, "bernoulli_ expects p"),
    (lambda lib: lib.bernoulli(lib.tensor([0.5, 1.5])), RuntimeError, "p_in >= 0"),
    (lambda lib: lib.multinomial(lib.tensor([0.1, 0.2]), 3), RuntimeError, "n_sample >"),
    (lambda lib: lib.multinomial(lib.tensor([0., 0.]), 1), RuntimeError, "sum of prob"),
    (lambda lib: lib.multinomial(lib.tensor([1, 2]), 1), RuntimeError, "floating-point"),
    (lambda lib: lib.randperm(3000, dtype=lib.float16), RuntimeError, "2049"),
    (lambda lib: lib.normal(lib.zeros(2), lib.tensor([1., -1.])), RuntimeError, "all elements"),
    (lambda lib: lib.randint(3), TypeError, None),
    (lambda lib: lib.rand(), TypeError, None),
])
def test_errors_match_torch(call, exc, msg):
    with pytest.raises(exc, match=msg):
        call(torch)
    with pytest.raises(exc, match=msg):
        call(ember)


def test_grad_modes_and_flags():
    w = ember.empty(4, requires_grad=True)
    with ember.no_grad():
        w.uniform_(-1, 1)                        # nn.init's pattern
        w.normal_()
    assert w.requires_grad and w.grad_fn is None and w._version == 2
    x = ember.randn(3, requires_grad=True)
    assert x.requires_grad and x.is_leaf
    y = x * 2
    y.normal_()
    assert y.grad_fn.name() == "NormalBackward0"
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]
    assert ember.randint(0, 5, (2,)).dtype is ember.int64
    assert ember.randperm(4).dtype is ember.int64
    assert ember.rand(2, 3).shape == (2, 3) and ember.rand(()).shape == ()
    assert ember.rand(size=(2,)).shape == (2,)


def test_out_arguments():
    def f(lib):
        a = lib.empty(5, dtype=lib.float64)
        r = lib.rand(5, out=a)
        b = lib.empty(0, dtype=lib.int32)
        lib.randint(0, 9, (4,), out=b)
        c = lib.empty(3)
        lib.normal(1.0, 2.0, (3,), out=c)
        return r, a, b, c, lib.randperm(6, out=lib.empty(6, dtype=lib.int64))
    check(2, f)
    with pytest.raises(TypeError):
        ember.rand_like(ember.zeros(2), out=ember.zeros(2))
