#pragma once
/// gpu_actor: one per GPU. Owns device shards and runs tasks on them in arrival order on one
/// CUDA stream (the same protocol as cpu_actor: see cpu_actor.hpp). Pieces to and from other
/// actors travel as host buffers, so CPU and GPU actors mix in one cluster.
#include <string>

#include <caf/all.hpp>

namespace shoal {

struct gpu_actor_config {
  int index = 0;     ///< position among the workers
  std::string name;  ///< "gpu0"
  std::string node;  ///< the node's name
  int device = 0;    ///< the CUDA device
};

#ifdef SHOAL_WITH_CUDA
/// Spawns a GPU actor on its own thread (CUDA builds only).
caf::actor spawn_gpu_actor(caf::actor_system& sys, const gpu_actor_config& cfg);
#endif

}  // namespace shoal
