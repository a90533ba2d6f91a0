// A node's driver sessions without processes: two drivers get separate workers, detaching
// one stops only its actors, a silent driver expires while a pinging one stays, and bad
// attaches spawn nothing. Every wait is bounded.
#include "actors/driver_sessions.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "actors/messages.hpp"

namespace shoal {
namespace {

using namespace std::chrono_literals;

const std::string self_ep = "tcp://127.0.0.1:1";
const std::string other_ep = "tcp://127.0.0.1:2";

/// Spawns stand-in actors and counts those alive (they end on an exit message).
struct fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  std::shared_ptr<std::atomic<int>> alive = std::make_shared<std::atomic<int>>(0);
  std::shared_ptr<std::atomic<int>> spawned = std::make_shared<std::atomic<int>>(0);

  caf::actor dummy() {
    ++*spawned;
    ++*alive;
    auto a = alive;
    return sys.spawn([a](caf::event_based_actor* self) -> caf::behavior {
      self->attach_functor([a] { --*a; });
      return {[](peers_atom, std::vector<caf::actor>&) {}};
    });
  }

  driver_sessions make() {
    return driver_sessions(
        self_ep,
        [this](int local, int global) {
          session_worker w;
          w.handle = dummy();
          w.local = local;
          w.info.name = "cpu" + std::to_string(local) + "@" + std::to_string(global);
          return w;
        },
        [this](const std::string&, int, std::uint64_t) { return dummy(); });
  }

  bool wait_alive(int n) {
    for (auto until = std::chrono::steady_clock::now() + 5s; std::chrono::steady_clock::now() < until;) {
      if (*alive == n) return true;
      std::this_thread::sleep_for(10ms);
    }
    return *alive == n;
  }
};

/// Node 1 (us) with 2 actors, node 2 with 1: the driver's table.
attach_req request(std::uint64_t session, int timeout_ms = 5000) {
  attach_req r;
  r.session = session;
  r.table = {{self_ep, 0}, {other_ep, 0}, {self_ep, 1}};
  r.driver = "host:" + std::to_string(session);
  r.ping_source = "driver/" + std::to_string(session);
  r.heartbeat_timeout_ms = timeout_ms;
  return r;
}

TEST(driver_sessions, two_drivers_get_their_own_workers) {
  fixture f;
  {
    auto s = f.make();
    auto& a = s.attach(request(11), 2);
    auto& b = s.attach(request(22), 2);
    EXPECT_EQ(s.size(), 2u);
    ASSERT_EQ(a.locals.size(), 2u);
    ASSERT_EQ(b.locals.size(), 2u);
    EXPECT_EQ(a.locals[1].local, 1);
    EXPECT_EQ(a.locals[1].info.name, "cpu1@2");  // local actor 1 is global index 2
    EXPECT_NE(a.local(0), b.local(0));            // separate workers (separate shard stores)
    EXPECT_FALSE(a.local(1));                     // index 1 lives on the other node
    EXPECT_FALSE(a.local(3));
    EXPECT_FALSE(a.local(-1));
    EXPECT_EQ(*f.alive, 6);  // per session: 2 workers and 1 proxy
    // Detaching one driver stops only its actors.
    EXPECT_TRUE(s.detach(11));
    EXPECT_FALSE(s.detach(11));  // repeated: nothing left to drop
    EXPECT_TRUE(f.wait_alive(3));
    ASSERT_NE(s.find(22), nullptr);
    EXPECT_EQ(s.find(11), nullptr);
    // An attach repeated under one id replaces the session.
    s.attach(request(22), 2);
    EXPECT_EQ(s.size(), 1u);
    EXPECT_TRUE(f.wait_alive(3));
  }
  EXPECT_TRUE(f.wait_alive(0));  // the table's destructor stops the rest
}

TEST(driver_sessions, a_silent_driver_expires_a_pinging_one_stays) {
  fixture f;
  auto s = f.make();
  s.attach(request(1, 200), 2);
  s.attach(request(2, 5000), 2);
  // Pings refresh only the session they name (nodes ping too: their sources match none).
  const auto before1 = s.find(1)->last_seen, before2 = s.find(2)->last_seen;
  std::this_thread::sleep_for(5ms);
  s.ping_from("driver/2");
  s.ping_from("tcp://127.0.0.1:9");
  s.ping_from("");
  EXPECT_EQ(s.find(1)->last_seen, before1);
  EXPECT_GT(s.find(2)->last_seen, before2);
  // Silence longer than a session's own timeout drops it, and only it.
  EXPECT_TRUE(s.expire(before1 + 100ms).empty());
  auto gone = s.expire(before1 + 300ms);
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].id, 1u);
  EXPECT_EQ(gone[0].driver, "host:1");
  EXPECT_EQ(s.find(1), nullptr);
  EXPECT_TRUE(f.wait_alive(3));
  // Any message of the session counts as a sign of life too.
  const auto before = s.find(2)->last_seen;
  std::this_thread::sleep_for(5ms);
  s.seen(2);
  EXPECT_GT(s.find(2)->last_seen, before);
  EXPECT_TRUE(s.expire(s.find(2)->last_seen + 4s).empty());
  EXPECT_EQ(s.expire(s.find(2)->last_seen + 6s).size(), 1u);
  EXPECT_EQ(s.size(), 0u);
  EXPECT_TRUE(f.wait_alive(0));
}

TEST(driver_sessions, bad_attach_spawns_nothing) {
  fixture f;
  auto s = f.make();
  EXPECT_THROW(s.attach(request(0), 2), error);  // no session id
  auto r = request(5);
  r.table.push_back({self_ep, 7});  // this node has 2 actors
  EXPECT_THROW(s.attach(r, 2), error);
  r = request(5);
  r.table.push_back({self_ep, 0});  // local actor 0 twice
  EXPECT_THROW(s.attach(r, 2), error);
  r = request(5, 0);
  EXPECT_THROW(s.attach(r, 2), error);  // no timeout
  EXPECT_EQ(s.size(), 0u);
  EXPECT_EQ(*f.spawned, 0);
}

}  // namespace
}  // namespace shoal
