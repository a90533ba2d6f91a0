#pragma once
/// node_membership: a node's half of node-level elasticity (actors/membership_protocol.hpp).
/// On the head it keeps the book of node states (draining, left, dead), the nodes that went
/// and the migration progress the driver reports, and answers `shoal drain` and `shoal
/// status`; on every node it grows a driver session's table when a node joins (extend) and
/// lets the node go once the driver drained it (release).
///
/// Not an actor: the node's gateway actor (actors/cluster_node.cpp) owns one and calls it on
/// its own thread only.
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <caf/all.hpp>

#include "actors/driver_sessions.hpp"
#include "actors/gateway.hpp"
#include "actors/membership_protocol.hpp"

namespace shoal {

/// What the node lends node_membership for one message.
struct membership_env {
  gateway& gw;
  bool is_head = false;
  node_desc self;                   ///< this node (the head lists itself first)
  std::vector<node_desc>& members;  ///< head: the other nodes
  driver_sessions& sessions;
  /// A proxy for global actor `global` of `session`, living on the node at `endpoint`.
  std::function<caf::actor(const std::string& endpoint, int global, std::uint64_t session)> spawn_proxy;
  /// The node holds nothing any driver needs: it should exit (run_node returns).
  std::function<void()> leave;
};

class node_membership {
 public:
  /// Handles drain_node, membership, view, extend and release; false for any other type.
  bool handle(membership_env& env, const inbound_ptr& in);
  /// Head: the member at `endpoint` stopped answering (call before it leaves `members`).
  void member_down(const std::vector<node_desc>& members, const std::string& endpoint);

 private:
  void drain_node(membership_env& env, const inbound& in);
  void report(membership_env& env, const inbound& in);
  void view(membership_env& env, const inbound& in);
  void extend(membership_env& env, const inbound& in);
  void release(membership_env& env, const inbound& in);
  void gone(node_desc d, std::string state, std::string note);
  /// Tells the node to go (no driver needs it) and lists it as left.
  void release_now(membership_env& env, const std::string& endpoint, const std::string& why);

  std::map<std::string, node_state_wire> states_;  ///< endpoint -> state (head)
  std::deque<node_view> gone_;                     ///< the last nodes that left or died (head)
  migration_wire migration_;                       ///< as the driver last reported it (head)
};

}  // namespace shoal
