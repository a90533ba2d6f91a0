"""pytest configuration: every test runs with 1 and with 4 CPU actors and tiny tiles, and,
where a GPU is visible, on one GPU actor ("gpu1": gpus=1, cpus=1, shards on the GPU) and on
a mixed cluster ("mixed": gpus=1, cpus=2, shards over every actor). The GPU sessions carry
the ``gpu`` marker (``make test`` deselects them with -m "not gpu"; ``make gpu-test`` or a
plain pytest run on a GPU machine includes them).

A "cluster3" session runs a slice of the suite (CLUSTER_SLICE) as the driver of a head and
2 worker nodes, each a process on 127.0.0.1 (marker ``cluster``; tests/python/_cluster.py
starts them and kills them at the end whatever happened).

The session-scoped, parametrized, autouse ``runtime`` fixture re-initialises shoal
with ``cpus=N, min_tile_elems=16`` so that even small arrays are split into many
shards.  pytest groups the tests by this parameter, so the runtime is started twice
per run.  ``SHOAL_TEST_AGAINST_NUMPY=1`` runs the whole suite against real NumPy
(see _shoaltest.py).
"""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from _shoaltest import AGAINST_NUMPY, configure, session_config, shoal  # noqa: E402

CPU_COUNTS = [1, 4]


def _gpu_count():
    if AGAINST_NUMPY:
        return 0
    try:
        from shoal import _shoal
        return _shoal.gpu_count()
    except (ImportError, AttributeError):
        return 0


GPUS = _gpu_count()

CONFIGS = [pytest.param(session_config(n), id=f"cpus{n}") for n in CPU_COUNTS]
_NO_GPU = pytest.mark.skipif(GPUS < 1, reason="no CUDA GPU visible (or a CPU build of shoal)")
CONFIGS += [
    pytest.param(session_config(1, gpus=1, name="gpu1"), id="gpu1",
                 marks=[pytest.mark.gpu, _NO_GPU]),
    pytest.param(session_config(2, gpus=1, placement="all", name="mixed"), id="mixed",
                 marks=[pytest.mark.gpu, _NO_GPU]),
]


# The modules the cluster3 session runs (the rest exercise one process's own runtime).
CLUSTER_SLICE = {"test_elementwise.py", "test_reductions.py", "test_linalg_shape.py"}
if not AGAINST_NUMPY:
    CONFIGS.append(pytest.param(session_config(3, name="cluster3"), id="cluster3",
                                marks=[pytest.mark.cluster]))


# Modules whose tests start their own processes: run once (in the cpus1 session), not per session.
ONE_SESSION = {"test_cluster.py", "test_cluster_drivers.py", "test_cluster_elastic.py", "test_gpu_join.py",
               "test_multi_gpu.py"}


def pytest_collection_modifyitems(config, items):
    keep, drop = [], []
    for item in items:
        cs = getattr(item, "callspec", None)
        ids = cs.id.split("-") if cs is not None else []
        out = ("cluster3" in ids and item.path.name not in CLUSTER_SLICE) or \
              (item.path.name in ONE_SESSION and "cpus1" not in ids)
        (drop if out else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session", params=CONFIGS, autouse=True)
def runtime(request):
    """The session's runtime configuration (an int: the number of CPU actors; see
    _shoaltest.session_config)."""
    if request.param.name == "cluster3":
        from _cluster import local_cluster
        with local_cluster(3, cpus=1) as c:
            os.environ["SHOAL_TOKEN"] = c["token"]
            request.param.address = c["address"]
            try:
                configure(request.param)
                yield request.param
                shoal.shutdown()
            finally:
                os.environ.pop("SHOAL_TOKEN", None)
        return
    configure(request.param)
    yield request.param
    shoal.shutdown()


def pytest_report_header(config):
    return "shoal tests against: " + ("REAL NUMPY (SHOAL_TEST_AGAINST_NUMPY=1)" if AGAINST_NUMPY
                                      else "shoal.numpy")
