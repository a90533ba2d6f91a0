#include "scheduler/rebalancer.hpp"

namespace shoal {

void rebalancer::add(const std::vector<shard_move>& moves) {
  if (idle()) {  // a new rebalance: progress counts from here
    p_.moves_total = p_.moves_done = p_.bytes_total = p_.bytes_done = 0;
  }
  for (const auto& m : moves) {
    queue_.push_back(m);
    ++p_.moves_total;
    p_.bytes_total += m.bytes;
  }
}

std::vector<shard_move> rebalancer::next() {
  std::vector<shard_move> out;
  while (!queue_.empty()) {
    const auto& m = queue_.front();
    // Always let one move go when nothing travels, or a shard above the budget never would.
    if (in_flight_moves_ > 0 && p_.in_flight_bytes + m.bytes > max_in_flight_) break;
    p_.in_flight_bytes += m.bytes;
    ++in_flight_moves_;
    out.push_back(m);
    queue_.pop_front();
  }
  return out;
}

bool rebalancer::done(const shard_move& m) {
  if (in_flight_moves_ == 0) return false;
  --in_flight_moves_;
  p_.in_flight_bytes -= m.bytes;
  ++p_.moves_done;
  p_.bytes_done += m.bytes;
  if (!idle()) return false;
  ++p_.rebalances;
  return true;
}

}  // namespace shoal
