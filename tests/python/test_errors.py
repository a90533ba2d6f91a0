"""Bad input: NumPy's exception types, errors raised inside actor kernels, and that the
runtime keeps working after every error."""

import subprocess
import sys
import os
import textwrap

import numpy
import pytest

from _shoaltest import (AGAINST_NUMPY, assert_raises_like, assert_runtime_ok, assert_same,
                        compare, make, snp, to_shoal)

pytestmark = pytest.mark.timeout(120)


# ---------------------------------------------------------------- unsupported dtypes

UNSUPPORTED = [
    ("complex-numpy", lambda: snp.asarray(numpy.ones(5, dtype=numpy.complex128))),
    ("complex-list", lambda: snp.array([1 + 2j, 3j])),
    ("uint8-numpy", lambda: snp.asarray(numpy.arange(5, dtype=numpy.uint8))),
    ("int8-numpy", lambda: snp.asarray(numpy.arange(5, dtype=numpy.int8))),
    ("float16-numpy", lambda: snp.asarray(numpy.ones(5, dtype=numpy.float16))),
    ("strings-numpy", lambda: snp.asarray(numpy.array(["a", "bc"]))),
    ("strings-list", lambda: snp.array(["x", "y"])),
    ("object-numpy", lambda: snp.asarray(numpy.array([object(), object()]))),
    ("zeros-complex", lambda: snp.zeros(3, dtype=complex)),
    ("zeros-uint8", lambda: snp.zeros(3, dtype="uint8")),
    ("ones-complex64", lambda: snp.ones((2, 2), dtype=numpy.complex64)),
    ("full-str", lambda: snp.full(3, 1, dtype="U5")),
    ("arange-uint16", lambda: snp.arange(5, dtype=numpy.uint16)),
    ("astype-uint8", lambda: snp.arange(5).astype(numpy.uint8)),
    ("astype-complex", lambda: snp.arange(5).astype("complex128")),
    ("zeros_like-uint32", lambda: snp.zeros_like(snp.arange(5), dtype="uint32")),
    ("add-str", lambda: snp.arange(5) + "a"),
]


@pytest.mark.parametrize("name,fn", UNSUPPORTED, ids=[n for n, _ in UNSUPPORTED])
def test_unsupported_dtype_is_typeerror(name, fn):
    if AGAINST_NUMPY and name not in ("add-str",):
        pytest.skip("NumPy supports this dtype")
    with pytest.raises(TypeError):
        r = fn()
        numpy.asarray(r)
    assert_runtime_ok()


# ---------------------------------------------------------------- errors raised in kernels

def test_int_power_negative_array_raises_valueerror():
    """NumPy: ValueError "Integers to negative integer powers are not allowed." shoal
    finds out inside an actor; it must raise ValueError at the op or when read."""
    a = make((37,), "int64", kind="pos")
    b = make((37,), "int64", kind="small")
    b[20] = -2
    with pytest.raises(ValueError, match="negative integer powers"):
        numpy.asarray(a ** b)     # NumPy agrees
    with pytest.raises(ValueError, match="negative integer powers"):
        r = to_shoal(a) ** to_shoal(b)
        numpy.asarray(r)
    assert_runtime_ok()


@pytest.mark.parametrize("dtypes", [("int32", "int32"), ("int64", "int32"), ("int32", "int64")],
                         ids=lambda d: "-".join(d))
@pytest.mark.parametrize("where", ["first", "last", "shard-boundary"])
def test_int_power_negative_in_any_shard(dtypes, where):
    a = make((17, 13), dtypes[0], kind="pos")
    b = make((17, 13), dtypes[1], kind="small")
    idx = {"first": (0, 0), "last": (16, 12), "shard-boundary": (1, 3)}[where]
    b[idx] = -1
    compare(lambda xp, x, y: x ** y, a, b)
    assert_runtime_ok()


def test_int_power_negative_scalar():
    a = make((37,), "int32", kind="pos")
    compare(lambda xp, x: x ** -1, a)
    compare(lambda xp, x: xp.power(x, -2), a)
    assert_runtime_ok()


def test_kernel_error_inside_a_chain():
    a = make((37,), "int64", kind="pos")
    b = make((37,), "int64", kind="small")
    b[-1] = -3
    with pytest.raises(ValueError):
        r = (to_shoal(a) ** to_shoal(b) + 1) * 2
        numpy.asarray(r.sum())
    assert_runtime_ok()


def test_kernel_error_reading_twice_and_unrelated_work():
    a = to_shoal(make((37,), "int64", kind="pos"))
    b = make((37,), "int64", kind="small")
    b[5] = -1
    sb = to_shoal(b)
    try:
        r = a ** sb
    except ValueError:
        r = None
    good = a * 2                           # unrelated work submitted after the failure
    if r is not None:
        for _ in range(2):                 # every read raises, none hangs
            with pytest.raises(ValueError):
                numpy.asarray(r)
    assert_same(good, numpy.asarray(a) * 2)
    assert_same(a, numpy.asarray(a))       # inputs intact
    assert_runtime_ok()


# ---------------------------------------------------------------- NumPy's errors, NumPy's types

CASES = {
    "broadcast": lambda xp, a: a + xp.ones((4,)),
    "inplace-broadcast-out": lambda xp, a: a.__iadd__(xp.ones((2, 17, 13))),
    "inplace-int-plus-float": lambda xp, a: a.astype("int64").__iadd__(1.5),
    "inplace-bool-plus-int": lambda xp, a: (a > 0).__iadd__(1),
    "inplace-int-div": lambda xp, a: a.astype("int32").__itruediv__(2),
    "bool-subtract": lambda xp, a: (a > 0) - (a < 0),
    "bool-negative": lambda xp, a: -(a > 0),
    "float-invert": lambda xp, a: ~a,
    "float-and": lambda xp, a: a & a,
    "float-xor-int": lambda xp, a: a ^ 1,
    "python-int-overflow": lambda xp, a: a.astype("int32") + 2**40,
    "matmul-mismatch": lambda xp, a: a @ a,
    "reshape-size": lambda xp, a: a.reshape(5, 5),
    "axis-out-of-range": lambda xp, a: a.sum(axis=3),
    "axis-duplicate": lambda xp, a: a.max(axis=(1, 1)),
    "index-out-of-range": lambda xp, a: a[0, 13],
    "too-many-indices": lambda xp, a: a[1, 2, 3],
    "concatenate-mismatch": lambda xp, a: xp.concatenate([a, a.T]),
    "transpose-bad-axes": lambda xp, a: a.transpose(0, 0),
    "truth-ambiguous": lambda xp, a: bool(a),
    "float-of-array": lambda xp, a: float(a),
    "min-of-empty": lambda xp, a: a[:0].min(),
    "argmax-of-empty": lambda xp, a: a[:, :0].argmax(axis=1),
    "where-broadcast": lambda xp, a: xp.where(a > 0, a, xp.ones(5)),
    "setitem-shape": lambda xp, a: a.__setitem__(slice(0, 3), xp.ones(4)),
    "setitem-index": lambda xp, a: a.__setitem__((17, 0), 1.0),
}


@pytest.mark.parametrize("name", list(CASES))
def test_numpy_error_types(name):
    x = make((17, 13), "float64")
    compare(CASES[name], x)   # asserts NumPy raises ... and shoal raises the same type
    with pytest.raises(Exception):
        CASES[name](numpy, x.copy())
    assert_runtime_ok()


def test_broadcast_error_message():
    with pytest.raises(ValueError, match="operands could not be broadcast together"):
        numpy.asarray(snp.ones((3,)) + snp.ones((4,)))
    assert_runtime_ok()


def test_axis_error_is_numpy_axiserror_compatible():
    with pytest.raises(ValueError) as info:
        numpy.asarray(snp.sum(snp.ones((3, 4)), axis=2))
    assert isinstance(info.value, IndexError)
    assert_runtime_ok()


def test_many_errors_in_a_row_then_work():
    a = to_shoal(make((17, 13), "float64"))
    for _ in range(20):
        with pytest.raises(ValueError):
            numpy.asarray(a + snp.ones(4))
        with pytest.raises(IndexError):
            a[99]
        with pytest.raises(TypeError):
            numpy.asarray(~a)
    assert_same(a * 1.0, numpy.asarray(a))
    assert_runtime_ok()


# ---------------------------------------------------------------- division by zero

DIV_SCRIPT = textwrap.dedent("""
    import os, sys, warnings
    sys.path.insert(0, {testdir!r})
    import numpy
    from _shoaltest import snp, shoal, configure
    configure({cpus})
    warnings.simplefilter("ignore")
    a = numpy.array([7, -7, 0, 5, {imin}, 3] * 7, dtype={dtype!r})
    b = numpy.array([0, 0, 0, -1, -1, 2] * 7, dtype={dtype!r})
    with numpy.errstate(all="ignore"):
        exp = [a // b, a % b, a / b]
    sa, sb = snp.asarray(a), snp.asarray(b)
    got = [numpy.asarray(sa // sb), numpy.asarray(sa % sb), numpy.asarray(sa / sb)]
    for g, e in zip(got, exp):
        assert g.dtype == e.dtype, (g.dtype, e.dtype)
        numpy.testing.assert_array_equal(g, e)
    shoal.shutdown()
    print("OK")
""")


@pytest.mark.timeout(180)
@pytest.mark.parametrize("dtype", ["int32", "int64"])
def test_integer_division_by_zero_matches_numpy(dtype, runtime):
    """int // 0 and int % 0 give 0 in NumPy (with a warning); INT_MIN // -1 wraps.
    Run in a subprocess: a SIGFPE in a kernel must not take the test session down."""
    imin = numpy.iinfo(dtype).min
    script = DIV_SCRIPT.format(testdir=os.path.dirname(__file__), cpus=runtime, imin=imin,
                               dtype=dtype)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=170)
    assert proc.returncode == 0, f"rc={proc.returncode}\n{proc.stdout}\n{proc.stderr[-3000:]}"
    assert "OK" in proc.stdout


def test_float_division_by_zero_matches_numpy():
    a = numpy.array([1.0, -1.0, 0.0, numpy.nan, numpy.inf] * 5)
    b = numpy.zeros_like(a)
    for dt in ("float32", "float64"):
        compare(lambda xp, x, y: x / y, a.astype(dt), b.astype(dt))
        compare(lambda xp, x, y: x // y, a.astype(dt), b.astype(dt))
        compare(lambda xp, x, y: x % y, a.astype(dt), b.astype(dt))
    assert_runtime_ok()
