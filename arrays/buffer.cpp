/// 64-byte aligned host buffers; large ones on transparent huge pages.
#include "arrays/buffer.hpp"

#include <sys/mman.h>
#include <sys/sysinfo.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <string>
#include <utility>

#include "arrays/errors.hpp"

namespace shoal {
namespace {

/// From this size on, buffers are 2 MiB aligned and advised onto huge pages (as NumPy does):
/// a fresh 64 MiB shard then takes 32 page faults to touch instead of 16384, which is most
/// of the cost of writing a new large array.
constexpr std::size_t huge_threshold = std::size_t{4} << 20;
constexpr std::size_t huge_page = std::size_t{2} << 20;

/// RAM plus swap, or the cgroup's memory limit when lower (0: unknown). A kernel that
/// overcommits hands out any size, and the first touch of more than this gets the process
/// killed instead of an exception: shards are always written, so refuse such a size up front.
std::size_t memory_ceiling() {
  static const std::size_t ceiling = [] {
    std::size_t total = 0;
    struct sysinfo si {};
    if (sysinfo(&si) == 0)
      total = (static_cast<std::size_t>(si.totalram) + si.totalswap) * std::max<unsigned>(si.mem_unit, 1);
    std::ifstream cg("/sys/fs/cgroup/memory.max");  // cgroup v2; "max" when unlimited
    std::size_t limit = 0;
    if (cg >> limit && limit > 0 && (total == 0 || limit < total)) total = limit;
    return total;
  }();
  return ceiling;
}

}  // namespace

std::size_t host_memory_ceiling() { return memory_ceiling(); }

buffer::buffer(std::size_t bytes) : bytes_(bytes) {
  void* p = nullptr;
  const bool huge = bytes >= huge_threshold;
  if (const std::size_t cap = memory_ceiling(); cap > 0 && bytes > cap)
    throw_error(errc::memory_error, "Unable to allocate " + std::to_string(bytes) +
                                        " bytes for a host buffer (more than the machine's " +
                                        std::to_string(cap) + " bytes of memory)");
  // posix_memalign takes any size (aligned_alloc wants a multiple of the alignment); one byte
  // at least so that an empty buffer still has a distinct, valid pointer.
  if (posix_memalign(&p, huge ? huge_page : 64, bytes == 0 ? 1 : bytes) != 0 || p == nullptr)
    throw_error(errc::memory_error,
                "Unable to allocate " + std::to_string(bytes) + " bytes for a host buffer");
#ifdef MADV_HUGEPAGE
  if (huge) madvise(p, bytes / huge_page * huge_page, MADV_HUGEPAGE);  // a hint; failure is fine
#endif
  data_ = static_cast<std::byte*>(p);
}

buffer::buffer(std::byte* data, std::size_t bytes, int device, std::function<void(std::byte*)> release)
    : data_(data), bytes_(bytes), device_(device), release_(std::move(release)) {}

buffer::~buffer() {
  if (release_) release_(data_);
  else std::free(data_);
}

}  // namespace shoal
