// The gateway on loopback: request/reply over CurveZMQ, a refused handshake, a peer that
// stops answering (heartbeats), and a missing secret. Every wait is bounded.
#include "actors/gateway.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <future>

namespace shoal {
namespace {

const std::string secret(64, 'c');

gateway_options server_opts(const std::string& s = secret) {
  gateway_options o;
  o.bind = "127.0.0.1:0";
  o.secret = s;
  return o;
}

gateway_options client_opts(const std::string& s = secret, int hb_ms = 1000, int hb_timeout_ms = 5000) {
  gateway_options o;
  o.secret = s;
  o.heartbeat_ms = hb_ms;
  o.heartbeat_timeout_ms = hb_timeout_ms;
  return o;
}

/// A server that answers every request with `ok` carrying the request's destination + 1.
struct echo_server {
  std::atomic<gateway*> self{nullptr};
  std::unique_ptr<gateway> gw;
  explicit echo_server(const std::string& s = secret) {
    gw = std::make_unique<gateway>(server_opts(s), [this](inbound_ptr in) {
      std::int32_t v = in->msg.header.destination + 1;
      self.load()->reply(in->route, wire::encode(wire::make_header(wire::msg_type::ok, -1, in->msg.header.sequence), v));
    });
    self = gw.get();  // before anyone knows the endpoint: no message can come earlier
  }
};

TEST(gateway, call_and_reply) {
  echo_server srv;
  ASSERT_EQ(srv.gw->endpoint().rfind("tcp://127.0.0.1:", 0), 0u);
  gateway cli(client_opts(), [](inbound_ptr) {});
  for (int i = 0; i < 3; ++i) {
    auto in = call_and_wait(cli, srv.gw->endpoint(), wire::encode(wire::make_header(wire::msg_type::stats, 40 + i)), 5000);
    std::int32_t v = 0;
    ASSERT_FALSE(wire::decode(in->msg, v));
    EXPECT_EQ(v, 41 + i);
  }
}

TEST(gateway, wrong_secret_is_refused_at_once) {
  echo_server srv;
  gateway cli(client_opts(std::string(64, 'd')), [](inbound_ptr) {});
  auto t0 = std::chrono::steady_clock::now();
  try {
    call_and_wait(cli, srv.gw->endpoint(), wire::encode(wire::make_header(wire::msg_type::stats)), 10000);
    FAIL() << "a wrong secret got an answer";
  } catch (const error& e) {
    EXPECT_NE(std::string(e.what()).find("wrong cluster secret"), std::string::npos) << e.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(8));
}

TEST(gateway, silent_peer_fails_waiting_calls) {
  // A server that never answers requests (but its gateway answers pings while it lives).
  auto srv = std::make_unique<gateway>(server_opts(), [](inbound_ptr) {});
  const std::string ep = srv->endpoint();
  gateway cli(client_opts(secret, 50, 500), [](inbound_ptr) {});
  cli.watch(ep);
  auto got = std::make_shared<std::promise<error_info>>();
  cli.call(ep, wire::encode(wire::make_header(wire::msg_type::stats)),
           [got](inbound_ptr, error_info e) { got->set_value(std::move(e)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(700));  // alive: pongs keep it so
  EXPECT_FALSE(cli.broken());
  srv.reset();  // the peer goes away
  auto fut = got->get_future();
  ASSERT_EQ(fut.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  error_info e = fut.get();
  EXPECT_NE(e.message.find("stopped answering"), std::string::npos) << e.message;
  EXPECT_TRUE(cli.broken());
  // Later calls fail at once.
  EXPECT_THROW(call_and_wait(cli, ep, wire::encode(wire::make_header(wire::msg_type::stats)), 2000), error);
}

TEST(gateway, peer_addresses_are_checked) {
  EXPECT_EQ(peer_endpoint("127.0.0.1:7474"), "tcp://127.0.0.1:7474");
  EXPECT_EQ(peer_endpoint("tcp://node-3.cluster:1"), "tcp://node-3.cluster:1");
  for (const char* bad : {"foo", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536", ":80", "host:80x", "host:", "tcp://:5"})
    EXPECT_THROW(peer_endpoint(bad), error) << bad;
}

TEST(gateway, a_malformed_endpoint_fails_its_calls_not_the_thread) {
  gateway cli(client_opts(), [](inbound_ptr) {});
  try {
    call_and_wait(cli, "tcp://no-port-here", wire::encode(wire::make_header(wire::msg_type::stats)), 5000);
    FAIL() << "a malformed endpoint answered";
  } catch (const error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot connect to tcp://no-port-here"), std::string::npos) << e.what();
  }
  echo_server srv;  // the gateway still serves other peers
  EXPECT_NO_THROW(call_and_wait(cli, srv.gw->endpoint(), wire::encode(wire::make_header(wire::msg_type::stats)), 5000));
}

TEST(gateway, needs_a_secret) {
  EXPECT_THROW(gateway(client_opts(""), [](inbound_ptr) {}), error);
}

}  // namespace
}  // namespace shoal
