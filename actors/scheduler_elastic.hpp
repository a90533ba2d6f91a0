#pragma once
/// The scheduler actor's half of elasticity (actors/elastic_protocol.hpp): actors join and
/// drain between ops, and the shard moves of a rebalance run as tasks with bounded bytes in
/// flight (scheduler/rebalancer.hpp). The scheduler actor owns an `elastic` and forwards
/// the elastic messages here; everything runs on the scheduler actor's thread.
#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <caf/all.hpp>

#include "actors/messages.hpp"
#include "scheduler/planner.hpp"
#include "scheduler/rebalancer.hpp"

namespace shoal {

/// Joining, draining and departed actors, the moves under way, and who waits for them.
struct elastic {
  /// Bytes in flight: $SHOAL_MIGRATE_BYTES, default 256 MiB.
  elastic();
  rebalancer moves;
  std::set<int> joining;                ///< joined; in "joining" state until the moves end
  std::map<int, std::string> draining;  ///< index -> name
  std::map<int, std::string> left;      ///< drained: in no placement, holding nothing
  std::set<int> dead;                   ///< lost (actors/scheduler_recovery.hpp)
  bool paused = false;                  ///< a recovery is under way: no new moves go out
  std::map<int, std::vector<caf::response_promise>> drain_waiters;
  std::vector<caf::response_promise> settle_waiters;
  std::chrono::steady_clock::time_point started;  ///< the current rebalance
  /// Called for an actor whose drain is done (the scheduler takes it out of the NCCL group).
  std::function<void(int)> on_left;
};

/// What the elastic handlers work on: the scheduler's own state.
struct elastic_ctx {
  caf::event_based_actor* self;
  planner& plan;
  std::vector<caf::actor>& workers;
  elastic& el;
};

/// A new worker: every worker learns the new peer list (sent by the scheduler, so before
/// any task that names the new index), it enters placement when `place`, and shards
/// rebalance onto it. Returns its index.
int elastic_add_worker(elastic_ctx c, caf::actor w, bool place);
/// Starts draining actor `index`; the promise is answered when it holds nothing (false at
/// once if it cannot leave placement).
void elastic_drain(elastic_ctx c, int index, std::string name, caf::response_promise rp);
/// Answers `rp` with true once no move is queued or in flight.
void elastic_settle(elastic_ctx c, caf::response_promise rp);
/// Actor `index` died (actors/scheduler_recovery.hpp): no move goes to or from it any more,
/// and a drain of it is answered (it holds nothing: its shards are rebuilt elsewhere).
void elastic_forget(elastic_ctx c, int index);
/// After a recovery: moves go out again (a rebalance among the placed actors is planned
/// first when a drain is under way, since some of its moves were skipped).
void elastic_rebalance(elastic_ctx c);
/// Adds states ("joining", "draining", "left") and migration progress to stats.
void elastic_annotate(const elastic& el, cluster_stats& s);

}  // namespace shoal
