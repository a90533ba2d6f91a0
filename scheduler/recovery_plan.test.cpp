// Recovery planning: which shards an actor loss takes, and the replay that rebuilds them.
#include "scheduler/recovery_plan.hpp"

#include <gtest/gtest.h>

#include <variant>

namespace shoal {
namespace {

op fill(array_id id, shape_t shape, double v) {
  op o;
  o.kind = op_kind::fill;
  o.outs = {id};
  o.shape = std::move(shape);
  o.types = {dtype::float64};
  o.fill_p.fa = v;
  return o;
}

/// out = in[lo:hi] copied into a new array (an assemble of pieces).
op copy_of(array_id out, array_id in, const shape_t& shape) {
  op o;
  o.kind = op_kind::assemble;
  o.outs = {out};
  o.shape = shape;
  o.types = {dtype::float64};
  o.ins = {{in, view_map::identity(shape)}};
  o.placement = {shape_t(shape.size(), 0)};
  return o;
}

planner three() {
  planner_config c;
  c.n_actors = 3;
  c.min_tile_elems = 4;
  return planner(c);
}

template <class T> std::size_t count(const task_lists& ls) {
  std::size_t n = 0;
  for (auto& l : ls)
    for (auto& t : l) n += std::holds_alternative<T>(t) ? 1 : 0;
  return n;
}

TEST(RecoveryPlan, LostShardsAreOnTheDeadActorOrMissingFromTheirOwner) {
  planner p = three();
  task_lists l;
  p.plan(fill(1, {12}, 1), l);
  const array_entry e = p.dir().at(1);
  ASSERT_EQ(e.keys.size(), 3u);
  // actor 1 died; actor 2 never ran its fill (a reset dropped it) and holds a stray key 99
  // and an old copy of tile 0 (a move from 2 to 0 whose free was dropped).
  std::map<int, std::set<shard_key>> held{{0, {e.keys[0]}}, {2, {99, e.keys[0]}}};
  auto lost = find_lost(p.dir(), {1}, held);
  EXPECT_EQ(lost, (std::set<shard_key>{e.keys[1], e.keys[2]}));
  auto orphans = find_orphans(p.dir(), held);
  ASSERT_EQ(orphans.size(), 1u);
  EXPECT_EQ(orphans[2], (std::vector<shard_key>{e.keys[0], 99}));
}

TEST(RecoveryPlan, ReplaysLineageOntoSurvivorsAndRestoresEachLostKey) {
  planner p = three();
  lineage hist(100);
  task_lists l;
  for (const op& o : {fill(1, {12}, 2), copy_of(2, 1, {12})}) {
    p.plan(o, l);
    hist.record(o);
  }
  p.release(1, l);  // 2 descends from a released array: its op must be replayed too
  hist.release(1);
  const array_entry before = p.dir().at(2);
  p.set_placed(1, false);
  const std::set<int> dead{1};
  std::map<int, std::set<shard_key>> held{{0, {before.keys[0]}}, {2, {before.keys[2]}}};
  auto lost = find_lost(p.dir(), dead, held);
  ASSERT_EQ(lost, std::set<shard_key>{before.keys[1]});
  array_id temp = array_id{1} << 62;
  task_lists r;
  auto res = plan_rebuild(p, hist, lost, dead, temp, r);
  EXPECT_EQ(res.shards, 1u);
  EXPECT_EQ(res.ops_replayed, 2u);  // the fill and the copy
  EXPECT_TRUE(res.failed.empty());
  EXPECT_GT(temp, array_id{1} << 62);
  EXPECT_TRUE(r[1].empty());  // nothing for the dead actor
  const array_entry& after = p.dir().at(2);
  EXPECT_EQ(after.keys, before.keys);  // same keys: reads queued for them complete
  for (int o : after.owner) EXPECT_NE(o, 1);
  EXPECT_EQ(after.owner[0], before.owner[0]);  // intact tiles stay put
  bool restored = false;
  for (auto& ls : r)
    for (auto& t : ls)
      if (auto* a = std::get_if<assemble_task>(&t); a && a->out == before.keys[1]) restored = true;
  EXPECT_TRUE(restored);
  EXPECT_EQ(p.dir().size(), 1u);  // the temporaries are released again
  EXPECT_GT(count<free_task>(r), 0u);
}

TEST(RecoveryPlan, AnArrayWithoutLineageFailsWithItsReason) {
  planner p = three();
  lineage hist(100);
  task_lists l;
  p.plan(fill(1, {12}, 2), l);  // never recorded
  p.plan(fill(2, {12}, 3), l);
  hist.record(fill(2, {12}, 3));
  p.set_placed(0, false);
  std::map<int, std::set<shard_key>> held{{1, {}}, {2, {}}};
  auto lost = find_lost(p.dir(), {0}, held);
  array_id temp = array_id{1} << 62;
  task_lists r;
  auto res = plan_rebuild(p, hist, lost, {0}, temp, r);
  ASSERT_EQ(res.failed.size(), 1u);
  EXPECT_EQ(res.failed[0].first, 1u);
  EXPECT_NE(res.failed[0].second.find("no lineage"), std::string::npos);
  EXPECT_EQ(p.dir().find(1), nullptr);  // gone: its reads report the failure
  ASSERT_NE(p.dir().find(2), nullptr);
  for (int o : p.dir().at(2).owner) EXPECT_NE(o, 0);
}

TEST(RecoveryPlan, GatherTilesPutsEveryTileInCOrder) {
  tiling til{{4, 4}, {2, 4}};
  std::vector<buffer_ptr> tiles;
  for (int t = 0; t < 2; ++t) {
    auto b = make_buffer(8 * sizeof(double));
    for (int i = 0; i < 8; ++i) b->as<double>()[i] = t * 8 + i;
    tiles.push_back(b);
  }
  auto all = gather_tiles(til, dtype::float64, tiles);
  for (int i = 0; i < 16; ++i) EXPECT_EQ(all->as<double>()[i], i);
  op r = replica_op(7, {4, 4}, dtype::float64, all);
  EXPECT_EQ(r.kind, op_kind::from_host);
  EXPECT_EQ(r.outs, std::vector<array_id>{7});
}

}  // namespace
}  // namespace shoal
