#pragma once
/// The protocol that sets up NCCL among the GPU actors. The scheduler makes the
/// communicator's unique id and asks every GPU actor to join as rank r of n (the multi-node
/// cluster can hand the same id to remote GPU actors); only once every rank answered does
/// the planner emit collectives (planner::enable_collectives).
///
///   GPU actor:  (join_atom, nccl::member) -> std::string   empty: joined; else why not
///   scheduler:  (join_atom) -> bool   answered once every GPU actor has answered: true when
///               collectives are on (the runtime waits for it at start, so that plans do not
///               depend on how fast NCCL set up)
#include <caf/all.hpp>

#include "transport/nccl_id.hpp"

namespace shoal {

using join_atom = caf::atom_constant<caf::atom("nccl_join")>;

}  // namespace shoal
