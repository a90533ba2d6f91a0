#include "actors/gpu_actor.hpp"

#ifdef SHOAL_WITH_CUDA
#include "actors/gpu_backend.hpp"
#include "actors/worker_actor.hpp"

namespace shoal {

caf::actor spawn_gpu_actor(caf::actor_system& sys, const gpu_actor_config& cfg) {
  int device = cfg.device;
  return spawn_worker_actor(sys, {cfg.index, cfg.name, "gpu", cfg.node},
                            [device] { return make_gpu_backend(device); });
}

}  // namespace shoal
#endif
