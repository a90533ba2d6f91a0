/// shoal::error -> NumPy's Python exception, chosen by the error's code.
#include "common.hpp"

namespace shoal::pyshoal {

namespace {

PyObject* g_axis_error = nullptr;  // numpy.exceptions.AxisError (leaked on purpose)

PyObject* axis_error_type() {
  if (!g_axis_error) {
    PyObject* mod = PyImport_ImportModule("numpy.exceptions");
    if (mod) {
      g_axis_error = PyObject_GetAttrString(mod, "AxisError");
      Py_DECREF(mod);
    }
    if (!g_axis_error) {  // very old NumPy: numpy.AxisError; else fall back to IndexError
      PyErr_Clear();
      PyObject* np = PyImport_ImportModule("numpy");
      if (np) {
        g_axis_error = PyObject_GetAttrString(np, "AxisError");
        Py_DECREF(np);
      }
      if (!g_axis_error) {
        PyErr_Clear();
        Py_INCREF(PyExc_IndexError);
        g_axis_error = PyExc_IndexError;
      }
    }
  }
  return g_axis_error;
}

void set_python_error(const error& e) {
  PyObject* type = PyExc_RuntimeError;
  switch (e.code()) {
    case errc::value_error: type = PyExc_ValueError; break;
    case errc::type_error: type = PyExc_TypeError; break;
    case errc::index_error: type = PyExc_IndexError; break;
    case errc::memory_error: type = PyExc_MemoryError; break;
    case errc::zero_division: type = PyExc_ZeroDivisionError; break;
    case errc::key_error: type = PyExc_KeyError; break;
    case errc::axis_error: {
      // AxisError(msg) with one argument uses it as the whole message
      PyObject* cls = axis_error_type();
      PyObject* inst = PyObject_CallFunction(cls, "s", e.what());
      if (inst) {
        PyErr_SetObject(cls, inst);
        Py_DECREF(inst);
      }  // else the failed call left its own error set
      return;
    }
    case errc::none:
    case errc::runtime_error: break;
  }
  PyErr_SetString(type, e.what());
}

}  // namespace

void bind_errors(py::module_& m) {
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const error& e) {
      set_python_error(e);
    }
  });
  m.attr("ERRC") = py::dict(py::arg("none") = 0, py::arg("value_error") = 1,
                            py::arg("type_error") = 2, py::arg("index_error") = 3,
                            py::arg("axis_error") = 4, py::arg("memory_error") = 5,
                            py::arg("runtime_error") = 6, py::arg("zero_division") = 7,
                            py::arg("key_error") = 8);
  /// Raises the Python exception for an errc code (for tests of the translation).
  m.def("_raise", [](int code, const std::string& message) {
    throw error(static_cast<errc>(code), message);
  });
}

}  // namespace shoal::pyshoal
