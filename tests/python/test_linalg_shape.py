"""matmul / dot / @, reshape, transpose / .T, ravel, concatenate."""

import numpy
import pytest

from _shoaltest import (DTYPES, DTYPE_IDS, assert_runtime_ok, assert_same, compare, make, snp,
                        to_shoal)

# ---------------------------------------------------------------- matmul / dot

MATMUL_SHAPES = [
    ((13,), (13,)),
    ((13,), (13, 9)),
    ((17, 13), (13,)),
    ((17, 13), (13, 9)),
    ((1, 1), (1, 1)),
    ((1,), (1, 5)),
    ((5, 1), (1, 7)),
    ((3, 0), (0, 4)),
    ((0, 3), (3, 4)),
    ((0,), (0,)),
    ((33, 40), (40, 35)),
]
MATMUL_IDS = [f"{a}@{b}" for a, b in MATMUL_SHAPES]


def mm_tol(dtype, a, b):
    dtype = numpy.dtype(dtype)
    if dtype.kind != "f":
        return None, 0.0
    # absolute tolerance scaled by |a| @ |b| (different summation orders)
    scale = float(numpy.max(numpy.abs(a).astype(numpy.float64) @ numpy.abs(b).astype(numpy.float64),
                            initial=1.0))
    return (1e-5, 1e-5 * scale) if dtype == numpy.float32 else (1e-12, 1e-12 * scale)


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES, ids=MATMUL_IDS)
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("form", ["@", "matmul", "dot", "method-dot"])
def test_matmul_same_dtype(form, dtype, sa, sb):
    a, b = make(sa, dtype), make(sb, dtype, seed=1)
    rtol, atol = mm_tol(dtype, a, b)
    fn = {
        "@": lambda xp, x, y: x @ y,
        "matmul": lambda xp, x, y: xp.matmul(x, y),
        "dot": lambda xp, x, y: xp.dot(x, y),
        "method-dot": lambda xp, x, y: x.dot(y),
    }[form]
    compare(fn, a, b, rtol=rtol, atol=atol)


@pytest.mark.parametrize("da,db", [("int32", "float32"), ("int32", "int64"), ("float32", "float64"),
                                   ("bool", "int32"), ("int64", "float32"), ("bool", "float64")])
@pytest.mark.parametrize("sa,sb", [((17, 13), (13, 9)), ((13,), (13, 9)), ((17, 13), (13,))],
                         ids=["2dx2d", "1dx2d", "2dx1d"])
def test_matmul_mixed_dtypes(sa, sb, da, db):
    a, b = make(sa, da), make(sb, db, seed=1)
    rtol, atol = mm_tol(numpy.result_type(a, b), a, b)
    compare(lambda xp, x, y: x @ y, a, b, rtol=rtol, atol=atol)
    compare(lambda xp, x, y: xp.dot(x, y), a, b, rtol=rtol, atol=atol)


@pytest.mark.parametrize("sa,sb", [((13,), (12,)), ((17, 13), (12, 9)), ((13,), (12, 9)),
                                   ((17, 13), (17,)), ((3, 4), (3, 4))],
                         ids=["1dx1d", "2dx2d", "1dx2d", "2dx1d", "3x4@3x4"])
@pytest.mark.parametrize("form", ["@", "matmul", "dot"])
def test_matmul_shape_mismatch(form, sa, sb):
    a, b = make(sa, "float64"), make(sb, "float64", seed=1)
    fn = {"@": lambda xp, x, y: x @ y, "matmul": lambda xp, x, y: xp.matmul(x, y),
          "dot": lambda xp, x, y: xp.dot(x, y)}[form]
    compare(fn, a, b)  # ValueError in NumPy
    assert_runtime_ok()


def test_matmul_of_views_and_chains():
    a = make((17, 13), "float64")
    b = make((9, 13), "float64", seed=1)
    rtol, atol = 1e-12, 1e-9
    compare(lambda xp, x, y: x @ y.T, a, b, rtol=rtol, atol=atol)
    compare(lambda xp, x, y: x[::2] @ y[1:, ::-1].T, a, b, rtol=rtol, atol=atol)
    compare(lambda xp, x, y: (x @ y.T) @ (y @ x.T), a, b, rtol=1e-10, atol=1e-6)
    compare(lambda xp, x, y: (x + 1) @ (y * 2).T + 3, a, b, rtol=rtol, atol=atol)
    compare(lambda xp, x: x[3] @ x[4], a, rtol=rtol, atol=atol)


def test_matmul_scalar_operand_is_an_error():
    a = make((3, 3), "float64")
    compare(lambda xp, x: x @ 2.0, a)
    compare(lambda xp, x: xp.matmul(x, xp.asarray(2.0)), a)


# ---------------------------------------------------------------- reshape

RESHAPES = [
    ((3, 5), (5, 3)),
    ((3, 5), (15,)),
    ((3, 5), (-1,)),
    ((3, 5), (3, -1, 1)),
    ((3, 5), -1),
    ((3, 5), 15),
    ((17, 13), (13, 17)),
    ((17, 13), (221,)),
    ((17, 13), (1, 221, 1)),
    ((2, 9, 11), (18, 11)),
    ((2, 9, 11), (-1, 11)),
    ((2, 9, 11), (2, 99)),
    ((2, 9, 11), (11, 9, 2)),
    ((37,), (37, 1)),
    ((37,), (1, -1)),
    ((), (1,)),
    ((), (1, 1)),
    ((1, 1), ()),
    ((1,), ()),
    ((5, 0), (0,)),
    ((5, 0), (0, 5)),
    ((5, 0), (-1, 5)),
    ((0,), (3, 0, 2)),
    ((4, 1, 6), (24,)),
    ((4, 1, 6), (6, 4)),
]
RESHAPE_IDS = [f"{a}->{b}" for a, b in RESHAPES]


@pytest.mark.parametrize("src,dst", RESHAPES, ids=RESHAPE_IDS)
@pytest.mark.parametrize("dtype", ["bool", "int32", "float64"])
def test_reshape(src, dst, dtype):
    x = make(src, dtype)
    compare(lambda xp, a: a.reshape(dst), x)
    compare(lambda xp, a: xp.reshape(a, dst), x)
    if isinstance(dst, tuple) and len(dst) > 1:
        compare(lambda xp, a: a.reshape(*dst), x)


@pytest.mark.parametrize("case", ["transposed", "sliced", "reversed", "chained", "expression"])
def test_reshape_noncontiguous(case):
    x = make((17, 13), "int64")
    fn = {
        "transposed": lambda xp, a: a.T.reshape(-1),
        "sliced": lambda xp, a: a[1::2, ::3].reshape(5, -1),
        "reversed": lambda xp, a: a[::-1, ::-1].reshape(13, 17),
        "chained": lambda xp, a: a.reshape(13, 17).T.reshape(221)[::-5],
        "expression": lambda xp, a: (a * 2 + 1).T.reshape(-1, 13) - a.reshape(17, 13),
    }[case]
    compare(fn, x)


@pytest.mark.parametrize("src,dst", [((2, 3), (4,)), ((2, 3), (-1, 4)), ((2, 3), (-1, -1)),
                                     ((17, 13), (220,)), ((5, 0), (-1,)), ((), (2,)),
                                     ((2, 3), (-2, 3))],
                         ids=["6->4", "6->-1x4", "two-unknown", "221->220", "empty-unknown",
                              "0d->2", "neg"])
def test_reshape_errors(src, dst):
    x = make(src, "float64")
    compare(lambda xp, a: a.reshape(dst), x)
    assert_runtime_ok()


def test_reshape_error_message():
    a = snp.arange(6)
    with pytest.raises(ValueError, match=r"cannot reshape array of size 6 into shape \(4,\)"):
        numpy.asarray(a.reshape((4,)))
    assert_runtime_ok()


# ---------------------------------------------------------------- transpose

@pytest.mark.parametrize("shape,axes", [
    ((), None), ((37,), None), ((17, 13), None), ((17, 13), (1, 0)), ((17, 13), (0, 1)),
    ((2, 9, 11), None), ((2, 9, 11), (1, 0, 2)), ((2, 9, 11), (2, 0, 1)),
    ((2, 9, 11), (-1, 0, 1)), ((4, 1, 6), (1, 2, 0)), ((5, 0), None),
], ids=lambda v: repr(v))
@pytest.mark.parametrize("dtype", ["bool", "int32", "float32"])
def test_transpose(shape, axes, dtype):
    x = make(shape, dtype)
    compare(lambda xp, a: xp.transpose(a, axes), x)
    compare(lambda xp, a: xp.transpose(a, axes=axes), x)
    if axes is None:
        compare(lambda xp, a: a.T, x)
        compare(lambda xp, a: a.transpose(), x)
    else:
        compare(lambda xp, a: a.transpose(axes), x)
        compare(lambda xp, a: a.transpose(*axes), x)


@pytest.mark.parametrize("axes", [(0, 0), (0, 1, 2), (0, 2), (0,)], ids=repr)
def test_transpose_bad_axes(axes):
    compare(lambda xp, a: xp.transpose(a, axes), make((3, 4), "float64"))
    assert_runtime_ok()


def test_transpose_then_compute():
    x = make((17, 13), "float64")
    compare(lambda xp, a: a.T.T, x)
    compare(lambda xp, a: a.T[2:5] * 2, x)
    compare(lambda xp, a: xp.sum(a.T, axis=0), x)
    compare(lambda xp, a: a.T.copy(), x)


# ---------------------------------------------------------------- ravel

@pytest.mark.parametrize("shape", [(), (0,), (1,), (37,), (5, 0), (17, 13), (4, 1, 6), (2, 9, 11)],
                         ids=lambda s: repr(s))
@pytest.mark.parametrize("dtype", ["bool", "int64", "float32"])
def test_ravel(shape, dtype):
    x = make(shape, dtype)
    compare(lambda xp, a: a.ravel(), x)
    compare(lambda xp, a: xp.ravel(a), x)
    if len(shape) >= 2:
        compare(lambda xp, a: a.T.ravel(), x)
        compare(lambda xp, a: a[::-1, 1::2].ravel(), x)


# ---------------------------------------------------------------- concatenate

@pytest.mark.parametrize("shapes,axis", [
    ([(3,), (5,)], 0),
    ([(7,), (0,), (37,)], 0),
    ([(3, 5), (17, 5)], 0),
    ([(17, 13), (17, 2), (17, 1)], 1),
    ([(17, 13), (17, 2)], -1),
    ([(3, 5), (4, 5)], -2),
    ([(2, 9, 11), (2, 1, 11)], 1),
    ([(2, 9, 11), (2, 9, 3)], 2),
    ([(5, 0), (5, 3)], 1),
    ([(5, 0), (2, 0)], 0),
    ([(3, 5), (4, 2)], None),
    ([(4, 1, 6)], 0),
    ([(1,), (1,), (1,), (1,), (1,)], 0),
], ids=lambda v: repr(v))
@pytest.mark.parametrize("dtype", ["bool", "int32", "float64"])
def test_concatenate(shapes, axis, dtype):
    arrays = [make(s, dtype, seed=i) for i, s in enumerate(shapes)]
    compare(lambda xp, *xs: xp.concatenate(list(xs), axis=axis), *arrays)
    compare(lambda xp, *xs: xp.concatenate(tuple(xs), axis), *arrays)


def test_concatenate_default_axis():
    a, b = make((3, 5), "int64"), make((4, 5), "int64", seed=1)
    compare(lambda xp, x, y: xp.concatenate([x, y]), a, b)


@pytest.mark.parametrize("dtypes", [("bool", "int32"), ("int32", "int64"), ("int32", "float32"),
                                    ("float32", "float64"), ("bool", "float64"),
                                    ("int64", "float32", "bool")], ids=lambda d: "-".join(d))
def test_concatenate_promotes(dtypes):
    arrays = [make((5, 3), d, seed=i) for i, d in enumerate(dtypes)]
    compare(lambda xp, *xs: xp.concatenate(xs, axis=0), *arrays)
    compare(lambda xp, *xs: xp.concatenate(xs, axis=1), *arrays)


def test_concatenate_views_and_expressions():
    a = make((17, 13), "float64")
    compare(lambda xp, x: xp.concatenate([x[::2], x[1::2] * 2], axis=0), a)
    compare(lambda xp, x: xp.concatenate([x[:, ::-1], x[:, :1]], axis=1), a)


@pytest.mark.parametrize("shapes,axis", [
    ([(3, 5), (3, 4)], 0),
    ([(3, 5), (4, 5)], 1),
    ([(3, 5), (5,)], 0),
    ([(3,), (4,)], 1),
    ([(3, 5), (3, 5)], 2),
    ([(3, 5), (3, 5)], -3),
], ids=lambda v: repr(v))
def test_concatenate_errors(shapes, axis):
    arrays = [make(s, "float64", seed=i) for i, s in enumerate(shapes)]
    compare(lambda xp, *xs: xp.concatenate(list(xs), axis=axis), *arrays)
    assert_runtime_ok()


def test_concatenate_empty_list_is_an_error():
    with pytest.raises(ValueError):
        numpy.asarray(snp.concatenate([]))
    assert_runtime_ok()


def test_concatenate_result_is_independent():
    a = make((7,), "int64")
    sa = to_shoal(a)
    c = snp.concatenate([sa, sa])
    sa[:] = 0
    assert_same(c, numpy.concatenate([a, a]))
