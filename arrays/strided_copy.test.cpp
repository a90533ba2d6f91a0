#include "arrays/strided_copy.hpp"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

namespace shoal {
namespace {

/// Reference: element by element with explicit index math.
template <class T>
void ref_copy(T* dst, const shape_t& ds, const T* src, const shape_t& ss, const shape_t& shape) {
  const std::int64_t n = numel(shape);
  shape_t i(shape.size(), 0);
  for (std::int64_t e = 0; e < n; ++e) {
    std::int64_t od = 0, os = 0;
    for (std::size_t d = 0; d < shape.size(); ++d) {
      od += i[d] * ds[d];
      os += i[d] * ss[d];
    }
    dst[od] = src[os];
    for (std::size_t d = shape.size(); d-- > 0;) {
      if (++i[d] < shape[d]) break;
      i[d] = 0;
    }
  }
}

TEST(strided_copy, transpose_reverse_broadcast) {
  std::vector<double> src(6 * 5 * 4);
  std::iota(src.begin(), src.end(), 0.0);
  struct tc { shape_t shape, src_strides; std::int64_t src_off; };
  const tc cases[] = {
      {{6, 5, 4}, {20, 4, 1}, 0},      // contiguous
      {{4, 5, 6}, {1, 4, 20}, 0},      // transpose
      {{6, 5, 4}, {20, 4, -1}, 3},     // reversed inner
      {{6, 5, 4}, {-20, 4, 1}, 100},   // reversed outer
      {{6, 5, 4}, {20, 0, 1}, 0},      // broadcast middle
      {{3, 5, 2}, {40, 4, 2}, 0},      // step slicing
      {{6, 1, 4}, {20, 999, 1}, 0},    // extent-1 dim with junk stride
      {{}, {}, 7},                     // 0-d
      {{0, 3}, {3, 1}, 0},             // empty
  };
  for (const auto& c : cases) {
    const std::int64_t n = numel(c.shape);
    std::vector<double> out(std::size_t(std::max<std::int64_t>(n, 1)), -1), ref = out;
    const shape_t ds = c_strides(c.shape);
    copy_strided(out.data(), ds.data(), src.data() + c.src_off, c.src_strides.data(), c.shape,
                 sizeof(double));
    ref_copy(ref.data(), ds, src.data() + c.src_off, c.src_strides, c.shape);
    EXPECT_EQ(out, ref) << shape_str(c.shape);
  }
}

TEST(strided_copy, strided_destination_and_item_sizes) {
  std::vector<std::uint8_t> src(24);
  std::iota(src.begin(), src.end(), 0);
  std::vector<std::uint8_t> out(48, 0), ref(48, 0);
  const shape_t shape{4, 6}, ss{6, 1}, ds{12, 2};
  copy_strided(out.data(), ds.data(), src.data(), ss.data(), shape, 1);
  ref_copy(ref.data(), ds, src.data(), ss, shape);
  EXPECT_EQ(out, ref);
  std::vector<std::int32_t> s32(24), o32(24), r32(24);
  std::iota(s32.begin(), s32.end(), 0);
  const shape_t t{6, 4}, ts{1, 6};
  const shape_t dd = c_strides(t);
  copy_strided(o32.data(), dd.data(), s32.data(), ts.data(), t, 4);
  ref_copy(r32.data(), dd, s32.data(), ts, t);
  EXPECT_EQ(o32, r32);
}

}  // namespace
}  // namespace shoal
