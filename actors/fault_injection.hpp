#pragma once
/// Fault injection for tests (issue 5): $SHOAL_FAULT lists rules, comma separated:
///   dup:piece:P        send a piece twice with probability P (receivers must ignore the copy)
///   delay:piece:Nms    deliver every piece N ms late (pieces match by tag, order is free)
///   delay:task:Nms     a worker waits N ms before running each task batch
/// $SHOAL_FAULT_SEED seeds the draws (default 1), so a failing schedule can be replayed.
/// Not yet: drop:* and kill_after:* (they need recovery from lineage, scheduler/lineage.hpp);
/// such rules are rejected with a message on stderr and ignored.
#include <chrono>
#include <cstdint>
#include <random>
#include <string>

namespace shoal {

struct fault_plan {
  double dup_piece = 0;                     ///< probability
  std::chrono::milliseconds delay_piece{0};
  std::chrono::milliseconds delay_task{0};
  bool any() const { return dup_piece > 0 || delay_piece.count() > 0 || delay_task.count() > 0; }
};

/// Parses a $SHOAL_FAULT string; unknown or unsupported rules are reported in `why` (one
/// line each) and skipped.
fault_plan parse_fault_plan(const std::string& spec, std::string& why);
/// The plan of this process ($SHOAL_FAULT, parsed once; problems printed on stderr once).
const fault_plan& process_fault_plan();

/// Per-actor draws from the plan, seeded by $SHOAL_FAULT_SEED and the actor's index.
class fault_dice {
 public:
  explicit fault_dice(int actor_index);
  bool duplicate_piece();

 private:
  std::mt19937_64 rng_;
};

}  // namespace shoal
