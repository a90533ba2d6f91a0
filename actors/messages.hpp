#pragma once
/// The message protocol between the client, the scheduler actor, CPU actors and the node
/// actor. In-process the payloads travel by pointer (shard bytes are never copied to be
/// sent); across processes the same structs are encoded through their `inspect` functions
/// (here and in actors/wire_inspect.hpp), shard bytes as raw frames.
#include <cstdint>
#include <string>
#include <vector>

#include <caf/all.hpp>

#include "actors/runtime.hpp"
#include "actors/wire_inspect.hpp"
#include "arrays/buffer.hpp"
#include "arrays/errors.hpp"
#include "arrays/tiling.hpp"
#include "scheduler/ops.hpp"
#include "scheduler/tasks.hpp"

namespace shoal {

/// Tasks for one actor, to run in order.
struct task_batch {
  std::vector<task> tasks;
};

/// Data one actor sends another for a task waiting on `tag` (or the error that stopped it).
struct piece_msg {
  piece_tag tag = 0;
  buffer_ptr data;
  error_info err;
};

/// An actor's answer to a read of one shard.
struct read_result {
  buffer_ptr data;
  error_info err;
};

/// The scheduler's answer to a fetch of a whole array: its tiles in tiling order.
struct fetch_result {
  dtype type = dtype::float64;
  tiling til;
  std::vector<buffer_ptr> tiles;
  error_info err;
};

/// Shard statistics of one actor.
struct actor_stats {
  actor_info info;
};

/// All actors' statistics.
struct cluster_stats {
  std::vector<actor_info> actors;
  std::int64_t arrays = 0;
  migration_info migration;  ///< driver-side only (not encoded)
  recovery_info recovery;    ///< driver-side only (not encoded)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, task_batch& x) {
  return f(caf::meta::type_name("task_batch"), x.tasks);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, piece_msg& x) {
  return f(caf::meta::type_name("piece_msg"), x.tag, x.data, x.err);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, read_result& x) {
  return f(caf::meta::type_name("read_result"), x.data, x.err);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, fetch_result& x) {
  return f(caf::meta::type_name("fetch_result"), x.type, x.til, x.tiles, x.err);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, actor_stats& x) {
  return f(caf::meta::type_name("actor_stats"), x.info);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cluster_stats& x) {
  return f(caf::meta::type_name("cluster_stats"), x.actors, x.arrays);
}

using read_atom = caf::atom_constant<caf::atom("read")>;
using fetch_atom = caf::atom_constant<caf::atom("fetch")>;
using stats_atom = caf::atom_constant<caf::atom("stats")>;
using peers_atom = caf::atom_constant<caf::atom("peers")>;

}  // namespace shoal

// Local-only messages (the client's ops, actor handles) still travel unencoded.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(shoal::op_batch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<caf::actor>)
