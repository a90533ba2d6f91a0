#pragma once
/// Walks the rows of a tile (a box of a global C-order array) for the creation kernels:
/// fn(global flat index of the row start, offset in the dense tile, row length).
#include <cstdint>

#include "arrays/shape.hpp"

namespace shoal::detail {

template <class F> void for_each_tile_row(const shape_t& global, const box& tile, F&& fn) {
  const std::size_t nd = global.size();
  if (tile.empty()) return;
  if (nd == 0) {
    fn(std::int64_t(0), std::int64_t(0), std::int64_t(1));
    return;
  }
  const shape_t gst = c_strides(global);
  const shape_t ext = tile.extent();
  const std::size_t last = nd - 1;
  shape_t idx(nd, 0);
  std::int64_t g = 0;
  for (std::size_t d = 0; d < nd; ++d) g += tile.lo[d] * gst[d];
  std::int64_t off = 0;
  for (;;) {
    fn(g, off, ext[last]);
    off += ext[last];
    std::size_t k = last;
    for (;;) {
      if (k == 0) return;
      --k;
      g += gst[k];
      if (++idx[k] < ext[k]) break;
      g -= gst[k] * ext[k];
      idx[k] = 0;
    }
  }
}

}  // namespace shoal::detail
