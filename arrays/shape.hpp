#pragma once
/// Shapes, strides and n-d boxes (half-open index ranges), the geometry every layer shares.
#include <cstdint>
#include <string>
#include <vector>

namespace shoal {

using shape_t = std::vector<std::int64_t>;

/// Number of elements (1 for a 0-d shape, 0 if any extent is 0).
std::int64_t numel(const shape_t& s);
/// C-order strides in elements.
shape_t c_strides(const shape_t& s);
/// NumPy's tuple spelling: "(3,)", "(2, 3)", "()".
std::string shape_str(const shape_t& s);
/// NumPy broadcasting of two shapes; throws shoal::error(value_error,
/// "operands could not be broadcast together with shapes (3,) (4,) ") when they do not.
shape_t broadcast_shapes(const shape_t& a, const shape_t& b);
/// Strides (in elements) that read an array of shape `from` (C-contiguous) as if it had the
/// broadcast shape `to` (0 on broadcast dims). Precondition: `from` broadcasts to `to`.
shape_t broadcast_strides(const shape_t& from, const shape_t& to);

/// An n-d half-open box [lo, hi) in index space.
struct box {
  shape_t lo, hi;
  std::size_t ndim() const { return lo.size(); }
  shape_t extent() const;
  std::int64_t size() const { return numel(extent()); }
  bool empty() const;
  bool operator==(const box& o) const { return lo == o.lo && hi == o.hi; }
};

/// The box covering a whole shape.
box full_box(const shape_t& s);
/// Intersection (may be empty: then some hi <= lo).
box intersect(const box& a, const box& b);

}  // namespace shoal
