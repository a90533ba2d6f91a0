#pragma once
/// Host memory for one shard or temporary: 64-byte aligned, owned, shared by pointer.
/// Throws shoal::error(memory_error, "Unable to allocate N bytes ...") when allocation fails.
#include <cstddef>
#include <memory>

namespace shoal {

class buffer {
 public:
  explicit buffer(std::size_t bytes);
  ~buffer();
  buffer(const buffer&) = delete;
  buffer& operator=(const buffer&) = delete;
  std::byte* data() { return data_; }
  const std::byte* data() const { return data_; }
  std::size_t bytes() const { return bytes_; }
  template <class T> T* as() { return reinterpret_cast<T*>(data_); }
  template <class T> const T* as() const { return reinterpret_cast<const T*>(data_); }

 private:
  std::byte* data_ = nullptr;
  std::size_t bytes_ = 0;
};

using buffer_ptr = std::shared_ptr<buffer>;
inline buffer_ptr make_buffer(std::size_t bytes) { return std::make_shared<buffer>(bytes); }

}  // namespace shoal
