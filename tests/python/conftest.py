"""pytest configuration: every test runs with 1 and with 4 CPU actors and tiny tiles.

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

from _shoaltest import AGAINST_NUMPY, configure, shoal  # noqa: E402

CPU_COUNTS = [1, 4]


@pytest.fixture(scope="session", params=CPU_COUNTS, ids=[f"cpus{n}" for n in CPU_COUNTS],
                autouse=True)
def runtime(request):
    """The session's runtime configuration: the number of CPU actors."""
    configure(request.param)
    yield request.param
    shoal.shutdown()


def pytest_report_header(config):
    return "shoal tests against: " + ("REAL NUMPY (SHOAL_TEST_AGAINST_NUMPY=1)" if AGAINST_NUMPY
                                      else "shoal.numpy")
