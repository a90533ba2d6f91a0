/// Creation kernels: every element is a function of its global index only.
#include "arrays/fill.hpp"

#include <cmath>

#include "arrays/elementwise_ops.hpp"
#include "arrays/errors.hpp"
#include "arrays/tile_walk.hpp"

namespace shoal {

namespace {

using i64 = std::int64_t;

template <class T> T from_int(i64 v) { return ops::cast_val<T>(v); }
template <class T> T from_float(double v) { return ops::cast_val<T>(v); }

/// NumPy's arange for floats: element 0 is start, element 1 is start + step (in double, then
/// rounded to T), later ones start + i * delta with delta = elem1 - elem0, all in T (this is
/// the dtype's `fill` function; matching it makes results bit-identical to NumPy).
template <class T> T arange_float(double a, double b, i64 i) {
  const T start = T(a);
  const T next = T(a + b);
  if (i == 0) return start;
  if (i == 1) return next;
  const T delta = next - start;
  return start + T(i) * delta;
}

/// NumPy's linspace (numpy/_core/function_base.py): computed in float64, then floored for
/// integer dtypes, then cast.
double linspace_value(const fill_params& p, i64 i) {
  const i64 num = p.count;
  const double div = p.endpoint ? double(num - 1) : double(num);
  const double delta = p.fb - p.fa;
  double y;
  if (div > 0) {
    const double step = delta / div;
    y = step == 0 ? (double(i) / div) * delta + p.fa : double(i) * step + p.fa;
  } else {
    y = double(i) * delta + p.fa;
  }
  if (p.endpoint && num > 1 && i == num - 1) y = p.fb;
  return y;
}

template <class T>
void fill_typed(fill_kind kind, const fill_params& p, const shape_t& global, const box& tile,
                T* out) {
  switch (kind) {
    case fill_kind::full: {
      T v;
      if constexpr (ops::is_float_v<T>) v = T(p.fa);
      else v = from_int<T>(p.ia);
      std::fill_n(out, tile.size(), v);
      return;
    }
    case fill_kind::arange:
      detail::for_each_tile_row(global, tile, [&](i64 g, i64 off, i64 n) {
        for (i64 j = 0; j < n; ++j) {
          if constexpr (ops::is_float_v<T>) {
            out[off + j] = arange_float<T>(p.fa, p.fb, g + j);
          } else {
            // exact in int64 with wrap-around, then NumPy's cast to the dtype
            const auto v = std::uint64_t(p.ia) + std::uint64_t(g + j) * std::uint64_t(p.ib);
            out[off + j] = from_int<T>(i64(v));
          }
        }
      });
      return;
    case fill_kind::linspace:
      detail::for_each_tile_row(global, tile, [&](i64 g, i64 off, i64 n) {
        for (i64 j = 0; j < n; ++j) {
          double y = linspace_value(p, g + j);
          if constexpr (!ops::is_float_v<T>) y = std::floor(y);
          out[off + j] = from_float<T>(y);
        }
      });
      return;
    case fill_kind::eye: {
      if (global.size() != 2) throw_error(errc::value_error, "eye: the array must be 2-d");
      const shape_t ext = tile.extent();
      for (i64 r = 0; r < ext[0]; ++r)
        for (i64 c = 0; c < ext[1]; ++c)
          out[r * ext[1] + c] = T((tile.lo[1] + c) - (tile.lo[0] + r) == p.k);
      return;
    }
  }
}

}  // namespace

void fill_tile(fill_kind kind, dtype t, const fill_params& p, const shape_t& global_shape,
               const box& tile, void* out) {
  if (tile.ndim() != global_shape.size())
    throw_error(errc::value_error, "fill_tile: tile rank differs from the array");
  if (tile.empty()) return;
  visit_dtype(t, [&](auto tag) {
    using T = ops::stype<decltype(tag)::value>;
    fill_typed<T>(kind, p, global_shape, tile, static_cast<T*>(out));
  });
}

}  // namespace shoal
