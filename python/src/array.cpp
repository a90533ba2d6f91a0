/// The Array class, host transfers (from_numpy / to_numpy / item), views and layout,
/// creation functions and the random Generator.
#include <memory>

#include <pybind11/stl.h>

#include "common.hpp"

namespace shoal::pyshoal {

namespace {

/// A Py_buffer released on scope exit (with the GIL held: create and destroy it outside any
/// gil_scoped_release).
struct buffer_view {
  Py_buffer view{};
  bool held = false;
  buffer_view(py::handle obj, int flags) {
    if (PyObject_GetBuffer(obj.ptr(), &view, flags) != 0) throw py::error_already_set();
    held = true;
  }
  ~buffer_view() {
    if (held) PyBuffer_Release(&view);
  }
  buffer_view(const buffer_view&) = delete;
  buffer_view& operator=(const buffer_view&) = delete;
};

PyObject* g_asarray = nullptr;
PyObject* g_empty = nullptr;

py::handle numpy_fn(PyObject*& slot, const char* name) {
  if (!slot) {
    slot = PyObject_GetAttrString(numpy_module().ptr(), name);
    if (!slot) throw py::error_already_set();
  }
  return slot;
}

/// shoal's dtype for a numpy dtype object (TypeError naming it when unsupported).
dtype dtype_of_numpy(py::handle npdt) {
  std::string kind = py::str(npdt.attr("kind"));
  int size = npdt.attr("itemsize").cast<int>();
  if (kind == "b" && size == 1) return dtype::bool_;
  if (kind == "i" && size == 4) return dtype::int32;
  if (kind == "i" && size == 8) return dtype::int64;
  if (kind == "f" && size == 4) return dtype::float32;
  if (kind == "f" && size == 8) return dtype::float64;
  throw py::type_error("shoal does not support dtype '" + py::str(npdt).cast<std::string>() +
                       "' (supported: bool, int32, int64, float32, float64)");
}

array from_numpy(py::handle obj) {
  // numpy.asarray(obj, order="C"), not ascontiguousarray (which makes 0-d arrays 1-d)
  py::object arr = numpy_fn(g_asarray, "asarray")(obj, py::arg("order") = "C");
  py::object npdt = arr.attr("dtype");
  dtype t = dtype_of_numpy(npdt);
  if (!npdt.attr("isnative").cast<bool>())
    arr = arr.attr("astype")(npdt.attr("newbyteorder")("="));
  buffer_view buf(arr, PyBUF_C_CONTIGUOUS);
  shape_t shape(static_cast<std::size_t>(buf.view.ndim));
  for (int d = 0; d < buf.view.ndim; ++d) shape[static_cast<std::size_t>(d)] = buf.view.shape[d];
  const void* data = buf.view.buf;
  py::gil_scoped_release nogil;
  return from_host(data, shape, t);
}

py::object to_numpy(const array& a) {
  py::object out = numpy_fn(g_empty, "empty")(shape_tuple(a.shape()), dtype_name(a.type()));
  buffer_view buf(out, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS);
  void* data = buf.view.buf;
  {
    py::gil_scoped_release nogil;
    if (a.size() > 0)
      a.read(data);
    else
      a.wait();
  }
  return out;
}

dtype dtype_or(py::handle h, dtype dflt) {
  auto t = opt_dtype(h);
  return t ? *t : dflt;
}

}  // namespace

void bind_array(py::module_& m) {
  py::class_<array>(m, "Array", "A handle to a sharded shoal array (shoal::array).")
      .def_property_readonly("shape", [](const array& a) { return shape_tuple(a.shape()); })
      .def_property_readonly("dtype", [](const array& a) { return dtype_name(a.type()); },
                             "NumPy's name of the element type")
      .def_property_readonly("code", [](const array& a) { return static_cast<int>(a.type()); },
                             "the dtype as an int code (an index into DTYPES)")
      .def_property_readonly("ndim", [](const array& a) { return a.ndim(); })
      .def_property_readonly("size", [](const array& a) { return a.size(); })
      .def_property_readonly("itemsize", [](const array& a) { return itemsize(a.type()); })
      .def_property_readonly("id", [](const array& a) { return a.id(); })
      .def_property_readonly("valid", [](const array& a) { return a.valid(); })
      .def("__repr__", [](const array& a) {
        if (!a.valid()) return std::string("<_shoal.Array (empty handle)>");
        return "<_shoal.Array id=" + std::to_string(a.id()) + " shape=" + shape_str(a.shape()) +
               " dtype=" + dtype_name(a.type()) + ">";
      });

  m.attr("DTYPES") = py::make_tuple("bool", "int32", "int64", "float32", "float64");

  // ---- host transfers
  m.def("from_numpy", &from_numpy, py::arg("obj"),
        "A new Array holding a copy of obj (anything numpy.asarray accepts); "
        "TypeError for dtypes shoal does not support.");
  m.def("to_numpy", &to_numpy, py::arg("a"), "A new NumPy array holding a's data (waits).");
  m.def("item", [](const array& a) {
    scalar s;
    {
      py::gil_scoped_release nogil;
      s = a.item();
    }
    return from_scalar(s);
  }, py::arg("a"), "The value of a size-1 array as a Python bool / int / float (waits).");
  m.def("wait", [](const array& a) { a.wait(); }, py::arg("a"),
        py::call_guard<py::gil_scoped_release>(),
        "Waits until a has been computed (raises a kernel's error).");

  // ---- views and layout
  m.def("getitem", [](const array& a, py::handle key) {
    index_expr idx = to_index(key);
    py::gil_scoped_release nogil;
    return a[idx];
  }, py::arg("a"), py::arg("key"), "a[key] for a basic index: a view.");
  m.def("setitem", [](py::handle self, py::handle key, py::handle value) {
    array& a = self.cast<array&>();  // the Python-held handle itself
    index_expr idx = to_index(key);
    if (const array* v = as_array(value)) {
      array val = *v;
      py::gil_scoped_release nogil;
      a.assign(idx, val);
    } else {
      scalar s = to_scalar(value);
      py::gil_scoped_release nogil;
      a.assign(idx, s);
    }
  }, py::arg("a"), py::arg("key"), py::arg("value"),
        "a[key] = value (an Array or a Python scalar), writing through to every view.");
  m.def("reshape", [](const array& a, py::handle shape) {
    shape_t s = to_shape(shape);
    for (auto& d : s)  // NumPy takes any negative extent as the unknown one (-1)
      if (d < 0) d = -1;
    py::gil_scoped_release nogil;
    return a.reshape(std::move(s));
  }, py::arg("a"), py::arg("shape"));
  m.def("transpose", [](const array& a, py::handle axes) {
    std::vector<std::int64_t> ax;
    if (!axes.is_none()) ax = to_shape(axes);
    py::gil_scoped_release nogil;
    return a.transpose(std::move(ax));
  }, py::arg("a"), py::arg("axes") = py::none());
  m.def("ravel", [](const array& a) { return a.ravel(); }, py::arg("a"),
        py::call_guard<py::gil_scoped_release>());
  m.def("copy", [](const array& a) { return a.copy(); }, py::arg("a"),
        py::call_guard<py::gil_scoped_release>());
  m.def("astype", [](const array& a, py::handle t) {
    dtype d = req_dtype(t);
    py::gil_scoped_release nogil;
    return a.astype(d);
  }, py::arg("a"), py::arg("dtype"));

  // ---- creation
  m.def("full", [](py::handle shape, py::handle value, py::handle t) {
    shape_t s = to_shape(shape);
    scalar v = to_scalar(value);
    std::optional<dtype> d = opt_dtype(t);
    py::gil_scoped_release nogil;
    return full(s, v, d);
  }, py::arg("shape"), py::arg("value"), py::arg("dtype") = py::none());
  m.def("zeros", [](py::handle shape, py::handle t) {
    shape_t s = to_shape(shape);
    dtype d = dtype_or(t, dtype::float64);
    py::gil_scoped_release nogil;
    return zeros(s, d);
  }, py::arg("shape"), py::arg("dtype") = py::none());
  m.def("ones", [](py::handle shape, py::handle t) {
    shape_t s = to_shape(shape);
    dtype d = dtype_or(t, dtype::float64);
    py::gil_scoped_release nogil;
    return ones(s, d);
  }, py::arg("shape"), py::arg("dtype") = py::none());
  m.def("empty", [](py::handle shape, py::handle t) {
    shape_t s = to_shape(shape);
    dtype d = dtype_or(t, dtype::float64);
    py::gil_scoped_release nogil;
    return empty(s, d);
  }, py::arg("shape"), py::arg("dtype") = py::none());
  m.def("arange", [](py::handle start, py::handle stop, py::handle step, py::handle t) {
    scalar a = to_scalar(start), b = to_scalar(stop), c = to_scalar(step);
    std::optional<dtype> d = opt_dtype(t);
    py::gil_scoped_release nogil;
    return arange(a, b, c, d);
  }, py::arg("start"), py::arg("stop"), py::arg("step") = 1, py::arg("dtype") = py::none(),
        "NumPy's arange(start, stop, step); the dtype is inferred from the arguments unless given.");
  m.def("linspace", [](double start, double stop, std::int64_t num, bool endpoint, py::handle t) {
    dtype d = dtype_or(t, dtype::float64);
    py::gil_scoped_release nogil;
    return linspace(start, stop, num, endpoint, d);
  }, py::arg("start"), py::arg("stop"), py::arg("num") = 50, py::arg("endpoint") = true,
        py::arg("dtype") = py::none());
  m.def("eye", [](std::int64_t n, std::optional<std::int64_t> mm, std::int64_t k, py::handle t) {
    dtype d = dtype_or(t, dtype::float64);
    py::gil_scoped_release nogil;
    return eye(n, mm, k, d);
  }, py::arg("n"), py::arg("m") = py::none(), py::arg("k") = 0, py::arg("dtype") = py::none());

  // ---- random numbers
  py::class_<generator>(m, "Generator",
                        "Counter-based random numbers: values do not depend on the tiling.")
      .def(py::init<std::uint64_t>(), py::arg("seed"))
      .def("random", [](generator& g, py::handle shape, py::handle t) {
        shape_t s = to_shape(shape);
        dtype d = dtype_or(t, dtype::float64);
        py::gil_scoped_release nogil;
        return g.random(s, d);
      }, py::arg("shape"), py::arg("dtype") = py::none())
      .def("uniform", [](generator& g, double low, double high, py::handle shape, py::handle t) {
        shape_t s = to_shape(shape);
        dtype d = dtype_or(t, dtype::float64);
        py::gil_scoped_release nogil;
        return g.uniform(low, high, s, d);
      }, py::arg("low"), py::arg("high"), py::arg("shape"), py::arg("dtype") = py::none())
      .def("standard_normal", [](generator& g, py::handle shape, py::handle t) {
        shape_t s = to_shape(shape);
        dtype d = dtype_or(t, dtype::float64);
        py::gil_scoped_release nogil;
        return g.standard_normal(s, d);
      }, py::arg("shape"), py::arg("dtype") = py::none())
      .def("integers", [](generator& g, std::int64_t low, std::int64_t high, py::handle shape,
                          py::handle t) {
        shape_t s = to_shape(shape);
        dtype d = dtype_or(t, dtype::int64);
        py::gil_scoped_release nogil;
        return g.integers(low, high, s, d);
      }, py::arg("low"), py::arg("high"), py::arg("shape"), py::arg("dtype") = py::none(),
           "integers in [low, high)");
}

}  // namespace shoal::pyshoal
