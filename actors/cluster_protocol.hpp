#pragma once
/// What nodes, the head and drivers tell each other about membership (the payloads of
/// hello / members / attach in actors/wire_types.hpp).
#include <cstdint>
#include <string>
#include <vector>

#include <caf/all.hpp>

#include "actors/runtime.hpp"
#include "actors/wire_inspect.hpp"

namespace shoal {

/// One driver session as a node reports it (`sessions` request; `shoal status`).
struct session_info {
  std::uint64_t session = 0;
  std::string driver;
  std::int64_t shards = 0;
  std::int64_t bytes = 0;
  std::int64_t idle_ms = 0;  ///< since the node last heard from the driver
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, session_info& x) {
  return f(caf::meta::type_name("session_info"), x.session, x.driver, x.shards, x.bytes, x.idle_ms);
}

/// A node as the head lists it.
struct node_desc {
  std::string name;      ///< "host:pid"
  std::string endpoint;  ///< its ROUTER, "tcp://127.0.0.1:5555"
  std::int64_t pid = 0;
  std::vector<actor_info> actors;  ///< its worker actors, in its local order (GPUs first)
  /// Its driver sessions: filled by cluster_status (`sessions` request), not part of the
  /// wire encoding.
  std::vector<session_info> drivers;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, node_desc& x) {
  return f(caf::meta::type_name("node_desc"), x.name, x.endpoint, x.pid, x.actors);
}

/// One worker of the cluster as the driver numbers them: global index = position in the
/// table; it lives on the node at `endpoint` as that node's local actor `local`.
struct actor_slot {
  std::string endpoint;
  std::int32_t local = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, actor_slot& x) {
  return f(caf::meta::type_name("actor_slot"), x.endpoint, x.local);
}

/// A driver opens a session on every node: the node spawns a fresh set of its workers for
/// that session (their own shard stores, so two drivers' shard keys never meet) under the
/// session's global indices and learns where every other actor of the session lives
/// (actors/driver_sessions.hpp). Every later message of the driver, or of a node on the
/// driver's behalf, starts its payload with the session id.
struct attach_req {
  std::uint64_t session = 0;  ///< random, never 0
  std::vector<actor_slot> table;
  std::string driver;               ///< "host:pid" of the driver, for `shoal status` and logs
  std::string ping_source;          ///< the `source` of the driver's heartbeat pings
  std::int32_t heartbeat_timeout_ms = 5000;  ///< silence after which the node drops the session
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, attach_req& x) {
  return f(caf::meta::type_name("attach_req"), x.session, x.table, x.driver, x.ping_source,
           x.heartbeat_timeout_ms);
}

}  // namespace shoal
