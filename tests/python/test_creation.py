"""Creation functions: array asarray zeros ones full empty *_like arange linspace eye."""

import numpy
import pytest

from _shoaltest import (DTYPES, DTYPE_IDS, SHAPES, SHAPE_IDS, assert_same, compare, is_shoal,
                        make, snp, to_shoal)

NAMES = [d.name for d in DTYPES]


def _dt(xp, name, spelling):
    """A dtype argument in one of the spellings users write."""
    if spelling == "attr":
        return getattr(xp, "bool_" if name == "bool" else name)
    if spelling == "str":
        return name
    return numpy.dtype(name)


# ---------------------------------------------------------------- array / asarray

@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("func", ["array", "asarray"])
def test_from_numpy(func, shape, dtype):
    x = make(shape, dtype)
    compare(lambda xp, a: getattr(xp, func)(a), x, shoal_args=[x.copy()])


@pytest.mark.parametrize("data", [
    [1, 2, 3],
    [1.5, -2.0, 3.25],
    [True, False, True],
    [1, 2.5],
    [True, 2],
    [[1, 2, 3], [4, 5, 6]],
    [[1.0], [2.0], [3.0]],
    [[[1, 2], [3, 4]], [[5, 6], [7, 8]]],
    [],
    [[], []],
    5,
    -2.5,
    True,
    list(range(100)),
], ids=lambda d: repr(d)[:20])
@pytest.mark.parametrize("func", ["array", "asarray"])
def test_from_python(func, data):
    compare(lambda xp: getattr(xp, func)(data))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("data", [[1, 0, 3], [[1.0, 2.0], [0.0, -4.0]], 7, 0])
def test_array_with_dtype(data, name):
    compare(lambda xp: xp.array(data, dtype=getattr(xp, "bool_" if name == "bool" else name)))
    compare(lambda xp: xp.asarray(data, dtype=name))


@pytest.mark.parametrize("src", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("dst", DTYPES, ids=DTYPE_IDS)
def test_asarray_numpy_with_dtype(src, dst):
    x = make((17, 3), src, kind="small")
    compare(lambda xp, a: xp.asarray(a, dtype=dst), x, shoal_args=[x.copy()])


def test_array_copies_shoal_array():
    base = numpy.arange(37, dtype=numpy.int64)
    a = to_shoal(base)
    b = snp.array(a)
    assert is_shoal(b)
    a[3] = 100
    assert_same(b, base)
    c = snp.asarray(a)
    assert is_shoal(c)
    expected = base.copy()
    expected[3] = 100
    assert_same(c, expected)


def test_array_independent_of_numpy_source():
    x = numpy.arange(37, dtype=numpy.float64)
    a = snp.array(x)
    x[0] = -1
    assert_same(a, numpy.arange(37, dtype=numpy.float64))


def test_asarray_from_numpy_scalar():
    for s in (numpy.float32(2.5), numpy.int32(-3), numpy.bool_(True), numpy.int64(7),
              numpy.float64(1.25)):
        compare(lambda xp: xp.asarray(s))


# ---------------------------------------------------------------- zeros/ones/full/empty

CREATE_SHAPES = [0, 1, 7, (), (0,), (37,), (5, 0), (17, 13), (4, 1, 6), [2, 9, 11]]
CREATE_IDS = [repr(s) for s in CREATE_SHAPES]


@pytest.mark.parametrize("shape", CREATE_SHAPES, ids=CREATE_IDS)
@pytest.mark.parametrize("func", ["zeros", "ones"])
def test_zeros_ones_default_dtype(func, shape):
    compare(lambda xp: getattr(xp, func)(shape))


@pytest.mark.parametrize("spelling", ["attr", "str", "dtype"])
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("func", ["zeros", "ones"])
def test_zeros_ones_dtype(func, name, spelling):
    compare(lambda xp: getattr(xp, func)((17, 3), dtype=_dt(xp, name, spelling)))
    compare(lambda xp: getattr(xp, func)(5, _dt(xp, name, spelling)))


@pytest.mark.parametrize("shape", CREATE_SHAPES, ids=CREATE_IDS)
@pytest.mark.parametrize("fill", [7, -2.5, True, 0, numpy.float32(1.5), numpy.int32(3)],
                         ids=["int", "float", "bool", "zero", "np.float32", "np.int32"])
def test_full(shape, fill):
    compare(lambda xp: xp.full(shape, fill))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("fill", [3, 2.75, False, -1])
def test_full_dtype(name, fill):
    compare(lambda xp: xp.full((9, 5), fill, dtype=name))


@pytest.mark.parametrize("shape", CREATE_SHAPES, ids=CREATE_IDS)
@pytest.mark.parametrize("name", NAMES + [None])
def test_empty(shape, name):
    e = numpy.empty(shape, dtype=name)
    s = snp.empty(shape, dtype=name)
    assert is_shoal(s)
    assert tuple(s.shape) == e.shape
    assert s.dtype == e.dtype
    assert numpy.asarray(s).shape == e.shape


# ---------------------------------------------------------------- *_like

@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("shape", [(), (0,), (37,), (5, 0), (17, 13), (2, 9, 11)],
                         ids=["0d", "0", "37", "5x0", "17x13", "2x9x11"])
@pytest.mark.parametrize("func", ["zeros_like", "ones_like"])
def test_zeros_ones_like(func, shape, dtype):
    x = make(shape, dtype)
    compare(lambda xp, a: getattr(xp, func)(a), x)
    compare(lambda xp, a: getattr(xp, func)(a, dtype="float32"), x)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("shape", [(), (0,), (37,), (17, 13)], ids=["0d", "0", "37", "17x13"])
@pytest.mark.parametrize("fill", [3, 1.5, True])
def test_full_like(shape, dtype, fill):
    x = make(shape, dtype)
    compare(lambda xp, a: xp.full_like(a, fill), x)
    compare(lambda xp, a: xp.full_like(a, fill, dtype="int64"), x)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("shape", [(), (0,), (37,), (17, 13)], ids=["0d", "0", "37", "17x13"])
def test_empty_like(shape, dtype):
    x = make(shape, dtype)
    s = snp.empty_like(to_shoal(x))
    assert is_shoal(s)
    assert tuple(s.shape) == x.shape and s.dtype == x.dtype
    s = snp.empty_like(to_shoal(x), dtype="float32")
    assert tuple(s.shape) == x.shape and s.dtype == numpy.float32


# ---------------------------------------------------------------- arange / linspace / eye

@pytest.mark.parametrize("args,kwargs", [
    ((10,), {}),
    ((0,), {}),
    ((1,), {}),
    ((37,), {}),
    ((2, 20), {}),
    ((2, 20, 3), {}),
    ((20, 2, -3), {}),
    ((10, 0, -2), {}),
    ((5, 5), {}),
    ((5, 2), {}),
    ((-7, 8, 2), {}),
    ((3.0,), {}),
    ((0, 1, 0.1), {}),
    ((0.5, 9.75, 0.25), {}),
    ((-2.5, 2.5, 0.5), {}),
    ((5,), {"dtype": "float32"}),
    ((5,), {"dtype": "float64"}),
    ((1, 40, 3), {"dtype": "int32"}),
    ((100,), {"dtype": "int64"}),
    ((0, 1000, 7), {}),
], ids=lambda v: repr(v))
def test_arange(args, kwargs):
    compare(lambda xp: xp.arange(*args, **kwargs))


@pytest.mark.parametrize("args,kwargs", [
    ((0, 1, 5), {}),
    ((0, 1, 0), {}),
    ((0, 1, 1), {}),
    ((2, 3), {}),
    ((-3, 7, 37), {}),
    ((10, -10, 21), {}),
    ((0, 1, 7), {"endpoint": False}),
    ((0, 1, 16), {"dtype": "float32"}),
    ((1.5, 2.5, 100), {}),
    ((0, 1000, 1001), {}),
], ids=lambda v: repr(v))
def test_linspace(args, kwargs):
    compare(lambda xp: xp.linspace(*args, **kwargs))


@pytest.mark.parametrize("args,kwargs", [
    ((3,), {}),
    ((0,), {}),
    ((1,), {}),
    ((17,), {}),
    ((3, 5), {}),
    ((5, 3), {}),
    ((5, 3), {"k": 1}),
    ((6, 9), {"k": 4}),
    ((6, 9), {"k": -2}),
    ((6,), {"k": 7}),
    ((13, 17), {"dtype": "int32"}),
    ((4,), {"dtype": "bool"}),
    ((4,), {"dtype": "float32"}),
    ((4,), {"M": 6, "k": -1, "dtype": "int64"}),
], ids=lambda v: repr(v))
def test_eye(args, kwargs):
    compare(lambda xp: xp.eye(*args, **kwargs))


def test_created_arrays_are_usable():
    a = snp.arange(37)
    b = snp.ones(37, dtype="float32")
    assert_same(a * b + snp.zeros(37), numpy.arange(37) * numpy.ones(37, numpy.float32)
                + numpy.zeros(37))
    assert_same(snp.eye(5) @ snp.linspace(0, 1, 5), numpy.eye(5) @ numpy.linspace(0, 1, 5))
