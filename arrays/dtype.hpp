#pragma once
/// Element types shoal supports and NumPy's promotion rules among them.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace shoal {

/// The element types of the first API slice; values are stable (they travel in messages).
enum class dtype : std::uint8_t { bool_ = 0, int32 = 1, int64 = 2, float32 = 3, float64 = 4 };

inline constexpr int dtype_count = 5;

/// Bytes per element.
std::size_t itemsize(dtype t);
/// NumPy's name: "bool", "int32", "int64", "float32", "float64".
const char* dtype_name(dtype t);
/// Parses NumPy's names (and "bool_", "float", "int" meaning float64 / int64).
std::optional<dtype> dtype_from_name(std::string_view name);

inline bool is_float(dtype t) { return t == dtype::float32 || t == dtype::float64; }
inline bool is_integer(dtype t) { return t == dtype::int32 || t == dtype::int64; }

/// NumPy's result_type for two arrays (not scalars): bool < int32 < int64,
/// float32 < float64, int32|int64 with float32 -> float64.
dtype promote(dtype a, dtype b);

/// What kind of Python scalar takes part in promotion (NEP 50: scalars are "weak").
enum class scalar_kind : std::uint8_t { boolean, integer, floating };

/// result_type(array of `a`, python scalar of kind `k`) under NEP 50.
/// bool array + int -> int64, bool/int array + float -> float64, otherwise the array's dtype
/// (int array + int keeps the int dtype; float32 + float stays float32).
dtype promote_with_scalar(dtype a, scalar_kind k);

/// The dtype of a float-valued function (true_divide, sqrt, exp, mean...) applied to `a`:
/// float32 stays float32, float64 stays, integers -> float64. NumPy gives float16 for bool;
/// shoal has no float16 and uses float32 (documented deviation).
dtype float_result(dtype a);

/// C++ type of a dtype, for templates.
template <dtype T> struct ctype_of;
template <> struct ctype_of<dtype::bool_> { using type = bool; };
template <> struct ctype_of<dtype::int32> { using type = std::int32_t; };
template <> struct ctype_of<dtype::int64> { using type = std::int64_t; };
template <> struct ctype_of<dtype::float32> { using type = float; };
template <> struct ctype_of<dtype::float64> { using type = double; };
template <dtype T> using ctype_t = typename ctype_of<T>::type;

/// Calls f(std::integral_constant<dtype, T>{}) for the runtime dtype t; use
/// `ctype_t<decltype(tag)::value>` inside f for the element type.
template <class F> decltype(auto) visit_dtype(dtype t, F&& f) {
  switch (t) {
    case dtype::bool_: return f(std::integral_constant<dtype, dtype::bool_>{});
    case dtype::int32: return f(std::integral_constant<dtype, dtype::int32>{});
    case dtype::int64: return f(std::integral_constant<dtype, dtype::int64>{});
    case dtype::float32: return f(std::integral_constant<dtype, dtype::float32>{});
    case dtype::float64: break;
  }
  return f(std::integral_constant<dtype, dtype::float64>{});
}

}  // namespace shoal
