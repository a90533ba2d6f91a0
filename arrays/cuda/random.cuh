#pragma once
/// CUDA twin of arrays/random.hpp: fill_random into device memory.
///
/// Same counter-based Philox4x32-10 stream as the CPU (counter = (flat global index, stream),
/// key = seed), so every kind is bit-identical to shoal::fill_random for any seed/stream/index
/// and any tiling: multiplies and adds are explicitly rounded (no FMA contraction), and
/// standard_normal runs the CPU's own Box-Muller code (arrays/box_muller.hpp), not CUDA's
/// log/cos. Include only from .cu files or code
/// built with SHOAL_WITH_CUDA.
#include <cuda_runtime.h>

#include <cstdint>

#include "arrays/dtype.hpp"
#include "arrays/random.hpp"
#include "arrays/shape.hpp"

namespace shoal::cuda {

/// shoal::fill_random on the device (errors as on the CPU; rank > 32 -> value_error).
void fill_random(random_kind kind, dtype t, const random_params& p, std::uint64_t seed,
                 std::uint64_t stream_id, const shape_t& global_shape, const box& tile, void* out,
                 cudaStream_t stream);

}  // namespace shoal::cuda
