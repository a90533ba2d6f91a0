"""A throw-away cluster of node processes on 127.0.0.1 for tests: free ports, a private state
dir, a fresh secret, and teardown that kills every node's process group whatever happened."""

import contextlib
import os
import secrets
import shutil
import tempfile

from shoal import cli


@contextlib.contextmanager
def local_cluster(n=3, cpus=1, env=None, gpus=0):
    """Yields {"address", "token", "nodes": [records], "state"}; node 0 is the head (with
    `gpus` GPU actors; the others have none)."""
    state = tempfile.mkdtemp(prefix="shoal-test-cluster-")
    token = secrets.token_hex(32)
    saved = {k: os.environ.get(k) for k in (env or {})}
    os.environ.update(env or {})
    try:
        me = os.getpid()  # the nodes end with this process even if teardown never runs
        head = cli.spawn_node("127.0.0.1:0", "", cpus, gpus, token, 1, state, me)
        nodes = [head] + [cli.spawn_node("127.0.0.1:0", head["address"], cpus, 0, token, 1, state, me)
                          for _ in range(n - 1)]
        yield {"address": head["address"], "token": token, "nodes": nodes, "state": state}
    finally:
        cli.stop_nodes(state)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        shutil.rmtree(state, ignore_errors=True)
