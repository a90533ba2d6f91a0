#pragma once
/// The rebalancer: a queue of shard moves (scheduler/migration.hpp) issued in batches with
/// bounded bytes in flight. The scheduler asks next() for moves to issue, and reports each
/// move back with done() once the new owner holds the shard; only then does the budget free
/// up for more. So a large rebalance never floods memory or the links, and ops planned in
/// between keep running. Plain data: scheduler_actor drives it, tests drive it by hand.
#include <cstdint>
#include <deque>
#include <vector>

#include "scheduler/migration.hpp"

namespace shoal {

/// Progress of the moves since the rebalancer last went idle, and totals ever.
struct migration_progress {
  std::int64_t moves_total = 0, moves_done = 0;  ///< this rebalance
  std::int64_t bytes_total = 0, bytes_done = 0;  ///< this rebalance
  std::int64_t in_flight_bytes = 0;
  std::int64_t rebalances = 0;                   ///< finished rebalances, ever
};

class rebalancer {
 public:
  /// At most `max_in_flight` bytes travel at once; a single larger move still goes alone.
  explicit rebalancer(std::int64_t max_in_flight) : max_in_flight_(max_in_flight) {}

  /// Queues moves (after those already queued).
  void add(const std::vector<shard_move>& moves);
  /// The moves to issue now, within the budget; they count as in flight until done().
  std::vector<shard_move> next();
  /// A move issued by next() has landed (or was skipped). True when that made the
  /// rebalancer idle (the end of a rebalance).
  bool done(const shard_move& m);
  /// Nothing queued and nothing in flight.
  bool idle() const { return queue_.empty() && in_flight_moves_ == 0; }
  const migration_progress& progress() const { return p_; }
  std::int64_t max_in_flight() const { return max_in_flight_; }

 private:
  std::int64_t max_in_flight_;
  std::deque<shard_move> queue_;
  std::int64_t in_flight_moves_ = 0;
  migration_progress p_;
};

}  // namespace shoal
