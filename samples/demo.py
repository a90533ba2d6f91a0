"""shoal demo: two real workloads, written once, run with shoal and with NumPy.

`make demo` runs this on the embedded default cluster (one CPU actor per socket, or
$SHOAL_CPUS of them). Each workload is a plain function of the array module `xp`, so the
very same code runs with `shoal.numpy` and with `numpy`; the script checks that the answers
agree, times both, and prints which actors held the shards.

  heat2d        explicit 2-D heat-equation stencil on a 1024x1024 float64 grid (slicing,
                slice assignment, elementwise arithmetic)
  black-scholes European call and put prices for 4M options (float64; exp, log, sqrt,
                where, and the Abramowitz-Stegun normal CDF)

Exit status: 0 when every answer matches NumPy's, 1 otherwise.
"""
import argparse
import math
import sys
import time

import numpy

# ---------------------------------------------------------------- the workloads


def heat2d(xp, n, steps, alpha=0.2):
    """Jacobi sweeps of du/dt = alpha * laplace(u) with a hot edge and a hot square."""
    u = xp.zeros((n, n))                             # float64
    u[0, :] = 100.0                                  # hot top edge, held fixed
    u[n // 3 : n // 2, n // 3 : n // 2] = 50.0       # hot square in the interior
    for _ in range(steps):
        u[1:-1, 1:-1] = u[1:-1, 1:-1] + alpha * (
            u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2] + u[1:-1, 2:] - 4.0 * u[1:-1, 1:-1]
        )
    return u


def norm_cdf(xp, x):
    """Standard normal CDF, Abramowitz & Stegun 26.2.17 (absolute error < 7.5e-8)."""
    a1, a2, a3, a4, a5 = 0.319381530, -0.356563782, 1.781477937, -1.821255978, 1.330274429
    ax = xp.abs(x)
    k = 1.0 / (1.0 + 0.2316419 * ax)
    poly = k * (a1 + k * (a2 + k * (a3 + k * (a4 + k * a5))))
    w = 1.0 - (1.0 / math.sqrt(2.0 * math.pi)) * xp.exp(-0.5 * x * x) * poly
    return xp.where(x < 0, 1.0 - w, w)


def black_scholes(xp, s, k, t, r, v):
    """Prices of European calls and puts (spot s, strike k, years t, rate r, volatility v)."""
    sqrt_t = xp.sqrt(t)
    d1 = (xp.log(s / k) + (r + 0.5 * v * v) * t) / (v * sqrt_t)
    d2 = d1 - v * sqrt_t
    discounted_k = k * xp.exp(-r * t)
    call = s * norm_cdf(xp, d1) - discounted_k * norm_cdf(xp, d2)
    put = discounted_k * norm_cdf(xp, -d2) - s * norm_cdf(xp, -d1)
    return call, put


def bs_inputs(n, seed=42):
    """Option parameters as NumPy arrays (the same inputs go to both libraries)."""
    rng = numpy.random.default_rng(seed)
    s = rng.uniform(5.0, 30.0, n)
    k = rng.uniform(1.0, 100.0, n)
    t = rng.uniform(0.25, 10.0, n)
    v = rng.uniform(0.1, 0.6, n)
    return s, k, t, 0.02, v


# ---------------------------------------------------------------- running and timing


def to_numpy(result):
    """Reads a result (an array or a tuple of arrays) back as NumPy: forces shoal to finish."""
    if isinstance(result, tuple):
        return tuple(numpy.asarray(x) for x in result)
    return numpy.asarray(result)


def timed(fn):
    t0 = time.perf_counter()
    result = fn()
    host = to_numpy(result)
    return time.perf_counter() - t0, result, host


def agree(a, b):
    if isinstance(a, tuple):
        return all(agree(x, y) for x, y in zip(a, b))
    return a.shape == b.shape and numpy.allclose(a, b, rtol=1e-9, atol=1e-9)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (a smoke test)")
    ap.add_argument("--numpy-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.numpy_only:  # validates this script without the runtime: numpy plays shoal
        snp, runtime_info = numpy, lambda: {"actors": [
            {"name": "numpy", "kind": "cpu", "node": "-", "shards": 0, "bytes": 0}]}
    else:
        import shoal
        import shoal.numpy as snp

        shoal.init()
        runtime_info = shoal.runtime_info

    n, steps, n_opts = (256, 20, 1 << 16) if args.quick else (1024, 100, 4 << 20)
    s, k, t, r, v = bs_inputs(n_opts)
    # Inputs enter shoal before the clock starts; summing them waits for the copy.
    ss, sk, st, sv = (snp.asarray(x) for x in (s, k, t, v))
    for x in (ss, sk, st, sv):
        float(x.sum())

    # Warm-up (thread pools, first-use paths) on tiny sizes, untimed.
    to_numpy(heat2d(snp, 64, 2))
    to_numpy(black_scholes(snp, ss[:1000], sk[:1000], st[:1000], r, sv[:1000]))

    rows = []
    keep = []  # shoal results stay alive until runtime_info is read
    for name, run_shoal, run_numpy in [
        (f"heat2d {n}x{n} f64, {steps} steps",
         lambda: heat2d(snp, n, steps), lambda: heat2d(numpy, n, steps)),
        (f"black-scholes {n_opts / 2**20:g}M options f64",
         lambda: black_scholes(snp, ss, sk, st, r, sv), lambda: black_scholes(numpy, s, k, t, r, v)),
    ]:
        t_shoal, result, host = timed(run_shoal)
        t_numpy, _, expected = timed(run_numpy)
        keep.append(result)
        rows.append((name, t_shoal, t_numpy, agree(host, expected)))
    actors = runtime_info()["actors"]

    w = max(len(r[0]) for r in rows)
    print(f"{'workload':<{w}}  {'shoal s':>8}  {'numpy s':>8}  {'ratio':>6}  check")
    print("-" * (w + 38))
    for name, ts, tn, ok in rows:
        print(f"{name:<{w}}  {ts:8.3f}  {tn:8.3f}  {tn / ts:6.2f}  {'ok' if ok else 'MISMATCH'}")
    print("ratio = numpy time / shoal time (> 1: shoal faster); shoal times include reading "
          "the result back into NumPy")
    print()
    print(f"actors used: {len(actors)}")
    for a in actors:
        print(f"  {a['name']:<8} {a['kind']:<4} node={a['node']:<12} shards={a['shards']:<5} "
              f"{a['bytes'] / 2**20:8.1f} MiB")
    del keep

    if not all(r[3] for r in rows):
        print("MISMATCH: shoal's answer differs from NumPy's", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
