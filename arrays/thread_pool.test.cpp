#include "arrays/thread_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <vector>

namespace shoal {
namespace {

TEST(thread_pool, runs_every_chunk_once) {
  for (int threads : {0, 1, 2, 4}) {
    thread_pool pool(threads);
    EXPECT_EQ(pool.size(), std::max(threads, 1));
    for (std::int64_t n : {0, 1, 2, 7, 1000}) {
      std::vector<std::atomic<int>> hits(static_cast<std::size_t>(n));
      pool.parallel_for(n, [&](std::int64_t c) { hits[std::size_t(c)]++; });
      for (auto& h : hits) EXPECT_EQ(h.load(), 1);
    }
  }
}

TEST(thread_pool, rethrows_in_caller) {
  thread_pool pool(3);
  EXPECT_THROW(pool.parallel_for(100,
                                 [](std::int64_t c) {
                                   if (c == 42) throw std::runtime_error("boom");
                                 }),
               std::runtime_error);
  // still usable afterwards
  std::atomic<int> sum{0};
  pool.parallel_for(10, [&](std::int64_t c) { sum += int(c); });
  EXPECT_EQ(sum.load(), 45);
}

TEST(thread_pool, nested_and_concurrent_callers) {
  thread_pool pool(3);
  std::atomic<std::int64_t> total{0};
  pool.parallel_for(8, [&](std::int64_t) {
    pool.parallel_for(8, [&](std::int64_t c) { total += c; });
  });
  EXPECT_EQ(total.load(), 8 * 28);
  std::atomic<std::int64_t> t2{0};
  std::vector<std::thread> callers;
  for (int k = 0; k < 4; ++k)
    callers.emplace_back([&] {
      for (int r = 0; r < 50; ++r) pool.parallel_for(5, [&](std::int64_t c) { t2 += c; });
    });
  for (auto& t : callers) t.join();
  EXPECT_EQ(t2.load(), 4 * 50 * 10);
}

}  // namespace
}  // namespace shoal
