/// gpu_count() for both builds.
#include "actors/gpu_backend.hpp"

#ifdef SHOAL_WITH_CUDA
#include "arrays/cuda/device.hpp"
#endif

namespace shoal {

int gpu_count() noexcept {
#ifdef SHOAL_WITH_CUDA
  return cuda::device_count();
#else
  return 0;
#endif
}

}  // namespace shoal
