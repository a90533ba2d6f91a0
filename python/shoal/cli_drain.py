"""``shoal drain NODE`` and the membership part of ``shoal status`` (see shoal/cli.py).

A drain goes through the head: it marks the node "draining"; the attached driver sees it,
moves every shard off the node through its scheduler (over the wire, bounded bytes in
flight), then releases the node, which exits. With no driver attached the head releases it
at once. This command waits for the node to leave and prints the migration progress.
"""

import json
import os
import time

from . import cli


def _node_address(endpoint):
    return endpoint.replace("tcp://", "")


def resolve_node(view, node):
    """The live node of `view` named `node` (its name, HOST:PORT or tcp:// endpoint)."""
    for n in view["nodes"]:
        if node in (n["name"], n["endpoint"], _node_address(n["endpoint"])):
            return n
    names = ", ".join(f"{n['name']} ({_node_address(n['endpoint'])})" for n in view["nodes"])
    raise SystemExit(f"shoal drain: no node '{node}' in the cluster; its nodes: {names}")


def _mib(n):
    return f"{n / 2**20:.1f} MiB"


def format_membership(view):
    """Lines for `shoal status`: nodes that are not plainly active, nodes that went, and the
    migration progress; [] when there is nothing of the kind to say."""
    lines = []
    busy = [n for n in view["nodes"] if n["state"] != "active" or n["note"]]
    rows = [(n["name"], _node_address(n["endpoint"]), n["state"], n["note"]) for n in busy]
    rows += [(n["name"], _node_address(n["endpoint"]), n["state"], n["note"]) for n in view["gone"]]
    if rows:
        rows.insert(0, ("NODE", "ADDRESS", "STATE", "NOTE"))
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        lines += ["  ".join([c.ljust(w) for c, w in zip(r[:3], widths)] + [r[3]]).rstrip() for r in rows]
    m = view["migration"]
    if m["moves_total"] or m["rebalances"]:
        lines.append(f"migration: {'running' if m['active'] else 'idle'}, {m['moves_done']}/{m['moves_total']} moves, "
                     f"{m['bytes_done']}/{m['bytes_total']} bytes moved ({_mib(m['bytes_done'])} of "
                     f"{_mib(m['bytes_total'])}), {m['rebalances']} rebalance(s) done")
    return lines


def _local_record(endpoint):
    """This machine's record of the node ($SHOAL_HOME/nodes/<pid>.json), or (None, None)."""
    d = os.path.join(cli.home(), "nodes")
    try:
        names = os.listdir(d)
    except FileNotFoundError:
        return None, None
    for name in names:
        if name.endswith(".json"):
            path = os.path.join(d, name)
            try:
                with open(path) as f:
                    rec = json.load(f)
            except (OSError, ValueError):
                continue
            if rec.get("endpoint") == endpoint:
                return path, rec
    return None, None


def _exited(pid):
    """The process is gone, or a zombie that only its parent can reap (not ours, then)."""
    if not cli._alive(pid):
        return True
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def drain(address, node, timeout_s=600.0, timeout_ms=5000, say=print):
    """Drains `node` of the cluster at `address` and waits until it left; returns its view
    entry from the head's departed list. Raises SystemExit with the reason on failure."""
    from . import _shoal
    view = _shoal.cluster_view(address, timeout_ms)
    target = resolve_node(view, node)
    if target["endpoint"] == view["nodes"][0]["endpoint"]:
        raise SystemExit("shoal drain: the head cannot be drained: it keeps the cluster's member list "
                         "(stop the whole cluster with `shoal stop`)")
    try:
        attached = _shoal.drain_node(address, target["endpoint"], timeout_ms)
    except RuntimeError as e:
        raise SystemExit(f"shoal drain: {e}") from None
    say(f"shoal: draining {target['name']} ({_node_address(target['endpoint'])})"
        + ("; the driver moves its shards off" if attached else "; no driver attached, nothing to move"))
    deadline = time.monotonic() + timeout_s
    last = None
    while True:
        view = _shoal.cluster_view(address, timeout_ms)
        gone = [n for n in view["gone"] if n["endpoint"] == target["endpoint"]]
        if gone:
            if gone[0]["state"] != "left":
                raise SystemExit(f"shoal drain: {target['name']} {gone[0]['state']} while draining: {gone[0]['note']}")
            break
        live = [n for n in view["nodes"] if n["endpoint"] == target["endpoint"]]
        if live and live[0]["state"] == "active" and live[0]["note"]:
            raise SystemExit(f"shoal drain: {target['name']}: {live[0]['note']}")
        m = view["migration"]
        progress = (m["bytes_done"], m["bytes_total"])
        if m["moves_total"] and progress != last:
            say(f"shoal: {target['name']}: {m['bytes_done']}/{m['bytes_total']} bytes moved "
                f"({m['moves_done']}/{m['moves_total']} shards)")
            last = progress
        if time.monotonic() > deadline:
            raise SystemExit(f"shoal drain: {target['name']} still draining after {timeout_s:g} s "
                             f"(state {live[0]['state'] if live else '?'}); it keeps running")
        time.sleep(0.2)
    # The node exits on its own once released; a record of ours goes with it.
    path, rec = _local_record(target["endpoint"])
    if rec:
        end = time.monotonic() + 15
        while not _exited(rec["pid"]) and time.monotonic() < end:
            time.sleep(0.05)
        if not _exited(rec["pid"]):
            cli._kill(rec["pid"])  # it holds nothing any more
        try:
            os.waitpid(rec["pid"], os.WNOHANG)  # our child (a node this process spawned): reap it
        except ChildProcessError:
            pass
        os.remove(path)
    say(f"shoal: {target['name']} drained and left")
    return gone[0]


def cmd_drain(args):
    address = args.address or cli.default_address()
    if not os.environ.get("SHOAL_TOKEN"):
        tok = cli.read_token(address)
        if tok:
            os.environ["SHOAL_TOKEN"] = tok
    drain(address, args.node, args.timeout, args.timeout_ms)
    return 0


def drain_departing(say=print):
    """Before `shoal stop`: the nodes recorded here whose head is not recorded here (it runs
    elsewhere, and so does the job) are drained first, so the job loses no shard."""
    d = os.path.join(cli.home(), "nodes")
    try:
        recs = [json.load(open(os.path.join(d, n))) for n in sorted(os.listdir(d)) if n.endswith(".json")]
    except (FileNotFoundError, ValueError):
        return
    heads_here = {r["address"] for r in recs if not r.get("head")}
    for r in recs:
        head = r.get("head")
        if not head or head in heads_here or not cli._alive(r["pid"]):
            continue
        if not os.environ.get("SHOAL_TOKEN"):
            tok = cli.read_token(head)
            if tok:
                os.environ["SHOAL_TOKEN"] = tok
        try:
            drain(head, r["endpoint"], say=say)
        except (SystemExit, RuntimeError) as e:
            say(f"shoal stop: could not drain {r['name']} first ({e}); stopping it anyway")


def add_parsers(sub):
    d = sub.add_parser("drain", help="move every shard off a node, then stop it (the job continues)")
    d.add_argument("node", help="the node's name or HOST:PORT, as `shoal status` prints them")
    d.add_argument("--address", help="HOST:PORT of the head (default: the last head started here)")
    d.add_argument("--timeout", type=float, default=600, help="seconds to wait for the drain (default 600)")
    d.add_argument("--timeout-ms", type=int, default=5000, help="per request to the head")
    d.set_defaults(fn=cmd_drain)
