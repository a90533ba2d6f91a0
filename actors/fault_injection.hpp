#pragma once
/// Fault injection for tests (issue 5): $SHOAL_FAULT lists rules, comma separated:
///   dup:piece:P        send a piece twice with probability P (receivers must ignore the copy)
///   delay:piece:Nms    deliver every piece N ms late (pieces match by tag, order is free)
///   delay:task:Nms     a worker waits N ms before running each task batch
///   drop:piece:P       lose a piece with probability P: pieces become reliable (the receiver
///                      acks, the sender sends again after $SHOAL_PIECE_TIMEOUT_MS, default
///                      200 ms, until acked), so a drop costs time, not a hang
///   kill_after:task:N[:A]  actor A (index, default 0) stops after running N tasks, as if its
///                      node died: it exits and answers nothing more; the scheduler sees it go
///                      down and recovers its shards from lineage (actors/scheduler_recovery.hpp)
/// $SHOAL_FAULT_SEED seeds the draws (default 1), so a failing schedule can be replayed.
/// Unknown or malformed rules are reported with a message on stderr and ignored.
#include <chrono>
#include <cstdint>
#include <random>
#include <string>

namespace shoal {

struct fault_plan {
  double dup_piece = 0;                     ///< probability
  std::chrono::milliseconds delay_piece{0};
  std::chrono::milliseconds delay_task{0};
  double drop_piece = 0;                    ///< probability
  long long kill_after_tasks = 0;           ///< 0: nobody is killed
  int kill_actor = 0;
  /// Reliable pieces: resend after this long without an ack (0: off, the default unless
  /// drop:piece is set or $SHOAL_PIECE_TIMEOUT_MS is given).
  std::chrono::milliseconds piece_timeout{0};
  bool any() const {
    return dup_piece > 0 || delay_piece.count() > 0 || delay_task.count() > 0 || drop_piece > 0 ||
           kill_after_tasks > 0;
  }
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
  bool drop_piece();

 private:
  std::mt19937_64 rng_;
};

}  // namespace shoal
