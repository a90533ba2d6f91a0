#pragma once
/// n-d copy between strided layouts (strides in elements, may be negative or 0 on the
/// source). The primitive under slicing, transposition, concatenation and shard assembly.
#include <cstddef>
#include <cstdint>

#include "arrays/shape.hpp"

namespace shoal {

/// A strided copy's layout with extent-1 dims dropped and neighbours merged that are
/// contiguous in both layouts (strides in elements), so most copies become a few long rows.
/// Shared by the host copy (strided_copy.cpp) and its device twin (cuda/copy.cu).
struct merged_dims {
  shape_t ext, ds, ss;  ///< extents, destination and source strides; empty: one element
  bool none = false;    ///< some extent is 0: nothing to copy
};
merged_dims merge_dims(const std::int64_t* dst_strides, const std::int64_t* src_strides, const shape_t& shape);

/// dst[i] = src[i] for every index i of `shape`; addresses are base + sum(i_d * stride_d) *
/// itemsize. Contiguous inner runs are copied with memcpy.
void copy_strided(void* dst, const std::int64_t* dst_strides, const void* src,
                  const std::int64_t* src_strides, const shape_t& shape, std::size_t itemsize);

}  // namespace shoal
