#include "scheduler/recovery_plan.hpp"

#include <string>

#include "arrays/errors.hpp"
#include "arrays/strided_copy.hpp"

namespace shoal {

std::set<shard_key> find_lost(const directory& d, const std::set<int>& dead,
                              const std::map<int, std::set<shard_key>>& held) {
  std::set<shard_key> lost;
  for (const auto& s : d.shards()) {
    if (dead.count(s.owner)) {
      lost.insert(s.key);
      continue;
    }
    auto h = held.find(s.owner);
    if (h != held.end() && !h->second.count(s.key)) lost.insert(s.key);
  }
  return lost;
}

std::map<int, std::vector<shard_key>> find_orphans(const directory& d,
                                                   const std::map<int, std::set<shard_key>>& held) {
  std::map<shard_key, int> owner;
  for (const auto& s : d.shards()) owner[s.key] = s.owner;
  std::map<int, std::vector<shard_key>> out;
  for (const auto& [a, keys] : held)
    for (auto k : keys)
      if (auto o = owner.find(k); o == owner.end() || o->second != a) out[a].push_back(k);
  return out;
}

namespace {

/// One recovery's replays: original array -> the temporary that recomputed it.
struct replayer {
  planner& p;
  const lineage& hist;
  std::set<shard_key>& lost;
  array_id next;
  task_lists& out;
  std::map<array_id, array_id> temp;
  std::size_t ops = 0;

  bool intact(array_id id) const {
    if (temp.count(id)) return true;
    const array_entry* e = p.dir().find(id);
    if (!e) return false;
    for (auto k : e->keys)
      if (lost.count(k)) return false;
    return true;
  }

  /// Replays what `id` needs; returns the temporary holding its recomputed value.
  array_id rebuild(array_id id) {
    auto ops_in = hist.replay(id, [this](array_id x) { return intact(x); });
    if (ops_in.empty())
      throw_error(errc::runtime_error, "no lineage is kept for it (its op was not recorded)");
    for (const auto& o : ops_in) {
      bool done = true;
      for (auto x : o->outs) done = done && temp.count(x);
      if (done) continue;  // replayed already for another array of this recovery
      op r = *o;
      for (auto& x : r.outs) {
        const array_id t = next++;
        temp[x] = t;
        x = t;
      }
      for (auto& x : r.ins)
        if (auto t = temp.find(x.id); t != temp.end()) x.id = t->second;
      r.donated = false;  // the input is still referenced (by its temporary's release below)
      p.plan(r, out);
      ++ops;
    }
    auto t = temp.find(id);
    if (t == temp.end()) throw_error(errc::runtime_error, "its lineage does not produce it");
    return t->second;
  }
};

}  // namespace

rebuild_result plan_rebuild(planner& p, const lineage& hist, std::set<shard_key> lost,
                            const std::set<int>& dead, array_id& temp_next, task_lists& out) {
  out.resize(static_cast<std::size_t>(p.config().n_actors));
  rebuild_result res;
  replayer r{p, hist, lost, temp_next, out, {}, 0};
  const auto& places = p.config().place_on;
  for (array_id id : p.dir().ids()) {
    const array_entry* found = p.dir().find(id);
    if (!found) continue;
    const array_entry e = *found;  // a copy: replays add entries to the directory
    bool hit = false;
    for (auto k : e.keys) hit = hit || lost.count(k);
    if (!hit) continue;
    try {
      const array_id t = r.rebuild(id);
      const array_entry te = p.dir().at(t);
      const bool same_tiling = te.til.shape == e.til.shape && te.til.tile == e.til.tile;
      for (std::size_t i = 0; i < e.keys.size(); ++i) {
        if (!lost.count(e.keys[i])) continue;  // intact, or restored with another array
        int dest = e.owner[i];
        if (dead.count(dest)) dest = same_tiling ? te.owner[i] : places[i % places.size()];
        p.restore_tile(t, e.keys[i], e.til.tile_box(static_cast<std::int64_t>(i)), dest, out);
        lost.erase(e.keys[i]);
        ++res.shards;
      }
    } catch (const std::exception& ex) {
      res.failed.emplace_back(id, ex.what());
      for (auto k : e.keys) lost.erase(k);  // nothing else can restore them for this array
      p.release(id, out);
    }
  }
  for (const auto& [orig, t] : r.temp) p.release(t, out);
  res.ops_replayed = r.ops;
  temp_next = r.next;
  // Free tasks must not go to dead actors (the planner emits them for released shards that
  // were lost there); nothing runs there any more.
  for (int a : dead)
    if (a >= 0 && static_cast<std::size_t>(a) < out.size()) out[static_cast<std::size_t>(a)].clear();
  return res;
}

buffer_ptr gather_tiles(const tiling& til, dtype type, const std::vector<buffer_ptr>& tiles) {
  const std::size_t isz = itemsize(type);
  std::int64_t n = 1;
  for (auto s : til.shape) n *= s;
  auto out = make_buffer(static_cast<std::size_t>(n) * isz);
  const shape_t gs = c_strides(til.shape);
  for (std::int64_t t = 0; t < til.count(); ++t) {
    const box b = til.tile_box(t);
    std::int64_t off = 0;
    for (std::size_t d = 0; d < b.ndim(); ++d) off += b.lo[d] * gs[d];
    const shape_t ts = c_strides(b.extent());
    copy_strided(out->data() + off * static_cast<std::int64_t>(isz), gs.data(),
                 tiles.at(static_cast<std::size_t>(t))->data(), ts.data(), b.extent(), isz);
  }
  return out;
}

op replica_op(array_id id, const shape_t& shape, dtype type, buffer_ptr bytes) {
  op o;
  o.kind = op_kind::from_host;
  o.outs = {id};
  o.shape = shape;
  o.types = {type};
  o.host = std::move(bytes);
  return o;
}

}  // namespace shoal
