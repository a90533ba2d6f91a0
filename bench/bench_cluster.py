"""The runtime across node processes on loopback: the round trip of a tiny remote op, and the
throughput of moving a shard between two nodes through the runtime (planner, tasks, pieces
over CurveZMQ), next to transport/'s raw numbers for the same bytes (bench_transport.py,
run in the same invocation when its binary is built).

  python bench/bench_cluster.py            # 256 MiB shard, median of 5
  python bench/bench_cluster.py --quick    # 4 MiB (CI smoke test, a few seconds)

Tiny op: ``float((x + 1).sum())`` with x = arange(1000) living on a remote node (one
shard), from the driver: client -> scheduler -> node (fused program, reduction) -> driver.
Shard move: a 2-shard array (one shard per node) is rotated by half (concatenate of the
two halves swapped), so each node receives the other's whole shard: 2 x size/2 crosses
the wire at once, reported as size / time.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "python"))
sys.path.insert(0, str(ROOT / "python"))


EMBEDDED = """
import statistics, sys, time, shoal, shoal.numpy as np
shoal.init(cpus=1)
x = np.arange(1000, dtype=np.float64)
float((x + 1).sum())
t = []
for _ in range(int(sys.argv[1])):
    t0 = time.perf_counter(); float((x + 1).sum()); t.append(time.perf_counter() - t0)
print(statistics.median(t))
"""


def embedded_rtt(reps):
    """The same tiny op in a one-process runtime (its own process: one runtime per process)."""
    env = dict(os.environ)
    env.pop("SHOAL_ADDRESS", None)
    r = subprocess.run([sys.executable, "-c", EMBEDDED, str(reps)], capture_output=True, text=True, timeout=300,
                       env=env)
    return float(r.stdout.strip().splitlines()[-1]) if r.returncode == 0 else float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="tiny sizes (CI smoke test)")
    ap.add_argument("--mib", type=int, default=256, help="array size in MiB")
    ap.add_argument("--reps", type=int, default=5, help="timed repeats (median)")
    args = ap.parse_args()
    mib, reps, rtt_reps = (4, 3, 50) if args.quick else (args.mib, args.reps, 500)

    import numpy
    import shoal
    import shoal.numpy as np
    from _cluster import local_cluster

    rows = []
    with local_cluster(2, cpus=1) as c:
        os.environ["SHOAL_TOKEN"] = c["token"]
        shoal.init(address=c["address"])
        # -- tiny op round trip
        x = np.arange(1000, dtype=np.float64)
        expect = float((numpy.arange(1000.0) + 1).sum())
        assert float((x + 1).sum()) == expect
        times = []
        for _ in range(rtt_reps):
            t0 = time.perf_counter()
            float((x + 1).sum())
            times.append(time.perf_counter() - t0)
        remote = statistics.median(times)
        local = embedded_rtt(rtt_reps)
        rows.append(("tiny remote op float((x+1).sum()), 1000 elems", f"{remote * 1e6:.0f} us",
                     f"median; one process: {local * 1e6:.0f} us ({remote / local:.1f}x)"))
        # -- moving shards between the two nodes
        n = mib * (1 << 20) // 8
        a = np.arange(n, dtype=np.float64)  # 2 shards: one per node
        shoal.wait(a)
        half = n // 2
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            b = np.concatenate((a[half:], a[:half]))
            shoal.wait(b)
            times.append(time.perf_counter() - t0)
            del b
        check = np.concatenate((a[half:], a[:half]))
        assert float(check[0]) == float(half) and float(check[n - 1]) == float(half - 1)
        t = statistics.median(times)
        rows.append((f"shard move through the runtime, {mib} MiB (2 x {mib // 2} MiB both ways)",
                     f"{mib / 1024 / t:.2f} GB/s", f"{t * 1e3:.0f} ms"))
        # -- the same bytes into and out of the driver (host data in, read back)
        host = numpy.arange(n, dtype=numpy.float64)
        t0 = time.perf_counter()
        h = np.asarray(host)
        shoal.wait(h)
        t_in = time.perf_counter() - t0
        t0 = time.perf_counter()
        back = numpy.asarray(h)  # the shards' bytes into one NumPy array
        t_out = time.perf_counter() - t0
        assert back[-1] == host[-1]
        rows.append((f"driver -> nodes, {mib} MiB (asarray)", f"{mib / 1024 / t_in:.2f} GB/s", f"{t_in * 1e3:.0f} ms"))
        rows.append((f"nodes -> driver, {mib} MiB (read)", f"{mib / 1024 / t_out:.2f} GB/s", f"{t_out * 1e3:.0f} ms"))
        shoal.shutdown()

    w = max(len(r[0]) for r in rows)
    print("shoal cluster (2 nodes + driver on 127.0.0.1, CurveZMQ links)")
    for r in rows:
        print(f"  {r[0]:<{w}}  {r[1]:>12}  {r[2]}")
    # transport/'s raw numbers for the same size, measured now
    raw = ROOT / "bench" / "bench_transport.py"
    if raw.exists():
        cmd = [sys.executable, str(raw)] + (["--quick"] if args.quick else ["--mib", str(mib), "--reps", str(reps)])
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        print("transport/ raw links, same run:")
        sys.stdout.write(r.stdout if r.returncode == 0 else f"  (bench_transport.py: {r.stdout}{r.stderr})\n")


if __name__ == "__main__":
    main()
