/// Conversions between Python objects and shoal's C++ types (dtypes, scalars, shapes, axes,
/// index expressions). Everything here runs with the GIL held.
#include <string>

#include "common.hpp"

namespace shoal::pyshoal {

namespace {

/// Leaked (never decref'd) module-level objects: safe to use during interpreter shutdown.
PyObject* g_numpy = nullptr;
PyObject* g_dtype_cache = nullptr;  // dict: hashable dtype spec -> int code

std::int64_t index_of(py::handle h) {
  PyObject* r = PyNumber_Index(h.ptr());
  if (!r) throw py::error_already_set();
  int overflow = 0;
  long long v = PyLong_AsLongLongAndOverflow(r, &overflow);
  Py_DECREF(r);
  if (overflow) throw py::value_error("Python integer out of bounds for int64");
  if (v == -1 && PyErr_Occurred()) throw py::error_already_set();
  return v;
}

std::string type_name(py::handle h) { return Py_TYPE(h.ptr())->tp_name; }

[[noreturn]] void basic_only(py::handle item) {
  throw py::index_error(
      "shoal supports basic indexing only (integers, slices, None, Ellipsis); an index of type '" +
      type_name(item) + "' would be advanced (integer-array or boolean) indexing, which shoal "
      "does not support yet");
}

std::optional<std::int64_t> slice_part(PyObject* o) {
  if (o == Py_None) return std::nullopt;
  if (!PyIndex_Check(o))
    throw py::type_error("slice indices must be integers or None or have an __index__ method");
  PyObject* r = PyNumber_Index(o);
  if (!r) throw py::error_already_set();
  Py_ssize_t v = PyNumber_AsSsize_t(r, nullptr);  // clamps huge values, as Python's slices do
  Py_DECREF(r);
  if (v == -1 && PyErr_Occurred()) throw py::error_already_set();
  return static_cast<std::int64_t>(v);
}

index_item to_item(py::handle h) {
  PyObject* o = h.ptr();
  if (o == Py_None) return index_item::new_axis();
  if (o == Py_Ellipsis) return index_item::dots();
  if (PySlice_Check(o)) {
    auto* s = reinterpret_cast<PySliceObject*>(o);
    return index_item::range(slice_part(s->start), slice_part(s->stop), slice_part(s->step));
  }
  if (PyBool_Check(o)) basic_only(h);
  if (PyLong_Check(o)) {
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (overflow) throw py::index_error("cannot fit 'int' into an index-sized integer");
    return index_item::at(v);
  }
  if (PyFloat_Check(o) || PyUnicode_Check(o) || PyBytes_Check(o))
    throw py::index_error(
        "only integers, slices (`:`), ellipsis (`...`), numpy.newaxis (`None`) and integer or "
        "boolean arrays are valid indices");
  if (PyList_Check(o) || PyTuple_Check(o)) basic_only(h);
  // numpy integer scalars, 0-d integer arrays (numpy's or shoal's): anything with __index__
  if (PyIndex_Check(o)) {
    PyObject* r = PyNumber_Index(o);
    if (r) {
      int overflow = 0;
      long long v = PyLong_AsLongLongAndOverflow(r, &overflow);
      Py_DECREF(r);
      if (!overflow) return index_item::at(v);
    }
    PyErr_Clear();
  }
  basic_only(h);
}

}  // namespace

[[noreturn]] void raise(errc code, const std::string& message) { throw error(code, message); }

py::handle numpy_module() {
  if (!g_numpy) {
    g_numpy = PyImport_ImportModule("numpy");
    if (!g_numpy) throw py::error_already_set();
  }
  return g_numpy;
}

std::optional<dtype> opt_dtype(py::handle h) {
  PyObject* o = h.ptr();
  if (o == Py_None) return std::nullopt;
  if (PyLong_Check(o) && !PyBool_Check(o)) {
    long v = PyLong_AsLong(o);
    if (v < 0 || v >= dtype_count) throw py::value_error("bad dtype code " + std::to_string(v));
    return static_cast<dtype>(v);
  }
  if (!g_dtype_cache) g_dtype_cache = PyDict_New();
  if (PyObject* hit = PyDict_GetItemWithError(g_dtype_cache, o)) return static_cast<dtype>(PyLong_AsLong(hit));
  if (PyErr_Occurred()) PyErr_Clear();  // unhashable: no caching
  // numpy.dtype(h) resolves every spelling NumPy accepts (raises TypeError for garbage)
  py::object npdt = numpy_module().attr("dtype")(h);
  std::string name = py::str(npdt.attr("name"));
  std::optional<dtype> t;
  if (name == "bool" || name == "int32" || name == "int64" || name == "float32" || name == "float64") {
    if (py::str(npdt.attr("byteorder")).cast<std::string>() != ">") t = dtype_from_name(name);
  }
  if (!t)
    throw py::type_error("shoal does not support dtype '" + py::str(npdt).cast<std::string>() + "'" +
                         " (supported: bool, int32, int64, float32, float64)");
  PyObject* code = PyLong_FromLong(static_cast<long>(*t));
  if (PyDict_SetItem(g_dtype_cache, o, code) != 0) PyErr_Clear();
  Py_DECREF(code);
  return t;
}

dtype req_dtype(py::handle h) {
  auto t = opt_dtype(h);
  if (!t) throw py::type_error("a dtype is required");
  return *t;
}

bool is_scalar(py::handle h) {
  PyObject* o = h.ptr();
  return PyBool_Check(o) || PyLong_Check(o) || PyFloat_Check(o);
}

scalar to_scalar(py::handle h) {
  PyObject* o = h.ptr();
  if (PyBool_Check(o)) return o == Py_True;
  if (PyLong_Check(o)) {
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (overflow) {
      PyErr_Format(PyExc_OverflowError, "Python integer %R out of bounds for int64", o);
      throw py::error_already_set();
    }
    return static_cast<std::int64_t>(v);
  }
  if (PyFloat_Check(o)) return PyFloat_AS_DOUBLE(o);
  // numpy scalars and 0-d arrays: their Python value
  if (PyObject_HasAttrString(o, "item") && PyObject_HasAttrString(o, "dtype")) {
    py::object v = py::reinterpret_borrow<py::object>(h).attr("item")();
    if (is_scalar(v)) return to_scalar(v);
  }
  throw py::type_error("expected a bool, int or float scalar, got '" + type_name(h) + "'");
}

py::object from_scalar(const scalar& s) {
  if (auto* b = std::get_if<bool>(&s)) return py::bool_(*b);
  if (auto* i = std::get_if<std::int64_t>(&s)) return py::int_(*i);
  return py::float_(std::get<double>(s));
}

shape_t to_shape(py::handle h) {
  PyObject* o = h.ptr();
  if (PyTuple_Check(o)) {
    Py_ssize_t n = PyTuple_GET_SIZE(o);
    shape_t s(static_cast<std::size_t>(n));
    for (Py_ssize_t i = 0; i < n; ++i) s[static_cast<std::size_t>(i)] = index_of(PyTuple_GET_ITEM(o, i));
    return s;
  }
  if (PyIndex_Check(o)) return {index_of(h)};
  if (!PySequence_Check(o))
    throw py::type_error("'" + type_name(h) + "' object cannot be interpreted as an integer");
  shape_t s;
  for (py::handle item : py::reinterpret_borrow<py::sequence>(h)) s.push_back(index_of(item));
  return s;
}

py::tuple shape_tuple(const shape_t& s) {
  PyObject* t = PyTuple_New(static_cast<Py_ssize_t>(s.size()));
  if (!t) throw py::error_already_set();
  for (std::size_t i = 0; i < s.size(); ++i)
    PyTuple_SET_ITEM(t, static_cast<Py_ssize_t>(i), PyLong_FromLongLong(s[i]));
  return py::reinterpret_steal<py::tuple>(t);
}

std::optional<std::vector<std::int64_t>> to_axes(py::handle h) {
  if (h.is_none()) return std::nullopt;
  return to_shape(h);
}

index_expr to_index(py::handle key) {
  PyObject* o = key.ptr();
  index_expr idx;
  if (PyTuple_Check(o)) {
    Py_ssize_t n = PyTuple_GET_SIZE(o);
    idx.reserve(static_cast<std::size_t>(n));
    for (Py_ssize_t i = 0; i < n; ++i) idx.push_back(to_item(PyTuple_GET_ITEM(o, i)));
  } else {
    idx.push_back(to_item(key));
  }
  return idx;
}

const array* as_array(py::handle h) {
  if (!py::isinstance<array>(h)) return nullptr;
  return &h.cast<const array&>();
}

const array& req_array(py::handle h, const char* what) {
  if (const array* a = as_array(h)) return *a;
  throw py::type_error(std::string(what) + ": expected a shoal Array, got '" + type_name(h) + "'");
}

}  // namespace shoal::pyshoal
