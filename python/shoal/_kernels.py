"""Custom kernels written in C++ (arrays/custom_kernel.hpp), called from Python.

    import shoal, shoal.numpy as np
    shoal.load_library("./libmykernels.so")   # registers the library's kernels
    y = shoal.launch("my.stencil", x, params=[0.25])

A kernel runs over every tile of a new array, on the actor owning that tile, with its inputs
aligned as the kernel declared (same tiling, a halo of width k, or the whole array).
"""

import os

from . import _ensure, _shoal

__all__ = ["load_library", "launch", "kernels"]


def load_library(path):
    """Load a C++ kernel library (dlopen with RTLD_GLOBAL) and register its kernels.

    Returns the names it registered (empty when the library was loaded before). Raises
    ValueError when the file cannot be loaded or defines no SHOAL_KERNEL_LIBRARY function.
    """
    return _shoal.load_library(os.fspath(path))


def kernels():
    """The registered kernels: {name: {"inputs": [{"align", "halo", "dtype"}], "cpu", "cuda"}}."""
    return _shoal.kernels()


def launch(name, *arrays, shape=None, dtype=None, params=()):
    """Run kernel ``name`` over ``arrays`` and return the result as a new shoal ndarray.

    shape, dtype: of the output (default: the first same-tiling or halo input's shape; the
    kernel's declared dtype, else the first input's). params: numbers every kernel call gets.
    KeyError for an unknown kernel, TypeError for a wrong number of inputs, a wrong dtype or
    a missing device variant, ValueError for inputs that do not align with the output.
    """
    from .numpy._core import _arr, _wrap

    _ensure()
    ins = [_arr(a) for a in arrays]
    return _wrap(_shoal.launch(name, ins, shape, dtype, [float(p) for p in params]))
