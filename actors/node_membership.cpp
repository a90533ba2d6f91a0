#include "actors/node_membership.hpp"

#include <algorithm>
#include <cstdio>

#include "actors/messages.hpp"
#include "actors/wire_codec.hpp"

namespace shoal {
namespace {

using wire::msg_type;

constexpr std::size_t keep_gone = 16;  // `shoal status` lists this many departed nodes

/// Answers `in` (when its sender waits for an answer) with type `t` and `payload`.
template <class... Ts>
void answer(gateway& gw, const inbound& in, msg_type t, Ts&... payload) {
  if (in.route.empty() || in.msg.header.sequence == 0) return;
  auto m = wire::encode(wire::make_header(t, in.msg.header.destination, in.msg.header.sequence), payload...);
  m.h.source = gw.endpoint();
  gw.reply(in.route, std::move(m));
}

void refuse(gateway& gw, const inbound& in, const std::string& why) {
  std::fprintf(stderr, "shoal-node: %s\n", why.c_str());
  error_info e{errc::runtime_error, "shoal: " + why};
  answer(gw, in, msg_type::failed, e);
}

}  // namespace

bool node_membership::handle(membership_env& env, const inbound_ptr& in) {
  switch (wire::type_of(in->msg)) {
    case msg_type::drain_node:
      return drain_node(env, *in), true;
    case msg_type::membership:
      return report(env, *in), true;
    case msg_type::view:
      return view(env, *in), true;
    case msg_type::extend:
      return extend(env, *in), true;
    case msg_type::release:
      return release(env, *in), true;
    default:
      return false;
  }
}

void node_membership::gone(node_desc d, std::string state, std::string note) {
  states_.erase(d.endpoint);
  gone_.push_front({std::move(d), std::move(state), std::move(note)});
  if (gone_.size() > keep_gone) gone_.pop_back();
}

void node_membership::member_down(const std::vector<node_desc>& members, const std::string& endpoint) {
  auto it = std::find_if(members.begin(), members.end(), [&](const node_desc& m) { return m.endpoint == endpoint; });
  if (it == members.end()) return;
  const auto s = states_.find(endpoint);
  // A node that was draining when it went quiet did not finish: it died like any other.
  gone(*it, "dead", s != states_.end() && s->second.state == "draining" ? "stopped answering while draining"
                                                                         : "stopped answering heartbeats");
}

void node_membership::drain_node(membership_env& env, const inbound& in) {
  std::string endpoint;
  if (auto e = wire::decode(in.msg, endpoint)) return refuse(env.gw, in, "bad drain_node: " + e.message);
  if (!env.is_head) return refuse(env.gw, in, "drain asked of a node that is not the head");
  if (endpoint == env.self.endpoint)
    return refuse(env.gw, in, "the head cannot be drained: it keeps the cluster's member list (stop the whole "
                              "cluster with `shoal stop`)");
  auto it = std::find_if(env.members.begin(), env.members.end(), [&](const node_desc& m) { return m.endpoint == endpoint; });
  if (it == env.members.end()) return refuse(env.gw, in, "no node at " + endpoint + " in this cluster");
  bool attached = env.sessions.size() > 0;  // every driver attaches to every node, the head too
  if (!attached) {
    release_now(env, endpoint, "drained with no driver attached");  // nothing to move
  } else {
    std::fprintf(stderr, "shoal-node: %s drains (%zu driver(s) move its shards off)\n", it->name.c_str(),
                 env.sessions.size());
    states_[endpoint] = {endpoint, "draining", ""};
  }
  answer(env.gw, in, msg_type::drain_reply, attached);
}

void node_membership::release_now(membership_env& env, const std::string& endpoint, const std::string& why) {
  auto it = std::find_if(env.members.begin(), env.members.end(), [&](const node_desc& m) { return m.endpoint == endpoint; });
  if (it == env.members.end()) return;
  std::fprintf(stderr, "shoal-node: %s leaves (%s)\n", it->name.c_str(), why.c_str());
  std::uint64_t no_session = 0;
  env.gw.call(endpoint, wire::encode(wire::make_header(msg_type::release), no_session), [](inbound_ptr, error_info) {});
  gone(*it, "left", why);
  env.members.erase(it);
}

void node_membership::report(membership_env& env, const inbound& in) {
  membership_report r;
  if (auto e = wire::decode(in.msg, r)) return refuse(env.gw, in, "bad membership report: " + e.message);
  migration_ = r.migration;
  for (auto& s : r.states) {
    auto it = std::find_if(env.members.begin(), env.members.end(), [&](const node_desc& m) { return m.endpoint == s.endpoint; });
    if (it == env.members.end()) continue;  // the head itself, or gone already
    auto& mine = states_[s.endpoint];
    if (s.state == "left") {
      gone(*it, "left", s.note);
      env.members.erase(it);
      continue;
    }
    // A drain the CLI asked for holds until the driver finishes it or refuses it (a second
    // driver that has not seen it yet still reports the node "active").
    if (mine.state == "draining" && s.state != "draining" && s.note.empty()) continue;
    mine = s;
  }
  answer(env.gw, in, msg_type::ok);
}

void node_membership::view(membership_env& env, const inbound& in) {
  if (env.sessions.size() == 0) {
    // Draining nodes whose drivers all left hold nothing any more: they may go.
    std::vector<std::string> idle;
    for (auto& [ep, s] : states_)
      if (s.state == "draining") idle.push_back(ep);
    for (auto& ep : idle) release_now(env, ep, "its drivers left while it drained");
  }
  cluster_view v;
  v.nodes.push_back({env.self, "active", ""});
  for (auto& m : env.members) {
    node_view nv{m, "active", ""};
    if (auto s = states_.find(m.endpoint); s != states_.end() && !s->second.state.empty()) {
      nv.state = s->second.state;
      nv.note = s->second.note;
    }
    v.nodes.push_back(std::move(nv));
  }
  v.gone.assign(gone_.begin(), gone_.end());
  v.migration = migration_;
  v.driver = env.sessions.size() > 0;
  answer(env.gw, in, msg_type::view_reply, v);
}

void node_membership::extend(membership_env& env, const inbound& in) {
  std::uint64_t sid = 0;
  std::vector<actor_slot> table;
  if (auto e = wire::decode(in.msg, sid, table)) return refuse(env.gw, in, "bad extend: " + e.message);
  auto* s = env.sessions.find(sid);
  if (!s) return refuse(env.gw, in, "extend for driver session " + std::to_string(sid) + ", which is not attached here");
  if (table.size() < s->table.size())
    return refuse(env.gw, in, "extend would shrink the table of session " + std::to_string(sid));
  for (std::size_t g = s->table.size(); g < table.size(); ++g) {
    if (table[g].endpoint == env.self.endpoint)
      return refuse(env.gw, in, "extend names this node's own actor " + std::to_string(g) + " (that is an attach)");
  }
  // Proxies for the new indices, then every local worker learns the grown table: all of
  // this before the driver's scheduler hears of the new actors, so no task names an index
  // a worker cannot reach.
  for (std::size_t g = s->table.size(); g < table.size(); ++g) {
    s->table.push_back(env.spawn_proxy(table[g].endpoint, static_cast<int>(g), sid));
    s->is_local.push_back(false);
  }
  for (auto& w : s->locals) caf::anon_send(w.handle, peers_atom::value, s->table);
  answer(env.gw, in, msg_type::ok);
}

void node_membership::release(membership_env& env, const inbound& in) {
  std::uint64_t sid = 0;
  if (auto e = wire::decode(in.msg, sid)) return refuse(env.gw, in, "bad release: " + e.message);
  if (env.is_head) return refuse(env.gw, in, "the head cannot be released");
  if (sid != 0 && !env.sessions.detach(sid))
    return refuse(env.gw, in, "release for driver session " + std::to_string(sid) + ", which is not attached here");
  // The node goes once no driver keeps a session on it (each drains its own shards first).
  bool leaving = env.sessions.size() == 0;
  std::fprintf(stderr, "shoal-node %s: released by session %llu%s\n", env.self.name.c_str(),
               static_cast<unsigned long long>(sid), leaving ? "; leaving" : "; other drivers still attached");
  answer(env.gw, in, msg_type::drain_reply, leaving);
  if (leaving) env.leave();
}

}  // namespace shoal
