#include "arrays/fill.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "arrays/errors.hpp"
#include "arrays/tiling.hpp"

namespace shoal {
namespace {

const dtype all[] = {dtype::bool_, dtype::int32, dtype::int64, dtype::float32, dtype::float64};

/// Fills the whole array as one tile and as a tiling; returns both images.
std::pair<std::vector<std::byte>, std::vector<std::byte>> whole_vs_tiled(fill_kind k, dtype t,
                                                                         const fill_params& p,
                                                                         const shape_t& shape,
                                                                         const shape_t& tile) {
  const std::size_t isz = itemsize(t);
  const std::int64_t n = numel(shape);
  std::vector<std::byte> whole(std::size_t(n) * isz + 1), tiled(whole.size());
  fill_tile(k, t, p, shape, full_box(shape), whole.data());
  const tiling tl{shape, tile};
  const shape_t cs = c_strides(shape);
  for (std::int64_t i = 0; i < tl.count(); ++i) {
    const box b = tl.tile_box(i);
    std::vector<std::byte> part(std::size_t(b.size()) * isz);
    fill_tile(k, t, p, shape, b, part.data());
    // scatter rows of the tile into the global image
    const shape_t ext = b.extent();
    for (std::int64_t r = 0; r < b.size() / ext.back(); ++r) {
      std::int64_t rem = r, g = 0;
      for (std::size_t d = ext.size() - 1; d-- > 0;) {
        g += (b.lo[d] + rem % ext[d]) * cs[d];
        rem /= ext[d];
      }
      g += b.lo.back();
      std::memcpy(tiled.data() + g * isz, part.data() + r * ext.back() * isz,
                  std::size_t(ext.back()) * isz);
    }
  }
  return {whole, tiled};
}

TEST(fill, tiling_independent_every_kind_and_dtype) {
  fill_params p;
  p.fa = -1.25, p.fb = 0.5, p.ia = -7, p.ib = 3, p.count = 91, p.k = 2;
  for (auto k : {fill_kind::full, fill_kind::arange, fill_kind::linspace, fill_kind::eye})
    for (dtype t : all) {
      auto [w, tl] = whole_vs_tiled(k, t, p, {7, 13}, {3, 5});
      EXPECT_EQ(w, tl) << int(k) << " " << dtype_name(t);
    }
}

TEST(fill, arange_matches_numpy) {
  fill_params p;
  p.fa = 0.1, p.fb = 0.3;
  std::vector<float> f(7);
  fill_tile(fill_kind::arange, dtype::float32, p, {7}, full_box({7}), f.data());
  // np.arange(0.1, 2.0, 0.3, dtype=np.float32)
  const float ef[] = {0.1f, 0.4f, 0.70000005f, 1.0f, 1.3000001f, 1.6f, 1.9000001f};
  for (int i = 0; i < 7; ++i) EXPECT_EQ(f[i], ef[i]) << i;
  std::vector<double> d(7);
  fill_tile(fill_kind::arange, dtype::float64, p, {7}, full_box({7}), d.data());
  EXPECT_EQ(d[4], 0.1 + 4 * ((0.1 + 0.3) - 0.1));  // NumPy: 1.3000000000000003
  p.ia = 5, p.ib = -2;
  std::vector<std::int32_t> v(4);
  fill_tile(fill_kind::arange, dtype::int32, p, {4}, full_box({4}), v.data());
  EXPECT_EQ(v, (std::vector<std::int32_t>{5, 3, 1, -1}));
}

TEST(fill, linspace_matches_numpy) {
  fill_params p;
  p.fa = 0, p.fb = 1, p.count = 7;
  std::vector<float> f(7);
  fill_tile(fill_kind::linspace, dtype::float32, p, {7}, full_box({7}), f.data());
  const float ef[] = {0.f, 0.16666667f, 0.33333334f, 0.5f, 0.6666667f, 0.8333333f, 1.f};
  for (int i = 0; i < 7; ++i) EXPECT_EQ(f[i], ef[i]);
  p.fa = -3, p.fb = 7.5, p.count = 6;
  std::vector<std::int64_t> v(6);
  fill_tile(fill_kind::linspace, dtype::int64, p, {6}, full_box({6}), v.data());
  EXPECT_EQ(v, (std::vector<std::int64_t>{-3, -1, 1, 3, 5, 7}));
  p.fa = 2, p.fb = 3, p.count = 5, p.endpoint = false;
  std::vector<double> d(5);
  fill_tile(fill_kind::linspace, dtype::float64, p, {5}, full_box({5}), d.data());
  EXPECT_EQ(d, (std::vector<double>{2.0, 2.2, 2.4, 2.6, 2.8}));
  p.count = 1, p.endpoint = true;
  fill_tile(fill_kind::linspace, dtype::float64, p, {1}, full_box({1}), d.data());
  EXPECT_EQ(d[0], 2.0);
}

TEST(fill, eye_full_zero_d_empty) {
  fill_params p;
  p.k = -1;
  std::vector<std::uint8_t> e(12);
  fill_tile(fill_kind::eye, dtype::bool_, p, {3, 4}, full_box({3, 4}), e.data());
  EXPECT_EQ(e, (std::vector<std::uint8_t>{0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0}));
  p.fa = 2.5, p.ia = 9;
  double d = 0;
  fill_tile(fill_kind::full, dtype::float64, p, {}, full_box({}), &d);
  EXPECT_EQ(d, 2.5);
  std::int64_t i = 0;
  fill_tile(fill_kind::arange, dtype::int64, p, {}, full_box({}), &i);
  EXPECT_EQ(i, 9);
  std::int32_t untouched = 42;
  fill_tile(fill_kind::full, dtype::int32, p, {0, 3}, full_box({0, 3}), &untouched);
  EXPECT_EQ(untouched, 42);
  EXPECT_THROW(fill_tile(fill_kind::eye, dtype::int32, p, {3}, full_box({3}), &untouched), error);
}

}  // namespace
}  // namespace shoal
