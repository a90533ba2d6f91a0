#include "actors/fault_injection.hpp"

#include <gtest/gtest.h>

#include <cstring>

namespace shoal {
namespace {

TEST(fault_injection, parses_supported_rules_and_reports_the_rest) {
  std::string why;
  auto p = parse_fault_plan(
      "dup:piece:0.25,delay:piece:3ms,delay:task:7,drop:piece:0.1,kill_after:task:50:2,kill_after:cpu1:200,"
      "dup:piece:2,drop:piece:1,kill_after:task:0",
      why);
  EXPECT_DOUBLE_EQ(p.dup_piece, 0.25);
  EXPECT_EQ(p.delay_piece.count(), 3);
  EXPECT_EQ(p.delay_task.count(), 7);
  EXPECT_DOUBLE_EQ(p.drop_piece, 0.1);
  EXPECT_EQ(p.piece_timeout.count(), 200);  // drops make pieces reliable
  EXPECT_EQ(p.kill_after_tasks, 50);
  EXPECT_EQ(p.kill_actor, 2);
  EXPECT_TRUE(p.any());
  EXPECT_EQ(why.find("drop:piece:0.1"), std::string::npos);
  EXPECT_NE(why.find("kill_after:cpu1:200"), std::string::npos);
  EXPECT_NE(why.find("dup:piece:2"), std::string::npos);   // not a probability
  EXPECT_NE(why.find("drop:piece:1'"), std::string::npos);  // every retransmit would drop too
  EXPECT_NE(why.find("kill_after:task:0"), std::string::npos);
  std::string k;
  auto q = parse_fault_plan("kill_after:task:9", k);
  EXPECT_EQ(q.kill_after_tasks, 9);
  EXPECT_EQ(q.kill_actor, 0);
  EXPECT_EQ(q.piece_timeout.count(), 0);  // no drops: no acks
  EXPECT_TRUE(k.empty());
  std::string none;
  EXPECT_FALSE(parse_fault_plan("", none).any());
  EXPECT_TRUE(none.empty());
}

}  // namespace
}  // namespace shoal

// A piece delivered twice (before and after its task ran) is stored once and then ignored.
#include "actors/task_runner.hpp"

namespace shoal {
namespace {

TEST(fault_injection, task_runner_ignores_duplicate_pieces) {
  task_runner r(0, 1, [](int, piece_msg) {});
  auto piece = [](double v) {
    piece_msg m;
    m.tag = 5;
    m.data = std::make_shared<buffer>(sizeof(double));
    std::memcpy(m.data->data(), &v, sizeof v);
    return m;
  };
  assemble_task at;
  at.out = 9;
  at.data.type = dtype::float64;
  at.data.extent = {1};
  piece_spec p;
  p.local = false;
  p.tag = 5;
  p.extent = {1};
  p.dst_strides = {1};
  at.data.pieces.push_back(p);
  r.arrive(piece(1.0));
  r.arrive(piece(2.0));  // a copy before the task runs: the first one counts
  r.push(at);
  r.pump();
  EXPECT_EQ(r.queued(), 0u);
  r.arrive(piece(3.0));  // a late copy: dropped, not kept
  EXPECT_EQ(r.duplicates(), 2u);
  double got = 0;
  r.push_read(9, true, [&](read_result res) { std::memcpy(&got, res.data->data(), sizeof got); });
  r.pump();
  EXPECT_EQ(got, 1.0);
}

}  // namespace
}  // namespace shoal
