"""ember.utils.data side by side with torch.utils.data: datasets, samplers, collate, DataLoader."""

import collections
import pickle
import warnings

import numpy as np
import pytest
import torch

import ember

Point = collections.namedtuple("Point", ["x", "y"])


def check_same(t, e) -> None:
    """Recursively: same container types, and tensors with the same dtype, shape and values."""
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), type(e)
        assert str(t.dtype).split(".")[-1] == str(e.dtype).split(".")[-1]
        assert tuple(t.shape) == tuple(e.shape)
        tv = t.float() if t.dtype == torch.bfloat16 else t
        ev = e.float() if e.dtype == ember.bfloat16 else e
        np.testing.assert_array_equal(tv.numpy(), ev.numpy())
    elif isinstance(t, dict):
        assert type(t) is type(e) and list(t) == list(e)
        for k in t:
            check_same(t[k], e[k])
    elif isinstance(t, (list, tuple)):
        assert type(t) is type(e), (type(t), type(e))
        assert len(t) == len(e)
        for a, b in zip(t, e):
            check_same(a, b)
    elif isinstance(t, np.ndarray):
        assert isinstance(e, np.ndarray)
        np.testing.assert_array_equal(t, e)
    else:
        assert type(t) is type(e) and t == e, (t, e)


def both(fn):
    return fn(torch), fn(ember)


def same_error(fn):
    """fn(lib) raises the same exception type with the same message in torch and ember."""
    with pytest.raises(Exception) as te:
        fn(torch)
    with pytest.raises(Exception) as ee:
        fn(ember)
    assert type(te.value) is type(ee.value)
    assert str(te.value).replace("torch", "ember") == str(ee.value)
    return ee.value


# ---- collate ---------------------------------------------------------------------------------

def _samples(lib, kind):
    t = lib.tensor
    return {
        "tensor_f32": [t([1.0, 2.0]), t([3.0, 4.0])],
        "tensor_i64": [t([[1, 2]]), t([[3, 4]])],
        "tensor_bool": [t(True), t(False)],
        "tensor_bf16": [t([1.5], dtype=lib.bfloat16), t([2.25], dtype=lib.bfloat16)],
        "ndarray_f64": [np.arange(3.0), np.ones(3)],
        "ndarray_u8": [np.zeros((2, 2), np.uint8), np.full((2, 2), 7, np.uint8)],
        "ndarray_i32": [np.arange(2, dtype=np.int32), np.arange(2, dtype=np.int32)],
        "np_f32": [np.float32(1.5), np.float32(2.5)],
        "np_f64": [np.float64(1.5), np.float64(-2.0)],
        "np_i32": [np.int32(3), np.int32(4)],
        "np_i16": [np.int16(3), np.int16(-4)],
        "np_bool": [np.bool_(True), np.bool_(False)],
        "float": [1.5, 2.0],
        "int": [1, 2],
        "bool": [True, False],
        "str": ["a", "bc"],
        "bytes": [b"a", b"b"],
        "dict": [{"a": 1, "b": t([1.0])}, {"a": 2, "b": t([2.0])}],
        "namedtuple": [Point(1, 2.0), Point(3, 4.0)],
        "tuple": [(t([1]), "x", 1.0), (t([2]), "y", 2.0)],
        "list": [[1, 2.0, "s"], [3, 4.0, "t"]],
        "nested": [{"p": Point(t([1.0]), [1, 2]), "s": "a"},
                   {"p": Point(t([2.0]), [3, 4]), "s": "b"}],
    }[kind]


KINDS = ["tensor_f32", "tensor_i64", "tensor_bool", "tensor_bf16", "ndarray_f64", "ndarray_u8",
         "ndarray_i32", "np_f32", "np_f64", "np_i32", "np_i16", "np_bool", "float", "int", "bool",
         "str", "bytes", "dict", "namedtuple", "tuple", "list", "nested"]


@pytest.mark.parametrize("kind", KINDS)
def test_default_collate_kinds(kind):
    t, e = both(lambda lib: lib.utils.data.default_collate(_samples(lib, kind)))
    check_same(t, e)


@pytest.mark.parametrize("kind", KINDS)
def test_default_convert_kinds(kind):
    t, e = both(lambda lib: [lib.utils.data.default_convert(s) for s in _samples(lib, kind)])
    check_same(t, e)


def test_default_convert_keeps_string_arrays():
    a = np.array(["a", "b"])
    assert ember.utils.data.default_convert(a) is a
    assert ember.utils.data.default_convert("s") == "s"


def test_collate_errors():
    same_error(lambda lib: lib.utils.data.default_collate([lib.zeros(3), lib.zeros(2)]))
    err = same_error(lambda lib: lib.utils.data.default_collate([object(), object()]))
    assert str(err) == ("default_collate: batch must contain tensors, numpy arrays, numbers, "
                        "dicts or lists; found <class 'object'>")
    same_error(lambda lib: lib.utils.data.default_collate([np.array(["a"]), np.array(["b"])]))
    same_error(lambda lib: lib.utils.data.default_collate([[1, 2], [3]]))


def test_collate_custom_mapping_and_sequence_types():
    od = [collections.OrderedDict(a=1.0), collections.OrderedDict(a=2.0)]
    t, e = both(lambda lib: lib.utils.data.default_collate(od))
    check_same(t, e)
    assert type(e) is collections.OrderedDict


# ---- datasets --------------------------------------------------------------------------------

def test_tensor_dataset():
    def f(lib):
        ds = lib.utils.data.TensorDataset(lib.arange(6).reshape(3, 2), lib.tensor([0.0, 1, 2]))
        return len(ds), ds[1], ds[-1]
    check_same(*both(f))
    same_error(lambda lib: lib.utils.data.TensorDataset(lib.zeros(3), lib.zeros(4)))


def test_concat_chain_subset_stack():
    class It(ember.utils.data.IterableDataset):
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            return iter(range(self.n))

        def __len__(self):
            return self.n

    D = ember.utils.data
    a, b = D.TensorDataset(ember.arange(3)), D.TensorDataset(ember.arange(10, 14))
    c = a + b
    assert isinstance(c, D.ConcatDataset) and len(c) == 7
    assert c.cumulative_sizes == [3, 7]
    assert c[3][0].item() == 10 and c[-1][0].item() == 13
    with pytest.raises(ValueError, match="absolute value of index"):
        c[-8]
    with pytest.raises(AssertionError, match="does not support IterableDataset"):
        D.ConcatDataset([a, It(2)])
    with pytest.raises(AssertionError, match="should not be an empty iterable"):
        D.ConcatDataset([])
    ch = It(2) + It(3)
    assert isinstance(ch, D.ChainDataset) and list(ch) == [0, 1, 0, 1, 2] and len(ch) == 5
    s = D.Subset(c, [6, 0])
    assert len(s) == 2 and s[0][0].item() == 13
    assert [x[0].item() for x in s.__getitems__([1, 0])] == [0, 13]
    st = D.StackDataset(a, a)
    assert len(st) == 3 and st[2][1][0].item() == 2
    sd = D.StackDataset(x=a, y=a)
    assert sd.__getitems__([0, 1])[1]["y"][0].item() == 1
    with pytest.raises(ValueError, match="Size mismatch"):
        D.StackDataset(a, b)
    with pytest.raises(NotImplementedError):
        D.Dataset()[0]


@pytest.mark.parametrize("lengths", [[3, 7], [0.3, 0.7], [0.25, 0.25, 0.5], [0.33, 0.33, 0.34],
                                     [1 / 3, 1 / 3, 1 / 3]])
def test_random_split(lengths):
    def f(lib, n=10):
        g = lib.Generator().manual_seed(42)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parts = lib.utils.data.random_split(range(n), lengths, generator=g)
        return [list(p.indices) for p in parts]
    assert f(torch) == f(ember)
    if isinstance(lengths[0], float):
        assert f(torch, 11) == f(ember, 11)

    def g(lib):  # the default generator
        lib.manual_seed(3)
        return [list(p.indices) for p in lib.utils.data.random_split(range(10), [5, 5])]
    assert g(torch) == g(ember)
    same_error(lambda lib: lib.utils.data.random_split(range(10), [3, 3]))


# ---- samplers --------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 7])
@pytest.mark.parametrize("replacement,num_samples", [(False, None), (False, 4), (False, 23),
                                                     (True, None), (True, 70)])
def test_random_sampler(seed, replacement, num_samples):
    def f(lib):
        lib.manual_seed(seed)
        s = lib.utils.data.RandomSampler(range(10), replacement, num_samples)
        out = [list(s), list(s), len(s)]
        g = lib.Generator().manual_seed(seed + 1)
        s2 = lib.utils.data.RandomSampler(range(10), replacement, num_samples, generator=g)
        return out + [list(s2), lib.rand(2).tolist()]
    assert f(torch) == f(ember)


def test_random_sampler_errors():
    same_error(lambda lib: lib.utils.data.RandomSampler(range(3), replacement=1))
    same_error(lambda lib: lib.utils.data.RandomSampler(range(3), num_samples=0))


def test_subset_and_weighted_samplers():
    def f(lib):
        lib.manual_seed(5)
        out = [list(lib.utils.data.SubsetRandomSampler([3, 5, 9, 11]))]
        g = lib.Generator().manual_seed(1)
        out.append(list(lib.utils.data.SubsetRandomSampler(range(20, 30), generator=g)))
        w = [0.1, 0.9, 0.4, 0.7, 3.0, 0.6]
        out.append(list(lib.utils.data.WeightedRandomSampler(w, 12)))
        out.append(list(lib.utils.data.WeightedRandomSampler(w, 5, replacement=False)))
        out.append(list(lib.utils.data.WeightedRandomSampler(w, 4, generator=g)))
        out.append(len(lib.utils.data.WeightedRandomSampler(w, 4)))
        return out
    assert f(torch) == f(ember)
    same_error(lambda lib: lib.utils.data.WeightedRandomSampler([1.0], 0))
    same_error(lambda lib: lib.utils.data.WeightedRandomSampler([[1.0]], 1))
    same_error(lambda lib: lib.utils.data.WeightedRandomSampler([1.0], 1, replacement=None))


def test_batch_sampler():
    for bs in (1, 3, 4, 10, 11):
        for dl in (False, True):
            def f(lib, bs=bs, dl=dl):
                s = lib.utils.data.BatchSampler(lib.utils.data.SequentialSampler(range(10)),
                                                bs, dl)
                return list(s), len(s)
            assert f(torch) == f(ember)
    same_error(lambda lib: lib.utils.data.BatchSampler(range(3), 0, False))
    same_error(lambda lib: lib.utils.data.BatchSampler(range(3), True, False))
    same_error(lambda lib: lib.utils.data.BatchSampler(range(3), 2, 0))


# ---- DataLoader ------------------------------------------------------------------------------

def test_seed_vector():
    ember.manual_seed(0)
    dl = ember.utils.data.DataLoader(ember.arange(10), batch_size=4, shuffle=True)
    assert [b.tolist() for b in dl] == [[6, 7, 1, 4], [2, 0, 9, 8], [3, 5]]
    assert [b.tolist() for b in dl] == [[2, 4, 7, 0], [8, 9, 5, 3], [6, 1]]


@pytest.mark.parametrize("seed", [0, 1, 42, 2**40 + 3])
@pytest.mark.parametrize("batch_size", [1, 3, 4, 10, None])
@pytest.mark.parametrize("drop_last", [False, True])
def test_shuffle_order_matches_torch(seed, batch_size, drop_last):
    if batch_size is None and drop_last:
        return
    def f(lib):
        lib.manual_seed(seed)
        dl = lib.utils.data.DataLoader(lib.arange(10) * 10, batch_size=batch_size,
                                       shuffle=True, drop_last=drop_last)
        epochs = [[b.tolist() for b in dl] for _ in range(2)]
        return epochs, len(dl), lib.rand(3).tolist()     # the default generator agrees after
    assert f(torch) == f(ember)


def test_shuffle_with_generator_and_iter_next():
    def f(lib):
        lib.manual_seed(1)
        g = lib.Generator().manual_seed(9)
        x, y = lib.arange(12.0).reshape(6, 2), lib.arange(6)
        dl = lib.utils.data.DataLoader(lib.utils.data.TensorDataset(x, y), batch_size=4,
                                       shuffle=True, generator=g)
        it = iter(dl)
        first = next(it)
        rest = [b for b in it]
        return [first] + rest + [list(dl)[0], lib.rand(2), g.initial_seed()]
    check_same(*both(f))


def test_loader_sampler_batch_sampler_collate_fn():
    def f(lib):
        D = lib.utils.data
        ds = [{"v": float(i), "name": str(i)} for i in range(7)]
        out = [list(D.DataLoader(ds, batch_size=3, sampler=[6, 5, 4, 3, 2, 1, 0]))]
        out.append(list(D.DataLoader(ds, batch_sampler=[[0, 1], [5]])))
        out.append(list(D.DataLoader(ds, batch_size=2, collate_fn=lambda b: len(b))))
        out.append(list(D.DataLoader(ds, batch_size=None))[:2])
        out.append([len(D.DataLoader(ds, batch_size=b, drop_last=d)) for b in (1, 2, 3, 7, 8)
                    for d in (False, True)])
        out.append(len(D.DataLoader(ds, batch_size=None)))
        return out
    check_same(*both(f))


class _Range:
    """An IterableDataset over range(n), built for either library."""

    @staticmethod
    def make(lib, n, with_len=True):
        base = lib.utils.data.IterableDataset

        class R(base):
            def __iter__(self):
                return iter(range(n))

        if with_len:
            R.__len__ = lambda self: n
        return R()


def test_iterable_dataset_single_process():
    def f(lib):
        D = lib.utils.data
        ds = _Range.make(lib, 7)
        out = [list(D.DataLoader(ds, batch_size=3)), list(D.DataLoader(ds, batch_size=3,
                                                                       drop_last=True))]
        out.append(list(D.DataLoader(ds, batch_size=None)))
        out.append([len(D.DataLoader(ds, batch_size=b, drop_last=d)) for b in (2, 3, 7)
                    for d in (False, True)])
        out.append(len(D.DataLoader(ds, batch_size=None)))
        return out
    check_same(*both(f))
    same_error(lambda lib: len(lib.utils.data.DataLoader(_Range.make(lib, 3, with_len=False))))


def test_loader_argument_errors():
    cases = [
        lambda lib: lib.utils.data.DataLoader(range(3), num_workers=-1),
        lambda lib: lib.utils.data.DataLoader(range(3), timeout=-1),
        lambda lib: lib.utils.data.DataLoader(range(3), prefetch_factor=2),
        lambda lib: lib.utils.data.DataLoader(range(3), num_workers=1, prefetch_factor=-1),
        lambda lib: lib.utils.data.DataLoader(range(3), persistent_workers=True),
        lambda lib: lib.utils.data.DataLoader(range(3), shuffle=True, sampler=[0, 1]),
        lambda lib: lib.utils.data.DataLoader(range(3), batch_size=2, batch_sampler=[[0]]),
        lambda lib: lib.utils.data.DataLoader(range(3), shuffle=True, batch_sampler=[[0]]),
        lambda lib: lib.utils.data.DataLoader(range(3), drop_last=True, batch_sampler=[[0]]),
        lambda lib: lib.utils.data.DataLoader(range(3), batch_size=None, drop_last=True),
        lambda lib: lib.utils.data.DataLoader(range(3), batch_size=0),
        lambda lib: lib.utils.data.DataLoader(_Range.make(lib, 3), shuffle=True),
        lambda lib: lib.utils.data.DataLoader(_Range.make(lib, 3), sampler=[0]),
        lambda lib: lib.utils.data.DataLoader(_Range.make(lib, 3), batch_sampler=[[0]]),
        lambda lib: lib.utils.data.DataLoader(range(3), multiprocessing_context="fork"),
        lambda lib: lib.utils.data.DataLoader(range(3), num_workers=1,
                                              multiprocessing_context="nope"),
        lambda lib: setattr(lib.utils.data.DataLoader(range(3)), "batch_size", 2),
        lambda lib: iter(lib.utils.data.DataLoader(range(3), timeout=1)),
    ]
    for case in cases:
        same_error(case)


def test_pin_memory_accepted():
    with pytest.warns(UserWarning, match="pin_memory"):
        out = [b.tolist() for b in ember.utils.data.DataLoader(range(4), batch_size=2,
                                                                pin_memory=True)]
    assert out == [[0, 1], [2, 3]]


def test_iterator_not_picklable_and_tensor_pickles():
    with pytest.raises(NotImplementedError):
        pickle.dumps(iter(ember.utils.data.DataLoader(range(3))))
    for dt in (ember.float32, ember.bfloat16, ember.int64, ember.bool, ember.float16):
        x = ember.arange(4).to(dt)
        y = pickle.loads(pickle.dumps(x))
        assert y.dtype == dt and y.tolist() == x.tolist()


@pytest.mark.parametrize("n,reps,shuffle,drop_last", [(10, 3, True, False), (10, 3, True, True),
                                                      (11, 4, False, False), (2, 5, True, False)])
def test_distributed_sampler(n, reps, shuffle, drop_last):
    def f(lib):
        out = []
        for rank in range(reps):
            s = lib.utils.data.DistributedSampler(range(n), reps, rank, shuffle=shuffle, seed=4,
                                                  drop_last=drop_last)
            s.set_epoch(2)
            out.append((list(s), len(s)))
        return out
    assert f(torch) == f(ember)
    same_error(lambda lib: lib.utils.data.DistributedSampler(range(3), 2, 2))


def test_worker_count_warning():
    msgs = []
    for lib in (torch, ember):
        with pytest.warns(UserWarning) as rec:
            lib.utils.data.DataLoader(range(3), num_workers=1000)
        msgs.append(str(rec[0].message))
    assert msgs[0] == msgs[1]


def test_iterable_dataset_length_warning():
    msgs = []
    for lib in (torch, ember):
        ds = _Range.make(lib, 4)
        ds.__class__.__len__ = lambda self: 2
        dl = lib.utils.data.DataLoader(ds, batch_size=None)
        assert len(dl) == 2
        with pytest.warns(UserWarning) as rec:
            assert list(dl) == [0, 1, 2, 3]
        msgs.append(str(rec[0].message).split(" was reported")[1])
    assert msgs[0] == msgs[1]


def test_custom_collate_fn_map():
    class Box:
        def __init__(self, v):
            self.v = v

    def run(lib):
        from importlib import import_module
        m = import_module(lib.__name__ + ".utils.data._utils.collate")

        def box_fn(batch, *, collate_fn_map=None):
            return lib.tensor([b.v for b in batch]) * 2

        fmap = {**m.default_collate_fn_map, Box: box_fn}
        return m.collate([(Box(1), 1.0), (Box(2), 2.0)], collate_fn_map=fmap)
    check_same(run(torch), run(ember))
