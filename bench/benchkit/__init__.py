"""Helpers the bench/*.py scripts share: timing (median after a warm-up), number formats and
the result table. (A package, not a bench/*.py file, so `make bench` does not run it.)"""
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_built_program(rel, args, timeout=600):
    """Runs the program `make build` made at `rel` inside the build dir ($BUILD, else build/),
    with `args`; echoes its output and returns its exit code (exits with a hint if not built)."""
    for d in (ROOT / os.environ.get("BUILD", "build"), ROOT / "build"):
        exe = d / rel
        if exe.exists():
            break
    else:
        sys.exit(f"{Path(rel).name} not built: run `make build` first")
    r = subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True, timeout=timeout)
    sys.stdout.write(r.stdout)
    sys.stderr.write(r.stderr)
    return r.returncode


def median_time(fn, repeats, warmup=1):
    """Median wall time of fn() over `repeats` runs after `warmup` untimed runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def paired_median_times(fa, fb, repeats, warmup=1, block=5):
    """Medians of fa() and fb() timed in turns of `block` calls each (a x5, b x5, a x5, ...),
    `repeats` calls of each in all, so that a machine whose speed drifts during the run moves
    both alike. Blocks rather than single calls: a call right after the other library's keeps
    finding its threads asleep (the other one ran meanwhile), which a loop of its own calls, the
    case measured here, does not. fb None: (fa's median, None)."""
    if fb is None:
        return median_time(fa, repeats, warmup), None
    for _ in range(warmup):
        fa()
        fb()
    ta, tb = [], []
    while len(ta) < repeats:
        n = min(block, repeats - len(ta))
        for fn, times in ((fa, ta), (fb, tb)):
            for _ in range(n):
                t0 = time.perf_counter()
                fn()
                times.append(time.perf_counter() - t0)
    return statistics.median(ta), statistics.median(tb)


def fmt_time(sec):
    """Seconds as s / ms / us; None (not measured) as '-'."""
    if sec is None:
        return "-"
    if sec >= 1.0:
        return f"{sec:.3f} s"
    if sec >= 1e-3:
        return f"{sec * 1e3:.2f} ms"
    return f"{sec * 1e6:.1f} us"


def fmt_rate(sec_per_op):
    """Seconds per op as 'us/op (kop/s)'; None as '-'."""
    if sec_per_op is None:
        return "-"
    return f"{sec_per_op * 1e6:.2f} us/op ({1.0 / sec_per_op / 1e3:.1f} kop/s)"


def print_table(heads, cells, left=(0,)):
    """Prints rows of strings under `heads`, columns in `left` left-aligned, others right."""
    widths = [max(len(h), *(len(row[i]) for row in cells)) for i, h in enumerate(heads)]

    def line(row):
        return " | ".join(x.ljust(wd) if i in left else x.rjust(wd)
                          for i, (x, wd) in enumerate(zip(row, widths)))

    print(line(heads))
    print("-+-".join("-" * wd for wd in widths))
    for row in cells:
        print(line(row))
