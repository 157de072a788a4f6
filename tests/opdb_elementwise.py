"""Op-table entries for elementwise ops (ember/ops/elementwise.py, unary.py, compare.py)."""

import numpy as np
from opinfo import OpInfo

BIN = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((), (3,))]
BIN2 = [((3, 4), (4,)), ((), (2, 3))]
U = [((2, 3),)]
U3 = [((2, 3),), ((),), ((0, 3),)]
I64 = ("float32",)           # entries whose inputs do not depend on the float dtype


def _ints(lo, hi, nonzero=False):
    """Integer inputs in [lo, hi) for every shape (zeros removed when nonzero)."""
    def make(rng, shapes, dtype):
        out = []
        for s in shapes:
            a = rng.integers(lo, hi, size=s).astype(np.int64)
            if nonzero:
                a[a == 0] = 1
            out.append(a)
        return out
    return make


def _special(values, lo=-2.0, hi=2.0):
    """Float inputs sprinkled with the given special values (zeros, ties, infinities)."""
    def make(rng, shapes, dtype):
        out = []
        for s in shapes:
            a = rng.uniform(lo, hi, size=s)
            flat = a.reshape(-1)
            for i, v in enumerate(values[:flat.size]):
                flat[i] = v
            out.append(a.astype(dtype))
        return out
    return make


def _ties(rng, shapes, dtype):
    """Two inputs equal at some positions (maximum/minimum/clamp tie handling)."""
    a = rng.uniform(-2, 2, size=shapes[0])
    b = rng.uniform(-2, 2, size=shapes[1])
    for i in range(0, min(a.size, b.size), 2):
        b.flat[i] = a.flat[i]
    return [a.astype(dtype), b.astype(dtype)]


def _clamp_make(rng, shapes, dtype):
    x = rng.uniform(-2, 2, size=shapes[0])
    lo = rng.uniform(-1, 0, size=shapes[1])
    hi = rng.uniform(0, 1, size=shapes[2])
    x.reshape(-1)[0] = lo.reshape(-1)[0]           # a value exactly on a boundary
    if hi.size > 2:
        hi.reshape(-1)[2] = lo.reshape(-1)[2] - 0.5   # max < min somewhere
    return [x.astype(dtype), lo.astype(dtype), hi.astype(dtype)]


CX = [((2, 3), (2, 3))]


def _cx(a, b):
    """The complex tensor a + bj (differentiable in the real a and b)."""
    return a + b * 1j


def _iadd(a, b):
    a = a.clone()
    a += b
    return a


def _imul_view(a, b):
    a = a.clone()
    v = a[0]
    v *= b
    return a


def _fill(lib, a):
    return (a * 2).fill_(1.5) * a


def _copy(lib, a, b):
    return (b * 1).copy_(a)


def _zero(lib, a):
    return (a * 1).zero_() + a


OPS = [
    # ---- arithmetic ----
    OpInfo("add", lambda lib, a, b: lib.add(a, b), shapes=BIN),
    OpInfo("add_alpha", lambda lib, a, b: lib.add(a, b, alpha=2.5), shapes=BIN2),
    OpInfo("add_empty", lambda lib, a, b: a + b, shapes=[((0, 3), (3,)), ((), ())]),
    OpInfo("__add__scalar", lambda lib, a: a + 2.5),
    OpInfo("__radd__", lambda lib, a: 2 + a),
    OpInfo("add_int_float", lambda lib, a, b: a + b, shapes=BIN2, int_inputs=(1,)),
    OpInfo("add_int_scalar_float", lambda lib, a: a + 1.5, dtypes=I64, grad=False,
           int_inputs=(0,)),
    OpInfo("add_int", lambda lib, a, b: lib.add(a, b, alpha=3), shapes=BIN2, dtypes=I64,
           int_inputs=(0, 1), int_high=100),
    OpInfo("sub", lambda lib, a, b: a - b, shapes=BIN),
    OpInfo("sub_alpha", lambda lib, a, b: lib.sub(a, b, alpha=-0.5), shapes=BIN2),
    OpInfo("subtract", lambda lib, a, b: lib.subtract(a, b), shapes=BIN2),
    OpInfo("__rsub__", lambda lib, a: 3 - a),
    OpInfo("rsub", lambda lib, a, b: lib.rsub(a, b, alpha=2), shapes=BIN2),
    OpInfo("mul", lambda lib, a, b: a * b, shapes=BIN),
    OpInfo("__rmul__", lambda lib, a: 1.5 * a, shapes=U3),
    OpInfo("multiply", lambda lib, a, b: lib.multiply(a, b), shapes=BIN2),
    OpInfo("mul_int_float", lambda lib, a, b: a * b, shapes=BIN2, int_inputs=(0,)),
    OpInfo("div", lambda lib, a, b: a / b, shapes=BIN, domain=(0.5, 2.0)),
    OpInfo("__rtruediv__", lambda lib, a: 2.0 / a, domain=(0.5, 2.0)),
    OpInfo("true_divide", lambda lib, a, b: lib.true_divide(a, b), shapes=BIN2,
           domain=(0.5, 2.0)),
    OpInfo("divide", lambda lib, a, b: lib.divide(a, b), shapes=BIN2, domain=(0.5, 2.0)),
    OpInfo("div_trunc", lambda lib, a, b: lib.div(a * 3 - 3, b, rounding_mode="trunc"),
           shapes=BIN2, domain=(0.5, 2.0), gradcheck=False),
    OpInfo("div_floor", lambda lib, a, b: lib.div(a * 3 - 3, b, rounding_mode="floor"),
           shapes=BIN2, domain=(0.5, 2.0), gradcheck=False),
    OpInfo("div_int", lambda lib, a, b: (a / b, lib.div(a, b, rounding_mode="trunc"),
                                         lib.div(a, b, rounding_mode="floor"), a // b),
           shapes=BIN2, dtypes=I64, grad=False, make=_ints(-9, 9, nonzero=True)),
    OpInfo("floor_divide", lambda lib, a, b: (a * 4) // b, shapes=BIN2, domain=(-2.0, 2.0),
           grad=False),
    OpInfo("__rfloordiv__", lambda lib, a: 5.0 // a, domain=(0.5, 2.0), grad=False),
    OpInfo("remainder", lambda lib, a, b: lib.remainder(a * 3, b), shapes=BIN2,
           make=_special([], 0.3, 2.0), gradcheck=False),
    OpInfo("__mod__scalar", lambda lib, a: (a * 3) % -1.5, shapes=U3),
    OpInfo("__rmod__", lambda lib, a: 2.5 % a, domain=(0.3, 2.0), grad=False),
    OpInfo("remainder_int", lambda lib, a, b: (a % b, lib.fmod(a, b), a % 3, lib.fmod(a, -3)),
           shapes=BIN2, dtypes=I64, grad=False, make=_ints(-9, 9, nonzero=True)),
    OpInfo("fmod", lambda lib, a, b: lib.fmod(a * 3, b), shapes=BIN2,
           make=_special([], 0.3, 2.0), gradcheck=False),
    OpInfo("fmod_scalar", lambda lib, a: lib.fmod(a * 3, -1.5)),
    OpInfo("neg", lambda lib, a: -a, shapes=U3),
    OpInfo("negative", lambda lib, a: lib.negative(a)),
    OpInfo("positive", lambda lib, a: lib.positive(a) * 1),
    OpInfo("reciprocal", lambda lib, a: lib.reciprocal(a), domain=(0.5, 2.0)),
    OpInfo("reciprocal_int", lambda lib, a: lib.reciprocal(a), dtypes=I64, grad=False,
           make=_ints(1, 9)),
    OpInfo("pow_scalar", lambda lib, a: (a ** 2, a ** 3, a.pow(-1.5), a ** 0), domain=(0.5, 2.0)),
    OpInfo("pow_tensor", lambda lib, a, b: a ** b, shapes=BIN, domain=(0.5, 2.0), ops=("pow",)),
    OpInfo("__rpow__", lambda lib, a: 2.5 ** a, shapes=U3),
    OpInfo("pow_zero_base", lambda lib, a: 0.0 ** a, make=_special([0.0, 1.0, 2.0], 0.5, 2.0),
           gradcheck=False, gradgrad=False),   # torch's second derivative is nan there
    OpInfo("pow_tensor_zero", lambda lib, a, b: lib.pow(a, b),
           shapes=[((4,), (4,))], make=lambda rng, s, dt: [np.array([0.0, 0.0, 1.5, 2.0], dt),
                                                           np.array([2.0, 0.0, 1.0, 0.0], dt)],
           gradcheck=False),
    OpInfo("pow_int", lambda lib, a, b: (a ** 2, a ** b, 2 ** a, lib.pow(a, 3)), shapes=BIN2,
           dtypes=I64, grad=False, make=_ints(-3, 4)),
    OpInfo("float_power", lambda lib, a, b: lib.float_power(a, b), shapes=BIN2,
           domain=(0.5, 2.0)),
    OpInfo("float_power_scalar", lambda lib, a: (lib.float_power(a, 2), lib.float_power(2, a))),
    OpInfo("square", lambda lib, a: lib.square(a), shapes=U3),
    OpInfo("square_int", lambda lib, a: (lib.square(a), lib.square(a > 0)), dtypes=I64,
           grad=False, make=_ints(-5, 5)),
    # ---- unary float functions ----
    OpInfo("exp", lambda lib, a: lib.exp(a), shapes=U3),
    OpInfo("exp2", lambda lib, a: lib.exp2(a)),
    OpInfo("expm1", lambda lib, a: a.expm1()),
    OpInfo("log", lambda lib, a: lib.log(a), shapes=U3, domain=(0.1, 2.0)),
    OpInfo("log1p", lambda lib, a: lib.log1p(a), domain=(-0.5, 2.0)),
    OpInfo("log2", lambda lib, a: lib.log2(a), domain=(0.1, 2.0)),
    OpInfo("log10", lambda lib, a: a.log10(), domain=(0.1, 2.0)),
    OpInfo("sqrt", lambda lib, a: lib.sqrt(a), domain=(0.1, 2.0)),
    OpInfo("rsqrt", lambda lib, a: lib.rsqrt(a), domain=(0.1, 2.0)),
    OpInfo("sin", lambda lib, a: lib.sin(a)),
    OpInfo("cos", lambda lib, a: lib.cos(a)),
    OpInfo("tan", lambda lib, a: lib.tan(a), domain=(-1.0, 1.0)),
    OpInfo("asin", lambda lib, a: (lib.asin(a), lib.arcsin(a)), domain=(-0.9, 0.9),
           ops=("arcsin",)),
    OpInfo("acos", lambda lib, a: lib.acos(a), domain=(-0.9, 0.9)),
    OpInfo("atan", lambda lib, a: (lib.atan(a), lib.arctan(a)), ops=("arctan",)),
    OpInfo("sinh", lambda lib, a: lib.sinh(a)),
    OpInfo("cosh", lambda lib, a: lib.cosh(a)),
    OpInfo("tanh", lambda lib, a: lib.tanh(a), shapes=U3),
    OpInfo("asinh", lambda lib, a: lib.asinh(a)),
    OpInfo("acosh", lambda lib, a: lib.acosh(a), domain=(1.1, 3.0)),
    OpInfo("atanh", lambda lib, a: lib.atanh(a), domain=(-0.9, 0.9)),
    OpInfo("arc_aliases", lambda lib, a: (lib.arccos(a), lib.arcsinh(a), lib.arctanh(a),
                                          lib.arccosh(a + 2)), domain=(-0.9, 0.9),
           ops=("arccos", "arcsinh", "arctanh", "arccosh")),
    OpInfo("sigmoid", lambda lib, a: lib.sigmoid(a * 5), shapes=U3),
    OpInfo("erf", lambda lib, a: lib.erf(a * 2)),
    OpInfo("erfc", lambda lib, a: lib.erfc(a * 2)),
    OpInfo("erfinv", lambda lib, a: lib.erfinv(a), domain=(-0.95, 0.95)),
    # torch's double backward of logit is nan (a torch bug): compare first derivatives only
    OpInfo("logit", lambda lib, a: lib.logit(a), domain=(0.1, 0.9), gradgrad=False),
    OpInfo("logit_eps", lambda lib, a: lib.logit(a, eps=0.2), domain=(0.0, 1.0),
           gradcheck=False),
    OpInfo("deg2rad", lambda lib, a: lib.deg2rad(a)),
    OpInfo("rad2deg", lambda lib, a: lib.rad2deg(a)),
    OpInfo("float_fns_int", lambda lib, a: (lib.exp(a), lib.sqrt(a), lib.sin(a), lib.log1p(a),
                                            lib.sigmoid(a), lib.erf(a), lib.atan2(a, a + 1)),
           dtypes=I64, grad=False, make=_ints(0, 5)),
    OpInfo("special_values", lambda lib, a: (lib.erf(a), lib.erfc(a), lib.exp(a),
                                             lib.log(a), lib.sqrt(a), lib.sigmoid(a)),
           shapes=[((8,),)], grad=False,
           make=_special([0.0, -0.0, float("inf"), -float("inf"), float("nan"), -1.0, 30.0])),
    # ---- abs, sign, rounding, relu ----
    # gradgrad=False: torch's second derivative is a ZeroTensor that the harness cannot read
    OpInfo("abs", lambda lib, a: (lib.abs(a), abs(a), lib.absolute(a)),
           make=_special([0.0, 1.0]), gradcheck=False, gradgrad=False, ops=("absolute",)),
    OpInfo("abs_random", lambda lib, a: lib.abs(a), shapes=U3, gradgrad=False),
    OpInfo("sign", lambda lib, a: (lib.sign(a), lib.sgn(a)), make=_special([0.0]),
           gradcheck=False, ops=("sgn",)),
    OpInfo("abs_sign_int", lambda lib, a: (lib.abs(a), lib.sign(a), lib.sgn(a), -a),
           dtypes=I64, grad=False, make=_ints(-5, 5)),
    OpInfo("floor", lambda lib, a: lib.floor(a * 3)),
    OpInfo("ceil", lambda lib, a: lib.ceil(a * 3)),
    OpInfo("trunc", lambda lib, a: (lib.trunc(a * 3), lib.fix(a * 3)), ops=("fix",)),
    OpInfo("round", lambda lib, a: lib.round(a * 3),
           make=_special([0.5, 1.5, 2.5, -0.5, -2.5]), gradcheck=False),
    OpInfo("round_decimals", lambda lib, a: (lib.round(a * 30, decimals=1),
                                            lib.round(a * 300, decimals=-2))),
    OpInfo("frac", lambda lib, a: lib.frac(a * 3)),
    OpInfo("rounding_int", lambda lib, a: (lib.floor(a), lib.ceil(a), lib.round(a),
                                           lib.trunc(a)),
           dtypes=I64, grad=False, make=_ints(-5, 5)),
    OpInfo("relu", lambda lib, a: lib.relu(a), make=_special([0.0, -0.0]), gradcheck=False,
           gradgrad=False),
    OpInfo("relu_random", lambda lib, a: a.relu(), shapes=U3, gradgrad=False),
    OpInfo("relu_int", lambda lib, a: lib.relu(a), dtypes=I64, grad=False, make=_ints(-5, 5)),
    # ---- clamp, maximum/minimum ----
    OpInfo("clamp_scalar", lambda lib, a: (lib.clamp(a, -0.5, 0.5), a.clamp(min=0.0),
                                           a.clamp(max=1.0), lib.clip(a, -1, 1)),
           shapes=U3, make=_special([0.5, -0.5, 0.0, 1.0]), gradcheck=False,
           ops=("clamp", "clip")),
    OpInfo("clamp_tensor", lambda lib, a, b, c: lib.clamp(a, b, c),
           shapes=[((3, 4), (3, 4), (4,)), ((2, 3), (3,), ())], make=_clamp_make,
           gradcheck=False),
    OpInfo("clamp_tensor_random", lambda lib, a, b, c: lib.clamp(a, b, c),
           shapes=[((3, 4), (3, 4), (3, 4))]),
    OpInfo("clamp_min_tensor", lambda lib, a, b: (lib.clamp(a, min=b), lib.clamp_min(a, b)),
           shapes=BIN2, make=_ties, gradcheck=False, ops=("clamp_min",)),
    OpInfo("clamp_max_tensor", lambda lib, a, b: (lib.clamp(a, max=b), a.clamp_max(b)),
           shapes=BIN2, make=_ties, gradcheck=False, ops=("clamp_max",)),
    OpInfo("clamp_min_scalar", lambda lib, a: (lib.clamp_min(a, 0.0), lib.clamp_max(a, 0.5))),
    OpInfo("clamp_int", lambda lib, a: (lib.clamp(a, 0, 2), lib.clamp(a, min=0.5),
                                        lib.clamp(a > 0, 0, 1)),
           dtypes=I64, grad=False, make=_ints(-5, 5)),
    OpInfo("maximum", lambda lib, a, b: lib.maximum(a, b), shapes=BIN),
    OpInfo("minimum", lambda lib, a, b: lib.minimum(a, b), shapes=BIN2),
    OpInfo("maximum_ties", lambda lib, a, b: (lib.maximum(a, b), lib.minimum(a, b)),
           shapes=[((3, 4), (3, 4)), ((3, 4), (4,))], make=_ties, gradcheck=False),
    OpInfo("fmax", lambda lib, a, b: (lib.fmax(a, b), lib.fmin(a, b)),
           shapes=[((3, 4), (3, 4)), ((3, 4), (4,))], make=_ties, gradcheck=False,
           ops=("fmin",)),
    OpInfo("fmax_nan", lambda lib, a, b: (lib.fmax(a, b), lib.fmin(a, b), lib.maximum(a, b),
                                          lib.minimum(b, a)),
           shapes=[((4,), (4,))], gradcheck=False,
           make=lambda rng, s, dt: [np.array([np.nan, 1.0, np.nan, 2.0], dt),
                                    np.array([1.0, np.nan, np.nan, 3.0], dt)]),
    # ---- other binary functions ----
    OpInfo("atan2", lambda lib, a, b: (lib.atan2(a, b), lib.arctan2(b, a)), shapes=BIN2,
           ops=("arctan2",)),
    OpInfo("hypot", lambda lib, a, b: lib.hypot(a, b), shapes=BIN2),
    OpInfo("copysign", lambda lib, a, b: lib.copysign(a, b), shapes=BIN2),
    OpInfo("copysign_scalar", lambda lib, a: (lib.copysign(a, -1.0), lib.copysign(a, 0.0))),
    OpInfo("xlogy", lambda lib, a, b: lib.xlogy(a, b), shapes=BIN2,
           make=_special([0.0, 1.0], 0.1, 2.0), gradcheck=False),
    OpInfo("xlogy_random", lambda lib, a, b: lib.xlogy(a, b), shapes=BIN2, domain=(0.1, 2.0)),
    OpInfo("xlogy_scalar", lambda lib, a: (lib.xlogy(a, 2.0), lib.xlogy(2.0, a)),
           domain=(0.1, 2.0)),
    OpInfo("lerp", lambda lib, a, b: (lib.lerp(a, b, 0.3), lib.lerp(a, b, 0.8)), shapes=BIN2),
    OpInfo("lerp_tensor", lambda lib, a, b, c: lib.lerp(a, b, c),
           shapes=[((3, 4), (3, 4), (3, 4)), ((2, 3), (3,), ())], domain=(-1.0, 1.5)),
    OpInfo("addcmul", lambda lib, a, b, c: lib.addcmul(a, b, c, value=0.5),
           shapes=[((3, 4), (3, 4), (3, 4)), ((3, 1), (4,), ())]),
    OpInfo("addcdiv", lambda lib, a, b, c: lib.addcdiv(a, b, c * c + 0.5, value=-2),
           shapes=[((3, 4), (3, 4), (3, 4)), ((3, 1), (4,), ())]),
    OpInfo("heaviside", lambda lib, a, b: lib.heaviside(a, b), shapes=BIN2, grad=False,
           make=_special([0.0, 0.0, 1.0])),
    # ---- predicates, nan_to_num ----
    OpInfo("predicates", lambda lib, a: (lib.isnan(a), lib.isinf(a), lib.isfinite(a),
                                         lib.isposinf(a), lib.isneginf(a), lib.isreal(a),
                                         lib.signbit(a)),
           shapes=[((8,),)], grad=False, ops=("isnan", "isinf", "isfinite", "isposinf",
                                              "isneginf", "isreal", "signbit"),
           make=_special([float("nan"), float("inf"), -float("inf"), -0.0, 0.0, -1.0])),
    OpInfo("nan_to_num", lambda lib, a: (lib.nan_to_num(a), lib.nan_to_num(a, 1.0, 2.0, -2.0)),
           shapes=[((8,),)], gradcheck=False, gradgrad=False,
           make=_special([float("nan"), float("inf"), -float("inf")])),
    # ---- comparisons, logical, bitwise ----
    OpInfo("comparisons", lambda lib, a, b: (a == b, a != b, a < b, a <= b, a > b, a >= b,
                                             lib.eq(a, b), lib.greater(a, b),
                                             lib.less_equal(a, b), lib.not_equal(a, b),
                                             lib.lt(a, b), lib.less(a, b), lib.gt(a, b),
                                             lib.le(a, b), lib.greater_equal(a, b),
                                             lib.ne(a, b)),
           shapes=BIN, grad=False, make=_ties,
           ops=("eq", "ne", "lt", "le", "gt", "ge", "greater", "less", "less_equal",
                "greater_equal", "not_equal")),
    OpInfo("comparisons_scalar", lambda lib, a: (a == 0.5, a < 1, 1 < a, lib.ge(a, 0.0),
                                                 a != 0),
           grad=False, make=_special([0.5, 1.0, 0.0])),
    OpInfo("comparisons_int", lambda lib, a, b: (a == b, a < b, a > 1.5, a == 2.0),
           shapes=BIN2, dtypes=I64, grad=False, make=_ints(0, 3)),
    OpInfo("logical", lambda lib, a, b: (lib.logical_and(a, b), lib.logical_or(a, b),
                                         lib.logical_xor(a, b), lib.logical_not(a)),
           shapes=BIN2, grad=False, make=_special([0.0, 0.0, 1.0]),
           ops=("logical_and", "logical_or", "logical_xor", "logical_not")),
    OpInfo("bitwise", lambda lib, a, b: (a & b, a | b, a ^ b, ~a, 5 & a, 3 | a, a ^ 7,
                                         lib.bitwise_and(a, b), lib.bitwise_not(b),
                                         lib.bitwise_or(a, b), lib.bitwise_xor(a, b)),
           shapes=BIN2, dtypes=I64, grad=False, make=_ints(-8, 8),
           ops=("bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not")),
    OpInfo("bitwise_bool", lambda lib, a, b: ((a > 0) & (b > 0), (a > 0) | (b > 0),
                                              (a > 0) ^ (b > 0), ~(a > 0)),
           shapes=BIN2, dtypes=I64, grad=False, make=_ints(-2, 3)),
    OpInfo("shifts", lambda lib, a, b: (a << b, a >> b, 1 << b, lib.bitwise_left_shift(a, 2),
                                        lib.bitwise_right_shift(a, 70), a << -1),
           shapes=BIN2, dtypes=I64, grad=False, make=_ints(-8, 8),
           ops=("bitwise_left_shift", "bitwise_right_shift")),
    OpInfo("isclose", lambda lib, a, b: (lib.isclose(a, b), lib.isclose(a, b, rtol=0.5),
                                         lib.allclose(a, a), lib.allclose(a, b, atol=10.0),
                                         lib.equal(a, a), lib.equal(a, b)),
           shapes=[((3, 4), (3, 4))], grad=False, make=_ties, ops=("allclose", "equal")),
    # ---- in-place, fill_, copy_, clone ----
    OpInfo("__iadd__", lambda lib, a, b: _iadd(a * 1, b), shapes=BIN2[:1]),
    OpInfo("inplace_methods", lambda lib, a, b: ((a * 1).mul_(b), (a * 1).add_(b, alpha=2),
                                                 (a * 1).sub_(1.5), (a * 1).div_(b * b + 1),
                                                 (a * 1).exp_(), (a * 1).clamp_(-0.5, 0.5),
                                                 (a * 1).relu_(), (a * 1).pow_(2)),
           shapes=BIN2[:1], gradcheck=False),
    OpInfo("__imul__view", lambda lib, a, b: _imul_view(a * 1, b), shapes=[((3, 4), (4,))]),
    OpInfo("fill_", _fill),
    OpInfo("zero_", _zero),
    OpInfo("copy_", _copy, shapes=[((3, 4), (3, 4)), ((4,), (3, 4)), ((), (2,))]),
    OpInfo("clone", lambda lib, a: lib.clone(a) * a.clone(), shapes=U3),
    # ---- complex parts: z = a + bj built from real inputs, so grads flow back to a and b ----
    OpInfo("conj", lambda lib, a, b: (lib.conj(_cx(a, b)), _cx(a, b).conj(), lib.conj(a)),
           shapes=CX),
    OpInfo("conj_physical", lambda lib, a, b: (lib.conj_physical(_cx(a, b)),
                                               _cx(a, b).conj_physical(), a.conj_physical()),
           shapes=CX),
    OpInfo("is_conj", lambda lib, a: (a.is_conj(), lib.is_neg(a), lib.is_conj(a * 1j)),
           grad=False, dtypes=I64, ops=("is_neg",)),
    OpInfo("resolve_conj", lambda lib, a, b: (lib.resolve_conj(_cx(a, b)) * 2,
                                              lib.resolve_neg(a) * 2), shapes=CX,
           ops=("resolve_neg",)),
    OpInfo("real", lambda lib, a, b: (lib.real(_cx(a, b)), _cx(a, b).imag * 2,
                                      lib.imag(_cx(b, a)), a.real * 1), shapes=CX, ops=("imag",)),
    OpInfo("angle", lambda lib, a, b: (lib.angle(_cx(a, b)), a.angle(), lib.angle(-a.abs())),
           shapes=CX),
    OpInfo("view_as_real", lambda lib, a, b: (lib.view_as_real(_cx(a, b)),
                                              lib.view_as_complex(lib.stack([a, b], -1))),
           shapes=CX, ops=("view_as_complex",)),
    OpInfo("complex_elementwise", lambda lib, a, b: (_cx(a, b) * _cx(b, a), _cx(a, b) / _cx(b, a),
                                                     _cx(a, b).exp(), _cx(a, b).sin(),
                                                     2.0 / _cx(a, b), _cx(a, b).abs()),
           shapes=CX, domain=(0.5, 2.0), ops=("mul", "div", "exp", "sin", "abs")),
]
