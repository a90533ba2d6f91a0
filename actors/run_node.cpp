/// run_node: a node process's main loop (cluster_node.hpp), and its graceful leave on request.
#include <chrono>
#include <cstdio>
#include <exception>
#include <optional>
#include <thread>

#include "actors/cluster_node.hpp"
#include "actors/env_number.hpp"
#include "actors/remote_cluster.hpp"
#include "actors/remote_membership.hpp"

namespace shoal {
namespace {

using clock_type = std::chrono::steady_clock;

/// How long a drain may take before the node leaves anyway: $SHOAL_DRAIN_GRACE_S, default 600
/// (as `shoal drain --timeout`); the scheduler that sent the SIGTERM may kill it sooner.
std::chrono::seconds drain_grace() {
  const long long s = env_number("SHOAL_DRAIN_GRACE_S");
  return std::chrono::seconds(s >= 0 ? s : 600);
}

/// Asks the head to drain this node; false (said on stderr) when it cannot be asked.
bool ask_for_drain(const node_options& opts, const std::string& endpoint, const std::string& name) {
  connect_options o;
  o.address = opts.head;
  o.secret = opts.secret;
  o.heartbeat_ms = opts.heartbeat_ms;
  o.heartbeat_timeout_ms = opts.heartbeat_timeout_ms;
  o.connect_timeout_ms = 5000;
  try {
    const bool moving = request_drain(o, endpoint);
    std::fprintf(stderr, "shoal-node %s: asked to leave: draining (%s)\n", name.c_str(),
                 moving ? "the drivers move its shards off first" : "no driver attached");
    return true;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "shoal-node %s: asked to leave, but the head cannot drain it (%s): stopping\n",
                 name.c_str(), e.what());
    return false;
  }
}

}  // namespace

int run_node(const node_options& opts, const std::function<node_request()>& poll) {
  cluster_node n(opts);
  std::printf("shoal-node ready %s %s\n", n.endpoint().c_str(), n.name().c_str());
  std::fflush(stdout);
  const std::chrono::seconds grace = drain_grace();
  std::optional<clock_type::time_point> drain_deadline;
  for (;;) {
    const node_request r = poll();
    if (r == node_request::stop) return 0;
    if (r == node_request::drain && !drain_deadline) {
      if (opts.head.empty()) {
        std::fprintf(stderr, "shoal-node %s: asked to leave; the head cannot be drained: stopping\n",
                     n.name().c_str());
        return 0;
      }
      if (!ask_for_drain(opts, n.endpoint(), n.name())) return 0;
      drain_deadline = clock_type::now() + grace;
    }
    if (auto why = n.failed(); !why.empty()) {
      std::fprintf(stderr, "shoal-node %s: stopping: %s\n", n.name().c_str(), why.c_str());
      return 3;
    }
    if (n.released()) {  // drained: every driver moved its shards off (actors/node_membership.hpp)
      std::fprintf(stderr, "shoal-node %s: drained and released; leaving\n", n.name().c_str());
      return 0;
    }
    if (drain_deadline && clock_type::now() > *drain_deadline) {
      std::fprintf(stderr, "shoal-node %s: still draining after %lld s ($SHOAL_DRAIN_GRACE_S): leaving anyway\n",
                   n.name().c_str(), static_cast<long long>(grace.count()));
      return 4;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace shoal
