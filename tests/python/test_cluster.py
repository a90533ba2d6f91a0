"""The cluster as processes: `shoal start/status/stop`, `shoal run -n 3`, a driver that
loses a node (heartbeats turn the wait into an error), and a driver that cannot reach the
head. Every driver runs in a subprocess (one runtime per process) and every node is killed at
teardown (tests/python/_cluster.py)."""
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from _cluster import local_cluster

pytestmark = [pytest.mark.cluster, pytest.mark.timeout(180)]

SHOAL = [sys.executable, "-m", "shoal"]


def _driver(code, env, timeout=120):
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=timeout, env=env)


def _init_error(env):
    """A driver that only connects; prints the RuntimeError it gets."""
    return _driver("""
        import shoal
        try:
            shoal.init()
        except RuntimeError as e:
            print("RuntimeError", e)
    """, env, timeout=60)


def test_start_status_stop(tmp_path):
    env = dict(os.environ, SHOAL_HOME=str(tmp_path), SHOAL_HEARTBEAT_MS="200", SHOAL_HEARTBEAT_TIMEOUT_MS="2500")
    env.pop("SHOAL_ADDRESS", None)
    env.pop("SHOAL_TOKEN", None)
    try:
        r = subprocess.run(SHOAL + ["start", "--head", "--port", "0"], env=env, capture_output=True,
                           text=True, timeout=90)
        assert r.returncode == 0, r.stdout + r.stderr
        address = (tmp_path / "address").read_text().strip()
        token = tmp_path / address.replace(":", "_") / "token"
        assert token.exists() and (token.stat().st_mode & 0o777) == 0o600
        r = subprocess.run(SHOAL + ["start", "--address", address, "--cpus", "2"], env=env,
                           capture_output=True, text=True, timeout=90)
        assert r.returncode == 0, r.stdout + r.stderr
        r = subprocess.run(SHOAL + ["status"], env=env, capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stdout + r.stderr
        assert "2 node(s), 3 actor(s)" in r.stdout, r.stdout
        assert "SHARDS" in r.stdout and "BYTES" in r.stdout
        # A driver's shards live on the nodes while it runs and are dropped when it leaves.
        drv = _driver("""
            import shoal, shoal.numpy as np
            a = np.arange(100000.0)
            print(float(a.sum()), sum(x["bytes"] for x in shoal.runtime_info()["actors"]))
        """, dict(env, SHOAL_ADDRESS=address, SHOAL_TOKEN=token.read_text().strip()))
        total, held = drv.stdout.split()
        assert float(total) == 4999950000.0 and int(held) >= 800000, drv.stdout + drv.stderr
        r = subprocess.run(SHOAL + ["status"], env=env, capture_output=True, text=True, timeout=60)
        assert "2 node(s), 3 actor(s), 0 bytes" in r.stdout, r.stdout
        # A node that dies leaves the head's member list (heartbeats).
        node = [json.loads(p.read_text()) for p in (tmp_path / "nodes").glob("*.json")]
        os.kill([n for n in node if n["head"]][0]["pid"], signal.SIGKILL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            r = subprocess.run(SHOAL + ["status"], env=env, capture_output=True, text=True, timeout=60)
            if "1 node(s), 1 actor(s)" in r.stdout:
                break
            time.sleep(0.5)
        assert "1 node(s), 1 actor(s)" in r.stdout, r.stdout
    finally:
        r = subprocess.run(SHOAL + ["stop"], env=env, capture_output=True, text=True, timeout=60)
    assert "stopped 1 node(s)" in r.stdout, r.stdout + r.stderr  # the other was killed
    assert not list((tmp_path / "nodes").glob("*.json"))


RUN_SCRIPT = """
import os, sys, numpy, shoal, shoal.numpy as np
shoal.init(min_tile_elems=16)
info = shoal.runtime_info()
assert len({a["node"] for a in info["actors"]}) == 3, info
# A driver's GPUs are the cluster's GPU actors, not the ones its own machine sees.
assert shoal._shoal.options()["gpus"] == sum(a["kind"] == "gpu" for a in info["actors"]), shoal._shoal.options()
x = numpy.arange(3000, dtype=numpy.float64).reshape(60, 50)
a = np.asarray(x)
assert float(((a + 1) * 2).sum()) == float(((x + 1) * 2).sum())
assert numpy.allclose(np.asarray(a @ a.T), x @ x.T)
assert int(np.argmax(a[:, 7])) == 59
print("address", os.environ["SHOAL_ADDRESS"])
sys.exit(int(sys.argv[1]))
"""


@pytest.mark.parametrize("code", [0, 3])
def test_shoal_run_three_nodes(tmp_path, code):
    script = tmp_path / "job.py"
    script.write_text(RUN_SCRIPT)
    env = dict(os.environ, SHOAL_HOME=str(tmp_path))
    env.pop("SHOAL_ADDRESS", None)
    r = subprocess.run(SHOAL + ["run", "-n", "3", "--timeout", "100", str(script), str(code)], env=env,
                       capture_output=True, text=True, timeout=150)
    assert r.returncode == code, r.stdout + r.stderr
    address = [l.split()[1] for l in r.stdout.splitlines() if l.startswith("address ")][0]
    # The nodes are gone afterwards, whatever the script's exit code.
    from shoal import _shoal
    os.environ["SHOAL_TOKEN"] = "0" * 64
    try:
        with pytest.raises(RuntimeError, match="no answer"):
            _shoal.cluster_status(address, 1000)
    finally:
        os.environ.pop("SHOAL_TOKEN", None)


def test_dead_node_is_recovered_under_a_waiting_read():
    """A worker node killed with kill -9: heartbeats declare it dead, the scheduler rebuilds
    its shards from lineage (actor_lost) and the waiting read gets the right value."""
    with local_cluster(3) as c:
        env = dict(os.environ, SHOAL_ADDRESS=c["address"], SHOAL_TOKEN=c["token"], SHOAL_HEARTBEAT_MS="200",
                   SHOAL_HEARTBEAT_TIMEOUT_MS="2500", SHOAL_TIMEOUT_MS="60000")
        victim = c["nodes"][2]["pid"]
        r = _driver(f"""
            import os, signal, shoal, shoal.numpy as np
            shoal.init(min_tile_elems=16)
            a = np.arange(3000.0)
            print(float(a.sum()), flush=True)
            os.kill({victim}, signal.SIGKILL)
            print("after", float((a * 2).sum()), shoal.runtime_info()["recovery"]["recoveries"])
        """, env, timeout=60)
        assert r.returncode == 0, r.stdout + r.stderr
        assert "after 8997000.0 1" in r.stdout, r.stdout + r.stderr
        assert "stopped answering" in r.stderr and "recovered" in r.stderr, r.stderr


def test_dead_head_fails_a_waiting_read():
    with local_cluster(3) as c:
        env = dict(os.environ, SHOAL_ADDRESS=c["address"], SHOAL_TOKEN=c["token"], SHOAL_HEARTBEAT_MS="200",
                   SHOAL_HEARTBEAT_TIMEOUT_MS="2500", SHOAL_TIMEOUT_MS="60000")
        victim = c["nodes"][0]["pid"]  # the head: its death ends the job (it keeps the member list)
        code = f"""
            import os, signal, time, shoal, shoal.numpy as np
            shoal.init(min_tile_elems=16)
            a = np.arange(3000.0)
            print(float(a.sum()), flush=True)
            os.kill({victim}, signal.SIGKILL)
            t0 = time.monotonic()
            try:
                float((a * 2).sum())
            except RuntimeError as e:
                print("RuntimeError after", round(time.monotonic() - t0, 2), e)
            else:
                print("no error")
        """
        t0 = time.monotonic()
        r = _driver(code, env, timeout=60)
        assert r.returncode == 0, r.stdout + r.stderr
        assert "RuntimeError after" in r.stdout, r.stdout + r.stderr
        assert "stopped answering" in r.stdout, r.stdout
        assert time.monotonic() - t0 < 30
        waited = float(r.stdout.split("RuntimeError after")[1].split()[0])
        assert waited < 10, r.stdout


def test_no_head_is_a_clear_error():
    env = dict(os.environ, SHOAL_ADDRESS="127.0.0.1:9", SHOAL_TOKEN="0123456789abcdef0123456789abcdef")
    r = _init_error(env)
    assert "RuntimeError" in r.stdout and "no answer from tcp://127.0.0.1:9" in r.stdout, r.stdout + r.stderr


def test_wrong_secret_is_refused():
    with local_cluster(2) as c:
        env = dict(os.environ, SHOAL_ADDRESS=c["address"], SHOAL_TOKEN="f" * 64)
        t0 = time.monotonic()
        r = _init_error(env)
        assert "RuntimeError" in r.stdout and "wrong cluster secret" in r.stdout, r.stdout + r.stderr
        assert time.monotonic() - t0 < 20
        # The node is still serving its own cluster.
        from shoal import _shoal
        os.environ["SHOAL_TOKEN"] = c["token"]
        try:
            assert len(_shoal.cluster_status(c["address"], 5000)) == 2
        finally:
            os.environ.pop("SHOAL_TOKEN", None)


def test_no_secret_is_a_clear_error(tmp_path):
    env = dict(os.environ, SHOAL_ADDRESS="127.0.0.1:9", SHOAL_HOME=str(tmp_path))
    env.pop("SHOAL_TOKEN", None)
    r = _init_error(env)
    assert "RuntimeError" in r.stdout and "cluster secret" in r.stdout, r.stdout + r.stderr


def _free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_launcher_ranks_form_a_cluster(tmp_path):
    """What mpirun / srun start: the same command on every rank; rank 0 is the head."""
    from shoal import cli, _shoal
    address = f"127.0.0.1:{_free_port()}"
    token = "a" * 64
    procs = []
    try:
        for rank, var in ((0, "OMPI_COMM_WORLD"), (1, "PMI"), (2, "SLURM")):
            env = dict(os.environ, SHOAL_TOKEN=token, SHOAL_HOME=str(tmp_path))
            if var == "SLURM":
                env.update(SLURM_PROCID=str(rank), SLURM_NTASKS="3")
            else:
                env.update({f"{var}_RANK": str(rank), f"{var}_SIZE": "3"})
            procs.append(subprocess.Popen(SHOAL + ["node", "--launcher", "--address", address,
                                                   "--exit-with", str(os.getpid())],
                                          env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                          text=True, start_new_session=True))
            assert procs[-1].stdout.readline().startswith("shoal-node ready"), "rank did not start"
            if rank == 0:
                assert procs[0].poll() is None
        os.environ["SHOAL_TOKEN"] = token
        try:
            nodes = _shoal.cluster_status(address, 5000)
        finally:
            os.environ.pop("SHOAL_TOKEN", None)
        assert len(nodes) == 3 and nodes[0]["endpoint"] == "tcp://" + address
    finally:
        for p in procs:
            cli._kill(p.pid)


def test_garbage_on_the_port_leaves_the_node_serving():
    import socket
    from shoal import _shoal
    with local_cluster(1) as c:
        host, port = c["address"].split(":")
        for payload in (b"\x00" * 64, b"GET / HTTP/1.0\r\n\r\n", os.urandom(4096)):
            with socket.create_connection((host, int(port)), timeout=5) as s:
                s.sendall(payload)
                time.sleep(0.1)
        os.environ["SHOAL_TOKEN"] = c["token"]
        try:
            assert len(_shoal.cluster_status(c["address"], 5000)) == 1
        finally:
            os.environ.pop("SHOAL_TOKEN", None)
        with open(c["nodes"][0]["log"]) as f:
            assert "shoal-node ready" in f.read()


def _gpus_visible():
    from shoal import _shoal
    return _shoal.gpu_count()


@pytest.mark.gpu
@pytest.mark.skipif(_gpus_visible() < 1, reason="no CUDA GPU visible (or a CPU build of shoal)")
def test_nccl_bootstrap_across_processes():
    """The driver makes the NCCL unique id and the node's GPU actor joins through the wire
    (actors/nccl_bootstrap.hpp): with SHOAL_COLLECTIVE_MIN=1 one rank suffices, so full
    reductions on the node's GPU go through the bootstrapped communicator and match NumPy."""
    with local_cluster(1, cpus=1, gpus=1) as c:
        env = dict(os.environ, SHOAL_ADDRESS=c["address"], SHOAL_TOKEN=c["token"], SHOAL_COLLECTIVE_MIN="1")
        r = _driver("""
            import numpy, shoal, shoal.numpy as np
            shoal.init(min_tile_elems=16)
            info = shoal.runtime_info()
            print("collectives", info["collectives"])
            print("kinds", sorted(a["kind"] for a in info["actors"]))
            x = numpy.arange(1, 5001, dtype=numpy.int64) * 3 - 7000
            a = np.asarray(x)
            print("int64", int(a.sum()) == int(x.sum()), int(a.max()) == int(x.max()), int(a.min()) == int(x.min()))
            f = (numpy.arange(4096, dtype=numpy.float32) % 97) / 8
            b = np.asarray(f)
            print("float32", float(b.sum()) == float(f.sum(dtype=numpy.float64)))
            print("int32", int(np.asarray(x.astype(numpy.int32)).sum()) == int(x.astype(numpy.int32).sum()))
        """, env, timeout=180)
        assert r.returncode == 0, r.stdout + r.stderr
        assert "collectives True" in r.stdout, r.stdout + r.stderr
        assert "kinds ['cpu', 'gpu']" in r.stdout, r.stdout
        assert "int64 True True True" in r.stdout, r.stdout
        assert "float32 True" in r.stdout and "int32 True" in r.stdout, r.stdout
