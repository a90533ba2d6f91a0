#include "scheduler/migration.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

namespace shoal {
namespace {

/// Largest first, then by key (a total order, so plans do not depend on input order).
bool bigger(const shard_load& a, const shard_load& b) {
  return a.bytes != b.bytes ? a.bytes > b.bytes : a.key < b.key;
}

}  // namespace

std::vector<shard_move> plan_migration(const std::vector<shard_load>& shards,
                                       const std::vector<int>& targets) {
  std::vector<shard_move> moves;
  if (targets.empty()) return moves;
  std::map<int, std::int64_t> load;  // target -> bytes it will hold
  for (int t : targets) load[t] = 0;
  std::map<int, std::vector<shard_load>> held;  // target -> its shards, largest first
  std::vector<shard_load> homeless;
  for (const auto& s : shards) {
    if (load.count(s.owner)) {
      load[s.owner] += s.bytes;
      held[s.owner].push_back(s);
    } else {
      homeless.push_back(s);
    }
  }
  auto least = [&] {
    return std::min_element(load.begin(), load.end(), [](auto& a, auto& b) {
             return a.second != b.second ? a.second < b.second : a.first < b.first;
           })->first;
  };
  std::sort(homeless.begin(), homeless.end(), bigger);
  for (const auto& s : homeless) {
    const int to = least();
    moves.push_back({s.key, s.owner, to, s.bytes});
    load[to] += s.bytes;  // placed: not a candidate for a second move
  }
  std::int64_t total = 0;
  for (auto& [a, b] : load) total += b;
  const auto n = static_cast<std::int64_t>(load.size());
  for (auto& [a, v] : held) std::sort(v.begin(), v.end(), bigger);
  for (;;) {
    auto most = std::max_element(load.begin(), load.end(), [](auto& a, auto& b) {
      return a.second != b.second ? a.second < b.second : a.first > b.first;
    });
    const int from = most->first, to = least();
    // Best: the largest shard that fits both the giver's excess over the mean and the
    // receiver's deficit (nobody has to pass it on). Else the shard that leaves the pair
    // closest to even, if moving it narrows their gap at all (a strict improvement, so
    // the loop ends). Integers throughout: compared as load*n - total.
    const std::int64_t excess_n = most->second * n - total;
    const std::int64_t deficit_n = total - load[to] * n;
    auto& v = held[from];
    auto it = std::find_if(v.begin(), v.end(), [&](const shard_load& s) {
      return s.bytes > 0 && s.bytes * n <= excess_n && s.bytes * n <= deficit_n;
    });
    if (it == v.end()) {
      const std::int64_t gap = load[from] - load[to];
      std::int64_t best = gap;
      for (auto j = v.begin(); j != v.end(); ++j) {
        const std::int64_t left = j->bytes > 0 && j->bytes < gap ? std::abs(gap - 2 * j->bytes) : gap;
        if (left < best) best = left, it = j;
      }
    }
    if (from == to || it == v.end() || load[to] + it->bytes >= load[from]) break;
    moves.push_back({it->key, from, to, it->bytes});
    load[from] -= it->bytes;
    load[to] += it->bytes;
    v.erase(it);  // moved shards are not held anywhere they could move from again
  }
  return moves;
}

}  // namespace shoal
