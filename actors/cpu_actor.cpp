#include "actors/cpu_actor.hpp"

#include "actors/cpu_backend.hpp"
#include "actors/worker_actor.hpp"

namespace shoal {

caf::actor spawn_cpu_actor(caf::actor_system& sys, const cpu_actor_config& cfg) {
  int threads = cfg.threads;
  return spawn_worker_actor(sys, {cfg.index, cfg.name, "cpu", cfg.node},
                            [threads] { return make_cpu_backend(threads); });
}

}  // namespace shoal
