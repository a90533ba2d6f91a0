"""The crash chaos loop, run as a script (a fresh runtime per process):

    python _recovery_chaos.py SEED [ITERS]          the driver: two runs, compared
    python _recovery_chaos.py --run SEED ITERS      one run (the driver's child)

A 2-d heat stencil plus a sum per iteration on 3 CPU actors while a CPU actor joins and
another drains at iterations drawn from SEED. The driver runs it twice in fresh processes:
undisturbed, and under $SHOAL_FAULT with one actor killed after a random number of its tasks
(kill_after:task:N:A: it stops mid-loop, as if its node died) and pieces duplicated, delayed
and dropped. It prints "OK" and the digest when the final grid and every sum are
bit-identical, else the seed, the schedule and both digests (exit 1).
"""
import json
import os
import random
import subprocess
import sys

import numpy

import _heat as heat


def schedule(seed, iters):
    rng = random.Random(seed)
    join_at = rng.randrange(0, iters // 2)
    drain_at = rng.randrange(join_at, iters)
    drained = rng.choice(["cpu0", "cpu1", "cpu2", "cpu3"])  # cpu3 is the one that joins
    # The victim (by index) is killed after a random number of its tasks; one it never runs
    # (an actor that joins late) means no kill, which the runs below must survive too.
    victim = rng.choice([i for i in range(4) if f"cpu{i}" != drained])  # not one that leaves
    kill_after = rng.randrange(20, 400)
    fault = (f"kill_after:task:{kill_after}:{victim},dup:piece:{rng.choice([0, 0.1, 0.3])},"
             f"delay:piece:{rng.choice([0, 1, 2])}ms,drop:piece:{rng.choice([0.05, 0.1, 0.2])}")
    return {"events": [["join", join_at], [drained, drain_at]], "fault": fault}


def run(seed, iters):
    import shoal
    import shoal.numpy as np

    events = schedule(seed, iters)["events"]
    shoal.init(cpus=3, min_tile_elems=256, threads_per_actor=1, timeout_ms=120000)
    x = np.random.default_rng(5).random((96, 96))
    w = np.asarray(numpy.linspace(0.0, 1.0, 96 * 96).reshape(96, 96))  # host data
    sums = []
    for i in range(iters):
        for what, at in events:
            if at == i:
                if what == "join":
                    shoal.add_actor()
                else:
                    try:
                        shoal.drain(what)
                    except ValueError:
                        pass  # the actor is dead, or the last one left in placement
        heat.step(x)
        x = x + w * 1e-3
        sums.append(x.sum())
    grid = numpy.asarray(x)
    sums = [float(s) for s in sums]
    info = shoal.runtime_info()
    shoal.shutdown()
    digest = heat.digest(grid, sums)
    states = {a["name"]: a["state"] for a in info["actors"]}
    print(json.dumps({"digest": digest, "states": states, "recovery": info["recovery"]}))


def child(seed, iters, fault, timeout):
    env = dict(os.environ)
    env.pop("SHOAL_FAULT", None)
    if fault:
        env["SHOAL_FAULT"] = fault
        env["SHOAL_FAULT_SEED"] = str(seed)
        env["SHOAL_PIECE_TIMEOUT_MS"] = "50"
    r = subprocess.run([sys.executable, os.path.abspath(__file__), "--run", str(seed), str(iters)],
                       capture_output=True, text=True, timeout=timeout, env=env)
    if r.returncode != 0:
        return None, r.stdout + r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1]), r.stderr


def main():
    if sys.argv[1] == "--run":
        return run(int(sys.argv[2]), int(sys.argv[3]))
    seed = int(sys.argv[1])
    iters = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    plan = schedule(seed, iters)
    quiet, qerr = child(seed, iters, "", 300)
    noisy, nerr = child(seed, iters, plan["fault"], 300)
    if quiet is None or noisy is None or quiet["digest"] != noisy["digest"]:
        print(f"MISMATCH seed={seed} schedule={plan} quiet={quiet} noisy={noisy}\n"
              f"--- quiet stderr:\n{qerr[-3000:]}\n--- noisy stderr:\n{nerr[-3000:]}")
        sys.exit(1)
    dead = [n for n, s in noisy["states"].items() if s == "dead"]
    if dead and noisy["recovery"]["recoveries"] < 1:
        print(f"NO RECOVERY seed={seed} schedule={plan} noisy={noisy}")
        sys.exit(1)
    print(f"OK seed={seed} schedule={plan} dead={dead} recovery={noisy['recovery']} "
          f"digest={noisy['digest']}")


if __name__ == "__main__":
    main()
