#pragma once
/// cpu_actor: one per CPU socket. Owns host shards and runs tasks on them in arrival order,
/// spreading each kernel over the socket's cores with a thread pool.
///
/// Interface:
///   task_batch                      -> (none)        queue tasks; run what is ready
///   piece_msg                       -> (none)        data another actor sent for a task
///   (read_atom, shard_key, bool)    -> read_result   after every earlier task; data if bool
///   (fetch_atom, shard_key, bool, dtype, tiling) -> fetch_result   the same, for a one-tile array
///   (stats_atom)                    -> actor_stats   shards and bytes held now
///   (peers_atom, vector<actor>)     -> (none)        the actors pieces may be sent to
#include <string>

#include <caf/all.hpp>

namespace shoal {

struct cpu_actor_config {
  int index = 0;           ///< position among the workers (pieces name actors by index)
  std::string name;        ///< "cpu0"
  std::string node;        ///< the node's name
  int threads = 1;         ///< kernel threads (the socket's cores)
};

/// Spawns a CPU actor on its own thread (kernels block; they must not hold CAF's workers).
caf::actor spawn_cpu_actor(caf::actor_system& sys, const cpu_actor_config& cfg);

}  // namespace shoal
