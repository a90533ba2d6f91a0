#pragma once
/// Actor pipelines over shards, for C++ authors: a source produces shards (generated, or the
/// tiles of a shoal array read one by one from their owners), stages transform or filter
/// them, a sink consumes them (folds them into a value, or assembles a new array).
/// Every link has credit-based backpressure: a stage accepts at most `credits` shards that
/// it has not yet acknowledged, and a producer that has used up its credits pauses until
/// an acknowledgment returns one, so a fast source never runs ahead of a slow sink and the
/// memory in flight stays bounded (about the sum of the links' credits, in shards).
///
/// The protocol is one typed interface (stage_actor), so an author's own typed actors can be
/// stages too: answer every `shard` with an `ack` once done with it (after passing it on),
/// and answer `end_atom` with an `ack` once everything downstream has finished (carrying
/// the first error seen). spawn_stage / spawn_sink implement it around a plain function.
///
/// Shards carry host buffers by shared pointer: in the process that owns a CPU shard a stage
/// gets the shard's own bytes (no copy); GPU shards arrive through pinned host memory. The
/// typed messages are plain structs, so once the cluster transport encodes them (issue 4)
/// stages can run on other nodes; today every actor of a pipeline lives in this process.
/// samples/pipeline.cpp is a complete example; docs/cpp.md explains the protocol.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include <caf/all.hpp>

#include "actors/array.hpp"
#include "arrays/buffer.hpp"
#include "arrays/errors.hpp"

namespace shoal::pipeline {

/// One tile of an array on its way through a pipeline: `data` holds tile.extent() elements
/// of `type` in C order. Shards are immutable (a stage that changes data makes a new buffer).
struct shard {
  std::uint64_t seq = 0;  ///< position in the stream (the tile index for array sources)
  box tile;               ///< where the shard sits in the global array
  shape_t global_shape;
  dtype type = dtype::float64;
  std::shared_ptr<const buffer> data;

  std::int64_t size() const { return tile.size(); }
  template <class T> const T* as() const { return data ? data->as<T>() : nullptr; }
};

/// A new shard over `tile` (fresh host buffer of the right size) for a source or a stage.
shard make_shard(std::uint64_t seq, box tile, shape_t global_shape, dtype type);
/// The writable bytes of a shard made by make_shard, before it is sent on.
template <class T> T* mutable_data(shard& s) { return const_cast<T*>(s.as<T>()); }

/// The answer to a shard (the credit returned upstream) or to end_atom: the first error
/// downstream, if any.
struct ack {
  error_info err;
};

using end_atom = caf::atom_constant<caf::atom("pl_end")>;

/// What every stage and sink understands.
using stage_actor = caf::typed_actor<caf::replies_to<shard>::with<ack>,
                                     caf::replies_to<end_atom>::with<ack>>;

/// Transform of a stage: the shard to pass on, or nothing to drop it. May throw shoal::error
/// (the shard is dropped; the pipeline's wait() throws the first error).
using transform_fn = std::function<std::optional<shard>(const shard&)>;
/// What a sink does with each shard, in arrival order.
using consume_fn = std::function<void(const shard&)>;

/// The actor system shoal's actors live in (starts the default runtime if none runs): spawn
/// your own actors here, next to the CPU and GPU actors.
caf::actor_system& system();

/// A stage running `fn` on every shard and passing the results on to `next`, holding at
/// most `credits` of them unacknowledged by `next`. Stages and sinks run on CAF's worker pool
/// (shoal's own actors have threads of their own): a stage that blocks
/// for long ties up one worker.
stage_actor spawn_stage(transform_fn fn, stage_actor next, int credits = 4);
/// A sink calling `fn` for every shard, in arrival order.
stage_actor spawn_sink(consume_fn fn);

/// A sink folding every shard into `*result` (read it after run::wait()).
template <class T, class F>
std::pair<stage_actor, std::shared_ptr<T>> spawn_fold_sink(T init, F fn) {
  auto acc = std::make_shared<T>(std::move(init));
  return {spawn_sink([acc, fn](const shard& s) { fn(*acc, s); }), acc};
}

/// A sink writing each shard into its place of a new array of `shape` and `type`: call
/// to_array() after run::wait(). Shards must not overlap; unwritten elements are 0.
class assembled {
 public:
  assembled(shape_t shape, dtype type);
  void put(const shard& s);
  array to_array() const;

 private:
  shape_t shape_;
  dtype type_;
  buffer_ptr host_;
};
std::pair<stage_actor, std::shared_ptr<assembled>> spawn_assemble_sink(shape_t shape, dtype type);

/// What a source observed: shards sent, the most unacknowledged at once, how often it
/// paused because its credits were used up, and (shard streams) how many tile reads it sent
/// again after a read missed and the scheduler named the tile's current owner.
struct source_stats {
  std::atomic<std::int64_t> sent{0};
  std::atomic<std::int64_t> max_in_flight{0};
  std::atomic<std::int64_t> stalls{0};
  std::atomic<std::int64_t> retries{0};
};

/// A running pipeline, as its source sees it.
class run {
 public:
  struct state;
  explicit run(std::shared_ptr<state> s) : st_(std::move(s)) {}
  /// Waits until the source sent everything and every stage finished (end acknowledged);
  /// throws the first error of any stage (shoal::error).
  void wait();
  /// True once wait() would return at once.
  bool done() const;
  const source_stats& stats() const;

 private:
  std::shared_ptr<state> st_;
};

/// Produces gen(0), ..., gen(count - 1) into `first`, at most `credits` unacknowledged.
run run_generator(std::int64_t count, std::function<shard(std::int64_t)> gen, stage_actor first,
                  int credits = 4);
/// The shard stream of `a`: reads its tiles one by one from the actors owning them (after
/// every op producing them) and sends them into `first`, at most `credits` read or
/// unacknowledged at once. seq = the tile index; tiles may arrive in any order.
/// Shards may move while the stream runs (a join, drain or rebalance; an actor lost and its
/// shards rebuilt): a tile read that misses asks the scheduler for the current layout and
/// reads the tile where it lives now. wait() throws runtime_error naming the tile when that
/// does not converge: the tile moved more than 16 times, or its owner did not answer and the
/// scheduler named no other within runtime_options::timeout_ms; an array lost for good
/// throws the scheduler's error, and a tile whose op failed its own error.
run run_array(const array& a, stage_actor first, int credits = 4);

}  // namespace shoal::pipeline

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(shoal::pipeline::shard)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(shoal::pipeline::ack)
