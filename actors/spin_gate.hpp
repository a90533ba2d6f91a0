#pragma once
/// spin_gate: whether a thread waiting for an actor's answer should spin before it sleeps.
///
/// A sleeping caller pays one thread wake-up (about 8 us on 2 shared cores) after the answer
/// lands; a spinning one sees it at once. But the spinner holds a core: when the cores are
/// busy (other processes, several waiters), it takes that core from the actors that make the
/// answer, and a round trip measured 61 us sleeping against 78-102 us spinning under two busy
/// processes on 2 cores. The sign that spinning pays is that answers come while it spins; the
/// gate keeps a credit that each answer inside the spin raises by one and each spin that ran
/// out lowers by `miss_cost`, and lets a caller spin while the credit is positive. At zero
/// every `probe_every`-th call spins anyway, so spinning comes back once the answers are quick
/// again. Shared by every waiter of the process; lock-free (a lost update only shifts the
/// credit by one step).
#include <algorithm>
#include <atomic>

namespace shoal::client {

class spin_gate {
 public:
  static constexpr int max_credit = 8;
  static constexpr int miss_cost = 4;  ///< spinning stays on while >= 80% of spins are answered
  static constexpr unsigned probe_every = 16;

  /// True when the next wait should spin first.
  bool should_spin() {
    if (credit_.load(std::memory_order_relaxed) > 0) return true;
    return calls_.fetch_add(1, std::memory_order_relaxed) % probe_every == probe_every - 1;
  }

  /// After a wait that spun: whether the answer came while spinning.
  void record(bool answered_while_spinning) {
    const int c = credit_.load(std::memory_order_relaxed);
    const int next = answered_while_spinning ? std::min(max_credit, c + 1) : std::max(0, c - miss_cost);
    credit_.store(next, std::memory_order_relaxed);
  }

  int credit() const { return credit_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int> credit_{max_credit};
  std::atomic<unsigned> calls_{0};
};

}  // namespace shoal::client
