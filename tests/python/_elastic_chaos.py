"""The elastic chaos loop, run as a script (a fresh runtime per run):

    python _elastic_chaos.py SEED [ITERS]

Runs a 2-d heat stencil plus a sum per iteration on 2 CPU actors, once undisturbed and once
while a CPU actor joins and another drains at iterations drawn from SEED; prints "OK" when
the final grid and every sum are bit-identical (and a digest of them, which a run under
$SHOAL_FAULT must reproduce), else the seed, the schedule and the first
difference (exit 1).
"""
import random
import sys

import numpy

import _heat as heat
import shoal
import shoal.numpy as np


def loop(iters, events):
    shoal.init(cpus=2, min_tile_elems=256, threads_per_actor=1, timeout_ms=120000)
    x = np.random.default_rng(5).random((96, 96))
    sums = []
    for i in range(iters):
        for what, at in events:
            if at == i:
                if what == "join":
                    shoal.add_actor()
                else:
                    shoal.drain(what)
        heat.step(x)
        sums.append(x.sum())
    out = numpy.asarray(x), [float(s) for s in sums]
    info = shoal.runtime_info()
    shoal.shutdown()
    return out, info


def check_same(grid0, sums0, grid1, sums1, what):
    """Exits 1 with `what` (the seed and schedule) and the first difference unless the grids
    and every sum are bit-identical; returns the digest a faulty run must reproduce."""
    if grid0.tobytes() != grid1.tobytes() or sums0 != sums1:
        bad = numpy.argwhere(grid0 != grid1)
        print(f"MISMATCH {what} first grid difference at "
              f"{bad[0].tolist() if len(bad) else None}, sums equal: {sums0 == sums1}")
        sys.exit(1)
    return heat.digest(grid1, sums1)


def main():
    seed = int(sys.argv[1])
    iters = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    rng = random.Random(seed)
    join_at = rng.randrange(0, iters // 2)
    drain_at = rng.randrange(join_at, iters)
    victim = rng.choice(["cpu0", "cpu1", "cpu2"])  # cpu2 is the one that joined
    events = [("join", join_at), (victim, drain_at)]
    (grid0, sums0), _ = loop(iters, [])
    (grid1, sums1), info = loop(iters, events)
    states = {a["name"]: (a["state"], a["shards"]) for a in info["actors"]}
    digest = check_same(grid0, sums0, grid1, sums1, f"seed={seed} events={events}")
    if states[victim] != ("left", 0):
        print(f"NOT DRAINED seed={seed} events={events} states={states}")
        sys.exit(1)
    print(f"OK seed={seed} events={events} rebalances={info['migration']['rebalances']} "
          f"digest={digest}")


if __name__ == "__main__":
    main()
