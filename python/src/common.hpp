#pragma once
/// Shared declarations of the _shoal extension module: the conversions between Python objects
/// and shoal's C++ types, and one bind_* function per source file.
#include <pybind11/pybind11.h>

#include <optional>
#include <vector>

#include "actors/array.hpp"
#include "actors/runtime.hpp"
#include "arrays/dtype.hpp"
#include "arrays/errors.hpp"
#include "arrays/reduce.hpp"

namespace py = pybind11;

namespace shoal::pyshoal {

// ---- module parts (one per .cpp)
void bind_errors(py::module_& m);   // errors.cpp
void bind_runtime(py::module_& m);  // runtime.cpp
void bind_array(py::module_& m);    // array.cpp
void bind_ops(py::module_& m);      // ops.cpp
void bind_kernels(py::module_& m);  // kernels.cpp
void bind_cluster(py::module_& m);  // cluster.cpp
void bind_elastic(py::module_& m);  // elastic.cpp
void bind_membership(py::module_& m);  // membership.cpp

/// A shard migration's progress as a dict (runtime_info()'s migration_info, the head's
/// migration_wire in cluster_view(): the same fields).
template <class M>
py::dict migration_dict(const M& m) {
  py::dict d;
  d["active"] = m.active;
  d["moves_total"] = m.moves_total;
  d["moves_done"] = m.moves_done;
  d["bytes_total"] = m.bytes_total;
  d["bytes_done"] = m.bytes_done;
  d["rebalances"] = m.rebalances;
  return d;
}

// ---- conversions (convert.cpp); each raises a Python error (py::error_already_set or a
// pybind11 exception) on bad input
/// Throws shoal::error with `code`; lets the registered translator raise NumPy's exception.
[[noreturn]] void raise(errc code, const std::string& message);
/// A dtype from None (-> nullopt), an int code 0..4, a name ("float32"), a numpy dtype or a
/// type object such as numpy.float32 / float / bool. Unsupported dtypes raise TypeError.
std::optional<dtype> opt_dtype(py::handle h);
dtype req_dtype(py::handle h);
/// True for Python bool / int / float (and their subclasses, e.g. numpy.float64).
bool is_scalar(py::handle h);
/// A Python bool / int / float as a shoal::scalar (OverflowError past int64).
scalar to_scalar(py::handle h);
/// Python value of a shoal::scalar.
py::object from_scalar(const scalar& s);
/// An int or a sequence of ints.
shape_t to_shape(py::handle h);
py::tuple shape_tuple(const shape_t& s);
/// None -> nullopt (all axes); an int or a sequence of ints.
std::optional<std::vector<std::int64_t>> to_axes(py::handle h);
/// A Python index (int, slice, None, Ellipsis or a tuple of them) as an index_expr.
index_expr to_index(py::handle key);
/// The Array held by h, or nullptr when h is not an Array.
const array* as_array(py::handle h);
/// The Array held by h (TypeError otherwise).
const array& req_array(py::handle h, const char* what);

/// The numpy module (imported once, kept for the life of the process).
py::handle numpy_module();

}  // namespace shoal::pyshoal
