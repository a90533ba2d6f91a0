"""Elasticity of the embedded cluster: actors join (shoal.add_actor) and drain (shoal.drain)
under a running job; results stay bit-identical and no array is lost. Each case runs in a
fresh interpreter, since it changes the runtime's actor set."""
import os
import subprocess
import sys
import textwrap

import pytest

from _shoaltest import AGAINST_NUMPY

pytestmark = pytest.mark.skipif(AGAINST_NUMPY, reason="elasticity is shoal-only")

HERE = os.path.dirname(os.path.abspath(__file__))


def _run(args, timeout=240, env=None):
    r = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=timeout,
                       cwd=HERE, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    return r


def test_join_then_drain_keeps_every_array():
    code = """
        import numpy, shoal, shoal.numpy as np
        shoal.init(cpus=2, min_tile_elems=64)
        a = np.arange(5000, dtype=np.float64)
        h = numpy.random.default_rng(1).random(3000)
        b = np.asarray(h)              # data from the host
        name = shoal.add_actor()
        assert name == "cpu2", name
        shoal.settle()
        info = shoal.runtime_info()
        new = [x for x in info["actors"] if x["name"] == "cpu2"][0]
        assert new["shards"] > 0, info
        assert info["migration"]["moves_done"] == info["migration"]["moves_total"] > 0, info
        shoal.drain("cpu0")
        info = shoal.runtime_info()
        old = [x for x in info["actors"] if x["name"] == "cpu0"][0]
        assert old["state"] == "left" and old["shards"] == 0, info
        assert (numpy.asarray(a) == numpy.arange(5000.0)).all()
        assert (numpy.asarray(b) == h).all()
        assert float((a * 2).sum()) == 2 * float(numpy.arange(5000.0).sum())
        try:
            shoal.drain("cpu7")
        except ValueError as e:
            print("ValueError", e)
        else:
            raise SystemExit("no ValueError for an unknown actor")
        print("OK")
    """
    r = _run(["-c", textwrap.dedent(code)])
    assert "OK" in r.stdout
    assert "rebalance done" in r.stderr  # the log line


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_chaos_join_and_drain_bit_identical(seed):
    r = _run(["_elastic_chaos.py", str(seed)])
    assert r.stdout.startswith("OK"), r.stdout


def test_duplicated_and_delayed_messages_change_nothing():
    """$SHOAL_FAULT: pieces sent twice or late, task batches late; the same bits come out."""
    quiet = _run(["_elastic_chaos.py", "5", "20"]).stdout.split("digest=")[1].strip()
    env = dict(os.environ, SHOAL_FAULT="dup:piece:0.3,delay:piece:2ms,delay:task:1ms",
               SHOAL_FAULT_SEED="11")
    noisy = _run(["_elastic_chaos.py", "5", "20"], env=env).stdout.split("digest=")[1].strip()
    assert noisy == quiet
