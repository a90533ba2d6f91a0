// Joining the head on loopback: a head that starts after the node (mpirun ranks in any
// order) is still joined, nobody there fails with the limit named, a wrong secret fails
// at once, and SHOAL_JOIN_TIMEOUT_S is checked. Every wait is bounded.
#include "actors/node_join.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <future>
#include <thread>

namespace shoal {
namespace {

using namespace std::chrono_literals;

const std::string secret(64, 'j');

/// A free loopback port (bound by a throw-away gateway, then released).
std::string free_address() {
  gateway_options o;
  o.bind = "127.0.0.1:0";
  o.secret = secret;
  gateway g(o, [](inbound_ptr) {});
  return g.endpoint().substr(std::string("tcp://").size());
}

/// A head that answers every hello with ok and counts them.
struct fake_head {
  std::atomic<gateway*> self{nullptr};
  std::atomic<int> hellos{0};
  std::unique_ptr<gateway> gw;
  fake_head(const std::string& address, const std::string& s = secret) {
    gateway_options o;
    o.bind = address;
    o.secret = s;
    gw = std::make_unique<gateway>(o, [this](inbound_ptr in) {
      if (wire::type_of(in->msg) != wire::msg_type::hello) return;
      ++hellos;
      self.load()->reply(in->route, wire::encode(wire::make_header(wire::msg_type::ok, -1, in->msg.header.sequence)));
    });
    self = gw.get();
  }
};

std::unique_ptr<gateway> node_gateway(const std::string& s = secret) {
  gateway_options o;
  o.bind = "127.0.0.1:0";
  o.secret = s;
  return std::make_unique<gateway>(o, [](inbound_ptr) {});
}

node_desc me(const gateway& g) {
  node_desc d;
  d.name = "test:1";
  d.endpoint = g.endpoint();
  return d;
}

TEST(node_join, a_head_that_starts_later_is_joined) {
  const std::string address = free_address();
  auto node = node_gateway();
  auto joined = std::async(std::launch::async, [&] { join_head(*node, tcp_endpoint(address), me(*node), 20000); });
  // Longer than the first tries' waits: the node has retried by the time the head binds.
  ASSERT_EQ(joined.wait_for(1800ms), std::future_status::timeout);
  fake_head head(address);
  ASSERT_EQ(joined.wait_for(15s), std::future_status::ready);
  EXPECT_NO_THROW(joined.get());
  EXPECT_GE(head.hellos.load(), 1);
}

TEST(node_join, nobody_there_fails_naming_the_limit) {
  auto node = node_gateway();
  const auto t0 = std::chrono::steady_clock::now();
  try {
    join_head(*node, tcp_endpoint(free_address()), me(*node), 1200);
    FAIL() << "joined nobody";
  } catch (const error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("did not answer within"), std::string::npos) << m;
    EXPECT_NE(m.find("SHOAL_JOIN_TIMEOUT_S"), std::string::npos) << m;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 10s);
}

TEST(node_join, a_wrong_secret_fails_at_once) {
  const std::string address = free_address();
  fake_head head(address, std::string(64, 'x'));
  auto node = node_gateway();
  try {
    join_head(*node, tcp_endpoint(address), me(*node), 20000);
    FAIL() << "joined with a wrong secret";
  } catch (const error& e) {
    EXPECT_NE(std::string(e.what()).find("wrong cluster secret"), std::string::npos) << e.what();
  }
  EXPECT_EQ(head.hellos.load(), 0);
}

TEST(node_join, timeout_from_the_environment) {
  ::unsetenv("SHOAL_JOIN_TIMEOUT_S");
  EXPECT_EQ(join_timeout_ms_from_env(), 60000);
  ::setenv("SHOAL_JOIN_TIMEOUT_S", "2.5", 1);
  EXPECT_EQ(join_timeout_ms_from_env(), 2500);
  for (const char* bad : {"0", "-3", "soon", "5s", "1e9"}) {
    ::setenv("SHOAL_JOIN_TIMEOUT_S", bad, 1);
    EXPECT_THROW(join_timeout_ms_from_env(), error) << bad;
  }
  ::unsetenv("SHOAL_JOIN_TIMEOUT_S");
}

}  // namespace
}  // namespace shoal
