#pragma once
/// Shard migration plans: which shards move where so that the bytes per actor even out when
/// the actor set changes (a join adds an actor, a drain empties one), moving as few bytes as
/// the greedy allows. Plain data, no actors: the scheduler executes the moves (rebalancer.hpp).
#include <cstdint>
#include <vector>

#include "scheduler/tasks.hpp"

namespace shoal {

/// One shard as the plan sees it.
struct shard_load {
  shard_key key = 0;
  int owner = 0;
  std::int64_t bytes = 0;
};

/// Move shard `key` (of `bytes`) from actor `from` to actor `to`.
struct shard_move {
  shard_key key = 0;
  int from = 0, to = 0;
  std::int64_t bytes = 0;
};

/// The moves that even out `shards` over `targets` (actor indices; must not be empty):
/// every shard whose owner is not a target moves (largest first, each to the least loaded
/// target); then, while a shard of the most loaded target narrows its gap to the least
/// loaded one, one moves there: preferably the largest that fits both the giver's excess and
/// the receiver's deficit relative to the mean, else the one leaving the pair most even.
/// Every move strictly lowers the spread, so the plan is finite; no shard moves twice.
/// Deterministic: ties break by lower actor index, then lower key.
std::vector<shard_move> plan_migration(const std::vector<shard_load>& shards,
                                       const std::vector<int>& targets);

}  // namespace shoal
