"""The job the multi-GPU tests' drivers run (tests/python/test_multi_gpu.py, issue 7): arrays
made with small tiles so that their shards lie on every GPU actor, then operations whose
operands are tiled differently (so pieces go between GPUs: over NCCL once the group has
joined), matmul (B panels broadcast), full reductions (NCCL all-reduce with >= 2 GPUs
holding tiles) and a few heat-stencil steps, every result compared with NumPy.

A driver imports it (its cwd is tests/python), calls start() once and check(tag) at each
point of interest; lines on stdout tell the test what happened:
    SPREAD <tag> [{name, node, shards, state}]      the GPU actors (JSON) and what they hold
    COLLECTIVES <tag> True|False                    runtime_info()["collectives"]
    CHECK <tag> <digest>                            every comparison passed; the digest of
                                                    the results that do not depend on how
                                                    the tiles are placed (bit for bit)
"""
import hashlib
import json

import numpy

import shoal
import shoal.numpy as np
from _heat import step

TILE = 1024  # min_tile_elems: a few hundred tiles per array, so every GPU actor gets some


def start(**settings):
    """Starts the runtime (an array made before would start a default one) and the data."""
    global H, X, Y, A, B, C, I, G, GRID
    shoal.init(min_tile_elems=TILE, **settings)
    rng = numpy.random.default_rng(7)
    H = {"x": rng.random(300000), "y": rng.random(300001), "a": rng.random((600, 500)),
         "b": rng.random((500, 400)), "c": rng.random((500, 600)), "g": rng.random((384, 384))}
    X, Y, A, B, C = (np.asarray(H[k]) for k in "xyabc")
    I = np.arange(300000, dtype=np.int64)
    G = np.asarray(H["g"])
    GRID = H["g"].copy()
    shoal.wait(X, Y, A, B, C, I, G)


def spread(tag):
    """Prints the GPU actors with their shards (after pending moves settled); returns them."""
    shoal.settle()
    gpus = [a for a in shoal.runtime_info()["actors"] if a["kind"] == "gpu"]
    keep = ("name", "node", "shards", "state")
    print("SPREAD", tag, json.dumps([{k: a[k] for k in keep} for a in gpus]), flush=True)
    return gpus


def _close(got, want, rtol, what, atol=0.0):
    got = numpy.asarray(got)
    assert got.shape == numpy.shape(want), (what, got.shape, numpy.shape(want))
    numpy.testing.assert_allclose(got, want, rtol=rtol, atol=atol, err_msg=what)
    return got


def check(tag, stencil_steps=2):
    """Runs every comparison with NumPy (AssertionError naming the case otherwise) and
    prints CHECK with the digest of the placement-independent results. The grid G advances
    by `stencil_steps` steps each call (the NumPy twin GRID alike)."""
    h = H
    # Results that must be the same bits wherever the tiles lie (the inputs included: they
    # survive every move of their shards).
    exact = [_close(X, h["x"], 0, "x kept"), _close(A, h["a"], 0, "a kept")]
    # Operands tiled differently: y[1:] is offset by one element against x's tiles.
    exact.append(_close(X * 2 + Y[1:], h["x"] * 2 + h["y"][1:], 0, "x*2 + y[1:]"))
    exact.append(_close(A + C.T, h["a"] + h["c"].T, 0, "a + c.T"))
    exact.append(_close(A[::3, 7:-5] * 1.5 - 2, h["a"][::3, 7:-5] * 1.5 - 2, 1e-15, "a[::3, 7:-5]*1.5-2"))
    exact.append(_close(np.concatenate([X[:1000], Y, X[5000:]]),
                        numpy.concatenate([h["x"][:1000], h["y"], h["x"][5000:]]), 0, "concatenate"))
    exact.append(_close(X.reshape(600, 500).T + A.T, h["x"].reshape(600, 500).T + h["a"].T, 0, "reshape.T"))
    exact.append(_close(A.T.reshape(-1)[::7], h["a"].T.reshape(-1)[::7], 0, "a.T.reshape(-1)"))
    # Products (tiles of A and B on different GPUs; B's panels go to every output's owner).
    _close(A @ B, h["a"] @ h["b"], 1e-12, "a @ b")
    _close(X.reshape(600, 500) @ B, h["x"].reshape(600, 500) @ h["b"], 1e-12, "x.reshape @ b")
    _close(A.astype(np.float32) @ B.astype(np.float32), h["a"] @ h["b"], 1e-4, "float32 a @ b", atol=1e-3)
    # Full reductions (NCCL all-reduce of sum/prod and integer min/max; float max: host path).
    _close(float(X.sum()), h["x"].sum(), 1e-12, "sum x")
    _close(float((X * 2 + Y[1:]).sum()), (h["x"] * 2 + h["y"][1:]).sum(), 1e-12, "sum x*2+y[1:]")
    _close(float(X.astype(np.float32).sum()), h["x"].astype(numpy.float32).sum(dtype=numpy.float64), 1e-5,
           "float32 sum")
    _close(float((1 + X * 1e-6).prod()), (1 + h["x"] * 1e-6).prod(), 1e-10, "prod")
    _close(float(A.max()), h["a"].max(), 0, "max")
    isums = [int(I.sum()), int((I % 7).sum()), int((I - 5).min()), int((I * 3).max())]
    assert isums == [299999 * 300000 // 2, int((numpy.arange(300000) % 7).sum()), -5, 3 * 299999], isums
    _close(A.sum(axis=0), h["a"].sum(axis=0), 1e-12, "sum axis 0")
    # The heat stencil in place: halos between row blocks on different GPUs.
    for _ in range(stencil_steps):
        step(G)
        step(GRID)
    _close(G, GRID, 1e-15, "stencil")
    digest = hashlib.sha256(b"".join(numpy.ascontiguousarray(e).tobytes() for e in exact)).hexdigest()[:16]
    info = shoal.runtime_info()
    print("COLLECTIVES", tag, info["collectives"], flush=True)
    print("CHECK", tag, digest, flush=True)
    return digest
