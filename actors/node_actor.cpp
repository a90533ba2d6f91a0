#include "actors/node_actor.hpp"

#include <unistd.h>

#include "actors/messages.hpp"

namespace shoal {
namespace {

struct node_state {
  std::string name;
  std::vector<caf::actor> local;
};

caf::behavior node_fn(caf::stateful_actor<node_state>* self, std::string name, std::vector<caf::actor> local) {
  self->state.name = std::move(name);
  self->state.local = std::move(local);
  return {
      [=](stats_atom) -> std::string { return self->state.name; },
  };
}

}  // namespace

caf::actor spawn_node_actor(caf::actor_system& sys, std::string name, std::vector<caf::actor> local) {
  return sys.spawn(node_fn, std::move(name), std::move(local));
}

std::string default_node_name() {
  char host[256] = {0};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  return std::string(host[0] ? host : "localhost") + ":" + std::to_string(getpid());
}

}  // namespace shoal
