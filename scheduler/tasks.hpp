#pragma once
/// Tasks: what the scheduler asks one actor to do, as plain data. Each actor runs its tasks in
/// arrival order. Data an actor needs from another arrives as a "piece" under a tag; a task
/// waits until its tags have arrived. The planner emits, for every op, all tasks that produce
/// pieces before any task that consumes them, so the per-actor orders can never deadlock.
#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "arrays/buffer.hpp"
#include "arrays/dtype.hpp"
#include "arrays/fill.hpp"
#include "arrays/program.hpp"
#include "arrays/random.hpp"
#include "arrays/reduce.hpp"
#include "arrays/shape.hpp"

namespace shoal {

using shard_key = std::uint64_t;
using piece_tag = std::uint64_t;

/// Elements of a local shard read with strides: element i at shard + offset + sum(i*strides).
struct strided_src {
  shard_key key = 0;
  std::int64_t offset = 0;
  shape_t strides;
};

/// A part of an operand: `extent` elements taken from a local shard or from an arrived piece
/// (dense, C order), written at dst_offset + sum(i * dst_strides) of the operand buffer.
struct piece_spec {
  bool local = true;
  strided_src src;     ///< local
  piece_tag tag = 0;   ///< remote
  shape_t extent;
  std::int64_t dst_offset = 0;
  shape_t dst_strides;
};

/// An input of a compute task, over the task's output tile shape.
/// direct: read a local shard in place through `src` (zero copy; strides 0 on broadcast dims).
/// otherwise: assemble a dense buffer of `extent` (1 on broadcast dims) from `pieces`, read
/// with C strides (0 where extent is 1 and the tile is longer).
struct operand_spec {
  dtype type = dtype::float64;
  bool direct = false;
  strided_src src;
  shape_t extent;
  std::vector<piece_spec> pieces;
};

// ---- the tasks

/// Computes a creation kernel into a new shard.
struct fill_task {
  shard_key out;
  dtype type;
  bool random = false;
  fill_kind fill_k;
  fill_params fill_p;
  random_kind rand_k;
  random_params rand_p;
  std::uint64_t seed = 0, stream = 0;
  shape_t global_shape;
  box tile;
};

/// Copies its tile out of host memory the client handed over.
struct host_task {
  shard_key out;
  dtype type;
  std::shared_ptr<const buffer> host;
  shape_t global_shape;
  box tile;
};

/// Extracts `extent` elements of a local shard and sends them as piece `tag` to actor `dest`.
struct send_task {
  strided_src src;
  dtype type;
  shape_t extent;
  int dest = 0;
  piece_tag tag = 0;
};

/// Runs a fused elementwise program over one output tile.
struct program_task {
  std::vector<shard_key> outs;
  program prog;
  shape_t tile;
  std::vector<operand_spec> ins;
};

/// Reduces a local shard to a partial and delivers it as piece `tag` to actor `dest`.
struct partial_task {
  shard_key in;
  dtype type;
  shape_t tile;           ///< the input tile's extent
  reduce_kind kind;
  std::vector<bool> axes;
  shape_t origin, global_shape;  ///< for arg-reductions
  int dest = 0;
  piece_tag tag = 0;
};

/// Combines partials (in order) into an output shard of `count` elements.
/// collective > 0: a GPU actor's share of a reduction across the GPU actors: it combines its
/// `parts` (none: the reduction's identity), all-reduces the result over the NCCL
/// communicator as collective number `collective` (every GPU actor gets one such task, in the
/// same order), and keeps it as `out` only when `keep`.
struct combine_task {
  shard_key out;
  dtype partial_type;
  reduce_kind kind;
  std::int64_t count = 0;
  std::vector<piece_tag> parts;
  std::uint64_t collective = 0;
  bool keep = true;
};

/// C tile = A panel @ B panel.
struct matmul_task {
  shard_key out;
  dtype type;
  std::int64_t m = 0, n = 0, k = 0;
  operand_spec a, b;  ///< over (m, k) and (k, n)
};

/// A new shard assembled from pieces (concatenate, copying a view, reshape).
struct assemble_task {
  shard_key out;
  operand_spec data;  ///< extent = the tile's extent
};

/// out = copy of `old` (or `old` itself when in_place and nobody else holds it) with the
/// elements at dst_offset + sum(i * dst_strides) set from `value` (over `extent`).
struct update_task {
  shard_key out, old;
  bool in_place = false;
  operand_spec value;
  shape_t extent;
  std::int64_t dst_offset = 0;
  shape_t dst_strides;
};

/// Makes `out` another name for the shard `old` (copy on write: shards are immutable).
struct alias_task {
  shard_key out, old;
};

/// Drops shards.
struct free_task {
  std::vector<shard_key> keys;
};

/// Runs the custom kernel `name` (arrays/custom_kernel.hpp, looked up by name where it runs)
/// over output tile `tile` of an array of `global_shape`: input i is the box in_boxes[i] of an
/// array of in_shapes[i], read through ins[i].
struct kernel_task {
  shard_key out = 0;
  dtype type = dtype::float64;
  std::string name;
  std::vector<double> params;
  box tile;
  shape_t global_shape;
  std::vector<operand_spec> ins;
  std::vector<box> in_boxes;
  std::vector<shape_t> in_shapes;
};

/// Who learns how an NCCL transfer went: actor `actor` waits for piece `tag` from it.
struct piece_dest {
  int actor = 0;
  piece_tag tag = 0;
};

/// One NCCL transfer of an exchange_task, as the actor that runs it sees it.
///   send:  `extent` elements of the local shard `src`, to rank `peer`;
///   recv:  as much from rank `peer`, kept as the pieces `tags`;
///   bcast: an ncclBroadcast from rank `peer` (the root); the root reads `src`, every other
///          rank keeps what arrives as its pieces `tags` (the root too, where it has tags).
/// The sender (the root) tells each receiver in `notify` how it went with a piece message
/// without data (an error when its shard had failed: the bytes it sent are then garbage).
struct xfer {
  enum class kind : std::uint8_t { send, recv, bcast };
  kind k = kind::send;
  int peer = 0;
  dtype type = dtype::float64;
  shape_t extent;
  strided_src src;
  std::vector<piece_tag> tags;
  std::vector<piece_dest> notify;
};

/// One GPU actor's NCCL transfers of one op, issued in one NCCL group (so two actors sending
/// to each other cannot deadlock) as number `collective` of the communicator: every rank
/// issues its exchanges and all-reduces in the scheduler's order. Broadcasts come first, in
/// the same order on every rank; sends and receives follow in tag order, which both sides of
/// a pair share (NCCL matches the transfers between two ranks in the order they were issued).
struct exchange_task {
  std::uint64_t collective = 0;
  std::vector<xfer> xfers;
};

/// kernel_task's fields for CAF inspectors and the wire codec (actors/wire_inspect.hpp).
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, kernel_task& x) {
  return f(x.out, x.type, x.name, x.params, x.tile, x.global_shape, x.ins, x.in_boxes, x.in_shapes);
}

using task = std::variant<fill_task, host_task, send_task, program_task, partial_task,
                          combine_task, matmul_task, assemble_task, update_task, alias_task,
                          free_task, kernel_task, exchange_task>;

/// Dense strides for an operand read over `tile` (C strides of extent, 0 where broadcast).
shape_t operand_strides(const operand_spec& o, const shape_t& tile);

}  // namespace shoal
