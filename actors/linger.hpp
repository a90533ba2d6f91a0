#pragma once
/// linger: a detached actor whose next message is due soon stays awake for it, yielding its
/// core, instead of blocking on its mailbox at once.
///
/// Why: a detached CAF actor whose mailbox runs dry sleeps on a condition variable, and the
/// next message pays a thread wake-up. On the VMs we run on, that wake-up grows with how long
/// the core sat idle: 3-20 us after up to 200 us asleep, 21-66 us after 1-3 ms, against
/// 0.3-2.8 us for a yielding thread (bench/bench_wake.py on the 2-core machine, four runs: a
/// vCPU idle past the hypervisor's halt-polling window is descheduled). In a GPU program the
/// scheduler idles for exactly as long as each kernel runs, so a long op paid that wake-up
/// on the next op's way in (docs/gpu.md: the sum of 2^28 float32). A lingering actor sees the
/// message without any wake-up; it only yields, so a thread with work to do gets the core.
///
/// Use: the actor keeps a `lingerer` in its state, calls `after(self)` at the end of the
/// handlers whose follow-up comes soon (a planned op's read, the next task), and answers
/// `linger_atom` with `run(self)`. The linger runs once the messages already queued are
/// handled (it is a message to itself, one at a time) and ends at the next message or after
/// linger_time().
#include <chrono>
#include <thread>

#include <caf/all.hpp>

namespace shoal {

using linger_atom = caf::atom_constant<caf::atom("linger")>;

/// How long an actor lingers: $SHOAL_LINGER_US, else the runtime's default (set_default_linger:
/// 2000 us where GPU actors run, else 0: an actor sleeps at once).
std::chrono::microseconds linger_time();
void set_default_linger(std::chrono::microseconds t);

class lingerer {
 public:
  /// After a handler whose follow-up is due soon: linger once the queued messages are handled.
  template <class Actor>
  void after(Actor* self) {
    if (pending_ || linger_time().count() <= 0) return;
    pending_ = true;
    self->send(self, linger_atom::value);
  }

  /// The linger_atom handler: yields until a message waits in the mailbox or linger_time() ran
  /// out. True when a message ended it.
  template <class Actor>
  bool run(Actor* self) {
    pending_ = false;
    const auto end = std::chrono::steady_clock::now() + linger_time();
    while (self->mailbox().empty())
      if (std::chrono::steady_clock::now() >= end) return false;
      else std::this_thread::yield();
    return true;
  }

 private:
  bool pending_ = false;  ///< a linger_atom is on its way: one at a time
};

}  // namespace shoal
