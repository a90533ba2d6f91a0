"""A GPU actor that joins a running job enters the GPU actors' NCCL communicator: the
scheduler rebuilds it (a new unique id, every rank joining behind the tasks sent before), and
with SHOAL_COLLECTIVE_MIN=1 a full sum then goes through the rebuilt 1-rank communicator
(docs/gpu.md, "Elasticity"). Two ways in: a node owning the GPU joins a driver that runs on a
CPU-only node, and shoal.add_actor("gpu") in an embedded runtime. A drained GPU actor leaves
the group the same way. Drivers run in
subprocesses (one runtime per process); nodes are killed at teardown (_cluster.py)."""
import os
import subprocess
import sys
import textwrap

import pytest

from _cluster import local_cluster
from _shoaltest import shoal
from shoal import cli

HERE = os.path.dirname(os.path.abspath(__file__))
FAST = {"SHOAL_HEARTBEAT_MS": "200", "SHOAL_HEARTBEAT_TIMEOUT_MS": "2500", "SHOAL_TIMEOUT_MS": "120000",
        "SHOAL_COLLECTIVE_MIN": "1"}


def _gpus():
    try:
        from shoal import _shoal
        return _shoal.gpu_count()
    except (ImportError, AttributeError):
        return 0


GPUS = _gpus()
gpu_only = pytest.mark.skipif(GPUS < 1, reason="no CUDA GPU visible (or a CPU build of shoal)")

# The driver's job, before and after the GPU joined: the same sums, compared with NumPy.
# start() runs shoal.init first (an array made before it would start a default runtime).
JOB = """
import sys, time, numpy, shoal, shoal.numpy as np
def start(**settings):
    global h, a, b, i, want
    shoal.init(min_tile_elems=1024, **settings)
    h = numpy.random.default_rng(5).random(200000)
    a = np.arange(300000, dtype=np.float64)
    b = np.asarray(h)
    i = np.arange(300000, dtype=np.int64)
    want = float((numpy.arange(200000.0) * 2 + h).sum())
def sums(tag):
    s = float((a[:200000] * 2 + b).sum())
    print(tag, repr(s), repr(want), int(i.sum()), flush=True)
def joined(pick):  # waits (the job running) until an actor pick() accepts is there; prints it
    deadline = time.monotonic() + 120
    while not [x for x in shoal.runtime_info()["actors"] if pick(x)] and time.monotonic() < deadline:
        float(a[:10].sum())
        time.sleep(0.05)
    shoal.settle()
    info = shoal.runtime_info()
    new = [x for x in info["actors"] if pick(x)][0]
    print("JOINED", new["shards"], info["collectives"], flush=True)
"""


def _driver(code, env):
    return subprocess.run([sys.executable, "-c", textwrap.dedent(JOB) + textwrap.dedent(code)],
                          capture_output=True, text=True, env=env, cwd=HERE, timeout=240)


def _sums_ok(out, err, rc):
    """The driver's lines by tag, once it ended well and its sums matched NumPy's."""
    assert rc == 0, out + err
    lines = {ln.split()[0]: ln.split()[1:] for ln in out.splitlines() if ln.strip()}
    for tag in ("BEFORE", "AFTER"):
        got, want, isum = lines[tag]
        assert float(got) == pytest.approx(float(want), rel=1e-12), (tag, out)
        assert int(isum) == 299999 * 300000 // 2, (tag, out)
    return lines


def _check(out, err, rc):
    lines = _sums_ok(out, err, rc)
    collectives_before, = lines["READY"]
    shards, collectives_after = lines["JOINED"]
    assert collectives_before == "False", out  # no GPU actor: no communicator
    assert int(shards) > 0, out                 # shards rebalanced onto the GPU
    assert collectives_after == "True", out + err  # the rebuilt 1-rank communicator
    assert "NCCL group grows to 1 GPU actors" in err, err
    return lines


@pytest.mark.gpu
@pytest.mark.cluster
@pytest.mark.timeout(300)
@gpu_only
def test_node_with_a_gpu_joins_and_the_nccl_group_is_rebuilt():
    with local_cluster(1, cpus=1, gpus=0, env=FAST) as c:  # the head: one CPU actor
        env = dict(os.environ, SHOAL_ADDRESS=c["address"], SHOAL_TOKEN=c["token"], **FAST)
        proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(JOB) + textwrap.dedent("""
            start()
            sums("BEFORE")
            print("READY", shoal.runtime_info()["collectives"], flush=True)
            joined(lambda x: x["kind"] == "gpu")  # the node owning the GPU comes meanwhile
            sums("AFTER")
        """)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=HERE)
        try:
            first = proc.stdout.readline()  # BEFORE: the driver runs; now the GPU node joins
            assert first.startswith("BEFORE"), first + proc.stderr.read()
            cli.spawn_node("127.0.0.1:0", c["address"], 0, 1, c["token"], 1, c["state"], os.getpid())
            out, err = proc.communicate(timeout=240)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate(timeout=30)
        _check(first + out, err, proc.returncode)
        assert "joined the running job" in err, err


@pytest.mark.gpu
@pytest.mark.timeout(300)
@gpu_only
def test_add_actor_gpu_in_process_rebuilds_the_nccl_group():
    env = dict(os.environ, **FAST)
    env.pop("SHOAL_ADDRESS", None)
    r = _driver("""
        start(gpus=0, cpus=2)
        sums("BEFORE")
        print("READY", shoal.runtime_info()["collectives"], flush=True)
        name = shoal.add_actor("gpu")
        joined(lambda x: x["name"] == name)
        sums("AFTER")
        try:
            shoal.add_actor("gpu")  # every visible GPU has an actor now
        except ValueError as e:
            print("FULL", "no-GPU-left" if "no GPU left" in str(e) else str(e).replace(" ", "_"), flush=True)
    """, env)
    lines = _check(r.stdout, r.stderr, r.returncode)
    if GPUS == 1:
        assert lines["FULL"] == ["no-GPU-left"], r.stdout


@pytest.mark.gpu
@pytest.mark.timeout(300)
@gpu_only
def test_drained_gpu_actor_leaves_the_nccl_group():
    # The GPU and two CPU actors hold shards; the GPU actor is drained: its shards move to the
    # CPU actors, it leaves the NCCL group (which shrinks to none: collectives off), results
    # stay right, and the process ends without waiting on the departed rank's communicator.
    env = dict(os.environ, **FAST, SHOAL_PLACEMENT="all")
    env.pop("SHOAL_ADDRESS", None)
    r = _driver("""
        start(gpus=1, cpus=2)
        print("READY", shoal.runtime_info()["collectives"], flush=True)
        sums("BEFORE")
        shoal.drain("gpu0")
        info = shoal.runtime_info()
        gpu = [x for x in info["actors"] if x["name"] == "gpu0"][0]
        print("DRAINED", gpu["state"], gpu["shards"], info["collectives"], flush=True)
        sums("AFTER")
    """, env)
    lines = _sums_ok(r.stdout, r.stderr, r.returncode)
    assert lines["READY"] == ["True"], r.stdout + r.stderr  # one rank: SHOAL_COLLECTIVE_MIN=1
    assert lines["DRAINED"] == ["left", "0", "False"], r.stdout
    assert "NCCL group shrinks to 0 GPU actors" in r.stderr, r.stderr


def test_add_actor_kind_errors():
    with pytest.raises(ValueError, match="kind must be 'cpu' or 'gpu'"):
        shoal.add_actor("tpu")
    if GPUS == 0:  # a CPU build or machine: no GPU to start an actor on
        with pytest.raises(ValueError, match="no GPU left"):
            shoal.add_actor("gpu")
