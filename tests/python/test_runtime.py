"""shoal.init / shutdown / runtime_info, shards spread over actors, non-blocking ops."""

import numpy
import pytest

from _shoaltest import AGAINST_NUMPY, assert_runtime_ok, assert_same, shoal, snp

pytestmark = pytest.mark.skipif(AGAINST_NUMPY, reason="runtime API is shoal-only")

KEYS = {"name", "kind", "node", "shards", "bytes"}


def _actors():
    info = shoal.runtime_info()
    assert isinstance(info, dict)
    assert "actors" in info
    actors = info["actors"]
    assert isinstance(actors, list)
    return actors


def _holders(actors, runtime):
    """The actors new shards go to in this session: the GPU actors on a GPU session, every
    actor on a mixed one (placement "all"), else the CPU actors."""
    if getattr(runtime, "placement", None) == "all":
        return list(actors)
    kind = "gpu" if getattr(runtime, "gpus", 0) else "cpu"
    return [a for a in actors if a["kind"] == kind]


def test_runtime_info_keys(runtime):
    actors = _actors()
    assert actors, "no actors"
    for a in actors:
        assert KEYS <= set(a), f"missing keys {KEYS - set(a)} in {a}"
        assert a["kind"] in ("cpu", "gpu")
        assert isinstance(a["name"], str)
        assert isinstance(a["shards"], int) and a["shards"] >= 0
        assert isinstance(a["bytes"], int) and a["bytes"] >= 0


def test_cpu_actor_count(runtime):
    cpus = [a for a in _actors() if a["kind"] == "cpu"]
    assert len(cpus) == runtime
    assert len({a["name"] for a in cpus}) == runtime


def test_shards_while_arrays_alive(runtime):
    a = snp.ones(100_000, dtype="float64")
    b = snp.arange(37 * 101).reshape(37, 101)
    numpy.asarray(a), numpy.asarray(b)   # materialise every shard
    actors = _actors()
    cpus = [x for x in actors if x["kind"] == "cpu"]
    assert len(cpus) == runtime
    holders = _holders(actors, runtime)
    assert sum(x["shards"] for x in holders) > 0
    assert sum(x["bytes"] for x in holders) >= 100_000 * 8
    assert float(a.sum()) == 100_000.0
    del a, b


def test_shards_spread_over_actors(runtime):
    """With 16-element tiles, a 100k-element array has many shards; with 4 actors
    more than one actor should own some."""
    a = snp.ones(100_000, dtype="float32")
    numpy.asarray(a)
    cpus = _holders(_actors(), runtime)
    owners = [x for x in cpus if x["shards"] > 0]
    if len(cpus) == 1:
        assert len(owners) == 1
    else:
        assert len(owners) > 1, f"all shards on one actor: {cpus}"
    del a


def test_init_with_same_settings_is_noop(runtime):
    a = snp.arange(10)
    shoal.init(cpus=runtime, min_tile_elems=16)
    assert_same(a + 1, numpy.arange(10) + 1)


def test_ops_do_not_block_and_results_come_back():
    a = snp.ones((300, 300))
    r = a
    for _ in range(50):
        r = r * 1.0 + 0.0
    assert_same(r.sum(axis=0), numpy.full(300, 300.0))


def test_many_small_ops():
    a = snp.arange(1000, dtype="int64")
    acc = snp.zeros(1000, dtype="int64")
    for i in range(200):
        acc += a
    assert_same(acc, numpy.arange(1000) * 200)


def test_big_array_round_trip():
    x = numpy.random.default_rng(0).standard_normal((1000, 777))
    a = snp.asarray(x)
    assert_same(a, x)
    assert_same(a[::7, ::-3] * 2, x[::7, ::-3] * 2)
    numpy.testing.assert_allclose(float(a.sum()), x.sum(), rtol=1e-10)
    assert_runtime_ok()
