#pragma once
/// A node as a process: its own actor system with its worker actors (GPU actors first, then
/// CPU actors) and a gateway actor that binds the node's ROUTER, joins the head (unless it is
/// the head), and delivers the wire's messages to the local actors (actors/wire_types.hpp
/// lists them). Every driver that attaches gets its own fresh workers numbered by its global
/// table (a session, actors/driver_sessions.hpp); several drivers share the node at once.
#include <functional>
#include <memory>
#include <string>

namespace shoal {

struct node_options {
  std::string bind = "127.0.0.1:0";  ///< HOST:PORT of the ROUTER (port 0: any free one)
  std::string head;                  ///< the head's HOST:PORT; "" = this node is the head
  int cpus = 1;                      ///< CPU actors
  int gpus = 0;                      ///< GPU actors (CUDA builds)
  int threads_per_actor = 0;         ///< 0 = cores / cpus
  int heartbeat_ms = 1000;
  int heartbeat_timeout_ms = 5000;
  std::string secret;                ///< the cluster secret
  /// How long a node keeps trying to join its head (mpirun/srun start ranks in any order);
  /// 0 = $SHOAL_JOIN_TIMEOUT_S seconds, default 60 (actors/node_join.hpp).
  int join_timeout_ms = 0;
};

class cluster_node {
 public:
  /// Starts the node (binds, joins the head); throws shoal::error if it cannot.
  explicit cluster_node(const node_options& opts);
  ~cluster_node();
  /// The ROUTER endpoint peers connect to ("tcp://127.0.0.1:5555").
  const std::string& endpoint() const;
  const std::string& name() const;
  /// Why the node should stop on its own (the head stopped answering), or "".
  std::string failed() const;
  /// Every driver drained it and released it (`shoal drain`): the node should exit.
  bool released() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// What the process running a node asks of it (run_node polls every 100 ms).
enum class node_request {
  run,    ///< keep serving
  drain,  ///< leave gracefully (a scheduler's SIGTERM): the shards move off first
  stop,   ///< leave now (SIGINT, `shoal stop`): drivers rebuild what it held from lineage
};

/// Runs a node until `poll()` says stop, the node fails, or it was drained and released;
/// prints "shoal-node ready ENDPOINT NAME" once serving. On drain a worker node asks its head
/// to drain it (as `shoal drain` does) and serves on until every driver moved its shards off
/// and released it, for at most $SHOAL_DRAIN_GRACE_S seconds (default 600); a head, which
/// cannot be drained, stops. Returns the process exit code (4: the drain ran out of time).
int run_node(const node_options& opts, const std::function<node_request()>& poll);

}  // namespace shoal
