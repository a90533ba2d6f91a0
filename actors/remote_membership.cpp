#include "actors/remote_membership.hpp"

#include <cstdio>
#include <cstdlib>
#include <map>

#include "actors/elastic_protocol.hpp"
#include "actors/membership_protocol.hpp"
#include "actors/messages.hpp"
#include "actors/remote_proxy.hpp"
#include "actors/wire_codec.hpp"

namespace shoal {

// ---- membership_link

void membership_link::peer_dead(const std::string& endpoint, const error_info& why) {
  std::lock_guard<std::mutex> g(mu_);
  if (target_) caf::anon_send(target_, node_dead_atom::value, endpoint, why);
  else early_.emplace_back(endpoint, why);
}

std::vector<std::pair<std::string, error_info>> membership_link::listen(caf::actor target) {
  std::lock_guard<std::mutex> g(mu_);
  target_ = std::move(target);
  return std::exchange(early_, {});
}

void membership_link::stop_listening() {
  std::lock_guard<std::mutex> g(mu_);
  target_ = nullptr;
}

std::vector<node_desc> membership_link::live() const {
  std::lock_guard<std::mutex> g(mu_);
  return live_;
}

void membership_link::set_live(std::vector<node_desc> nodes) {
  std::lock_guard<std::mutex> g(mu_);
  live_ = std::move(nodes);
}

namespace {

using wire::msg_type;
using tick_atom = caf::atom_constant<caf::atom("mtick")>;
using viewed_atom = caf::atom_constant<caf::atom("mviewed")>;
using released_atom = caf::atom_constant<caf::atom("mreleased")>;

/// A node as the driver follows it.
struct member {
  node_desc desc;
  std::vector<int> indices;        ///< its actors' global indices
  std::string state = "active";    ///< active, joining, draining, released (ours drained,
                                   ///< other drivers still drain it), left, dead
  std::string note;
};

struct mstate {
  membership_start s;
  std::map<std::string, member> nodes;  ///< by endpoint, the head included
  std::vector<caf::actor> spawned;      ///< proxies of joined nodes (stopped with this actor)
  bool gpu_cluster = false;             ///< new shards go to GPU actors only
  bool viewing = false;                 ///< a view call is out
  bool report_due = true;
  migration_wire migration;
};

using self_ptr = caf::stateful_actor<mstate>*;

int env_tick(int fallback) {
  const char* v = std::getenv("SHOAL_MEMBERSHIP_MS");
  if (!v || !*v) return fallback;
  try {
    const int x = std::stoi(v);
    if (x > 0) return x;
  } catch (...) {
  }
  std::fprintf(stderr, "shoal: SHOAL_MEMBERSHIP_MS='%s' is not a positive integer; using %d ms\n", v, fallback);
  return fallback;
}

void publish_live(self_ptr self) {
  std::vector<node_desc> live;
  for (auto& [ep, m] : self->state.nodes)
    if (m.state != "left" && m.state != "dead" && m.state != "released") live.push_back(m.desc);
  self->state.s.link->set_live(std::move(live));
}

/// Node states and migration progress to the head (best effort: the next tick repeats it).
void send_report(self_ptr self) {
  auto& st = self->state;
  membership_report r;
  r.session = st.s.req.session;
  r.migration = st.migration;
  for (auto& [ep, m] : st.nodes)
    if (ep != st.s.head) r.states.push_back({ep, m.state == "released" ? "draining" : m.state, m.note});
  st.s.gw->call(st.s.head, wire::encode(wire::make_header(msg_type::membership), r), [](inbound_ptr, error_info) {});
  st.report_due = false;
}

/// Asks the scheduler for the migration progress while something moves, then reports.
void report(self_ptr self) {
  auto& st = self->state;
  bool moving = st.migration.active;
  for (auto& [ep, m] : st.nodes) moving = moving || m.state == "joining" || m.state == "draining";
  if (!moving) {
    if (st.report_due) send_report(self);
    return;
  }
  self->request(st.s.scheduler, std::chrono::seconds(30), stats_atom::value)
      .then(
          [self](cluster_stats& cs) {
            auto& mg = self->state.migration;
            mg = {cs.migration.active,      cs.migration.moves_total, cs.migration.moves_done,
                  cs.migration.bytes_total, cs.migration.bytes_done,  cs.migration.rebalances};
            send_report(self);
          },
          [self](caf::error&) { send_report(self); });
}

/// Sends `m` to `endpoint` and waits for `ok` (or drain_reply); throws shoal::error.
inbound_ptr call(self_ptr self, const std::string& endpoint, wire::message m) {
  return call_and_wait(*self->state.s.gw, endpoint, std::move(m), self->state.s.timeout_ms);
}

/// A node the head lists that this driver has not attached: it joins the running job.
void join(self_ptr self, const node_desc& d) {
  auto& st = self->state;
  if (d.actors.empty()) return;
  const int first = static_cast<int>(st.s.req.table.size());
  attach_req grown = st.s.req;
  for (std::size_t k = 0; k < d.actors.size(); ++k) grown.table.push_back({d.endpoint, static_cast<std::int32_t>(k)});
  std::vector<actor_info> infos;
  try {
    // Every attached node learns the grown table before anything names a new index.
    for (auto& [ep, m] : st.nodes) {
      if (m.state == "left" || m.state == "dead" || m.state == "released") continue;
      call(self, ep, wire::encode(wire::make_header(msg_type::extend), grown.session, grown.table));
    }
    auto in = call(self, d.endpoint, wire::encode(wire::make_header(msg_type::attach), grown));
    if (wire::type_of(in->msg) != msg_type::attach_reply || wire::decode(in->msg, infos) ||
        infos.size() != d.actors.size())
      throw_error(errc::runtime_error, "shoal: bad attach reply from " + d.name);
  } catch (const error& e) {
    // The tables of the other nodes may name the new indices already: harmless, nothing
    // routes to them. The head lists the node again at the next tick, and the join retries
    // from a fresh numbering only if the node answers; otherwise heartbeats drop it there.
    std::fprintf(stderr, "shoal: node %s could not join the running job: %s\n", d.name.c_str(), e.what());
    return;
  }
  st.s.req = grown;
  member m{d, {}, "joining", ""};
  st.s.gw->watch(d.endpoint, false);  // its death is reported, not fatal
  for (std::size_t k = 0; k < infos.size(); ++k) {
    const int g = first + static_cast<int>(k);
    auto name = infos[k].name + "@" + infos[k].node;
    auto proxy = spawn_remote_proxy(self->system(), st.s.gw, {d.endpoint, g, name, grown.session});
    st.s.infos.push_back(infos[k]);
    st.s.workers.push_back(proxy);
    st.spawned.push_back(proxy);
    m.indices.push_back(g);
    const bool gpu = infos[k].kind == "gpu";
    const bool place = gpu || !st.gpu_cluster;
    // In order: the scheduler numbers workers as they come, so g is what it must answer. A
    // GPU actor also grows the NCCL group: the scheduler rebuilds the communicator with the
    // new ranks through the proxies (actors/nccl_bootstrap), between ops.
    self->request(st.s.scheduler, std::chrono::seconds(60), add_worker_atom::value, proxy, place, gpu)
        .then(
            [g, name](int got) {
              if (got != g)
                std::fprintf(stderr, "shoal: the scheduler numbered %s %d, the cluster table %d\n", name.c_str(), got, g);
            },
            [name](caf::error& e) {
              std::fprintf(stderr, "shoal: the scheduler did not take %s: %s\n", name.c_str(), caf::to_string(e).c_str());
            });
  }
  std::fprintf(stderr, "shoal: node %s joined the running job (actors %d..%d); rebalancing onto it\n", d.name.c_str(),
               first, first + static_cast<int>(infos.size()) - 1);
  st.nodes[d.endpoint] = std::move(m);
  st.report_due = true;
  publish_live(self);
  const std::string ep = d.endpoint;
  self->request(st.s.scheduler, caf::infinite, settle_atom::value).then([self, ep](bool) {
    auto it = self->state.nodes.find(ep);
    if (it != self->state.nodes.end() && it->second.state == "joining") it->second.state = "active";
    self->state.report_due = true;
    report(self);
  });
}

/// `shoal drain` marked the node: every actor of it drains through the scheduler, then the
/// node is released (it exits).
void drain(self_ptr self, const std::string& ep) {
  auto& m = self->state.nodes[ep];
  m.state = "draining";
  m.note.clear();
  self->state.report_due = true;
  std::fprintf(stderr, "shoal: draining node %s (%zu actors)\n", m.desc.name.c_str(), m.indices.size());
  auto left = std::make_shared<std::size_t>(m.indices.size());
  auto refused = std::make_shared<bool>(false);
  auto finish = [self, ep, refused] {
    auto& st = self->state;
    auto& n = st.nodes[ep];
    if (n.state != "draining") return;  // it died meanwhile
    if (*refused) {
      n.state = "active";
      n.note = "cannot drain: it holds the last actors new shards can go to";
      std::fprintf(stderr, "shoal: node %s %s\n", n.desc.name.c_str(), n.note.c_str());
      st.report_due = true;
      return report(self);
    }
    const auto sid = st.s.req.session;
    caf::actor me = caf::actor_cast<caf::actor>(self);
    st.s.gw->call(ep, wire::encode(wire::make_header(msg_type::release), sid),
                  [me, ep](inbound_ptr in, error_info e) { caf::anon_send(me, released_atom::value, ep, in, e); });
  };
  if (*left == 0) return finish();
  for (int a : m.indices) {
    self->request(self->state.s.scheduler, caf::infinite, drain_atom::value, a, m.desc.name)
        .then(
            [left, refused, finish](bool ok) {
              *refused = *refused || !ok;
              if (--*left == 0) finish();
            },
            [left, refused, finish](caf::error&) {
              *refused = true;
              if (--*left == 0) finish();
            });
  }
}

/// Heartbeats declared the node dead: nothing routes to it any more, and the scheduler
/// rebuilds what its actors held.
void dead(self_ptr self, const std::string& ep, const error_info& why) {
  auto& st = self->state;
  auto it = st.nodes.find(ep);
  const auto& was = it == st.nodes.end() ? std::string("left") : it->second.state;
  if (was == "left" || was == "dead" || was == "released") return;  // nothing of ours was there
  auto& m = it->second;
  m.state = "dead";
  m.note = why.message;
  std::fprintf(stderr, "shoal: node %s is dead (%s); recovering its %zu actors' shards from lineage\n",
               m.desc.name.c_str(), why.message.c_str(), m.indices.size());
  for (int a : m.indices) {
    const auto i = static_cast<std::size_t>(a);
    caf::anon_send(st.s.workers[i], node_gone_atom::value, why, st.s.infos[i]);
    caf::anon_send(st.s.scheduler, actor_lost_atom::value, a, why.message);
  }
  st.report_due = true;
  publish_live(self);
  report(self);
}

void on_view(self_ptr self, const cluster_view& v) {
  auto& st = self->state;
  for (auto& n : v.nodes) {
    auto it = st.nodes.find(n.desc.endpoint);
    if (it == st.nodes.end()) {
      if (n.state != "draining") join(self, n.desc);  // "joining" when another driver reported it
      continue;
    }
    auto& m = it->second;
    if (n.state == "draining" && (m.state == "active" || m.state == "joining")) drain(self, n.desc.endpoint);
  }
  report(self);
}

caf::behavior membership_fn(self_ptr self, membership_start s) {
  auto& st = self->state;
  st.s = std::move(s);
  st.s.tick_ms = env_tick(st.s.tick_ms);
  for (const auto& i : st.s.infos) st.gpu_cluster = st.gpu_cluster || i.kind == "gpu";
  int g = 0;
  for (const auto& d : st.s.nodes) {
    member m{d, {}, "active", ""};
    for (std::size_t k = 0; k < d.actors.size(); ++k) m.indices.push_back(g++);
    st.nodes[d.endpoint] = std::move(m);
  }
  publish_live(self);
  self->set_exit_handler([self](caf::exit_msg& m) {
    self->state.s.link->stop_listening();
    for (auto& p : self->state.spawned) self->send_exit(p, m.reason);
    self->quit(m.reason);
  });
  for (auto& [ep, why] : st.s.link->listen(caf::actor_cast<caf::actor>(self)))
    self->send(self, node_dead_atom::value, ep, why);
  self->send(self, tick_atom::value);
  return {
      [=](tick_atom) {
        auto& st = self->state;
        if (!st.viewing && !st.s.gw->broken()) {
          st.viewing = true;
          caf::actor me = caf::actor_cast<caf::actor>(self);
          st.s.gw->call(st.s.head, wire::encode(wire::make_header(msg_type::view)),
                        [me](inbound_ptr in, error_info e) { caf::anon_send(me, viewed_atom::value, in, e); });
        }
        self->delayed_send(self, std::chrono::milliseconds(st.s.tick_ms), tick_atom::value);
      },
      [=](viewed_atom, inbound_ptr& in, error_info& e) {
        self->state.viewing = false;
        cluster_view v;
        if (e || wire::type_of(in->msg) != msg_type::view_reply || wire::decode(in->msg, v)) return;
        on_view(self, v);
      },
      [=](node_dead_atom, std::string& ep, error_info& why) { dead(self, ep, why); },
      [=](released_atom, std::string& ep, inbound_ptr& in, error_info& e) {
        auto& st = self->state;
        auto& m = st.nodes[ep];
        if (m.state != "draining") return;
        bool leaving = true;
        if (e || wire::type_of(in->msg) != msg_type::drain_reply || wire::decode(in->msg, leaving)) {
          // It holds nothing of ours any more; if it did not hear the release it will be
          // reported dead by heartbeats later, which changes nothing (no shard is on it).
          std::fprintf(stderr, "shoal: node %s drained, but the release failed: %s\n", m.desc.name.c_str(),
                       e ? e.message.c_str() : "unexpected reply");
          leaving = true;
        }
        // Other drivers still attached there drain their own sessions: until the last one
        // released it, the head must keep the node "draining" (see send_report).
        m.state = leaving ? "left" : "released";
        std::fprintf(stderr, "shoal: node %s drained and released%s\n", m.desc.name.c_str(),
                     leaving ? "" : " (other drivers still drain it)");
        const error_info why{errc::runtime_error, "shoal: node " + m.desc.name + " was drained and left the cluster"};
        for (int a : m.indices) {
          const auto i = static_cast<std::size_t>(a);
          caf::anon_send(st.s.workers[i], node_gone_atom::value, why, st.s.infos[i]);
        }
        st.report_due = true;
        publish_live(self);
        report(self);
      },
  };
}

}  // namespace

caf::actor spawn_membership(caf::actor_system& sys, membership_start start) {
  return sys.spawn<caf::detached>(membership_fn, std::move(start));
}

}  // namespace shoal

namespace shoal {
namespace {

/// A gateway that binds nothing, for one CLI request to the head.
std::shared_ptr<gateway> cli_gateway(const connect_options& o) {
  gateway_options go;
  go.heartbeat_ms = o.heartbeat_ms;
  go.heartbeat_timeout_ms = o.heartbeat_timeout_ms;
  go.secret = o.secret;
  return std::make_shared<gateway>(go, [](inbound_ptr) {});
}

template <class T>
T ask_head(const connect_options& o, wire::message m, wire::msg_type expected, const char* what) {
  auto gw = cli_gateway(o);
  auto in = call_and_wait(*gw, tcp_endpoint(o.address), std::move(m), o.connect_timeout_ms);
  T out{};
  if (wire::type_of(in->msg) != expected) throw_error(errc::runtime_error, std::string("shoal: unexpected answer to ") + what);
  if (auto e = wire::decode(in->msg, out))
    throw_error(errc::runtime_error, std::string("shoal: bad answer to ") + what + ": " + e.message);
  return out;
}

}  // namespace

cluster_view view_cluster(const connect_options& o) {
  return ask_head<cluster_view>(o, wire::encode(wire::make_header(wire::msg_type::view)), wire::msg_type::view_reply,
                                "view");
}

bool request_drain(const connect_options& o, const std::string& endpoint) {
  std::string ep = endpoint;
  return ask_head<bool>(o, wire::encode(wire::make_header(wire::msg_type::drain_node), ep), wire::msg_type::drain_reply,
                        "drain");
}

}  // namespace shoal
