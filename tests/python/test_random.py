"""np.random.default_rng(seed): .random .standard_normal .integers .uniform.

shoal's stream is not NumPy's: we test shapes, dtypes, bounds, rough statistics,
determinism, and that values do not depend on the tiling or the number of actors."""

import numpy
import pytest

from _shoaltest import AGAINST_NUMPY, configure, is_shoal, snp

SHAPES = [(0,), (1,), (37,), (5, 0), (17, 13), (2, 9, 11), 7, ()]
SHAPE_IDS = [repr(s) for s in SHAPES]


def _shape(size):
    return (size,) if isinstance(size, int) else tuple(size)


def _read(x):
    assert is_shoal(x), f"expected a shoal ndarray, got {type(x)!r}"
    return numpy.asarray(x)


@pytest.mark.parametrize("size", SHAPES, ids=SHAPE_IDS)
def test_random_shape_dtype_range(size):
    g = snp.random.default_rng(1)
    x = _read(g.random(size))
    assert x.shape == _shape(size) and x.dtype == numpy.float64
    assert numpy.all((x >= 0.0) & (x < 1.0))
    x = _read(g.random(size=size, dtype=numpy.float32))
    assert x.shape == _shape(size) and x.dtype == numpy.float32
    assert numpy.all((x >= 0.0) & (x < 1.0))


@pytest.mark.parametrize("size", SHAPES, ids=SHAPE_IDS)
def test_standard_normal_shape_dtype(size):
    g = snp.random.default_rng(2)
    x = _read(g.standard_normal(size))
    assert x.shape == _shape(size) and x.dtype == numpy.float64
    assert numpy.all(numpy.isfinite(x))
    x = _read(g.standard_normal(size=size, dtype="float32"))
    assert x.shape == _shape(size) and x.dtype == numpy.float32


@pytest.mark.parametrize("args,kwargs,low,high,dtype", [
    ((10,), {}, 0, 9, "int64"),
    ((0, 10), {}, 0, 9, "int64"),
    ((-5, 5), {}, -5, 4, "int64"),
    ((-5, 5), {"endpoint": True}, -5, 5, "int64"),
    ((3, 4), {}, 3, 3, "int64"),
    ((0, 100), {"dtype": numpy.int32}, 0, 99, "int32"),
    ((0, 100), {"dtype": "int32"}, 0, 99, "int32"),
    ((-2**40, 2**40), {}, -2**40, 2**40 - 1, "int64"),
    ((2**31 - 5, 2**31 - 1), {"dtype": "int32"}, 2**31 - 5, 2**31 - 2, "int32"),
], ids=lambda v: repr(v))
@pytest.mark.parametrize("size", [(0,), (37,), (17, 13), (2, 9, 11)], ids=repr)
def test_integers_shape_dtype_range(size, args, kwargs, low, high, dtype):
    g = snp.random.default_rng(3)
    x = _read(g.integers(*args, size=size, **kwargs))
    assert x.shape == _shape(size) and x.dtype == numpy.dtype(dtype)
    if x.size:
        assert x.min() >= low and x.max() <= high


@pytest.mark.parametrize("low,high", [(0.0, 1.0), (-2.0, 3.0), (5, 6), (-1e-3, 1e-3)])
@pytest.mark.parametrize("size", [(0,), (37,), (17, 13), (2, 9, 11)], ids=repr)
def test_uniform_shape_dtype_range(size, low, high):
    g = snp.random.default_rng(4)
    x = _read(g.uniform(low, high, size))
    assert x.shape == _shape(size) and x.dtype == numpy.float64
    assert numpy.all((x >= low) & (x < high))
    x = _read(g.uniform(low=low, high=high, size=size))
    assert numpy.all((x >= low) & (x < high))


def test_uniform_default_range():
    x = _read(snp.random.default_rng(4).uniform(size=1000))
    assert numpy.all((x >= 0.0) & (x < 1.0))


N = 100_000


def test_random_statistics():
    x = _read(snp.random.default_rng(5).random(N))
    assert abs(x.mean() - 0.5) < 0.01
    assert abs(x.std() - (1 / 12) ** 0.5) < 0.01
    hist, _ = numpy.histogram(x, bins=10, range=(0, 1))
    assert numpy.all(numpy.abs(hist - N / 10) < N / 10 * 0.1)
    x32 = _read(snp.random.default_rng(5).random(N, dtype="float32"))
    assert abs(x32.mean() - 0.5) < 0.01


def test_standard_normal_statistics():
    x = _read(snp.random.default_rng(6).standard_normal(N))
    assert abs(x.mean()) < 0.02
    assert abs(x.std() - 1.0) < 0.02
    assert 0.66 < numpy.mean(numpy.abs(x) < 1.0) < 0.70   # 68.3 %
    assert 0.94 < numpy.mean(numpy.abs(x) < 2.0) < 0.96   # 95.4 %
    x = _read(snp.random.default_rng(6).standard_normal((300, 333), dtype="float32"))
    assert abs(float(x.mean())) < 0.02 and abs(float(x.std()) - 1.0) < 0.02


def test_integers_statistics():
    x = _read(snp.random.default_rng(7).integers(0, 10, N))
    assert abs(x.mean() - 4.5) < 0.1
    counts = numpy.bincount(x, minlength=10)
    assert len(counts) == 10 and numpy.all(numpy.abs(counts - N / 10) < N / 10 * 0.1)
    y = _read(snp.random.default_rng(7).integers(-3, 3, N, endpoint=True, dtype="int32"))
    assert set(numpy.unique(y).tolist()) == set(range(-3, 4))


def test_uniform_statistics():
    x = _read(snp.random.default_rng(8).uniform(-2.0, 3.0, N))
    assert abs(x.mean() - 0.5) < 0.05
    assert abs(x.std() - 5 / 12 ** 0.5) < 0.05


def _draws(seed):
    g = snp.random.default_rng(seed)
    return [
        _read(g.random(1000)),
        _read(g.standard_normal((37, 13))),
        _read(g.integers(0, 1000, (501,))),
        _read(g.uniform(-5.0, 5.0, (2, 9, 11))),
        _read(g.random((17, 13), dtype="float32")),
        _read(g.integers(-50, 50, 77, dtype="int32")),
    ]


def test_same_seed_is_deterministic():
    a, b = _draws(11), _draws(11)
    for x, y in zip(a, b):
        numpy.testing.assert_array_equal(x, y)


def test_different_seeds_differ():
    a, b = _draws(11), _draws(12)
    for x, y in zip(a, b):
        assert not numpy.array_equal(x, y)


def test_successive_draws_differ():
    g = snp.random.default_rng(13)
    x, y = _read(g.random(1000)), _read(g.random(1000))
    assert not numpy.array_equal(x, y)
    u, v = _read(g.standard_normal(500)), _read(g.standard_normal(500))
    assert not numpy.array_equal(u, v)
    assert len(numpy.unique(x)) == 1000


def test_random_arrays_compute_like_numpy():
    g = snp.random.default_rng(14)
    a = g.random((17, 13))
    b = g.standard_normal((13,))
    na, nb = numpy.asarray(a), numpy.asarray(b)
    numpy.testing.assert_allclose(numpy.asarray(a * b + 1), na * nb + 1, rtol=1e-12)
    numpy.testing.assert_allclose(numpy.asarray((a @ b).sum()), (na @ nb).sum(), rtol=1e-12)


@pytest.mark.timeout(120)
def test_values_independent_of_tiling_and_actor_count(runtime):
    """Same seed under cpus=1 with one big tile and cpus=4 with 16-element tiles
    gives identical arrays (counter-based generator keyed by seed and element index)."""
    try:
        configure(1, min_tile_elems=10**9)
        one = _draws(21)
        configure(4, min_tile_elems=16)
        four = _draws(21)
        configure(4, min_tile_elems=1000)
        four_big = _draws(21)
    finally:
        configure(runtime)   # restore the session's configuration
    for x, y, z in zip(one, four, four_big):
        numpy.testing.assert_array_equal(x, y)
        numpy.testing.assert_array_equal(x, z)
    # the session runtime works again
    numpy.testing.assert_array_equal(_draws(21)[0], one[0])
