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

op full_sum(array_id out, array_id in, shape_t shape) {
  op r;
  r.kind = op_kind::reduce;
  r.outs = {out};
  r.types = {dtype::float64};
  r.ins = {{in, view_map::identity(shape)}};
  r.red_k = reduce_kind::sum;
  r.axes.assign(shape.size(), true);
  return r;
}

/// The NCCL sequence numbers of the collective combines planned in `l`, by actor (0: none).
std::vector<std::uint64_t> collectives_of(const task_lists& l) {
  std::vector<std::uint64_t> seq(l.size(), 0);
  for (std::size_t a = 0; a < l.size(); ++a)
    for (const auto& t : l[a])
      if (auto* c = std::get_if<combine_task>(&t)) seq[a] = c->collective;
  return seq;
}

// A GPU actor that joins a running cluster enters the NCCL group as its last rank; until the
// grown group has joined its new communicator every full reduction takes the host path, and
// afterwards the collectives count from 1 again (a new communicator).
TEST(PlannerElastic, AJoiningGpuActorGrowsTheNcclGroupBetweenOps) {
  planner_config c;
  c.n_actors = 2;  // CPU actors only: no group yet
  c.min_tile_elems = 4;
  c.collective_min = 1;
  planner p(c);
  task_lists l;
  p.plan(fill(1, {16}), l);
  const int g = p.add_actor(true);
  EXPECT_FALSE(p.add_gpu_rank(7));  // no such actor
  ASSERT_TRUE(p.add_gpu_rank(g));
  EXPECT_FALSE(p.add_gpu_rank(g));  // once
  EXPECT_EQ(p.config().gpu_group, (std::vector<int>{g}));
  EXPECT_FALSE(p.collectives());
  task_lists mv;
  ASSERT_TRUE(p.move_shard({p.dir().at(1).keys[0], p.dir().at(1).owner[0], g, 64}, mv));
  task_lists host;  // planned while the group joins: no collective anywhere
  p.plan(full_sum(2, 1, {16}), host);
  EXPECT_EQ(collectives_of(host), (std::vector<std::uint64_t>{0, 0, 0}));
  p.enable_collectives();  // every rank joined
  task_lists one;
  p.plan(full_sum(3, 1, {16}), one);
  EXPECT_EQ(collectives_of(one), (std::vector<std::uint64_t>{0, 0, 1}));
  EXPECT_EQ(p.dir().at(3).owner, (std::vector<int>{g}));  // the one rank keeps the result
  // A second GPU actor: ranks 0 (g) and 1 (h), host path until they joined, then from 1 again.
  const int h = p.add_actor(true);
  ASSERT_TRUE(p.add_gpu_rank(h));
  EXPECT_EQ(p.config().gpu_group, (std::vector<int>{g, h}));
  task_lists again;
  p.plan(full_sum(5, 1, {16}), again);
  EXPECT_EQ(collectives_of(again), (std::vector<std::uint64_t>{0, 0, 0, 0}));
  p.enable_collectives();
  task_lists two;
  p.plan(full_sum(6, 1, {16}), two);
  EXPECT_EQ(collectives_of(two), (std::vector<std::uint64_t>{0, 0, 1, 1}));
}

// A drained GPU actor leaves the group: the others keep their order, collectives stay off until
// they joined a new communicator, and count from 1 again there.
TEST(PlannerElastic, ADrainedGpuActorLeavesTheNcclGroup) {
  planner_config c;
  c.n_actors = 3;
  c.gpu_group = {0, 1, 2};
  c.collective_min = 1;
  c.min_tile_elems = 4;
  planner p(c);
  p.enable_collectives();
  EXPECT_FALSE(p.remove_gpu_rank(7));
  EXPECT_TRUE(p.collectives());  // nothing changed
  EXPECT_TRUE(p.remove_gpu_rank(1));
  EXPECT_EQ(p.config().gpu_group, (std::vector<int>{0, 2}));
  EXPECT_FALSE(p.collectives());
  EXPECT_FALSE(p.remove_gpu_rank(1));
  task_lists fills;
  p.plan(fill(1, {12}), fills);
  task_lists host;
  p.plan(full_sum(2, 1, {12}), host);
  EXPECT_EQ(collectives_of(host), (std::vector<std::uint64_t>{0, 0, 0}));
  p.enable_collectives();
  task_lists two;
  p.plan(full_sum(3, 1, {12}), two);
  EXPECT_EQ(collectives_of(two), (std::vector<std::uint64_t>{1, 0, 1}));  // actor 1 takes no part
}

}  // namespace

}  // namespace shoal
