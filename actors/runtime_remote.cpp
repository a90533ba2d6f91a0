/// runtime::impl in a driver process: the cluster's actors instead of local ones.
#include "actors/nccl_bootstrap.hpp"
#include "actors/remote_cluster.hpp"
#include "actors/runtime_impl.hpp"
#include "actors/secret.hpp"
#include "scheduler/planner.hpp"

namespace shoal {

void attach_remote(runtime::impl& m, planner_config& pc) {
  connect_options co;
  co.address = m.opts.address;
  heartbeat_from_env(co.heartbeat_ms, co.heartbeat_timeout_ms);
  co.secret = cluster_secret_for(co.address);
  auto rc = std::make_shared<remote_cluster>(connect_cluster(*m.sys, co));
  m.workers = std::move(rc->workers);  // only the runtime holds them (shutdown waits for them)
  rc->workers.clear();
  for (std::size_t g = 0; g < rc->infos.size(); ++g)
    if (rc->infos[g].kind == "gpu") pc.place_on.push_back(static_cast<int>(g));
  remote_nccl_group(rc->infos, pc);  // NCCL across processes (actors/nccl_bootstrap.hpp)
  m.remote = std::move(rc);
}

}  // namespace shoal
