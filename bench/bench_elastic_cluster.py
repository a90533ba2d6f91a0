"""Node-level elasticity on loopback (docs/cluster.md, "Elasticity"): nodes as processes,
this script as the driver.

  python bench/bench_elastic_cluster.py            # 1 GiB moves onto a joining node
  python bench/bench_elastic_cluster.py --quick    # 32 MiB (a smoke test, seconds)

Measures, in one run:
  - join: a node started under the running driver until the scheduler has it, and the
    rebalance that moves half of the head's shards onto it (bytes over the CURVE link);
  - the slowdown of a stencil loop (step + sum read back) while a rebalance runs under it,
    against the same loop undisturbed just before;
  - drain of a node (`shoal drain`: shards move off, the node exits);
  - how long the default heartbeats take to declare a killed node dead (kill -9), and the
    lineage recovery of its shards when the scheduler has it.
Heartbeats are the defaults (1000 ms interval, 5000 ms timeout) unless $SHOAL_HEARTBEAT_*
say otherwise.
"""
import argparse
import os
import secrets
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))

import shoal  # noqa: E402
import shoal.numpy as np  # noqa: E402
from shoal import _shoal, cli, cli_drain  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchkit import print_table  # noqa: E402


def wait_actors(n, timeout=60):
    """Seconds until the driver's scheduler has n actors (polled)."""
    t0 = time.perf_counter()
    while len(shoal.runtime_info()["actors"]) < n:
        if time.perf_counter() - t0 > timeout:
            raise SystemExit(f"bench: the scheduler did not get actor {n} within {timeout} s")
        time.sleep(0.01)
    return time.perf_counter() - t0


def stencil_step(x):
    t0 = time.perf_counter()
    x[1:-1, 1:-1] = (x[:-2, 1:-1] + x[2:, 1:-1] + x[1:-1, :-2] + x[1:-1, 2:]) * 0.25
    float(x.sum())
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="32 MiB instead of 1 GiB")
    args = ap.parse_args()
    moved_target = (32 << 20) if args.quick else (1 << 30)
    grid = 256 if args.quick else 1024
    state = tempfile.mkdtemp(prefix="shoal-bench-elastic-")
    token = secrets.token_hex(32)
    os.environ["SHOAL_TOKEN"] = token
    me = os.getpid()
    rows = []
    try:
        head = cli.spawn_node("127.0.0.1:0", "", 1, 0, token, 0, state, me)
        address = head["address"]
        shoal.init(address=address, min_tile_elems=1 << 16)
        # The head alone holds 2x; a joining node takes half of it: `moved_target` bytes.
        n_arrays = 8
        elems = 2 * moved_target // 8 // n_arrays
        data = [np.full(elems, float(i)) for i in range(n_arrays)]
        shoal.wait(*data)

        t0 = time.perf_counter()
        node1 = cli.spawn_node("127.0.0.1:0", address, 1, 0, token, 0, state, me)
        t_start = time.perf_counter() - t0
        t_seen = wait_actors(2)
        t1 = time.perf_counter()
        shoal.settle()
        t_move = time.perf_counter() - t1
        m = shoal.runtime_info()["migration"]
        moved = m["bytes_done"]
        rows += [["join: node process up and joined the head", f"{t_start:.3f} s"],
                 ["join: until the driver's scheduler has it", f"{t_seen:.3f} s"],
                 ["join: rebalance onto it (MiB moved, shards)", f"{moved / 2**20:.1f} MiB, {m['moves_done']}"],
                 ["join: rebalance time", f"{t_move:.3f} s"],
                 ["join: rebalance rate", f"{moved / 1e9 / max(t_move, 1e-9):.3f} GB/s"]]

        # Slowdown: the loop alone, then the same loop while a node joins and shards move.
        x = np.random.default_rng(3).random((grid, grid))
        for _ in range(3):
            stencil_step(x)
        quiet = [stencil_step(x) for _ in range(20)]
        node2 = cli.spawn_node("127.0.0.1:0", address, 1, 0, token, 0, state, me)
        while len(shoal.runtime_info()["actors"]) < 3:
            stencil_step(x)
        during = []
        t_rb = time.perf_counter()
        active = True
        while active and len(during) < 400:
            during.extend(stencil_step(x) for _ in range(5))
            active = shoal.runtime_info()["migration"]["active"]
        t_rb = time.perf_counter() - t_rb
        shoal.settle()
        q, d = statistics.median(quiet), statistics.median(during)
        rows += [["stencil step + sum, quiet (median)", f"{q * 1e3:.2f} ms"],
                 ["stencil step + sum, rebalance running (median)", f"{d * 1e3:.2f} ms ({len(during)} steps)"],
                 ["slowdown while rebalancing", f"{d / q:.2f}x"],
                 ["rebalance under the loop took", f"{t_rb:.3f} s"]]

        # Drain through the CLI's path: shards move off, the node exits.
        t0 = time.perf_counter()
        cli_drain.drain(address, node1["name"], timeout_s=600, say=lambda s: None)
        t_drain = time.perf_counter() - t0
        drained = shoal.runtime_info()["migration"]["bytes_done"]  # the drain's rebalance
        rows += [["drain: shards off a node, node exited", f"{t_drain:.3f} s ({drained / 2**20:.1f} MiB moved)"]]

        # Crash: kill -9 the node that holds shards; the head's and the driver's heartbeats.
        hb = (os.environ.get("SHOAL_HEARTBEAT_MS", "1000"), os.environ.get("SHOAL_HEARTBEAT_TIMEOUT_MS", "5000"))
        before = float(x.sum())
        held = [a for a in shoal.runtime_info()["actors"] if a["node"] == node2["name"]][0]
        t0 = time.perf_counter()
        os.kill(node2["pid"], signal.SIGKILL)
        listed = recovered = None
        while time.perf_counter() - t0 < 60 and (listed is None or recovered is None):
            if listed is None:
                view = _shoal.cluster_view(address, 5000)
                if any(n["endpoint"] == node2["endpoint"] and n["state"] == "dead" for n in view["gone"]):
                    listed = time.perf_counter() - t0
            rec = shoal.runtime_info()["recovery"]
            if recovered is None and rec["recoveries"] > 0:
                recovered = time.perf_counter() - t0
            time.sleep(0.02)
        after = float(x.sum())  # the job goes on with the rebuilt shards
        rec = shoal.runtime_info()["recovery"]
        rows += [[f"dead node listed by the head (heartbeat {hb[0]} ms, timeout {hb[1]} ms)",
                  f"{listed:.3f} s" if listed is not None else "not within 60 s"],
                 ["dead node: driver detected it, rebuilt its shards, answers again",
                  f"{recovered:.3f} s after the kill" if recovered is not None else "not within 60 s"],
                 ["recovery of the lost shards (lineage)",
                  f"{rec['last_ms']:.1f} ms, {rec['shards_rebuilt']} shards ({held['bytes'] / 2**20:.1f} MiB), "
                  f"sum {'unchanged' if after == before else 'changed'}"]]
        if after != before:
            print(f"MISMATCH: the grid's sum was {before!r} before the kill, {after!r} after the recovery")
        shoal.shutdown()
    finally:
        try:
            shoal.shutdown()
        except Exception:
            pass
        cli.stop_nodes(state)
        shutil.rmtree(state, ignore_errors=True)
    print_table(["measure (loopback, CURVE on)", "value"], rows)


if __name__ == "__main__":
    main()
