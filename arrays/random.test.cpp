#include "arrays/random.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "arrays/errors.hpp"
#include "arrays/tiling.hpp"

namespace shoal {
namespace {

TEST(random, philox_known_answers) {
  // Random123 kat_vectors: philox4x32 10 rounds
  EXPECT_EQ(philox4x32({0, 0, 0, 0}, {0, 0}),
            (std::array<std::uint32_t, 4>{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}));
  EXPECT_EQ(philox4x32({0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, {0xffffffff, 0xffffffff}),
            (std::array<std::uint32_t, 4>{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}));
  EXPECT_EQ(philox4x32({0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0}),
            (std::array<std::uint32_t, 4>{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}));
}

template <class T>
std::vector<T> draw(random_kind k, dtype t, const random_params& p, const shape_t& s,
                    std::uint64_t seed = 42, std::uint64_t stream = 0) {
  std::vector<T> v(std::size_t(numel(s)));
  fill_random(k, t, p, seed, stream, s, full_box(s), v.data());
  return v;
}

template <class T> std::pair<double, double> moments(const std::vector<T>& v) {
  double m = 0, q = 0;
  for (T x : v) m += double(x);
  m /= double(v.size());
  for (T x : v) q += (double(x) - m) * (double(x) - m);
  return {m, q / double(v.size())};
}

TEST(random, uniform_range_and_moments) {
  random_params p;
  p.lo = -2, p.hi = 3;
  auto d = draw<double>(random_kind::uniform, dtype::float64, p, {100000});
  auto f = draw<float>(random_kind::uniform, dtype::float32, p, {100000});
  for (double x : d) ASSERT_TRUE(x >= -2 && x < 3);
  for (float x : f) ASSERT_TRUE(x >= -2 && x < 3);
  auto [m, v] = moments(d);
  EXPECT_NEAR(m, 0.5, 0.05);
  EXPECT_NEAR(v, 25.0 / 12, 0.1);
  auto [mf, vf] = moments(f);
  EXPECT_NEAR(mf, 0.5, 0.05);
  EXPECT_NEAR(vf, 25.0 / 12, 0.1);
}

TEST(random, normal_moments) {
  random_params p;  // lo = 0, hi = 1: standard
  for (dtype t : {dtype::float32, dtype::float64}) {
    std::vector<double> v(100000);
    if (t == dtype::float32) {
      auto f = draw<float>(random_kind::standard_normal, t, p, {100000});
      v.assign(f.begin(), f.end());
    } else {
      v = draw<double>(random_kind::standard_normal, t, p, {100000});
    }
    auto [m, var] = moments(v);
    EXPECT_NEAR(m, 0, 0.02);
    EXPECT_NEAR(var, 1, 0.03);
    for (double x : v) ASSERT_TRUE(std::isfinite(x));
  }
}

TEST(random, integers_range_and_moments) {
  random_params p;
  p.ilo = -3, p.ihi = 7;
  auto v = draw<std::int64_t>(random_kind::integers, dtype::int64, p, {100000});
  std::vector<int> hist(10);
  for (auto x : v) {
    ASSERT_TRUE(x >= -3 && x < 7);
    ++hist[std::size_t(x + 3)];
  }
  for (int h : hist) EXPECT_NEAR(h, 10000, 600);
  auto [m, var] = moments(v);
  EXPECT_NEAR(m, 1.5, 0.05);
  EXPECT_NEAR(var, 99.0 / 12, 0.2);
  p.ilo = 0, p.ihi = 2;
  auto b = draw<std::uint8_t>(random_kind::integers, dtype::bool_, p, {1000});
  for (auto x : b) ASSERT_LE(x, 1);
  p.ilo = std::numeric_limits<std::int64_t>::min(), p.ihi = std::numeric_limits<std::int64_t>::max();
  auto w = draw<std::int64_t>(random_kind::integers, dtype::int64, p, {1000});
  int neg = 0;
  for (auto x : w) neg += x < 0;
  EXPECT_NEAR(neg, 500, 100);
}

TEST(random, tiling_independent_and_streams_differ) {
  random_params p;
  p.ilo = 0, p.ihi = 1000;
  const shape_t s{7, 13};
  for (random_kind k : {random_kind::uniform, random_kind::standard_normal, random_kind::integers})
    for (dtype t : {dtype::float32, dtype::float64, dtype::int32}) {
      if (k != random_kind::integers && t == dtype::int32) continue;
      const std::size_t isz = itemsize(t);
      std::vector<std::byte> whole(std::size_t(numel(s)) * isz), tiled(whole.size());
      fill_random(k, t, p, 7, 3, s, full_box(s), whole.data());
      const tiling tl{s, {3, 5}};
      for (std::int64_t i = 0; i < tl.count(); ++i) {
        const box b = tl.tile_box(i);
        std::vector<std::byte> part(std::size_t(b.size()) * isz);
        fill_random(k, t, p, 7, 3, s, b, part.data());
        const shape_t ext = b.extent();
        for (std::int64_t r = 0; r < ext[0]; ++r)
          std::memcpy(tiled.data() + ((b.lo[0] + r) * s[1] + b.lo[1]) * std::int64_t(isz),
                      part.data() + r * ext[1] * std::int64_t(isz), std::size_t(ext[1]) * isz);
      }
      EXPECT_EQ(whole, tiled);
      std::vector<std::byte> other(whole.size());
      fill_random(k, t, p, 7, 4, s, full_box(s), other.data());
      EXPECT_NE(whole, other);
      fill_random(k, t, p, 8, 3, s, full_box(s), other.data());
      EXPECT_NE(whole, other);
    }
}

TEST(random, errors_and_edge_shapes) {
  random_params p;
  std::int32_t x;
  EXPECT_THROW(fill_random(random_kind::uniform, dtype::int32, p, 1, 0, {1}, full_box({1}), &x),
               error);
  p.ilo = 5, p.ihi = 5;
  EXPECT_THROW(fill_random(random_kind::integers, dtype::int32, p, 1, 0, {1}, full_box({1}), &x),
               error);
  double d = -1;
  fill_random(random_kind::uniform, dtype::float64, random_params{}, 1, 0, {}, full_box({}), &d);
  EXPECT_TRUE(d >= 0 && d < 1);
  fill_random(random_kind::uniform, dtype::float64, random_params{}, 1, 0, {0}, full_box({0}), &d);
}

}  // namespace
}  // namespace shoal
