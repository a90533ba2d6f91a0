#pragma once
/// Elasticity messages to the scheduler actor: actors join and leave a running cluster.
///
///   (add_worker_atom, caf::actor, bool place) -> int    the new actor's index; the scheduler
///         tells every worker the new peer list, puts it in placement (when place) and starts
///         rebalancing shards onto it (answered at once, the moves run between ops)
///   (add_worker_atom, caf::actor, bool place, bool gpu) -> int   the same; a GPU actor (gpu)
///         also joins the NCCL group, which the scheduler rebuilds under a new unique id
///         (actors/scheduler_recovery.hpp: recovery_gpu_joined)
///   (drain_atom, int index, std::string name) -> bool   answered once no shard is left on the
///         actor (it left placement first); false when it could not (the last placed actor)
///   (settle_atom) -> bool                                answered when no move is queued or in
///         flight (true), for tests and benchmarks that wait for a rebalance
///   (actor_lost_atom, int index, std::string reason) -> (none)   actor `index` is gone without
///         a goodbye (its node stopped answering heartbeats, or its CAF actor went down). The
///         scheduler takes it out of placement, resets the survivors' queued tasks (nobody waits
///         on a piece from it any more), rebuilds every lost shard from lineage
///         (actors/scheduler_recovery.hpp) and then plans the ops and answers the reads that
///         waited meanwhile. Idempotent: a second report of the same actor does nothing.
///         `reason` is printed in the recovery's log line and in errors of arrays that cannot
///         be rebuilt.
#include <string>

#include <caf/all.hpp>

namespace shoal {

using add_worker_atom = caf::atom_constant<caf::atom("addworker")>;
using drain_atom = caf::atom_constant<caf::atom("drain")>;
using settle_atom = caf::atom_constant<caf::atom("settle")>;
using actor_lost_atom = caf::atom_constant<caf::atom("actorlost")>;

}  // namespace shoal
