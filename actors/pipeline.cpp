/// Pipelines: the source actor (generator or shard stream), spawn_stage and spawn_sink around
/// plain functions, and the credit bookkeeping of every link (actors/pipeline.hpp).
#include "actors/pipeline.hpp"

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <utility>

#include "actors/array_detail.hpp"
#include "actors/layout.hpp"
#include "actors/messages.hpp"
#include "actors/runtime_impl.hpp"

namespace shoal::pipeline {

struct run::state {
  source_stats stats;
  std::mutex mu;
  std::condition_variable cv;
  bool finished = false;
  error_info err;

  void finish(error_info e) {
    std::lock_guard<std::mutex> g(mu);
    finished = true;
    err = std::move(e);
    cv.notify_all();
  }
};

namespace {

using go_atom = caf::atom_constant<caf::atom("pl_go")>;
using retry_atom = caf::atom_constant<caf::atom("pl_retry")>;

error_info current_error() {
  try {
    throw;
  } catch (const error& e) {
    return {e.code(), e.what()};
  } catch (const std::exception& e) {
    return {errc::runtime_error, e.what()};
  } catch (...) {
    return {errc::runtime_error, "shoal.pipeline: unknown exception in a stage"};
  }
}

error_info actor_failed(caf::actor_system& sys, const caf::error& e) {
  return {errc::runtime_error, "shoal.pipeline: a stage failed: " + sys.render(e)};
}

// ---- stages and sinks

struct stage_state {
  transform_fn fn;
  stage_actor next;
  int credits = 4;
  int in_flight = 0;  ///< shards sent to `next`, not yet acknowledged
  /// Results waiting for a credit of `next`, each with the upstream shard's answer: the
  /// upstream credit comes back only when the result moves on, so this queue stays bounded.
  std::deque<std::pair<shard, caf::typed_response_promise<ack>>> pending;
  error_info err;
  std::optional<caf::typed_response_promise<ack>> end_rp;
  bool end_sent = false;
};
using stage_ptr = stage_actor::stateful_pointer<stage_state>;

void stage_pump(stage_ptr self) {
  auto& st = self->state;
  while (st.in_flight < st.credits && !st.pending.empty()) {
    auto [s, rp] = std::move(st.pending.front());
    st.pending.pop_front();
    ++st.in_flight;
    rp.deliver(ack{});  // the result now counts against next's credits: free the upstream one
    self->request(st.next, caf::infinite, std::move(s))
        .then(
            [=](ack& a) {
              auto& st = self->state;
              --st.in_flight;
              if (a.err && !st.err) st.err = a.err;
              stage_pump(self);
            },
            [=](caf::error& e) {
              auto& st = self->state;
              --st.in_flight;
              if (!st.err) st.err = actor_failed(self->system(), e);
              stage_pump(self);
            });
  }
  if (st.end_rp && !st.end_sent && st.pending.empty() && st.in_flight == 0) {
    st.end_sent = true;
    self->request(st.next, caf::infinite, end_atom::value)
        .then(
            [=](ack& a) {
              auto& st = self->state;
              if (!st.err) st.err = a.err;
              st.end_rp->deliver(ack{st.err});
              self->quit();
            },
            [=](caf::error& e) {
              auto& st = self->state;
              if (!st.err) st.err = actor_failed(self->system(), e);
              st.end_rp->deliver(ack{st.err});
              self->quit();
            });
  }
}

stage_actor::behavior_type stage_fn(stage_ptr self, transform_fn fn, stage_actor next, int credits) {
  self->state.fn = std::move(fn);
  self->state.next = std::move(next);
  self->state.credits = std::max(1, credits);
  return {
      [=](shard& s) -> caf::result<ack> {
        auto& st = self->state;
        std::optional<shard> out;
        try {
          out = st.fn(s);
        } catch (...) {
          error_info e = current_error();
          if (!st.err) st.err = e;
          return ack{e};
        }
        if (!out) return ack{};
        auto rp = self->make_response_promise<ack>();
        st.pending.emplace_back(std::move(*out), rp);
        stage_pump(self);
        return rp;
      },
      [=](end_atom) -> caf::result<ack> {
        auto rp = self->make_response_promise<ack>();
        self->state.end_rp = rp;
        stage_pump(self);
        return rp;
      },
  };
}

struct sink_state {
  consume_fn fn;
  error_info err;
};

stage_actor::behavior_type sink_fn(stage_actor::stateful_pointer<sink_state> self, consume_fn fn) {
  self->state.fn = std::move(fn);
  return {
      [=](shard& s) -> ack {
        auto& st = self->state;
        try {
          st.fn(s);
        } catch (...) {
          error_info e = current_error();
          if (!st.err) st.err = e;
          return ack{e};
        }
        return ack{};
      },
      [=](end_atom) -> ack {
        self->quit();
        return ack{self->state.err};
      },
  };
}

// ---- sources

/// One tile read and what its misses so far have seen.
struct tile_read {
  std::int64_t i = 0;
  caf::actor owner;  ///< whom the last read asked, for which key
  shard_key key = 0;
  int moves = 0;            ///< reads sent after the layout named another owner or key
  bool answered = false;    ///< the last miss was an answer (error), not a silent owner
  bool repeated = false;    ///< the owner answered an error for this very owner and key before
  std::chrono::milliseconds pause{0};
  std::chrono::steady_clock::time_point since{};  ///< the first miss
  error_info last;
};

struct source_state {
  stage_actor next;
  int credits = 4;
  int in_flight = 0;  ///< being generated or read, or sent and not yet acknowledged
  std::int64_t next_i = 0, count = 0;
  std::function<shard(std::int64_t)> gen;  ///< generator mode
  client::version_ptr hold;                ///< array mode: keeps the array alive
  array_id id = 0;
  array_layout layout;  ///< the newest layout asked (refreshed whenever a tile read misses)
  caf::actor sched;
  std::chrono::milliseconds retry_window{600000};  ///< runtime_options::timeout_ms
  std::map<std::int64_t, tile_read> retrying;      ///< tiles pausing before they ask again
  bool stalled = false, end_sent = false;
  error_info err;
  std::shared_ptr<run::state> status;
};
using source_ptr = caf::stateful_actor<source_state>*;

void source_pump(source_ptr self);

void source_acked(source_ptr self, error_info e) {
  auto& st = self->state;
  --st.in_flight;
  st.stalled = false;
  if (e && !st.err) st.err = std::move(e);
  source_pump(self);
}

void source_send(source_ptr self, shard s) {
  self->state.status->stats.sent++;
  self->request(self->state.next, caf::infinite, std::move(s))
      .then([=](ack& a) { source_acked(self, a.err); },
            [=](caf::error& e) { source_acked(self, actor_failed(self->system(), e)); });
}

// ---- tile reads of a shard stream, and what a read that misses does
//
// The layout is asked once at the start, but shards move while the stream runs: a rebalance
// or drain (actors/scheduler_elastic.hpp) names the new owner in the directory before the old
// owner frees the shard, so a read that reaches the old owner after the free is answered
// "shard K is not on actor N"; a crash (actors/scheduler_recovery.hpp) makes the read bounce
// off the dead actor, and the directory names a survivor once the rebuild is planned. So a
// read that fails asks the scheduler for the layout again and reads the tile where it lives
// now. A failed read whose layout did not change is either a real error of the tile (its op
// failed: an owner that still has the key answers it again, and then it is reported as is)
// or a loss the scheduler has not seen yet (the owner did not answer: asked again after a
// growing pause, until runtime_options::timeout_ms has passed). Both are bounded.

/// Tile reads of one tile that found it moved, before the stream gives up: shards that keep
/// moving faster than a read can follow them are a bug, not a workload.
constexpr int max_moves = 16;
/// The pause before asking again for the owner of a tile whose owner did not answer; it
/// doubles up to max_pause.
constexpr auto first_pause = std::chrono::milliseconds(5);
constexpr auto max_pause = std::chrono::milliseconds(500);

void source_read(source_ptr self, tile_read tr);

error_info give_up(source_ptr self, const tile_read& tr, const std::string& why) {
  return {errc::runtime_error, "shoal.pipeline: tile " + std::to_string(tr.i) + " of array " +
                                   std::to_string(self->state.id) + " could not be read: " + why +
                                   " (last error: " + tr.last.message + ")"};
}

/// Asks the scheduler where tile tr.i lives now and reads it there, waits and asks again, or
/// gives up (see above).
void source_refresh(source_ptr self, tile_read tr) {
  auto& st = self->state;
  const auto left = st.retry_window - std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::steady_clock::now() - tr.since);
  if (left.count() <= 0)
    return source_acked(self, give_up(self, tr, "its owner did not answer and the scheduler named no other within " +
                                                    std::to_string(st.retry_window.count()) + " ms"));
  self->request(st.sched, left, layout_atom::value, st.id)
      .then(
          [=](array_layout& l) {
            auto& st = self->state;
            tile_read tr2 = tr;
            if (l.err) return source_acked(self, l.err);  // e.g. lost with an actor, not rebuildable
            const auto t = static_cast<std::size_t>(tr2.i);
            if (l.keys.size() != st.layout.keys.size())
              return source_acked(self, give_up(self, tr2, "its array changed its tiling"));
            const bool moved = l.owners[t] != tr2.owner || l.keys[t] != tr2.key;
            st.layout = std::move(l);  // the tiles not read yet are read from there too
            if (moved) {
              if (++tr2.moves > max_moves)
                return source_acked(self, give_up(self, tr2, "it moved " + std::to_string(max_moves) + " times"));
              tr2.repeated = false;
            } else if (tr2.answered) {
              // A key that is still there answers the same error again: the tile's own error.
              if (tr2.repeated) return source_acked(self, tr2.last);
              tr2.repeated = true;
            } else {  // nobody answered and the scheduler still names that owner: wait, ask again
              tr2.pause = std::min(max_pause, tr2.pause.count() ? tr2.pause * 2 : first_pause);
              st.retrying[tr2.i] = tr2;
              self->delayed_send(self, tr2.pause, retry_atom::value, tr2.i);
              return;
            }
            st.status->stats.retries++;
            source_read(self, std::move(tr2));
          },
          [=](caf::error& e) { source_acked(self, give_up(self, tr, "the scheduler did not answer: " + self->system().render(e))); });
}

/// A read of tr.i failed with `e`; `answered`: the owner said so (else it did not answer).
void source_missed(source_ptr self, tile_read tr, error_info e, bool answered) {
  auto& st = self->state;
  if (st.err) return source_acked(self, {});  // failing already: the first error stands
  if (tr.since == std::chrono::steady_clock::time_point{}) tr.since = std::chrono::steady_clock::now();
  tr.last = std::move(e);
  tr.answered = answered;
  source_refresh(self, std::move(tr));
}

void source_read(source_ptr self, tile_read tr) {
  auto& l = self->state.layout;
  const auto t = static_cast<std::size_t>(tr.i);
  tr.owner = l.owners[t];
  tr.key = l.keys[t];
  self->request(tr.owner, caf::infinite, read_atom::value, tr.key, true)
      .then(
          [=](read_result& r) {
            if (r.err) return source_missed(self, tr, std::move(r.err), true);
            auto& l = self->state.layout;
            shard s;
            s.seq = static_cast<std::uint64_t>(tr.i);
            s.tile = l.til.tile_box(tr.i);
            s.global_shape = l.til.shape;
            s.type = l.type;
            s.data = std::move(r.data);  // the shard itself when the owner is a CPU actor here
            source_send(self, std::move(s));
          },
          [=](caf::error& e) { source_missed(self, tr, actor_failed(self->system(), e), false); });
}

void source_pump(source_ptr self) {
  auto& st = self->state;
  while (!st.err && st.in_flight < st.credits && st.next_i < st.count) {
    const std::int64_t i = st.next_i++;
    ++st.in_flight;
    auto& mx = st.status->stats.max_in_flight;
    if (st.in_flight > mx.load()) mx = st.in_flight;
    if (!st.gen) {
      tile_read tr;
      tr.i = i;
      source_read(self, std::move(tr));
      continue;
    }
    shard s;
    try {
      s = st.gen(i);
    } catch (...) {
      --st.in_flight;
      st.err = current_error();
      break;
    }
    source_send(self, std::move(s));
  }
  if (!st.err && st.next_i < st.count && !st.stalled) {  // out of credits: pause until an ack
    st.stalled = true;
    st.status->stats.stalls++;
  }
  if (!st.end_sent && st.in_flight == 0 && (st.err || st.next_i >= st.count)) {
    st.end_sent = true;
    self->request(st.next, caf::infinite, end_atom::value)
        .then(
            [=](ack& a) {
              auto& st = self->state;
              st.status->finish(st.err ? st.err : a.err);
              st.hold.reset();
              self->quit();
            },
            [=](caf::error& e) {
              auto& st = self->state;
              st.status->finish(st.err ? st.err : actor_failed(self->system(), e));
              st.hold.reset();
              self->quit();
            });
  }
}

caf::behavior source_fn(source_ptr self, source_state init) {
  self->state = std::move(init);
  self->send(self, go_atom::value);
  return {
      [=](go_atom) {
        auto& st = self->state;
        if (st.gen) return source_pump(self);
        st.sched = runtime::get().internals().scheduler;
        self->request(st.sched, caf::infinite, layout_atom::value, st.id)
            .then(
                [=](array_layout& l) {
                  auto& st = self->state;
                  if (l.err) st.err = l.err;
                  st.count = static_cast<std::int64_t>(l.keys.size());
                  st.layout = std::move(l);
                  source_pump(self);
                },
                [=](caf::error& e) {
                  self->state.err = actor_failed(self->system(), e);
                  source_pump(self);
                });
      },
      [=](retry_atom, std::int64_t i) {  // a tile whose owner did not answer: ask again now
        auto& st = self->state;
        auto it = st.retrying.find(i);
        if (it == st.retrying.end()) return;
        tile_read tr = std::move(it->second);
        st.retrying.erase(it);
        if (st.err) return source_acked(self, {});
        source_refresh(self, std::move(tr));
      },
  };
}

run start_source(source_state init) {
  auto st = std::make_shared<run::state>();
  init.status = st;
  init.credits = std::max(1, init.credits);
  // Detached (generators may compute for long); nobody holds its handle, so its thread ends
  // with it.
  system().spawn<caf::detached>(source_fn, std::move(init));
  return run(st);
}

}  // namespace

// ---- public API

caf::actor_system& system() { return *runtime::get().internals().sys; }

shard make_shard(std::uint64_t seq, box tile, shape_t global_shape, dtype type) {
  shard s;
  s.seq = seq;
  s.data = make_buffer(static_cast<std::size_t>(tile.size()) * itemsize(type));
  s.tile = std::move(tile);
  s.global_shape = std::move(global_shape);
  s.type = type;
  return s;
}

stage_actor spawn_stage(transform_fn fn, stage_actor next, int credits) {
  // On CAF's worker pool: a detached actor's thread would outlive quit() for as long as the
  // caller keeps the handle, and the actor system's shutdown waits for that thread.
  return system().spawn(stage_fn, std::move(fn), std::move(next), credits);
}

stage_actor spawn_sink(consume_fn fn) { return system().spawn(sink_fn, std::move(fn)); }

assembled::assembled(shape_t shape, dtype type)
    : shape_(std::move(shape)), type_(type),
      host_(make_buffer(static_cast<std::size_t>(numel(shape_)) * itemsize(type))) {
  if (host_->bytes()) std::memset(host_->data(), 0, host_->bytes());
}

void assembled::put(const shard& s) {
  if (s.type != type_ || s.global_shape != shape_)
    throw_error(errc::value_error, "shoal.pipeline: a shard of " + std::string(dtype_name(s.type)) + " " +
                                       shape_str(s.global_shape) + " does not fit an assembled " +
                                       dtype_name(type_) + " " + shape_str(shape_));
  const std::size_t isz = itemsize(type_);
  // Each C-order run of the tile box is contiguous in both buffers.
  shape_t gs = c_strides(shape_);
  const shape_t ext = s.tile.extent();
  if (numel(ext) == 0) return;
  const std::size_t n = shape_.size();
  if (n == 0) {
    std::memcpy(host_->data(), s.data->data(), isz);
    return;
  }
  const std::int64_t row = ext[n - 1];
  shape_t i(n, 0);
  for (std::int64_t src = 0; src < numel(ext); src += row) {
    std::int64_t dst = 0;
    for (std::size_t d = 0; d < n; ++d) dst += (s.tile.lo[d] + i[d]) * gs[d];
    std::memcpy(host_->data() + dst * static_cast<std::int64_t>(isz),
                s.data->data() + src * static_cast<std::int64_t>(isz), static_cast<std::size_t>(row) * isz);
    for (std::size_t d = n - 1; d-- > 0;) {  // next row: odometer over the dims before the last
      if (++i[d] < ext[d]) break;
      i[d] = 0;
    }
  }
}

array assembled::to_array() const { return from_host(host_->data(), shape_, type_); }

std::pair<stage_actor, std::shared_ptr<assembled>> spawn_assemble_sink(shape_t shape, dtype type) {
  auto a = std::make_shared<assembled>(std::move(shape), type);
  return {spawn_sink([a](const shard& s) { a->put(s); }), a};
}

void run::wait() {
  std::unique_lock<std::mutex> g(st_->mu);
  st_->cv.wait(g, [&] { return st_->finished; });
  if (st_->err) throw error(st_->err);
}

bool run::done() const {
  std::lock_guard<std::mutex> g(st_->mu);
  return st_->finished;
}

const source_stats& run::stats() const { return st_->stats; }

run run_generator(std::int64_t count, std::function<shard(std::int64_t)> gen, stage_actor first, int credits) {
  source_state s;
  s.next = std::move(first);
  s.credits = credits;
  s.count = count;
  s.gen = std::move(gen);
  return start_source(std::move(s));
}

run run_array(const array& a, stage_actor first, int credits) {
  client::held_operand h = client::as_plain(detail::get(a));  // a view is copied to a plain array first
  source_state s;
  s.next = std::move(first);
  s.credits = credits;
  s.hold = h.hold;
  s.id = h.x.id;
  s.retry_window = std::chrono::milliseconds(runtime::get().options().timeout_ms);
  return start_source(std::move(s));
}

}  // namespace shoal::pipeline
