// lingerer on a detached actor: nothing is sent while lingering is off, one linger runs at a
// time, and a linger ends at the next message, an exit included. The linger is ten minutes
// long where it must end early; every wait is bounded far below that, so a linger that did
// not end at the message fails the test instead of passing late.
#include "actors/linger.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <thread>

namespace shoal {
namespace {

using namespace std::chrono_literals;
using work_atom = caf::atom_constant<caf::atom("work")>;
using count_atom = caf::atom_constant<caf::atom("count")>;

struct counts {
  std::atomic<int> lingers{0};       ///< linger_atom handled
  std::atomic<int> woken{0};         ///< lingers a message ended
  std::atomic<int> ended{0};         ///< lingers that returned
  std::atomic<bool> stopped{false};  ///< the actor is gone
};

struct probe_state {
  lingerer linger;
};

/// A detached actor that asks for a linger `n` times per work message.
caf::actor spawn_probe(caf::actor_system& sys, std::shared_ptr<counts> c) {
  return sys.spawn<caf::detached>([c](caf::stateful_actor<probe_state>* self) -> caf::behavior {
    self->attach_functor([c] { c->stopped = true; });
    return {
        [=](work_atom, int n) {
          for (int i = 0; i < n; ++i) self->state.linger.after(self);
          return n;
        },
        [=](linger_atom) {
          ++c->lingers;
          if (self->state.linger.run(self)) ++c->woken;
          ++c->ended;
        },
        [=](count_atom) { return c->lingers.load(); },
    };
  });
}

/// Restores lingering off (the process default) after each test.
struct linger_test : ::testing::Test {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  std::shared_ptr<counts> c = std::make_shared<counts>();
  caf::scoped_actor self{sys};
  void TearDown() override { set_default_linger(0us); }

  int ask(const caf::actor& a, caf::message m) {
    int out = -1;
    self->request(a, 60s, std::move(m)).receive([&](int v) { out = v; }, [](caf::error&) {});
    return out;
  }
};

TEST_F(linger_test, OffSendsNothing) {
  if (std::getenv("SHOAL_LINGER_US")) GTEST_SKIP() << "SHOAL_LINGER_US is set";
  set_default_linger(0us);
  auto a = spawn_probe(sys, c);
  EXPECT_EQ(ask(a, caf::make_message(work_atom::value, 3)), 3);
  EXPECT_EQ(ask(a, caf::make_message(count_atom::value)), 0);
  caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}

TEST_F(linger_test, OneLingerAtATimeAndAMessageEndsIt) {
  if (std::getenv("SHOAL_LINGER_US")) GTEST_SKIP() << "SHOAL_LINGER_US is set";
  set_default_linger(10min);
  auto a = spawn_probe(sys, c);
  EXPECT_EQ(ask(a, caf::make_message(work_atom::value, 5)), 5);  // five asks, one linger
  // The actor now lingers (ten minutes unless a message comes); this count ends it.
  EXPECT_EQ(ask(a, caf::make_message(count_atom::value)), 1);
  EXPECT_EQ(c->woken.load(), 1);
  caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}

TEST_F(linger_test, AnExitEndsALinger) {
  if (std::getenv("SHOAL_LINGER_US")) GTEST_SKIP() << "SHOAL_LINGER_US is set";
  set_default_linger(10min);
  auto a = spawn_probe(sys, c);
  EXPECT_EQ(ask(a, caf::make_message(work_atom::value, 1)), 1);
  caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (!c->stopped && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
  EXPECT_TRUE(c->stopped.load());
}

TEST_F(linger_test, ALingerWithoutMessagesEnds) {
  if (std::getenv("SHOAL_LINGER_US")) GTEST_SKIP() << "SHOAL_LINGER_US is set";
  set_default_linger(1ms);
  auto a = spawn_probe(sys, c);
  EXPECT_EQ(ask(a, caf::make_message(work_atom::value, 1)), 1);
  // Nothing is sent until the linger has returned: it can only have run out.
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (c->ended.load() == 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(c->ended.load(), 1);
  EXPECT_EQ(ask(a, caf::make_message(count_atom::value)), 1);
  EXPECT_EQ(c->woken.load(), 0);
  caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}

}  // namespace
}  // namespace shoal
