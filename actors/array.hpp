#pragma once
/// shoal::array: the C++ user's handle to a sharded array. Cheap to copy (a shared handle);
/// every operation returns at once with a new handle and only reading data waits. Shape and
/// dtype are known eagerly, so shape and dtype errors are thrown at the call, like NumPy.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "arrays/dtype.hpp"
#include "arrays/errors.hpp"
#include "arrays/fill.hpp"
#include "arrays/program.hpp"
#include "arrays/random.hpp"
#include "arrays/reduce.hpp"
#include "arrays/shape.hpp"

namespace shoal {

class runtime;
namespace client {
struct node;
}

/// A Python-like scalar operand: bool, integer or float (weak in type promotion, NEP 50).
using scalar = std::variant<bool, std::int64_t, double>;

/// One item of an index expression, as in a[1, 2:8:3, None, ...].
struct index_item {
  enum kind_t : std::uint8_t { integer, slice, newaxis, ellipsis } kind = integer;
  std::int64_t i = 0;  ///< integer
  std::optional<std::int64_t> start, stop, step;  ///< slice (missing = NumPy's default)
  static index_item at(std::int64_t i) { return {integer, i, {}, {}, {}}; }
  static index_item range(std::optional<std::int64_t> start, std::optional<std::int64_t> stop,
                          std::optional<std::int64_t> step = {}) {
    return {slice, 0, start, stop, step};
  }
  static index_item all() { return {slice, 0, {}, {}, {}}; }
  static index_item new_axis() { return {newaxis, 0, {}, {}, {}}; }
  static index_item dots() { return {ellipsis, 0, {}, {}, {}}; }
};
using index_expr = std::vector<index_item>;

/// Unary elementwise operations (NumPy ufunc names in comments).
enum class unary_op : std::uint8_t { negative, absolute, sqrt, exp, log, sin, cos, tanh, invert, logical_not };
/// Binary elementwise operations.
enum class binary_op : std::uint8_t {
  add, subtract, multiply, divide, floor_divide, remainder, power, maximum, minimum,
  equal, not_equal, less, less_equal, greater, greater_equal, bitwise_and, bitwise_or, bitwise_xor
};

class array {
 public:
  array() = default;  ///< an empty handle (valid() is false)

  // ---- metadata (never waits)
  bool valid() const { return node_ != nullptr; }
  const shape_t& shape() const;
  dtype type() const;
  std::size_t ndim() const { return shape().size(); }
  std::int64_t size() const { return numel(shape()); }

  // ---- reading (waits for the data)
  /// Copies the whole array into `out` (C order, size() * itemsize bytes).
  void read(void* out) const;
  template <class T> std::vector<T> to_vector() const {
    std::vector<T> v(static_cast<std::size_t>(size()));
    read(v.data());
    return v;
  }
  /// The value of a size-1 array as double / int64 / bool (NumPy's ValueError otherwise).
  scalar item() const;
  /// Waits until every op producing this array has run (rethrows a kernel's error).
  void wait() const;

  // ---- views and layout (views share data with their base, like NumPy)
  array operator[](const index_expr& idx) const;  ///< basic indexing: a view
  array reshape(shape_t new_shape) const;          ///< one -1 allowed
  array transpose(std::vector<std::int64_t> axes = {}) const;  ///< a view; empty = reverse
  array ravel() const;
  array copy() const;
  array astype(dtype t) const;
  /// a[idx] = value (broadcast to the indexed shape, cast to this dtype). Writes through to
  /// the base array and every view of it.
  void assign(const index_expr& idx, const array& value);
  void assign(const index_expr& idx, scalar value);

  // ---- identity (for tests and runtime_info)
  std::uint64_t id() const;
  const std::shared_ptr<client::node>& node() const { return node_; }
  explicit array(std::shared_ptr<client::node> n) : node_(std::move(n)) {}

 private:
  std::shared_ptr<client::node> node_;
};

// ---- creation
array full(const shape_t& shape, scalar value, std::optional<dtype> t = {});
array zeros(const shape_t& shape, dtype t = dtype::float64);
array ones(const shape_t& shape, dtype t = dtype::float64);
array empty(const shape_t& shape, dtype t = dtype::float64);
/// NumPy's arange; dtype inferred from the arguments unless given.
array arange(scalar start, scalar stop, scalar step = std::int64_t{1}, std::optional<dtype> t = {});
array linspace(double start, double stop, std::int64_t num = 50, bool endpoint = true,
               dtype t = dtype::float64);
array eye(std::int64_t n, std::optional<std::int64_t> m = {}, std::int64_t k = 0,
          dtype t = dtype::float64);
/// Copies host data (C order) into a new sharded array.
array from_host(const void* data, const shape_t& shape, dtype t);
template <class T> array from_vector(const std::vector<T>& v, shape_t shape = {});

/// Counter-based random numbers, as numpy.random.default_rng(seed).<kind>: each call of a
/// generator draws a fresh stream.
class generator {
 public:
  explicit generator(std::uint64_t seed) : seed_(seed) {}
  array random(const shape_t& shape, dtype t = dtype::float64);
  array uniform(double low, double high, const shape_t& shape, dtype t = dtype::float64);
  array standard_normal(const shape_t& shape, dtype t = dtype::float64);
  /// integers in [low, high)
  array integers(std::int64_t low, std::int64_t high, const shape_t& shape, dtype t = dtype::int64);

 private:
  std::uint64_t seed_;
  std::uint64_t stream_ = 0;
};

// ---- elementwise (broadcasting, NumPy promotion)
array unary(unary_op op, const array& a);
array binary(binary_op op, const array& a, const array& b);
array binary(binary_op op, const array& a, scalar b);
array binary(binary_op op, scalar a, const array& b);
array where(const array& cond, const array& x, const array& y);

// ---- reductions; axes empty = all; NumPy's result dtypes
array reduce(reduce_kind k, const array& a, std::optional<std::vector<std::int64_t>> axes = {},
             bool keepdims = false);
array mean(const array& a, std::optional<std::vector<std::int64_t>> axes = {}, bool keepdims = false);

// ---- linear algebra and joining
array matmul(const array& a, const array& b);
array dot(const array& a, const array& b);
array concatenate(const std::vector<array>& arrays, std::int64_t axis = 0);

// ---- operators, C++ style
array operator+(const array& a, const array& b);
array operator-(const array& a, const array& b);
array operator*(const array& a, const array& b);
array operator/(const array& a, const array& b);
array operator+(const array& a, scalar b);
array operator-(const array& a, scalar b);
array operator*(const array& a, scalar b);
array operator/(const array& a, scalar b);
array operator+(scalar a, const array& b);
array operator-(scalar a, const array& b);
array operator*(scalar a, const array& b);
array operator/(scalar a, const array& b);
array operator-(const array& a);

template <class T> array from_vector(const std::vector<T>& v, shape_t shape) {
  if (shape.empty() && !v.empty()) shape = {static_cast<std::int64_t>(v.size())};
  dtype t = std::is_same_v<T, bool> ? dtype::bool_
            : std::is_same_v<T, std::int32_t> ? dtype::int32
            : std::is_same_v<T, std::int64_t> ? dtype::int64
            : std::is_same_v<T, float> ? dtype::float32
                                       : dtype::float64;
  if constexpr (std::is_same_v<T, bool>) {
    std::vector<std::uint8_t> bytes(v.begin(), v.end());
    return from_host(bytes.data(), shape, t);
  } else {
    return from_host(v.data(), shape, t);
  }
}

}  // namespace shoal
