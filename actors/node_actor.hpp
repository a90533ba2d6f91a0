#pragma once
/// node_actor: one per process. Knows the node's name and its local actors; membership,
/// heartbeats and the transport gateway join it with the cluster issue.
///
/// Interface:
///   (stats_atom) -> std::string   the node's name
#include <string>
#include <vector>

#include <caf/all.hpp>

namespace shoal {

caf::actor spawn_node_actor(caf::actor_system& sys, std::string name, std::vector<caf::actor> local);

/// "host:pid", the default name of this process's node.
std::string default_node_name();

}  // namespace shoal
