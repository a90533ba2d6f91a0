#pragma once
/// Memory for one shard or temporary, shared by pointer. The plain constructor allocates
/// 64-byte aligned host memory and throws shoal::error(memory_error, "Unable to allocate N
/// bytes ...") when allocation fails. The other one adopts memory owned elsewhere (device
/// memory, pinned host memory): `release` frees it when the buffer dies.
#include <cstddef>
#include <functional>
#include <memory>

namespace shoal {

class buffer {
 public:
  explicit buffer(std::size_t bytes);
  /// Adopts `data` (`bytes` long) on `device` (-1 = host memory); `release(data)` frees it.
  buffer(std::byte* data, std::size_t bytes, int device, std::function<void(std::byte*)> release);
  ~buffer();
  buffer(const buffer&) = delete;
  buffer& operator=(const buffer&) = delete;
  std::byte* data() { return data_; }
  const std::byte* data() const { return data_; }
  std::size_t bytes() const { return bytes_; }
  /// The CUDA device holding the bytes, or -1 for host memory.
  int device() const { return device_; }
  template <class T> T* as() { return reinterpret_cast<T*>(data_); }
  template <class T> const T* as() const { return reinterpret_cast<const T*>(data_); }

 private:
  std::byte* data_ = nullptr;
  std::size_t bytes_ = 0;
  int device_ = -1;
  std::function<void(std::byte*)> release_;  // empty: std::free
};

/// The most host memory one buffer may take: RAM plus swap, or the cgroup's limit when lower;
/// 0 when unknown. A larger buffer is a memory_error at once (an overcommitting kernel would
/// hand it out, and writing it would get the process killed).
std::size_t host_memory_ceiling();

using buffer_ptr = std::shared_ptr<buffer>;
inline buffer_ptr make_buffer(std::size_t bytes) { return std::make_shared<buffer>(bytes); }

}  // namespace shoal
