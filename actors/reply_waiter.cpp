#include "actors/reply_waiter.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "actors/env_number.hpp"
#include "actors/spin_gate.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace shoal::client {

/// Where the receiving actor puts the response the caller waits for.
struct reply_waiter::slot {
  std::mutex mu;
  std::condition_variable cv;
  std::atomic<bool> ready{false};
  std::uint64_t expected = 0;  ///< request number awaited (0: none); guarded by mu
  caf::message response;       ///< guarded by mu
};

namespace {

/// An actor without mailbox or thread: a response to the awaited request lands in the slot
/// (on the sender's thread), anything else is dropped.
class waiter_actor final : public caf::monitorable_actor {
 public:
  using slot_ptr = std::shared_ptr<reply_waiter::slot>;

  explicit waiter_actor(caf::actor_config& cfg, slot_ptr s) : caf::monitorable_actor(cfg), slot_(std::move(s)) {}

  void enqueue(caf::mailbox_element_ptr what, caf::execution_unit*) override {
    if (!what || !what->mid.is_response()) return;  // only responses are expected here
    auto& s = *slot_;
    {
      std::lock_guard<std::mutex> g(s.mu);
      if (s.expected == 0 || what->mid.request_id().integer_value() != s.expected) return;  // stale
      s.response = what->move_content_to_message();
      s.expected = 0;
      s.ready.store(true, std::memory_order_release);
    }
    s.cv.notify_one();
  }

  const char* name() const override { return "shoal.reply_waiter"; }

 private:
  slot_ptr slot_;
};

/// Whether spinning pays now (actors/spin_gate.hpp); one for the process.
spin_gate& gate() {
  static spin_gate g;
  return g;
}

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#endif
}

}  // namespace

std::chrono::microseconds reply_waiter::spin_time() {
  // 50 us covers a small read's round trip (about 20 us spinning, 28 sleeping, on 2 idle
  // shared cores); spin_gate stops the spinning where it only takes a core from the actors
  // (busy cores, where it measured slower before the gate). 0: never spin.
  static const long long from_env = env_number("SHOAL_SPIN_US");
  return std::chrono::microseconds(from_env >= 0 ? from_env : 50);
}

namespace {
std::atomic<long long> g_default_yield_us{0};
}

void reply_waiter::set_default_yield(std::chrono::microseconds t) { g_default_yield_us.store(t.count()); }

std::chrono::microseconds reply_waiter::yield_time() {
  static const long long from_env = env_number("SHOAL_YIELD_US");
  return std::chrono::microseconds(from_env >= 0 ? from_env : g_default_yield_us.load());
}

reply_waiter::reply_waiter(caf::actor_system& sys) : slot_(std::make_shared<slot>()) {
  caf::actor_config cfg;
  self_ = caf::make_actor<waiter_actor, caf::strong_actor_ptr>(sys.next_actor_id(), sys.node(), &sys, cfg, slot_);
}

reply_waiter::~reply_waiter() {
  // A response still in flight holds its own reference to the actor and finds no request.
  std::lock_guard<std::mutex> g(slot_->mu);
  slot_->expected = 0;
}

std::optional<caf::message> reply_waiter::call(const caf::actor& dest, caf::message msg,
                                               std::chrono::steady_clock::time_point deadline) {
  auto& s = *slot_;
  next_ = next_ % 0x0FFFFFFFFFFFFFFEull + 1;  // a request id: nonzero, below the flag bits
  {
    std::lock_guard<std::mutex> g(s.mu);
    s.expected = next_;
    s.ready.store(false, std::memory_order_relaxed);
    s.response = caf::message{};
  }
  dest->enqueue(caf::make_mailbox_element(self_, caf::make_message_id(next_), {}, std::move(msg)), nullptr);
  // Spin first, while that pays (spin_gate): a small read is answered sooner than a sleeping
  // thread would wake up.
  if (spin_time().count() > 0 && gate().should_spin()) {
    const auto spin_end = std::min(deadline, std::chrono::steady_clock::now() + spin_time());
    for (int i = 0; !s.ready.load(std::memory_order_acquire); ++i) {
      if ((i & 63) == 0 && std::chrono::steady_clock::now() >= spin_end) break;
      cpu_relax();
    }
    gate().record(s.ready.load(std::memory_order_acquire));
  }
  // Then yield (runnable, but giving the core to whoever needs it) for as long as a GPU op
  // may take to answer, the way CUDA's own waits do: a thread that went to sleep on an idle
  // core pays the wake-up after the answer (tens of us on a VM), more than the op's launch.
  if (const auto y = yield_time(); y.count() > 0) {
    const auto yield_end = std::min(deadline, std::chrono::steady_clock::now() + y);
    while (!s.ready.load(std::memory_order_acquire) && std::chrono::steady_clock::now() < yield_end)
      std::this_thread::yield();
  }
  std::unique_lock<std::mutex> lock(s.mu);
  if (!s.cv.wait_until(lock, deadline, [&] { return s.ready.load(std::memory_order_acquire); })) {
    s.expected = 0;  // a late answer is dropped
    return std::nullopt;
  }
  return std::move(s.response);
}

}  // namespace shoal::client
