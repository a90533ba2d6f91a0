#pragma once
/// reply_waiter: how a plain thread (the Python caller, a C++ user's thread) makes a CAF request
/// and waits for its response, at a small fixed cost.
///
/// A caf::scoped_actor per call spawns, registers and tears down a blocking actor (with its
/// mailbox) each time: every read paid for an actor's life on top of the actors' own hops, and
/// an empty op batch went to the scheduler before each read. A waiter is one long-lived receiving actor
/// (no mailbox, no thread: its enqueue() stores the response where the caller looks) that the
/// caller reuses call after call (client::core keeps a pool); it spins before it sleeps while
/// answers come during the spin (actors/spin_gate.hpp; $SHOAL_SPIN_US).
///
/// The request is an ordinary CAF request (sender = the waiter, a fresh request id), so every
/// actor answers it as before: the scheduler directly or after a delegate to a tile's owner,
/// a remote proxy through its node, CAF itself with an error when the receiver is down.
/// Responses to an earlier request that timed out carry another id and are dropped.
#include <chrono>
#include <memory>
#include <optional>

#include <caf/all.hpp>

namespace shoal::client {

class reply_waiter {
 public:
  explicit reply_waiter(caf::actor_system& sys);
  ~reply_waiter();
  reply_waiter(const reply_waiter&) = delete;
  reply_waiter& operator=(const reply_waiter&) = delete;

  /// Sends `msg` to `dest` as a request and waits until its response arrives or `deadline`
  /// passes (nullopt then). The response is the answer's content: the expected value, or a
  /// caf::error (the receiver is down, or it answered with an error).
  std::optional<caf::message> call(const caf::actor& dest, caf::message msg,
                                   std::chrono::steady_clock::time_point deadline);

  /// How long a waiting caller spins before it sleeps ($SHOAL_SPIN_US, default 50; 0: it
  /// sleeps at once), where spin_gate lets it spin.
  static std::chrono::microseconds spin_time();
  /// How long a caller then yields before it sleeps: $SHOAL_YIELD_US, else the default the
  /// runtime set (set_default_yield: 0, or longer where GPU actors answer).
  static std::chrono::microseconds yield_time();
  static void set_default_yield(std::chrono::microseconds t);

  struct slot;  ///< where the response lands (reply_waiter.cpp)

 private:
  std::shared_ptr<slot> slot_;  // shared with the receiving actor
  caf::strong_actor_ptr self_;  // the receiving actor
  std::uint64_t next_ = 0;      // request numbers of this waiter
};

/// The response's value of type T, or the caf::error it carries (in `err`); false when it is
/// neither.
template <class T>
bool response_as(caf::message& m, T& out, caf::error& err) {
  if (m.match_elements<T>()) {
    out = std::move(m.get_mutable_as<T>(0));
    return true;
  }
  if (m.match_elements<caf::error>()) {
    err = std::move(m.get_mutable_as<caf::error>(0));
    return true;
  }
  return false;
}

}  // namespace shoal::client
