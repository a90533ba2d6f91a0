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
import sys

from benchkit import run_built_program


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="short gaps, few rounds (CI smoke test)")
    ap.add_argument("--rounds", type=int, default=200, help="hand-overs per gap and way")
    args = ap.parse_args()
    argv = ["--rounds", 20 if args.quick else args.rounds] + (["--max-gap", 400] if args.quick else [])
    return run_built_program("actors/bench_wake", argv, timeout=300)


if __name__ == "__main__":
    sys.exit(main())
