#pragma once
/// n-d block tiling: an array of `shape` cut into tiles of `tile` extents (the last tile
/// along a dim may be smaller). Tiles are numbered in C order over the tile grid.
#include <cstdint>
#include <vector>

#include "arrays/shape.hpp"

namespace shoal {

struct tiling {
  shape_t shape;  ///< the array's shape
  shape_t tile;   ///< extents of a full tile, each >= 1, same rank as shape

  /// Tiles per dim (0 along a dim of extent 0).
  shape_t grid() const;
  /// Number of tiles (1 for 0-d; 0 for an empty array).
  std::int64_t count() const;
  /// Grid coordinates of tile `t`, and back.
  shape_t coords(std::int64_t t) const;
  std::int64_t index(const shape_t& coords) const;
  /// The index box covered by tile `t`.
  box tile_box(std::int64_t t) const;
  /// Tiles that intersect box `b`, in increasing order.
  std::vector<std::int64_t> overlapping(const box& b) const;
  bool operator==(const tiling& o) const { return shape == o.shape && tile == o.tile; }
};

/// Tiling policy: arrays with at most `min_tile_elems` elements stay one tile. Otherwise
/// tiles hold about max(min_tile_elems, numel / (tiles_per_actor * n_actors)) elements, split
/// along the leading dims first (so C-order rows stay whole: ravel/reshape stay cheap), and
/// never more tiles than elements.
tiling choose_tiling(const shape_t& shape, std::int64_t min_tile_elems, int n_actors,
                     int tiles_per_actor = 1);

}  // namespace shoal
