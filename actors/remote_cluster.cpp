#include "actors/remote_cluster.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include <unistd.h>

#include "actors/node_actor.hpp"
#include "actors/remote_membership.hpp"
#include "actors/remote_proxy.hpp"
#include "actors/wire_codec.hpp"

namespace shoal {
namespace {

using wire::msg_type;

int env_ms(const char* name, int fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  try {
    int x = std::stoi(v);
    if (x > 0) return x;
  } catch (...) {
  }
  throw_error(errc::value_error, std::string("shoal: ") + name + " must be a positive integer, got '" + v + "'");
}


template <class T>
T decode_or_throw(const inbound_ptr& in, msg_type expected, const std::string& what) {
  T out{};
  if (wire::type_of(in->msg) != expected) throw_error(errc::runtime_error, "shoal: unexpected answer to " + what);
  if (auto e = wire::decode(in->msg, out))
    throw_error(errc::runtime_error, "shoal: bad answer to " + what + ": " + e.message);
  return out;
}

std::shared_ptr<gateway> driver_gateway(const connect_options& o, const std::string& identity = {},
                                        std::shared_ptr<membership_link> link = nullptr) {
  gateway_options go;
  go.heartbeat_ms = o.heartbeat_ms;
  go.heartbeat_timeout_ms = o.heartbeat_timeout_ms;
  go.secret = o.secret;
  go.identity = identity;  // the driver's pings name its session: the nodes keep it while they come
  if (link)  // a node that dies is recovered; only the head's death ends the job (watch fatal)
    go.on_peer_dead = [link](const std::string& ep, const error_info& why) { link->peer_dead(ep, why); };
  // A driver binds nothing: every reply comes back on its own DEALERs.
  return std::make_shared<gateway>(go, [](inbound_ptr in) {
    std::fprintf(stderr, "shoal: ignored an unexpected message (type %d) from %s\n",
                 static_cast<int>(in->msg.header.type), in->peer.c_str());
  });
}

std::vector<node_desc> members(gateway& gw, const connect_options& o) {
  const std::string head = peer_endpoint(o.address);
  auto in = call_and_wait(gw, head, wire::encode(wire::make_header(msg_type::members)), o.connect_timeout_ms);
  return decode_or_throw<std::vector<node_desc>>(in, msg_type::members_reply, "members");
}

/// A random, non-zero session id (two drivers on one machine must not collide).
std::uint64_t new_session_id() {
  std::random_device rd;
  std::uint64_t id = 0;
  while (id == 0) id = (static_cast<std::uint64_t>(rd()) << 32) ^ rd() ^ static_cast<std::uint64_t>(::getpid());
  return id;
}

}  // namespace

void heartbeat_from_env(int& interval_ms, int& timeout_ms) {
  interval_ms = env_ms("SHOAL_HEARTBEAT_MS", interval_ms);
  timeout_ms = env_ms("SHOAL_HEARTBEAT_TIMEOUT_MS", timeout_ms);
  // A timeout within one ping interval declares every live peer dead between two pings.
  if (timeout_ms <= interval_ms)
    throw_error(errc::value_error, "shoal: SHOAL_HEARTBEAT_TIMEOUT_MS (" + std::to_string(timeout_ms) +
                                       " ms) must be longer than the ping interval SHOAL_HEARTBEAT_MS (" +
                                       std::to_string(interval_ms) + " ms)");
}

remote_cluster connect_cluster(caf::actor_system& sys, const connect_options& o) {
  remote_cluster c;
  // A session per driver: several drivers share the nodes, each with its own workers there.
  attach_req req;
  req.session = new_session_id();
  req.driver = default_node_name();
  req.ping_source = "driver/" + std::to_string(req.session);
  req.heartbeat_timeout_ms = o.heartbeat_timeout_ms;
  c.link = std::make_shared<membership_link>();
  c.gw = driver_gateway(o, req.ping_source, c.link);
  c.nodes = members(*c.gw, o);
  // Global numbering: node by node, each node's actors in its own order.
  for (auto& n : c.nodes)
    for (std::size_t k = 0; k < n.actors.size(); ++k) {
      req.table.push_back({n.endpoint, static_cast<std::int32_t>(k)});
      c.infos.push_back(n.actors[k]);
    }
  if (req.table.empty()) throw_error(errc::runtime_error, "shoal: the cluster at " + o.address + " has no actors");
  c.session = req.session;  // from here on, leaving (or failing to attach) detaches
  for (auto& n : c.nodes) {
    auto in = call_and_wait(*c.gw, n.endpoint, wire::encode(wire::make_header(msg_type::attach), req), o.connect_timeout_ms);
    auto infos = decode_or_throw<std::vector<actor_info>>(in, msg_type::attach_reply, "attach");
    if (infos.size() != n.actors.size())
      throw_error(errc::runtime_error, "shoal: node " + n.name + " changed its actors while the driver attached");
    c.gw->watch(n.endpoint, &n == &c.nodes.front());  // the head lists itself first
  }
  c.req = req;
  for (std::size_t g = 0; g < req.table.size(); ++g)
    c.workers.push_back(spawn_remote_proxy(
        sys, c.gw, {req.table[g].endpoint, static_cast<int>(g), c.infos[g].name + "@" + c.infos[g].node, c.session}));
  return c;
}

remote_cluster::~remote_cluster() {
  if (!gw) return;
  if (membership) caf::anon_send_exit(membership, caf::exit_reason::user_shutdown);
  if (link) link->stop_listening();
  if (session != 0 && !gw->broken()) {
    // The nodes attached now: joined ones too, not those that left or died.
    for (auto& n : link ? link->live() : nodes) {
      try {  // best effort: a node that does not answer soon drops the session when our pings stop
        call_and_wait(*gw, n.endpoint, wire::encode(wire::make_header(msg_type::detach), session), 1000);
      } catch (const error&) {
      }
    }
  }
  gw->close();
}

std::vector<node_desc> cluster_status(const connect_options& o) {
  auto gw = driver_gateway(o);
  auto nodes = members(*gw, o);
  for (auto& n : nodes) {
    try {
      auto in = call_and_wait(*gw, n.endpoint, wire::encode(wire::make_header(msg_type::stats)), o.connect_timeout_ms);
      n.actors = decode_or_throw<std::vector<actor_info>>(in, msg_type::stats_reply, "stats");
      in = call_and_wait(*gw, n.endpoint, wire::encode(wire::make_header(msg_type::sessions)), o.connect_timeout_ms);
      n.drivers = decode_or_throw<std::vector<session_info>>(in, msg_type::sessions_reply, "sessions");
    } catch (const error& e) {
      for (auto& a : n.actors) a.kind += " (unreachable)";
    }
  }
  return nodes;
}

}  // namespace shoal
