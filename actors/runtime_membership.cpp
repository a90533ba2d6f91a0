/// A driver's runtime follows the cluster's membership (actors/remote_membership.hpp) once
/// its scheduler runs: nodes join and drain under the running job, dead ones are recovered.
#include <algorithm>

#include "actors/remote_cluster.hpp"
#include "actors/remote_membership.hpp"
#include "actors/runtime_impl.hpp"

namespace shoal {

void start_membership(runtime::impl& m) {
  auto rc = std::static_pointer_cast<remote_cluster>(m.remote);
  if (!rc || !rc->link) return;
  membership_start s;
  s.gw = rc->gw;
  s.link = rc->link;
  s.head = rc->nodes.front().endpoint;  // the head lists itself first
  s.req = rc->req;
  s.infos = rc->infos;
  s.nodes = rc->nodes;
  s.workers = m.workers;
  s.scheduler = m.scheduler;
  int interval = 1000, timeout = 5000;
  heartbeat_from_env(interval, timeout);
  s.tick_ms = interval;
  s.timeout_ms = std::max(10000, timeout);
  rc->membership = spawn_membership(*m.sys, std::move(s));
}

}  // namespace shoal
