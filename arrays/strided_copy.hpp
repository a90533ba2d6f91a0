#pragma once
/// n-d copy between strided layouts (strides in elements, may be negative or 0 on the
/// source). The primitive under slicing, transposition, concatenation and shard assembly.
#include <cstddef>
#include <cstdint>

#include "arrays/shape.hpp"

namespace shoal {

/// dst[i] = src[i] for every index i of `shape`; addresses are base + sum(i_d * stride_d) *
/// itemsize. Contiguous inner runs are copied with memcpy.
void copy_strided(void* dst, const std::int64_t* dst_strides, const void* src,
                  const std::int64_t* src_strides, const shape_t& shape, std::size_t itemsize);

}  // namespace shoal
