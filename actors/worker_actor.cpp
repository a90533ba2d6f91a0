#include "actors/worker_actor.hpp"

#include <cstdio>
#include <memory>
#include <unordered_map>
#include <thread>
#include <utility>

#include "actors/collectives.hpp"
#include "actors/fault_injection.hpp"
#include "actors/linger.hpp"
#include "actors/messages.hpp"
#include "actors/recovery_protocol.hpp"
#include "actors/task_runner.hpp"

namespace shoal {
namespace {

struct worker_state {
  std::unique_ptr<task_runner> runner;
  std::vector<caf::actor> peers;
  worker_config cfg;
  std::unique_ptr<fault_dice> dice;  ///< $SHOAL_FAULT draws of this actor
  long long tasks_run = 0;            ///< counted for kill_after:task:N
  /// Reliable pieces (drop:piece, $SHOAL_PIECE_TIMEOUT_MS): sent, not yet acked, by tag.
  std::unordered_map<piece_tag, std::pair<int, piece_msg>> unacked;
  /// GPU actors stay awake for the read and the next tasks while their kernels run (a CPU
  /// actor's own thread pool needs the cores).
  lingerer linger;
  bool lingers = false;  ///< cfg.kind == "gpu", fixed at spawn
  void follow_up(caf::event_based_actor* self) {
    if (lingers) linger.after(self);
  }
};

/// Sends a piece to a peer through the fault plan: dropped, duplicated or delayed.
void transmit(caf::stateful_actor<worker_state>* self, const caf::actor& peer, piece_msg m) {
  const auto& faults = process_fault_plan();  // $SHOAL_FAULT, tests only
  auto& dice = *self->state.dice;
  if (dice.drop_piece()) return;  // a retransmit after the timeout makes up for it
  if (dice.duplicate_piece()) self->send(peer, m);
  if (faults.delay_piece.count() > 0) self->delayed_send(peer, faults.delay_piece, std::move(m));
  else self->send(peer, std::move(m));
}

caf::behavior worker_fn(caf::stateful_actor<worker_state>* self, worker_config cfg,
                        std::function<std::unique_ptr<backend>()> make) {
  self->state.cfg = cfg;
  self->state.lingers = cfg.kind == "gpu";
  self->state.dice = std::make_unique<fault_dice>(cfg.index);
  self->state.runner = std::make_unique<task_runner>(cfg.index, make(), [self](int dest, piece_msg m) {
    auto& st = self->state;
    if (dest == st.cfg.index || dest < 0 || static_cast<std::size_t>(dest) >= st.peers.size()) {
      st.runner->arrive(std::move(m));  // our own partial (or no peers: a one-actor cluster)
      return;
    }
    const auto& peer = st.peers[static_cast<std::size_t>(dest)];
    if (auto timeout = process_fault_plan().piece_timeout; timeout.count() > 0) {
      st.unacked[m.tag] = {dest, m};  // kept (by pointer in one process) until acked
      self->delayed_send(self, timeout, retransmit_atom::value, m.tag);
    }
    transmit(self, peer, std::move(m));
  });
  return {
      [=](task_batch& b) {
        const auto& faults = process_fault_plan();
        if (auto d = faults.delay_task; d.count() > 0) std::this_thread::sleep_for(d);
        auto& st = self->state;
        auto& r = *st.runner;
        const bool doomed = faults.kill_after_tasks > 0 && faults.kill_actor == st.cfg.index;
        for (auto& t : b.tasks) {
          if (doomed && st.tasks_run >= faults.kill_after_tasks) {
            // kill_after:task:N: as if the node died here; the scheduler sees this actor go down.
            r.pump();
            std::fprintf(stderr, "shoal: fault injection: actor %s stops after %lld tasks\n",
                         st.cfg.name.c_str(), st.tasks_run);
            self->quit(caf::exit_reason::kill);
            return;
          }
          ++st.tasks_run;
          r.push(std::move(t));
        }
        r.pump();
        self->state.follow_up(self);
      },
      [=](piece_msg& m) {
        auto& r = *self->state.runner;
        if (process_fault_plan().piece_timeout.count() > 0)
          if (auto from = caf::actor_cast<caf::actor>(self->current_sender()); from && from != self)
            self->send(from, piece_ack_atom::value, m.tag);  // duplicates are acked too
        r.arrive(std::move(m));
        r.pump();
        self->state.follow_up(self);
      },
      [=](piece_ack_atom, piece_tag tag) { self->state.unacked.erase(tag); },
      [=](retransmit_atom, piece_tag tag) {
        auto& st = self->state;
        auto it = st.unacked.find(tag);
        if (it == st.unacked.end()) return;  // acked
        const auto& peer = st.peers[static_cast<std::size_t>(it->second.first)];
        self->delayed_send(self, process_fault_plan().piece_timeout, retransmit_atom::value, tag);
        transmit(self, peer, it->second.second);
      },
      [=](recover_atom, piece_tag floor) -> std::vector<shard_key> {
        auto& st = self->state;
        for (auto it = st.unacked.begin(); it != st.unacked.end();)
          it = it->first < floor ? st.unacked.erase(it) : std::next(it);
        return st.runner->reset(floor);
      },
      [=](resume_atom) { self->state.runner->resume(); },
      [=](linger_atom) { self->state.linger.run(self); },
      [=](read_atom, shard_key key, bool want_data) -> caf::result<read_result> {
        auto rp = self->make_response_promise<read_result>();
        auto& r = *self->state.runner;
        r.push_read(key, want_data, [rp](read_result res) mutable { rp.deliver(std::move(res)); });
        r.pump();
        self->state.follow_up(self);
        return rp;
      },
      // A whole one-tile array, answered straight to the client the scheduler delegated to.
      [=](fetch_atom, shard_key key, bool want_data, dtype type, tiling til) -> caf::result<fetch_result> {
        auto rp = self->make_response_promise<fetch_result>();
        auto& r = *self->state.runner;
        r.push_read(key, want_data, [rp, type, til](read_result res) mutable {
          fetch_result f;
          f.type = type;
          f.til = til;
          f.tiles.push_back(std::move(res.data));
          f.err = std::move(res.err);
          rp.deliver(std::move(f));
        });
        r.pump();
        self->state.follow_up(self);
        return rp;
      },
      [=](stats_atom) -> actor_stats {
        auto& st = self->state;
        actor_stats s;
        s.info.name = st.cfg.name;
        s.info.kind = st.cfg.kind;
        s.info.node = st.cfg.node;
        s.info.shards = st.runner->shard_count();
        s.info.bytes = st.runner->shard_bytes();
        return s;
      },
      [=](peers_atom, std::vector<caf::actor>& peers) { self->state.peers = std::move(peers); },
      // Behind the tasks sent before (a group rebuilt when a GPU actor joins must not strand a
      // collective planned for the old communicator); then blocks this actor's own thread
      // until every rank joined (or the join timed out).
      [=](join_atom, nccl::member& m) -> caf::result<std::string> {
        auto rp = self->make_response_promise<std::string>();
        auto& r = *self->state.runner;
        r.push_barrier([self, m, rp]() mutable {
          try {
            self->state.runner->join_collectives(m);
            rp.deliver(std::string{});
          } catch (const std::exception& e) {
            rp.deliver(std::string(e.what()));
          }
        });
        r.pump();
        return rp;
      },
  };
}

}  // namespace

caf::actor spawn_worker_actor(caf::actor_system& sys, const worker_config& cfg,
                              std::function<std::unique_ptr<backend>()> make) {
  return sys.spawn<caf::detached>(worker_fn, cfg, std::move(make));
}

}  // namespace shoal
