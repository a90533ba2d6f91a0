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


def test_dropped_pieces_are_resent_and_change_nothing():
    """$SHOAL_FAULT drop:piece: a lost piece is resent after the timeout (acks), never hangs."""
    quiet = _run(["_elastic_chaos.py", "6", "10"]).stdout.split("digest=")[1].strip()
    env = dict(os.environ, SHOAL_FAULT="drop:piece:0.3", SHOAL_FAULT_SEED="3", SHOAL_PIECE_TIMEOUT_MS="20")
    lossy = _run(["_elastic_chaos.py", "6", "10"], env=env).stdout.split("digest=")[1].strip()
    assert lossy == quiet


def test_killed_actor_is_rebuilt_from_lineage_and_reported_dead():
    code = """
        import numpy, shoal, shoal.numpy as np
        shoal.init(cpus=3, gpus=0, min_tile_elems=64)  # actor indices below assume no GPU actor
        h = numpy.random.default_rng(1).random(3000)
        b = np.asarray(h)                         # host data: rebuilt from the driver's bytes
        a = np.arange(5000, dtype=np.float64) * 2
        c = np.random.default_rng(4).random(4000)  # counter-based: recomputed bit for bit
        s = c * 3 + 1
        cref, sref = numpy.asarray(c), numpy.asarray(s)
        del c
        shoal._shoal._kill_actor("cpu1")
        assert (numpy.asarray(a) == numpy.arange(5000.0) * 2).all()
        assert (numpy.asarray(b) == h).all()
        assert numpy.asarray(s).tobytes() == sref.tobytes()
        info = shoal.runtime_info()
        states = {x["name"]: x["state"] for x in info["actors"]}
        assert states == {"cpu0": "active", "cpu1": "dead", "cpu2": "active"}, states
        rec = info["recovery"]
        assert rec["recoveries"] == 1 and rec["shards_rebuilt"] > 0 and rec["arrays_failed"] == 0, rec
        # the job goes on on the survivors, and a joining actor takes the dead one's place
        assert numpy.isclose(float((a[:3000] + b).sum()), (numpy.arange(3000.0) * 2 + h).sum())
        assert shoal.add_actor() == "cpu3"
        shoal.settle()
        assert float(a.sum()) == 4999.0 * 5000.0
        try:
            shoal._shoal._kill_actor("cpu9")
        except ValueError:
            pass
        else:
            raise SystemExit("no ValueError for an unknown actor")
        print("OK")
    """
    r = _run(["-c", textwrap.dedent(code)])
    assert "OK" in r.stdout
    assert "shoal: recovered" in r.stderr  # the log line
    assert "of actor cpu1" in r.stderr


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_chaos_kill_join_drain_and_lossy_messages_bit_identical(seed):
    """50 stencil+sum iterations; a random actor killed after a random number of tasks, one
    joins, one drains, pieces duplicated, delayed and dropped: same bits as undisturbed."""
    r = _run(["_recovery_chaos.py", str(seed)], timeout=600)
    assert r.stdout.startswith("OK"), r.stdout
