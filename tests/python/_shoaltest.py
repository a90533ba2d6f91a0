"""Shared helpers for the shoal-vs-NumPy test suite.

Every test computes a case with real NumPy and with ``shoal.numpy`` and compares
(CuPy's pattern).  Set ``SHOAL_TEST_AGAINST_NUMPY=1`` to substitute real NumPy for
``shoal.numpy`` (and a no-op stub for ``shoal``): the suite must then pass, which
proves that the tests themselves are right.
"""

import os
import types
import zlib
import warnings

import numpy
import pytest

AGAINST_NUMPY = os.environ.get("SHOAL_TEST_AGAINST_NUMPY", "") not in ("", "0")

if AGAINST_NUMPY:
    snp = numpy

    def _noop(*args, **kwargs):
        return None

    def _no_runtime_info():
        pytest.skip("runtime_info() is shoal-only (SHOAL_TEST_AGAINST_NUMPY=1)")

    shoal = types.SimpleNamespace(init=_noop, shutdown=_noop, runtime_info=_no_runtime_info)
else:
    import shoal  # noqa: F401
    import shoal.numpy as snp  # noqa: F401

# The dtypes of the first slice, as NumPy dtype objects.
DTYPES = [numpy.dtype(t) for t in ("bool", "int32", "int64", "float32", "float64")]
DTYPE_IDS = [d.name for d in DTYPES]
SUPPORTED = set(DTYPES)
INT_DTYPES = [numpy.dtype("int32"), numpy.dtype("int64")]
FLOAT_DTYPES = [numpy.dtype("float32"), numpy.dtype("float64")]

# Shapes that do not divide evenly into 16-element tiles, plus 0-d and empty.
SHAPES = [(), (0,), (1,), (7,), (37,), (5, 0), (3, 5), (17, 13), (4, 1, 6), (2, 9, 11)]
SHAPE_IDS = ["x".join(map(str, s)) if s else "0d" for s in SHAPES]

SEED = 20240601
MIN_TILE_ELEMS = 16


class session_config(int):
    """A session's runtime configuration. As an int it is the number of CPU actors (what
    tests compare actor counts with); ``gpus`` and ``placement`` say the rest."""

    def __new__(cls, cpus, gpus=0, placement=None, name=None):
        self = super().__new__(cls, cpus)
        self.gpus = gpus
        self.placement = placement
        self.name = name or f"cpus{cpus}"
        return self


def configure(cpus, min_tile_elems=MIN_TILE_ELEMS, gpus=None, placement=None):
    """(Re)start the runtime with ``cpus`` CPU actors and the given tile threshold.

    ``cpus`` may be a session_config: its GPUs and placement apply unless given here. A
    plain count means no GPU actors (so the CPU sessions stay CPU-only on GPU machines)."""
    cpus_config = cpus
    if gpus is None:
        gpus = getattr(cpus, "gpus", 0)
    if placement is None:
        placement = getattr(cpus, "placement", None)
    cpus = int(cpus)
    shoal.shutdown()
    old = os.environ.get("SHOAL_PLACEMENT")
    if placement:
        os.environ["SHOAL_PLACEMENT"] = placement
    else:
        os.environ.pop("SHOAL_PLACEMENT", None)
    try:
        kwargs = {"cpus": cpus, "gpus": int(gpus), "min_tile_elems": min_tile_elems}
        if getattr(cpus_config, "address", None):  # a cluster session: the nodes' actors
            kwargs["address"] = cpus_config.address
        try:
            # a read that waits longer than this fails instead of hanging the suite
            shoal.init(timeout_ms=120_000, **kwargs)
        except TypeError:
            shoal.init(**kwargs)
    finally:
        if old is None:
            os.environ.pop("SHOAL_PLACEMENT", None)
        else:
            os.environ["SHOAL_PLACEMENT"] = old


def rng(extra=0):
    return numpy.random.default_rng(SEED + extra)


def make(shape, dtype, kind="any", seed=0):
    """Random NumPy data of ``shape`` and ``dtype``.

    kind: "any" (mixed signs), "pos" (strictly positive), "nonzero" (no zeros),
    "small" (small magnitude, good for ** and prod), "unit" (floats in [0.5, 1.5]).
    """
    dtype = numpy.dtype(dtype)
    # crc32, not hash(): str hashes change per process, which made the data of every run new
    g = rng(seed * 1000 + zlib.crc32(repr((tuple(shape), dtype.name, kind)).encode()) % 997)
    if dtype == numpy.bool_:
        if kind in ("pos", "nonzero"):
            return numpy.ones(shape, dtype=bool)
        return numpy.asarray(g.random(shape) < 0.5)
    if dtype.kind == "i":
        if kind == "pos":
            x = g.integers(1, 20, size=shape)
        elif kind == "small":
            x = g.integers(0, 5, size=shape)
        elif kind == "unit":
            x = g.integers(1, 3, size=shape)
        else:
            x = g.integers(-20, 20, size=shape)
            if kind == "nonzero":
                x[x == 0] = 7
        return x.astype(dtype)
    # floats
    if kind == "pos":
        x = g.uniform(0.25, 10.0, size=shape)
    elif kind == "small":
        x = g.uniform(-3.0, 3.0, size=shape)
    elif kind == "unit":
        x = g.uniform(0.5, 1.5, size=shape)
    else:
        x = g.uniform(-10.0, 10.0, size=shape)
        if kind == "nonzero":
            x[numpy.abs(x) < 1e-3] = 1.0
    return x.astype(dtype)


def to_shoal(x):
    """A shoal array holding a copy of NumPy array ``x``."""
    return snp.asarray(numpy.array(x, copy=True))


def is_shoal(x):
    return isinstance(x, snp.ndarray)


def force(x):
    """Read a result (the point where lazy errors surface)."""
    if isinstance(x, (tuple, list)):
        for y in x:
            force(y)
    elif is_shoal(x):
        numpy.asarray(x)
    return x


def default_rtol(dtype):
    dtype = numpy.dtype(dtype)
    if dtype == numpy.float32:
        return 1e-5
    if dtype == numpy.float64:
        return 1e-12
    return 0


def assert_same(s, n, rtol=None, atol=0.0, check_dtype=True):
    """shoal result ``s`` equals NumPy result ``n``: type, shape, dtype, values."""
    if isinstance(n, numpy.ndarray):
        assert is_shoal(s), f"expected a shoal ndarray, got {type(s)!r}"
        got = numpy.asarray(s)
        assert isinstance(got, numpy.ndarray)
        assert tuple(s.shape) == n.shape, f"shape {tuple(s.shape)} != {n.shape}"
        assert got.shape == n.shape
        if check_dtype:
            assert s.dtype == n.dtype, f"dtype {s.dtype} != {n.dtype}"
            assert got.dtype == n.dtype, f"dtype after __array__ {got.dtype} != {n.dtype}"
    elif isinstance(n, numpy.generic):
        # NumPy gives a scalar: accept a NumPy scalar or a 0-d shoal array (a lazy
        # runtime may return 0-d arrays from reductions, like CuPy).
        if is_shoal(s):
            assert tuple(s.shape) == (), f"expected a scalar or 0-d array, got shape {s.shape}"
            got = numpy.asarray(s)
        else:
            assert isinstance(s, numpy.generic), f"expected a NumPy scalar, got {type(s)!r}"
            got = numpy.asarray(s)
        if check_dtype:
            assert got.dtype == n.dtype, f"dtype {got.dtype} != {n.dtype}"
        n = numpy.asarray(n)
    else:
        # Python scalar / list / tuple: exact type and value.
        assert type(s) is type(n), f"type {type(s)!r} != {type(n)!r}"
        if isinstance(n, float) and n != n:
            assert s != s
        else:
            assert s == n, f"{s!r} != {n!r}"
        return
    if n.dtype.kind in "biu":
        numpy.testing.assert_array_equal(got, n)
    else:
        if rtol is None:
            rtol = default_rtol(n.dtype if n.dtype.kind == "f" else got.dtype)
            if rtol == 0:
                rtol = 1e-12
        numpy.testing.assert_allclose(got, n, rtol=rtol, atol=atol, equal_nan=True)


def numpy_exc_type(e):
    """The builtin exception class that shoal must raise for NumPy's exception ``e``.

    NumPy's AxisError is both a ValueError and an IndexError; we require both.
    """
    if isinstance(e, numpy.exceptions.AxisError):
        return (ValueError, IndexError)
    for cls in type(e).__mro__:
        if cls.__module__ == "builtins":
            return (cls,)
    return (Exception,)


def assert_raises_like(expected_exc, fn, match=None):
    """Call ``fn`` (and read its result); it must raise like NumPy's ``expected_exc``."""
    classes = numpy_exc_type(expected_exc)
    with pytest.raises(classes[0], match=match) as info:
        force(fn())
    for cls in classes[1:]:
        assert isinstance(info.value, cls), f"{info.value!r} is not a {cls.__name__}"
    return info.value


def run_numpy(fn, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with numpy.errstate(all="ignore"):
            return fn(numpy, *args)


def compare(fn, *args, rtol=None, atol=0.0, check_dtype=True, shoal_args=None):
    """Run ``fn(xp, *arrays)`` with NumPy and with shoal and compare.

    ``args`` are NumPy arrays (converted with ``to_shoal`` for the shoal run) or
    anything else (passed unchanged).  If NumPy raises, shoal must raise the same
    builtin exception type (either at the call or when the result is read).
    Returns the NumPy result (or None if it raised).
    """
    np_args = [a.copy() if isinstance(a, numpy.ndarray) else a for a in args]
    try:
        expected = run_numpy(fn, *np_args)
    except Exception as e:  # noqa: BLE001 - we mirror whatever NumPy raises
        sargs = shoal_args if shoal_args is not None else [
            to_shoal(a) if isinstance(a, numpy.ndarray) else a for a in args]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert_raises_like(e, lambda: fn(snp, *sargs))
        return None
    sargs = shoal_args if shoal_args is not None else [
        to_shoal(a) if isinstance(a, numpy.ndarray) else a for a in args]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = fn(snp, *sargs)
    if isinstance(expected, tuple):
        assert isinstance(result, tuple) and len(result) == len(expected)
        for r, x in zip(result, expected):
            assert_same(r, x, rtol=rtol, atol=atol, check_dtype=check_dtype)
    else:
        assert_same(result, expected, rtol=rtol, atol=atol, check_dtype=check_dtype)
    return expected


def assert_runtime_ok():
    """The runtime still answers correctly (after an error)."""
    x = snp.arange(40, dtype=snp.int64 if not AGAINST_NUMPY else numpy.int64)
    y = (x * 2 + 1).reshape(5, 8)
    got = numpy.asarray(y.sum(axis=1))
    numpy.testing.assert_array_equal(got, (numpy.arange(40) * 2 + 1).reshape(5, 8).sum(axis=1))
    assert int(numpy.asarray(x[-1])) == 39

