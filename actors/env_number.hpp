#pragma once
/// env_number: a non-negative integer setting from the environment ($SHOAL_SPIN_US,
/// $SHOAL_YIELD_US, $SHOAL_LINGER_US, $SHOAL_DRAIN_GRACE_S).
#include <algorithm>
#include <cstdlib>
#include <string>

namespace shoal {

/// The non-negative integer in $`name`, or -1 when it is unset, empty or not a number.
inline long long env_number(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return -1;
  try {
    return std::max(0LL, std::stoll(v));
  } catch (...) {
    return -1;
  }
}

}  // namespace shoal
