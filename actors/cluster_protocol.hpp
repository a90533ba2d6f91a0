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

/// A node as the head lists it.
struct node_desc {
  std::string name;      ///< "host:pid"
  std::string endpoint;  ///< its ROUTER, "tcp://127.0.0.1:5555"
  std::int64_t pid = 0;
  std::vector<actor_info> actors;  ///< its worker actors, in its local order (GPUs first)
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

/// A driver takes the cluster's actors: every node restarts its workers (fresh shard
/// stores) under their global indices and learns where every other actor lives.
struct attach_req {
  std::uint64_t session = 0;
  std::vector<actor_slot> table;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, attach_req& x) {
  return f(caf::meta::type_name("attach_req"), x.session, x.table);
}

}  // namespace shoal
