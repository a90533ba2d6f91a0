#include "scheduler/lineage.hpp"

#include <gtest/gtest.h>

namespace shoal {
namespace {

op make(op_kind k, array_id out, std::vector<array_id> ins = {}) {
  op o;
  o.kind = k;
  o.outs = {out};
  o.shape = {4};
  o.types = {dtype::float64};
  for (auto i : ins) o.ins.push_back({i, view_map::identity({4})});
  return o;
}

TEST(Lineage, HistoryReplaysInputsFirstAndKeepsReleasedAncestors) {
  lineage l(100);
  l.record(make(op_kind::random, 1));
  l.record(make(op_kind::fill, 2));
  l.record(make(op_kind::elementwise, 3, {1, 2}));
  l.record(make(op_kind::elementwise, 4, {3, 1}));
  l.release(1);
  l.release(3);
  auto h = l.history(4);
  ASSERT_EQ(h.size(), 4u);
  EXPECT_EQ(h.back()->outs[0], 4u);
  auto pos = [&](array_id id) {
    for (std::size_t i = 0; i < h.size(); ++i)
      if (h[i]->outs[0] == id) return static_cast<int>(i);
    return -1;
  };
  EXPECT_LT(pos(1), pos(3));
  EXPECT_LT(pos(2), pos(3));
  EXPECT_LT(pos(3), pos(4));
  EXPECT_EQ(l.depth(4), 2);
  EXPECT_EQ(l.depth(1), -1);  // released: no longer live, only an ancestor
  l.release(4);
  l.release(2);
  EXPECT_EQ(l.ops_held(), 0u);
}

TEST(Lineage, HostDataStaysInTheDriverWithItsOp) {
  lineage l(10);
  op h = make(op_kind::from_host, 1);
  auto bytes = std::make_shared<const buffer>(32);
  h.host = bytes;
  l.record(h);
  l.record(make(op_kind::elementwise, 2, {1}));
  l.release(1);
  auto hist = l.history(2);
  ASSERT_EQ(hist.size(), 2u);
  EXPECT_EQ(hist[0]->host, bytes);  // the replica lineage cannot rebuild
}

// x = f(x) 10,000 times with a checkpoint whenever one is due: the ops held stay bounded.
TEST(Lineage, CheckpointsBoundTheHistoryOfALongLoop) {
  const int every = 16;
  lineage l(every);
  l.record(make(op_kind::random, 1));
  std::size_t most = 0;
  for (array_id x = 1; x < 10000; ++x) {
    l.record(make(op_kind::elementwise, x + 1, {x}));
    l.release(x);
    for (auto id : l.due()) l.checkpointed(id);
    most = std::max(most, l.ops_held());
    ASSERT_LT(l.depth(x + 1), every);
  }
  EXPECT_LE(most, static_cast<std::size_t>(every));
  EXPECT_EQ(l.live(), 1u);
  EXPECT_LE(l.history(10000).size(), static_cast<std::size_t>(every));
}

}  // namespace
}  // namespace shoal
