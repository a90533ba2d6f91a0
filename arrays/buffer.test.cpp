#include "arrays/buffer.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "arrays/errors.hpp"

namespace shoal {
namespace {

TEST(buffer, aligned_and_writable) {
  for (std::size_t n : {1u, 3u, 64u, 1000u, 1u << 20}) {
    buffer b(n);
    EXPECT_EQ(b.bytes(), n);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(b.data()) % 64, 0u);
    b.data()[0] = std::byte{1};
    b.data()[n - 1] = std::byte{2};
  }
}

// More than RAM plus swap is refused before any page is touched, even where the kernel would
// overcommit (the zero fill of such a shard would get the process killed).
TEST(buffer, more_than_the_machine_has_is_refused_up_front) {
  const std::size_t cap = host_memory_ceiling();
  if (cap == 0) GTEST_SKIP() << "the machine's memory size is unknown here";
  EXPECT_GT(cap, std::size_t{1} << 26);
  try {
    buffer b(cap + (std::size_t{1} << 20));
    FAIL() << "allocated more than the machine has";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::memory_error);
    EXPECT_NE(std::string(e.what()).find("more than the machine's"), std::string::npos) << e.what();
  }
  buffer ok(std::size_t{1} << 20);  // ordinary sizes are unaffected
  EXPECT_EQ(ok.bytes(), std::size_t{1} << 20);
}

TEST(buffer, zero_bytes) {
  buffer b(0);
  EXPECT_EQ(b.bytes(), 0u);
  EXPECT_NE(b.data(), nullptr);
  auto p = make_buffer(0);
  EXPECT_EQ(p->bytes(), 0u);
}

TEST(buffer, failure_is_memory_error) {
  const std::size_t huge = std::numeric_limits<std::size_t>::max() / 2;
  try {
    buffer b(huge);
    FAIL();
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::memory_error);
    EXPECT_EQ(std::string(e.what()).rfind("Unable to allocate " + std::to_string(huge) + " bytes for a host buffer", 0),
              0u)
        << e.what();
  }
}

TEST(buffer, typed_view) {
  buffer b(4 * sizeof(double));
  b.as<double>()[3] = 2.5;
  const buffer& c = b;
  EXPECT_EQ(c.as<double>()[3], 2.5);
}

}  // namespace
}  // namespace shoal
