#pragma once
/// runtime_options for tests on real actors: tiny tiles (small arrays span many tiles and
/// actors), one kernel thread per actor, and waits that fail instead of hanging the suite.
#include <cstdint>
#include <string>

#include "actors/runtime.hpp"

namespace shoal {

inline runtime_options test_runtime_options(int cpus, int gpus = 0, std::int64_t min_tile_elems = 8,
                                            std::string placement = "default") {
  runtime_options o;
  o.cpus = cpus;
  o.gpus = gpus;  // 0: CPU actors only, also in CUDA builds on GPU machines
  o.min_tile_elems = min_tile_elems;
  o.threads_per_actor = 1;
  o.timeout_ms = 60000;
  o.placement = std::move(placement);
  return o;
}

}  // namespace shoal
