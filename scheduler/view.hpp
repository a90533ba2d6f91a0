#pragma once
/// Affine views: how the index space of an operand (a slice, a transpose, a broadcast) maps
/// onto the index space of the array that stores the data. Basic indexing, transposition,
/// new axes and broadcasting all compose into one view_map, so every op reads any view of
/// any array through the same planning code (scheduler/pieces.hpp).
#include <cstdint>
#include <optional>
#include <vector>

#include "arrays/shape.hpp"

namespace shoal {

/// view index i (rank = shape.size()) -> base index j (rank = base_shape.size()):
///   j[d] = offset[d] + sum over view dims o with dim[o] == d of step[o] * i[o].
/// Each base dim is walked by at most one view dim; dim[o] == -1 marks a view dim that walks
/// no base dim (a new axis or a broadcast dim). A base dim walked by no view dim is fixed at
/// offset[d] (an integer index). step may be negative (reversed slices) or 0 (a broadcast
/// size-1 dim).
struct view_map {
  shape_t base_shape;
  shape_t offset;         ///< per base dim
  shape_t shape;          ///< per view dim
  std::vector<int> dim;   ///< per view dim: the base dim walked, or -1
  shape_t step;           ///< per view dim

  static view_map identity(const shape_t& s);
  bool is_identity() const;
  /// Base index of view index i.
  shape_t apply(const shape_t& i) const;
  /// True where view dim o reads the same base element for every i[o] (broadcast dims).
  bool is_broadcast(std::size_t o) const { return dim[o] < 0 || step[o] == 0; }
};

/// One item of a basic index, already validated by the caller's front end.
struct index_spec {
  enum kind_t : std::uint8_t { integer, slice, newaxis, ellipsis } kind = integer;
  std::int64_t i = 0;
  std::optional<std::int64_t> start, stop, step;
};

/// v[idx] with NumPy's rules and error messages (IndexError for out-of-range integers and too
/// many indices, ValueError for a zero step, IndexError for a second ellipsis).
view_map index_view(const view_map& v, const std::vector<index_spec>& idx);
/// v.transpose(axes) (axes empty = reversed); ValueError "axes don't match array" otherwise.
view_map transpose_view(const view_map& v, const std::vector<std::int64_t>& axes);
/// v broadcast to `to` (NumPy rules; precondition: broadcastable).
view_map broadcast_view(const view_map& v, const shape_t& to);

/// Python's slice.indices: normalized (start, stop, step, length) for a dim of extent n.
struct slice_range {
  std::int64_t start, stop, step, length;
};
slice_range normalize_slice(std::optional<std::int64_t> start, std::optional<std::int64_t> stop,
                            std::optional<std::int64_t> step, std::int64_t n);

}  // namespace shoal
