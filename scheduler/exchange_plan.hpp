#pragma once
/// Pieces between GPU actors over NCCL: the planner collects an op's GPU-to-GPU pieces and
/// turns them into one exchange_task per GPU actor involved (scheduler/tasks.hpp). A source
/// that every rank of the group needs (every rank other than its owner takes it, and at least
/// two pieces do) becomes one ncclBroadcast from its owner: the panels of a matmul whose
/// output tiles lie on every GPU, a small array broadcast against a large one. The rest
/// become send/receive pairs. Plain data; the planner calls it, tests drive it directly.
#include <cstdint>
#include <utility>
#include <vector>

#include "scheduler/tasks.hpp"

namespace shoal {

/// One piece from GPU actor `from` to GPU actor `to` (they may be the same actor, a test
/// mode): `extent` elements of `src` (a shard of `from`), delivered as piece `tag`.
struct gpu_piece {
  int from = 0, to = 0;
  strided_src src;
  dtype type = dtype::float64;
  shape_t extent;
  piece_tag tag = 0;
};

/// The exchange task of every GPU actor that takes part in moving `pieces` (by actor index),
/// as collective `seq`; `group` lists the GPU actors in NCCL rank order and must hold every
/// `from` and `to` (runtime_error otherwise: a plan bug, not user input).
std::vector<std::pair<int, exchange_task>> plan_exchange(const std::vector<gpu_piece>& pieces,
                                                         const std::vector<int>& group,
                                                         std::uint64_t seq);

}  // namespace shoal
