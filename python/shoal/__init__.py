"""shoal: NumPy-style arrays sharded over a cluster of CPU (and GPU) actors.

    import shoal
    import shoal.numpy as np

    shoal.init(cpus=4)          # optional: the first array operation starts a default runtime
    a = np.arange(10_000_000, dtype=np.float32)
    print((a * 2 + 1).sum())
    print(shoal.runtime_info())

The runtime is one per process. ``init`` with no arguments (or with the settings the
runtime already runs with) is a no-op when it runs; asking a running runtime for other
settings raises RuntimeError: call ``shoal.shutdown()`` first (arrays created before a
shutdown become unusable). The runtime shuts down at interpreter exit.
"""

import atexit as _atexit
import os as _os

# A build configured with -DSHOAL_PY_EXT_DIR=D writes the module to D: searched first.
if _os.environ.get("SHOAL_EXT_DIR"):
    __path__.insert(0, _os.environ["SHOAL_EXT_DIR"])  # noqa: F821 (the package's own path)

from . import _shoal

__version__ = "0.1.0"
__all__ = ["init", "shutdown", "runtime_info", "running", "wait", "load_library", "launch", "kernels",
           "__version__"]

# What each option means when not given (the C++ runtime_options defaults: environment
# variables such as SHOAL_CPUS and SHOAL_MIN_TILE_ELEMS apply then).
_DEFAULTS = {
    "cpus": 0,  # one CPU actor per socket, or $SHOAL_CPUS
    "gpus": -1,  # every visible GPU (none in a CPU build)
    "address": "",  # the embedded one-process cluster
    "min_tile_elems": 0,  # $SHOAL_MIN_TILE_ELEMS or 65536: smaller arrays stay one shard
    "threads_per_actor": 0,  # kernel threads per CPU actor: cores / cpus
    "timeout_ms": 0,  # waits on data give up after this; $SHOAL_TIMEOUT_MS or 10 minutes
}


def _check_int(name, value, lo):
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = value.__index__()
        except AttributeError:
            raise TypeError(f"shoal.init: {name} must be an int, got {type(value).__name__}") from None
    if value < lo:
        raise ValueError(f"shoal.init: {name} must be >= {lo}, got {value}")
    return value


def _effective(name, info):
    """What a running runtime really uses for `name` (resolving the 0 = default options)."""
    if name == "cpus":
        return sum(1 for a in info["actors"] if a["kind"] == "cpu")
    if name == "gpus":
        return sum(1 for a in info["actors"] if a["kind"] == "gpu")
    if name == "min_tile_elems":
        return info["min_tile_elems"]
    return None


def init(cpus=None, gpus=None, address=None, **options):
    """Start shoal's runtime (the embedded one-process cluster unless ``address`` is given).

    cpus: number of CPU (socket) actors; None = one per socket, or $SHOAL_CPUS.
    gpus: number of GPU actors; None = every visible GPU.
    address: a cluster to join; None = the embedded default cluster.
    options: min_tile_elems (arrays below this many elements stay one shard),
        threads_per_actor (kernel threads per CPU actor), timeout_ms (how long a read waits).

    Calling init while the runtime runs is a no-op if every given setting matches the
    running one, and raises RuntimeError otherwise (call shutdown() first to restart with
    other settings). Array operations call init() implicitly.
    """
    unknown = set(options) - {"min_tile_elems", "threads_per_actor", "timeout_ms"}
    if unknown:
        raise TypeError(f"shoal.init() got unexpected keyword argument(s): {', '.join(sorted(unknown))}")
    requested = {}
    if cpus is not None:
        requested["cpus"] = _check_int("cpus", cpus, 1)
    if gpus is not None:
        requested["gpus"] = _check_int("gpus", gpus, 0)
    if address is not None:
        if not isinstance(address, str):
            raise TypeError(f"shoal.init: address must be a str, got {type(address).__name__}")
        requested["address"] = address
    for k, v in options.items():
        if v is not None:
            requested[k] = _check_int(k, v, 0)

    if _shoal.running():
        current = _shoal.options() or {}
        info = None
        mismatched = []
        for k, v in requested.items():
            if current.get(k) == v:
                continue
            if k in ("cpus", "gpus", "min_tile_elems"):
                info = info or _shoal.info()
                if _effective(k, info) == v:
                    continue
            mismatched.append(f"{k}={v!r} (running with {current.get(k)!r})")
        if mismatched:
            raise RuntimeError(
                "shoal is already running with other settings: " + ", ".join(mismatched)
                + "; call shoal.shutdown() first to restart it")
        return
    _shoal.init(**{**_DEFAULTS, **requested})


def _ensure():
    """Start the default runtime if none runs (array operations call this)."""
    if not _shoal.running():
        init()


def running():
    """Whether the runtime runs."""
    return _shoal.running()


def shutdown():
    """Stop the runtime: every actor stops and every shard is freed (no-op if none runs).

    Arrays created before become unusable; the next operation (or init()) starts a new
    runtime.
    """
    _shoal.shutdown()


def runtime_info():
    """The running runtime as a dict (starting a default runtime if none runs):

    {"actors": [{"name", "kind" ("cpu"/"gpu"), "node", "shards", "bytes",
                 "state" ("active"/"joining"/"draining"/"left"/"dead")}, ...],
     "node": this process's node name, "min_tile_elems": the tiling threshold,
     "arrays": live arrays in the scheduler's directory,
     "migration": {"active", "moves_total", "moves_done", "bytes_total", "bytes_done",
                   "rebalances"} of the current or last rebalance,
     "recovery": {"recoveries", "shards_rebuilt", "ops_replayed", "arrays_failed",
                  "last_ms" (the last recovery), "lineage_ops" (history held now),
                  "checkpoints" (replicas taken)} after actors were lost}
    """
    _ensure()
    return _shoal.info()


def add_actor(kind="cpu"):
    """Start a CPU actor ("cpu") or a GPU actor ("gpu": on the next GPU that has none) in the
    running embedded cluster and return its name ("cpu2", "gpu0").

    It enters placement at once; existing shards move onto it between operations (bounded
    bytes in flight, $SHOAL_MIGRATE_BYTES), so a running loop keeps going. runtime_info()
    shows it as "joining" and the migration progress until the moves are done. A GPU actor
    joins the GPU actors' NCCL communicator, rebuilt between operations (reductions planned
    meanwhile take the host path). ValueError for another kind or when no GPU is left.
    """
    _ensure()
    return _shoal.add_actor(kind)


def drain(name):
    """Move every shard off actor `name` and take it out of placement; returns when it holds
    nothing. No array is lost. ValueError for an unknown name or the last placed actor."""
    _ensure()
    _shoal.drain(name)


def settle():
    """Wait until no shard move is queued or in flight."""
    _ensure()
    _shoal.settle()


def wait(*arrays):
    """Block until every given shoal array has been computed, without copying it out.

    Operations return at once and run in the background; this is the way to time them or
    to surface an error raised inside an actor's kernel (reading the data does both too).
    """
    for a in arrays:
        _shoal.wait(a._a)


def _at_exit():
    try:
        _shoal.shutdown()
    except Exception:  # noqa: BLE001 - never fail the interpreter's exit
        pass


_atexit.register(_at_exit)

# Custom C++ kernels (imported last: the module uses _ensure and shoal.numpy).
from ._kernels import kernels, launch, load_library  # noqa: E402
