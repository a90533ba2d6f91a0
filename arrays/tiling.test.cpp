#include "arrays/tiling.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace shoal {
namespace {

/// Every index of the array is covered by exactly one tile, and tile boxes agree with coords.
void expect_exact_cover(const tiling& t) {
  std::vector<int> hits(std::size_t(numel(t.shape)), 0);
  const shape_t cs = c_strides(t.shape);
  for (std::int64_t k = 0; k < t.count(); ++k) {
    EXPECT_EQ(t.index(t.coords(k)), k);
    box b = t.tile_box(k);
    ASSERT_FALSE(b.empty());
    shape_t i = b.lo;
    for (std::int64_t e = 0; e < b.size(); ++e) {
      std::int64_t flat = 0;
      for (std::size_t d = 0; d < i.size(); ++d) flat += i[d] * cs[d];
      ++hits[std::size_t(flat)];
      for (std::size_t d = i.size(); d-- > 0;) {
        if (++i[d] < b.hi[d]) break;
        i[d] = b.lo[d];
      }
    }
  }
  for (int h : hits) EXPECT_EQ(h, 1);
}

TEST(tiling, grid_count_boxes) {
  tiling t{{7, 13}, {3, 5}};
  EXPECT_EQ(t.grid(), (shape_t{3, 3}));
  EXPECT_EQ(t.count(), 9);
  EXPECT_EQ(t.tile_box(0), (box{{0, 0}, {3, 5}}));
  EXPECT_EQ(t.tile_box(8), (box{{6, 10}, {7, 13}}));
  EXPECT_EQ(t.coords(5), (shape_t{1, 2}));
  expect_exact_cover(t);
}

TEST(tiling, zero_d_and_empty) {
  tiling z{{}, {}};
  EXPECT_EQ(z.count(), 1);
  EXPECT_EQ(z.tile_box(0), full_box({}));
  EXPECT_EQ(z.overlapping(full_box({})), std::vector<std::int64_t>{0});
  tiling e{{0, 4}, {1, 4}};
  EXPECT_EQ(e.count(), 0);
  EXPECT_TRUE(e.overlapping(full_box({0, 4})).empty());
}

TEST(tiling, overlapping) {
  tiling t{{7, 13}, {3, 5}};
  EXPECT_EQ(t.overlapping(box{{2, 4}, {4, 6}}), (std::vector<std::int64_t>{0, 1, 3, 4}));
  EXPECT_EQ(t.overlapping(full_box({7, 13})).size(), 9u);
  EXPECT_TRUE(t.overlapping(box{{2, 4}, {2, 6}}).empty());
  EXPECT_EQ(t.overlapping(box{{6, 12}, {7, 13}}), std::vector<std::int64_t>{8});
  // boxes reaching past the array are clipped
  EXPECT_EQ(t.overlapping(box{{6, 12}, {100, 100}}), std::vector<std::int64_t>{8});
  // brute force against tile boxes
  for (std::int64_t l0 = 0; l0 < 7; ++l0)
    for (std::int64_t h0 = l0; h0 <= 7; ++h0)
      for (std::int64_t l1 = 0; l1 < 13; l1 += 3)
        for (std::int64_t h1 = l1; h1 <= 13; h1 += 2) {
          box b{{l0, l1}, {h0, h1}};
          std::vector<std::int64_t> ref;
          for (std::int64_t k = 0; k < t.count(); ++k)
            if (!intersect(b, t.tile_box(k)).empty()) ref.push_back(k);
          EXPECT_EQ(t.overlapping(b), ref);
        }
}

TEST(tiling, choose_small_stays_one_tile) {
  tiling t = choose_tiling({10, 10}, 1000, 4);
  EXPECT_EQ(t.count(), 1);
  EXPECT_EQ(t.tile, (shape_t{10, 10}));
  tiling z = choose_tiling({}, 1000, 4);
  EXPECT_EQ(z.count(), 1);
  tiling e = choose_tiling({0, 3}, 1000, 4);
  EXPECT_EQ(e.count(), 0);
  EXPECT_EQ(e.tile, (shape_t{1, 3}));
}

TEST(tiling, choose_splits_leading_dims) {
  tiling t = choose_tiling({1000, 1000}, 1000, 4);
  EXPECT_EQ(t.tile, (shape_t{250, 1000}));
  EXPECT_EQ(t.count(), 4);
  expect_exact_cover(t);
  tiling u = choose_tiling({4, 1000000}, 1000, 8);
  EXPECT_EQ(u.tile[0], 1);
  EXPECT_GE(u.count(), 8);
  expect_exact_cover(u);
}

TEST(tiling, choose_odd_sizes_cover_exactly) {
  const shape_t shapes[] = {{7}, {1001}, {7, 13}, {13, 7, 3}, {3, 1, 999}, {1, 1, 1}, {5, 0}};
  for (const auto& s : shapes)
    for (int actors : {1, 2, 3, 7})
      for (std::int64_t min_elems : {1, 4, 50}) {
        tiling t = choose_tiling(s, min_elems, actors, 2);
        ASSERT_EQ(t.tile.size(), s.size());
        for (auto e : t.tile) EXPECT_GE(e, 1);
        EXPECT_LE(t.count(), std::max<std::int64_t>(numel(s), 1));
        if (numel(s) > min_elems) {
          EXPECT_GE(numel(t.tile), std::min(min_elems, numel(s)));
        }
        expect_exact_cover(t);
      }
}

TEST(tiling, choose_never_more_tiles_than_elements) {
  tiling t = choose_tiling({5}, 1, 100, 4);
  EXPECT_LE(t.count(), 5);
  expect_exact_cover(t);
}

}  // namespace
}  // namespace shoal
