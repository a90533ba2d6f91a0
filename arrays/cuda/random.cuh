#pragma once
/// CUDA twin of arrays/random.hpp: fill_random into device memory.
///
/// Same counter-based Philox4x32-10 stream as the CPU (counter = (flat global index, stream),
/// key = seed), so `uniform` and `integers` are bit-identical to shoal::fill_random for any
/// seed/stream/index and any tiling (multiplies and adds are explicitly rounded: no FMA
/// contraction). `standard_normal` runs the same Box-Muller formula, but CUDA's log/cos are
/// not glibc's: a float64 value may differ from the CPU's in the last bit or two (float32
/// values almost always agree). Making normals bit-identical needs one log/cos implementation
/// shared by both sides (see the report in the commit). Include only from .cu files or code
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
