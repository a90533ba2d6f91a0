"""shoal.numpy.random: NumPy's Generator API over shoal's counter-based generator.

    rng = shoal.numpy.random.default_rng(42)
    x = rng.random((1000, 1000), dtype=np.float32)
    k = rng.integers(0, 10, size=100)

Element i of a draw is a pure function of (seed, draw number, i) (Philox4x32-10), so the
values do not depend on how the array is tiled or which actor computes a tile. The streams
are not NumPy's: the same seed gives other numbers than numpy.random.default_rng(seed).
With size=None a method returns one Python scalar, as NumPy does.
"""

import operator
import secrets

import numpy as _np

from .. import _shoal as _C
from .. import _ensure
from ._core import _DT, _code, _wrap

__all__ = ["default_rng", "Generator"]

_FLOATS = (3, 4)
_INTS = (1, 2)


def _size(size):
    if size is None:
        return ()
    if isinstance(size, (tuple, list)):
        return tuple(operator.index(n) for n in size)
    return (operator.index(size),)


def _finish(a, size, scalar_type=None):
    if size is None:
        v = _C.item(a)
        return scalar_type(v) if scalar_type is not None else v
    return _wrap(a)


def _float_code(dtype, what):
    try:
        c = _code(dtype)
    except TypeError:
        c = None
    if c not in _FLOATS:
        raise TypeError(f"Unsupported dtype {_np.dtype(dtype)!r} for {what}")
    return c


def _seed64(seed):
    """A non-negative int folded to 64 bits."""
    s = operator.index(seed)
    if s < 0:
        raise ValueError("expected non-negative integer")
    out = 0
    while True:
        out ^= s & 0xFFFFFFFFFFFFFFFF
        s >>= 64
        if not s:
            return out


class Generator:
    """Random numbers in shoal arrays (see the module docstring)."""

    __slots__ = ("_g", "seed")

    def __init__(self, seed):
        _ensure()
        self.seed = _seed64(seed)
        self._g = _C.Generator(self.seed)

    def __repr__(self):
        return f"Generator(shoal.Philox, seed={self.seed})"

    def random(self, size=None, dtype=_np.float64, out=None):
        """Floats in [0, 1)."""
        c = _float_code(dtype, "random")
        return _finish(self._g.random(_size(size), c), size)

    def uniform(self, low=0.0, high=1.0, size=None):
        """Floats in [low, high) (float64)."""
        return _finish(self._g.uniform(float(low), float(high), _size(size), 4), size)

    def standard_normal(self, size=None, dtype=_np.float64, out=None):
        """Standard normal floats (mean 0, standard deviation 1)."""
        c = _float_code(dtype, "standard_normal")
        return _finish(self._g.standard_normal(_size(size), c), size)

    def normal(self, loc=0.0, scale=1.0, size=None):
        """Normal floats with mean loc and standard deviation scale (float64)."""
        if scale < 0:
            raise ValueError("scale < 0")
        z = self._g.standard_normal(_size(size), 4)
        r = _wrap(z) * float(scale) + float(loc)
        return r.item() if size is None else r

    def integers(self, low, high=None, size=None, dtype=_np.int64, endpoint=False):
        """Integers in [low, high) ([low, high] with endpoint=True); high=None: [0, low)."""
        try:
            c = _code(dtype)
        except TypeError:
            c = None
        if c not in _INTS:
            raise TypeError(f"Unsupported dtype {_np.dtype(dtype)!r} for integers")
        if high is None:
            low, high = 0, low
        low, high = operator.index(low), operator.index(high)
        if endpoint:
            high += 1
        if low >= high:
            raise ValueError("high <= 0" if low == 0 else "low >= high")
        info = _np.iinfo(_DT[c])
        if low < info.min:
            raise ValueError(f"low is out of bounds for {_DT[c]}")
        if high - 1 > info.max:
            raise ValueError(f"high is out of bounds for {_DT[c]}")
        return _finish(self._g.integers(low, high, _size(size), c), size, _DT[c].type)


def default_rng(seed=None):
    """A Generator seeded with `seed` (a non-negative int; None: fresh OS entropy).
    A Generator passes through unchanged."""
    if isinstance(seed, Generator):
        return seed
    if seed is None:
        seed = secrets.randbits(64)
    return Generator(seed)
