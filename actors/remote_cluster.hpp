#pragma once
/// The driver's side of a cluster: connects to the head, learns the nodes and their actors,
/// attaches every node (each gets the global actor table), watches them with heartbeats,
/// and stands a remote_proxy in for every remote worker, so the scheduler sees a list of
/// workers exactly as in the embedded cluster.
#include <memory>
#include <string>
#include <vector>

#include <caf/all.hpp>

#include "actors/cluster_protocol.hpp"
#include "actors/gateway.hpp"

namespace shoal {

class membership_link;  // actors/remote_membership.hpp

struct remote_cluster {
  std::shared_ptr<gateway> gw;
  std::vector<node_desc> nodes;
  std::vector<caf::actor> workers;  ///< proxies, by global index (every node's GPUs, then CPUs)
  std::vector<actor_info> infos;    ///< the same order
  std::uint64_t session = 0;
  attach_req req;  ///< the attach every node got (a node that joins later gets it grown)
  /// Node-level elasticity (actors/remote_membership.hpp): the gateway reports dead nodes
  /// through `link`; `membership` follows joins and drains once the scheduler runs.
  std::shared_ptr<membership_link> link;
  caf::actor membership;
  /// Stops the gateway first: its pending calls hold proxy handles, and an actor system
  /// waits for every detached actor whose handle is still held.
  /// Tells the nodes that the driver leaves (they drop its shards), then closes.
  ~remote_cluster();
  remote_cluster() = default;
  remote_cluster(remote_cluster&&) = default;
  remote_cluster& operator=(remote_cluster&&) = default;
};

struct connect_options {
  std::string address;  ///< the head's HOST:PORT
  int heartbeat_ms = 1000;
  int heartbeat_timeout_ms = 5000;
  int connect_timeout_ms = 10000;
  std::string secret;
};

/// Heartbeat settings from $SHOAL_HEARTBEAT_MS / $SHOAL_HEARTBEAT_TIMEOUT_MS (or defaults).
void heartbeat_from_env(int& interval_ms, int& timeout_ms);

/// Connects; throws shoal::error(runtime_error) with the reason (no head there, refused).
remote_cluster connect_cluster(caf::actor_system& sys, const connect_options& opts);

/// The head's member list with each node's current actor statistics (for `shoal status`).
std::vector<node_desc> cluster_status(const connect_options& opts);

}  // namespace shoal
