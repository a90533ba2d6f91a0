#include "actors/linger.hpp"

#include <atomic>

#include "actors/env_number.hpp"

namespace shoal {
namespace {
std::atomic<long long> g_default_linger_us{0};
}

void set_default_linger(std::chrono::microseconds t) { g_default_linger_us.store(t.count()); }

std::chrono::microseconds linger_time() {
  static const long long from_env = env_number("SHOAL_LINGER_US");
  return std::chrono::microseconds(from_env >= 0 ? from_env : g_default_linger_us.load());
}

}  // namespace shoal
