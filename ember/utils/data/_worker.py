"""DataLoader worker processes (torch.utils.data._utils.worker): seeding, the loop, errors."""

from __future__ import annotations

import os
import random
import sys
import traceback
from dataclasses import dataclass

import numpy as np

from ... import random as _random
from ._fetch import _DatasetKind

__all__ = ["WorkerInfo", "get_worker_info"]

# How often an idle worker checks for shutdown and that its parent still lives.
WORKER_STATUS_CHECK_INTERVAL = 0.2

_worker_info: WorkerInfo | None = None


@dataclass(frozen=True, slots=True)
class WorkerInfo:
    """torch.utils.data.get_worker_info()'s record: this worker's id, count, seed and dataset."""

    id: int
    num_workers: int
    seed: int
    dataset: object
    rng: object | None = None
    worker_method: str | None = "multiprocessing"


def get_worker_info() -> WorkerInfo | None:
    """torch.utils.data.get_worker_info: this worker's WorkerInfo; None in the main process."""
    return _worker_info


@dataclass(frozen=True)
class _IterableDatasetStopIteration:
    """Sent by a worker whose IterableDataset replica is exhausted."""

    worker_id: int


@dataclass(frozen=True)
class _ResumeIteration:
    """Sent to persistent workers at the start of each new epoch."""

    seed: int | None = None


class KeyErrorMessage(str):
    """A str whose repr is itself, so a re-raised KeyError shows its traceback text readably."""

    __slots__ = ()

    def __repr__(self) -> str:
        return self


class ExceptionWrapper:
    """torch._utils.ExceptionWrapper: an exception's type and traceback text, picklable."""

    def __init__(self, exc_info=None, where: str = "in background") -> None:
        if exc_info is None:
            exc_info = sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        """Raise the original exception type with the worker's traceback in the message."""
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = KeyErrorMessage(msg)
        elif getattr(self.exc_type, "message", None):
            # some exception types take a required `message` keyword
            raise self.exc_type(message=msg)
        try:
            exception = self.exc_type(msg)
        except Exception:
            # the type's constructor does not take a single message: fall back as torch does
            raise RuntimeError(msg) from None
        try:
            raise exception
        finally:
            # break the exception -> traceback -> this frame -> exception cycle, so dropping the
            # exception frees the DataLoader iterator (and stops its workers) at once
            exception = None


def _generate_state(base_seed: int, worker_id: int) -> list[int]:
    """torch's NumPy seed for a worker: a SeedSequence-style hash of (worker_id, base_seed)."""
    INIT_A, MULT_A = 0x43B0D7E5, 0x931E8875
    INIT_B, MULT_B = 0x8B51F9DD, 0x58F38DED
    MIX_MULT_L, MIX_MULT_R = 0xCA01F9DD, 0x4973F715
    XSHIFT = 4 * 8 // 2
    MASK32 = 0xFFFFFFFF

    entropy = [worker_id, base_seed & MASK32, base_seed >> 32, 0]
    pool = [0] * 4
    hash_const_A = INIT_A

    def hash(value: int) -> int:
        nonlocal hash_const_A
        value = (value ^ hash_const_A) & MASK32
        hash_const_A = (hash_const_A * MULT_A) & MASK32
        value = (value * hash_const_A) & MASK32
        return (value ^ (value >> XSHIFT)) & MASK32

    def mix(x: int, y: int) -> int:
        result = ((MIX_MULT_L * x) & MASK32) - ((MIX_MULT_R * y) & MASK32) & MASK32
        return (result ^ (result >> XSHIFT)) & MASK32

    for i in range(len(pool)):
        pool[i] = hash(entropy[i])
    for i_src in range(len(pool)):
        for i_dst in range(len(pool)):
            if i_src != i_dst:
                pool[i_dst] = mix(pool[i_dst], hash(pool[i_src]))
    hash_const_B = INIT_B
    state = []
    for i_dst in range(4):
        data_val = pool[i_dst]
        data_val = (data_val ^ hash_const_B) & MASK32
        hash_const_B = (hash_const_B * MULT_B) & MASK32
        data_val = (data_val * hash_const_B) & MASK32
        state.append((data_val ^ (data_val >> XSHIFT)) & MASK32)
    return state


def _send(conn, worker_id: int, idx, data) -> None:
    """Send one result; one that cannot be pickled goes back as that error instead."""
    try:
        conn.send((idx, data))
    except OSError:
        raise                               # the pipe is gone: the main process is
    except Exception:
        # pickling failed before anything was written, so the pipe is still clean
        conn.send((idx, ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")))


def _worker_loop(dataset_kind, dataset, conn, done_event, auto_collation, collate_fn, drop_last,
                 base_seed, init_fn, worker_id, num_workers, persistent_workers) -> None:
    """A worker's life: seed, run worker_init_fn, then fetch each (idx, index) it is sent."""
    try:
        # the same seeds torch gives a worker: Python's and ember's from base_seed + id,
        # NumPy's global RNG from torch's hash of (base_seed, id)
        seed = base_seed + worker_id
        random.seed(seed)
        _random.manual_seed(seed)
        np.random.seed(_generate_state(base_seed, worker_id))

        global _worker_info
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed,
                                  dataset=dataset)
        init_exception = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = _DatasetKind.create_fetcher(dataset_kind, dataset, auto_collation,
                                                  collate_fn, drop_last)
        except Exception:
            # reported with the first task, so the main process raises it in order
            init_exception = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")

        iteration_end = False
        parent = os.getppid()
        while os.getppid() == parent:          # an orphaned worker exits on its own
            if not conn.poll(WORKER_STATUS_CHECK_INTERVAL):
                if done_event.is_set():
                    break
                continue
            r = conn.recv()
            if isinstance(r, _ResumeIteration):
                conn.send((r, None))
                iteration_end = False
                fetcher = _DatasetKind.create_fetcher(dataset_kind, dataset, auto_collation,
                                                      collate_fn, drop_last)
                continue
            if r is None:                      # the main process asks us to exit
                break
            if done_event.is_set() or iteration_end:
                continue                       # drain without work until told to exit
            idx, index = r
            if init_exception is not None:
                data = init_exception
                init_exception = None
            else:
                try:
                    data = fetcher.fetch(index)
                except Exception as e:
                    if isinstance(e, StopIteration) and dataset_kind == _DatasetKind.Iterable:
                        data = _IterableDatasetStopIteration(worker_id)
                        # later tasks are ignored until the next epoch (or exit)
                        iteration_end = True
                    else:
                        data = ExceptionWrapper(
                            where=f"in DataLoader worker process {worker_id}")
            _send(conn, worker_id, idx, data)
            del data, idx, index, r
    except (KeyboardInterrupt, EOFError, OSError):
        # Ctrl-C (the main process handles it and shuts us down) or the main process is gone
        pass
    finally:
        conn.close()
