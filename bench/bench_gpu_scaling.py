"""shoal on 1, 2 and 4 GPUs (one GPU actor each, one process), against CuPy on one GPU in the
same run (issue 7's scaling table).

Workloads (float32, inputs already on the devices, results left there):
  a*b+c     elementwise over N = 2^28 elements (strong: N on every g; weak: N*g)
  sum       float(x.sum()) over N (strong) and N*g (weak): partials all-reduced over NCCL
  matmul    8192^2 and 16384^2 (strong): B's panels broadcast over NCCL
  stencil   one Jacobi step of the heat stencil (tests/python/_heat.py) in place on an
            S x S grid, S = 16384 (strong) and (S*g) x S (weak): halos between GPUs

For each GPU count g, shoal.init(gpus=g, cpus=1) (shut down between), and every workload is
timed in turns with the same work done by CuPy on one GPU (benchkit.paired_median_times: a
drift of the machine's speed moves both alike), after a warm-up. Columns:
  speedup     shoal's work rate on g GPUs over its rate on 1 (weak: g times the work)
  efficiency  speedup / g (strong scaling for strong rows, weak for weak rows)
  x cupy      CuPy's time over shoal's (> 1: shoal faster than one GPU with CuPy)
  nccl        runtime_info()["collectives"]: the GPU actors' NCCL group is on
Results are checked against CuPy (NumPy without it): "ok" or MISMATCH (exit code 1).

  python bench/bench_gpu_scaling.py                # g in 1, 2, 4 up to the visible GPUs
  python bench/bench_gpu_scaling.py --gpus 1,2     # these counts only
  python bench/bench_gpu_scaling.py --quick        # small sizes; without a GPU (a CPU build,
                                                   # CI) g CPU actors stand in and the CuPy
                                                   # columns stay empty
NCCL_NVLS_ENABLE=0 is set unless given: NVLink multicast stays off (issue 7).
"""
import argparse
import os
import platform
import sys

os.environ.setdefault("NCCL_NVLS_ENABLE", "0")  # before shoal (and NCCL) load

import numpy  # noqa: E402

from bench_gpu import load_cupy  # noqa: E402
from benchkit import fmt_time, paired_median_times, print_table  # noqa: E402


def step(x):
    """One Jacobi step of the interior of x, in place (the stencil of tests/python/_heat.py)."""
    x[1:-1, 1:-1] = (x[:-2, 1:-1] + x[2:, 1:-1] + x[1:-1, :-2] + x[1:-1, 2:]) * 0.25


def elems(n):
    """n as a power of two (times an odd factor): 2^28, 3x2^28."""
    low = n & -n
    k = low.bit_length() - 1
    return f"2^{k}" if n == low else f"{n // low}x2^{k}"


def close(got, want, rtol, atol=0.0):
    return "ok" if numpy.allclose(got, want, rtol=rtol, atol=atol) else "MISMATCH"


class Run:
    """One runtime of g actors: times each workload against CuPy and checks its results.
    A row: (series, workload, scaling, g, work units, shoal s, cupy s, check); a series is
    one line of the scaling table's g = 1, 2, 4 (the weak ones grow with g)."""

    def __init__(self, g, data, cp, repeats):
        import shoal.numpy as snp
        self.g, self.d, self.cp, self.repeats, self.snp = g, data, cp, repeats, snp
        self.rows = []

    def timed(self, series, name, scaling, work, f_shoal, f_cupy, ok, repeats=None):
        t_s, t_c = paired_median_times(f_shoal, f_cupy if self.cp is not None else None,
                                       repeats or self.repeats)
        self.rows.append((series, name, scaling, self.g, work, t_s, t_c, ok()))

    def sync(self):
        self.cp.cuda.get_current_stream().synchronize()

    def on_cupy(self, *hosts):
        return [self.cp.asarray(h) for h in hosts] if self.cp is not None else [None] * len(hosts)

    def elementwise(self, n, scaling, work):
        import shoal
        a, b, c = (x[:n] for x in self.d["abc"])
        sa, sb, sc = (self.snp.asarray(x) for x in (a, b, c))
        ca, cb, cc = self.on_cupy(a, b, c)
        self.timed(f"a*b+c {scaling}", f"a*b+c, {elems(n)} f32", scaling, work,
                   lambda: shoal.wait(sa * sb + sc), lambda: (ca * cb + cc, self.sync()),
                   lambda: close(numpy.asarray(sa * sb + sc), a * b + c, 1e-6))
        self.timed(f"sum {scaling}", f"sum, {elems(n)} f32", scaling, work,
                   lambda: float(sa.sum()), lambda: float(ca.sum()),
                   lambda: close(float(sa.sum()), numpy.sum(a, dtype=numpy.float64), 1e-4),
                   repeats=3 * self.repeats)

    def matmul(self, n):
        import shoal
        ma, mb = (numpy.ascontiguousarray(m[:n, :n]) for m in self.d["mat"])
        sa, sb = self.snp.asarray(ma), self.snp.asarray(mb)
        ca, cb = self.on_cupy(ma, mb)

        # The same fp32 product by cuBLAS on one GPU; without CuPy, float64 NumPy on the first
        # rows (a whole 16384^3 product on the host would take minutes).
        rows = n if ca is not None else min(n, 256)

        def ok():
            got = numpy.asarray(sa @ sb)[:rows]
            want = self.cp.asnumpy(ca @ cb) if ca is not None else \
                ma[:rows].astype(numpy.float64) @ mb.astype(numpy.float64)
            return close(got, want, 1e-3, atol=1e-3 * numpy.sqrt(n))

        name = f"matmul {n}x{n} f32"
        self.timed(name, name, "strong", 1, lambda: shoal.wait(sa @ sb), lambda: (ca @ cb, self.sync()), ok,
                   repeats=max(3, self.repeats - 2))

    def stencil(self, rows, scaling, work):
        import shoal
        host = self.d["grid"][:rows]
        sx = self.snp.asarray(host)
        cx = self.on_cupy(host)[0]
        ref = cx if cx is not None else host.copy()
        step(sx)  # the check: one step on each side from the same grid
        step(ref)
        ok = close(numpy.asarray(sx), self.cp.asnumpy(ref) if cx is not None else ref, 1e-6)
        self.timed(f"stencil {scaling}", f"stencil {rows}x{host.shape[1]} f32", scaling, work,
                   lambda: (step(sx), shoal.wait(sx)), lambda: (step(cx), self.sync()), lambda: ok)


def measure(g, on_gpu, sizes, data, cp, repeats):
    """Every workload on a fresh runtime of g GPU actors (or g CPU actors standing in)."""
    import shoal
    if on_gpu:
        shoal.init(gpus=g, cpus=1)
    else:
        shoal.init(cpus=g, gpus=0)
    r = Run(g, data, cp, repeats)
    n, s = sizes["n"], sizes["grid"]
    work = [lambda: r.elementwise(n, "strong", 1), lambda: r.elementwise(n * g, "weak", g)]
    work += [lambda m=m: r.matmul(m) for m in sizes["mat"]]
    work += [lambda: r.stencil(s, "strong", 1), lambda: r.stencil(s * g, "weak", g)]
    try:
        for w in work:
            w()
            if cp is not None:  # CuPy's cached blocks would crowd shoal's share of GPU 0
                cp.get_default_memory_pool().free_all_blocks()
        nccl = shoal.runtime_info()["collectives"]
    finally:
        shoal.shutdown()
    return [row + (nccl,) for row in r.rows]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, few repeats (CI smoke)")
    ap.add_argument("--gpus", default=None, help="comma-separated GPU counts (default: 1,2,4 up to the visible)")
    ap.add_argument("--repeats", type=int, default=None, help="timed repeats per workload")
    args = ap.parse_args()

    from shoal import _shoal
    visible = _shoal.gpu_count()
    on_gpu = visible > 0
    quick = args.quick or not on_gpu
    if not args.quick and not on_gpu:
        print("bench_gpu_scaling: no GPU visible to shoal: quick sizes on CPU actors instead")
    if args.gpus:
        try:
            counts = sorted({int(x) for x in args.gpus.split(",")})
        except ValueError:
            ap.error(f"--gpus takes comma-separated counts, got {args.gpus!r}")
        if counts[0] < 1:
            ap.error(f"--gpus {args.gpus}: counts are >= 1")
        if on_gpu and counts[-1] > visible:
            ap.error(f"--gpus {args.gpus}: only {visible} GPU(s) are visible")
    else:
        counts = [g for g in (1, 2, 4) if g <= visible] if on_gpu else [1, 2]

    cp, device = load_cupy() if on_gpu else (None, "no GPU visible to shoal")
    if quick:
        sizes, repeats = {"n": 1 << 20, "mat": [256, 512], "grid": 1024}, 3
    else:
        sizes, repeats = {"n": 1 << 28, "mat": [8192, 16384], "grid": 16384}, 5
    repeats = args.repeats or repeats
    gmax = counts[-1]
    rng = numpy.random.default_rng(0)
    f32 = numpy.float32
    data = {"abc": [rng.random(sizes["n"] * gmax, dtype=f32) for _ in range(3)],
            "mat": [rng.random((sizes["mat"][-1],) * 2, dtype=f32) - f32(0.5) for _ in range(2)],
            "grid": rng.random((sizes["grid"] * gmax, sizes["grid"]), dtype=f32)}

    rows = []
    for g in counts:
        rows += measure(g, on_gpu, sizes, data, cp, repeats)

    base = {r[0]: r for r in rows if r[3] == 1}
    heads = ("workload", "scaling", "g", "shoal", "cupy (1 GPU)", "speedup", "efficiency", "x cupy",
             "nccl", "check")
    series = list(dict.fromkeys(r[0] for r in rows))
    cells = []
    for key, name, scaling, g, work, t_s, t_c, ok, nccl in sorted(rows, key=lambda r: (series.index(r[0]), r[3])):
        b = base.get(key)
        speedup = (work / t_s) / (b[4] / b[5]) if b else None  # work rates
        cells.append((name, scaling, str(g), fmt_time(t_s), fmt_time(t_c),
                      f"{speedup:.2f}" if speedup else "-", f"{speedup / g:.2f}" if speedup else "-",
                      f"{t_c / t_s:.2f}" if t_c else "-", str(nccl), ok))
    print_table(heads, cells, left=(0, 1))
    print()
    unit = "GPU actors" if on_gpu else "CPU actors standing in for GPUs"
    print(f"g = {unit}; medians of {repeats} repeats ({3 * repeats} for sum, {max(3, repeats - 2)} for "
          f"matmul) after a warm-up, shoal and CuPy in turns; speedup and efficiency against g=1 "
          f"(weak rows: work grows with g)")
    if on_gpu and any(c[8] == "False" for c in cells if int(c[2]) > 1):
        print("WARNING: the NCCL group is off on several GPUs (see stderr): pieces and reductions "
              "took the host path")
    print(f"NCCL_NVLS_ENABLE={os.environ.get('NCCL_NVLS_ENABLE')}; python {platform.python_version()}, "
          f"numpy {numpy.__version__}" + (f", cupy {cp.__version__} on {device}" if cp is not None
                                          else f"; no CuPy column: {device}"))
    return 1 if any(c[9] != "ok" for c in cells) else 0


if __name__ == "__main__":
    sys.exit(main())
