// The pinned staging pool: blocks are reused by size class, idle bytes stay bounded, large
// requests are refused (the backend uses pageable memory there), and threads may share it.
#include <gtest/gtest.h>

#include <cstring>
#include <thread>
#include <vector>

#include "arrays/cuda/device.hpp"
#include "arrays/cuda/pinned_pool.hpp"
#include "arrays/errors.hpp"

namespace shoal::cuda {
namespace {

#define SHOAL_REQUIRE_GPU() \
  if (device_count() == 0) GTEST_SKIP() << "no CUDA device visible"

pinned_pool::limits small_limits() {
  pinned_pool::limits l;
  l.min_block = 4096;
  l.max_block = 1 << 20;
  l.max_cached = 3 << 20;
  return l;
}

TEST(PinnedPool, ReusesReleasedBlocksOfTheSameClass) {
  SHOAL_REQUIRE_GPU();
  auto pool = pinned_pool::create(small_limits());
  std::byte* first = nullptr;
  {
    buffer_ptr a = pool->acquire(5000);  // class 8192
    ASSERT_NE(a->data(), nullptr);
    EXPECT_EQ(a->bytes(), 5000u);
    EXPECT_EQ(a->device(), -1);
    std::memset(a->data(), 7, a->bytes());
    first = a->data();
  }
  EXPECT_EQ(pool->cached_bytes(), 8192u);
  buffer_ptr b = pool->acquire(8000);  // same class: the same block again
  EXPECT_EQ(b->data(), first);
  EXPECT_EQ(pool->allocations(), 1u);
  EXPECT_EQ(pool->cached_bytes(), 0u);
  buffer_ptr c = pool->acquire(100);  // another class: a new block
  EXPECT_NE(c->data(), first);
  EXPECT_EQ(pool->allocations(), 2u);
  EXPECT_EQ(pool->block_size(100), 4096u);
  EXPECT_EQ(pool->block_size(4097), 8192u);
}

TEST(PinnedPool, BlocksArePinnedAndCopyAtFullSpeedPaths) {
  SHOAL_REQUIRE_GPU();
  auto pool = pinned_pool::create(small_limits());
  buffer_ptr h = pool->acquire(1 << 20);
  cudaPointerAttributes attr{};
  check(cudaPointerGetAttributes(&attr, h->data()), "cudaPointerGetAttributes");
  EXPECT_EQ(attr.type, cudaMemoryTypeHost);
  stream st;
  device_buffer d(h->bytes(), st.get());
  for (std::size_t i = 0; i < h->bytes(); ++i) h->data()[i] = std::byte(i * 31);
  check(cudaMemcpyAsync(d.data(), h->data(), h->bytes(), cudaMemcpyHostToDevice, st.get()), "H2D");
  buffer_ptr back = pool->acquire(1 << 20);
  check(cudaMemcpyAsync(back->data(), d.data(), h->bytes(), cudaMemcpyDeviceToHost, st.get()), "D2H");
  st.synchronize();
  EXPECT_EQ(std::memcmp(back->data(), h->data(), h->bytes()), 0);
}

TEST(PinnedPool, IdleBytesStayBoundedAndLargeRequestsAreRefused) {
  SHOAL_REQUIRE_GPU();
  auto pool = pinned_pool::create(small_limits());
  {
    std::vector<buffer_ptr> held;
    for (int i = 0; i < 6; ++i) held.push_back(pool->acquire(1 << 20));
  }  // six 1 MiB blocks released into a pool that keeps at most 3 MiB
  EXPECT_EQ(pool->cached_bytes(), 3u << 20);
  EXPECT_FALSE(pool->pooled((1 << 20) + 1));
  EXPECT_THROW(pool->acquire((1 << 20) + 1), error);
  EXPECT_EQ(pool->acquire(0)->bytes(), 0u);
}

TEST(PinnedPool, ThreadsShareOnePool) {
  SHOAL_REQUIRE_GPU();
  auto pool = pinned_pool::create(small_limits());
  std::vector<std::thread> threads;
  std::vector<int> bad(8, 0);
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        buffer_ptr b = pool->acquire(std::size_t(1000 + 997 * ((t + i) % 50)));
        std::memset(b->data(), t, b->bytes());
        for (std::size_t j = 0; j < b->bytes(); j += 97)
          if (b->data()[j] != std::byte(t)) ++bad[t];  // another thread wrote our block
      }
    });
  for (auto& th : threads) th.join();
  for (int t = 0; t < 8; ++t) EXPECT_EQ(bad[t], 0);
  EXPECT_LE(pool->cached_bytes(), pool->config().max_cached);
  EXPECT_LT(pool->allocations(), 8u * 200u);  // blocks were reused
}

TEST(PinnedPool, TheSharedPoolOutlivesItsBuffers) {
  SHOAL_REQUIRE_GPU();
  buffer_ptr b = pinned_pool::shared()->acquire(64);
  EXPECT_EQ(b->bytes(), 64u);
}

}  // namespace
}  // namespace shoal::cuda
