#include "scheduler/directory.hpp"

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

}  // namespace shoal
