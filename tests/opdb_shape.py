"""Op-table entries for shape ops."""

from opinfo import OpInfo

OPS = [
    OpInfo("reshape", lambda lib, a: a.reshape(4, -1), shapes=[((2, 3, 4),)]),
    OpInfo("view", lambda lib, a: a.view(-1), shapes=[((2, 3, 4),)]),
    OpInfo("expand", lambda lib, a: a.expand(2, 3, 4), shapes=[((3, 1),)]),
    OpInfo("unsqueeze", lambda lib, a: lib.unsqueeze(a, -1), shapes=[((2, 3),)]),
    OpInfo("squeeze", lambda lib, a: a.squeeze(), shapes=[((1, 3, 1),)]),
    OpInfo("squeeze_dim", lambda lib, a: a.squeeze(1), shapes=[((1, 3, 1),)]),
]
