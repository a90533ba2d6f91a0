#include "actors/spin_gate.hpp"

#include <gtest/gtest.h>

namespace shoal::client {
namespace {

TEST(spin_gate, spins_while_answers_come_during_the_spin) {
  spin_gate g;
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(g.should_spin()) << i;
    g.record(true);
  }
  EXPECT_EQ(g.credit(), spin_gate::max_credit);
  // An occasional late answer (a large read among small ones) does not stop it.
  g.record(false);
  EXPECT_TRUE(g.should_spin());
  EXPECT_EQ(g.credit(), spin_gate::max_credit - spin_gate::miss_cost);
}

TEST(spin_gate, stops_when_spins_run_out_and_probes_now_and_then) {
  spin_gate g;
  while (g.credit() > 0) {
    ASSERT_TRUE(g.should_spin());
    g.record(false);  // busy cores: the answer came after the spin
  }
  EXPECT_EQ(g.credit(), 0);
  int spun = 0;
  for (unsigned i = 0; i < 10 * spin_gate::probe_every; ++i)
    if (g.should_spin()) {
      ++spun;
      g.record(false);  // still late: stays off
    }
  EXPECT_EQ(spun, 10);  // one probe per probe_every calls
  EXPECT_EQ(g.credit(), 0);
}

TEST(spin_gate, a_quick_answer_to_a_probe_turns_spinning_back_on) {
  spin_gate g;
  for (int i = 0; i < 4; ++i) g.record(false);
  ASSERT_EQ(g.credit(), 0);
  unsigned calls = 0;
  while (!g.should_spin()) ASSERT_LT(++calls, spin_gate::probe_every);
  g.record(true);  // the cores are free again
  EXPECT_TRUE(g.should_spin());
  EXPECT_TRUE(g.should_spin());  // no probe needed while the credit lasts
}

TEST(spin_gate, mostly_late_answers_keep_it_off) {
  // 3 quick answers in 4 (below the 80% that pays for miss_cost) drain the credit.
  spin_gate g;
  int spun_late = 0;
  for (int i = 0; i < 400; ++i)
    if (g.should_spin()) {
      const bool quick = i % 4 != 0;
      g.record(quick);
      spun_late += quick ? 0 : 1;
    }
  EXPECT_LT(g.credit(), spin_gate::max_credit);
  EXPECT_LT(spun_late, 100);  // fewer late spins than calls with a late answer
}

}  // namespace
}  // namespace shoal::client
