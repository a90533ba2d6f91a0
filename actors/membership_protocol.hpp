#pragma once
/// Node-level elasticity on the wire: what the CLI, the head, the attached driver and the
/// nodes tell each other while nodes join, drain, leave and die under a running job
/// (docs/cluster.md, "Elasticity"). The message types are in actors/wire_types.hpp:
///
///   drain_node  CLI -> head     (string endpoint) -> drain_reply (bool a driver is attached)
///                               the head marks the node "draining"; with no driver attached it
///                               releases the node itself (nothing to move)
///   membership  driver -> head  (membership_report) -> ok   node states, migration progress
///   view        anyone -> head  () -> view_reply (cluster_view)   what `shoal status` prints
///   extend      driver -> node  (uint64 session, vector<actor_slot> table) -> ok
///                               the session's table grew (a node joined): proxies for the new
///                               global indices, and every local worker learns the new table
///   release     driver/head -> node (uint64 session) -> ok   the node holds nothing the
///                               driver needs: it drops the session and exits
#include <cstdint>
#include <string>
#include <vector>

#include <caf/all.hpp>

#include "actors/cluster_protocol.hpp"

namespace shoal {

/// Shard moves as the driver's scheduler reports them (runtime.hpp's migration_info, which
/// is driver-side only and has no wire encoding).
struct migration_wire {
  bool active = false;
  std::int64_t moves_total = 0, moves_done = 0;
  std::int64_t bytes_total = 0, bytes_done = 0;
  std::int64_t rebalances = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, migration_wire& x) {
  return f(caf::meta::type_name("migration_wire"), x.active, x.moves_total, x.moves_done, x.bytes_total,
           x.bytes_done, x.rebalances);
}

/// A node's membership state: "active", "joining" (shards are moving onto it), "draining",
/// "left" (drained, exited) or "dead" (heartbeats stopped). `note` says why a drain was
/// refused or how a node died.
struct node_state_wire {
  std::string endpoint;
  std::string state;
  std::string note;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, node_state_wire& x) {
  return f(caf::meta::type_name("node_state_wire"), x.endpoint, x.state, x.note);
}

/// The attached driver's periodic word to the head.
struct membership_report {
  std::uint64_t session = 0;
  std::vector<node_state_wire> states;  ///< every node the driver knows, in its state
  migration_wire migration;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, membership_report& x) {
  return f(caf::meta::type_name("membership_report"), x.session, x.states, x.migration);
}

/// One node in `shoal status`.
struct node_view {
  node_desc desc;
  std::string state = "active";
  std::string note;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, node_view& x) {
  return f(caf::meta::type_name("node_view"), x.desc, x.state, x.note);
}

/// The head's picture: live members (the head first), nodes that left or died recently,
/// and the migration progress the driver last reported.
struct cluster_view {
  std::vector<node_view> nodes;
  std::vector<node_view> gone;
  migration_wire migration;
  bool driver = false;  ///< a driver reported within the last few seconds
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cluster_view& x) {
  return f(caf::meta::type_name("cluster_view"), x.nodes, x.gone, x.migration, x.driver);
}

}  // namespace shoal
