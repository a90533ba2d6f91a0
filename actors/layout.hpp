#pragma once
/// The scheduler's answer to "where does each tile of this array live": what a shard stream
/// (actors/pipeline.hpp) needs to read the tiles one by one straight from their owners.
///
///   scheduler_actor: (layout_atom, array_id) -> array_layout
#include <vector>

#include <caf/all.hpp>

#include "arrays/dtype.hpp"
#include "arrays/errors.hpp"
#include "arrays/tiling.hpp"
#include "scheduler/tasks.hpp"

namespace shoal {

/// An array's tiling, and per tile (tiling order) the owning worker and the shard key to read.
struct array_layout {
  dtype type = dtype::float64;
  tiling til;
  std::vector<caf::actor> owners;
  std::vector<shard_key> keys;
  error_info err;  ///< the op producing the array failed to plan, or the id is unknown
};

using layout_atom = caf::atom_constant<caf::atom("layout")>;

}  // namespace shoal

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(shoal::array_layout)
