#include "actors/scheduler_elastic.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "scheduler/migration.hpp"

namespace shoal {
namespace {

/// A move whose ack does not come within this long counts as landed anyway: the directory
/// already names the new owner, and the actor that never answered is a failure of its own.
constexpr auto ack_timeout = std::chrono::minutes(10);

std::int64_t migrate_budget() {
  const char* v = std::getenv("SHOAL_MIGRATE_BYTES");
  if (v && *v) {
    try {
      const long long n = std::stoll(v);
      if (n > 0) return n;
    } catch (...) {
    }
    std::fprintf(stderr, "shoal: SHOAL_MIGRATE_BYTES='%s' is not a positive integer; using 256 MiB\n", v);
  }
  return std::int64_t{256} << 20;
}

void pump(elastic_ctx c);
void on_idle(elastic_ctx c, bool moved);

/// Plans moves that even out the placed actors and empty the draining ones.
void plan_rebalance(elastic_ctx c) {
  const auto& targets = c.plan.config().place_on;
  std::vector<shard_load> shards;
  for (const auto& s : c.plan.dir().shards()) {
    const bool placed = std::find(targets.begin(), targets.end(), s.owner) != targets.end();
    if (placed || c.el.draining.count(s.owner)) shards.push_back(s);
  }
  auto moves = plan_migration(shards, targets);
  if (moves.empty()) return;
  if (c.el.moves.idle()) c.el.started = std::chrono::steady_clock::now();
  c.el.moves.add(moves);
}

/// The rebalancer went idle: finish drains that are done (or plan another round for shards
/// that ops placed on a draining actor meanwhile), then answer settle waiters.
void on_idle(elastic_ctx c, bool moved) {
  auto& el = c.el;
  const auto& p = el.moves.progress();
  if (moved && p.moves_total > 0) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - el.started);
    std::fprintf(stderr, "shoal: rebalance done: %lld shards, %.3f MiB moved in %lld ms\n",
                 static_cast<long long>(p.moves_done), static_cast<double>(p.bytes_done) / (1 << 20),
                 static_cast<long long>(ms.count()));
  }
  std::vector<int> finished;
  bool again = false;
  for (const auto& [a, name] : el.draining) {
    bool holds = false;
    for (const auto& s : c.plan.dir().shards()) holds = holds || s.owner == a;
    if (holds) again = true;
    else finished.push_back(a);
  }
  for (int a : finished) {
    std::fprintf(stderr, "shoal: actor %s drained: it holds no shard and takes no new ones\n",
                 el.draining[a].c_str());
    el.left[a] = el.draining[a];
    el.draining.erase(a);
    if (el.on_left) el.on_left(a);  // before the waiters: they see the group without it
    for (auto& rp : el.drain_waiters[a]) rp.deliver(true);
    el.drain_waiters.erase(a);
  }
  if (again) {
    plan_rebalance(c);
    if (!el.moves.idle()) return pump(c);
  }
  el.joining.clear();
  for (auto& rp : el.settle_waiters) rp.deliver(true);
  el.settle_waiters.clear();
}

/// Issues the moves the budget allows: the tasks go out now (ahead of any later op), and
/// a wait-read of the shard on its new owner acknowledges each move.
void pump(elastic_ctx c) {
  if (c.el.paused) return;  // elastic_rebalance() starts the moves again
  for (;;) {
    auto batch = c.el.moves.next();
    if (batch.empty()) return;
    bool became_idle = false;
    for (const auto& m : batch) {
      task_lists lists;
      if (c.el.dead.count(m.from) || c.el.dead.count(m.to) || !c.plan.move_shard(m, lists)) {
        // a dead end, or freed or moved since it was planned
        became_idle = c.el.moves.done(m) || became_idle;
        continue;
      }
      for (std::size_t a = 0; a < lists.size(); ++a)
        if (!lists[a].empty()) c.self->send(c.workers[a], task_batch{std::move(lists[a])});
      auto landed = [c, m](auto&&...) mutable {
        if (c.el.moves.done(m)) on_idle(c, true);
        else pump(c);
      };
      c.self->request(c.workers[static_cast<std::size_t>(m.to)], ack_timeout, read_atom::value, m.key, false)
          .then([landed](read_result&) mutable { landed(); }, [landed](caf::error&) mutable { landed(); });
    }
    if (became_idle) return on_idle(c, true);
  }
}

}  // namespace

elastic::elastic() : moves(migrate_budget()) {}

int elastic_add_worker(elastic_ctx c, caf::actor w, bool place) {
  c.workers.push_back(std::move(w));
  for (auto& x : c.workers) c.self->send(x, peers_atom::value, c.workers);
  const int a = c.plan.add_actor(place);
  c.el.joining.insert(a);
  plan_rebalance(c);
  if (c.el.moves.idle()) on_idle(c, false);
  else pump(c);
  return a;
}

void elastic_drain(elastic_ctx c, int index, std::string name, caf::response_promise rp) {
  if (index < 0 || index >= static_cast<int>(c.workers.size())) {
    rp.deliver(false);
    return;
  }
  if (c.el.left.count(index)) {
    rp.deliver(true);
    return;
  }
  try {
    c.plan.set_placed(index, false);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "shoal: cannot drain %s: %s\n", name.c_str(), e.what());
    rp.deliver(false);
    return;
  }
  c.el.draining[index] = std::move(name);
  c.el.drain_waiters[index].push_back(std::move(rp));
  const bool was_idle = c.el.moves.idle();
  plan_rebalance(c);
  if (c.el.moves.idle()) on_idle(c, false);
  else if (was_idle) pump(c);  // otherwise the moves under way pump the new ones
}

void elastic_forget(elastic_ctx c, int index) {
  auto& el = c.el;
  el.dead.insert(index);
  el.joining.erase(index);
  if (el.draining.erase(index)) {
    for (auto& rp : el.drain_waiters[index]) rp.deliver(true);
    el.drain_waiters.erase(index);
  }
}

void elastic_rebalance(elastic_ctx c) {
  c.el.paused = false;
  if (!c.el.draining.empty()) plan_rebalance(c);
  if (!c.el.moves.idle()) pump(c);
}

void elastic_settle(elastic_ctx c, caf::response_promise rp) {
  if (c.el.moves.idle()) rp.deliver(true);
  else c.el.settle_waiters.push_back(std::move(rp));
}

void elastic_annotate(const elastic& el, cluster_stats& s) {
  for (std::size_t a = 0; a < s.actors.size(); ++a) {
    const int i = static_cast<int>(a);
    auto& info = s.actors[a];
    if (auto d = el.draining.find(i); d != el.draining.end()) {
      info.state = "draining";
      if (info.name.empty()) info.name = d->second;
    } else if (auto l = el.left.find(i); l != el.left.end()) {
      info.state = "left";
      if (info.name.empty()) info.name = l->second;
    } else if (el.joining.count(i)) {
      info.state = "joining";
    }
  }
  const auto& p = el.moves.progress();
  s.migration.active = !el.moves.idle();
  s.migration.moves_total = p.moves_total;
  s.migration.moves_done = p.moves_done;
  s.migration.bytes_total = p.bytes_total;
  s.migration.bytes_done = p.bytes_done;
  s.migration.rebalances = p.rebalances;
}

}  // namespace shoal
