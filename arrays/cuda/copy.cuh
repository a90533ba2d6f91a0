#pragma once
/// CUDA twin of arrays/strided_copy.hpp: n-d copy between strided layouts in device memory
/// (or any memory the device can address: pinned/managed host memory works too).
/// Include only from .cu files or code built with SHOAL_WITH_CUDA.
#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

#include "arrays/shape.hpp"

namespace shoal::cuda {

/// dst[i] = src[i] for every index i of `shape`; addresses are base + sum(i_d * stride_d) *
/// itemsize (strides in elements, any sign, 0 allowed on the source; host arrays). Dims are
/// coalesced as on the CPU; a fully contiguous copy is one cudaMemcpyAsync, anything else one
/// kernel (an element per thread, moved as a 1/2/4/8-byte word when both pointers are
/// aligned for it, bytewise otherwise). Queued on `stream`, asynchronous. Rank > 32 after
/// coalescing -> value_error.
void copy_strided(void* dst, const std::int64_t* dst_strides, const void* src,
                  const std::int64_t* src_strides, const shape_t& shape, std::size_t itemsize,
                  cudaStream_t stream);

}  // namespace shoal::cuda
