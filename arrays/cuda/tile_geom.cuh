#pragma once
/// A tile's place in its array for the generating kernels (cuda/fill.cu, cuda/random.cu): a
/// thread's flat index inside the tile becomes the element's global C-order index, which is
/// what the values depend on (arange, linspace, the counter of the random stream), so every
/// tiling of an array gets the same values. Include from .cu files only.
#include <algorithm>
#include <cstdint>
#include <string>

#include "arrays/errors.hpp"
#include "arrays/shape.hpp"

namespace shoal::cuda {

struct tile_geom {
  static constexpr int max_dims = 32;
  static constexpr int block = 256;  ///< threads per block of the generating kernels
  int n = 0;
  std::int64_t ext[max_dims];  ///< the tile's extents
  std::int64_t gst[max_dims];  ///< the array's C-order strides
  std::int64_t g0 = 0;         ///< global index of the tile's first element

  /// The geometry of `tile` in an array of `global` shape; value_error (naming `who`) when it
  /// has more dims than a kernel argument holds.
  static tile_geom of(const shape_t& global, const box& tile, const char* who) {
    if (global.size() > std::size_t(max_dims)) throw_error(errc::value_error, std::string(who) + " (CUDA): too many dims");
    tile_geom g;
    const shape_t gst = c_strides(global);
    const shape_t ext = tile.extent();
    g.n = int(global.size());
    for (std::size_t d = 0; d < global.size(); ++d) {
      g.ext[d] = ext[d];
      g.gst[d] = gst[d];
      g.g0 += tile.lo[d] * gst[d];
    }
    return g;
  }

  /// Global flat index of the tile's local flat index `l`.
  __device__ __forceinline__ std::int64_t global_index(std::int64_t l) const {
    std::int64_t off = g0;
    for (int d = n - 1; d > 0; --d) {
      const std::int64_t q = l / ext[d];
      off += (l - q * ext[d]) * gst[d];
      l = q;
    }
    if (n > 0) off += l * gst[0];
    return off;
  }

  /// Blocks for `count` elements (grid-stride loops cover the rest).
  static unsigned grid_for(std::int64_t count) {
    return unsigned(std::clamp<std::int64_t>((count + block - 1) / block, 1, 65536));
  }
};

}  // namespace shoal::cuda
