#pragma once
/// The sum of one long dense row of floats through CUB's DeviceReduce, the kernel CuPy's sum
/// runs (3.06 TB/s on 2^28 float32 on an H100), instead of reduce.cu's split-row kernels.
/// float32 accumulates in float64, as every shoal float32 sum does. Include only from .cu
/// files.
#include <cuda_runtime.h>

#include <cstdint>

namespace shoal::cuda {

/// *dst = in[0] + ... + in[n-1], queued on `stream` (n >= 1).
void cub_sum(const float* in, std::int64_t n, float* dst, cudaStream_t stream);
void cub_sum(const double* in, std::int64_t n, double* dst, cudaStream_t stream);

}  // namespace shoal::cuda
