#include "actors/scheduler_recovery.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "actors/collectives.hpp"
#include "actors/recovery_protocol.hpp"
#ifdef SHOAL_WITH_CUDA
#include "transport/nccl_comm.hpp"
#endif
#include "scheduler/recovery_plan.hpp"

namespace shoal {
namespace {

/// How long a survivor may take to drop its queue and answer; one that does not is lost too.
constexpr auto reset_timeout = std::chrono::seconds(60);

int checkpoint_every() {
  const char* v = std::getenv("SHOAL_CHECKPOINT_OPS");
  if (v && *v) {
    try {
      const long long n = std::stoll(v);
      if (n >= 0) return n == 0 ? 1 << 30 : static_cast<int>(std::min<long long>(n, 1 << 30));
    } catch (...) {
    }
    std::fprintf(stderr, "shoal: SHOAL_CHECKPOINT_OPS='%s' is not a count; using 100\n", v);
  }
  return 100;
}

std::string name_of(const recovery& r, int a) {
  // "cpu0@node-2 (#5)": actor names repeat on every node of a cluster.
  auto it = r.known.find(a);
  const std::string idx = "#" + std::to_string(a);
  if (it == r.known.end() || it->second.name.empty()) return idx;
  const auto& i = it->second;
  return i.name + (i.node.empty() ? "" : "@" + i.node) + " (" + idx + ")";
}

void finish_round(recovery_ctx c);

/// Resets every survivor and collects what each holds; finish_round() follows the last answer.
void start_round(recovery_ctx c) {
  auto& r = c.rec;
  r.active = true;
  c.el.paused = true;  // a move planned now would take a tag below nobody's floor
  const std::uint64_t round = ++r.round;
  r.held.clear();
  r.unreset.clear();
  r.waiting = 0;
  const piece_tag floor = c.plan.next_tag();
  std::vector<int> alive;  // not dead, not drained (those hold nothing, and may be gone)
  for (int a = 0; a < static_cast<int>(c.workers.size()); ++a)
    if (!r.dead.count(a) && !c.el.left.count(a)) alive.push_back(a);
  r.waiting = alive.size();
  if (alive.empty()) return finish_round(c);
  for (int a : alive) {
    c.self->request(c.workers[static_cast<std::size_t>(a)], reset_timeout, recover_atom::value, floor)
        .then(
            [c, a, round](std::vector<shard_key>& keys) {
              auto& r = c.rec;
              if (round != r.round) return;  // a later loss restarted the recovery
              r.held[a] = std::set<shard_key>(keys.begin(), keys.end());
              if (--r.waiting == 0) finish_round(c);
            },
            [c, a, round](caf::error& e) {
              auto& r = c.rec;
              if (round != r.round) return;
              if (e != caf::sec::unexpected_message && !c.el.left.count(a))
                return recovery_actor_lost(c, a, "it did not answer the recovery (" + caf::to_string(e) + ")");
              if (e != caf::sec::unexpected_message) {  // drained meanwhile: holds nothing
                if (--r.waiting == 0) finish_round(c);
                return;
              }
              // A stand-in that does not speak the recovery protocol (a remote proxy that does
              // not forward it): its queue stays as it is and what the directory puts there
              // counts as held. A task there waiting on the dead actor keeps waiting.
              std::fprintf(stderr, "shoal: actor %s cannot be reset for the recovery; its queue is kept\n",
                           name_of(r, a).c_str());
              auto& h = r.held[a];
              for (const auto& s : c.plan.dir().shards())
                if (s.owner == a) h.insert(s.key);
              r.unreset.insert(a);
              if (--r.waiting == 0) finish_round(c);
            });
  }
}

/// Plans and sends the rebuild, lets the survivors go on, then what waited.
void finish_round(recovery_ctx c) {
  auto& r = c.rec;
  std::set<int> dead;
  for (const auto& [a, why] : r.dead) dead.insert(a);
  task_lists lists(c.workers.size());
  for (auto& [a, keys] : find_orphans(c.plan.dir(), r.held))
    lists[static_cast<std::size_t>(a)].push_back(free_task{std::move(keys)});
  rebuild_result res;
  bool anyone = false;  // an actor that can hold shards survived
  for (int a = 0; a < static_cast<int>(c.workers.size()); ++a)
    anyone = anyone || (!dead.count(a) && !c.el.left.count(a));
  if (!anyone) {  // nothing can be rebuilt
    for (array_id id : c.plan.dir().ids()) res.failed.emplace_back(id, "no actor is left");
    for (const auto& [id, why] : res.failed) c.plan.release(id, lists);
  } else {
    const auto lost = find_lost(c.plan.dir(), dead, r.held);
    res = plan_rebuild(c.plan, r.hist, lost, dead, r.next_temp, lists);
  }
  std::string who, why;
  for (int a : r.lost_now) {
    who += (who.empty() ? "" : ", ") + name_of(r, a);
    why += (why.empty() ? "" : "; ") + r.dead[a];
  }
  for (const auto& [id, what] : res.failed) {
    c.bad[id] = {errc::runtime_error, "shoal: array " + std::to_string(id) + " was lost with actor " + who +
                                          " (" + why + ") and cannot be rebuilt: " + what};
    r.hist.release(id);
  }
  // Every live actor may get rebuild tasks, also one that joined during the recovery (it
  // was not reset, but it is in placement); only those reset are resumed.
  for (std::size_t a = 0; a < lists.size() && a < c.workers.size(); ++a) {
    if (dead.count(static_cast<int>(a))) continue;
    if (!lists[a].empty()) c.self->send(c.workers[a], task_batch{std::move(lists[a])});
    if (r.held.count(static_cast<int>(a)) && !r.unreset.count(static_cast<int>(a)))
      c.self->send(c.workers[a], resume_atom::value);
  }
  r.unreset.clear();
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - r.started).count();
  auto& s = r.stats;
  ++s.recoveries;
  s.shards_rebuilt += static_cast<std::int64_t>(res.shards);
  s.ops_replayed += static_cast<std::int64_t>(res.ops_replayed);
  s.arrays_failed += static_cast<std::int64_t>(res.failed.size());
  s.last_ms = ms;
  char line[512];
  std::snprintf(line, sizeof line, "shoal: recovered %zu shards of actor %s in %.1f ms (%zu ops replayed%s)",
                res.shards, who.c_str(), ms, res.ops_replayed,
                res.failed.empty() ? "" : (", " + std::to_string(res.failed.size()) + " arrays lost").c_str());
  std::fprintf(stderr, "%s\n", line);
  if (r.on_event) r.on_event(line);
  r.active = false;
  r.lost_now.clear();
  r.held.clear();
  if (r.regroup && r.rejoin_gpus) {
    r.regroup = false;
    r.rejoin_gpus();  // queued behind the rebuild on every GPU actor
  }
  // Moves go out again; drains under way go on without the dead actor.
  elastic_rebalance(c.ectx());
  auto ops = std::move(r.deferred_ops);
  r.deferred_ops.clear();
  for (auto& b : ops) r.plan_batch(b);
  auto fetches = std::move(r.deferred_fetches);
  r.deferred_fetches.clear();
  for (auto& [rp, id, want] : fetches) rp.delegate(caf::actor_cast<caf::actor>(c.self), fetch_atom::value, id, want);
}

}  // namespace

recovery::recovery() : hist(checkpoint_every()) {}

void recovery_watch(recovery_ctx c, int index) {
  const auto& w = c.workers[static_cast<std::size_t>(index)];
  c.self->monitor(w);
  c.self->request(w, std::chrono::seconds(60), stats_atom::value)
      .then([c, index](actor_stats& s) { c.rec.known[index] = s.info; }, [](caf::error&) {});
}

void recovery_on_down(recovery_ctx c, const caf::down_msg& m) {
  if (m.reason == caf::exit_reason::user_shutdown) return;  // the runtime stops
  for (std::size_t a = 0; a < c.workers.size(); ++a)
    if (c.workers[a].address() == m.source)
      recovery_actor_lost(c, static_cast<int>(a), "its actor went down: " + caf::to_string(m.reason));
}

void recovery_actor_lost(recovery_ctx c, int index, std::string reason) {
  auto& r = c.rec;
  if (index < 0 || index >= static_cast<int>(c.workers.size()) || r.dead.count(index)) return;
  if (c.el.left.count(index)) return;  // drained: it holds nothing and takes nothing; it left
  r.dead[index] = reason;
  std::fprintf(stderr, "shoal: actor %s lost: %s\n", name_of(r, index).c_str(), reason.c_str());
  if (!r.active) r.started = std::chrono::steady_clock::now();
  r.lost_now.push_back(index);
  // Out of placement; if it was the last placed actor, a live one takes its place.
  const auto places = c.plan.config().place_on;
  if (std::find(places.begin(), places.end(), index) != places.end()) {
    if (places.size() == 1)
      for (int a = 0; a < static_cast<int>(c.workers.size()); ++a)
        if (!r.dead.count(a)) {
          c.plan.set_placed(a, true);
          break;
        }
    if (c.plan.config().place_on.size() > 1) c.plan.set_placed(index, false);
  }
  // Every survivor's reset revokes its NCCL communicator (a collective with the dead rank
  // would block its stream for good); the group joins a new one after the recovery, under a
  // new unique id and without the dead actor, whatever the number of GPUs.
  auto group = c.plan.config().gpu_group;
  if (!group.empty()) {
    if (auto g = std::find(group.begin(), group.end(), index); g != group.end()) {
      group.erase(g);
#ifdef SHOAL_WITH_CUDA
      nccl::communicator::revoke_all();  // waits on a stream in this process give up
#endif
      std::fprintf(stderr, "shoal: the NCCL group shrinks to %zu GPU actors\n", group.size());
    }
    c.plan.set_gpu_group(group);  // collectives off until the new communicator is joined
    r.regroup = !group.empty();
  }
  elastic_forget(c.ectx(), index);
  start_round(c);
}

void recovery_gpu_joined(recovery_ctx c, int index) {
  auto& r = c.rec;
  if (!c.plan.add_gpu_rank(index)) return;  // collectives off from here on
  std::fprintf(stderr, "shoal: the NCCL group grows to %zu GPU actors\n", c.plan.config().gpu_group.size());
  if (r.active) r.regroup = true;  // joined after the rebuild, with the survivors
  else if (r.rejoin_gpus) r.rejoin_gpus();
}

void recovery_gpu_left(recovery_ctx c, int index) {
  auto& r = c.rec;
  if (!c.plan.remove_gpu_rank(index)) return;  // collectives off from here on
  std::fprintf(stderr, "shoal: the NCCL group shrinks to %zu GPU actors\n", c.plan.config().gpu_group.size());
  // No answer is awaited: the actor leaves behind its queued tasks, collectives included.
  caf::anon_send(c.workers[static_cast<std::size_t>(index)], join_atom::value, nccl::leave());
  if (r.active) r.regroup = true;
  else if (r.rejoin_gpus) r.rejoin_gpus();
}

bool recovery_defer(recovery_ctx c, op_batch& b) {
  if (!c.rec.active) return false;
  c.rec.deferred_ops.push_back(std::move(b));
  return true;
}

caf::response_promise recovery_defer_fetch(recovery_ctx c, array_id id, bool want_data) {
  auto rp = c.self->make_response_promise();
  c.rec.deferred_fetches.emplace_back(rp, id, want_data);
  return rp;
}

bool recovery_retry_fetch(recovery_ctx c, int owner, caf::response_promise rp, array_id id, bool want_data) {
  auto& r = c.rec;
  // The worker's failure shows here before its down message: wait for the recovery it starts.
  if (r.active || !r.dead.count(owner)) {
    r.deferred_fetches.emplace_back(std::move(rp), id, want_data);
    return true;
  }
  rp.delegate(caf::actor_cast<caf::actor>(c.self), fetch_atom::value, id, want_data);
  return true;
}

void recovery_record(recovery_ctx c, op&& o) { c.rec.hist.record(std::move(o)); }

void recovery_release(recovery_ctx c, array_id id) {
  c.rec.hist.release(id);
  c.rec.checkpointing.erase(id);
}

void recovery_checkpoint(recovery_ctx c) {
  auto& r = c.rec;
  for (array_id id : r.hist.due()) {
    if (r.checkpointing.count(id)) continue;
    const array_entry* e = c.plan.dir().find(id);
    if (!e) continue;
    r.checkpointing.insert(id);
    struct acc_t {
      std::vector<buffer_ptr> tiles;
      std::size_t left = 0;
      bool failed = false;      ///< an actor did not answer: try again later
      bool data_error = false;  ///< the array failed (its op raised): no replica, ever
    };
    auto acc = std::make_shared<acc_t>();
    acc->tiles.resize(e->keys.size());
    acc->left = e->keys.size();
    const dtype type = e->type;
    const tiling til = e->til;
    auto done = [c, id, acc, type, til]() {
      if (--acc->left > 0) return;
      auto& r = c.rec;
      if (!r.checkpointing.count(id)) return;  // released meanwhile
      if (acc->data_error) return;             // stays marked: never fetched again
      r.checkpointing.erase(id);
      if (acc->failed) return;                 // due again after the next batch
      auto bytes = gather_tiles(til, type, acc->tiles);
      r.hist.checkpointed(id, std::make_shared<const op>(replica_op(id, til.shape, type, std::move(bytes))));
      ++r.stats.checkpoints;
    };
    for (std::size_t t = 0; t < e->keys.size(); ++t)
      c.self->request(c.workers[static_cast<std::size_t>(e->owner[t])], caf::infinite, read_atom::value, e->keys[t], true)
          .then(
              [acc, t, done](read_result& res) {
                if (res.err || !res.data) acc->data_error = true;
                else acc->tiles[t] = std::move(res.data);
                done();
              },
              [acc, done](caf::error&) {
                acc->failed = true;
                done();
              });
  }
}

void recovery_unanswered(const recovery& r, int a, actor_info& info) {
  if (auto k = r.known.find(a); k != r.known.end()) {
    info.name = k->second.name;
    info.kind = k->second.kind;
    info.node = k->second.node;
  }
  // It does not answer: gone, even if its loss is not handled yet; one that drained left.
  if (info.state != "left") info.state = "dead";
}

void recovery_annotate(const recovery& r, cluster_stats& s) {
  for (const auto& [a, why] : r.dead) {
    if (a < 0 || static_cast<std::size_t>(a) >= s.actors.size()) continue;
    auto& info = s.actors[static_cast<std::size_t>(a)];
    info.state = "dead";
    if (auto k = r.known.find(a); k != r.known.end() && info.name.empty()) {
      info.name = k->second.name;  // it no longer answers: what it said when it was watched
      info.kind = k->second.kind;
      info.node = k->second.node;
    }
    if (info.name.empty()) info.name = name_of(r, a);
  }
  s.recovery = r.stats;
  s.recovery.lineage_ops = static_cast<std::int64_t>(r.hist.ops_held());
}

}  // namespace shoal
