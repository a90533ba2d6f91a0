#pragma once
/// Lineage: the ops that produced every live array, kept so that lost shards can be rebuilt
/// by replaying them (issue 5, recovery). Creation ops are roots: fills and counter-based
/// random numbers recompute bit-identically on any actor, and a from_host op holds the
/// user's bytes (op::host, a shared buffer in the driver: the replica lineage cannot
/// rebuild). A released array's op stays as long as a live array descends from it.
/// History is bounded: once an array is `checkpoint_every` ops away from its roots it is due
/// for a checkpoint (the scheduler materialises a replica of its shards and calls
/// checkpointed()), which makes it a root and lets its ancestors go.
/// Plain data: the scheduler wires it to recovery; tests drive it directly.
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <unordered_map>
#include <vector>

#include "scheduler/ops.hpp"

namespace shoal {

class lineage {
 public:
  /// checkpoint_every >= 1: the longest op chain an array may carry before it is due.
  explicit lineage(int checkpoint_every) : every_(checkpoint_every < 1 ? 1 : checkpoint_every) {}

  /// Records `o` as the producer of its outputs (inputs must be recorded, or are ignored).
  void record(const op& o) { record(op(o)); }
  void record(op&& o);  ///< takes the op (no copy of its program, operands, host bytes)
  /// The client dropped `id`; its op stays while a live array descends from it.
  void release(array_id id);
  /// `id` now has a replica: it becomes a root, and ops only it needed are dropped. The
  /// replica is the op that recreates it (a from_host op over the fetched bytes, whose out is
  /// `id`); without one (nullptr) the array's own op is kept as a root (tests).
  void checkpointed(array_id id, std::shared_ptr<const op> replica = nullptr);

  /// The ops that rebuild `id`, in an order that replays (inputs before users), each once.
  std::vector<std::shared_ptr<const op>> history(array_id id) const;
  /// The ops that rebuild `id` when the arrays for which `have` is true are still intact:
  /// like history(), but an input `have` vouches for is neither replayed nor descended into.
  /// `id`'s own op always comes last. Empty if `id` is not live.
  std::vector<std::shared_ptr<const op>> replay(array_id id,
                                                const std::function<bool(array_id)>& have) const;
  /// Live arrays whose chain reached checkpoint_every ops (kept as they are recorded: asking
  /// after every op batch costs nothing while none is due).
  std::vector<array_id> due() const;
  /// Ops from `id` back to its roots (0: a root; -1 unknown).
  int depth(array_id id) const;
  /// Ops held in all (live and released ancestors): what memory the lineage costs.
  std::size_t ops_held() const;
  std::size_t live() const { return live_.size(); }

 private:
  struct node {
    std::shared_ptr<const op> producer;
    std::vector<std::pair<array_id, std::shared_ptr<node>>> inputs;  ///< by the id read
    int depth = 0;
  };
  int every_;
  std::unordered_map<array_id, std::shared_ptr<node>> live_;
  std::set<array_id> due_;
};

}  // namespace shoal
