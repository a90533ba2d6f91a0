#pragma once
/// The runtime's insides, shared by runtime.cpp and the client.
#include <memory>
#include <vector>

#include <caf/all.hpp>

#include "actors/client.hpp"
#include "actors/runtime.hpp"

namespace shoal {

struct runtime::impl {
  runtime_options opts;  ///< resolved (no zeros left)
  std::unique_ptr<caf::actor_system_config> cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::vector<caf::actor> workers;
  caf::actor scheduler;
  caf::actor node;
  std::string node_name;
  std::shared_ptr<client::core> conn;
  std::shared_ptr<void> remote;  ///< the cluster connection (remote_cluster) when opts.address is set
};

/// Connects the runtime to the cluster at m.opts.address: m.workers become proxies of the
/// nodes' actors, pc.place_on their GPU actors (or all when there are none) (runtime_remote.cpp).
struct planner_config;
void attach_remote(runtime::impl& m, planner_config& pc);
/// Once the scheduler runs: follow the cluster's membership (nodes join, drain, die) under the
/// running job (runtime_membership.cpp, actors/remote_membership.hpp).
void start_membership(runtime::impl& m);

}  // namespace shoal
