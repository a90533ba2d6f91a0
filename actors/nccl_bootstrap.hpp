#pragma once
/// NCCL across processes: the driver's GPU actors are proxies of the nodes' GPU actors, so the
/// in-process bootstrap (actors/collectives.hpp) works unchanged once they form the planner's
/// GPU group. The driver's scheduler makes the ncclUniqueId and asks every GPU actor to join
/// as rank r with (join_atom, nccl::member); a proxy forwards that as wire message nccl_join
/// (session, nccl::member: the 128 id bytes, rank, nranks, through the msgpack inspect path),
/// the node hands it to its session's GPU worker, which joins (blocking only its own thread,
/// with the communicator's timeout) and answers nccl_join_reply (string: empty = joined).
/// Every rank joins at once (the scheduler asks them all before any answers), as NCCL needs.
/// Cross-node full reductions of GPU actors then go through the NCCL all-reduce.
#include <string>
#include <vector>

#include "actors/runtime.hpp"
#include "scheduler/planner.hpp"

namespace shoal {

/// The cluster's GPU actors (global indices, in order: rank r = the r-th GPU actor) as the
/// planner's NCCL group (CUDA builds; a CPU build's driver plans no collectives).
void remote_nccl_group(const std::vector<actor_info>& infos, planner_config& pc);

}  // namespace shoal
