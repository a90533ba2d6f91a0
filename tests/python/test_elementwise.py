"""Elementwise operators and ufuncs: promotion, scalars, in-place forms, broadcasting."""

import itertools
import operator

import numpy
import pytest

from _shoaltest import (AGAINST_NUMPY, DTYPES, DTYPE_IDS, FLOAT_DTYPES, INT_DTYPES, SUPPORTED, assert_raises_like,
                        assert_same, compare, is_shoal, make, run_numpy, snp, to_shoal)

PAIRS = list(itertools.product(DTYPES, DTYPES))
PAIR_IDS = [f"{a.name}-{b.name}" for a, b in PAIRS]

BINOPS = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
    "//": operator.floordiv, "%": operator.mod, "**": operator.pow,
}
CMPOPS = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
    ">": operator.gt, ">=": operator.ge,
}
BITOPS = {"&": operator.and_, "|": operator.or_, "^": operator.xor}
IOPS = {
    "+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
    "//=": operator.ifloordiv, "%=": operator.imod, "**=": operator.ipow,
}
IBITOPS = {"&=": operator.iand, "|=": operator.ior, "^=": operator.ixor}


def operands(op, da, db, shape_a=(17, 13), shape_b=(17, 13)):
    """Random operands suited to ``op`` (no integer division by zero, no negative
    integer powers, positive float bases for **)."""
    if op in ("**", "**="):
        a = make(shape_a, da, kind="small" if da.kind != "f" else "pos")
        b = make(shape_b, db, kind="small", seed=1)
        return a, b
    a = make(shape_a, da)
    b = make(shape_b, db, kind="nonzero" if op in ("/", "//", "%", "/=", "//=", "%=") else "any",
             seed=1)
    return a, b


def compare_binop(fn, *args, **kw):
    """Compare, allowing shoal to differ where NumPy's result dtype is outside the
    supported set (bool // bool, bool % bool, bool ** bool give int8): then values
    must match and the dtype must be a supported one, or shoal may raise TypeError."""
    try:
        expected = run_numpy(fn, *[a.copy() if isinstance(a, numpy.ndarray) else a for a in args])
    except Exception:  # noqa: BLE001
        expected = None
    if isinstance(expected, (numpy.ndarray, numpy.generic)) and expected.dtype not in SUPPORTED:
        try:
            result = fn(snp, *[to_shoal(a) if isinstance(a, numpy.ndarray) else a for a in args])
            got = numpy.asarray(result)
        except TypeError:
            return
        assert got.dtype in SUPPORTED or AGAINST_NUMPY, f"unsupported result dtype {got.dtype}"
        numpy.testing.assert_allclose(got, expected)
        return
    compare(fn, *args, **kw)


# ---------------------------------------------------------------- binary operators

@pytest.mark.parametrize("da,db", PAIRS, ids=PAIR_IDS)
@pytest.mark.parametrize("op", list(BINOPS))
def test_binop_dtype_pairs(op, da, db):
    a, b = operands(op, da, db)
    f = BINOPS[op]
    compare_binop(lambda xp, x, y: f(x, y), a, b)


@pytest.mark.parametrize("da,db", PAIRS, ids=PAIR_IDS)
@pytest.mark.parametrize("op", list(CMPOPS))
def test_comparison_dtype_pairs(op, da, db):
    a, b = make((37,), da), make((37,), db, seed=1)
    b[::3] = a[::3]  # some equal elements
    f = CMPOPS[op]
    compare(lambda xp, x, y: f(x, y), a, b)


@pytest.mark.parametrize("da,db", PAIRS, ids=PAIR_IDS)
@pytest.mark.parametrize("op", list(BITOPS))
def test_bitwise_dtype_pairs(op, da, db):
    # TypeError on floats, like NumPy.
    a, b = make((7, 5), da), make((7, 5), db, seed=1)
    f = BITOPS[op]
    compare(lambda xp, x, y: f(x, y), a, b)


@pytest.mark.parametrize("op", ["+", "-", "*", "/", "//", "%", "**", "==", "<", "&"])
@pytest.mark.parametrize("shape", [(), (0,), (1,), (7,), (5, 0), (4, 1, 6), (2, 9, 11)],
                         ids=["0d", "0", "1", "7", "5x0", "4x1x6", "2x9x11"])
def test_binop_shapes(shape, op):
    f = {**BINOPS, **CMPOPS, **BITOPS}[op]
    dt = numpy.dtype("int64") if op == "&" else numpy.dtype("float64")
    a, b = operands(op, dt, dt, shape, shape)
    compare(lambda xp, x, y: f(x, y), a, b)


def test_integer_division_semantics():
    # Python-style floor division and modulo signs for negative operands.
    a = numpy.array([7, -7, 7, -7, 0, 5, -5, 19, -19], dtype=numpy.int64)
    b = numpy.array([2, 2, -2, -2, 3, -3, 3, 4, 4], dtype=numpy.int64)
    for dt in ("int32", "int64", "float32", "float64"):
        compare(lambda xp, x, y: x // y, a.astype(dt), b.astype(dt))
        compare(lambda xp, x, y: x % y, a.astype(dt), b.astype(dt))


# ---------------------------------------------------------------- Python / NumPy scalars

SCALARS = [1, -3, 2.5, -0.5, True, False, 0.0, 7]
SCALAR_IDS = ["int1", "int-3", "float2.5", "float-0.5", "True", "False", "float0", "int7"]


@pytest.mark.parametrize("scalar", SCALARS, ids=SCALAR_IDS)
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("op", list(BINOPS) + ["==", "<", "&"])
@pytest.mark.parametrize("side", ["right", "left"])
def test_python_scalar_operands(side, op, dtype, scalar):
    """NEP 50: Python scalars are weak (int32 + 1 -> int32, int32 + 1.5 -> float64,
    float32 * 2.0 -> float32)."""
    f = {**BINOPS, **CMPOPS, **BITOPS}[op]
    if op in ("/", "//", "%") and not scalar and side == "right":
        pytest.skip("division by zero covered in test_errors")
    kind = "nonzero" if op in ("/", "//", "%") and side == "left" else "any"
    if op == "**":
        kind = "small" if dtype.kind != "f" else "pos"
        if side == "left" and dtype.kind != "f":
            kind = "small"
    a = make((17, 3), dtype, kind=kind)
    if side == "right":
        fn = lambda xp, x: f(x, scalar)  # noqa: E731
    else:
        fn = lambda xp, x: f(scalar, x)  # noqa: E731
    compare_binop(fn, a)


@pytest.mark.parametrize("case", [
    ("int32", lambda x: x + 1, "int32"),
    ("int32", lambda x: x + 1.5, "float64"),
    ("float32", lambda x: x * 2.0, "float32"),
    ("float32", lambda x: 2.0 * x, "float32"),
    ("int64", lambda x: x / 2, "float64"),
    ("int32", lambda x: 3 - x, "int32"),
    ("bool", lambda x: x + 1, "int64"),
    ("bool", lambda x: x * 1.5, "float64"),
    ("bool", lambda x: x + True, "bool"),
    ("float32", lambda x: x + True, "float32"),
    ("int32", lambda x: x ** 2, "int32"),
    ("float32", lambda x: x ** 0.5, "float32"),
], ids=lambda c: c[0] if isinstance(c, str) else None)
def test_nep50_examples(case):
    dt, fn, result = case
    a = make((7,), dt, kind="pos")
    s = fn(to_shoal(a))
    assert s.dtype == numpy.dtype(result)
    assert_same(s, fn(a))


NP_SCALARS = [numpy.float32(2.5), numpy.float64(-1.5), numpy.int32(3), numpy.int64(-2),
              numpy.bool_(True)]
NP_SCALAR_IDS = ["np.float32", "np.float64", "np.int32", "np.int64", "np.bool_"]


@pytest.mark.parametrize("scalar", NP_SCALARS, ids=NP_SCALAR_IDS)
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("op", ["+", "*", "-", "/", "<"])
@pytest.mark.parametrize("side", ["right", "left"])
def test_numpy_scalar_operands(side, op, dtype, scalar):
    """NumPy scalars are strong: float32 scalar * int32 array -> float64.  With the
    NumPy scalar on the left the result must still be a shoal array."""
    f = {**BINOPS, **CMPOPS}[op]
    a = make((17, 3), dtype, kind="nonzero")
    if side == "right":
        fn = lambda xp, x: f(x, scalar)  # noqa: E731
    else:
        fn = lambda xp, x: f(scalar, x)  # noqa: E731
    compare(fn, a)


# ---------------------------------------------------------------- in-place operators

@pytest.mark.parametrize("da,db", PAIRS, ids=PAIR_IDS)
@pytest.mark.parametrize("op", list(IOPS))
def test_inplace_dtype_pairs(op, da, db):
    """a op= b keeps a's dtype; where the result cannot be cast back (same_kind),
    NumPy raises UFuncTypeError (a TypeError) and so must shoal."""
    a, b = operands(op, da, db)
    f = IOPS[op]

    def fn(xp, x, y):
        before = x
        x = f(x, y)
        assert x is before
        return x

    compare_binop(fn, a, b)


@pytest.mark.parametrize("da,db", [(a, b) for a, b in PAIRS if a.kind != "f" and b.kind != "f"],
                         ids=[f"{a.name}-{b.name}" for a, b in PAIRS
                              if a.kind != "f" and b.kind != "f"])
@pytest.mark.parametrize("op", list(IBITOPS))
def test_inplace_bitwise(op, da, db):
    a, b = make((37,), da), make((37,), db, seed=1)
    f = IBITOPS[op]
    compare(lambda xp, x, y: f(x, y), a, b)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("scalar", [2, 1.5, True], ids=["int", "float", "bool"])
@pytest.mark.parametrize("op", ["+=", "-=", "*=", "/="])
def test_inplace_python_scalar(op, scalar, dtype):
    # int_array += 1.5 raises TypeError (UFuncTypeError) in NumPy; shoal must too.
    a = make((17, 3), dtype)
    f = IOPS[op]
    compare(lambda xp, x: f(x, scalar), a)


def test_inplace_int_plus_float_raises_typeerror():
    a = snp.asarray(numpy.arange(5, dtype=numpy.int64))
    with pytest.raises(TypeError):
        a += 1.5
        numpy.asarray(a)
    # unchanged and usable afterwards
    assert_same(a + 1, numpy.arange(5) + 1)


def test_inplace_broadcast_rhs():
    a = make((17, 13), "float64")
    b = make((13,), "float64", seed=1)
    compare(lambda xp, x, y: operator.iadd(x, y), a, b)
    compare(lambda xp, x: operator.imul(x, 3), a)


def test_inplace_through_view_updates_base():
    base = make((37,), "int64")

    def fn(xp, x):
        v = x[2:30:3]
        v += 100
        v *= 2
        return x

    compare(fn, base)


# ---------------------------------------------------------------- unary operators

@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("op", ["neg", "abs", "invert", "pos"])
@pytest.mark.parametrize("shape", [(), (0,), (37,), (17, 13)], ids=["0d", "0", "37", "17x13"])
def test_unary_operators(shape, op, dtype):
    # -bool is a TypeError, ~float is a TypeError: shoal must raise the same.
    f = {"neg": operator.neg, "abs": abs, "invert": operator.invert, "pos": operator.pos}[op]
    compare(lambda xp, x: f(x), make(shape, dtype))


# ---------------------------------------------------------------- ufuncs

BINARY_UFUNCS = ["add", "subtract", "multiply", "divide", "power", "maximum", "minimum"]


@pytest.mark.parametrize("da,db", PAIRS, ids=PAIR_IDS)
@pytest.mark.parametrize("name", BINARY_UFUNCS)
def test_binary_ufunc_dtype_pairs(name, da, db):
    op = {"divide": "/", "power": "**"}.get(name, "+")
    a, b = operands(op, da, db, (7, 5), (7, 5))
    compare_binop(lambda xp, x, y: getattr(xp, name)(x, y), a, b)


@pytest.mark.parametrize("name", BINARY_UFUNCS)
@pytest.mark.parametrize("args", ["array-int", "int-array", "array-float", "float-array",
                                  "0d-array", "broadcast"])
def test_binary_ufunc_scalars_and_broadcast(name, args):
    a = make((17, 13), "float32", kind="pos")
    if args == "array-int":
        compare(lambda xp, x: getattr(xp, name)(x, 2), a)
    elif args == "int-array":
        compare(lambda xp, x: getattr(xp, name)(2, x), a)
    elif args == "array-float":
        compare(lambda xp, x: getattr(xp, name)(x, 1.5), a)
    elif args == "float-array":
        compare(lambda xp, x: getattr(xp, name)(1.5, x), a)
    elif args == "0d-array":
        compare(lambda xp, x, y: getattr(xp, name)(y, x), a, numpy.float64(3.0) * numpy.ones(()))
    else:
        b = make((13,), "int32", kind="pos", seed=1)
        compare(lambda xp, x, y: getattr(xp, name)(x, y), a, b)


def test_maximum_minimum_propagate_nan():
    a = numpy.array([1.0, numpy.nan, 3.0, numpy.nan, -numpy.inf, 5.0] * 7)
    b = numpy.array([numpy.nan, 2.0, 1.0, numpy.nan, 0.0, numpy.inf] * 7)
    for dt in FLOAT_DTYPES:
        compare(lambda xp, x, y: xp.maximum(x, y), a.astype(dt), b.astype(dt))
        compare(lambda xp, x, y: xp.minimum(x, y), a.astype(dt), b.astype(dt))


UNARY_UFUNCS = ["sqrt", "exp", "log", "sin", "cos", "tanh", "abs", "negative"]


@pytest.mark.parametrize("dtype", [d for d in DTYPES if d.kind != "b"],
                         ids=[d.name for d in DTYPES if d.kind != "b"])
@pytest.mark.parametrize("name", UNARY_UFUNCS)
@pytest.mark.parametrize("shape", [(), (0,), (37,), (2, 9, 11)], ids=["0d", "0", "37", "2x9x11"])
def test_unary_ufuncs(shape, name, dtype):
    # includes negative inputs (sqrt/log -> nan) and zeros (log -> -inf)
    x = make(shape, dtype)
    if name == "exp" and dtype.kind == "f":
        x = make(shape, dtype, kind="small")
    atol = 1e-6 if dtype == numpy.float32 else 1e-14
    compare(lambda xp, a: getattr(xp, name)(a), x, atol=atol)


@pytest.mark.parametrize("name", ["sqrt", "exp", "log", "sin", "cos", "tanh"])
def test_unary_ufuncs_of_bool(name):
    """NumPy returns float16 here; shoal documents float32.  Values only."""
    x = make((37,), "bool")
    with numpy.errstate(all="ignore"):
        s = getattr(snp, name)(to_shoal(x))
        assert is_shoal(s)
        got = numpy.asarray(s)
        expected = getattr(numpy, name)(x.astype(numpy.float32))
    assert got.dtype.kind == "f"
    rtol = 2e-3 if got.dtype == numpy.float16 else 1e-5  # float16 only when run against NumPy
    numpy.testing.assert_allclose(got, expected, rtol=rtol, atol=1e-6)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name", ["abs", "negative"])
def test_abs_negative_bool_and_ints(name, dtype):
    compare(lambda xp, a: getattr(xp, name)(a), make((17, 3), dtype))


def test_special_float_values():
    x = numpy.array([0.0, -0.0, 1.0, -1.0, numpy.inf, -numpy.inf, numpy.nan, 1e-300, 700.0])
    for dt in FLOAT_DTYPES:
        for name in UNARY_UFUNCS:
            compare(lambda xp, a: getattr(xp, name)(a), x.astype(dt))
        compare(lambda xp, a: a / 0.0, x.astype(dt))
        compare(lambda xp, a: a * numpy.inf if xp is numpy else a * float("inf"), x.astype(dt))


# ---------------------------------------------------------------- where

@pytest.mark.parametrize("dx,dy", [(a, b) for a, b in PAIRS][::2],
                         ids=PAIR_IDS[::2])
def test_where_dtype_pairs(dx, dy):
    c = make((17, 13), "bool", seed=3)
    compare(lambda xp, cc, x, y: xp.where(cc, x, y), c, make((17, 13), dx), make((17, 13), dy, seed=1))


@pytest.mark.parametrize("case", ["scalars", "scalar-x", "scalar-y", "broadcast", "0d", "empty",
                                  "int-cond", "float-cond", "from-comparison"])
def test_where_variants(case):
    c = make((17, 13), "bool", seed=3)
    x = make((17, 13), "int32")
    y = make((13,), "float32", seed=1)
    if case == "scalars":
        compare(lambda xp, cc: xp.where(cc, 1, 0), c)
        compare(lambda xp, cc: xp.where(cc, 1.5, -2), c)
    elif case == "scalar-x":
        compare(lambda xp, cc, b: xp.where(cc, 7, b), c, x)
    elif case == "scalar-y":
        compare(lambda xp, cc, a: xp.where(cc, a, 2.5), c, y)
    elif case == "broadcast":
        compare(lambda xp, cc, a, b: xp.where(cc[:, :1], a, b), c, x, y)
    elif case == "0d":
        compare(lambda xp, cc, a, b: xp.where(cc, a, b), numpy.array(True), x, y)
    elif case == "empty":
        compare(lambda xp, cc, a, b: xp.where(cc, a, b), make((5, 0), "bool"),
                make((5, 0), "int64"), make((0,), "float64"))
    elif case == "int-cond":
        compare(lambda xp, cc, a, b: xp.where(cc, a, b), make((17, 13), "int64"), x, y)
    elif case == "float-cond":
        compare(lambda xp, cc, a, b: xp.where(cc, a, b), make((17, 13), "float64"), x, y)
    else:
        compare(lambda xp, a, b: xp.where(a > 0, a, -b), x, y)


# ---------------------------------------------------------------- broadcasting

BROADCAST = [
    ((3, 1), (1, 4)),
    ((5,), (2, 5)),
    ((2, 5), (5,)),
    ((), (3, 4)),
    ((3, 4), ()),
    ((), ()),
    ((0,), (1,)),
    ((5, 0), (5, 1)),
    ((5, 0), (0,)),
    ((4, 1, 6), (7, 1)),
    ((2, 9, 11), (11,)),
    ((2, 9, 11), (9, 1)),
    ((1, 9, 1), (2, 1, 11)),
    ((17, 13), (17, 1)),
    ((17, 1), (1, 13)),
]


@pytest.mark.parametrize("sa,sb", BROADCAST, ids=[f"{a}+{b}" for a, b in BROADCAST])
@pytest.mark.parametrize("dtypes", [("float64", "float64"), ("int32", "float32"), ("bool", "int64")],
                         ids=["f64", "i32-f32", "bool-i64"])
@pytest.mark.parametrize("op", ["+", "*", "<", "max"])
def test_broadcasting(op, dtypes, sa, sb):
    f = {"+": operator.add, "*": operator.mul, "<": operator.lt}.get(op)
    a, b = make(sa, dtypes[0]), make(sb, dtypes[1], seed=1)
    if f is None:
        compare(lambda xp, x, y: xp.maximum(x, y), a, b)
    else:
        compare(lambda xp, x, y: f(x, y), a, b)


@pytest.mark.parametrize("sa,sb", [((3,), (4,)), ((2, 3), (3, 2)), ((0,), (2,)), ((17, 13), (17,)),
                                   ((4, 1, 6), (2, 6, 1)), ((5, 0), (5, 2))],
                         ids=["3+4", "2x3+3x2", "0+2", "17x13+17", "4x1x6+2x6x1", "5x0+5x2"])
@pytest.mark.parametrize("op", ["+", "*", "==", "where"])
def test_broadcast_errors(op, sa, sb):
    a, b = to_shoal(make(sa, "float64")), to_shoal(make(sb, "float64", seed=1))
    with pytest.raises(ValueError, match="operands could not be broadcast together"):
        if op == "where":
            r = snp.where(a > 0, a, b)
        else:
            r = {"+": operator.add, "*": operator.mul, "==": operator.eq}[op](a, b)
        numpy.asarray(r)
    # numpy agrees
    with pytest.raises(ValueError, match="operands could not be broadcast together"):
        make(sa, "float64") + make(sb, "float64")


# ---------------------------------------------------------------- chains and views

def test_chained_expression_matches():
    a, b, c = (make((17, 13), "float64", seed=i) for i in range(3))
    compare(lambda xp, x, y, z: (x * y + z) / (xp.abs(z) + 1.0) - xp.sqrt(xp.abs(x)) * 2, a, b, c)
    compare(lambda xp, x, y, z: xp.where(x > y, xp.exp(xp.minimum(z, 5.0)), xp.maximum(x, y) ** 2),
            a, b, c)


def test_ops_on_views_and_transposes():
    a = make((17, 13), "float32")
    b = make((13, 17), "float32", seed=1)
    compare(lambda xp, x, y: x + y.T, a, b)
    compare(lambda xp, x, y: x[::2, 1:] * y.T[::2, :-1], a, b)
    compare(lambda xp, x, y: x[::-1] - y[:, ::-1].T, a, b)
    compare(lambda xp, x: x[3] + x[:, 4:5], a)


def test_operands_not_modified():
    a, b = make((17, 13), "int64"), make((17, 13), "int64", seed=1)
    sa, sb = to_shoal(a), to_shoal(b)
    r = sa * sb + sa
    numpy.asarray(r)
    assert_same(sa, a)
    assert_same(sb, b)


def test_result_is_independent_of_later_writes():
    a = make((37,), "int64")
    sa = to_shoal(a)
    r = sa + 1
    sa[:] = 0
    assert_same(r, a + 1)
    assert_same(sa, numpy.zeros(37, dtype=numpy.int64))


def test_ufunc_numpy_scalar_result_types():
    for dt in DTYPES:
        x = make((), dt)
        compare(lambda xp, a: a + a, x)
        compare(lambda xp, a: a * 2, x)
