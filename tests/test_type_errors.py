"""Wrong argument types raise what torch raises: Python's own operand errors for dunders
(Tensor's binary dunders return NotImplemented), torch's binding message for a non-Tensor
input, a TypeError (never a wrap-around) for a non-int dim."""

import numpy as np
import pytest
import torch

import ember


def _outcome(lib, expr):
    try:
        r = eval(expr, {"L": lib, "np": np})
        return "ok", np.asarray(r).tolist() if isinstance(r, lib.Tensor) else r
    except Exception as e:          # noqa: BLE001 - the exception is what is compared
        return type(e).__name__, str(e)


SAME_MESSAGE = [
    "L.ones(2) + [1, 2]", "L.ones(2) + None", "[1, 2] + L.ones(2)", "'a' * L.ones(2)",
    "L.ones(2) * 'a'", "L.ones(2) - (1, 2)", "L.ones(2) / 'a'", "L.ones(2) @ 'a'",
    "L.ones(2) ** 'a'", "L.ones(2) % 'a'", "L.ones(2) & 'a'", "L.ones(2) // 'a'",
    "L.ones(2) < 'a'", "L.ones(2) == 'a'", "L.ones(2) + 1j", "L.ones(2) + np.float32(1)",
    "L.ones(2) + True", "2 ** L.ones(2)", "np.float64(2) * L.ones(2)",
    "L.nn.functional.relu('a')", "L.exp([1.0])", "L.sigmoid(None)", "L.sum('a')",
    "L.tanh(3.0)", "L.abs('x')", "L.mean([1.0, 2.0])", "L.ones(2, 2).unsqueeze('a')",
]


@pytest.mark.parametrize("expr", SAME_MESSAGE)
def test_same_outcome_and_message(expr):
    t, e = _outcome(torch, expr), _outcome(ember, expr)
    assert e == t


def test_inplace_dunder_with_a_bad_operand():
    for lib in (torch, ember):
        x = lib.ones(2)
        with pytest.raises(TypeError, match=r"unsupported operand type\(s\) for \+=: 'Tensor' "
                                            r"and 'str'"):
            x += "a"


class _Other:
    """A user type that knows how to combine with a Tensor from the right."""

    def __radd__(self, other):
        return "radd"

    def __rmul__(self, other):
        return "rmul"


def test_reflected_operand_of_a_user_type_is_tried():
    for lib in (torch, ember):
        assert lib.ones(2) + _Other() == "radd"
        assert lib.ones(2) * _Other() == "rmul"


@pytest.mark.parametrize("expr", [
    "L.ones(2).sum(dim='a')", "L.max(L.ones(2), 'a')", "L.ones(2, 2).sum(1.5)",
    "L.ones(2, 2).sum((0, 'a'))", "L.ones(2, 2).softmax('a')", "L.ones(2, 2).sum(True)",
])
def test_non_int_dim_is_a_type_error(expr):
    assert _outcome(torch, expr)[0] == _outcome(ember, expr)[0] == "TypeError"


@pytest.mark.parametrize("expr", [
    "L.zeros('a')", "L.zeros([2.5])", "L.zeros(2.5)", "L.ones(None)", "L.empty('x')",
    "L.arange('a')", "L.arange(0, 'a')", "L.arange(1j)", "L.full((2,), 'a')", "L.full('a', 1)",
    "L.full((2,), None)", "L.full((2,), L.tensor(3.0), dtype=L.int64)", "L.arange(L.tensor(3))",
    "L.full((2,), 1 + 2j)", "L.arange(np.int64(3))", "L.full((2,), np.float32(2))",
])
def test_factory_argument_types(expr):
    t, e = _outcome(torch, expr), _outcome(ember, expr)
    assert e[0] == t[0]
    if t[0] == "ok":
        assert e[1] == t[1]
    else:
        assert e[1].split(" - got")[0] == t[1].split(" - got")[0]
