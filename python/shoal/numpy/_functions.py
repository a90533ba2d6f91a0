"""shoal.numpy's functions: creation, ufuncs, reductions, linear algebra, shape functions.

Every function returns a shoal ``ndarray`` without waiting for the data (NumPy returns
scalars where shoal returns 0-d arrays: ``float(x)`` / ``x.item()`` read them).
"""

import builtins
import operator

import numpy as _np

from .. import _shoal as _C
from .. import _ensure
from ._core import (_B, _DT, _FLOAT64, _PYSCALAR, _U, _arg_reduce, _arr, _code,
                    _from_host, _mean, _no_kwargs, _opnd, _out, _reduce, _wrap, ndarray)

_binary = _C.binary
_unary = _C.unary

# ---------------------------------------------------------------- creation


def array(object, dtype=None, *, copy=True, order="K", subok=False, ndmin=0, like=None):
    """A new array from a shoal array, a NumPy array, nested lists or a scalar (a copy
    unless copy=False and no conversion is needed). Unsupported dtypes raise TypeError."""
    if isinstance(object, ndarray):
        r = object
        if dtype is not None and _code(dtype) != r._a.code:
            r = _wrap(_C.astype(r._a, _code(dtype)))
        elif copy:
            r = _wrap(_C.copy(r._a))
    else:
        r = _wrap(_from_host(object, dtype))
    if ndmin > r._a.ndim:
        r = _wrap(_C.reshape(r._a, (1,) * (ndmin - r._a.ndim) + r._a.shape))
    return r


def asarray(a, dtype=None, order=None, *, copy=None, like=None):
    """a as a shoal array: shoal arrays pass through (cast if dtype differs); NumPy arrays,
    nested lists and scalars are copied in (through numpy.asarray, so NumPy's dtype rules
    apply). Unsupported dtypes (complex, uint8, float16, strings...) raise TypeError."""
    if isinstance(a, ndarray):
        if dtype is not None and _code(dtype) != a._a.code:
            return _wrap(_C.astype(a._a, _code(dtype)))
        return _wrap(_C.copy(a._a)) if copy else a
    return _wrap(_from_host(a, dtype))


def asnumpy(a):
    """A NumPy copy of a shoal array (waits for the data); NumPy arrays pass through."""
    if isinstance(a, ndarray):
        return _C.to_numpy(a._a)
    return _np.asarray(a)


def zeros(shape, dtype=float, order="C", *, like=None):
    _ensure()
    return _wrap(_C.zeros(shape, _code(dtype)))


def ones(shape, dtype=None, order="C", *, like=None):
    _ensure()
    return _wrap(_C.ones(shape, _FLOAT64 if dtype is None else _code(dtype)))


def empty(shape, dtype=float, order="C", *, like=None):
    _ensure()
    return _wrap(_C.empty(shape, _code(dtype)))


def _scalar_value(v):
    """A Python bool / int / float for a scalar fill value and its NumPy dtype code."""
    if type(v) in _PYSCALAR:
        return v, _code(_np.asarray(v).dtype)
    if isinstance(v, ndarray):
        if v._a.size != 1:
            return None, v._a.code
        return _C.item(v._a), v._a.code
    n = _np.asarray(v)
    if n.size != 1 or n.ndim != 0:
        return None, _code(n.dtype)
    return n.item(), _code(n.dtype)


def full(shape, fill_value, dtype=None, order="C", *, like=None):
    """An array of `shape` filled with fill_value (a scalar, or an array broadcast to shape).
    dtype None: fill_value's dtype (int -> int64, float -> float64, bool -> bool)."""
    _ensure()
    value, vcode = _scalar_value(fill_value)
    code = vcode if dtype is None else _code(dtype)
    if value is None:  # an array fill value: broadcast it
        r = _wrap(_C.empty(shape, code))
        r[...] = fill_value
        return r
    return _wrap(_C.full(shape, value, code))


def _like_shape(a, shape):
    if shape is not None:
        return shape
    return a.shape if isinstance(a, ndarray) else _np.shape(a)


def _like_code(a, dtype):
    if dtype is not None:
        return _code(dtype)
    if isinstance(a, ndarray):
        return a._a.code
    return _code(_np.asarray(a).dtype)


def zeros_like(a, dtype=None, order="K", subok=True, shape=None):
    _ensure()
    return _wrap(_C.zeros(_like_shape(a, shape), _like_code(a, dtype)))


def ones_like(a, dtype=None, order="K", subok=True, shape=None):
    _ensure()
    return _wrap(_C.ones(_like_shape(a, shape), _like_code(a, dtype)))


def empty_like(prototype, dtype=None, order="K", subok=True, shape=None):
    _ensure()
    return _wrap(_C.empty(_like_shape(prototype, shape), _like_code(prototype, dtype)))


def full_like(a, fill_value, dtype=None, order="K", subok=True, shape=None):
    return full(_like_shape(a, shape), fill_value, dtype=_DT[_like_code(a, dtype)])


def _py_number(x, name):
    """A Python bool/int/float for an arange/linspace argument (numpy scalars, 0-d arrays)."""
    if type(x) in _PYSCALAR:
        return x
    if isinstance(x, (ndarray, _np.generic, _np.ndarray)):
        if _np.ndim(x) != 0:
            raise TypeError(f"{name}: expected a scalar, got an array of shape {_np.shape(x)}")
        return x.item()
    if isinstance(x, (bool, int, float)):
        return x
    try:
        return operator.index(x)
    except TypeError:
        return float(x)


def arange(start, stop=None, step=None, dtype=None, *, like=None):
    """NumPy's arange: arange(stop), arange(start, stop[, step]); the dtype is inferred from
    the arguments (ints -> int64, any float -> float64) unless given."""
    if stop is None:
        start, stop = 0, start
    if step is None:
        step = 1
    if start is None:
        start = 0
    args = [_py_number(x, "arange") for x in (start, stop, step)]
    if dtype is None:
        # numpy scalars / arrays among the arguments set the dtype, as in NumPy
        strong = [x for x in (start, stop, step) if isinstance(x, (_np.generic, _np.ndarray, ndarray))]
        if strong:
            dtype = _np.result_type(*[x.dtype for x in strong], *args)
    _ensure()
    return _wrap(_C.arange(args[0], args[1], args[2], None if dtype is None else _code(dtype)))


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """num evenly spaced numbers over [start, stop] (or [start, stop) without endpoint)."""
    if axis != 0:
        raise NotImplementedError("shoal.numpy.linspace: only axis=0 is supported")
    num = operator.index(num)
    if num < 0:
        raise ValueError(f"Number of samples, {num}, must be non-negative.")
    start = float(_py_number(start, "linspace"))
    stop = float(_py_number(stop, "linspace"))
    _ensure()
    r = _wrap(_C.linspace(start, stop, num, builtins.bool(endpoint),
                          _FLOAT64 if dtype is None else _code(dtype)))
    if retstep:
        div = (num - 1) if endpoint else num
        return r, ((stop - start) / div if div > 0 else _np.nan)
    return r


def eye(N, M=None, k=0, dtype=float, order="C", *, like=None):
    _ensure()
    return _wrap(_C.eye(operator.index(N), None if M is None else operator.index(M),
                        operator.index(k), _code(dtype)))


def identity(n, dtype=None, *, like=None):
    return eye(n, dtype=float if dtype is None else dtype)


# ---------------------------------------------------------------- elementwise


def _operands(x1, x2):
    a, b = _opnd(x1), _opnd(x2)
    if a is None or b is None:
        bad = x1 if a is None else x2
        raise TypeError(f"shoal.numpy: unsupported operand type '{type(bad).__name__}'")
    if type(a) is not _C.Array and type(b) is not _C.Array:
        a = _from_host(a)  # two scalars: the first becomes a (strong) 0-d array
    return a, b


def _make_binary(name, op_name=None):
    code = _B[op_name or name]

    def f(x1, x2, /, out=None, **kwargs):
        if kwargs:
            raise TypeError(f"shoal.numpy.{name}: unsupported keyword argument(s) {sorted(kwargs)}")
        a, b = _operands(x1, x2)
        return _out(_binary(code, a, b), out)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"Elementwise {name}(x1, x2) with NumPy's broadcasting and type promotion."
    return f


def _make_unary(name, op_name=None):
    code = _U[op_name or name]

    def f(x, /, out=None, **kwargs):
        if kwargs:
            raise TypeError(f"shoal.numpy.{name}: unsupported keyword argument(s) {sorted(kwargs)}")
        return _out(_unary(code, _arr(x)), out)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"Elementwise {name}(x)."
    return f


add = _make_binary("add")
subtract = _make_binary("subtract")
multiply = _make_binary("multiply")
divide = _make_binary("divide")
true_divide = _make_binary("true_divide", "divide")
floor_divide = _make_binary("floor_divide")
remainder = _make_binary("remainder")
mod = _make_binary("mod", "remainder")
power = _make_binary("power")
maximum = _make_binary("maximum")
minimum = _make_binary("minimum")
equal = _make_binary("equal")
not_equal = _make_binary("not_equal")
less = _make_binary("less")
less_equal = _make_binary("less_equal")
greater = _make_binary("greater")
greater_equal = _make_binary("greater_equal")
bitwise_and = _make_binary("bitwise_and")
bitwise_or = _make_binary("bitwise_or")
bitwise_xor = _make_binary("bitwise_xor")

negative = _make_unary("negative")
absolute = _make_unary("absolute")
abs = _make_unary("abs", "absolute")  # noqa: A001 - NumPy's name
sqrt = _make_unary("sqrt")
exp = _make_unary("exp")
log = _make_unary("log")
sin = _make_unary("sin")
cos = _make_unary("cos")
tanh = _make_unary("tanh")
invert = _make_unary("invert")
bitwise_not = _make_unary("bitwise_not", "invert")
logical_not = _make_unary("logical_not")


def positive(x, /, out=None):
    """+x (a copy; TypeError for bool, as NumPy)."""
    a = _arr(x)
    if a.code == 0:
        _np.positive(_np.zeros(0, bool))  # raises NumPy's own TypeError
    return _out(_C.copy(a), out)


def _as_bool(x):
    a = _arr(x)
    return a if a.code == 0 else _C.astype(a, 0)


def logical_and(x1, x2, /, out=None):
    return _out(_binary(_B["bitwise_and"], _as_bool(x1), _as_bool(x2)), out)


def logical_or(x1, x2, /, out=None):
    return _out(_binary(_B["bitwise_or"], _as_bool(x1), _as_bool(x2)), out)


def logical_xor(x1, x2, /, out=None):
    return _out(_binary(_B["bitwise_xor"], _as_bool(x1), _as_bool(x2)), out)


def isnan(x, /, out=None):
    a = _arr(x)
    if a.code not in (3, 4):
        return _out(_C.full(a.shape, False, 0), out)
    return _out(_binary(_B["not_equal"], a, a), out)


def _where_operand(x, dt):
    """x as a _shoal.Array for where(): Python scalars become 0-d arrays of the promoted
    dtype (they are weak, as in NumPy 2); arrays pass through."""
    if type(x) in _PYSCALAR:
        return _C.full((), x, _code(dt))
    return _arr(x)


def where(condition, x=None, y=None, /):
    """x where condition is true, else y (broadcast together, NumPy's promotion)."""
    if x is None and y is None:
        raise NotImplementedError("shoal.numpy.where(condition) (nonzero) is not supported; "
                                  "use where(condition, x, y)")
    if x is None or y is None:
        raise ValueError("either both or neither of x and y should be given")
    c = _arr(condition)
    if c.code != 0:
        c = _C.astype(c, 0)
    xd = x if type(x) in _PYSCALAR else _dtype_of(x)
    yd = y if type(y) in _PYSCALAR else _dtype_of(y)
    dt = _np.result_type(xd, yd)
    return _wrap(_C.where(c, _where_operand(x, dt), _where_operand(y, dt)))


def _dtype_of(x):
    if isinstance(x, ndarray):
        return x.dtype
    if isinstance(x, (_np.ndarray, _np.generic)):
        return x.dtype
    return _np.asarray(x).dtype


# ---------------------------------------------------------------- reductions


def sum(a, axis=None, dtype=None, out=None, keepdims=False, **kwargs):  # noqa: A001
    _no_kwargs("sum", kwargs)
    return _reduce("sum", _arr(a), axis, dtype, out, keepdims)


def prod(a, axis=None, dtype=None, out=None, keepdims=False, **kwargs):
    _no_kwargs("prod", kwargs)
    return _reduce("prod", _arr(a), axis, dtype, out, keepdims)


def min(a, axis=None, out=None, keepdims=False, **kwargs):  # noqa: A001
    _no_kwargs("min", kwargs)
    return _reduce("min", _arr(a), axis, None, out, keepdims)


def max(a, axis=None, out=None, keepdims=False, **kwargs):  # noqa: A001
    _no_kwargs("max", kwargs)
    return _reduce("max", _arr(a), axis, None, out, keepdims)


amin = min
amax = max


def any(a, axis=None, out=None, keepdims=False, **kwargs):  # noqa: A001
    _no_kwargs("any", kwargs)
    return _reduce("any", _arr(a), axis, None, out, keepdims)


def all(a, axis=None, out=None, keepdims=False, **kwargs):  # noqa: A001
    _no_kwargs("all", kwargs)
    return _reduce("all", _arr(a), axis, None, out, keepdims)


def argmin(a, axis=None, out=None, *, keepdims=False):
    return _arg_reduce("argmin", _arr(a), axis, out, keepdims)


def argmax(a, axis=None, out=None, *, keepdims=False):
    return _arg_reduce("argmax", _arr(a), axis, out, keepdims)


def mean(a, axis=None, dtype=None, out=None, keepdims=False, **kwargs):
    _no_kwargs("mean", kwargs)
    return _mean(_arr(a), axis, dtype, out, keepdims)


# ---------------------------------------------------------------- linear algebra, joining


def matmul(x1, x2, /, out=None):
    """Matrix product of 1-d and 2-d arrays (NumPy's matmul rules and errors)."""
    return _out(_C.matmul(_arr(x1), _arr(x2)), out)


def dot(a, b, out=None):
    """NumPy's dot for 0-d, 1-d and 2-d arrays."""
    return _out(_C.dot(_arr(a), _arr(b)), out)


def concatenate(arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    """Join arrays along an existing axis (axis=None: flatten them first)."""
    if isinstance(arrays, (ndarray, _np.ndarray)):
        arrays = list(arrays)
    parts = [_arr(x) for x in arrays]
    if axis is None:
        parts = [_C.ravel(p) for p in parts]
        axis = 0
    r = _C.concatenate(parts, operator.index(axis))
    if dtype is not None and _code(dtype) != r.code:
        r = _C.astype(r, _code(dtype))
    return _out(r, out)


# ---------------------------------------------------------------- shapes


def reshape(a, /, shape=None, order="C", *, newshape=None, copy=None):
    if shape is None:
        shape = newshape
    if shape is None:
        raise TypeError("reshape() missing the required argument 'shape'")
    return _as_nd(a).reshape(shape, order=order, copy=copy)


def transpose(a, axes=None):
    return _wrap(_C.transpose(_arr(a), axes))


def ravel(a, order="C"):
    return _wrap(_C.ravel(_arr(a)))


def copy(a, order="K", subok=False):
    return _wrap(_C.copy(_arr(a)))


def squeeze(a, axis=None):
    return _as_nd(a).squeeze(axis)


def swapaxes(a, axis1, axis2):
    return _as_nd(a).swapaxes(axis1, axis2)


def _as_nd(a):
    return a if isinstance(a, ndarray) else _wrap(_arr(a))


def shape(a):
    return a.shape if isinstance(a, ndarray) else _np.shape(a)


def ndim(a):
    return a.ndim if isinstance(a, ndarray) else _np.ndim(a)


def size(a, axis=None):
    if not isinstance(a, ndarray):
        return _np.size(a, axis)
    return a.size if axis is None else a.shape[axis]


def astype(x, dtype, /, *, copy=True):
    return _as_nd(x).astype(dtype, copy=copy)
