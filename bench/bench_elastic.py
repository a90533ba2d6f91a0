"""Elasticity of the embedded cluster (shoal.add_actor / shoal.drain): how long shards take
to rebalance onto a joining actor and off a draining one, and how much a stencil loop slows
down while a rebalance runs under it.

  python bench/bench_elastic.py            # 1 GiB of shards, 2 -> 3 -> 2 CPU actors
  python bench/bench_elastic.py --quick    # 16 MiB (CI smoke test, a few seconds)

In one process a move hands the shard's buffer to the new owner (no copy: host shards are
immutable), so these times are the scheduler's and the actors' overhead (planning, one send,
one store and one free task per shard, an acknowledgement per move, bounded bytes in
flight), not memory bandwidth; across nodes the bytes travel as frames (bench_cluster.py
measures that path). Recovery: an actor is killed (shoal._kill_actor, as a crash) while it
holds a third of the shards; its shards are rebuilt from lineage on the survivors. The table
gives the scheduler's recovery time (loss to rebuild sent, runtime_info) and the wall time
from the kill until every array reads back, per lineage depth (ops per array). A replay
recomputes whole arrays (every tile, not only the lost third), so it costs depth times the
arrays' bytes of kernel work.
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))

import shoal  # noqa: E402
import shoal.numpy as np  # noqa: E402


def shards_gib(total_bytes, n_arrays):
    """n_arrays float64 arrays of total_bytes together, computed (their shards exist)."""
    elems = total_bytes // 8 // n_arrays
    arrays = [np.full(elems, float(i)) for i in range(n_arrays)]
    shoal.wait(*arrays)
    return arrays


def timed(f):
    t0 = time.perf_counter()
    f()
    return time.perf_counter() - t0


def stencil_times(x, iters):
    """Seconds per iteration of a 2-d heat step plus a sum (the sum read back each time)."""
    out = []
    for _ in range(iters):
        t0 = time.perf_counter()
        x[1:-1, 1:-1] = (x[:-2, 1:-1] + x[2:, 1:-1] + x[1:-1, :-2] + x[1:-1, 2:]) * 0.25
        float(x.sum())
        out.append(time.perf_counter() - t0)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="16 MiB instead of 1 GiB")
    args = ap.parse_args()
    total = (16 << 20) if args.quick else (1 << 30)
    n_arrays = 8
    grid = 256 if args.quick else 1024
    iters = 5 if args.quick else 20
    shoal.init(cpus=2, min_tile_elems=1 << 14)

    arrays = shards_gib(total, n_arrays)
    t_join = timed(lambda: (shoal.add_actor(), shoal.settle()))
    info = shoal.runtime_info()
    moved_join = info["migration"]["bytes_done"]
    moves_join = info["migration"]["moves_done"]
    t_drain = timed(lambda: shoal.drain("cpu2"))
    info = shoal.runtime_info()
    moved_drain = info["migration"]["bytes_done"]
    del arrays

    x = np.random.default_rng(3).random((grid, grid))
    base = statistics.median(stencil_times(x, iters))
    ballast = shards_gib(total // 2, n_arrays)  # what the rebalance moves under the loop
    shoal.add_actor()  # returns at once; the moves run between the loop's ops
    during = stencil_times(x, iters)
    busy = shoal.runtime_info()["migration"]
    shoal.settle()
    del ballast
    slow = statistics.median(during)

    mib = 1 << 20
    print(f"{'measure':<48}{'value':>16}")
    print(f"{'shards to rebalance (GiB total)':<48}{total / (1 << 30):>16.3f}")
    print(f"{'join: moved onto the new actor (MiB, moves)':<48}{moved_join / mib:>10.1f} ({moves_join})")
    print(f"{'join: rebalance time (s)':<48}{t_join:>16.3f}")
    print(f"{'join: rate (GiB/s of shards)':<48}{moved_join / (1 << 30) / max(t_join, 1e-9):>16.2f}")
    print(f"{'drain: moved off the actor (MiB)':<48}{moved_drain / mib:>16.1f}")
    print(f"{'drain: time (s)':<48}{t_drain:>16.3f}")
    print(f"{'stencil step, quiet (ms, median)':<48}{base * 1e3:>16.2f}")
    print(f"{'stencil step, rebalance running (ms, median)':<48}{slow * 1e3:>16.2f}")
    print(f"{'slowdown while rebalancing':<48}{slow / base:>15.2f}x")
    print(f"{'rebalance still moving after the loop':<48}{str(busy['active']):>16}")
    shoal.shutdown()
    recovery_table(total // 4 if not args.quick else total)


def recovery_table(total):
    """Kills one of 3 actors holding `total` bytes of arrays `depth` ops deep; times recovery."""
    print()
    print(f"{'recovery: depth (ops/array)':<30}{'lost MiB':>10}{'shards':>8}{'replayed':>10}"
          f"{'scheduler ms':>14}{'until read ms':>15}{'quiet read ms':>15}")
    for depth in (1, 4, 16):
        shoal.init(cpus=3, min_tile_elems=1 << 14)
        n_arrays = 6
        elems = total // 8 // n_arrays
        arrays = [np.full(elems, float(i)) for i in range(n_arrays)]
        for _ in range(depth - 1):
            arrays = [a * 1.0001 + 1.0 for a in arrays]
            shoal.wait(*arrays)  # one op per step (unwaited, the client would fuse the chain)
        shoal.wait(*arrays)  # computed: the quiet wait below measures a read, not the fills
        t0 = time.perf_counter()
        shoal.wait(*arrays)
        quiet = time.perf_counter() - t0
        lost = [a for a in shoal.runtime_info()["actors"] if a["name"] == "cpu1"][0]["bytes"]
        t0 = time.perf_counter()
        shoal._shoal._kill_actor("cpu1")
        shoal.wait(*arrays)
        wall = time.perf_counter() - t0
        rec = shoal.runtime_info()["recovery"]
        print(f"{depth:<30}{lost / (1 << 20):>10.1f}{rec['shards_rebuilt']:>8}{rec['ops_replayed']:>10}"
              f"{rec['last_ms']:>14.1f}{wall * 1e3:>15.1f}{quiet * 1e3:>15.1f}")
        del arrays
        shoal.shutdown()


if __name__ == "__main__":
    main()
