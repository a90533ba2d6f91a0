#pragma once
/// The behavior shared by cpu_actor and gpu_actor: a task_runner on a backend, driven by
/// the worker protocol (see cpu_actor.hpp for the messages).
#include <functional>
#include <memory>
#include <string>

#include <caf/all.hpp>

#include "actors/backend.hpp"

namespace shoal {

struct worker_config {
  int index = 0;      ///< position among the workers (pieces name actors by index)
  std::string name;   ///< "cpu0", "gpu0"
  std::string kind;   ///< "cpu" or "gpu" (runtime_info)
  std::string node;   ///< the node's name
};

/// Spawns a worker on its own thread (kernels block; they must not hold CAF's workers).
/// `make` runs on that thread before anything else and returns the actor's backend.
caf::actor spawn_worker_actor(caf::actor_system& sys, const worker_config& cfg,
                              std::function<std::unique_ptr<backend>()> make);

}  // namespace shoal
