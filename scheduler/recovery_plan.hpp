#pragma once
/// Recovery planning (issue 5, crash): after an actor is lost, which shards are gone and the
/// tasks that rebuild them by replaying lineage (scheduler/lineage.hpp) onto the survivors.
/// Plain data and algorithms: actors/scheduler_recovery drives it, tests drive it directly.
///
/// The scheduler first resets every survivor (its queued tasks are dropped, since some wait on
/// pieces the dead actor will never send) and collects what each one holds. Then a shard is
/// lost when its owner is dead or the owner does not hold it (its task was dropped). Each
/// array with a lost shard is replayed from its lineage into a temporary array (ops whose
/// inputs are intact read those; released ancestors are replayed too, once per recovery), and
/// every lost shard is restored under its own key: on its old owner when that one survived
/// (reads queued there then complete), else where the replay put that tile. Tilings depend on
/// shapes and the initial placement only and every kernel is deterministic, so the rebuilt
/// bytes equal the lost ones.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "arrays/buffer.hpp"
#include "scheduler/lineage.hpp"
#include "scheduler/planner.hpp"

namespace shoal {

/// Shards of live arrays that are gone: owned by a dead actor, or missing from their
/// surviving owner's holdings (`held`: per actor, the keys it reported).
std::set<shard_key> find_lost(const directory& d, const std::set<int>& dead,
                              const std::map<int, std::set<shard_key>>& held);
/// Keys a survivor holds that no live array references there (free tasks the reset dropped,
/// or the old copy of a shard whose move was under way).
std::map<int, std::vector<shard_key>> find_orphans(const directory& d,
                                                   const std::map<int, std::set<shard_key>>& held);

struct rebuild_result {
  std::size_t shards = 0;        ///< lost shards restored
  std::size_t ops_replayed = 0;  ///< ops planned again
  /// Arrays that cannot be rebuilt (removed from the directory) and why.
  std::vector<std::pair<array_id, std::string>> failed;
};

/// Plans the rebuild of every shard in `lost` into `out` (sized to the actors): replays into
/// temporary arrays numbered from `temp_next` up (advanced past those used) (released again at the end), restores each
/// lost key, and takes arrays it cannot rebuild (no lineage, an input nobody can rebuild)
/// out of the directory. Dead actors must already be out of placement.
rebuild_result plan_rebuild(planner& p, const lineage& hist, std::set<shard_key> lost,
                            const std::set<int>& dead, array_id& temp_next, task_lists& out);

/// The whole array in C order from its tiles (tiling order), as a fetch returns them: the
/// bytes of a checkpoint replica.
buffer_ptr gather_tiles(const tiling& til, dtype type, const std::vector<buffer_ptr>& tiles);

/// A from_host op that recreates array `id` from `bytes` (a checkpoint replica).
op replica_op(array_id id, const shape_t& shape, dtype type, buffer_ptr bytes);

}  // namespace shoal
