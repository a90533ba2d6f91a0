#pragma once
/// The planner: turns ops into per-actor task lists (owner computes; operands that live
/// elsewhere or are tiled differently are moved as pieces) and keeps the shard directory.
/// Plain data and algorithms: the scheduler actor wraps it, tests drive it directly.
#include <cstdint>
#include <vector>

#include "scheduler/directory.hpp"
#include "scheduler/ops.hpp"
#include "scheduler/tasks.hpp"

namespace shoal {

struct planner_config {
  int n_actors = 1;
  std::int64_t min_tile_elems = 65536;
  int tiles_per_actor = 1;
  /// Actors new tiles are placed on (indices < n_actors); empty = every actor.
  std::vector<int> place_on;
  /// The GPU actors in NCCL rank order (rank r = gpu_group[r]); collectives among them are
  /// planned once enable_collectives() was called (every one of them has joined).
  std::vector<int> gpu_group;
  /// A full reduction goes through an NCCL all-reduce when at least this many GPU actors
  /// hold parts of its input (1: even with one GPU, which exercises the path in tests).
  int collective_min = 2;
  /// Pieces between two GPU actors of the group go over NCCL (scheduler/exchange_plan.hpp)
  /// once collectives are on; otherwise through host memory.
  bool nccl_pieces = true;
  /// Test mode: a GPU actor's pieces of its own shards go over NCCL too (a send to itself),
  /// so that one GPU runs the whole NCCL piece path.
  bool nccl_local = false;
};

/// Tasks per actor (index = actor), in the order each actor must run them.
using task_lists = std::vector<std::vector<task>>;

class planner {
 public:
  explicit planner(planner_config cfg);

  /// Plans `o`, appending to `out` (sized n_actors). Throws shoal::error on an op that names
  /// unknown arrays.
  void plan(const op& o, task_lists& out);
  /// Forgets `id`, appending free tasks for shards nobody references any more.
  void release(array_id id, task_lists& out);

  /// Every actor of cfg.gpu_group has joined the NCCL communicator: plan collectives.
  void enable_collectives() { collectives_ = !cfg_.gpu_group.empty(); }
  bool collectives() const { return collectives_; }

  // ---- elasticity (scheduler/migration.hpp): the actor set changes between ops

  /// A new actor (index = the old n_actors), in placement when `place`.
  int add_actor(bool place);
  /// Takes actor `a` into placement or out of it (a drain); tilings do not change.
  void set_placed(int a, bool place);
  /// Emits the tasks that move shard m.key from m.from to m.to (send, store under the same
  /// key, free) and records the new owner, so every later op reads it there. Actors run
  /// tasks in order, so ops planned before see the old owner and ops after the new one.
  /// False (nothing emitted) when the shard is gone or no longer on m.from.
  bool move_shard(const shard_move& m, task_lists& out);

  // ---- recovery (scheduler/recovery_plan.hpp): an actor was lost

  /// Emits the tasks that make shard `key` on actor `dest` out of box `tb` of array `src`
  /// (pieces from wherever src lives) and records `dest` as the key's owner.
  void restore_tile(array_id src, shard_key key, const box& tb, int dest, task_lists& out);
  /// The GPU actors still in the NCCL group, in rank order; collectives stay off until
  /// enable_collectives() (the group has to join a new communicator first).
  void set_gpu_group(std::vector<int> group);
  /// GPU actor `a` joined the running cluster (a node's GPU, or one added in process): it
  /// becomes the group's last rank, and collectives stay off until the grown group has
  /// joined a new communicator (ops planned meanwhile take the host path). False, and
  /// nothing changes, when `a` is in the group already or is no actor.
  bool add_gpu_rank(int a);
  /// GPU actor `a` left the running cluster (drained): it leaves the group, the others keep
  /// their order, and collectives stay off until they have joined a new communicator. False,
  /// and nothing changes, when `a` is not in the group.
  bool remove_gpu_rank(int a);
  /// Tags below this one were handed out already (pieces of tasks planned so far).
  piece_tag next_tag() const { return next_tag_; }

  const directory& dir() const { return dir_; }
  const planner_config& config() const { return cfg_; }
  /// The tiling and placement a new array of `shape` gets.
  array_entry layout(const shape_t& shape, dtype t);

 private:
  struct emit;  // the two phases of one op
  operand_spec plan_operand(const operand& x, const box& vbox, int consumer, emit& em);
  void add_pieces(const operand& x, const box& vbox, const shape_t& dst_strides,
                  std::int64_t dst_base, int consumer, emit& em, std::vector<piece_spec>& out);

  void plan_fill(const op& o, emit& em);
  void plan_host(const op& o, emit& em);
  void plan_elementwise(const op& o, emit& em);
  void plan_reduce(const op& o, emit& em);
  void plan_matmul(const op& o, emit& em);
  void plan_assemble(const op& o, emit& em);
  void plan_reshape(const op& o, emit& em);
  void plan_setitem(const op& o, emit& em);
  void plan_kernel(const op& o, emit& em);

  planner_config cfg_;
  /// Actors placement had at the start: tilings depend on it alone, so an array program
  /// tiles (and rounds its reductions) the same way whatever joins or leaves.
  int tile_places_ = 1;
  directory dir_;
  shard_key next_key_ = 1;
  piece_tag next_tag_ = 1;
  bool collectives_ = false;
  std::uint64_t next_collective_ = 1;  // the sequence every GPU actor issues them in
  bool plan_reduce_collective(const op& o, emit& em);
  /// True when a piece of actor `from`'s shard for actor `to` goes over NCCL.
  bool over_nccl(int from, int to) const;
  /// Turns the op's GPU-to-GPU pieces into exchange tasks at the head of phase 1, then
  /// appends both phases to `out`.
  void finish(emit& em, task_lists& out);
  partial_task make_partial(const op& o, const array_entry& in, std::int64_t tile, int dest);
};

}  // namespace shoal
