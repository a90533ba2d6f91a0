#pragma once
/// CUDA twin of arrays/fill.hpp: fill_tile into device memory, bit-identical to the CPU.
///
/// Each element is computed from its global index alone with the CPU's arithmetic (floats
/// with explicitly rounded multiplies and adds, so nvcc never contracts them into FMAs;
/// linspace in float64, floored for int dtypes; NumPy's float arange rule). Queued on
/// `stream`, asynchronous. Include only from .cu files or code built with SHOAL_WITH_CUDA.
#include <cuda_runtime.h>

#include "arrays/dtype.hpp"
#include "arrays/fill.hpp"
#include "arrays/shape.hpp"

namespace shoal::cuda {

/// shoal::fill_tile on the device: writes `tile` of `global_shape` densely (C order) into the
/// device buffer `out`. Throws value_error as the CPU does (rank mismatch, eye of non-2-d),
/// and for arrays of rank > 32.
void fill_tile(fill_kind kind, dtype t, const fill_params& p, const shape_t& global_shape,
               const box& tile, void* out, cudaStream_t stream);

}  // namespace shoal::cuda
