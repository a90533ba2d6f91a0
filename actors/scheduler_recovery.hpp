#pragma once
/// The scheduler actor's half of crash recovery (issue 5): lineage of every planned op, actor
/// loss, and the rebuild of lost shards. The scheduler owns a `recovery` and calls these
/// functions; everything runs on the scheduler actor's thread.
///
/// An actor is lost when (actor_lost_atom, index, reason) arrives (actors/elastic_protocol.hpp:
/// the driver's heartbeats found its node dead) or when its CAF actor goes down for any reason
/// but a shutdown (the scheduler monitors every worker: the in-process heartbeat). Then:
///  1. it leaves placement (and the NCCL group, which rejoins among the survivors);
///  2. every survivor drops its queued tasks and holds its reads (recover_atom): no task waits
///     on a piece from the dead actor any more, whoever was to send it; ops and fetches that
///     reach the scheduler meanwhile wait;
///  3. from what the survivors hold, scheduler/recovery_plan finds the lost shards (on the dead
///     actor, or never produced because their task was dropped) and replays their lineage onto
///     the survivors; each lost shard is restored under its own key;
///  4. the rebuild tasks go out, the survivors resume (held reads queue behind the rebuild),
///     and the waiting ops are planned and fetches answered. An array that cannot be rebuilt
///     fails its reads with an error naming the lost actor.
/// A second loss during a recovery restarts it with both actors dead.
/// History stays bounded: an array whose op chain reaches $SHOAL_CHECKPOINT_OPS (default 100;
/// 0 = never) is fetched into the driver once, and that replica becomes its root.
#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include <caf/all.hpp>

#include "actors/messages.hpp"
#include "actors/scheduler_elastic.hpp"
#include "scheduler/lineage.hpp"
#include "scheduler/planner.hpp"

namespace shoal {

struct recovery {
  recovery();
  lineage hist;
  std::map<int, std::string> dead;   ///< index -> reason
  std::map<int, actor_info> known;   ///< index -> name, kind, node: asked when watched
  bool active = false;               ///< a recovery round is under way
  std::uint64_t round = 0;
  std::map<int, std::set<shard_key>> held;  ///< this round's answers
  std::size_t waiting = 0;
  std::set<int> unreset;  ///< answered the reset with unexpected_message (no resume for them)
  std::chrono::steady_clock::time_point started;
  std::vector<int> lost_now;  ///< actors this recovery covers
  std::vector<op_batch> deferred_ops;
  std::vector<std::tuple<caf::response_promise, array_id, bool>> deferred_fetches;
  std::set<array_id> checkpointing;  ///< replicas being fetched
  array_id next_temp = array_id{1} << 62;  ///< ids of replayed temporaries (client ids are small)
  recovery_info stats;  ///< runtime_info's "recovery" (lineage_ops filled when asked)
  /// Plans one op batch as the scheduler does (set by the scheduler; waiting ops go through it).
  std::function<void(op_batch&)> plan_batch;
  /// Makes a new NCCL communicator among the GPU actors of the group (set by the scheduler):
  /// a reset revoked theirs.
  std::function<void()> rejoin_gpus;
  bool regroup = false;  ///< the GPU group must join again once the recovery is done
  /// Called with a line for every recovery ("recovered ...") (runtime events).
  std::function<void(const std::string&)> on_event;
};

struct recovery_ctx {
  caf::event_based_actor* self;
  planner& plan;
  std::vector<caf::actor>& workers;
  elastic& el;
  std::unordered_map<array_id, error_info>& bad;
  recovery& rec;
  elastic_ctx ectx() const { return {self, plan, workers, el}; }
};

/// Watches worker `index`: its going down is an actor loss; its name is remembered.
void recovery_watch(recovery_ctx c, int index);
/// A down message of a watched worker (ignored on shutdown and for unknown actors).
void recovery_on_down(recovery_ctx c, const caf::down_msg& m);
/// Actor `index` is gone; starts (or restarts) a recovery. Idempotent.
void recovery_actor_lost(recovery_ctx c, int index, std::string reason);

/// GPU actor `index` joined the running cluster (a node's GPU actor, or one added in process):
/// the NCCL group grows by it and joins a new communicator the way it does after a loss
/// (rejoin_gpus: a new unique id; every rank joins behind the tasks queued before). Ops
/// planned until every rank joined take the host path. During a recovery the join waits for
/// its end (the round's regroup). Nothing happens for an actor in the group already.
void recovery_gpu_joined(recovery_ctx c, int index);
/// GPU actor `index` was drained: the NCCL group shrinks by it and the others join a new
/// communicator the same way (a departed rank would leave every later collective waiting);
/// the actor itself drops its communicator once what it was sent before has run. Nothing
/// happens for an actor that is not in the group.
void recovery_gpu_left(recovery_ctx c, int index);

/// True when `b` must wait for the recovery under way (it is kept and planned after it).
bool recovery_defer(recovery_ctx c, op_batch& b);
/// A fetch arriving during a recovery: answered after it.
caf::response_promise recovery_defer_fetch(recovery_ctx c, array_id id, bool want_data);
/// A read of a fetch failed because worker `owner` did not answer: run the fetch again once
/// the recovery for it is done (now, if it is done already). True when it took over `rp`.
bool recovery_retry_fetch(recovery_ctx c, int owner, caf::response_promise rp, array_id id, bool want_data);

/// Lineage: every planned op, every released id; checkpoints of arrays that are due.
void recovery_record(recovery_ctx c, op&& o);  ///< takes the planned op
void recovery_release(recovery_ctx c, array_id id);
void recovery_checkpoint(recovery_ctx c);

/// "dead" states and names; the recovery counters.
void recovery_annotate(const recovery& r, cluster_stats& s);
/// Worker `a` did not answer a stats request: dead, with the name it had.
void recovery_unanswered(const recovery& r, int a, actor_info& info);

}  // namespace shoal
