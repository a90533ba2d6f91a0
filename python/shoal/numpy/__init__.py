"""shoal.numpy: a NumPy-compatible module whose arrays are sharded over shoal's actors.

    import shoal.numpy as np
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    b = np.sqrt(a) @ a.T + 1
    print(b.sum(axis=0))

Dtypes: bool, int32, int64, float32, float64 (``np.float32`` etc. are NumPy's own type
objects, and ``a.dtype`` is a ``numpy.dtype``); others raise TypeError. Type promotion and
broadcasting follow NumPy 2 (NEP 50: Python scalars are weak). Operations never wait; reading
data does (``numpy.asarray(a)``, ``print(a)``, ``float(a)``, ``a.item()``, ``a.tolist()``).
Differences from NumPy: functions return 0-d arrays where NumPy returns scalars; iteration
yields 0-d arrays; indexing is basic only (integers, slices, None, Ellipsis).
"""

import numpy as _numpy

from . import random
from ._core import ndarray
from ._functions import (abs, absolute, add, all, amax, amin, any, arange, argmax, argmin, array,
                         asarray, asnumpy, astype, bitwise_and, bitwise_not, bitwise_or,
                         bitwise_xor, concatenate, copy, cos, divide, dot, empty, empty_like,
                         equal, exp, eye, floor_divide, full, full_like, greater, greater_equal,
                         identity, invert, isnan, less, less_equal, linspace, log, logical_and,
                         logical_not, logical_or, logical_xor, matmul, max, maximum, mean, min,
                         minimum, mod, multiply, ndim, negative, not_equal, ones, ones_like,
                         positive, power, prod, ravel, remainder, reshape, shape, sin, size, sqrt,
                         squeeze, subtract, sum, swapaxes, tanh, transpose, true_divide, where,
                         zeros, zeros_like)

# dtypes: NumPy's own objects, so comparisons such as a.dtype == np.float32 work as in NumPy
bool_ = _numpy.bool_
int32 = _numpy.int32
int64 = _numpy.int64
float32 = _numpy.float32
float64 = _numpy.float64
# NumPy's other dtypes, so code written for NumPy gets shoal's clear TypeError
# ("shoal does not support dtype 'float16'") rather than an AttributeError
int8, int16, uint8, uint16, uint32, uint64 = (_numpy.int8, _numpy.int16, _numpy.uint8,
                                              _numpy.uint16, _numpy.uint32, _numpy.uint64)
float16, complex64, complex128 = _numpy.float16, _numpy.complex64, _numpy.complex128
intp = _numpy.intp
dtype = _numpy.dtype
finfo = _numpy.finfo
iinfo = _numpy.iinfo
result_type = _numpy.result_type
can_cast = _numpy.can_cast

newaxis = None
pi = _numpy.pi
e = _numpy.e
inf = _numpy.inf
nan = _numpy.nan

__all__ = [n for n in dir() if not n.startswith("_")]
