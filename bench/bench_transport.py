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
import sys

from benchkit import run_built_program


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="tiny sizes (CI smoke test)")
    ap.add_argument("--mib", type=int, default=256, help="buffer size in MiB")
    ap.add_argument("--reps", type=int, default=5, help="timed repeats (median)")
    args = ap.parse_args()
    mib, reps, rtt = (1, 3, 100) if args.quick else (args.mib, args.reps, 2000)
    return run_built_program("transport/bench_transport",
                             ["--mib", mib, "--reps", reps, "--rtt", rtt], timeout=600)


if __name__ == "__main__":
    sys.exit(main())
