"""How long a thread takes to run again after it is handed work, by how long it sat idle: asleep
on a condition variable (a detached actor that does not linger) against yielding (one that
lingers, actors/linger.hpp). On VMs the sleeper's delay jumps once the idle time passes the
hypervisor's halt-polling window; that jump is what every op after a long GPU kernel paid.

The work is done by the C++ program bench_wake (actors/bench/bench_wake.cpp, built by
`make build`). Ratio = asleep / yielding (> 1: lingering answers sooner).

  python bench/bench_wake.py            # gaps 10 us .. 3 ms, 200 rounds each
  python bench/bench_wake.py --quick    # gaps up to 400 us, 20 rounds (CI smoke test)
"""
import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def find_binary():
    build = os.environ.get("BUILD", "build")
    for d in [ROOT / build, ROOT / "build"]:
        exe = d / "actors" / "bench_wake"
        if exe.exists():
            return exe
    sys.exit("bench_wake not built: run `make build` first")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="short gaps, few rounds (CI smoke test)")
    ap.add_argument("--rounds", type=int, default=200, help="hand-overs per gap and way")
    args = ap.parse_args()
    cmd = [str(find_binary()), "--rounds", str(20 if args.quick else args.rounds)]
    if args.quick:
        cmd += ["--max-gap", "400"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    sys.stdout.write(r.stdout)
    sys.stderr.write(r.stderr)
    return r.returncode


if __name__ == "__main__":
    sys.exit(main())
