#pragma once
/// shoal::runtime: the process's actor system and the embedded default cluster (a scheduler,
/// one CPU actor per socket, a node actor). One runtime per process; shoal::array calls use it.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace shoal {

struct runtime_options {
  int cpus = 0;                      ///< CPU socket actors; 0 = $SHOAL_CPUS or one per socket
  int gpus = -1;                     ///< GPU actors; -1 = every visible GPU (none in a CPU build)
  std::string address;               ///< empty = embedded cluster (remote comes with the cluster issue)
  std::int64_t min_tile_elems = 0;   ///< 0 = $SHOAL_MIN_TILE_ELEMS or 65536
  int threads_per_actor = 0;         ///< kernel threads per CPU actor; 0 = cores / cpus
  int timeout_ms = 0;                ///< waits on data give up after this; 0 = $SHOAL_TIMEOUT_MS or 600000
  /// Where new shards go: "" = $SHOAL_PLACEMENT, else "default" (the GPU actors if there are
  /// any, else the CPU actors); "all" = every actor (mixed CPU+GPU shards, for tests).
  std::string placement;
};

/// One actor as runtime_info reports it.
struct actor_info {
  std::string name;  ///< "cpu0", "gpu0", ...
  std::string kind;  ///< "cpu" or "gpu"
  std::string node;  ///< the node (process) name
  std::int64_t shards = 0;
  std::int64_t bytes = 0;
  /// "active", "joining" (shards are moving onto it), "draining", "left" (drained), "dead".
  /// Driver-side only: the scheduler sets it, it is not part of the wire encoding.
  std::string state = "active";
};

/// Shard moves of the current (or last) rebalance (actors/scheduler_elastic.hpp).
struct migration_info {
  bool active = false;
  std::int64_t moves_total = 0, moves_done = 0;
  std::int64_t bytes_total = 0, bytes_done = 0;
  std::int64_t rebalances = 0;  ///< finished since the runtime started
};

/// Crash recoveries so far (actors/scheduler_recovery.hpp) and what lineage holds.
struct recovery_info {
  std::int64_t recoveries = 0;      ///< finished recoveries
  std::int64_t shards_rebuilt = 0;  ///< lost shards restored, all recoveries
  std::int64_t ops_replayed = 0;    ///< ops planned again, all recoveries
  std::int64_t arrays_failed = 0;   ///< arrays that could not be rebuilt
  double last_ms = 0;               ///< the last recovery, from the loss to the rebuild sent
  std::int64_t lineage_ops = 0;     ///< ops the lineage holds now (bounded by checkpoints)
  std::int64_t checkpoints = 0;     ///< replicas fetched into the driver
};

struct runtime_info {
  std::vector<actor_info> actors;
  std::string node;
  std::int64_t min_tile_elems = 0;
  std::int64_t arrays = 0;  ///< live arrays in the scheduler's directory
  bool collectives = false;  ///< full reductions among the GPU actors go through NCCL
  migration_info migration;
  recovery_info recovery;
};

class runtime {
 public:
  struct impl;
  /// Starts the runtime (no-op if it runs with the same options; throws runtime_error if it
  /// runs with other ones: call shutdown() first).
  static runtime& init(const runtime_options& opts = {});
  /// The running runtime, starting a default one if none runs.
  static runtime& get();
  static bool running();
  /// Stops every actor and frees every shard. Arrays still held become unusable.
  static void shutdown();

  runtime_info info();

  // ---- elasticity (actors/runtime_elastic.cpp): the embedded cluster grows and shrinks

  /// Starts a CPU actor in the running embedded cluster; it enters placement at once and
  /// shards rebalance onto it between ops. Returns its name ("cpu2").
  std::string add_cpu_actor();
  /// The same for `kind` "cpu" or "gpu" (the next GPU that has no actor yet; the GPU actors'
  /// NCCL communicator is rebuilt to include it, between ops). value_error for another kind
  /// or when every visible GPU has an actor (always in a CPU build).
  std::string add_actor(const std::string& kind);
  /// Moves every shard off actor `name` and takes it out of placement; returns once it
  /// holds nothing. Throws value_error for an unknown name or the last placed actor.
  void drain(const std::string& name);
  /// Waits until no shard move is queued or in flight.
  void settle();
  /// Tests: stops actor `name` at once, as a crash would (`kill -9` of its node): the
  /// scheduler sees it go down and rebuilds its shards from lineage. value_error if unknown.
  void kill_actor(const std::string& name);
  const runtime_options& options() const;
  impl& internals() { return *impl_; }
  ~runtime();

 private:
  explicit runtime(const runtime_options& opts);
  std::unique_ptr<impl> impl_;
};

}  // namespace shoal
