// The task engine without CAF: the shared scenarios on two actors with CPU backends.
#include <gtest/gtest.h>

#include "actors/runner_cluster.test.hpp"

namespace shoal::test {
namespace {

TEST(task_runner, end_to_end_two_actors) {
  cluster c(2);
  scenario_end_to_end(c);
}

TEST(task_runner, int_pow_negative_exponent_fails_its_consumers) {
  cluster c(2);
  scenario_failed_inputs(c);
}

}  // namespace
}  // namespace shoal::test
