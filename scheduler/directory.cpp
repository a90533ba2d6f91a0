#include "scheduler/directory.hpp"

#include <algorithm>
#include <map>
#include <string>

#include "arrays/errors.hpp"

namespace shoal {

void directory::add(array_id id, array_entry e) {
  for (auto k : e.keys) ++refs_[k];
  arrays_[id] = std::move(e);
}

const array_entry* directory::find(array_id id) const {
  auto it = arrays_.find(id);
  return it == arrays_.end() ? nullptr : &it->second;
}

const array_entry& directory::at(array_id id) const {
  if (auto* e = find(id)) return *e;
  throw_error(errc::runtime_error, "shoal: unknown array id " + std::to_string(id));
}

std::vector<std::pair<int, shard_key>> directory::remove(array_id id) {
  std::vector<std::pair<int, shard_key>> dead;
  auto it = arrays_.find(id);
  if (it == arrays_.end()) return dead;
  const auto& e = it->second;
  for (std::size_t t = 0; t < e.keys.size(); ++t) {
    auto r = refs_.find(e.keys[t]);
    if (r != refs_.end() && --r->second == 0) {
      dead.emplace_back(e.owner[t], e.keys[t]);
      refs_.erase(r);
    }
  }
  arrays_.erase(it);
  return dead;
}

std::int64_t directory::refs(shard_key k) const {
  auto it = refs_.find(k);
  return it == refs_.end() ? 0 : it->second;
}

std::vector<array_id> directory::ids() const {
  std::vector<array_id> out;
  out.reserve(arrays_.size());
  for (const auto& [id, e] : arrays_) out.push_back(id);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<shard_load> directory::shards() const {
  std::map<shard_key, shard_load> seen;
  for (const auto& [id, e] : arrays_)
    for (std::size_t t = 0; t < e.keys.size(); ++t)
      seen.emplace(e.keys[t], shard_load{e.keys[t], e.owner[t],
                                         e.til.tile_box(static_cast<std::int64_t>(t)).size() *
                                             static_cast<std::int64_t>(itemsize(e.type))});
  std::vector<shard_load> out;
  for (auto& [k, s] : seen) out.push_back(s);
  return out;
}

directory::shard_ref directory::find_shard(shard_key k) const {
  if (refs(k) == 0) return {};
  for (const auto& [id, e] : arrays_)
    for (std::size_t t = 0; t < e.keys.size(); ++t)
      if (e.keys[t] == k) return {&e, t};
  return {};
}

// A scan of every array: moves are rare next to ops, and a reverse index would have to be
// kept up to date on every add and remove.
void directory::set_owner(shard_key k, int to) {
  for (auto& [id, e] : arrays_)
    for (std::size_t t = 0; t < e.keys.size(); ++t)
      if (e.keys[t] == k) e.owner[t] = to;
}

}  // namespace shoal
