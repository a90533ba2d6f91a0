"""Several drivers on one cluster, a driver killed with kill -9, and mpirun/srun ranks that
start late. Every driver and node is a subprocess; every wait has a deadline, and every
process started here is killed at teardown whatever happened (tests/python/_cluster.py)."""
import contextlib
import os
import queue
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from _cluster import local_cluster

pytestmark = [pytest.mark.cluster, pytest.mark.timeout(240)]

SHOAL = [sys.executable, "-m", "shoal"]
HEARTBEAT = {"SHOAL_HEARTBEAT_MS": "200", "SHOAL_HEARTBEAT_TIMEOUT_MS": "2500"}


class Proc:
    """A subprocess whose output lines are read by a thread, so that waiting for a line has
    a deadline."""

    def __init__(self, cmd, env):
        self.p = subprocess.Popen(cmd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True, start_new_session=True)
        self.lines, self.seen = queue.Queue(), []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.p.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def expect(self, text, timeout=90):
        """The first line (from now on) containing text; fails with everything seen."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                break
            self.seen.append(line)
            if text in line:
                return line
        pytest.fail(f"no line with {text!r} within {timeout} s; output:\n" + "\n".join(self.seen))

    def say(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()

    def kill(self):
        from shoal import cli
        if self.p.poll() is None:
            cli._kill(self.p.pid, grace_s=2.0)
        with contextlib.suppress(Exception):
            self.p.wait(timeout=10)


@contextlib.contextmanager
def procs():
    started = []
    try:
        yield lambda cmd, env: started.append(Proc(cmd, env)) or started[-1]
    finally:
        for p in started:
            p.kill()


def status(c):
    from shoal import _shoal
    os.environ["SHOAL_TOKEN"] = c["token"]
    try:
        return _shoal.cluster_status(c["address"], 5000)
    finally:
        os.environ.pop("SHOAL_TOKEN", None)


def drivers(nodes):
    """{session: (driver, bytes over every node)} from cluster_status."""
    out = {}
    for n in nodes:
        for d in n["drivers"]:
            name, b = out.get(d["session"], (d["driver"], 0))
            out[d["session"]] = (name, b + d["bytes"])
    return out


def wait_for(pred, c, timeout):
    """Polls cluster_status until pred(nodes) holds; returns the last answer."""
    deadline = time.monotonic() + timeout
    while True:
        nodes = status(c)
        if pred(nodes) or time.monotonic() > deadline:
            return nodes
        time.sleep(0.3)


# A driver whose workload is compared with NumPy; the test steps it through stdin.
DRIVER = """
import sys, numpy, shoal, shoal.numpy as np
tag, seed = sys.argv[1], int(sys.argv[2])
shoal.init(min_tile_elems=16)
rng = numpy.random.default_rng(seed)
x, y = rng.standard_normal((40, 30)), rng.standard_normal((30, 20))
a, b = np.asarray(x), np.asarray(y)

def work(rounds):
    for i in range(rounds):
        assert numpy.allclose(np.asarray((a * i + 1) @ b), (x * i + 1) @ y), (tag, i)
        assert numpy.isclose(float(np.sum(a[:, ::2] ** 2)), float(numpy.sum(x[:, ::2] ** 2))), (tag, i)
        assert int(np.argmax(a[i % 40])) == int(numpy.argmax(x[i % 40])), (tag, i)
        c = np.concatenate([a, a * 2], axis=0)
        assert numpy.array_equal(np.asarray(c[::3]), numpy.concatenate([x, x * 2], axis=0)[::3]), (tag, i)

print(tag, "attached", flush=True)
sys.stdin.readline()                       # go: both drivers work at the same time
work(12)
print(tag, "phase1", flush=True)
if sys.stdin.readline().strip() == "detach":
    shoal.shutdown()
    print(tag, "detached", flush=True)
    sys.exit(0)
work(6)                                    # after the other driver left
z = np.asarray(numpy.arange(5000.0)) * seed
assert float(z.sum()) == float((numpy.arange(5000.0) * seed).sum())
print(tag, "done", flush=True)
"""


def test_two_drivers_share_the_cluster(tmp_path):
    script = tmp_path / "driver.py"
    script.write_text(DRIVER)
    with local_cluster(3, env=HEARTBEAT) as c, procs() as start:
        env = dict(os.environ, SHOAL_ADDRESS=c["address"], SHOAL_TOKEN=c["token"], **HEARTBEAT)
        a = start([sys.executable, str(script), "A", "1"], env)
        b = start([sys.executable, str(script), "B", "2"], env)
        a.expect("A attached")
        b.expect("B attached")
        a.say("go")
        b.say("go")
        a.expect("A phase1")
        b.expect("B phase1")
        nodes = status(c)
        held = drivers(nodes)
        assert len(held) == 2 and all(b > 0 for _, b in held.values()), nodes
        assert all(len(n["drivers"]) == 2 for n in nodes), nodes  # every node serves both
        from shoal import cli
        assert "2 driver(s)" in cli.format_status(nodes) and "DRIVER" in cli.format_status(nodes)
        # One driver leaves: its shards go, the other's stay and it keeps working.
        a.say("detach")
        a.expect("A detached")
        assert a.p.wait(timeout=60) == 0, "\n".join(a.seen)
        nodes = wait_for(lambda ns: len(drivers(ns)) == 1, c, 30)
        left = drivers(nodes)
        assert len(left) == 1, nodes
        [(_, left_bytes)] = left.values()
        assert left_bytes == sum(x["bytes"] for n in nodes for x in n["actors"]) > 0, nodes
        b.say("continue")
        b.expect("B done")
        assert b.p.wait(timeout=60) == 0, "\n".join(b.seen)
        nodes = wait_for(lambda ns: not drivers(ns), c, 30)
        assert not drivers(nodes) and sum(x["bytes"] for n in nodes for x in n["actors"]) == 0, nodes


HOLDER = """
import shoal, shoal.numpy as np, time
shoal.init(min_tile_elems=16)
keep = [np.arange(20000.0) * i for i in range(3)]
print("held", sum(float(k.sum()) for k in keep), flush=True)
time.sleep(600)
"""


def test_a_killed_driver_loses_its_session(tmp_path):
    with local_cluster(3, env=HEARTBEAT) as c, procs() as start:
        env = dict(os.environ, SHOAL_ADDRESS=c["address"], SHOAL_TOKEN=c["token"], **HEARTBEAT)
        d = start([sys.executable, "-c", HOLDER], env)
        d.expect("held")
        held = drivers(status(c))
        assert len(held) == 1 and list(held.values())[0][1] >= 3 * 20000 * 8, held
        os.kill(d.p.pid, signal.SIGKILL)
        d.p.wait(timeout=10)
        # The nodes drop the session once its heartbeats stop (2.5 s here); bounded poll.
        nodes = wait_for(lambda ns: not drivers(ns), c, 40)
        assert not drivers(nodes), nodes
        assert sum(x["bytes"] for n in nodes for x in n["actors"]) == 0, nodes
        for n in c["nodes"]:
            with open(n["log"]) as f:
                assert "silent for" in f.read()
        # The cluster still serves a new driver.
        r = subprocess.run([sys.executable, "-c", "import shoal.numpy as np; print(float(np.arange(10.0).sum()))"],
                           env=env, capture_output=True, text=True, timeout=90)
        assert r.stdout.strip() == "45.0", r.stdout + r.stderr


def _free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rank_env(tmp_path, token, var, rank, size, **extra):
    env = dict(os.environ, SHOAL_TOKEN=token, SHOAL_HOME=str(tmp_path), **HEARTBEAT, **extra)
    env.pop("SHOAL_ADDRESS", None)
    if var == "SLURM":
        env.update(SLURM_PROCID=str(rank), SLURM_NTASKS=str(size))
    else:
        env.update({f"{var}_RANK": str(rank), f"{var}_SIZE": str(size)})
    return env


def test_a_rank_that_starts_before_the_head_joins(tmp_path):
    """mpirun / srun start ranks in any order: a rank that waits for rank 0 longer than the
    heartbeat timeout (the old fixed join window) still joins."""
    address = f"127.0.0.1:{_free_port()}"
    token = "b" * 64
    node = SHOAL + ["node", "--launcher", "--address", address, "--exit-with", str(os.getpid())]
    with procs() as start:
        r1 = start(node, _rank_env(tmp_path, token, "PMI", 1, 3))
        r2 = start(node, _rank_env(tmp_path, token, "OMPI_COMM_WORLD", 2, 3))
        r1.expect("waiting for the head", timeout=30)
        time.sleep(3.0)  # past the 2.5 s heartbeat timeout, the window joins used to have
        assert r1.p.poll() is None and r2.p.poll() is None
        r0 = start(node, _rank_env(tmp_path, token, "SLURM", 0, 3))
        r0.expect("shoal-node ready")
        r1.expect("shoal-node ready", timeout=30)
        r2.expect("shoal-node ready", timeout=30)
        nodes = wait_for(lambda ns: len(ns) == 3, {"token": token, "address": address}, 20)
        assert len(nodes) == 3 and nodes[0]["endpoint"] == "tcp://" + address, nodes


def test_a_rank_without_a_head_gives_up_clearly(tmp_path):
    address = f"127.0.0.1:{_free_port()}"
    env = _rank_env(tmp_path, "c" * 64, "PMI", 1, 2, SHOAL_JOIN_TIMEOUT_S="2")
    t0 = time.monotonic()
    r = subprocess.run(SHOAL + ["node", "--launcher", "--address", address], env=env, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "did not answer within" in r.stderr and "SHOAL_JOIN_TIMEOUT_S" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr, r.stderr
    assert time.monotonic() - t0 < 45
    env["SHOAL_JOIN_TIMEOUT_S"] = "soon"
    r = subprocess.run(SHOAL + ["node", "--launcher", "--address", address], env=env, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 2 and "SHOAL_JOIN_TIMEOUT_S must be a positive number" in r.stderr, r.stderr


def test_malformed_addresses_are_clear_errors(tmp_path):
    env = dict(os.environ, SHOAL_TOKEN="d" * 64, SHOAL_HOME=str(tmp_path))
    code = """
        import shoal
        for address in ("foo", "127.0.0.1:0", "127.0.0.1:99999", "host:80x"):
            try:
                shoal.init(address=address)
            except ValueError as e:
                print("ValueError", e)
    """
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0 and r.stdout.count("ValueError shoal: a cluster address is HOST:PORT") == 4, \
        r.stdout + r.stderr
    for args in (["status", "--address", "foo"], ["status", "--address", "127.0.0.1:9", "--timeout-ms", "300"],
                 ["node", "--address", "nowhere"]):
        r = subprocess.run(SHOAL + args, env=env, capture_output=True, text=True, timeout=60)
        assert r.returncode == 2 and r.stderr.startswith(f"shoal {args[0]}: ") and "Traceback" not in r.stderr, \
            r.stdout + r.stderr


def test_a_heartbeat_timeout_within_one_ping_is_refused(tmp_path):
    """Pings every 1 s with a 0.5 s timeout would declare every live peer dead: refused up front."""
    env = dict(os.environ, SHOAL_TOKEN="e" * 64, SHOAL_HOME=str(tmp_path), SHOAL_ADDRESS="127.0.0.1:9",
               SHOAL_HEARTBEAT_MS="1000", SHOAL_HEARTBEAT_TIMEOUT_MS="500")
    code = """
        import shoal
        try:
            shoal.init()
        except ValueError as e:
            print("ValueError", e)
    """
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True, text=True,
                       timeout=60)
    assert "ValueError shoal: SHOAL_HEARTBEAT_TIMEOUT_MS (500 ms) must be longer" in r.stdout, r.stdout + r.stderr
    r = subprocess.run(SHOAL + ["node"], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "must be longer than the ping interval" in r.stderr, r.stdout + r.stderr
