// Crash recovery: a worker's reset, and actors killed under a running loop (the results
// stay bit-identical to an undisturbed run), with lineage bounded by checkpoints.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <functional>
#include <vector>

#include "actors/array.hpp"
#include "actors/runtime.hpp"
#include "actors/task_runner.hpp"
#include "actors/stencil_loop.test.hpp"
#include "actors/test_options.hpp"
#include "arrays/errors.hpp"

namespace shoal {
namespace {

piece_msg piece(piece_tag tag, double v) {
  piece_msg m;
  m.tag = tag;
  m.data = make_buffer(sizeof(double));
  std::memcpy(m.data->data(), &v, sizeof v);
  return m;
}

/// A one-element assemble waiting on piece `tag`.
assemble_task waiting_on(piece_tag tag, shard_key out) {
  assemble_task at;
  at.out = out;
  at.data.type = dtype::float64;
  at.data.extent = {1};
  piece_spec p;
  p.local = false;
  p.tag = tag;
  p.extent = {1};
  p.dst_strides = {1};
  at.data.pieces.push_back(p);
  return at;
}

// A task waits on a piece its (dead) sender will never send: reset drops it, holds the read
// queued behind it, ignores the late copy of an old piece, and resume() lets the read run
// behind the rebuild.
TEST(recovery, reset_drops_waiting_tasks_holds_reads_and_ignores_stale_pieces) {
  task_runner r(0, 1, [](int, piece_msg) {});
  r.push(waiting_on(4, 10));  // the dead actor was to send tag 4
  read_result got;
  bool answered = false;
  r.push_read(10, true, [&](read_result res) {
    got = std::move(res);
    answered = true;
  });
  r.pump();
  EXPECT_FALSE(answered);  // stuck behind the task
  auto held = r.reset(8);
  EXPECT_TRUE(held.empty());
  EXPECT_EQ(r.queued(), 0u);
  EXPECT_FALSE(answered);
  r.arrive(piece(4, 1.0));  // a stale piece: below the floor
  r.push(waiting_on(9, 10));  // the rebuild: key 10 from a new piece
  r.arrive(piece(9, 2.5));
  r.pump();
  EXPECT_FALSE(answered);  // held until resume
  r.resume();
  ASSERT_TRUE(answered);
  ASSERT_FALSE(got.err) << got.err.message;
  double v = 0;
  std::memcpy(&v, got.data->data(), sizeof v);
  EXPECT_EQ(v, 2.5);
  EXPECT_EQ(r.reset(8), std::vector<shard_key>{10});
}

class recovery_test : public ::testing::Test {
 protected:
  void TearDown() override {
    runtime::shutdown();
    unsetenv("SHOAL_CHECKPOINT_OPS");
  }
};

using test::loop_result;

/// The stencil loop with a host-data term: lineage roots of both kinds (random, host bytes).
loop_result stencil_loop(int iters, const std::function<void(int)>& step) {
  return test::stencil_loop(iters, step, true);
}

const actor_info* find(const runtime_info& inf, const std::string& name) {
  for (auto& a : inf.actors)
    if (a.name == name) return &a;
  return nullptr;
}

TEST_F(recovery_test, an_actor_killed_mid_loop_costs_nothing_but_time) {
  runtime::init(test_runtime_options(3));
  const loop_result quiet = stencil_loop(30, [](int) {});
  runtime::shutdown();
  runtime::init(test_runtime_options(3));
  const loop_result hit = stencil_loop(30, [](int i) {
    if (i == 12) runtime::get().kill_actor("cpu1");
  });
  EXPECT_EQ(hit.x, quiet.x);
  EXPECT_EQ(hit.sums, quiet.sums);
  runtime_info inf = runtime::get().info();
  const actor_info* dead = find(inf, "cpu1");
  ASSERT_NE(dead, nullptr);
  EXPECT_EQ(dead->state, "dead");
  EXPECT_GE(inf.recovery.recoveries, 1);
  EXPECT_GT(inf.recovery.shards_rebuilt, 0);
  // New arrays avoid the dead actor, and a second loss is survived too.
  array y = arange(0, 3000).astype(dtype::float64);
  runtime::get().kill_actor("cpu0");
  EXPECT_EQ(std::get<double>(reduce(reduce_kind::sum, y).item()), 2999.0 * 3000.0 / 2);
  inf = runtime::get().info();
  EXPECT_EQ(find(inf, "cpu0")->state, "dead");
  EXPECT_EQ(find(inf, "cpu2")->state, "active");
  EXPECT_EQ(find(inf, "cpu0")->shards, 0);
  EXPECT_THROW(runtime::get().kill_actor("cpu9"), error);
}

// x = x + 1 for 400 iterations with a checkpoint every 20 ops: the lineage stays small, and
// after a kill the array is rebuilt from the last replica plus the ops since.
TEST_F(recovery_test, checkpoints_bound_lineage_and_recovery_replays_from_them) {
  setenv("SHOAL_CHECKPOINT_OPS", "20", 1);
  runtime::init(test_runtime_options(2));
  array x = arange(0, 500).astype(dtype::float64);
  std::int64_t most = 0;
  for (int i = 0; i < 400; ++i) {
    x = binary(binary_op::add, x, 1.0);
    x.wait();
    if (i % 50 == 49) most = std::max(most, runtime::get().info().recovery.lineage_ops);
  }
  runtime_info inf = runtime::get().info();
  EXPECT_GT(inf.recovery.checkpoints, 0);
  EXPECT_LE(most, 2 * 20 + 2);  // about one chain of 20 ops, not 400
  runtime::get().kill_actor("cpu1");
  std::vector<double> v = x.to_vector<double>();
  for (std::size_t i = 0; i < v.size(); ++i) ASSERT_EQ(v[i], static_cast<double>(i) + 400.0);
  inf = runtime::get().info();
  EXPECT_GE(inf.recovery.recoveries, 1);
  EXPECT_LE(inf.recovery.ops_replayed, 2 * 20 + 2);  // from the replica, not from op 1
}

}  // namespace
}  // namespace shoal

namespace shoal {
namespace {

// An actor that drained holds nothing: its exit later (its node leaving) is no loss.
TEST_F(recovery_test, a_drained_actor_that_exits_is_left_not_dead) {
  runtime::init(test_runtime_options(3));
  array a = arange(0, 3000).astype(dtype::float64);
  a.wait();
  runtime::get().drain("cpu1");
  runtime::get().kill_actor("cpu1");
  EXPECT_EQ(std::get<double>(reduce(reduce_kind::sum, a).item()), 2999.0 * 3000.0 / 2);
  runtime_info inf = runtime::get().info();
  EXPECT_EQ(inf.recovery.recoveries, 0);
  EXPECT_EQ(find(inf, "cpu1")->state, "left");
}

}  // namespace
}  // namespace shoal
