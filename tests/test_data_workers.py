"""DataLoader worker processes: same batches and seeds as torch, errors, timeouts, no orphans."""

import gc
import os
import random
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
import torch
from test_data import check_same

import ember

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


class RandDS:
    """Each item reports its worker and a draw from every RNG a worker seeds."""

    def __init__(self, lib, n=8):
        self.lib, self.n = lib, n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        info = self.lib.utils.data.get_worker_info()
        return {"i": i, "wid": info.id, "nw": info.num_workers, "seed": info.seed,
                "same_ds": info.dataset is self, "t": self.lib.rand(2),
                "py": random.random(), "np": float(np.random.rand())}


def _loader_run(lib, **kw):
    lib.manual_seed(3)
    dl = lib.utils.data.DataLoader(RandDS(lib), batch_size=3, num_workers=2, **kw)
    return [list(dl) for _ in range(2)] + [lib.rand(2)]


def test_worker_rngs_and_info_match_torch():
    check_same(_loader_run(torch), _loader_run(ember))


def test_generator_feeds_worker_seeds_and_shuffle():
    def f(lib):
        lib.manual_seed(0)
        g = lib.Generator().manual_seed(11)
        dl = lib.utils.data.DataLoader(RandDS(lib), batch_size=2, num_workers=2, shuffle=True,
                                       generator=g)
        return [list(dl), lib.rand(2), g.initial_seed()]
    check_same(f(torch), f(ember))


def test_persistent_workers_match_torch():
    check_same(_loader_run(torch, persistent_workers=True, shuffle=True, prefetch_factor=1),
               _loader_run(ember, persistent_workers=True, shuffle=True, prefetch_factor=1))


@pytest.mark.parametrize("seed", [0, 5])
def test_two_workers_equal_single_process(seed):
    def run(num_workers, in_order=True):
        ember.manual_seed(seed)
        ds = ember.utils.data.TensorDataset(ember.arange(22.0).reshape(11, 2).bfloat16(),
                                            ember.arange(11))
        dl = ember.utils.data.DataLoader(ds, batch_size=3, shuffle=True,
                                         num_workers=num_workers, in_order=in_order)
        return [[(x.float().tolist(), y.tolist()) for x, y in dl] for _ in range(2)]
    ref = run(0)
    assert run(2) == ref
    unordered = run(2, in_order=False)
    assert [sorted(e) for e in unordered] == [sorted(e) for e in ref]


class ShardDS:
    """An IterableDataset yielding range(n), split between workers when `shard` is set."""

    @staticmethod
    def make(lib, n, shard):
        class S(lib.utils.data.IterableDataset):
            def __iter__(self):
                info = lib.utils.data.get_worker_info()
                if info is None or not shard:
                    return iter(range(n))
                per = -(-n // info.num_workers)
                return iter(range(info.id * per, min(n, (info.id + 1) * per)))
        return S()


@pytest.mark.parametrize("shard", [True, False])
def test_iterable_dataset_workers_match_torch(shard):
    def f(lib):
        ds = ShardDS.make(lib, 9, shard)
        return [list(lib.utils.data.DataLoader(ds, batch_size=2, num_workers=2)),
                list(lib.utils.data.DataLoader(ds, batch_size=None, num_workers=2))]
    check_same(f(torch), f(ember))


def test_iterable_dataset_persistent_workers_match_torch():
    def f(lib):
        ds = ShardDS.make(lib, 9, True)
        dl = lib.utils.data.DataLoader(ds, batch_size=2, num_workers=2, persistent_workers=True)
        return [list(dl) for _ in range(2)]
    check_same(f(torch), f(ember))


class FailDS:
    def __init__(self, exc, at=2):
        self.exc, self.at = exc, at

    def __len__(self):
        return 6

    def __getitem__(self, i):
        if i == self.at:
            raise self.exc(f"bad index {i}")
        return i


@pytest.mark.parametrize("exc", [ValueError, KeyError])
def test_raising_worker(exc):
    msgs = []
    for lib in (torch, ember):
        it = iter(lib.utils.data.DataLoader(FailDS(exc), num_workers=2))
        assert [next(it).item(), next(it).item()] == [0, 1]
        with pytest.raises(exc) as ei:
            next(it)
        msgs.append(str(ei.value))
        assert next(it).item() == 3          # the iterator goes on, as torch's does
        if lib is torch:
            # torch's iterator sits in a reference cycle with the raised exception; collected
            # later by gc, its shutdown stalls for seconds, so it is shut down here
            it._shutdown_workers()
        del it
    for m in msgs:
        assert "Caught " + exc.__name__ + " in DataLoader worker process 0." in m
        assert "Original Traceback (most recent call last):" in m
        assert "bad index 2" in m and "__getitem__" in m
    assert msgs[0].splitlines()[0] == msgs[1].splitlines()[0]


def test_worker_init_fn_and_its_error():
    seen = []

    def init(worker_id):
        info = ember.utils.data.get_worker_info()
        assert info.id == worker_id and info.num_workers == 2
        if worker_id == 1:
            raise ValueError("init failed")

    ember.manual_seed(0)
    dl = ember.utils.data.DataLoader(range(4), num_workers=2, worker_init_fn=init)
    it = iter(dl)
    seen.append(next(it).item())
    with pytest.raises(ValueError, match="init failed"):
        next(it)
    assert seen == [0]
    assert ember.utils.data.get_worker_info() is None


class KillDS:
    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == 3:
            os.kill(os.getpid(), signal.SIGKILL)
        return i


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as f:
            return "State:\tZ" in f.read()          # a zombie no one reaped is gone too
    except FileNotFoundError:
        return True
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False


def _wait_gone(pids, limit=10.0) -> bool:
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if all(_gone(p) for p in pids):
            return True
        time.sleep(0.05)
    return False


def test_killed_worker_raises():
    it = iter(ember.utils.data.DataLoader(KillDS(), num_workers=2))
    pids = [w.pid for w in it._workers]
    got = []
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+\) exited "
                                           r"unexpectedly") as ei:
        for b in it:
            got.append(b.item())
    assert "killed by signal" in str(ei.value)
    # every result sent before the death is delivered, in order
    assert got == [0, 1, 2]
    del it
    gc.collect()
    assert _wait_gone(pids)


class UnpicklableDS:
    def __len__(self):
        return 4

    def __getitem__(self, i):
        return (lambda: i) if i == 1 else i


def test_unpicklable_batch_is_an_error_not_a_hang():
    it = iter(ember.utils.data.DataLoader(UnpicklableDS(), num_workers=2,
                                          collate_fn=lambda b: b))
    assert next(it) == [0]
    with pytest.raises(AttributeError, match="(?s)Caught AttributeError in DataLoader worker "
                                             "process 1.*Can't pickle"):
        next(it)
    assert list(it) == [[2], [3]]


class SlowDS:
    def __len__(self):
        return 4

    def __getitem__(self, i):
        if i == 1:
            time.sleep(1.0)
        return i


def test_timeout():
    it = iter(ember.utils.data.DataLoader(SlowDS(), num_workers=2, timeout=0.2))
    assert next(it).item() == 0
    with pytest.raises(RuntimeError, match=r"DataLoader timed out after 0.2 seconds"):
        next(it)
    pids = [w.pid for w in it._workers]
    del it
    gc.collect()
    assert _wait_gone(pids)


def test_iterator_deletion_and_exhaustion_stop_workers():
    dl = ember.utils.data.DataLoader(range(20), batch_size=2, num_workers=2)
    it = iter(dl)
    next(it)
    pids = [w.pid for w in it._workers]
    del it
    gc.collect()
    assert _wait_gone(pids, 5.0)
    it = iter(dl)
    pids = [w.pid for w in it._workers]
    assert len(list(it)) == 10
    assert _wait_gone(pids, 5.0)


_SCRIPT = textwrap.dedent("""
    import signal, sys, time
    import ember

    # a job started in the background inherits an ignored SIGINT: restore Python's handler
    signal.signal(signal.SIGINT, signal.default_int_handler)

    class DS:
        def __len__(self):
            return 1000

        def __getitem__(self, i):
            time.sleep(0.05)
            return i

    it = iter(ember.utils.data.DataLoader(DS(), num_workers=2))
    next(it)
    print(" ".join(str(w.pid) for w in it._workers), flush=True)
    for b in it:
        pass
""")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_no_orphans_when_main_process_is_interrupted_or_killed(sig):
    p = subprocess.Popen([sys.executable, "-c", _SCRIPT], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        pids = [int(x) for x in p.stdout.readline().split()]
        assert len(pids) == 2
        p.send_signal(sig)
        _, err = p.communicate(timeout=30)
        if sig == signal.SIGINT:
            assert "KeyboardInterrupt" in err
        assert _wait_gone(pids, 10.0)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
