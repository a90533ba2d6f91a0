/// 64-byte aligned host buffers.
#include "arrays/buffer.hpp"

#include <cstdlib>
#include <string>

#include "arrays/errors.hpp"

namespace shoal {

buffer::buffer(std::size_t bytes) : bytes_(bytes) {
  void* p = nullptr;
  // posix_memalign takes any size (aligned_alloc wants a multiple of the alignment); one byte
  // at least so that an empty buffer still has a distinct, valid pointer.
  if (posix_memalign(&p, 64, bytes == 0 ? 1 : bytes) != 0 || p == nullptr)
    throw_error(errc::memory_error,
                "Unable to allocate " + std::to_string(bytes) + " bytes for a host buffer");
  data_ = static_cast<std::byte*>(p);
}

buffer::~buffer() { std::free(data_); }

}  // namespace shoal
