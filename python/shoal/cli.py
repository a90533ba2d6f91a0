"""The ``shoal`` command: start, inspect and stop cluster nodes, and run a script on a
throw-away local cluster.

    shoal start --head [--port P] [--bind HOST] [--cpus N]   head node (writes the secret)
    shoal start --address HOST:PORT [--cpus N] [--gpus N]      a node joins
    shoal status [--address HOST:PORT]                         nodes, actors, shards, bytes, drivers
    shoal stop [NODE]                                          stops the nodes this machine started
                                                               (NODE: drains that one, then it exits)
    shoal drain NODE                                           moves every shard off NODE under the
                                                               running job, then NODE exits
    shoal run -n N script.py [args...]                         N local nodes, the script as driver
    shoal node ...                                             one node in the foreground (what
                                                               start spawns; mpirun/srun run this)

Every node is a process running ``python -m shoal node``. State lives in $SHOAL_HOME
(default ~/.shoal): ``address`` (the last head started here), ``<host>_<port>/token`` (the
cluster secret, mode 0600) and ``nodes/<pid>.json`` (what ``stop`` stops; logs beside them).
"""

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time

DEFAULT_PORT = 7474
READY_TIMEOUT_S = 60


def home():
    return os.environ.get("SHOAL_HOME") or os.path.join(os.path.expanduser("~"), ".shoal")


def _private_dir(path):
    os.makedirs(path, mode=0o700, exist_ok=True)
    return path


def token_path(address):
    from . import _shoal
    return _shoal.default_token_path(address)  # the path the C++ side reads


def write_token(address, token):
    """Writes the cluster secret readable by this user only."""
    path = token_path(address)
    _private_dir(os.path.dirname(path))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(token + "\n")
    os.chmod(path, 0o600)
    return path


def read_token(address):
    """$SHOAL_TOKEN, else the token file of the cluster at address ('' when there is none)."""
    if os.environ.get("SHOAL_TOKEN"):
        return os.environ["SHOAL_TOKEN"]
    path = os.environ.get("SHOAL_TOKEN_FILE") or token_path(address)
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return ""


def default_address():
    if os.environ.get("SHOAL_ADDRESS"):
        return os.environ["SHOAL_ADDRESS"]
    try:
        with open(os.path.join(home(), "address")) as f:
            return f.read().strip()
    except OSError:
        raise SystemExit("shoal: no cluster address: pass --address HOST:PORT, set SHOAL_ADDRESS, "
                         "or start a head here with `shoal start --head`") from None


# ---- launcher environments (mpirun / srun): rank 0 is the head

def launcher_rank():
    """(rank, size) from Open MPI, PMI (MPICH, Intel MPI) or Slurm, or None."""
    for r, s in (("OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE"), ("PMI_RANK", "PMI_SIZE"),
                 ("SLURM_PROCID", "SLURM_NTASKS")):
        if os.environ.get(r) is not None and os.environ.get(s) is not None:
            return int(os.environ[r]), int(os.environ[s])
    return None


# ---- starting and stopping node processes

def _node_command(args):
    cmd = [sys.executable, "-m", "shoal", "node", "--bind", args.bind, "--cpus", str(args.cpus),
           "--gpus", str(args.gpus)]
    if getattr(args, "exit_with", 0):
        cmd += ["--exit-with", str(args.exit_with)]
    if getattr(args, "threads_per_actor", 0):
        cmd += ["--threads-per-actor", str(args.threads_per_actor)]
    if args.head_address:
        cmd += ["--address", args.head_address]
    return cmd


def spawn_node(bind, head_address, cpus, gpus, token, threads_per_actor=0, state_dir=None, exit_with=0):
    """Starts a node process in its own session; waits until it serves and returns its record
    (pid, endpoint, name, log). Raises RuntimeError with the node's log if it fails to start.
    exit_with: a pid whose end also ends the node (throw-away clusters of `run` and tests)."""
    state_dir = _private_dir(os.path.join(state_dir or home(), "nodes"))
    args = argparse.Namespace(bind=bind, cpus=cpus, gpus=gpus, head_address=head_address,
                              threads_per_actor=threads_per_actor, exit_with=exit_with)
    fd, log = tempfile.mkstemp(prefix="node-", suffix=".log", dir=state_dir)
    env = dict(os.environ, SHOAL_TOKEN=token)
    env.pop("SHOAL_ADDRESS", None)
    with os.fdopen(fd, "w") as out:
        proc = subprocess.Popen(_node_command(args), stdout=out, stderr=subprocess.STDOUT, env=env,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        with open(log) as f:
            for line in f:
                if line.startswith("shoal-node ready "):
                    _, _, endpoint, name = line.split()[:4]
                    rec = {"pid": proc.pid, "endpoint": endpoint, "name": name, "log": log,
                           "address": endpoint.replace("tcp://", ""), "head": head_address or ""}
                    with open(os.path.join(state_dir, f"{proc.pid}.json"), "w") as f2:
                        json.dump(rec, f2)
                    return rec
        if proc.poll() is not None:
            with open(log) as f:
                raise RuntimeError(f"shoal: the node exited with code {proc.returncode}:\n{f.read()}")
        time.sleep(0.05)
    _kill(proc.pid)
    raise RuntimeError(f"shoal: the node did not start within {READY_TIMEOUT_S} s (log: {log})")


def _alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def _kill(pid, grace_s=5.0):
    """Stops a node now: SIGINT to its process group (SIGTERM would drain it first), SIGKILL
    after grace_s; reaps it if it is our child."""
    for sig in (signal.SIGINT, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        except PermissionError:
            os.kill(pid, sig)
        deadline = time.monotonic() + grace_s
        while time.monotonic() < deadline:
            try:
                if os.waitpid(pid, os.WNOHANG)[0] == pid:
                    return
            except ChildProcessError:
                if not _alive(pid):
                    return
            time.sleep(0.05)


def stop_nodes(state_dir=None):
    """Stops every node recorded under state_dir (default $SHOAL_HOME); returns how many."""
    nodes_dir = os.path.join(state_dir or home(), "nodes")
    stopped = 0
    try:
        names = sorted(os.listdir(nodes_dir))
    except FileNotFoundError:
        return 0
    # Workers first, head last (the workers stop on their own when the head goes, but slower).
    recs = []
    for n in names:
        if n.endswith(".json"):
            with open(os.path.join(nodes_dir, n)) as f:
                recs.append((os.path.join(nodes_dir, n), json.load(f)))
    recs.sort(key=lambda r: r[1].get("head", "") == "")
    for path, rec in recs:
        if _alive(rec["pid"]):
            _kill(rec["pid"])
            stopped += 1
        os.remove(path)
    return stopped


# ---- commands

def cmd_start(args):
    if args.head == bool(args.address):
        raise SystemExit("shoal start: give either --head or --address HOST:PORT")
    if args.head:
        token = os.environ.get("SHOAL_TOKEN") or secrets.token_hex(32)
        rec = spawn_node(f"{args.bind}:{args.port}", "", args.cpus, args.gpus, token, args.threads_per_actor)
        path = write_token(rec["address"], token)
        _private_dir(home())
        with open(os.path.join(home(), "address"), "w") as f:
            f.write(rec["address"] + "\n")
        print(f"shoal: head node {rec['name']} at {rec['address']} (pid {rec['pid']})")
        print(f"shoal: secret in {path} (mode 0600); drivers: shoal.init(address=\"{rec['address']}\")")
    else:
        token = read_token(args.address)
        rec = spawn_node(f"{args.bind}:{args.port if args.port != DEFAULT_PORT else 0}", args.address,
                         args.cpus, args.gpus, token, args.threads_per_actor)
        print(f"shoal: node {rec['name']} at {rec['address']} joined {args.address} (pid {rec['pid']})")
    return 0


def format_status(nodes):
    rows = [("NODE", "ENDPOINT", "ACTOR", "KIND", "SHARDS", "BYTES")]
    for n in nodes:
        for a in n["actors"] or [{"name": "-", "kind": "-", "shards": 0, "bytes": 0}]:
            rows.append((n["name"], n["endpoint"], a["name"], a["kind"], str(a["shards"]), str(a["bytes"])))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) if i < 4 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
             for r in rows]
    drivers = format_drivers(nodes)
    if drivers:
        lines += [""] + drivers
    total = sum(a["bytes"] for n in nodes for a in n["actors"])
    lines.append(f"{len(nodes)} node(s), {sum(len(n['actors']) for n in nodes)} actor(s), {total} bytes, "
                 f"{len({d['session'] for n in nodes for d in n.get('drivers', [])})} driver(s)")
    return "\n".join(lines)


def format_drivers(nodes):
    """The drivers attached to the nodes (one session each), with what they hold cluster-wide."""
    by = {}
    for n in nodes:
        for d in n.get("drivers", []):
            s = by.setdefault(d["session"], {"driver": d["driver"], "nodes": 0, "shards": 0, "bytes": 0, "idle": 0})
            s["nodes"] += 1
            s["shards"] += d["shards"]
            s["bytes"] += d["bytes"]
            s["idle"] = max(s["idle"], d["idle_ms"])
    if not by:
        return []
    rows = [("DRIVER", "SESSION", "NODES", "SHARDS", "BYTES", "IDLE_MS")]
    rows += [(s["driver"], f"{sid:016x}", str(s["nodes"]), str(s["shards"]), str(s["bytes"]), str(s["idle"]))
             for sid, s in sorted(by.items(), key=lambda kv: kv[1]["driver"])]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in rows]


def cmd_status(args):
    from . import _shoal
    address = args.address or default_address()
    if not os.environ.get("SHOAL_TOKEN"):
        tok = read_token(address)
        if tok:
            os.environ["SHOAL_TOKEN"] = tok
    print(format_status(_shoal.cluster_status(address, args.timeout_ms)))
    from .cli_drain import format_membership  # joining/draining/dead nodes, migration progress
    for line in format_membership(_shoal.cluster_view(address, args.timeout_ms)):
        print(line)
    return 0


def cmd_stop(args):
    from . import cli_drain
    if args.node:  # one node: its shards move off first, then it exits (the job continues)
        return cli_drain.cmd_drain(args)
    cli_drain.drain_departing()  # nodes of a head elsewhere: the job there goes on without them
    n = stop_nodes()
    print(f"shoal: stopped {n} node(s)")
    return 0


def cmd_run(args):
    """N local nodes on 127.0.0.1 in a private state dir, the script as driver, then stop them,
    whatever happens."""
    if args.n < 1:
        raise SystemExit("shoal run: -n must be >= 1")
    state = tempfile.mkdtemp(prefix="shoal-run-")
    token = secrets.token_hex(32)
    code = 1
    try:
        me = os.getpid()
        head = spawn_node("127.0.0.1:0", "", args.cpus, args.gpus, token, args.threads_per_actor, state, me)
        for _ in range(args.n - 1):
            spawn_node("127.0.0.1:0", head["address"], args.cpus, 0, token, args.threads_per_actor, state, me)
        env = dict(os.environ, SHOAL_ADDRESS=head["address"], SHOAL_TOKEN=token)
        proc = subprocess.Popen([sys.executable, args.script, *args.args], env=env)
        try:
            code = proc.wait(timeout=args.timeout if args.timeout > 0 else None)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            print(f"shoal run: {args.script} ran longer than {args.timeout} s; stopped", file=sys.stderr)
            code = 124
        except KeyboardInterrupt:
            proc.send_signal(signal.SIGINT)
            proc.wait()
            code = 130
    finally:
        stop_nodes(state)
        for root, dirs, files in os.walk(state, topdown=False):
            for f in files:
                os.remove(os.path.join(root, f))
            for d in dirs:
                os.rmdir(os.path.join(root, d))
        os.rmdir(state)
    return code


def _exit_with(pid):
    """Ends this process (SIGINT to itself: stop, not drain) once process `pid` is gone."""
    import threading

    def watch():
        while _alive(pid):
            time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=watch, daemon=True).start()


def cmd_node(args):
    """One node in the foreground (spawned by start/run, or by mpirun/srun: then rank 0 is
    the head on --address's port and every other rank joins it)."""
    from . import _shoal
    head = args.address or ""
    bind = args.bind
    if args.launcher:
        rr = launcher_rank()
        if rr is None:
            raise SystemExit("shoal node --launcher: no rank in the environment (OMPI_COMM_WORLD_RANK, "
                             "PMI_RANK or SLURM_PROCID)")
        if not args.address:
            raise SystemExit("shoal node --launcher: --address HOST:PORT names the head (rank 0)")
        rank, _ = rr
        if rank == 0:
            bind, head = args.address, ""
        elif ":" not in bind:
            bind += ":0"
    token = os.environ.get("SHOAL_TOKEN") or (read_token(head) if head else "")
    leave = _leave_on_signals()
    if args.exit_with:
        _exit_with(args.exit_with)
    try:
        return _shoal.run_node(bind=bind, head=head, cpus=args.cpus, gpus=args.gpus,
                               threads_per_actor=args.threads_per_actor, secret=token,
                               drain_requested=leave)
    except KeyboardInterrupt:
        return 0  # stopped (SIGINT, `shoal stop`, a second SIGTERM)


def _leave_on_signals():
    """How a node process leaves: SIGTERM (what Kubernetes, Slurm and systemd send first) drains
    it, its shards moving to the other nodes before it exits, as `shoal drain` would; SIGINT,
    or a second SIGTERM, stops it now. Returns the predicate run_node polls for the drain."""
    asked = []

    def on_term(signum, frame):
        asked.append(signum)
        if len(asked) > 1:
            raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    # Set even where SIGINT came in ignored (a background job of a shell): `shoal stop` uses it.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    return lambda: bool(asked)


def parser():
    p = argparse.ArgumentParser(prog="shoal", description="shoal cluster nodes")
    sub = p.add_subparsers(dest="command", required=True)

    def node_args(q):
        q.add_argument("--cpus", type=int, default=1, help="CPU actors on the node (default 1)")
        q.add_argument("--gpus", type=int, default=0, help="GPU actors on the node (default 0)")
        q.add_argument("--threads-per-actor", type=int, default=0, help="kernel threads per CPU actor")
        q.add_argument("--bind", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1; others are an explicit choice)")

    s = sub.add_parser("start", help="start a head node or a node that joins one")
    s.add_argument("--head", action="store_true", help="start the head node (generates the secret)")
    s.add_argument("--address", help="HOST:PORT of the head to join")
    s.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"head port (default {DEFAULT_PORT}; 0: any)")
    node_args(s)
    s.set_defaults(fn=cmd_start)

    st = sub.add_parser("status", help="nodes, actors, shards and bytes")
    st.add_argument("--address", help="HOST:PORT of the head (default: the last head started here)")
    st.add_argument("--timeout-ms", type=int, default=5000)
    st.set_defaults(fn=cmd_status)

    sp = sub.add_parser("stop", help="stop the nodes this machine started (or drain and stop one)")
    sp.add_argument("node", nargs="?", help="only this node (name or HOST:PORT): drained first, then it exits")
    sp.add_argument("--address", help="HOST:PORT of the head (with NODE; default: the last head started here)")
    sp.add_argument("--timeout", type=float, default=600, help="seconds to wait for NODE's drain")
    sp.add_argument("--timeout-ms", type=int, default=5000, help="per request to the head")
    sp.set_defaults(fn=cmd_stop)
    from .cli_drain import add_parsers
    add_parsers(sub)

    r = sub.add_parser("run", help="run a script on N local nodes, then stop them")
    r.add_argument("-n", type=int, default=2, help="nodes (the first is the head)")
    r.add_argument("--timeout", type=float, default=0, help="stop the script after this many seconds")
    node_args(r)
    r.add_argument("script")
    r.add_argument("args", nargs=argparse.REMAINDER)
    r.set_defaults(fn=cmd_run)

    n = sub.add_parser("node", help="run one node in the foreground")
    n.add_argument("--address", help="the head to join (with --launcher: the head's HOST:PORT)")
    n.add_argument("--launcher", action="store_true", help="rank and size from mpirun / srun; rank 0 is the head")
    n.add_argument("--exit-with", type=int, default=0, help="stop when the process with this pid is gone")
    node_args(n)
    n.set_defaults(fn=cmd_node)
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    if args.command == "node" and ":" not in args.bind and not args.launcher:
        args.bind += ":0"
    elif args.command in ("start",) and ":" in args.bind:
        raise SystemExit("shoal start: --bind takes a host; the port is --port")
    try:
        return args.fn(args) or 0
    except (RuntimeError, ValueError) as e:  # no head there, refused, a malformed address or setting
        print(f"shoal {args.command}: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
