"""shoal on 4 CPU actors against NumPy, measured in the same run.

Workloads (float32):
  a*b+c      elementwise over 2^26 elements, result read back into NumPy
  sum        full reduction over 2^26 elements, read as a Python float
  matmul     2048x2048 @ 2048x2048, result read back into NumPy
  per-op overhead on a 1,000-element array, from Python:
    fused chain   `x = x * 1.0001 + 1.0` N times, then one read (2 ops per iteration;
                  shoal builds a lazy graph and fuses it)
    round trip    `float(x.sum())` N times (each op dispatched and waited for: latency)

Each number is the median of several repeats after a warm-up; every repeat forces completion
by reading its result (numpy.asarray / float). Inputs are the same NumPy arrays, copied into
shoal with snp.asarray before any clock starts. Ratio = numpy time / shoal time, so > 1 means
shoal is faster.

  python bench/bench_cpu.py            # full sizes
  python bench/bench_cpu.py --quick    # small sizes (CI smoke test, well under 30 s)
  python bench/bench_cpu.py --roundtrip --cpus 1   # only the round trip, finer: median us
                                                   # per float(x.sum()) over many blocks
"""
import argparse
import os
import platform
import sys

import numpy

from benchkit import fmt_rate, fmt_time, median_time, print_table


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, few repeats (CI smoke)")
    ap.add_argument("--cpus", type=int, default=4, help="shoal CPU actors (default 4)")
    ap.add_argument("--repeats", type=int, default=None, help="timed repeats per workload")
    ap.add_argument("--roundtrip", action="store_true",
                    help="only the round trip float(x.sum()) on 1000 float32 (fixed latency)")
    ap.add_argument("--numpy-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.numpy_only:  # validates this script without the runtime: numpy plays shoal
        snp, info = numpy, {"actors": [{"name": "numpy", "kind": "cpu"}]}
    else:
        import shoal
        import shoal.numpy as snp

        shoal.init(cpus=args.cpus)
        info = shoal.runtime_info()

    if args.roundtrip:
        return roundtrip(snp, numpy, info, args)

    if args.quick:
        n_elem, n_mat, n_chain, n_trip, repeats = 1 << 20, 256, 200, 50, 3
    else:
        n_elem, n_mat, n_chain, n_trip, repeats = 1 << 26, 2048, 2000, 500, 5
    repeats = args.repeats or repeats

    rng = numpy.random.default_rng(0)
    f32 = numpy.float32
    a, b, c = (rng.random(n_elem, dtype=f32) for _ in range(3))
    ma, mb = (rng.random((n_mat, n_mat), dtype=f32) for _ in range(2))
    small = rng.random(1000, dtype=f32)
    sa, sb, sc, sma, smb, ssmall = (snp.asarray(x) for x in (a, b, c, ma, mb, small))
    for x in (sa, sb, sc, sma, smb, ssmall):  # wait until the copies into shoal are done
        float(x.sum())

    rows = []  # (workload, shoal, numpy, ratio, check)

    def check(got, want, rtol):
        return "ok" if numpy.allclose(got, want, rtol=rtol, atol=0) else "MISMATCH"

    # (a) a*b+c: computed (waited for in place) and computed + read back into NumPy
    n_label = f"2^{n_elem.bit_length() - 1}"
    if not args.numpy_only:
        t_s = median_time(lambda: shoal.wait(sa * sb + sc), repeats)
        t_n = median_time(lambda: a * b + c, repeats)
        rows.append((f"a*b+c, {n_label} f32 (computed)", fmt_time(t_s), fmt_time(t_n), t_n / t_s, "ok"))
    t_s = median_time(lambda: numpy.asarray(sa * sb + sc), repeats)
    t_n = median_time(lambda: numpy.asarray(a * b + c), repeats)
    ok = check(numpy.asarray(sa * sb + sc), a * b + c, 1e-6)
    rows.append((f"a*b+c, {n_label} f32 (+ read back)", fmt_time(t_s), fmt_time(t_n), t_n / t_s, ok))

    # (b) sum
    t_s = median_time(lambda: float(sa.sum()), repeats)
    t_n = median_time(lambda: float(a.sum()), repeats)
    ok = check(float(sa.sum()), float(a.astype(numpy.float64).sum()), 1e-4)
    rows.append((f"sum, {n_label} f32", fmt_time(t_s), fmt_time(t_n), t_n / t_s, ok))

    # (c) matmul
    mat_repeats = max(1, repeats - 2) if not args.quick else repeats
    t_s = median_time(lambda: numpy.asarray(sma @ smb), mat_repeats)
    t_n = median_time(lambda: numpy.asarray(ma @ mb), mat_repeats)
    ok = check(numpy.asarray(sma @ smb), ma @ mb, 1e-3)
    rows.append((f"matmul, {n_mat}x{n_mat} f32", fmt_time(t_s), fmt_time(t_n), t_n / t_s, ok))

    # (d1) per-op overhead, lazily fused elementwise chain, one read at the end
    def chain(xp_x):
        x = xp_x
        for _ in range(n_chain):
            x = x * 1.0001 + 1.0
        return numpy.asarray(x)

    t_s = median_time(lambda: chain(ssmall), repeats) / (2 * n_chain)
    t_n = median_time(lambda: chain(small), repeats) / (2 * n_chain)
    ok = check(chain(ssmall), chain(small), 1e-4)
    rows.append((f"per-op, fused chain x*1.0001+1.0 x{n_chain} (1000 f32)",
                 fmt_rate(t_s), fmt_rate(t_n), t_n / t_s, ok))

    # (d2) per-op round trip: every op dispatched and its result read
    def trips(xp_x):
        total = 0.0
        for _ in range(n_trip):
            total += float(xp_x.sum())
        return total

    t_s = median_time(lambda: trips(ssmall), repeats) / n_trip
    t_n = median_time(lambda: trips(small), repeats) / n_trip
    ok = check(trips(ssmall), trips(small), 1e-4)
    rows.append((f"per-op, round trip float(x.sum()) x{n_trip} (1000 f32)",
                 fmt_rate(t_s), fmt_rate(t_n), t_n / t_s, ok))

    # ---- report
    heads = ("workload", "shoal", "numpy", "ratio", "check")
    cells = [(w, s, n, f"{r:.2f}", k) for w, s, n, r, k in rows]
    print_table(heads, cells, left=(0, 4))
    print()
    print("ratio = numpy time / shoal time (> 1: shoal faster); medians of "
          f"{repeats} repeats after a warm-up; '(+ read back)' rows include copying the result into NumPy.")
    actors = info["actors"]
    print(f"shoal: {len(actors)} actors ({', '.join(a['name'] for a in actors)})"
          + (" [--numpy-only: numpy stood in for shoal]" if args.numpy_only else ""))
    print(f"machine: {os.cpu_count()} logical cores ({cpu_model()}), {platform.system()} "
          f"{platform.machine()}; numpy {numpy.__version__}, "
          f"python {platform.python_version()}")
    if os.environ.get("OPENBLAS_CORETYPE"):
        print(f"note: OPENBLAS_CORETYPE={os.environ['OPENBLAS_CORETYPE']} is set "
              "(it can slow NumPy's matmul)")
    return 1 if any(r[4] != "ok" for r in rows) else 0


def roundtrip(snp, numpy, info, args):
    """The latency of one op whose result is read: float(x.sum()) on 1000 float32, shoal and
    NumPy in the same run, in turns (blocks of 40 trips each), every trip timed: the medians
    over all trips (a 2-core machine shared with other work is noisy; turns make a busy spell
    hit both alike, medians ignore the bursts)."""
    import statistics
    import time

    blocks = 5 if args.quick else (args.repeats or 100)
    small = numpy.random.default_rng(0).random(1000, dtype=numpy.float32)
    ssmall = snp.asarray(small)
    times = {"shoal": [], "numpy": []}
    for _ in range(100):  # warm-up (the reader's spin gate learns the machine)
        float(ssmall.sum())
    for b in range(blocks):
        for name in (("shoal", "numpy") if b % 2 == 0 else ("numpy", "shoal")):
            x = ssmall if name == "shoal" else small
            for _ in range(40):
                t0 = time.perf_counter()
                float(x.sum())
                times[name].append(time.perf_counter() - t0)
    s_med, n_med = statistics.median(times["shoal"]), statistics.median(times["numpy"])
    s_p10 = sorted(times["shoal"])[len(times["shoal"]) // 10]
    ok = "ok" if abs(float(ssmall.sum()) - float(small.sum())) <= 1e-3 * abs(float(small.sum())) else "MISMATCH"
    cells = [(f"float(x.sum()), 1000 f32, {len(info['actors'])} actors", f"{s_med * 1e6:.1f} us",
              f"{s_p10 * 1e6:.1f} us", f"{n_med * 1e6:.2f} us", f"{n_med / s_med:.3f}", ok)]
    print_table(("workload", "shoal median", "shoal p10", "numpy median", "ratio", "check"), cells, left=(0, 5))
    print(f"medians of {len(times['shoal'])} timed trips each, in turns; ratio = numpy time / shoal time")
    return 0 if ok == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
