"""Moving a shard between two nodes on loopback: shoal's wire (envelope + raw frame) over an
unencrypted link and over CurveZMQ (the default), against a plain ZeroMQ send of the same
bytes, measured in the same run; plus the round trip of a tiny message.

The work is done by the C++ program bench_transport (transport/bench/bench_transport.cpp,
built by `make build`): two threads with a zmq context each, talking over 127.0.0.1 TCP like
two node processes. Ratio = plain zmq time / shoal time, so > 1 means shoal is faster.

  python bench/bench_transport.py            # 256 MiB, median of 5
  python bench/bench_transport.py --quick    # 1 MiB (CI smoke test, about a second)
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
        exe = d / "transport" / "bench_transport"
        if exe.exists():
            return exe
    sys.exit("bench_transport not built: run `make build` first")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="tiny sizes (CI smoke test)")
    ap.add_argument("--mib", type=int, default=256, help="buffer size in MiB")
    ap.add_argument("--reps", type=int, default=5, help="timed repeats (median)")
    args = ap.parse_args()
    mib, reps, rtt = (1, 3, 100) if args.quick else (args.mib, args.reps, 2000)
    cmd = [str(find_binary()), "--mib", str(mib), "--reps", str(reps), "--rtt", str(rtt)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    sys.stdout.write(r.stdout)
    sys.stderr.write(r.stderr)
    return r.returncode


if __name__ == "__main__":
    sys.exit(main())
