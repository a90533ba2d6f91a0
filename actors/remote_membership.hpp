#pragma once
/// The driver's half of node-level elasticity: a membership actor that follows the head's
/// view of the cluster (actors/membership_protocol.hpp) while a job runs.
///
///  - A node that joins the head is attached to the driver's session at once: every
///    attached node first learns the grown table (extend), the new node gets the session
///    (attach), the driver stands proxies in for its actors (new global indices, appended),
///    and only then the scheduler hears of them (add_worker_atom: elastic_add_worker puts
///    them in placement and rebalances shards onto them between ops, bounded bytes in
///    flight). So no task names an index that a worker cannot reach.
///  - A node that `shoal drain` marks "draining" is drained through the scheduler (every
///    shard moves off over the wire); then the node is released and exits.
///  - A node whose heartbeats stop is dead: its proxies stop routing (every request fails at
///    once with the heartbeat's error) and the scheduler hears actor_lost for each of its
///    actors (lineage recovery rebuilds their shards).
///  - Every tick it reports node states and migration progress to the head (`shoal status`).
///
/// How often it looks: $SHOAL_MEMBERSHIP_MS (default: the heartbeat interval).
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <caf/all.hpp>

#include "actors/cluster_protocol.hpp"
#include "actors/gateway.hpp"
#include "actors/membership_protocol.hpp"
#include "actors/remote_cluster.hpp"

namespace shoal {

/// (node_dead_atom, std::string endpoint, error_info why): the node stopped answering; to the
/// membership actor, from the gateway.
using node_dead_atom = caf::atom_constant<caf::atom("nodedead")>;
/// (node_gone_atom, error_info why, actor_info info): to a proxy whose node died or left. It
/// stops routing and fails every request, pending or later, with `why`; stats answer `info`
/// (no shards, no bytes) at once, so runtime_info() never waits on a node that is gone.
using node_gone_atom = caf::atom_constant<caf::atom("nodegone")>;

/// Shared by the driver's gateway (which reports dead peers on its I/O thread), the
/// membership actor and remote_cluster's destructor (which detaches from the live nodes).
class membership_link {
 public:
  /// A watched node stopped answering: handed to the membership actor (kept until it runs).
  void peer_dead(const std::string& endpoint, const error_info& why);
  /// The membership actor starts listening; returns the deaths reported before it did.
  std::vector<std::pair<std::string, error_info>> listen(caf::actor target);
  void stop_listening();
  /// The nodes the driver is attached to now (joined ones included; drained and dead ones not).
  std::vector<node_desc> live() const;
  void set_live(std::vector<node_desc> nodes);

 private:
  mutable std::mutex mu_;
  caf::actor target_;
  std::vector<std::pair<std::string, error_info>> early_;
  std::vector<node_desc> live_;
};

struct membership_start {
  std::shared_ptr<gateway> gw;
  std::shared_ptr<membership_link> link;
  std::string head;               ///< the head's endpoint
  attach_req req;                 ///< the driver's attach (session, table, ...), as sent
  std::vector<actor_info> infos;  ///< by global index
  std::vector<node_desc> nodes;   ///< the nodes attached at connect (the head first)
  std::vector<caf::actor> workers;  ///< the proxies, by global index
  caf::actor scheduler;
  int tick_ms = 1000;
  int timeout_ms = 10000;  ///< for attach/extend/release calls
};

/// Spawns the membership actor (detached: its attach calls block only itself). Send it an
/// exit to stop it; it stops the proxies it spawned for joined nodes.
caf::actor spawn_membership(caf::actor_system& sys, membership_start start);

// ---- for the CLI (`shoal status`, `shoal drain`); both throw shoal::error(runtime_error)

/// The head's view: node states, nodes that left or died, migration progress.
cluster_view view_cluster(const connect_options& o);
/// Asks the head to drain the node at `endpoint`; true when a driver is attached (it moves
/// the shards, then releases the node), false when the node was released at once.
bool request_drain(const connect_options& o, const std::string& endpoint);

}  // namespace shoal
