/// Elementwise ops, where, reductions, matmul / dot, concatenate.
#include <string>
#include <unordered_map>

#include "common.hpp"

namespace shoal::pyshoal {

namespace {

const char* const k_unary_names[] = {"negative", "absolute", "sqrt", "exp", "log",
                                     "sin", "cos", "tanh", "invert", "logical_not"};
const char* const k_binary_names[] = {
    "add", "subtract", "multiply", "divide", "floor_divide", "remainder", "power", "maximum",
    "minimum", "equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
    "bitwise_and", "bitwise_or", "bitwise_xor"};
const char* const k_reduce_names[] = {"sum", "prod", "min", "max", "any", "all", "argmin", "argmax"};

template <std::size_t N>
py::dict names_dict(const char* const (&names)[N]) {
  py::dict d;
  for (std::size_t i = 0; i < N; ++i) d[names[i]] = i;
  return d;
}

/// An op given as its int code or its name.
template <class E, std::size_t N>
E op_code(py::handle h, const char* const (&names)[N], const char* what) {
  PyObject* o = h.ptr();
  if (PyLong_Check(o)) {
    long v = PyLong_AsLong(o);
    if (v >= 0 && static_cast<std::size_t>(v) < N) return static_cast<E>(v);
  } else if (PyUnicode_Check(o)) {
    std::string s = py::str(h);
    for (std::size_t i = 0; i < N; ++i)
      if (s == names[i]) return static_cast<E>(i);
    if (s == "true_divide") return static_cast<E>(3);  // binary only: alias of divide
  }
  throw py::value_error(std::string("unknown ") + what + " " + py::repr(h).cast<std::string>());
}

bool is_comparison(binary_op op) {
  return op >= binary_op::equal && op <= binary_op::greater_equal;
}

/// The scalar operand of a binary op with array `a`, following NumPy 2 (NEP 50) for Python
/// ints that do not fit a's dtype: OverflowError for arithmetic; comparisons are exact (the
/// array is widened to int64 through `widen`).
scalar scalar_operand(py::handle h, const array& a, binary_op op, bool& widen) {
  PyObject* o = h.ptr();
  if (PyLong_Check(o) && !PyBool_Check(o)) {
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (overflow) {
      if (is_float(a.type())) {
        double d = PyLong_AsDouble(o);
        if (d == -1.0 && PyErr_Occurred()) throw py::error_already_set();
        return d;
      }
      PyErr_Format(PyExc_OverflowError, "Python integer %R out of bounds for %s", o,
                   a.type() == dtype::bool_ ? "int64" : dtype_name(a.type()));
      throw py::error_already_set();
    }
    if (a.type() == dtype::int32 && (v < INT32_MIN || v > INT32_MAX)) {
      if (is_comparison(op)) {
        widen = true;
      } else {
        PyErr_Format(PyExc_OverflowError, "Python integer %R out of bounds for int32", o);
        throw py::error_already_set();
      }
    }
    return static_cast<std::int64_t>(v);
  }
  return to_scalar(h);
}

}  // namespace

void bind_ops(py::module_& m) {
  m.attr("UNARY_OPS") = names_dict(k_unary_names);
  m.attr("BINARY_OPS") = names_dict(k_binary_names);
  m.attr("REDUCE_KINDS") = names_dict(k_reduce_names);

  m.def("unary", [](py::handle op, const array& a) {
    auto u = op_code<unary_op>(op, k_unary_names, "unary op");
    py::gil_scoped_release nogil;
    return unary(u, a);
  }, py::arg("op"), py::arg("a"), "op(a) for an op name (or code) in UNARY_OPS.");

  m.def("binary", [](py::handle op, py::handle x, py::handle y) {
    auto b = op_code<binary_op>(op, k_binary_names, "binary op");
    const array* a = as_array(x);
    const array* c = as_array(y);
    if (a && c) {
      py::gil_scoped_release nogil;
      return binary(b, *a, *c);
    }
    bool widen = false;
    if (a) {
      scalar s = scalar_operand(y, *a, b, widen);
      py::gil_scoped_release nogil;
      return widen ? binary(b, a->astype(dtype::int64), s) : binary(b, *a, s);
    }
    if (c) {
      scalar s = scalar_operand(x, *c, b, widen);
      py::gil_scoped_release nogil;
      return widen ? binary(b, s, c->astype(dtype::int64)) : binary(b, s, *c);
    }
    throw py::type_error("binary: at least one operand must be a shoal Array");
  }, py::arg("op"), py::arg("x"), py::arg("y"),
        "op(x, y) for an op name (or code) in BINARY_OPS; x and y are Arrays or Python "
        "bool / int / float scalars (weak in promotion, as in NumPy 2).");

  m.def("where", [](const array& c, const array& x, const array& y) { return where(c, x, y); },
        py::arg("cond"), py::arg("x"), py::arg("y"), py::call_guard<py::gil_scoped_release>());

  m.def("reduce", [](py::handle kind, const array& a, py::handle axes, bool keepdims) {
    auto k = op_code<reduce_kind>(kind, k_reduce_names, "reduction");
    auto ax = to_axes(axes);
    py::gil_scoped_release nogil;
    return reduce(k, a, std::move(ax), keepdims);
  }, py::arg("kind"), py::arg("a"), py::arg("axes") = py::none(), py::arg("keepdims") = false,
        "A reduction named in REDUCE_KINDS over axes (None: all; an int or a sequence).");
  m.def("mean", [](const array& a, py::handle axes, bool keepdims) {
    auto ax = to_axes(axes);
    py::gil_scoped_release nogil;
    return mean(a, std::move(ax), keepdims);
  }, py::arg("a"), py::arg("axes") = py::none(), py::arg("keepdims") = false);

  m.def("matmul", [](const array& a, const array& b) { return matmul(a, b); }, py::arg("a"),
        py::arg("b"), py::call_guard<py::gil_scoped_release>());
  m.def("dot", [](const array& a, const array& b) { return dot(a, b); }, py::arg("a"),
        py::arg("b"), py::call_guard<py::gil_scoped_release>());
  m.def("concatenate", [](py::handle seq, std::int64_t axis) {
    std::vector<array> v;
    for (py::handle h : py::reinterpret_borrow<py::iterable>(seq))
      v.push_back(req_array(h, "concatenate"));
    py::gil_scoped_release nogil;
    return concatenate(v, axis);
  }, py::arg("arrays"), py::arg("axis") = 0);
}

}  // namespace shoal::pyshoal
