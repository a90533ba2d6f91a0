#include "actors/scheduler_actor.hpp"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <unordered_map>

#include "actors/collectives.hpp"
#include "actors/elastic_protocol.hpp"
#include "actors/scheduler_elastic.hpp"
#include "actors/scheduler_recovery.hpp"
#include "actors/layout.hpp"
#include "actors/linger.hpp"
#include "actors/messages.hpp"

namespace shoal {
namespace {

struct scheduler_state {
  std::unique_ptr<planner> plan;
  std::vector<caf::actor> workers;
  /// Arrays whose op could not be planned, with the reason (reported when read).
  std::unordered_map<array_id, error_info> bad;
  /// NCCL setup: done once every GPU actor answered; who waits for that.
  bool joined = true;
  std::uint64_t join_gen = 0;  ///< the latest join; answers to an overtaken one are dropped
  std::vector<caf::response_promise> join_waiters;
  elastic el;  ///< joins, drains and shard moves (actors/scheduler_elastic.hpp)
  recovery rec;  ///< lineage and actor loss (actors/scheduler_recovery.hpp)
  lingerer linger;  ///< awake for the read or the next op that follows a planned batch
  elastic_ctx ctx(caf::event_based_actor* self) { return {self, *plan, workers, el}; }
  recovery_ctx rctx(caf::event_based_actor* self) { return {self, *plan, workers, el, bad, rec}; }
};

/// Plans a batch: every op (recorded in lineage once planned), then the releases.
void plan_batch(caf::stateful_actor<scheduler_state>* self, op_batch& b) {
  auto& st = self->state;
  if (recovery_defer(st.rctx(self), b)) return;  // planned once the lost shards are rebuilt
  task_lists lists(st.workers.size());
  for (auto& o : b.ops) {
    try {
      st.plan->plan(o, lists);
      recovery_record(st.rctx(self), std::move(o));  // o is not used after this
    } catch (const error& e) {
      for (auto id : o.outs) st.bad[id] = {e.code(), e.what()};
    } catch (const std::exception& e) {
      for (auto id : o.outs) st.bad[id] = {errc::runtime_error, e.what()};
    }
  }
  for (auto id : b.released) {
    st.plan->release(id, lists);
    recovery_release(st.rctx(self), id);
    st.bad.erase(id);
  }
  for (std::size_t a = 0; a < lists.size(); ++a)
    if (!lists[a].empty()) self->send(st.workers[a], task_batch{std::move(lists[a])});
  recovery_checkpoint(st.rctx(self));
}

/// The join under way is over (or there is none): whoever waits learns whether collectives are on.
void joined_gpu_actors(caf::stateful_actor<scheduler_state>* self) {
  auto& st = self->state;
  st.joined = true;
  for (auto& w : st.join_waiters) w.deliver(st.plan->collectives());
  st.join_waiters.clear();
}

/// Makes the NCCL unique id and asks every GPU actor of the group to join as its rank; each
/// joins behind the tasks it was sent before (actors/worker_actor.cpp), so collectives
/// planned for an earlier communicator run on it first. Collectives are planned once all
/// have joined (until then reductions take the host path). At start, after an actor loss
/// and when a GPU actor joins (actors/scheduler_recovery.hpp). A failure is reported once on
/// stderr and leaves the host path in place.
void join_gpu_actors(caf::stateful_actor<scheduler_state>* self) {
  const std::uint64_t gen = ++self->state.join_gen;
#ifdef SHOAL_WITH_CUDA
  const auto& cfg = self->state.plan->config();
  const auto& group = cfg.gpu_group;
  // Too few GPU actors for any collective: no communicator (NCCL's setup is not free), and a
  // member still holding one from a larger group (the others drained away) drops it.
  if (group.empty() || static_cast<int>(group.size()) < std::max(1, cfg.collective_min)) {
    for (int a : group) caf::anon_send(self->state.workers[static_cast<std::size_t>(a)], join_atom::value, nccl::leave());
    return joined_gpu_actors(self);
  }
  nccl::member m;
  try {
    m.id = nccl::make_unique_id();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "shoal: no NCCL among the GPU actors: %s\n", e.what());
    return joined_gpu_actors(self);
  }
  m.nranks = static_cast<int>(group.size());
  auto left = std::make_shared<int>(m.nranks);
  auto failed = std::make_shared<bool>(false);
  self->state.joined = false;
  for (int r = 0; r < m.nranks; ++r) {
    m.rank = r;
    auto done = [=](const std::string& why) {
      if (gen != self->state.join_gen) return;  // a newer group is joining
      if (!why.empty() && !*failed) {
        *failed = true;
        std::fprintf(stderr, "shoal: no NCCL among the GPU actors: %s\n", why.c_str());
      }
      if (--*left > 0) return;
      if (!*failed) self->state.plan->enable_collectives();
      joined_gpu_actors(self);
    };
    self->request(self->state.workers[static_cast<std::size_t>(group[static_cast<std::size_t>(r)])],
                  caf::infinite, join_atom::value, m)
        .then([=](std::string& why) { done(why); },
              [=](caf::error& err) { done("GPU actor failed: " + caf::to_string(err)); });
  }
#else
  (void)gen;
  joined_gpu_actors(self);
#endif
}

/// A worker joins between ops (actors/scheduler_elastic.hpp); a GPU actor also grows the
/// NCCL group, which joins a new communicator. Returns its index.
int add_worker(caf::stateful_actor<scheduler_state>* self, caf::actor w, bool place, bool gpu) {
  auto& st = self->state;
  const int a = elastic_add_worker(st.ctx(self), std::move(w), place);
  recovery_watch(st.rctx(self), a);
  if (gpu) recovery_gpu_joined(st.rctx(self), a);
  return a;
}

/// The directory entry of `id`, or nullptr with `err` set (its op failed to plan, or the id
/// is unknown).
const array_entry* find_array(const scheduler_state& st, array_id id, error_info& err) {
  if (auto b = st.bad.find(id); b != st.bad.end()) {
    err = b->second;
    return nullptr;
  }
  const array_entry* e = st.plan->dir().find(id);
  if (!e) err = {errc::runtime_error, "shoal: array " + std::to_string(id) + " is unknown"};
  return e;
}

caf::behavior scheduler_fn(caf::stateful_actor<scheduler_state>* self, planner_config cfg,
                           std::vector<caf::actor> workers) {
  self->state.plan = std::make_unique<planner>(cfg);
  self->state.workers = std::move(workers);
  self->state.rec.plan_batch = [self](op_batch& b) { plan_batch(self, b); };
  self->state.rec.rejoin_gpus = [self] { join_gpu_actors(self); };  // a new communicator
  self->state.el.on_left = [self](int a) { recovery_gpu_left(self->state.rctx(self), a); };
  for (std::size_t a = 0; a < self->state.workers.size(); ++a) recovery_watch(self->state.rctx(self), static_cast<int>(a));
  self->set_down_handler([self](caf::down_msg& m) { recovery_on_down(self->state.rctx(self), m); });
  join_gpu_actors(self);
  return {
      [=](op_batch& b) {
        plan_batch(self, b);
        self->state.linger.after(self);  // the read or the next batch comes once the op ran
      },
      [=](linger_atom) { self->state.linger.run(self); },
      [=](actor_lost_atom, int index, std::string& reason) {
        recovery_actor_lost(self->state.rctx(self), index, std::move(reason));
      },
      [=](fetch_atom, array_id id, bool want_data) -> caf::result<fetch_result> {
        auto& st = self->state;
        st.linger.after(self);  // runs after the answer or the delegate went out
        if (st.rec.active) return recovery_defer_fetch(st.rctx(self), id, want_data);
        fetch_result res;
        const array_entry* e = find_array(st, id, res.err);
        if (!e) return res;
        res.type = e->type;
        res.til = e->til;
        const std::size_t n = e->keys.size();
        res.tiles.resize(n);
        if (n == 0) return res;
        if (n == 1) {  // one tile: its owner answers the client directly (one hop less)
          auto rp = self->make_response_promise();
          rp.delegate(st.workers[static_cast<std::size_t>(e->owner[0])], fetch_atom::value, e->keys[0], want_data,
                      e->type, e->til);
          return rp;
        }
        auto rp = self->make_response_promise();
        auto acc = std::make_shared<fetch_result>(std::move(res));
        auto left = std::make_shared<std::size_t>(n);
        auto lost = std::make_shared<int>(-1);  // an owner that did not answer: read again after recovery
        for (std::size_t t = 0; t < n; ++t) {
          auto done = [=]() mutable {
            if (--*left > 0) return;
            if (*lost >= 0) recovery_retry_fetch(self->state.rctx(self), *lost, rp, id, want_data);
            else rp.deliver(std::move(*acc));
          };
          const int owner = e->owner[t];
          self->request(st.workers[static_cast<std::size_t>(e->owner[t])], caf::infinite, read_atom::value,
                        e->keys[t], want_data)
              .then(
                  [=](read_result& r) mutable {
                    if (r.err && !acc->err) acc->err = r.err;
                    acc->tiles[t] = std::move(r.data);
                    done();
                  },
                  [=](caf::error&) mutable {
                    *lost = owner;
                    done();
                  });
        }
        return rp;
      },
      // Where each tile lives, for shard streams that read tiles one by one (actors/pipeline.hpp).
      [=](layout_atom, array_id id) -> array_layout {
        auto& st = self->state;
        array_layout res;
        const array_entry* e = find_array(st, id, res.err);
        if (!e) return res;
        res.type = e->type;
        res.til = e->til;
        res.keys = e->keys;
        for (int o : e->owner) res.owners.push_back(st.workers[static_cast<std::size_t>(o)]);
        return res;
      },
      [=](join_atom) -> caf::result<bool> {
        auto& st = self->state;
        if (st.joined) return st.plan->collectives();
        auto rp = self->make_response_promise<bool>();
        st.join_waiters.push_back(rp);
        return rp;
      },
      [=](add_worker_atom, caf::actor& w, bool place) -> int { return add_worker(self, std::move(w), place, false); },
      [=](add_worker_atom, caf::actor& w, bool place, bool gpu) -> int {
        return add_worker(self, std::move(w), place, gpu);
      },
      [=](drain_atom, int index, std::string& name) -> caf::result<bool> {
        auto rp = self->make_response_promise<bool>();
        elastic_drain(self->state.ctx(self), index, std::move(name), rp);
        return rp;
      },
      [=](settle_atom) -> caf::result<bool> {
        auto rp = self->make_response_promise<bool>();
        elastic_settle(self->state.ctx(self), rp);
        return rp;
      },
      [=](stats_atom) -> caf::result<cluster_stats> {
        auto& st = self->state;
        auto rp = self->make_response_promise<cluster_stats>();
        auto acc = std::make_shared<cluster_stats>();
        acc->arrays = static_cast<std::int64_t>(st.plan->dir().size());
        acc->actors.resize(st.workers.size());
        elastic_annotate(st.el, *acc);  // states are known here; names and sizes come below
        recovery_annotate(st.rec, *acc);
        auto left = std::make_shared<std::size_t>(st.workers.size());
        if (*left == 0) return *acc;
        for (std::size_t a = 0; a < st.workers.size(); ++a) {
          self->request(st.workers[a], caf::infinite, stats_atom::value)
              .then(
                  [=](actor_stats& s) mutable {
                    s.info.state = acc->actors[a].state;
                    acc->actors[a] = s.info;
                    if (--*left == 0) rp.deliver(std::move(*acc));
                  },
                  [=](caf::error&) mutable {
                    recovery_unanswered(self->state.rec, static_cast<int>(a), acc->actors[a]);
                    if (--*left == 0) rp.deliver(std::move(*acc));
                  });
        }
        return rp;
      },
  };
}

}  // namespace

caf::actor spawn_scheduler_actor(caf::actor_system& sys, planner_config cfg,
                                 std::vector<caf::actor> workers) {
  // Detached: its own thread wakes at once on a message; a pooled actor would wait for
  // CAF's polling workers, which sleep between polls (tens of microseconds per hop).
  return sys.spawn<caf::detached>(scheduler_fn, cfg, std::move(workers));
}

}  // namespace shoal
