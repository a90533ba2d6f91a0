"""Node-level elasticity (docs/cluster.md, "Elasticity"): a node joins under a running
driver and shards rebalance onto it; `shoal drain` moves every shard off a node under a
running loop and the node exits; the chaos loop adds, drains (and kills) nodes at seeded
points and must give the bits of an undisturbed run. Drivers run in subprocesses (one
runtime per process); every node is killed at teardown (tests/python/_cluster.py)."""
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from _cluster import local_cluster
from shoal import cli

pytestmark = [pytest.mark.cluster, pytest.mark.timeout(300)]

HERE = os.path.dirname(os.path.abspath(__file__))
SHOAL = [sys.executable, "-m", "shoal"]
# A loaded 2-core CI machine must not declare a live node dead (tests/python/test_cluster.py).
FAST = {"SHOAL_HEARTBEAT_MS": "200", "SHOAL_HEARTBEAT_TIMEOUT_MS": "2500", "SHOAL_TIMEOUT_MS": "120000"}


def _env(c, **extra):
    env = dict(os.environ, SHOAL_ADDRESS=c["address"], SHOAL_TOKEN=c["token"], **FAST)
    env.update(extra)
    return env


_running = []  # driver processes of the current test (killed after it, whatever happened)


@pytest.fixture(autouse=True)
def _kill_drivers():
    yield
    while _running:
        p = _running.pop()
        if p.poll() is None:
            p.kill()
            p.communicate(timeout=30)


def _driver(code, env):
    p = subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=HERE)
    _running.append(p)
    return p


def _head(c, fn, *args):
    """_shoal.fn(address, *args) with the cluster's secret (the CLI's own requests to the head)."""
    from shoal import _shoal
    os.environ["SHOAL_TOKEN"] = c["token"]
    try:
        return getattr(_shoal, fn)(c["address"], *args)
    finally:
        os.environ.pop("SHOAL_TOKEN", None)


def _expect(proc, word, timeout=120):
    """Reads the driver's stdout up to a line starting with `word` (its rest is returned)."""
    import select
    import time
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        r, _, _ = select.select([proc.stdout], [], [], 1.0)
        if r:
            line = proc.stdout.readline()
            if not line:
                break
            seen.append(line)
            if line.startswith(word):
                return line[len(word):].strip()
    proc.kill()
    out, err = proc.communicate(timeout=30)
    raise AssertionError(f"no '{word}' from the driver; stdout: {''.join(seen)}{out}\nstderr: {err}")


def _exits(pid, timeout=20):
    """Waits for our child `pid` to exit (and reaps it); False if it still runs."""
    import time
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return True
        except ChildProcessError:  # reaped already (subprocess reaps dropped Popen objects)
            return True
        time.sleep(0.05)
    return False


def _finish(proc):
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, out + err
    return out, err


def test_node_joins_a_running_driver_and_shards_rebalance_onto_it():
    with local_cluster(2, env=FAST) as c:
        proc = _driver("""
            import sys, time, numpy, shoal, shoal.numpy as np
            shoal.init(min_tile_elems=1024)
            h = numpy.random.default_rng(3).random(200000)
            a = np.arange(300000, dtype=np.float64)
            b = np.asarray(h)
            print("READY", len(shoal.runtime_info()["actors"]), flush=True)
            deadline = time.monotonic() + 60
            while len(shoal.runtime_info()["actors"]) < 3 and time.monotonic() < deadline:
                float(a[:10].sum())   # the job keeps running while the node comes
                time.sleep(0.05)
            shoal.settle()
            info = shoal.runtime_info()
            new = info["actors"][2]
            print("JOINED", new["name"], new["node"], new["shards"], new["bytes"], flush=True)
            sys.stdin.readline()      # the test looks at `shoal status` meanwhile
            assert (numpy.asarray(a) == numpy.arange(300000.0)).all()
            assert (numpy.asarray(b) == h).all()
            c = (a[:200000] * 2 + b)
            assert (numpy.asarray(c) == numpy.arange(200000.0) * 2 + h).all()
            m = info["migration"]
            print("MIGRATION", m["moves_done"], m["moves_total"], m["bytes_done"], flush=True)
        """, _env(c))
        assert _expect(proc, "READY") == "2"
        node = cli.spawn_node("127.0.0.1:0", c["address"], 1, 0, c["token"], 1, c["state"], os.getpid())
        name, where, shards, held = _expect(proc, "JOINED").split()
        assert where == node["name"] and int(shards) > 0 and int(held) > 0, (name, where, shards, held)
        nodes = _head(c, "cluster_status", 5000)
        on_new = [n for n in nodes if n["endpoint"] == node["endpoint"]][0]
        assert sum(a["bytes"] for a in on_new["actors"]) == int(held), (on_new, held)
        proc.stdin.write("go\n")
        proc.stdin.flush()
        out, err = _finish(proc)
        done, total, moved = (int(v) for v in out.split("MIGRATION")[1].split())
        assert done == total > 0 and moved > 0, out
        assert "joined the running job" in err, err


@pytest.mark.parametrize("how", ["shoal drain", "SIGTERM"])
def test_shoal_drain_under_a_running_loop_loses_nothing(how):
    """`shoal drain NODE`, or a SIGTERM to the node (what Kubernetes, Slurm and systemd send a
    process they stop): its shards move off under the running loop, then it exits."""
    with local_cluster(3, env=FAST) as c:
        victim = c["nodes"][2]
        proc = _driver("""
            import select, sys, time, numpy, shoal, shoal.numpy as np
            def run(n, signal_at=None):
                x = np.random.default_rng(5).random((128, 128))
                keep = np.asarray(numpy.random.default_rng(9).random(50000))   # host data
                sums = []
                i, drained = 0, signal_at is None
                # With signal_at, the loop goes on while the node drains: it ends only after
                # the test said the drain finished (and at least n steps).
                while i < n or not drained:
                    if i == signal_at:
                        print("GO", flush=True)
                    x[1:-1, 1:-1] = (x[:-2, 1:-1] + x[2:, 1:-1] + x[1:-1, :-2] + x[1:-1, 2:]) * 0.25
                    sums.append(float(x.sum()))
                    i += 1
                    if not drained and select.select([sys.stdin], [], [], 0)[0]:
                        drained = sys.stdin.readline().strip() == "drained"
                    if i > 100000:
                        raise SystemExit("the test did not drain")
                return numpy.asarray(x), sums, numpy.asarray(keep)
            shoal.init(min_tile_elems=256)
            g1, s1, k1 = run(40, signal_at=3)
            states = {a["node"]: a["state"] for a in shoal.runtime_info()["actors"]}
            held = {a["node"]: a["shards"] for a in shoal.runtime_info()["actors"]}
            print("STEPS", len(s1), flush=True)
            g0, s0, k0 = run(len(s1))   # the same job undisturbed, on what is left: the same bits
            assert g0.tobytes() == g1.tobytes() and s0 == s1, "results differ after the drain"
            assert (k1 == numpy.random.default_rng(9).random(50000)).all()
            print("STATES", states["VICTIM"], held["VICTIM"], flush=True)
        """.replace("VICTIM", victim["name"]), _env(c))
        _expect(proc, "GO")
        if how == "SIGTERM":
            os.kill(victim["pid"], signal.SIGTERM)
            assert _exits(victim["pid"], timeout=120), "the node did not leave after SIGTERM"
            with open(victim["log"]) as f:
                log = f.read()
            assert "asked to leave: draining (the drivers move its shards off first)" in log, log
        else:
            r = subprocess.run(SHOAL + ["drain", victim["name"], "--address", c["address"], "--timeout", "120"],
                               env=dict(_env(c), SHOAL_HOME=c["state"]), capture_output=True, text=True,
                               timeout=180)
            assert r.returncode == 0, r.stdout + r.stderr
            assert "drained and left" in r.stdout, r.stdout
        proc.stdin.write("drained\n")
        proc.stdin.flush()
        out, err = _finish(proc)
        assert "STATES left 0" in out, out + err
        assert int(out.split("STEPS")[1].split()[0]) > 40, out  # the loop ran during the drain
        assert _exits(victim["pid"]), "the drained node did not exit"
        assert "drained and released" in err, err
        view = _head(c, "cluster_view", 5000)
        assert [n["state"] for n in view["gone"] if n["name"] == victim["name"]] == ["left"], view
        assert len(view["nodes"]) == 2


def test_sigterm_drains_a_node_without_drivers_and_stops_the_head():
    """With no driver attached the head releases a SIGTERMed node at once: it exits and is
    listed as left, not dead. The head cannot be drained: SIGTERM stops it. SIGINT (what
    `shoal stop` sends) stops a node without a drain."""
    with local_cluster(3, env=FAST) as c:
        head, worker, other = c["nodes"]
        os.kill(worker["pid"], signal.SIGTERM)
        assert _exits(worker["pid"], timeout=60), "the node did not leave after SIGTERM"
        view = _head(c, "cluster_view", 5000)
        assert [n["state"] for n in view["gone"] if n["name"] == worker["name"]] == ["left"], view
        with open(worker["log"]) as f:
            log = f.read()
        assert "asked to leave: draining (no driver attached)" in log and "drained and released" in log, log
        os.kill(other["pid"], signal.SIGINT)
        assert _exits(other["pid"], timeout=60), "the node did not stop on SIGINT"
        with open(other["log"]) as f:
            log = f.read()
        assert "asked to leave" not in log and "Traceback" not in log, log
        os.kill(head["pid"], signal.SIGTERM)
        assert _exits(head["pid"], timeout=60), "the head did not stop on SIGTERM"
        with open(head["log"]) as f:
            log = f.read()
        assert "the head cannot be drained: stopping" in log, log


def _exit_code(pid, timeout=60):
    """Our child `pid`'s exit code once it exited (None if it still runs after `timeout`)."""
    import time
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:  # reaped by someone else: its code is gone
            return "reaped elsewhere"
        if done == pid:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.05)
    return None


def _log_says(rec, text, timeout=60):
    import time
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(rec["log"]) as f:
            if text in f.read():
                return True
        time.sleep(0.05)
    return False


def test_a_drain_that_cannot_finish_ends_by_its_grace_or_a_second_sigterm():
    """A driver that holds shards on the nodes is stopped (SIGSTOP), so no drain can finish: a
    node with SHOAL_DRAIN_GRACE_S=1 leaves after that second with exit code 4; another node
    leaves at a second SIGTERM, exit code 0. (Heartbeats are slow here, so the stopped driver
    keeps its sessions throughout.)"""
    slow = dict(FAST, SHOAL_HEARTBEAT_TIMEOUT_MS="120000")
    with local_cluster(2, env=slow) as c:
        os.environ["SHOAL_DRAIN_GRACE_S"] = "1"
        try:
            brief = cli.spawn_node("127.0.0.1:0", c["address"], 1, 0, c["token"], 1, c["state"], os.getpid())
        finally:
            os.environ.pop("SHOAL_DRAIN_GRACE_S")
        patient = c["nodes"][1]
        proc = _driver("""
            import sys, numpy, shoal, shoal.numpy as np
            shoal.init(min_tile_elems=256)
            a = np.arange(100000, dtype=np.float64) + 1
            print("READY", sorted({x["node"] for x in shoal.runtime_info()["actors"] if x["shards"]}), flush=True)
            sys.stdin.readline()
        """, _env(c, SHOAL_HEARTBEAT_TIMEOUT_MS="120000"))
        held = _expect(proc, "READY")
        assert brief["name"] in held and patient["name"] in held, held
        os.kill(proc.pid, signal.SIGSTOP)
        try:
            os.kill(brief["pid"], signal.SIGTERM)
            assert _exit_code(brief["pid"]) == 4, "the drain did not end with its grace"
            with open(brief["log"]) as f:
                log = f.read()
            assert "still draining after 1 s" in log and "drained and released" not in log, log
            os.kill(patient["pid"], signal.SIGTERM)
            assert _log_says(patient, "asked to leave: draining (the drivers move its shards off first)")
            os.kill(patient["pid"], signal.SIGTERM)
            assert _exit_code(patient["pid"]) == 0, "a second SIGTERM did not stop the node"
            with open(patient["log"]) as f:
                log = f.read()
            assert "drained and released" not in log and "still draining" not in log, log
        finally:
            os.kill(proc.pid, signal.SIGCONT)


def test_drain_with_two_drivers_keeps_both_jobs():
    """Each attached driver drains its own session off the node; the node exits after the last."""
    with local_cluster(3, env=FAST) as c:
        victim = c["nodes"][2]
        code = """
            import sys, numpy, shoal, shoal.numpy as np
            shoal.init(min_tile_elems=256)
            h = numpy.random.default_rng(SEED).random(40000)
            a = np.asarray(h)
            b = np.arange(30000.0) * SEED
            print("READY", flush=True)
            sys.stdin.readline()
            assert (numpy.asarray(a) == h).all() and (numpy.asarray(b) == numpy.arange(30000.0) * SEED).all()
            info = shoal.runtime_info()["actors"]
            print("STATE", [x["state"] for x in info if x["node"] == "VICTIM"][0], flush=True)
        """.replace("VICTIM", victim["name"])
        drivers = [_driver(code.replace("SEED", str(k)), _env(c)) for k in (1, 2)]
        for d in drivers:
            _expect(d, "READY")
        r = subprocess.run(SHOAL + ["drain", victim["address"], "--address", c["address"], "--timeout", "120"],
                           env=_env(c), capture_output=True, text=True, timeout=180)
        assert r.returncode == 0 and "drained and left" in r.stdout, r.stdout + r.stderr
        assert _exits(victim["pid"]), "the drained node did not exit"
        for d in drivers:
            d.stdin.write("go\n")
            d.stdin.flush()
            out, err = _finish(d)
            assert "STATE left" in out, out + err


def test_shoal_stop_drains_the_nodes_of_a_head_elsewhere(tmp_path):
    """`shoal stop` on a machine whose nodes joined a head that runs elsewhere (here: another
    SHOAL_HOME): the job there goes on, so those nodes are drained before they stop."""
    with local_cluster(2, env=FAST) as c:
        home = dict(_env(c), SHOAL_HOME=str(tmp_path))
        proc = _driver("""
            import sys, time, numpy, shoal, shoal.numpy as np
            shoal.init(min_tile_elems=1024)
            h = numpy.random.default_rng(4).random(100000)
            a = np.asarray(h)
            b = [np.arange(50000.0) * k for k in range(4)]  # shards enough to even out over 3
            print("READY", flush=True)
            deadline = time.monotonic() + 60
            while len(shoal.runtime_info()["actors"]) < 3 and time.monotonic() < deadline:
                time.sleep(0.05)
            shoal.settle()
            print("JOINED", shoal.runtime_info()["actors"][2]["bytes"], flush=True)
            sys.stdin.readline()
            assert (numpy.asarray(a) == h).all()
            assert all((numpy.asarray(x) == numpy.arange(50000.0) * k).all() for k, x in enumerate(b))
            print("OK", shoal.runtime_info()["actors"][2]["state"], flush=True)
        """, _env(c))
        try:
            _expect(proc, "READY")
            r = subprocess.run(SHOAL + ["start", "--address", c["address"]], env=home, capture_output=True,
                               text=True, timeout=90)
            assert r.returncode == 0, r.stdout + r.stderr
            assert int(_expect(proc, "JOINED")) > 0
            r = subprocess.run(SHOAL + ["stop"], env=home, capture_output=True, text=True, timeout=120)
            assert r.returncode == 0 and "drained and left" in r.stdout, r.stdout + r.stderr
            proc.stdin.write("go\n")
            proc.stdin.flush()
            out, err = _finish(proc)
            assert "OK left" in out, out + err
        finally:
            cli.stop_nodes(str(tmp_path))


def test_drain_errors_name_the_problem(tmp_path):
    with local_cluster(3, env=FAST) as c:
        env = dict(_env(c), SHOAL_HOME=str(tmp_path))
        r = subprocess.run(SHOAL + ["drain", "nosuchnode:1", "--address", c["address"]], env=env,
                           capture_output=True, text=True, timeout=60)
        assert r.returncode != 0 and "no node 'nosuchnode:1'" in r.stderr, r.stdout + r.stderr
        r = subprocess.run(SHOAL + ["drain", c["nodes"][0]["name"], "--address", c["address"]], env=env,
                           capture_output=True, text=True, timeout=60)
        assert r.returncode != 0 and "head cannot be drained" in r.stderr, r.stdout + r.stderr
        # No driver attached: the node leaves at once, and `shoal status` lists it as gone.
        r = subprocess.run(SHOAL + ["drain", c["nodes"][1]["address"], "--address", c["address"]], env=env,
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0 and "nothing to move" in r.stdout, r.stdout + r.stderr
        # `shoal stop NODE` is the same drain, then the node exits.
        r = subprocess.run(SHOAL + ["stop", c["nodes"][2]["name"], "--address", c["address"]], env=env,
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0 and "drained and left" in r.stdout, r.stdout + r.stderr
        assert _exits(c["nodes"][1]["pid"]) and _exits(c["nodes"][2]["pid"]), "a drained node did not exit"
        r = subprocess.run(SHOAL + ["status", "--address", c["address"]], env=env, capture_output=True,
                           text=True, timeout=60)
        assert r.returncode == 0 and "1 node(s)" in r.stdout, r.stdout + r.stderr
        for n in c["nodes"][1:]:
            assert [l for l in r.stdout.splitlines() if n["name"] in l and " left " in l], r.stdout


def _chaos(seed, *flags):
    r = subprocess.run([sys.executable, "_cluster_chaos.py", str(seed), "50", *flags], capture_output=True,
                       text=True, timeout=280, cwd=HERE)
    assert r.returncode == 0 and r.stdout.startswith("OK"), f"seed {seed}: " + r.stdout + r.stderr[-4000:]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_chaos_join_and_drain_bit_identical(seed):
    _chaos(seed)


@pytest.mark.parametrize("seed", [4, 5])
def test_chaos_join_drain_and_kill_bit_identical(seed):
    _chaos(seed, "--kill")
