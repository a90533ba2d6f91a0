#include "scheduler/rebalancer.hpp"

#include <gtest/gtest.h>

namespace shoal {
namespace {

std::vector<shard_move> moves(int n, std::int64_t bytes) {
  std::vector<shard_move> v;
  for (int i = 0; i < n; ++i) v.push_back({static_cast<shard_key>(i + 1), 0, 1, bytes});
  return v;
}

TEST(Rebalancer, BytesInFlightStayWithinTheBudget) {
  rebalancer r(300);
  r.add(moves(10, 100));
  auto first = r.next();
  EXPECT_EQ(first.size(), 3u);
  EXPECT_TRUE(r.next().empty());  // nothing more until something lands
  EXPECT_EQ(r.progress().in_flight_bytes, 300);
  EXPECT_FALSE(r.done(first[0]));
  auto more = r.next();
  ASSERT_EQ(more.size(), 1u);
  EXPECT_EQ(more[0].key, 4u);
  std::int64_t landed = 1;
  std::vector<shard_move> flying{first[1], first[2], more[0]};
  bool finished = false;
  while (!flying.empty()) {
    auto m = flying.back();
    flying.pop_back();
    finished = r.done(m);
    ++landed;
    for (auto& x : r.next()) flying.push_back(x);
    EXPECT_LE(r.progress().in_flight_bytes, 300);
  }
  EXPECT_TRUE(finished);
  EXPECT_EQ(landed, 10);
  EXPECT_TRUE(r.idle());
  EXPECT_EQ(r.progress().moves_done, 10);
  EXPECT_EQ(r.progress().bytes_done, 1000);
  EXPECT_EQ(r.progress().rebalances, 1);
}

TEST(Rebalancer, AMoveAboveTheBudgetGoesAlone) {
  rebalancer r(10);
  r.add(moves(2, 100));
  auto a = r.next();
  ASSERT_EQ(a.size(), 1u);
  EXPECT_TRUE(r.next().empty());
  EXPECT_FALSE(r.done(a[0]));
  auto b = r.next();
  ASSERT_EQ(b.size(), 1u);
  EXPECT_TRUE(r.done(b[0]));
}

TEST(Rebalancer, ProgressRestartsWithANewRebalance) {
  rebalancer r(1000);
  r.add(moves(2, 10));
  for (auto& m : r.next()) r.done(m);
  EXPECT_EQ(r.progress().moves_done, 2);
  r.add(moves(1, 10));
  EXPECT_EQ(r.progress().moves_total, 1);
  EXPECT_EQ(r.progress().moves_done, 0);
  auto m = r.next();
  ASSERT_EQ(m.size(), 1u);
  EXPECT_TRUE(r.done(m[0]));
  EXPECT_EQ(r.progress().rebalances, 2);
  EXPECT_FALSE(r.done({}));  // nothing in flight: ignored
}

}  // namespace
}  // namespace shoal
