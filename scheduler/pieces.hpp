#pragma once
/// Which parts of which shards an actor needs to read a view of an array over a box, and
/// where each part lands. The one piece of geometry under every data movement.
#include <cstdint>
#include <vector>

#include "arrays/shape.hpp"
#include "arrays/tiling.hpp"
#include "scheduler/view.hpp"

namespace shoal {

/// A part of a view box that lies in one tile of the base array.
struct view_piece {
  std::int64_t tile = 0;   ///< base tile index
  box vbox;                ///< in view coordinates (broadcast dims collapsed to their lo)
  std::int64_t src_offset = 0;  ///< element offset of vbox.lo inside the tile's dense buffer
  shape_t src_strides;          ///< per view dim, inside the tile (0 on broadcast dims)
};

/// Splits view box `vb` of `map` (over an array tiled by `til`) into per-tile pieces.
/// Broadcast view dims (map.is_broadcast) are collapsed to extent 1.
std::vector<view_piece> split_view(const view_map& map, const tiling& til, const box& vb);

/// vb with broadcast dims of `map` collapsed to extent 1 (the extent an operand buffer needs).
box collapse_broadcast(const view_map& map, const box& vb);

/// Boxes, in order, whose C-order concatenation is the flat range [first, first + count) of an
/// array of `shape` (at most 2 * ndim boxes).
std::vector<box> flat_range_boxes(const shape_t& shape, std::int64_t first, std::int64_t count);

/// Contiguous C-order runs of box `b` inside `shape`: (flat index of the run's start, length).
std::vector<std::pair<std::int64_t, std::int64_t>> box_runs(const shape_t& shape, const box& b);

}  // namespace shoal
