#pragma once
/// env_us: a duration in microseconds from the environment, for the knobs that tune how long a
/// thread stays awake ($SHOAL_SPIN_US, $SHOAL_YIELD_US, $SHOAL_LINGER_US).
#include <algorithm>
#include <cstdlib>
#include <string>

namespace shoal {

/// The non-negative integer in $`name`, or -1 when it is unset, empty or not a number.
inline long long env_us(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return -1;
  try {
    return std::max(0LL, std::stoll(v));
  } catch (...) {
    return -1;
  }
}

}  // namespace shoal
