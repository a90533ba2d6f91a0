#include "scheduler/exchange_plan.hpp"

#include <gtest/gtest.h>

#include "arrays/errors.hpp"

namespace shoal {
namespace {

gpu_piece piece(int from, int to, shard_key key, piece_tag tag, std::int64_t offset = 0) {
  return gpu_piece{from, to, {key, offset, {1}}, dtype::float32, {4}, tag};
}

const exchange_task& of(const std::vector<std::pair<int, exchange_task>>& x, int actor) {
  for (auto& [a, t] : x)
    if (a == actor) return t;
  throw std::out_of_range("no exchange for actor " + std::to_string(actor));
}

// Actors 5, 7, 9 are ranks 0, 1, 2.
const std::vector<int> group = {5, 7, 9};

TEST(exchange_plan, pairs_sends_with_receives_in_tag_order_on_both_sides) {
  // Two pieces 5 -> 7 (planned out of tag order), one 7 -> 5: sends and receives cross.
  auto x = plan_exchange({piece(5, 7, 1, 12), piece(5, 7, 2, 11), piece(7, 5, 3, 13)}, group, 4);
  ASSERT_EQ(x.size(), 2u);  // actor 9 takes no part
  const auto& a = of(x, 5);
  const auto& b = of(x, 7);
  EXPECT_EQ(a.collective, 4u);
  EXPECT_EQ(b.collective, 4u);
  ASSERT_EQ(a.xfers.size(), 3u);
  ASSERT_EQ(b.xfers.size(), 3u);
  EXPECT_EQ(a.xfers[0].k, xfer::kind::send);  // tag 11 first
  EXPECT_EQ(a.xfers[0].src.key, 2u);
  EXPECT_EQ(a.xfers[0].peer, 1);
  EXPECT_EQ(a.xfers[0].notify.at(0).actor, 7);
  EXPECT_EQ(a.xfers[0].notify.at(0).tag, 11u);
  EXPECT_EQ(a.xfers[1].src.key, 1u);
  EXPECT_EQ(a.xfers[2].k, xfer::kind::recv);
  EXPECT_EQ(a.xfers[2].peer, 1);
  EXPECT_EQ(a.xfers[2].tags, (std::vector<piece_tag>{13}));
  EXPECT_EQ(b.xfers[0].k, xfer::kind::recv);
  EXPECT_EQ(b.xfers[0].tags, (std::vector<piece_tag>{11}));
  EXPECT_EQ(b.xfers[1].tags, (std::vector<piece_tag>{12}));
  EXPECT_EQ(b.xfers[2].k, xfer::kind::send);
  EXPECT_EQ(b.xfers[2].peer, 0);
}

TEST(exchange_plan, a_source_every_other_rank_takes_is_one_broadcast_on_every_rank) {
  // Shard 1 of actor 7: twice to actor 5, once to 9; shard 2 of actor 7 only to actor 5.
  auto x = plan_exchange({piece(7, 5, 1, 20), piece(7, 9, 1, 21), piece(7, 5, 2, 22), piece(7, 5, 1, 23)},
                         group, 1);
  ASSERT_EQ(x.size(), 3u);
  for (int actor : group) {
    const auto& t = of(x, actor);
    ASSERT_GE(t.xfers.size(), 1u);
    EXPECT_EQ(t.xfers[0].k, xfer::kind::bcast) << actor;  // broadcasts first, on every rank
    EXPECT_EQ(t.xfers[0].peer, 1);                       // from rank 1 (actor 7)
  }
  EXPECT_EQ(of(x, 5).xfers[0].tags, (std::vector<piece_tag>{20, 23}));  // one buffer, two pieces
  EXPECT_EQ(of(x, 9).xfers[0].tags, (std::vector<piece_tag>{21}));
  const auto& root = of(x, 7).xfers[0];
  EXPECT_TRUE(root.tags.empty());
  EXPECT_EQ(root.src.key, 1u);
  ASSERT_EQ(root.notify.size(), 3u);
  EXPECT_EQ(root.notify[1].actor, 9);
  EXPECT_EQ(root.notify[1].tag, 21u);
  // shard 2 goes to actor 5 alone: a send and a receive after the broadcast
  ASSERT_EQ(of(x, 7).xfers.size(), 2u);
  EXPECT_EQ(of(x, 7).xfers[1].k, xfer::kind::send);
  EXPECT_EQ(of(x, 5).xfers[1].k, xfer::kind::recv);
  EXPECT_EQ(of(x, 9).xfers.size(), 1u);
}

TEST(exchange_plan, different_elements_of_one_shard_are_different_sources) {
  auto x = plan_exchange({piece(5, 7, 1, 1, 0), piece(5, 9, 1, 2, 4)}, group, 1);
  for (auto& [a, t] : x)
    for (auto& xf : t.xfers) EXPECT_NE(xf.k, xfer::kind::bcast);
}

TEST(exchange_plan, one_rank_sends_to_itself_and_broadcasts_what_it_takes_twice) {
  auto x = plan_exchange({piece(5, 5, 1, 1), piece(5, 5, 2, 2), piece(5, 5, 2, 3)}, {5}, 2);
  ASSERT_EQ(x.size(), 1u);
  const auto& t = x[0].second;
  ASSERT_EQ(t.xfers.size(), 3u);
  EXPECT_EQ(t.xfers[0].k, xfer::kind::bcast);  // shard 2, taken twice
  EXPECT_EQ(t.xfers[0].tags, (std::vector<piece_tag>{2, 3}));
  EXPECT_EQ(t.xfers[0].notify.size(), 2u);
  EXPECT_EQ(t.xfers[1].k, xfer::kind::send);
  EXPECT_EQ(t.xfers[2].k, xfer::kind::recv);
}

TEST(exchange_plan, an_actor_outside_the_group_is_a_plan_error) {
  EXPECT_THROW(plan_exchange({piece(5, 6, 1, 1)}, group, 1), error);
  EXPECT_TRUE(plan_exchange({}, group, 1).empty());
}

}  // namespace
}  // namespace shoal
