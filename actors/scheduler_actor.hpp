#pragma once
/// scheduler_actor: one per cluster, in the driver. Plans every op (scheduler/planner) and
/// sends each worker its tasks in order; answers fetches by reading the shards from their
/// owners (the reads queue behind the tasks that produce them).
///
/// Interface:
///   op_batch                          -> (none)
///   (fetch_atom, array_id, bool data) -> fetch_result
///   (stats_atom)                      -> cluster_stats
#include <vector>

#include <caf/all.hpp>

#include "scheduler/planner.hpp"

namespace shoal {

caf::actor spawn_scheduler_actor(caf::actor_system& sys, planner_config cfg,
                                 std::vector<caf::actor> workers);

}  // namespace shoal
