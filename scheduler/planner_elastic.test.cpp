// The planner when actors join and leave: shard moves and placement changes.
#include <gtest/gtest.h>

#include <variant>

#include "scheduler/planner.hpp"

namespace shoal {
namespace {

op fill(array_id id, shape_t shape) {
  op o;
  o.kind = op_kind::fill;
  o.outs = {id};
  o.shape = std::move(shape);
  o.types = {dtype::float64};
  return o;
}

planner two_actors() {
  planner_config c;
  c.n_actors = 2;
  c.min_tile_elems = 4;
  return planner(c);
}

TEST(PlannerElastic, MoveShardSendsStoresFreesAndRecordsTheNewOwner) {
  planner p = two_actors();
  task_lists l;
  p.plan(fill(1, {16}), l);
  const array_entry e = p.dir().at(1);
  ASSERT_EQ(e.keys.size(), 2u);
  const int a = p.add_actor(true);
  EXPECT_EQ(a, 2);
  task_lists m;
  ASSERT_TRUE(p.move_shard({e.keys[0], e.owner[0], a, 64}, m));
  ASSERT_EQ(m.size(), 3u);
  const auto from = static_cast<std::size_t>(e.owner[0]);
  ASSERT_EQ(m[from].size(), 2u);
  auto* s = std::get_if<send_task>(&m[from][0]);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->src.key, e.keys[0]);
  EXPECT_EQ(s->dest, a);
  ASSERT_TRUE(std::holds_alternative<free_task>(m[from][1]));
  ASSERT_EQ(m[2].size(), 1u);
  auto* at = std::get_if<assemble_task>(&m[2][0]);
  ASSERT_TRUE(at);
  EXPECT_EQ(at->out, e.keys[0]);
  ASSERT_EQ(at->data.pieces.size(), 1u);
  EXPECT_EQ(at->data.pieces[0].tag, s->tag);
  EXPECT_EQ(p.dir().at(1).owner[0], a);
  // A stale move (the shard is no longer on `from`) emits nothing.
  task_lists n;
  EXPECT_FALSE(p.move_shard({e.keys[0], e.owner[0], 1, 64}, n));
  for (auto& v : n) EXPECT_TRUE(v.empty());
}

TEST(PlannerElastic, SharedShardsMoveInEveryArray) {
  planner p = two_actors();
  task_lists l;
  p.plan(fill(1, {16}), l);
  p.plan(fill(3, {1}), l);
  op set;  // 2 = 1 with [15] = 3: only tile 1 changes, tile 0 is shared by arrays 1 and 2
  set.kind = op_kind::setitem;
  set.outs = {2};
  set.shape = {16};
  set.types = {dtype::float64};
  set.ins = {{1, view_map::identity({16})}, {3, view_map::identity({1})}};
  set.target = index_view(view_map::identity({16}), {{index_spec::slice, 0, 15, 16, {}}});
  p.plan(set, l);
  const auto key = p.dir().at(1).keys[0];
  ASSERT_EQ(p.dir().at(2).keys[0], key);
  ASSERT_NE(p.dir().at(2).keys[1], p.dir().at(1).keys[1]);
  const int a = p.add_actor(true);
  task_lists m;
  ASSERT_TRUE(p.move_shard({key, p.dir().at(1).owner[0], a, 64}, m));
  EXPECT_EQ(p.dir().at(1).owner[0], a);
  EXPECT_EQ(p.dir().at(2).owner[0], a);
}

TEST(PlannerElastic, TilingsDoNotChangeWhenActorsJoinOrLeave) {
  planner p = two_actors();
  task_lists l;
  p.plan(fill(1, {64}), l);
  p.add_actor(true);
  p.add_actor(true);
  p.plan(fill(2, {64}), l);
  EXPECT_EQ(p.dir().at(1).til.tile, p.dir().at(2).til.tile);
  p.set_placed(0, false);
  p.plan(fill(3, {64}), l);
  EXPECT_EQ(p.dir().at(3).til.tile, p.dir().at(1).til.tile);
  for (int o : p.dir().at(3).owner) EXPECT_NE(o, 0);  // a drained actor gets no new shards
  p.set_placed(1, false);
  p.set_placed(2, false);
  EXPECT_THROW(p.set_placed(3, false), error);  // the last one stays
}

TEST(PlannerElastic, DirectoryListsEveryShardOnceWithItsBytes) {
  planner p = two_actors();
  task_lists l;
  p.plan(fill(1, {10}), l);
  auto s = p.dir().shards();
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].bytes + s[1].bytes, 80);
}

}  // namespace
}  // namespace shoal
