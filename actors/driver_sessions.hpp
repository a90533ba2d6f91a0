#pragma once
/// driver_sessions: what a node keeps per attached driver, so that several drivers can use
/// one cluster at once. Each session owns a fresh set of the node's workers (their own
/// shard stores: two drivers' shard keys, both counted from 1 by their schedulers, never
/// meet) and proxies for the session's actors on other nodes; the driver numbers them
/// globally (attach_req). Detaching or dropping a session stops only its actors, so only
/// that driver's shards go.
///
/// A driver proves it is alive through its gateway's heartbeat pings (their `source` is the
/// session's ping_source) and through every message it sends; a session silent for its
/// driver's heartbeat timeout is dropped (a driver killed with kill -9 never detaches).
///
/// Not an actor: the node's gateway actor (actors/cluster_node.cpp) owns one and calls it
/// from its own thread only.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <caf/all.hpp>

#include "actors/cluster_protocol.hpp"

namespace shoal {

struct session_worker {
  caf::actor handle;
  actor_info info;
  int local = 0;  ///< the node's local index (GPUs first, then CPUs)
};

struct driver_session {
  using clock = std::chrono::steady_clock;
  std::uint64_t id = 0;
  std::string driver;       ///< "host:pid"
  std::string ping_source;  ///< what the driver's pings carry as `source`
  std::chrono::milliseconds timeout{5000};
  clock::time_point last_seen;
  std::vector<caf::actor> table;       ///< global index -> local worker or proxy
  std::vector<bool> is_local;          ///< global index -> lives on this node (missing: no)
  std::vector<session_worker> locals;  ///< this node's workers for the session, local order

  /// The local worker at global index `d`, or null when there is none.
  caf::actor local(std::int32_t d) const;
};

class driver_sessions {
 public:
  /// Spawns local worker `local` of this node under global index `global`.
  using spawn_local_fn = std::function<session_worker(int local, int global)>;
  /// Spawns a proxy for global actor `global` of `session`, which lives at `endpoint`.
  using spawn_proxy_fn = std::function<caf::actor(const std::string& endpoint, int global, std::uint64_t session)>;

  driver_sessions(std::string self_endpoint, spawn_local_fn local, spawn_proxy_fn proxy);
  ~driver_sessions();  ///< stops every session's actors

  /// Opens `req.session` (an attach repeated with the same id replaces it) and sends its
  /// local workers the session's table. Returns the session, or throws shoal::error
  /// (value_error) for a malformed request (session 0, a slot naming a local actor this
  /// node does not have).
  driver_session& attach(const attach_req& req, int local_count);
  /// The session, or null when it is not (or no longer) attached.
  driver_session* find(std::uint64_t id);
  /// Stops the session's actors; false if it was not attached.
  bool detach(std::uint64_t id);
  /// A sign of life from the driver of `id` (any message of the session).
  void seen(std::uint64_t id);
  /// A heartbeat ping whose source is `source` (nodes ping too: unknown sources are ignored).
  void ping_from(const std::string& source);
  /// The sessions silent for longer than their timeout at `now`, removed and stopped.
  std::vector<driver_session> expire(driver_session::clock::time_point now);

  std::size_t size() const { return sessions_.size(); }
  const std::map<std::uint64_t, driver_session>& all() const { return sessions_; }

 private:
  static void stop(driver_session& s);
  std::string self_;
  spawn_local_fn spawn_local_;
  spawn_proxy_fn spawn_proxy_;
  std::map<std::uint64_t, driver_session> sessions_;
};

}  // namespace shoal
