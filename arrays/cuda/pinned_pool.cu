/// The pinned host-buffer pool.
#include "arrays/cuda/pinned_pool.hpp"

#include <cuda_runtime.h>

#include <string>

#include "arrays/cuda/device.hpp"
#include "arrays/errors.hpp"

namespace shoal::cuda {

std::shared_ptr<pinned_pool> pinned_pool::create(limits l) {
  return std::shared_ptr<pinned_pool>(new pinned_pool(l));
}

const std::shared_ptr<pinned_pool>& pinned_pool::shared() {
  // Never destroyed: buffers may die during static destruction, and freeing pinned memory
  // after the CUDA runtime has shut down fails; the process exit returns the pages anyway.
  static auto* pool = new std::shared_ptr<pinned_pool>(create());
  return *pool;
}

pinned_pool::pinned_pool(limits l) : limits_(l) {
  if (limits_.min_block == 0) limits_.min_block = 1;
  if (limits_.max_block < limits_.min_block) limits_.max_block = limits_.min_block;
  std::size_t classes = 1;
  for (std::size_t s = limits_.min_block; s < limits_.max_block; s <<= 1) ++classes;
  free_.resize(classes);
}

pinned_pool::~pinned_pool() {
  for (auto& cls : free_)
    for (auto& b : cls) free_block(b);
}

std::size_t pinned_pool::block_size(std::size_t bytes) const {
  std::size_t s = limits_.min_block;
  while (s < bytes) s <<= 1;
  return s;
}

std::size_t pinned_pool::class_of(std::size_t size) const {
  std::size_t cls = 0;
  for (std::size_t s = limits_.min_block; s < size; s <<= 1) ++cls;
  return cls;
}

std::size_t pinned_pool::cached_bytes() const {
  std::lock_guard<std::mutex> g(mu_);
  return cached_;
}

std::size_t pinned_pool::allocations() const {
  std::lock_guard<std::mutex> g(mu_);
  return allocations_;
}

void pinned_pool::free_block(block& b) noexcept {
  if (b.p) (void)cudaFreeHost(b.p);
  b.p = nullptr;
}

pinned_pool::block pinned_pool::take(std::size_t size) {
  {
    std::lock_guard<std::mutex> g(mu_);
    auto& list = free_[class_of(size)];
    if (!list.empty()) {  // the most recently released block: likeliest still in cache
      block out = list.back();
      list.pop_back();
      cached_ -= out.size;
      return out;
    }
    ++allocations_;
  }
  block b;
  b.size = size;
  void* p = nullptr;
  check(cudaMallocHost(&p, size), "cudaMallocHost", size);
  b.p = static_cast<std::byte*>(p);
  return b;
}

void pinned_pool::give(block b) {
  {
    std::lock_guard<std::mutex> g(mu_);
    if (cached_ + b.size <= limits_.max_cached) {
      cached_ += b.size;
      free_[class_of(b.size)].push_back(b);
      return;
    }
  }
  free_block(b);  // the pool is full: this block goes back to the system
}

buffer_ptr pinned_pool::acquire(std::size_t bytes) {
  if (bytes == 0) return std::make_shared<buffer>(nullptr, 0, -1, [](std::byte*) {});
  if (!pooled(bytes))
    throw_error(errc::value_error, "pinned_pool: " + std::to_string(bytes) +
                                       " bytes is above the pooled maximum of " +
                                       std::to_string(limits_.max_block));
  block b = take(block_size(bytes));
  auto self = shared_from_this();
  return std::make_shared<buffer>(b.p, bytes, -1, [self, b](std::byte*) { self->give(b); });
}

}  // namespace shoal::cuda
