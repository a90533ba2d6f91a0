#pragma once
/// remote_proxy: stands in, inside one process, for a worker actor that lives on another
/// node. It speaks the worker protocol (see cpu_actor.hpp) and forwards every message over
/// the gateway to the node that owns the actor, so the scheduler and the workers address
/// remote actors exactly like local ones. Requests (read, fetch, stats) are answered when
/// the node replies, or with an error when the gateway declares the node dead.
#include <cstdint>
#include <memory>
#include <string>

#include <caf/all.hpp>

#include "actors/gateway.hpp"

namespace shoal {

struct remote_actor_ref {
  std::string endpoint;  ///< the owning node's ROUTER
  int index = 0;         ///< the actor's global index (the node finds it by this)
  std::string name;      ///< "cpu0@host:pid", for error messages
  std::uint64_t session = 0;  ///< the driver session it works for: every message carries it
};

caf::actor spawn_remote_proxy(caf::actor_system& sys, std::shared_ptr<gateway> gw, remote_actor_ref ref);

}  // namespace shoal
