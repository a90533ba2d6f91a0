#pragma once
/// The GPU backend (CUDA builds only): device shards from the device's stream-ordered pool,
/// one non-blocking stream, a cuBLAS handle, the kernels of arrays/cuda/. Pieces and read
/// results go through pinned host memory (to_host) and come back with from_host.
#include <memory>

#include "actors/backend.hpp"

namespace shoal {

#ifdef SHOAL_WITH_CUDA
/// A backend on CUDA device `device`; sets it as the calling thread's current device.
std::unique_ptr<backend> make_gpu_backend(int device);
#endif

/// Visible CUDA devices (0 in a CPU build or without a driver). Never throws.
int gpu_count() noexcept;

}  // namespace shoal
