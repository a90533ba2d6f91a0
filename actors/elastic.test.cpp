// Actors join and drain a running embedded cluster: shards move between ops, results stay
// bit-identical, and no array is lost.
#include <gtest/gtest.h>

#include <functional>
#include <vector>

#include "actors/array.hpp"
#include "actors/runtime.hpp"
#include "actors/stencil_loop.test.hpp"
#include "actors/test_options.hpp"
#include "arrays/errors.hpp"

namespace shoal {
namespace {


class elastic_test : public ::testing::Test {
 protected:
  void TearDown() override { runtime::shutdown(); }
};

using test::loop_result;
using test::stencil_loop;

std::int64_t shards_of(const runtime_info& inf, const std::string& name) {
  for (auto& a : inf.actors)
    if (a.name == name) return a.shards;
  return -1;
}

TEST_F(elastic_test, join_rebalances_onto_the_new_actor) {
  runtime::init(test_runtime_options(2));
  array a = arange(0, 4000).astype(dtype::float64);
  std::vector<array> more;  // 2 tiles each, one per actor: 10 equal shards for 3 actors
  for (int i = 0; i < 4; ++i) more.push_back(full({4000}, static_cast<double>(i)));
  for (auto& m : more) m.wait();
  a.wait();
  const std::string name = runtime::get().add_cpu_actor();
  EXPECT_EQ(name, "cpu2");
  runtime::get().settle();
  runtime_info inf = runtime::get().info();
  ASSERT_EQ(inf.actors.size(), 3u);
  EXPECT_EQ(shards_of(inf, "cpu2"), 3);  // 10 shards: 4 + 3 + 3
  EXPECT_EQ(inf.actors[2].state, "active");
  EXPECT_GT(inf.migration.moves_done, 0);
  EXPECT_EQ(inf.migration.moves_done, inf.migration.moves_total);
  EXPECT_FALSE(inf.migration.active);
  std::vector<double> v = a.to_vector<double>();
  for (std::size_t i = 0; i < v.size(); ++i) ASSERT_EQ(v[i], static_cast<double>(i));
  // New arrays go to the new actor too, and ops across old and new owners work.
  EXPECT_EQ(more[3].to_vector<double>()[3999], 3.0);
  array b = binary(binary_op::add, a, arange(0, 4000).astype(dtype::float64));
  EXPECT_EQ(std::get<double>(reduce(reduce_kind::sum, b).item()), 3999.0 * 4000.0);
}

TEST_F(elastic_test, drain_moves_every_shard_off_and_keeps_every_array) {
  runtime::init(test_runtime_options(3));
  array a = arange(0, 3000).astype(dtype::float64);
  array b = generator(7).random({3000});
  std::vector<double> before = b.to_vector<double>();
  runtime::get().drain("cpu1");
  runtime_info inf = runtime::get().info();
  EXPECT_EQ(shards_of(inf, "cpu1"), 0);
  EXPECT_EQ(inf.actors[1].state, "left");
  EXPECT_EQ(b.to_vector<double>(), before);
  std::vector<double> v = a.to_vector<double>();
  for (std::size_t i = 0; i < v.size(); ++i) ASSERT_EQ(v[i], static_cast<double>(i));
  array c = binary(binary_op::multiply, a, 2.0);
  c.wait();
  EXPECT_EQ(shards_of(runtime::get().info(), "cpu1"), 0);  // no new shard lands there
  runtime::get().drain("cpu1");                             // again: nothing to do
  EXPECT_THROW(runtime::get().drain("nope"), error);
  runtime::get().drain("cpu0");
  EXPECT_THROW(runtime::get().drain("cpu2"), error);  // the last placed actor stays
  EXPECT_EQ(c.to_vector<double>()[2999], 5998.0);
}

TEST_F(elastic_test, stencil_loop_is_bit_identical_under_join_and_drain) {
  runtime::init(test_runtime_options(2));
  const loop_result quiet = stencil_loop(20, [](int) {});
  runtime::shutdown();
  runtime::init(test_runtime_options(2));
  const loop_result moved = stencil_loop(20, [](int i) {
    if (i == 5) runtime::get().add_cpu_actor();  // the rebalance runs under the next ops
    if (i == 12) runtime::get().drain("cpu0");
  });
  EXPECT_EQ(quiet.x, moved.x);
  EXPECT_EQ(quiet.sums, moved.sums);
  runtime_info inf = runtime::get().info();
  EXPECT_EQ(shards_of(inf, "cpu0"), 0);
  EXPECT_GT(shards_of(inf, "cpu2"), 0);  // the joined actor took shards
  // One rebalance, or two when the join's ended before the drain began: a matter of timing.
  EXPECT_GE(inf.migration.rebalances, 1);
}

}  // namespace
}  // namespace shoal
