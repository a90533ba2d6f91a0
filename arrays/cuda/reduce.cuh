#pragma once
/// CUDA twins of arrays/reduce.hpp: reduce_tile and combine_partials on device memory.
///
/// Same semantics and result dtypes as the CPU functions (reduce_result). All pointers are
/// device pointers (T-aligned); shapes/axes/origin are host metadata. Everything is queued on
/// `stream` (temporaries come from the stream-ordered pool and are freed in stream order);
/// nothing synchronizes: the caller does.
///
/// Differences from the CPU results: integer/bool reductions and min/max/argmin/argmax are
/// bit-identical (arg ties and NaN pick the smallest global index, as on the CPU); float sums
/// and products are computed in another order (float32 sums accumulate in float64, so they
/// are at least as accurate as NumPy's pairwise sum). Both -0.0 and 0.0 may come out of
/// min/max of a mix of zeros (they compare equal).
///
/// Include only from .cu files or code built with SHOAL_WITH_CUDA.
#include <cuda_runtime.h>

#include <cstdint>
#include <vector>

#include "arrays/dtype.hpp"
#include "arrays/reduce.hpp"
#include "arrays/shape.hpp"

namespace shoal::cuda {

/// shoal::reduce_tile on the device. Fast paths: reductions whose innermost (merged) dim is
/// reduced (axis=-1, axis=None: vectorized block/warp row reductions split over many blocks
/// when there are few rows) and innermost-kept ones (axis=0: one coalesced column per thread,
/// the reduced range split over blocks when there are few columns). Tiles of rank > 32 throw
/// value_error.
void reduce_tile(reduce_kind k, dtype in_type, const void* in, const shape_t& shape,
                 const std::vector<bool>& axes, void* out, std::int64_t* out_index,
                 const shape_t& origin, const shape_t& global_shape, cudaStream_t stream);

/// Value reductions only (no arg-reduction outputs).
inline void reduce_tile(reduce_kind k, dtype in_type, const void* in, const shape_t& shape,
                        const std::vector<bool>& axes, void* out, cudaStream_t stream) {
  reduce_tile(k, in_type, in, shape, axes, out, nullptr, {}, {}, stream);
}

/// shoal::combine_partials on the device (acc, part, acc_index, part_index: device memory).
void combine_partials(reduce_kind k, dtype t, void* acc, const void* part, std::int64_t n,
                      std::int64_t* acc_index, const std::int64_t* part_index,
                      cudaStream_t stream);

}  // namespace shoal::cuda
