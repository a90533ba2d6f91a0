#pragma once
/// The shard directory: for every live array version, its tiling, which actor owns each tile
/// and under which shard key. Shards are reference counted because copy-on-write updates let
/// several versions share the tiles they did not touch.
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "arrays/dtype.hpp"
#include "arrays/tiling.hpp"
#include "scheduler/migration.hpp"
#include "scheduler/ops.hpp"
#include "scheduler/tasks.hpp"

namespace shoal {

struct array_entry {
  dtype type = dtype::float64;
  tiling til;
  std::vector<int> owner;        ///< per tile: actor index
  std::vector<shard_key> keys;   ///< per tile
};

class directory {
 public:
  /// Registers `id`; takes a reference on each key.
  void add(array_id id, array_entry e);
  /// nullptr if unknown.
  const array_entry* find(array_id id) const;
  /// Throws shoal::error(runtime_error) if unknown.
  const array_entry& at(array_id id) const;
  /// Drops `id`; returns (owner, key) of shards nobody references any more.
  std::vector<std::pair<int, shard_key>> remove(array_id id);
  std::int64_t refs(shard_key k) const;
  std::size_t size() const { return arrays_.size(); }
  /// Every live array id, ascending (program order: an op's inputs come before its outputs).
  std::vector<array_id> ids() const;
  /// Every live shard once (shared shards too), with its owner and size, ordered by key.
  std::vector<shard_load> shards() const;
  /// An array holding shard `k` and the tile it is there (entry nullptr if none holds it).
  struct shard_ref {
    const array_entry* entry = nullptr;
    std::size_t tile = 0;
  };
  shard_ref find_shard(shard_key k) const;
  /// Records that shard `k` now lives on actor `to`, in every array that holds it.
  void set_owner(shard_key k, int to);

 private:
  std::unordered_map<array_id, array_entry> arrays_;
  std::unordered_map<shard_key, std::int64_t> refs_;
};

}  // namespace shoal
