"""Op-table entries for elementwise ops."""

from opinfo import OpInfo

BIN = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((), (3,))]

OPS = [
    OpInfo("add", lambda lib, a, b: lib.add(a, b), shapes=BIN),
    OpInfo("add_alpha", lambda lib, a, b: lib.add(a, b, alpha=2.5), shapes=BIN),
    OpInfo("__add__scalar", lambda lib, a: a + 2.5),
    OpInfo("sub", lambda lib, a, b: a - b, shapes=BIN),
    OpInfo("__rsub__", lambda lib, a: 3 - a),
    OpInfo("mul", lambda lib, a, b: a * b, shapes=BIN),
    OpInfo("div", lambda lib, a, b: a / b, shapes=BIN, domain=(0.5, 2.0)),
    OpInfo("__rtruediv__", lambda lib, a: 2.0 / a, domain=(0.5, 2.0)),
    OpInfo("neg", lambda lib, a: -a),
]
