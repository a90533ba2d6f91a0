"""shoal on one GPU against CuPy, measured in the same run.

Workloads (float32, inputs already on the device, results left there):
  a*b+c      elementwise over 2^28 elements (shoal fuses it into one kernel; CuPy runs two)
  sum        full reduction over 2^28 elements, read as a Python float
  matmul     8192x8192 @ 8192x8192 (both through cuBLAS sgemm, full fp32)
  per-op overhead on a 1,000-element array, from Python:
    chain      `x = x * 1.0001 + 1.0` N times, then one sync (2 ops per iteration;
               shoal appends to a lazy graph and fuses, CuPy launches a kernel per op)
    round trip `float(x.sum())` N times (each op dispatched and waited for: latency)

Timing: a warm-up, then the median of several repeats, shoal and CuPy timed in turns of 5
calls (so a drift of the machine's speed during the run moves both alike; benchkit's
paired_median_times says why blocks); every repeat ends with a sync (shoal.wait / float();
CuPy: the stream's synchronize). ratio = cupy time / shoal time
(> 1: shoal faster). "roofline" is the fraction of the floor measured in the same run: bytes
moved over the device's copy bandwidth (a CuPy device-to-device copy, read + write) for
a*b+c and sum, and CuPy's sgemm rate for matmul.

  python bench/bench_gpu.py            # full sizes, needs a GPU build of shoal and CuPy
  python bench/bench_gpu.py --quick    # small sizes; without CuPy or a GPU it runs shoal's
                                       # own actors and leaves the CuPy columns empty (CI)
  python bench/bench_gpu.py --only sum,trip   # some workloads (abc, sum, matmul, chain, trip)
"""
import argparse
import os
import platform
import sys

import numpy

from benchkit import fmt_rate, fmt_time, median_time, paired_median_times, print_table


WORKLOADS = ("abc", "sum", "matmul", "chain", "trip")


def load_cupy():
    """CuPy and its device name, or (None, reason) where there is none or no GPU."""
    try:
        import cupy
        n = cupy.cuda.runtime.getDeviceCount()
        if n < 1:
            return None, "no GPU visible to CuPy"
        name = cupy.cuda.runtime.getDeviceProperties(0)["name"]
        return cupy, name.decode() if isinstance(name, bytes) else str(name)
    except Exception as e:  # ImportError, or CuPy without a driver
        return None, f"CuPy unavailable ({type(e).__name__})"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, few repeats (CI smoke)")
    ap.add_argument("--repeats", type=int, default=None, help="timed repeats per workload")
    ap.add_argument("--only", default=",".join(WORKLOADS),
                    help=f"comma-separated workloads to run, of {','.join(WORKLOADS)} (default: all)")
    args = ap.parse_args()
    only = set(args.only.split(","))
    if not only <= set(WORKLOADS):
        ap.error(f"--only: unknown workload(s) {','.join(sorted(only - set(WORKLOADS)))}")

    import shoal
    import shoal.numpy as snp

    cp, device = load_cupy()
    try:
        shoal.init(gpus=1, cpus=1)
    except ValueError:  # a CPU build, or no GPU: shoal's CPU actors stand in (CI smoke run)
        shoal.init(cpus=2)
    info = shoal.runtime_info()
    on_gpu = any(a["kind"] == "gpu" for a in info["actors"])
    if not on_gpu:
        cp = None  # comparing CPU actors with a GPU would mean nothing

    if args.quick:
        log_n, n_mat, n_chain, n_trip, repeats = 20, 512, 200, 50, 3
    else:
        log_n, n_mat, n_chain, n_trip, repeats = 28, 8192, 2000, 500, 7
    repeats = args.repeats or repeats
    n_elem = 1 << log_n

    rng = numpy.random.default_rng(0)
    f32 = numpy.float32
    # Arrays of workloads left out are tiny stand-ins (the full ones cost seconds to make).
    big = n_elem if only & {"abc", "sum"} else 1
    a, b, c = (rng.random(big if i == 0 or "abc" in only else 1, dtype=f32) for i in range(3))
    mat = n_mat if "matmul" in only else 1
    ma, mb = (rng.random((mat, mat), dtype=f32) - f32(0.5) for _ in range(2))
    small = rng.random(1000, dtype=f32)
    sa, sb, sc, sma, smb, ssmall = (snp.asarray(x) for x in (a, b, c, ma, mb, small))
    shoal.wait(sa, sb, sc, sma, smb, ssmall)
    if cp is not None:
        ca, cb, cc, cma, cmb, csmall = (cp.asarray(x) for x in (a, b, c, ma, mb, small))
        cstream = cp.cuda.get_current_stream()
        csync = cstream.synchronize
        csync()

    rows = []  # (workload, shoal, cupy, ratio, roofline, check)

    def check(got, want, rtol, atol=0.0):
        return "ok" if numpy.allclose(got, want, rtol=rtol, atol=atol) else "MISMATCH"

    # Ceilings measured now: device copy bandwidth (read + write bytes) and the sgemm rate.
    copy_bw = sgemm_time = None
    if cp is not None:
        dst = cp.empty_like(ca)
        t = median_time(lambda: (cp.copyto(dst, ca), csync()), repeats)
        copy_bw = 2 * ca.nbytes / t
        del dst

    def paired(f_shoal, f_cupy, reps):
        """shoal's and CuPy's medians, timed in turns (CuPy's None without CuPy)."""
        return paired_median_times(f_shoal, f_cupy if cp is not None else None, reps)

    def roof(nbytes, t):
        return f"{nbytes / copy_bw / t:.2f}" if copy_bw else "-"

    # (a) a*b+c: 3 reads + 1 write
    if "abc" in only:
        t_s, t_c = paired(lambda: shoal.wait(sa * sb + sc), lambda: (ca * cb + cc, csync()), repeats)
        ok = check(numpy.asarray(sa * sb + sc), a * b + c, 1e-6)
        rows.append((f"a*b+c, 2^{log_n} f32", t_s, t_c, roof(4 * a.nbytes, t_s), ok))

    # (b) sum: 1 read
    if "sum" in only:
        t_s, t_c = paired(lambda: float(sa.sum()), lambda: float(ca.sum()), 3 * repeats)
        ok = check(float(sa.sum()), float(a.astype(numpy.float64).sum()), 1e-4)
        rows.append((f"sum, 2^{log_n} f32", t_s, t_c, roof(a.nbytes, t_s), ok))

    # (c) matmul: the floor is CuPy's (cuBLAS) sgemm time itself
    mat_repeats = max(3, repeats - 2)
    flops = 2.0 * n_mat ** 3
    if "matmul" in only:
        t_s, sgemm_time = paired(lambda: shoal.wait(sma @ smb), lambda: (cma @ cmb, csync()), mat_repeats)
        got = numpy.asarray(sma @ smb)
        if cp is not None:
            want = cp.asnumpy(cma @ cmb)  # the same product in fp32 on the device
        else:
            want = ma.astype(numpy.float64) @ mb.astype(numpy.float64)
        ok = check(got, want, 1e-3, atol=1e-3 * numpy.sqrt(n_mat))
        rate = f"{flops / t_s / 1e12:.1f} TFLOP/s"
        rows.append((f"matmul, {n_mat}x{n_mat} f32 ({rate})", t_s, sgemm_time,
                     f"{sgemm_time / t_s:.2f}" if sgemm_time else "-", ok))

    # (d1) per-op overhead: a lazily fused chain, one sync at the end
    def chain(x, sync):
        for _ in range(n_chain):
            x = x * 1.0001 + 1.0
        sync(x)
        return x

    if "chain" in only:
        t_s, t_c = paired(lambda: chain(ssmall, shoal.wait), lambda: chain(csmall, lambda x: csync()), repeats)
        t_s, t_c = t_s / (2 * n_chain), t_c and t_c / (2 * n_chain)
        ok = check(numpy.asarray(chain(ssmall, shoal.wait)), chain(small, lambda x: None), 1e-4)
        rows.append((f"per-op, chain x*1.0001+1.0 x{n_chain} (1000 f32)", t_s, t_c, "-", ok, "rate"))

    # (d2) per-op round trip: every op dispatched and its result read
    def trips(x):
        total = 0.0
        for _ in range(n_trip):
            total += float(x.sum())
        return total

    if "trip" in only:
        t_s, t_c = paired(lambda: trips(ssmall), lambda: trips(csmall), repeats)
        t_s, t_c = t_s / n_trip, t_c and t_c / n_trip
        ok = check(trips(ssmall), trips(small), 1e-4)
        rows.append((f"per-op, round trip float(x.sum()) x{n_trip} (1000 f32)", t_s, t_c, "-", ok, "rate"))

    # ---- report
    heads = ("workload", "shoal", "cupy", "ratio", "roofline", "check")
    cells = []
    for r in rows:
        w, ts, tc, rf, k = r[:5]
        f = fmt_rate if len(r) > 5 else fmt_time
        cells.append((w, f(ts), f(tc), f"{tc / ts:.2f}" if tc else "-", rf, k))
    print_table(heads, cells, left=(0, 5))
    print()
    print(f"ratio = cupy time / shoal time (> 1: shoal faster); medians of {repeats} repeats "
          f"({3 * repeats} for sum, {mat_repeats} for matmul) after a warm-up, in turns of 5.")
    if copy_bw:
        sgemm = f"; sgemm {flops / sgemm_time / 1e12:.1f} TFLOP/s (CuPy matmul)" if sgemm_time else ""
        print(f"roofline: device copy {copy_bw / 1e12:.2f} TB/s (read + write, CuPy copyto){sgemm}")
    actors = info["actors"]
    print(f"shoal: {len(actors)} actors ({', '.join(x['name'] for x in actors)}); "
          f"SHOAL_LINGER_US={os.environ.get('SHOAL_LINGER_US', 'default')}, "
          f"SHOAL_YIELD_US={os.environ.get('SHOAL_YIELD_US', 'default')}")
    extra = f", cupy {cp.__version__} on {device}" if cp is not None else f"; no CuPy column: {device}"
    print(f"python {platform.python_version()}, numpy {numpy.__version__}{extra}")
    return 1 if any(r[4] != "ok" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
