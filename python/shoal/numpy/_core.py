"""shoal.numpy's ndarray and the helpers every function shares.

An ``ndarray`` wraps one ``_shoal.Array`` (slot ``_a``), a handle to a sharded array in the
runtime. Operations return at once with a new handle; only reading data (``__array__``,
``repr``, ``float(a)``, ``item()``, ``tolist()``) waits. Dtypes are real ``numpy.dtype``
objects. Type promotion is NumPy 2's (NEP 50): Python scalars are weak, NumPy scalars and
arrays are strong; the C++ side implements it, so this module passes operands through.
"""

import builtins
import operator

import numpy as _np

from .. import _shoal as _C
from .. import _ensure

__all__ = ["ndarray"]

# ---------------------------------------------------------------- dtypes

#: numpy dtype by shoal's dtype code (the index into _shoal.DTYPES)
_DT = tuple(_np.dtype(n) for n in _C.DTYPES)
_BOOL, _INT32, _INT64, _FLOAT32, _FLOAT64 = range(5)
_NAME2CODE = {n: i for i, n in enumerate(_C.DTYPES)}
_SUPPORTED = "bool, int32, int64, float32, float64"

#: cache: any dtype spelling (type object, numpy dtype, name) -> shoal dtype code
_CODE = {}
for _i, _d in enumerate(_DT):
    _CODE[_d] = _i
    _CODE[_d.type] = _i
    _CODE[_d.name] = _i
_CODE.update({bool: _BOOL, int: _INT64, float: _FLOAT64, "bool_": _BOOL, "float": _FLOAT64,
              "int": _INT64})


def _code(dt):
    """shoal's dtype code for any dtype spelling NumPy accepts; TypeError if unsupported."""
    try:
        return _CODE[dt]
    except (KeyError, TypeError):
        pass
    d = _np.dtype(dt)  # TypeError for garbage, as NumPy
    c = _NAME2CODE.get(d.name) if d.isnative else None
    if c is None:
        raise TypeError(f"shoal does not support dtype '{d}' (supported: {_SUPPORTED})")
    try:
        _CODE[dt] = c
    except TypeError:
        pass
    return c


def _is_float_code(c):
    return c == _FLOAT32 or c == _FLOAT64


# ---------------------------------------------------------------- wrapping and operands

_new = object.__new__
_PYSCALAR = frozenset((bool, int, float))
_binary = _C.binary
_unary = _C.unary
_getitem = _C.getitem
_setitem = _C.setitem
_from_numpy = _C.from_numpy
_to_numpy = _C.to_numpy
_item = _C.item
_B = _C.BINARY_OPS
_U = _C.UNARY_OPS
_R = _C.REDUCE_KINDS


def _wrap(a):
    r = _new(ndarray)
    r._a = a
    return r


def _from_host(obj, dtype=None):
    """A new _shoal.Array holding a copy of obj (a numpy array, list, scalar...)."""
    _ensure()
    if dtype is not None:
        _code(dtype)  # TypeError for unsupported dtypes before NumPy converts anything
        obj = _np.asarray(obj, dtype=dtype)
    return _from_numpy(obj)


def _opnd_slow(x):
    """An operand that is not a shoal ndarray or a plain Python scalar: a _shoal.Array (numpy
    scalars and arrays are strong in promotion), a Python scalar (subclasses of bool / int /
    float) or None when shoal cannot use it (the operator then returns NotImplemented)."""
    if isinstance(x, ndarray):
        return x._a
    if isinstance(x, (_np.generic, _np.ndarray, list, tuple)):
        return _from_host(x)
    if isinstance(x, bool):
        return builtins.bool(x)
    if isinstance(x, int):
        return int(x)
    if isinstance(x, float):
        return float(x)
    if hasattr(x, "__array__"):
        return _from_host(x)
    return None


def _opnd(x):
    """A _shoal.Array or Python scalar for an operand; None if unusable."""
    t = type(x)
    if t is ndarray:
        return x._a
    if t in _PYSCALAR:
        return x
    return _opnd_slow(x)


def _arr(x):
    """A _shoal.Array for anything array-like (scalars become 0-d arrays)."""
    if type(x) is ndarray:
        return x._a
    if isinstance(x, ndarray):
        return x._a
    return _from_host(x)


def _req_opnd(x):
    o = _opnd(x)
    if o is None:
        raise TypeError(f"shoal.numpy: unsupported operand type '{type(x).__name__}'")
    return o


# ---------------------------------------------------------------- reductions

_REDUCE_NAMES = {"sum": "add", "prod": "multiply", "min": "minimum", "max": "maximum",
                 "any": "logical_or", "all": "logical_and"}


def _reduce_result_code(kind, c):
    if kind in ("sum", "prod"):
        return c if _is_float_code(c) else _INT64
    if kind in ("any", "all"):
        return _BOOL
    return c


def _norm_axis(axis):
    """None, an int, or a tuple of ints (what NumPy accepts)."""
    if axis is None or type(axis) is int:
        return axis
    if isinstance(axis, tuple):
        return tuple(operator.index(x) for x in axis)
    return operator.index(axis)


def _no_kwargs(name, kwargs):
    """NumPy reduction arguments shoal does not support yet (initial=, where=)."""
    if kwargs:
        raise NotImplementedError(f"shoal.numpy.{name}: unsupported argument(s) {sorted(kwargs)}")


def _reduce(kind, a, axis=None, dtype=None, out=None, keepdims=False):
    """a.<kind>(axis, keepdims) for a _shoal.Array a; returns an ndarray (or out)."""
    axis = _norm_axis(axis)
    if dtype is not None:
        c = _code(dtype)
        if c != a.code:
            a = _C.astype(a, c)
    if axis == ():  # reduce over no axes: the elements themselves, in the result dtype
        rc = _reduce_result_code(kind, a.code)
        r = _C.astype(a, rc) if rc != a.code else _C.copy(a)
    else:
        r = _C.reduce(kind, a, axis, builtins.bool(keepdims))
    return _out(r, out)


def _arg_reduce(kind, a, axis=None, out=None, keepdims=False):
    if axis is not None:
        axis = operator.index(axis)
    return _out(_C.reduce(kind, a, axis, builtins.bool(keepdims)), out)


def _mean(a, axis=None, dtype=None, out=None, keepdims=False):
    axis = _norm_axis(axis)
    if dtype is not None:
        c = _code(dtype)
        if c != a.code:
            a = _C.astype(a, c)
    if axis == ():
        c = a.code
        r = _C.astype(a, c if _is_float_code(c) else _FLOAT64)
    else:
        r = _C.mean(a, axis, builtins.bool(keepdims))
    return _out(r, out)


def _out(r, out):
    """Wrap result r, or write it into `out` (an ndarray) and return out."""
    if out is None:
        return _wrap(r)
    if not isinstance(out, ndarray):
        raise TypeError("out must be a shoal.numpy.ndarray")
    if out._a.shape != r.shape:
        raise ValueError(f"output array has the wrong shape: {out._a.shape} instead of {r.shape}")
    _setitem(out._a, Ellipsis, r)
    return out


# ---------------------------------------------------------------- the array class


def _binop(name):
    code = _B[name]

    def op(self, other):
        t = type(other)
        if t is ndarray:
            r = _new(ndarray)
            r._a = _binary(code, self._a, other._a)
            return r
        if t in _PYSCALAR:
            r = _new(ndarray)
            r._a = _binary(code, self._a, other)
            return r
        o = _opnd_slow(other)
        if o is None:
            return NotImplemented
        return _wrap(_binary(code, self._a, o))

    def rop(self, other):
        t = type(other)
        if t in _PYSCALAR:
            return _wrap(_binary(code, other, self._a))
        o = _opnd(other)
        if o is None:
            return NotImplemented
        return _wrap(_binary(code, o, self._a))

    def iop(self, other):
        o = _opnd(other)
        if o is None:
            return NotImplemented
        _store_inplace(self._a, _binary(code, self._a, o), name)
        return self

    return op, rop, iop


def _store_inplace(a, r, name):
    """a[...] = r for an in-place operator, with NumPy's casting ('same_kind') and shape
    rules: the result is written through to a (and every view of its data)."""
    if r.code != a.code and not _np.can_cast(_DT[r.code], _DT[a.code], "same_kind"):
        raise _casting_error(name, _DT[r.code], _DT[a.code])
    if r.shape != a.shape:
        raise ValueError(f"non-broadcastable output operand with shape {a.shape} doesn't match "
                         f"the broadcast shape {r.shape}")
    _setitem(a, Ellipsis, r)


def _casting_error(name, src, dst):
    """NumPy's UFuncTypeError (a TypeError) for an in-place op whose result cannot be cast."""
    try:
        from numpy._core._exceptions import _UFuncOutputCastingError as cls
    except ImportError:
        try:
            from numpy.core._exceptions import _UFuncOutputCastingError as cls
        except ImportError:
            cls = None
    ufunc = getattr(_np, name, None)
    if cls is not None and isinstance(ufunc, _np.ufunc):
        try:
            return cls(ufunc, "same_kind", src, dst, 0)
        except Exception:  # noqa: BLE001 - private API: fall back to a plain TypeError
            pass
    return TypeError(f"Cannot cast ufunc '{name}' output from {src!r} to {dst!r} with casting "
                     f"rule 'same_kind'")


def _scalar_error(a, kind):
    """Raise what NumPy raises for kind(arr) when arr is not a 0-d / size-1 array."""
    if a.size == 1:
        return kind(_to_numpy(a))
    return kind(_np.zeros((2,) * builtins.max(a.ndim, 1)))


class ndarray:
    """A sharded n-d array, NumPy-compatible for the first slice of the API.

    Create one with shoal.numpy.array / asarray / zeros / arange / ...; ``ndarray(shape,
    dtype)`` makes an uninitialised array as NumPy's constructor does. Indexing with
    integers, slices (steps and negative indices), None and Ellipsis returns views that
    share data with the base array; advanced (integer-array / boolean) indexing raises
    IndexError. ``numpy.asarray(a)`` (``__array__``) copies the data to a NumPy array.
    """

    # _shape / _dtype: caches filled on first access (an array's shape and dtype never change;
    # in-place operators write through the same handle)
    __slots__ = ("_a", "_shape", "_dtype", "__weakref__")
    __array_priority__ = 1000.0
    __array_ufunc__ = None  # numpy_array <op> shoal_array defers to shoal's reflected op
    __hash__ = None

    def __init__(self, shape, dtype=float, buffer=None, offset=0, strides=None, order=None):
        if buffer is not None or strides is not None or offset:
            raise NotImplementedError("shoal.numpy.ndarray(): buffer, offset and strides are not supported")
        _ensure()
        self._a = _C.empty(shape, _code(dtype))

    # ---- metadata
    @property
    def shape(self):
        try:
            return self._shape
        except AttributeError:
            s = self._shape = self._a.shape
            return s

    @property
    def dtype(self):
        try:
            return self._dtype
        except AttributeError:
            d = self._dtype = _DT[self._a.code]
            return d

    @property
    def ndim(self):
        return self._a.ndim

    @property
    def size(self):
        return self._a.size

    @property
    def itemsize(self):
        return self._a.itemsize

    @property
    def nbytes(self):
        a = self._a
        return a.size * a.itemsize

    @property
    def T(self):
        return _wrap(_C.transpose(self._a, None))

    @property
    def mT(self):
        if self._a.ndim < 2:
            raise ValueError("matrix transpose with ndim < 2 is undefined")
        n = self._a.ndim
        return _wrap(_C.transpose(self._a, tuple(range(n - 2)) + (n - 1, n - 2)))

    # ---- reading data (waits)
    def __array__(self, dtype=None, copy=None):
        if copy is False:
            raise ValueError("Unable to avoid copy while creating an array as requested.")
        out = _to_numpy(self._a)
        if dtype is not None:
            out = out.astype(dtype, copy=False)
        return out

    def __repr__(self):
        return repr(_to_numpy(self._a))

    def __str__(self):
        return str(_to_numpy(self._a))

    def __format__(self, spec):
        a = self._a
        if a.ndim == 0:
            return format(_item(a), spec)
        return format(_to_numpy(a), spec)

    def __reduce__(self):  # pickling: by value
        return (_asarray_from_numpy, (_to_numpy(self._a),))

    def item(self, *args):
        """The element as a Python scalar: a.item() for size-1 arrays, a.item(flat_index),
        a.item(i, j, ...)."""
        if not args:
            return _item(self._a)
        if len(args) == 1:
            i = args[0]
            if isinstance(i, tuple):
                return _item(_getitem(self._a, i))
            return _item(_getitem(_C.ravel(self._a), operator.index(i)))
        return _item(_getitem(self._a, args))

    def tolist(self):
        return _to_numpy(self._a).tolist()

    def __bool__(self):
        a = self._a
        if a.size == 1:
            return builtins.bool(_item(a))
        return builtins.bool(_np.empty(a.shape if a.size == 0 else (2,), dtype=bool))

    def __float__(self):
        a = self._a
        if a.ndim == 0:
            return float(_item(a))
        return _scalar_error(a, float)

    def __int__(self):
        a = self._a
        if a.ndim == 0:
            return int(_item(a))
        return _scalar_error(a, int)

    def __index__(self):
        a = self._a
        if a.ndim == 0 and (a.code == _INT32 or a.code == _INT64):
            return _item(a)
        raise TypeError("only integer scalar arrays can be converted to a scalar index")

    def __len__(self):
        s = self._a.shape
        if not s:
            raise TypeError("len() of unsized object")
        return s[0]

    def __iter__(self):
        a = self._a
        s = a.shape
        if not s:
            raise TypeError("iteration over a 0-d array")
        return (_wrap(_getitem(a, i)) for i in range(s[0]))

    def __contains__(self, value):
        return builtins.bool((self == value).any())

    # ---- copies, casts, layout
    def copy(self, order="C"):
        return _wrap(_C.copy(self._a))

    def __copy__(self):
        return _wrap(_C.copy(self._a))

    def __deepcopy__(self, memo):
        return _wrap(_C.copy(self._a))

    def astype(self, dtype, order="K", casting="unsafe", subok=True, copy=True):
        c = _code(dtype)
        if c == self._a.code and not copy:
            return self
        return _wrap(_C.astype(self._a, c))

    def reshape(self, *shape, order="C", copy=None, **kwargs):
        if "shape" in kwargs:
            shape = (kwargs.pop("shape"),)
        if kwargs:
            raise TypeError(f"reshape() got unexpected keyword argument(s) {sorted(kwargs)}")
        if order != "C":
            raise NotImplementedError("shoal.numpy: only order='C' is supported")
        if len(shape) == 1 and not isinstance(shape[0], (int, _np.integer)):
            shape = shape[0]
        r = _wrap(_C.reshape(self._a, shape))
        return r.copy() if copy else r

    def transpose(self, *axes):
        if not axes or (len(axes) == 1 and axes[0] is None):
            return _wrap(_C.transpose(self._a, None))
        if len(axes) == 1 and not isinstance(axes[0], (int, _np.integer)):
            axes = axes[0]
        return _wrap(_C.transpose(self._a, axes))

    def swapaxes(self, axis1, axis2):
        n = self._a.ndim
        perm = list(range(n))
        a1, a2 = _norm_axis_index(axis1, n), _norm_axis_index(axis2, n)
        perm[a1], perm[a2] = perm[a2], perm[a1]
        return _wrap(_C.transpose(self._a, perm))

    def ravel(self, order="C"):
        return _wrap(_C.ravel(self._a))

    def flatten(self, order="C"):
        return _wrap(_C.copy(_C.ravel(self._a)))

    def squeeze(self, axis=None):
        s = self._a.shape
        if axis is None:
            new = tuple(n for n in s if n != 1)
        else:
            axes = axis if isinstance(axis, tuple) else (axis,)
            axes = {_norm_axis_index(ax, len(s)) for ax in axes}
            for ax in axes:
                if s[ax] != 1:
                    raise ValueError("cannot select an axis to squeeze out which has size not equal to one")
            new = tuple(n for i, n in enumerate(s) if i not in axes)
        return _wrap(_C.reshape(self._a, new))

    def fill(self, value):
        self[...] = value

    # ---- reductions
    def sum(self, axis=None, dtype=None, out=None, keepdims=False, **kwargs):
        _no_kwargs("sum", kwargs)
        return _reduce("sum", self._a, axis, dtype, out, keepdims)

    def prod(self, axis=None, dtype=None, out=None, keepdims=False, **kwargs):
        _no_kwargs("prod", kwargs)
        return _reduce("prod", self._a, axis, dtype, out, keepdims)

    def min(self, axis=None, out=None, keepdims=False, **kwargs):
        _no_kwargs("min", kwargs)
        return _reduce("min", self._a, axis, None, out, keepdims)

    def max(self, axis=None, out=None, keepdims=False, **kwargs):
        _no_kwargs("max", kwargs)
        return _reduce("max", self._a, axis, None, out, keepdims)

    def any(self, axis=None, out=None, keepdims=False, **kwargs):
        _no_kwargs("any", kwargs)
        return _reduce("any", self._a, axis, None, out, keepdims)

    def all(self, axis=None, out=None, keepdims=False, **kwargs):
        _no_kwargs("all", kwargs)
        return _reduce("all", self._a, axis, None, out, keepdims)

    def argmin(self, axis=None, out=None, keepdims=False):
        return _arg_reduce("argmin", self._a, axis, out, keepdims)

    def argmax(self, axis=None, out=None, keepdims=False):
        return _arg_reduce("argmax", self._a, axis, out, keepdims)

    def mean(self, axis=None, dtype=None, out=None, keepdims=False, **kwargs):
        _no_kwargs("mean", kwargs)
        return _mean(self._a, axis, dtype, out, keepdims)

    def dot(self, b):
        return _wrap(_C.dot(self._a, _arr(b)))

    # ---- indexing
    def __getitem__(self, key):
        return _wrap(_getitem(self._a, key))

    def __setitem__(self, key, value):
        t = type(value)
        if t is ndarray:
            v = value._a
        elif t in _PYSCALAR:
            v = value
        else:
            v = _opnd_slow(value)
            if v is None:
                raise TypeError(f"shoal.numpy: cannot assign a '{type(value).__name__}' to an array")
        _setitem(self._a, key, v)

    # ---- operators
    __add__, __radd__, __iadd__ = _binop("add")
    __sub__, __rsub__, __isub__ = _binop("subtract")
    __mul__, __rmul__, __imul__ = _binop("multiply")
    __truediv__, __rtruediv__, __itruediv__ = _binop("divide")
    __floordiv__, __rfloordiv__, __ifloordiv__ = _binop("floor_divide")
    __mod__, __rmod__, __imod__ = _binop("remainder")
    __and__, __rand__, __iand__ = _binop("bitwise_and")
    __or__, __ror__, __ior__ = _binop("bitwise_or")
    __xor__, __rxor__, __ixor__ = _binop("bitwise_xor")
    _pow, _rpow, _ipow = _binop("power")
    __eq__, _, _ = _binop("equal")
    __ne__, _, _ = _binop("not_equal")
    __lt__, _, _ = _binop("less")
    __le__, _, _ = _binop("less_equal")
    __gt__, _, _ = _binop("greater")
    __ge__, _, _ = _binop("greater_equal")
    del _

    def __pow__(self, other, mod=None):
        if mod is not None:
            return NotImplemented
        return self._pow(other)

    def __rpow__(self, other, mod=None):
        if mod is not None:
            return NotImplemented
        return self._rpow(other)

    def __ipow__(self, other):
        return self._ipow(other)

    def __divmod__(self, other):
        return self.__floordiv__(other), self.__mod__(other)

    def __rdivmod__(self, other):
        return self.__rfloordiv__(other), self.__rmod__(other)

    def __matmul__(self, other):
        o = _opnd(other)
        if o is None:
            return NotImplemented
        return _wrap(_C.matmul(self._a, o if type(o) is _C.Array else _from_host(o)))

    def __rmatmul__(self, other):
        o = _opnd(other)
        if o is None:
            return NotImplemented
        return _wrap(_C.matmul(o if type(o) is _C.Array else _from_host(o), self._a))

    def __imatmul__(self, other):
        o = _opnd(other)
        if o is None:
            return NotImplemented
        r = _C.matmul(self._a, o if type(o) is _C.Array else _from_host(o))
        _store_inplace(self._a, r, "matmul")
        return self

    def __neg__(self):
        return _wrap(_unary(_NEG, self._a))

    def __pos__(self):
        a = self._a
        if a.code == _BOOL:
            _np.positive(_np.zeros(0, bool))  # NumPy's TypeError: 'positive' has no bool loop
        return _wrap(_C.copy(a))

    def __abs__(self):
        return _wrap(_unary(_ABS, self._a))

    def __invert__(self):
        return _wrap(_unary(_INV, self._a))


_NEG = _U["negative"]
_ABS = _U["absolute"]
_INV = _U["invert"]


def _norm_axis_index(axis, ndim):
    axis = operator.index(axis)
    if not -ndim <= axis < ndim:
        raise _np.exceptions.AxisError(f"axis {axis} is out of bounds for array of dimension {ndim}")
    return axis % ndim if ndim else 0


def _asarray_from_numpy(x):
    return _wrap(_from_host(x))
