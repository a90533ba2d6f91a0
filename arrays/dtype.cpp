/// dtype names and NumPy's promotion rules for the five shoal dtypes.
#include "arrays/dtype.hpp"

namespace shoal {

std::size_t itemsize(dtype t) {
  switch (t) {
    case dtype::bool_: return 1;
    case dtype::int32: return 4;
    case dtype::int64: return 8;
    case dtype::float32: return 4;
    case dtype::float64: return 8;
  }
  return 8;
}

const char* dtype_name(dtype t) {
  switch (t) {
    case dtype::bool_: return "bool";
    case dtype::int32: return "int32";
    case dtype::int64: return "int64";
    case dtype::float32: return "float32";
    case dtype::float64: return "float64";
  }
  return "float64";
}

std::optional<dtype> dtype_from_name(std::string_view n) {
  // NumPy's names, the Python builtins, and the one-char codes NumPy prints in repr/errors.
  if (n == "bool" || n == "bool_" || n == "?" || n == "b1") return dtype::bool_;
  if (n == "int32" || n == "i4" || n == "<i4") return dtype::int32;
  if (n == "int64" || n == "int" || n == "i8" || n == "<i8" || n == "intp") return dtype::int64;
  if (n == "float32" || n == "f4" || n == "<f4" || n == "single") return dtype::float32;
  if (n == "float64" || n == "float" || n == "f8" || n == "<f8" || n == "double")
    return dtype::float64;
  return std::nullopt;
}

dtype promote(dtype a, dtype b) {
  if (a == b) return a;
  if (a == dtype::bool_) return b;
  if (b == dtype::bool_) return a;
  if (is_integer(a) && is_integer(b)) return dtype::int64;
  if (is_float(a) && is_float(b)) return dtype::float64;
  // one int, one float: float32 cannot hold int32/int64 exactly, so NumPy goes to float64
  return dtype::float64;
}

dtype promote_with_scalar(dtype a, scalar_kind k) {
  switch (k) {
    case scalar_kind::boolean: return a;
    case scalar_kind::integer: return a == dtype::bool_ ? dtype::int64 : a;
    case scalar_kind::floating: return is_float(a) ? a : dtype::float64;
  }
  return a;
}

dtype float_result(dtype a) {
  if (is_float(a)) return a;
  if (a == dtype::bool_) return dtype::float32;  // NumPy: float16, which shoal lacks
  return dtype::float64;
}

}  // namespace shoal
