"""pytest configuration: every test runs with 1 and with 4 CPU actors and tiny tiles, and,
where a GPU is visible, on one GPU actor ("gpu1": gpus=1, cpus=1, shards on the GPU) and on
a mixed cluster ("mixed": gpus=1, cpus=2, shards over every actor). The GPU sessions carry
the ``gpu`` marker (``make test`` deselects them with -m "not gpu"; ``make gpu-test`` or a
plain pytest run on a GPU machine includes them).

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


@pytest.fixture(scope="session", params=CONFIGS, autouse=True)
def runtime(request):
    """The session's runtime configuration (an int: the number of CPU actors; see
    _shoaltest.session_config)."""
    configure(request.param)
    yield request.param
    shoal.shutdown()


def pytest_report_header(config):
    return "shoal tests against: " + ("REAL NUMPY (SHOAL_TEST_AGAINST_NUMPY=1)" if AGAINST_NUMPY
                                      else "shoal.numpy")
