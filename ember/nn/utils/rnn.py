"""torch.nn.utils.rnn: PackedSequence, pack/pad helpers (differentiable, torch's layout)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

import ember

from ... import _dtype as D
from ..._tensor import Tensor, _new

__all__ = ["PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence",
           "pack_sequence", "unpad_sequence", "unpack_sequence", "invert_permutation"]


class PackedSequence(NamedTuple):
    """torch.nn.utils.rnn.PackedSequence: time-major rows of the still-running sequences."""

    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None = None
    unsorted_indices: Tensor | None = None

    def to(self, *args, **kwargs) -> PackedSequence:
        """Move/cast the data (batch_sizes stay on the CPU)."""
        return self._replace(data=self.data.to(*args, **kwargs))

    @property
    def is_cuda(self) -> bool:
        return self.data.is_cuda


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The inverse of an index permutation."""
    if permutation is None:
        return None
    p = np.asarray(permutation._array)
    inv = np.empty_like(p)
    inv[p] = np.arange(p.size)
    return _new(inv, D.int64)


def _lengths_array(lengths) -> np.ndarray:
    if isinstance(lengths, Tensor):
        return np.asarray(lengths.detach().cpu()._array).astype(np.int64)
    return np.asarray(lengths, dtype=np.int64)


def pack_padded_sequence(input: Tensor, lengths, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """torch.nn.utils.rnn.pack_padded_sequence."""
    lens = _lengths_array(lengths)
    if enforce_sorted:
        if np.any(np.diff(lens) > 0):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when "
                               "`enforce_sorted` is True. You can pass `enforce_sorted=False` "
                               "to pack_padded_sequence and/or pack_sequence to sidestep this "
                               "requirement if you do not need ONNX exportability.")
        sorted_indices = None
    else:
        order = np.argsort(-lens, kind="stable")
        lens = lens[order]
        sorted_indices = _new(order.astype(np.int64), D.int64)
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    if lens.size and lens.min() <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element "
                           "in 'lengths' that is <= 0")
    if batch_first:
        input = input.transpose(0, 1)
    if lens.size and lens[0] > input.size(0):
        raise RuntimeError(f"Expected sequence length to be larger than or equal to max "
                           f"length {lens[0]}, but got {input.size(0)}")
    steps = int(lens[0]) if lens.size else 0
    batch_sizes = np.array([(lens > t).sum() for t in range(steps)], dtype=np.int64)
    data = ember.cat([input[t, :int(b)] for t, b in enumerate(batch_sizes)], 0)
    return PackedSequence(data, _new(batch_sizes, D.int64), sorted_indices,
                          invert_permutation(sorted_indices))


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0,
                        total_length: int | None = None) -> tuple[Tensor, Tensor]:
    """torch.nn.utils.rnn.pad_packed_sequence: (padded, lengths) in the original batch order."""
    data, bs = sequence.data, np.asarray(sequence.batch_sizes._array)
    steps, batch = len(bs), int(bs[0]) if len(bs) else 0
    if total_length is not None:
        if total_length < steps:
            raise ValueError("Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and max "
                             f"sequence length being {steps}")
        steps_out = total_length
    else:
        steps_out = steps
    rows, offset = [], 0
    tail = tuple(data.shape[1:])
    for t in range(steps_out):
        b = int(bs[t]) if t < steps else 0
        part = data[offset:offset + b]
        offset += b
        if b < batch:
            fill = ember.full((batch - b,) + tail, padding_value, dtype=data.dtype,
                              device=data.device)
            part = ember.cat([part, fill], 0)
        rows.append(part)
    padded = ember.stack(rows, 0)
    lengths = np.array([(bs > i).sum() for i in range(batch)], dtype=np.int64)
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(1, sequence.unsorted_indices)
        lengths = lengths[np.asarray(sequence.unsorted_indices._array)]
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, _new(lengths, D.int64)


def pad_sequence(sequences, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """torch.nn.utils.rnn.pad_sequence: stack variable-length (L_i, *) tensors."""
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got "
                         f"{padding_side}.")
    sequences = list(sequences)
    longest = max(s.size(0) for s in sequences)
    padded = []
    for s in sequences:
        extra = longest - s.size(0)
        if extra:
            fill = ember.full((extra,) + tuple(s.shape[1:]), padding_value, dtype=s.dtype,
                              device=s.device)
            s = ember.cat([s, fill] if padding_side == "right" else [fill, s], 0)
        padded.append(s)
    return ember.stack(padded, 0 if batch_first else 1)


def unpad_sequence(padded_sequences: Tensor, lengths: Tensor, batch_first: bool = False):
    """torch.nn.utils.rnn.unpad_sequence."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [seq[:int(n)] for seq, n in zip(padded_sequences, _lengths_array(lengths))]


def pack_sequence(sequences, enforce_sorted: bool = True) -> PackedSequence:
    """torch.nn.utils.rnn.pack_sequence."""
    lengths = [s.size(0) for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths,
                                enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list:
    """torch.nn.utils.rnn.unpack_sequence."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
