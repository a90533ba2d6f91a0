// node_membership over a real gateway on loopback: the head's book (drain requests, driver
// reports, nodes that die, `shoal status`'s view) and a node's extend/release of a driver
// session. Every wait is bounded (call_and_wait's timeout).
#include "actors/node_membership.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "actors/messages.hpp"
#include "actors/wire_codec.hpp"

namespace shoal {
namespace {

const std::string secret(64, 'm');
constexpr int wait_ms = 5000;

node_desc node(const std::string& name, const std::string& endpoint, int actors = 1) {
  node_desc d;
  d.name = name;
  d.endpoint = endpoint;
  for (int k = 0; k < actors; ++k) d.actors.push_back({"cpu" + std::to_string(k), "cpu", name});
  return d;
}

/// A node's gateway whose messages go to a node_membership (on the gateway's thread, as in
/// cluster_node.cpp), with a driver_sessions of dummy workers.
struct fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  std::unique_ptr<gateway> gw;
  std::unique_ptr<driver_sessions> sessions;
  std::vector<node_desc> members;
  node_membership book;
  bool is_head = true;
  std::atomic<int> proxies{0};
  std::atomic<bool> left{false};
  std::atomic<bool> ready{false};

  fixture() {
    gateway_options o;
    o.bind = "127.0.0.1:0";
    o.secret = secret;
    gw = std::make_unique<gateway>(o, [this](inbound_ptr in) {
      while (!ready) std::this_thread::yield();  // the constructor finishes first
      membership_env env{*gw, is_head, node("head", gw->endpoint()), members, *sessions,
                         [this](const std::string&, int, std::uint64_t) {
                           ++proxies;
                           return sys.spawn([]() -> caf::behavior { return {[](int) {}}; });
                         },
                         [this] { left = true; }};
      EXPECT_TRUE(book.handle(env, in)) << "type " << in->msg.header.type;
    });
    auto dummy = [this](int local, int global) {
      session_worker w;
      w.local = local;
      w.info = {"cpu" + std::to_string(local), "cpu", "head"};
      w.handle = sys.spawn([]() -> caf::behavior { return {[](peers_atom, std::vector<caf::actor>&) {}}; });
      (void)global;
      return w;
    };
    sessions = std::make_unique<driver_sessions>(gw->endpoint(), dummy,
                                                 [this](const std::string&, int, std::uint64_t) {
                                                   return sys.spawn([]() -> caf::behavior { return {[](int) {}}; });
                                                 });
    ready = true;
  }
  ~fixture() {
    gw->close();
    sessions.reset();
  }

  /// A session of one local actor (the fixture's node is actor 0).
  void attach(std::uint64_t id) {
    attach_req r;
    r.session = id;
    r.table = {{gw->endpoint(), 0}};
    sessions->attach(r, 1);
  }
};

struct client {
  gateway gw;
  client() : gw(opts(), [](inbound_ptr) {}) {}
  static gateway_options opts() {
    gateway_options o;
    o.secret = secret;
    return o;
  }
  template <class T, class... Ts>
  T ask(fixture& f, wire::msg_type t, wire::msg_type expected, Ts... payload) {
    auto in = call_and_wait(gw, f.gw->endpoint(), wire::encode(wire::make_header(t), payload...), wait_ms);
    EXPECT_EQ(wire::type_of(in->msg), expected);
    T out{};
    EXPECT_FALSE(wire::decode(in->msg, out));
    return out;
  }
  void ok(fixture& f, wire::msg_type t, auto... payload) {
    auto in = call_and_wait(gw, f.gw->endpoint(), wire::encode(wire::make_header(t), payload...), wait_ms);
    EXPECT_EQ(wire::type_of(in->msg), wire::msg_type::ok);
  }
  /// The `failed` answer's message (call_and_wait throws it).
  std::string refused(fixture& f, wire::msg_type t, auto... payload) {
    try {
      call_and_wait(gw, f.gw->endpoint(), wire::encode(wire::make_header(t), payload...), wait_ms);
    } catch (const error& e) {
      return e.what();
    }
    ADD_FAILURE() << "not refused";
    return {};
  }
  cluster_view view(fixture& f) { return ask<cluster_view>(f, wire::msg_type::view, wire::msg_type::view_reply); }
};

const node_view* find(const std::vector<node_view>& v, const std::string& name) {
  for (auto& n : v)
    if (n.desc.name == name) return &n;
  return nullptr;
}

TEST(node_membership, view_lists_the_head_first_and_every_member_active) {
  fixture f;
  f.members = {node("a", "tcp://127.0.0.1:1"), node("b", "tcp://127.0.0.1:2", 2)};
  client c;
  auto v = c.view(f);
  ASSERT_EQ(v.nodes.size(), 3u);
  EXPECT_EQ(v.nodes[0].desc.name, "head");
  for (auto& n : v.nodes) EXPECT_EQ(n.state, "active");
  EXPECT_EQ(v.nodes[2].desc.actors.size(), 2u);
  EXPECT_TRUE(v.gone.empty());
  EXPECT_FALSE(v.driver);
}

TEST(node_membership, bad_drains_are_refused_with_the_reason) {
  fixture f;
  f.members = {node("a", "tcp://127.0.0.1:1")};
  client c;
  std::string head = f.gw->endpoint(), nowhere = "tcp://127.0.0.1:9";
  EXPECT_NE(c.refused(f, wire::msg_type::drain_node, head).find("head cannot be drained"), std::string::npos);
  EXPECT_NE(c.refused(f, wire::msg_type::drain_node, nowhere).find("no node at tcp://127.0.0.1:9"), std::string::npos);
  f.is_head = false;
  std::string a = "tcp://127.0.0.1:1";
  EXPECT_NE(c.refused(f, wire::msg_type::drain_node, a).find("not the head"), std::string::npos);
}

TEST(node_membership, without_a_driver_a_drained_node_leaves_at_once) {
  fixture f;
  f.members = {node("a", "tcp://127.0.0.1:1")};
  client c;
  std::string a = "tcp://127.0.0.1:1";
  EXPECT_FALSE(c.ask<bool>(f, wire::msg_type::drain_node, wire::msg_type::drain_reply, a));
  auto v = c.view(f);
  EXPECT_EQ(v.nodes.size(), 1u);
  ASSERT_EQ(v.gone.size(), 1u);
  EXPECT_EQ(v.gone[0].state, "left");
}

TEST(node_membership, a_drain_holds_until_the_driver_finishes_or_refuses_it) {
  fixture f;
  f.attach(7);
  f.members = {node("a", "tcp://127.0.0.1:1"), node("b", "tcp://127.0.0.1:2")};
  client c;
  std::string a = "tcp://127.0.0.1:1", b = "tcp://127.0.0.1:2";
  EXPECT_TRUE(c.ask<bool>(f, wire::msg_type::drain_node, wire::msg_type::drain_reply, a));
  EXPECT_EQ(find(c.view(f).nodes, "a")->state, "draining");
  // A driver that has not seen the drain yet reports "active": the drain stays.
  membership_report r;
  r.session = 7;
  r.states = {{a, "active", ""}, {b, "joining", ""}};
  r.migration.moves_total = 4;
  r.migration.bytes_total = 4096;
  r.migration.bytes_done = 1024;
  r.migration.active = true;
  c.ok(f, wire::msg_type::membership, r);
  auto v = c.view(f);
  EXPECT_EQ(find(v.nodes, "a")->state, "draining");
  EXPECT_EQ(find(v.nodes, "b")->state, "joining");
  EXPECT_EQ(v.migration.bytes_done, 1024);
  EXPECT_TRUE(v.driver);
  // Refused (the last placed actors): active again, with the reason.
  r.states = {{a, "active", "cannot drain: last"}};
  c.ok(f, wire::msg_type::membership, r);
  EXPECT_EQ(find(c.view(f).nodes, "a")->note, "cannot drain: last");
  // Drained and released: gone, as "left".
  EXPECT_TRUE(c.ask<bool>(f, wire::msg_type::drain_node, wire::msg_type::drain_reply, a));
  r.states = {{a, "left", ""}};
  c.ok(f, wire::msg_type::membership, r);
  v = c.view(f);
  EXPECT_EQ(find(v.nodes, "a"), nullptr);
  ASSERT_NE(find(v.gone, "a"), nullptr);
  EXPECT_EQ(find(v.gone, "a")->state, "left");
  // A node still draining when its last driver leaves holds nothing: the head lets it go.
  EXPECT_TRUE(c.ask<bool>(f, wire::msg_type::drain_node, wire::msg_type::drain_reply, b));
  f.sessions->detach(7);  // nothing is in flight: the gateway's thread is idle
  v = c.view(f);
  ASSERT_NE(find(v.gone, "b"), nullptr);
  EXPECT_EQ(find(v.gone, "b")->state, "left");
  EXPECT_TRUE(v.nodes.size() == 1u && !v.driver);
}

TEST(node_membership, a_member_that_stops_answering_is_listed_dead) {
  fixture f;
  f.members = {node("a", "tcp://127.0.0.1:1")};
  f.book.member_down(f.members, "tcp://127.0.0.1:1");
  f.members.clear();  // what cluster_node does next
  f.book.member_down(f.members, "tcp://127.0.0.1:1");  // reported twice: listed once
  client c;
  auto v = c.view(f);
  ASSERT_EQ(v.gone.size(), 1u);
  EXPECT_EQ(v.gone[0].state, "dead");
  EXPECT_NE(v.gone[0].note.find("stopped answering"), std::string::npos);
}

TEST(node_membership, extend_grows_a_session_and_release_lets_the_node_go) {
  fixture f;
  f.is_head = false;
  f.attach(9);
  client c;
  std::uint64_t sid = 9, other = 8;
  std::vector<actor_slot> table{{f.gw->endpoint(), 0}, {"tcp://127.0.0.1:1", 0}, {"tcp://127.0.0.1:1", 1}};
  c.ok(f, wire::msg_type::extend, sid, table);
  EXPECT_EQ(f.proxies.load(), 2);
  c.ok(f, wire::msg_type::extend, sid, table);  // repeated: nothing new
  EXPECT_EQ(f.proxies.load(), 2);
  EXPECT_NE(c.refused(f, wire::msg_type::extend, other, table).find("not attached"), std::string::npos);
  std::vector<actor_slot> shorter{{f.gw->endpoint(), 0}};
  EXPECT_NE(c.refused(f, wire::msg_type::extend, sid, shorter).find("shrink"), std::string::npos);
  auto own = table;
  own.push_back({f.gw->endpoint(), 1});
  EXPECT_NE(c.refused(f, wire::msg_type::extend, sid, own).find("own actor"), std::string::npos);
  EXPECT_NE(c.refused(f, wire::msg_type::release, other).find("not attached"), std::string::npos);
  EXPECT_FALSE(f.left);
  EXPECT_TRUE(c.ask<bool>(f, wire::msg_type::release, wire::msg_type::drain_reply, sid));
  EXPECT_TRUE(f.left);
  EXPECT_EQ(f.sessions->size(), 0u);
}

}  // namespace
}  // namespace shoal
