"""Reductions: sum prod min max mean argmin argmax any all, with axis and keepdims."""

import numpy
import pytest

from _shoaltest import (DTYPES, DTYPE_IDS, FLOAT_DTYPES, assert_raises_like, assert_runtime_ok,
                        compare, make, snp, to_shoal)

REDUCTIONS = ["sum", "prod", "min", "max", "mean", "argmin", "argmax", "any", "all"]

# (shape, axis) cases; argmin/argmax take only int or None.
AXIS_CASES = [
    ((), None),
    ((1,), None),
    ((7,), 0),
    ((37,), None),
    ((37,), -1),
    ((3, 5), 1),
    ((17, 13), None),
    ((17, 13), 0),
    ((17, 13), 1),
    ((17, 13), -1),
    ((17, 13), -2),
    ((17, 13), (0, 1)),
    ((17, 13), (1, 0)),
    ((17, 13), ()),
    ((4, 1, 6), 1),
    ((4, 1, 6), (0, 2)),
    ((2, 9, 11), None),
    ((2, 9, 11), 1),
    ((2, 9, 11), (0, 2)),
    ((2, 9, 11), (-1, -2)),
    ((2, 9, 11), (0, 1, 2)),
]
AXIS_IDS = [f"{'x'.join(map(str, s)) or '0d'}-ax{a}" for s, a in AXIS_CASES]
KEEPDIMS_CASES = [((), None), ((37,), 0), ((17, 13), None), ((17, 13), 1), ((17, 13), -2),
                  ((17, 13), (0, 1)), ((4, 1, 6), 1), ((2, 9, 11), (0, 2)), ((2, 9, 11), -2)]
CASES = [(s, a, False) for s, a in AXIS_CASES] + [(s, a, True) for s, a in KEEPDIMS_CASES]
CASE_IDS = AXIS_IDS + [f"{'x'.join(map(str, s)) or '0d'}-ax{a}-keepdims" for s, a in KEEPDIMS_CASES]


def tolerances(name, dtype, x, axis):
    dtype = numpy.dtype(dtype)
    if name in ("sum", "mean", "prod") and dtype.kind == "f":
        rtol = 1e-4 if dtype == numpy.float32 else 1e-12
        return rtol, 0.0
    return None, 0.0


def data_for(name, shape, dtype):
    if name in ("sum", "prod", "mean") and numpy.dtype(dtype).kind == "f":
        return make(shape, dtype, kind="unit")   # positive: no cancellation
    if name == "prod":
        return make(shape, dtype, kind="unit")   # ints in {1, 2}; int64 wrap is exact anyway
    return make(shape, dtype)                    # mixed signs, ties for argmin/argmax


@pytest.mark.parametrize("shape,axis,keepdims", CASES, ids=CASE_IDS)
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name", REDUCTIONS)
def test_reduction(name, dtype, shape, axis, keepdims):
    if name in ("argmin", "argmax") and isinstance(axis, tuple):
        pytest.skip("argmin/argmax take an int axis")
    x = data_for(name, shape, dtype)
    rtol, atol = tolerances(name, dtype, x, axis)
    compare(lambda xp, a: getattr(xp, name)(a, axis=axis, keepdims=keepdims), x,
            rtol=rtol, atol=atol)


@pytest.mark.parametrize("shape,axis", [((17, 13), None), ((17, 13), 1), ((2, 9, 11), (0, 2)),
                                        ((37,), 0), ((), None)],
                         ids=["17x13", "17x13-ax1", "2x9x11-ax02", "37", "0d"])
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name", REDUCTIONS)
def test_reduction_method(name, dtype, shape, axis):
    if name in ("argmin", "argmax") and isinstance(axis, tuple):
        axis = 0
    x = data_for(name, shape, dtype)
    rtol, atol = tolerances(name, dtype, x, axis)
    compare(lambda xp, a: getattr(a, name)(), x, rtol=rtol, atol=atol)
    compare(lambda xp, a: getattr(a, name)(axis=axis), x, rtol=rtol, atol=atol)
    compare(lambda xp, a: getattr(a, name)(axis), x, rtol=rtol, atol=atol)


@pytest.mark.parametrize("shape,axis", [((0,), None), ((0,), 0), ((5, 0), None), ((5, 0), 0),
                                        ((5, 0), 1), ((5, 0), (0, 1))],
                         ids=["0", "0-ax0", "5x0", "5x0-ax0", "5x0-ax1", "5x0-ax01"])
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name", REDUCTIONS)
def test_reduction_of_empty(name, dtype, shape, axis):
    """sum/prod/any/all of empty give the identity, mean gives nan; min/max/argmin/
    argmax raise ValueError (zero-size array to reduction operation ... has no
    identity / attempt to get argmin of an empty sequence) where a reduced slice is
    empty."""
    if name in ("argmin", "argmax") and isinstance(axis, tuple):
        pytest.skip("argmin/argmax take an int axis")
    x = make(shape, dtype)
    compare(lambda xp, a: getattr(xp, name)(a, axis=axis), x)


@pytest.mark.parametrize("name", ["min", "max"])
def test_min_max_empty_raise_valueerror(name):
    with pytest.raises(ValueError):
        numpy.asarray(getattr(snp, name)(snp.zeros((0,))))
    with pytest.raises(ValueError):
        numpy.asarray(getattr(snp, name)(snp.zeros((5, 0)), axis=1))
    assert_runtime_ok()


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("name", ["min", "max", "argmin", "argmax", "sum", "mean"])
def test_reductions_with_nan(name, dtype):
    x = make((17, 13), dtype)
    x[3, 4] = numpy.nan
    x[11, 0] = numpy.nan
    x[8, 8] = numpy.inf
    # Sums of mixed signs may cancel: the bound is relative to the summed magnitudes, not to
    # the result (another grouping of the partial sums is as right as NumPy's pairwise one).
    finite = numpy.abs(x[numpy.isfinite(x)]).astype(numpy.float64)
    atol = 4 * x.size * float(numpy.finfo(dtype).eps) * float(finite.max()) if name in ("sum", "mean") else 0.0
    for axis in (None, 0, 1):
        compare(lambda xp, a: getattr(xp, name)(a, axis=axis), x, atol=atol)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_any_all_extremes(dtype):
    for shape in ((37,), (17, 13), (2, 9, 11)):
        ones = numpy.ones(shape, dtype=dtype)
        zeros = numpy.zeros(shape, dtype=dtype)
        one_hot = zeros.copy()
        one_hot.flat[-1] = 1
        for x in (ones, zeros, one_hot):
            for axis in (None, 0, -1):
                compare(lambda xp, a: xp.any(a, axis=axis), x)
                compare(lambda xp, a: xp.all(a, axis=axis), x)


@pytest.mark.parametrize("name", ["argmin", "argmax"])
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_arg_reductions_first_occurrence(name, dtype):
    # ties across shard boundaries: the first occurrence wins
    x = numpy.zeros((101,), dtype=dtype)
    for i in (17, 40, 99):
        x[i] = 1 if name == "argmax" else (0 if dtype == numpy.bool_ else -1)
    if dtype == numpy.bool_ and name == "argmin":
        x = ~x
        x[[17, 40, 99]] = False
    compare(lambda xp, a: getattr(xp, name)(a), x)
    compare(lambda xp, a: getattr(xp, name)(a.reshape(1, 101), axis=1), x)
    y = numpy.tile(x[:, None], (1, 3))
    compare(lambda xp, a: getattr(xp, name)(a, axis=0), y)


def test_int_sum_promotes_and_wraps():
    x = numpy.full((37,), 2**31 - 1, dtype=numpy.int32)
    compare(lambda xp, a: xp.sum(a), x)           # int32 sum -> int64, no overflow
    y = numpy.full((37,), 2**62, dtype=numpy.int64)
    compare(lambda xp, a: xp.sum(a), y)           # int64 wraps like NumPy
    z = numpy.full((101,), 3, dtype=numpy.int64)
    compare(lambda xp, a: xp.prod(a), z)          # 3**101 wraps modulo 2**64
    compare(lambda xp, a: xp.prod(a.astype(xp.int32)), z)


@pytest.mark.parametrize("axis", [2, -3, (0, 2), (0, 0), (1, -1)],
                         ids=["2", "-3", "(0,2)", "(0,0)", "(1,-1)"])
@pytest.mark.parametrize("name", REDUCTIONS)
def test_bad_axis(name, axis):
    """AxisError (a ValueError and an IndexError) for out-of-range axes; ValueError
    for duplicate axes; TypeError for argmin/argmax with a tuple."""
    x = make((17, 13), "float64")
    compare(lambda xp, a: getattr(xp, name)(a, axis=axis), x)
    assert_runtime_ok()


def test_reduction_of_view_and_expression():
    a = make((17, 13), "float64", kind="unit")
    compare(lambda xp, x: xp.sum(x[::2, 3:], axis=0), a)
    compare(lambda xp, x: xp.max(x.T[::-1], axis=1), a)
    compare(lambda xp, x: (x * 2 - 1).mean(axis=(0, 1)), a)
    compare(lambda xp, x: xp.argmax(x[5]), a)
    compare(lambda xp, x: (x > 1.0).sum(), a)
    compare(lambda xp, x: xp.sum(x, axis=1, keepdims=True) / x, a)


def test_reduction_result_usable_as_scalar():
    a = make((37,), "float64", kind="unit")
    s = snp.sum(to_shoal(a))
    assert float(s) == pytest.approx(float(a.sum()), rel=1e-12)
    m = snp.argmax(to_shoal(a))
    assert int(m) == int(numpy.argmax(a))
    assert bool(snp.any(to_shoal(a) > 1.0)) == bool((a > 1.0).any())
    # and as an operand
    compare(lambda xp, x: x - x.mean(), a)
