#pragma once
/// A reusable pool of pinned (page-locked) host buffers for staging copies between host and
/// device. cudaMallocHost costs tens of microseconds to milliseconds (it maps and locks
/// pages), so paying it per piece or per read dominated small transfers; the pool keeps
/// released blocks in power-of-two size classes and hands them out again.
///
/// Bounded: at most `max_cached` bytes sit idle in the pool (a release beyond that frees the
/// block), and requests above `max_block` are not pooled (the caller is better served by
/// pageable memory there: locking a gigabyte costs more than the faster copy saves).
/// Thread safe: actors on several threads share one pool.
///
/// A buffer must stay alive until every asynchronous copy that reads or writes it has
/// completed (the GPU backend keeps staging buffers with an event until then).
///
/// Include only from .cu files or code built with SHOAL_WITH_CUDA.
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "arrays/buffer.hpp"

namespace shoal::cuda {

class pinned_pool : public std::enable_shared_from_this<pinned_pool> {
 public:
  struct limits {
    std::size_t min_block = 4096;            ///< the smallest size class
    std::size_t max_block = 64u << 20;       ///< larger requests are not pooled
    std::size_t max_cached = 512u << 20;     ///< idle bytes kept at most
  };

  /// Pools are shared (buffers they hand out return to them): use create() or shared().
  static std::shared_ptr<pinned_pool> create(limits l);
  static std::shared_ptr<pinned_pool> create() { return create(limits{}); }
  /// The process-wide pool the GPU backends use.
  static const std::shared_ptr<pinned_pool>& shared();
  ~pinned_pool();
  pinned_pool(const pinned_pool&) = delete;
  pinned_pool& operator=(const pinned_pool&) = delete;

  /// True when acquire(bytes) is served from the pool (bytes <= max_block).
  bool pooled(std::size_t bytes) const { return bytes <= limits_.max_block; }
  /// A host buffer (device() == -1) of exactly `bytes`, backed by a pinned block of its size
  /// class; the block returns to the pool when the buffer dies. bytes must be <= max_block
  /// (value_error otherwise); bytes == 0 gives an empty buffer. Throws memory_error when
  /// pinned memory cannot be had.
  buffer_ptr acquire(std::size_t bytes);

  /// Statistics (for tests and diagnostics).
  std::size_t cached_bytes() const;
  std::size_t allocations() const;  ///< cudaMallocHost calls so far
  const limits& config() const { return limits_; }
  /// The size class (block size) serving `bytes`.
  std::size_t block_size(std::size_t bytes) const;

 private:
  explicit pinned_pool(limits l);
  struct block {
    std::byte* p = nullptr;
    std::size_t size = 0;
  };
  std::size_t class_of(std::size_t size) const;  // index into free_
  block take(std::size_t size);
  void give(block b);
  static void free_block(block& b) noexcept;

  limits limits_;
  mutable std::mutex mu_;
  std::vector<std::vector<block>> free_;  // per size class, most recently released last
  std::size_t cached_ = 0;
  std::size_t allocations_ = 0;
};

}  // namespace shoal::cuda
