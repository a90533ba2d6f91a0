"""The node-level chaos loop, run as a script (its own cluster, its own runtime):

    python _cluster_chaos.py SEED [ITERS] [--kill]

Starts a head and 2 nodes on 127.0.0.1 (one CPU actor each) and runs a 2-d heat stencil plus
a sum per iteration from this process as the driver: once undisturbed, then again while a
node joins, another drains (`shoal drain`, in a thread, under the running loop) and, with
--kill, a third is killed with SIGKILL, at iterations drawn from SEED. Prints "OK ..." when
the final grid and every sum are bit-identical to the undisturbed run, else the seed, the
schedule and the first difference (exit 1). Every node is stopped at the end, whatever
happens (tests/python/_cluster.py).
"""
import os
import random
import signal
import sys
import threading
import time

import numpy

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import _heat as heat  # noqa: E402
from _cluster import local_cluster  # noqa: E402
from _elastic_chaos import check_same  # noqa: E402

import shoal  # noqa: E402
import shoal.numpy as np  # noqa: E402
from shoal import cli, cli_drain  # noqa: E402

SETTINGS = {"SHOAL_HEARTBEAT_MS": "200", "SHOAL_HEARTBEAT_TIMEOUT_MS": "2500", "SHOAL_TIMEOUT_MS": "120000"}


def loop(address, iters, events=(), before_end=lambda: None):
    """The job; `events` are (iteration, callable) run before that iteration's step;
    `before_end` runs after the last step, while the runtime still runs."""
    shoal.init(address=address, min_tile_elems=256)
    x = np.random.default_rng(5).random((96, 96))
    sums = []
    for i in range(iters):
        for at, fn in events:
            if at == i:
                fn()
        heat.step(x)
        sums.append(float(x.sum()))
    before_end()  # a drain still under way needs the driver
    grid = numpy.asarray(x)
    info = shoal.runtime_info()
    shoal.shutdown()
    return grid, sums, info


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    kill = "--kill" in sys.argv
    seed = int(args[0])
    iters = int(args[1]) if len(args) > 1 else 50
    rng = random.Random(seed)
    join_at = rng.randrange(0, iters // 2)
    drain_at = rng.randrange(0, iters // 2)
    kill_at = rng.randrange(iters // 4, 3 * iters // 4)
    victims = ["node1", "node2"]
    rng.shuffle(victims)
    schedule = {"join": join_at, "drain": (victims[0], drain_at)}
    if kill:
        schedule["kill"] = (victims[1], kill_at)
    os.environ.update(SETTINGS)
    with local_cluster(3, env=SETTINGS) as c:
        os.environ["SHOAL_TOKEN"] = c["token"]
        nodes = {"node1": c["nodes"][1], "node2": c["nodes"][2]}
        threads, errors = [], []

        def background(fn):
            def run():
                try:
                    fn()
                except BaseException as e:  # SystemExit from the CLI's drain included
                    errors.append(f"{fn.__name__}: {e}")
            t = threading.Thread(target=run, daemon=True)
            t.start()
            threads.append(t)

        def until(what, cond, timeout=60):
            """Polls the driver until cond(runtime_info()) (the loop goes on afterwards, while
            the moves run between its ops)."""
            deadline = time.monotonic() + timeout
            while not cond(shoal.runtime_info()):
                if time.monotonic() > deadline:
                    errors.append(f"{what} not seen by the driver within {timeout} s")
                    return
                time.sleep(0.02)

        def join():
            n = len(shoal.runtime_info()["actors"])
            cli.spawn_node("127.0.0.1:0", c["address"], 1, 0, c["token"], 1, c["state"], os.getpid())
            until("the join", lambda info: len(info["actors"]) > n)

        def drain():
            cli_drain.drain(c["address"], nodes[victims[0]]["name"], timeout_s=120, say=lambda s: None)

        def start_drain():
            background(drain)
            name = nodes[victims[0]]["name"]
            until("the drain", lambda info: any(a["node"] == name and a["state"] in ("draining", "left")
                                               for a in info["actors"]))

        def kill_node():
            os.kill(nodes[victims[1]]["pid"], signal.SIGKILL)

        grid0, sums0, _ = loop(c["address"], iters)
        t0 = time.monotonic()
        events = [(join_at, join), (drain_at, start_drain)]
        if kill:
            events.append((kill_at, kill_node))
        def wait_events():
            for t in threads:
                t.join(timeout=150)

        grid1, sums1, info = loop(c["address"], iters, events, wait_events)
        took = time.monotonic() - t0
        view = shoal._shoal.cluster_view(c["address"], 5000)
    if errors:
        print(f"EVENT FAILED seed={seed} schedule={schedule}: {errors}")
        sys.exit(1)
    digest = check_same(grid0, sums0, grid1, sums1, f"seed={seed} schedule={schedule}")
    gone = {n["name"]: n["state"] for n in view["gone"]}
    if gone.get(nodes[victims[0]]["name"]) != "left":
        print(f"NOT DRAINED seed={seed} schedule={schedule} gone={gone}")
        sys.exit(1)
    print(f"OK seed={seed} schedule={schedule} actors={len(info['actors'])} "
          f"rebalances={info['migration']['rebalances']} disturbed run {took:.1f} s digest={digest}")


if __name__ == "__main__":
    main()
