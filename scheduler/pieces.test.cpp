#include "scheduler/pieces.hpp"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <random>
#include <vector>

namespace shoal {
namespace {

using opt = std::optional<std::int64_t>;

/// Calls f(i) for every index i of box b, in C order.
template <class F> void for_each_in(const box& b, F&& f) {
  if (b.ndim() == 0) {
    f(shape_t{});
    return;
  }
  if (b.empty()) return;
  shape_t i = b.lo;
  for (;;) {
    f(i);
    std::size_t d = b.ndim();
    while (d > 0) {
      --d;
      if (++i[d] < b.hi[d]) break;
      i[d] = b.lo[d];
      if (d == 0) return;
    }
  }
}

std::int64_t c_offset(const shape_t& shape, const shape_t& i) {
  shape_t st = c_strides(shape);
  std::int64_t f = 0;
  for (std::size_t d = 0; d < shape.size(); ++d) f += i[d] * st[d];
  return f;
}

/// Checks split_view(map, til, vb) by brute force.
void check_split(const view_map& map, const tiling& til, const box& vb) {
  const box cb = collapse_broadcast(map, vb);
  for (std::size_t o = 0; o < map.shape.size(); ++o)
    if (map.is_broadcast(o) && vb.hi[o] > vb.lo[o]) {
      ASSERT_EQ(cb.hi[o] - cb.lo[o], 1);
    }
  auto ps = split_view(map, til, vb);
  std::map<shape_t, int> hits;
  for (auto& p : ps) {
    ASSERT_GE(p.tile, 0);
    ASSERT_LT(p.tile, til.count());
    ASSERT_FALSE(p.vbox.empty() && p.vbox.ndim() > 0) << "empty piece";
    ASSERT_EQ(p.src_strides.size(), map.shape.size());
    const box tb = til.tile_box(p.tile);
    for (std::size_t o = 0; o < map.shape.size(); ++o) {
      ASSERT_GE(p.vbox.lo[o], cb.lo[o]);
      ASSERT_LE(p.vbox.hi[o], cb.hi[o]);
      if (map.is_broadcast(o)) {
        EXPECT_EQ(p.src_strides[o], 0);
      }
    }
    for_each_in(p.vbox, [&](const shape_t& i) {
      ++hits[i];
      shape_t j = map.apply(i);
      for (std::size_t d = 0; d < j.size(); ++d) {
        ASSERT_GE(j[d], tb.lo[d]);
        ASSERT_LT(j[d], tb.hi[d]);
      }
      shape_t local(j.size());
      for (std::size_t d = 0; d < j.size(); ++d) local[d] = j[d] - tb.lo[d];
      std::int64_t off = p.src_offset;
      for (std::size_t o = 0; o < i.size(); ++o) off += (i[o] - p.vbox.lo[o]) * p.src_strides[o];
      ASSERT_EQ(off, c_offset(tb.extent(), local));
    });
  }
  std::int64_t n = 0;
  for_each_in(cb, [&](const shape_t& i) {
    ++n;
    auto it = hits.find(i);
    ASSERT_TRUE(it != hits.end()) << "view index not covered";
    ASSERT_EQ(it->second, 1) << "view index covered twice";
  });
  if (cb.ndim() > 0 && cb.empty()) n = 0;
  EXPECT_EQ(static_cast<std::int64_t>(hits.size()), n);
}

index_spec I(std::int64_t i) { return {index_spec::integer, i, {}, {}, {}}; }
index_spec S(opt a = {}, opt b = {}, opt c = {}) { return {index_spec::slice, 0, a, b, c}; }
index_spec NEW() { return {index_spec::newaxis, 0, {}, {}, {}}; }

TEST(pieces, identity_over_tiles) {
  tiling til{{7, 9}, {3, 4}};
  view_map m = view_map::identity(til.shape);
  check_split(m, til, full_box(til.shape));
  check_split(m, til, box{{2, 3}, {6, 8}});
  check_split(m, til, box{{2, 3}, {2, 8}});  // empty
  // The full box of one tile is exactly that tile, offset 0, C strides.
  auto ps = split_view(m, til, til.tile_box(4));
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0].tile, 4);
  EXPECT_EQ(ps[0].src_offset, 0);
  EXPECT_EQ(ps[0].src_strides, (shape_t{4, 1}));
}

TEST(pieces, random_views_and_tilings) {
  std::mt19937_64 rng(7);
  auto rnd = [&](std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
  };
  const std::vector<shape_t> shapes{{11}, {6, 7}, {4, 5, 6}, {3, 1, 4, 2}};
  for (int trial = 0; trial < 300; ++trial) {
    const shape_t& s = shapes[static_cast<std::size_t>(trial) % shapes.size()];
    tiling til{s, shape_t(s.size())};
    for (std::size_t d = 0; d < s.size(); ++d) til.tile[d] = rnd(1, s[d]);
    view_map m = view_map::identity(s);
    // a random basic index
    std::vector<index_spec> idx;
    for (std::size_t d = 0; d < s.size(); ++d) {
      int k = static_cast<int>(rnd(0, 5));
      if (k == 0) idx.push_back(I(rnd(-s[d], s[d] - 1)));
      else if (k == 1) idx.push_back(NEW()), idx.push_back(S());
      else {
        std::int64_t st = 0;
        while (st == 0) st = rnd(-3, 3);
        auto o = [&]() -> opt { return rnd(0, 2) == 0 ? opt{} : opt{rnd(-s[d] - 1, s[d] + 1)}; };
        idx.push_back(S(o(), o(), st));
      }
    }
    m = index_view(m, idx);
    if (rnd(0, 2) == 0) m = transpose_view(m, {});
    if (rnd(0, 2) == 0) {  // broadcast: size-1 dims to 3, plus a new leading dim
      shape_t to{2};
      for (auto e : m.shape) to.push_back(e == 1 ? 3 : e);
      m = broadcast_view(m, to);
    }
    // random sub-box of the view
    box vb = full_box(m.shape);
    if (rnd(0, 1)) {
      for (std::size_t o = 0; o < m.shape.size(); ++o) {
        if (m.shape[o] == 0) continue;
        vb.lo[o] = rnd(0, m.shape[o] - 1);
        vb.hi[o] = rnd(vb.lo[o] + 1, m.shape[o]);
      }
    }
    SCOPED_TRACE("trial " + std::to_string(trial));
    check_split(m, til, vb);
    if (HasFatalFailure()) return;
  }
}

TEST(pieces, broadcast_dims_collapse) {
  // base (4,) read as (3, 4) with a broadcast leading dim, then (4, 1) -> (4, 5)
  tiling til{{4}, {3}};
  view_map m = broadcast_view(view_map::identity({4}), {3, 4});
  box cb = collapse_broadcast(m, full_box(m.shape));
  EXPECT_EQ(cb, (box{{0, 0}, {1, 4}}));
  auto ps = split_view(m, til, full_box(m.shape));
  ASSERT_EQ(ps.size(), 2u);
  EXPECT_EQ(ps[0].vbox, (box{{0, 0}, {1, 3}}));
  EXPECT_EQ(ps[1].vbox, (box{{0, 3}, {1, 4}}));
  EXPECT_EQ(ps[0].src_strides, (shape_t{0, 1}));
  check_split(m, til, box{{1, 1}, {3, 4}});

  view_map col = broadcast_view(view_map::identity({4, 1}), {4, 5});
  EXPECT_TRUE(col.is_broadcast(1));
  EXPECT_EQ(collapse_broadcast(col, box{{1, 2}, {3, 5}}), (box{{1, 2}, {3, 3}}));
  check_split(col, tiling{{4, 1}, {1, 1}}, box{{1, 2}, {3, 5}});
  // an empty broadcast range stays empty
  EXPECT_EQ(collapse_broadcast(col, box{{1, 2}, {3, 2}}), (box{{1, 2}, {3, 2}}));
  EXPECT_TRUE(split_view(col, tiling{{4, 1}, {1, 1}}, box{{1, 2}, {3, 2}}).empty());
}

TEST(pieces, zero_d) {
  tiling til{{}, {}};
  view_map m = view_map::identity({});
  auto ps = split_view(m, til, box{});
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0].tile, 0);
  EXPECT_EQ(ps[0].src_offset, 0);
  // a 0-d view of a tiled array: the one element's tile and offset
  tiling t2{{5, 6}, {2, 4}};
  view_map e = index_view(view_map::identity({5, 6}), {I(3), I(-1)});
  auto p2 = split_view(e, t2, box{});
  ASSERT_EQ(p2.size(), 1u);
  EXPECT_EQ(p2[0].tile, t2.index({1, 1}));
  EXPECT_EQ(p2[0].src_offset, 1 * 2 + 1);  // (3,5) in tile lo (2,4), extent (2,2)
}

TEST(pieces, flat_range_boxes_concatenate_to_the_range) {
  for (const shape_t& s : std::vector<shape_t>{{3, 4, 5}, {7}, {2, 3}, {2, 1, 3, 2}}) {
    const std::int64_t n = numel(s);
    for (std::int64_t first = 0; first <= n; ++first)
      for (std::int64_t count = 0; first + count <= n; ++count) {
        auto bs = flat_range_boxes(s, first, count);
        EXPECT_LE(bs.size(), 2 * s.size()) << first << "+" << count;
        std::vector<std::int64_t> got;
        for (auto& b : bs) {
          EXPECT_FALSE(b.empty());
          for_each_in(b, [&](const shape_t& i) { got.push_back(c_offset(s, i)); });
        }
        ASSERT_EQ(static_cast<std::int64_t>(got.size()), count) << shape_str(s) << " " << first << "+" << count;
        for (std::int64_t k = 0; k < count; ++k)
          ASSERT_EQ(got[static_cast<std::size_t>(k)], first + k) << shape_str(s) << " " << first << "+" << count;
      }
  }
  // whole array: one box
  auto whole = flat_range_boxes({3, 4, 5}, 0, 60);
  ASSERT_EQ(whole.size(), 1u);
  EXPECT_EQ(whole[0], full_box({3, 4, 5}));
  // 0-d
  EXPECT_EQ(flat_range_boxes({}, 0, 1).size(), 1u);
  EXPECT_TRUE(flat_range_boxes({}, 0, 0).empty());
}

TEST(pieces, box_runs) {
  std::mt19937_64 rng(3);
  auto rnd = [&](std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
  };
  for (const shape_t& s : std::vector<shape_t>{{3, 4, 5}, {9}, {2, 1, 3}, {4, 6}}) {
    for (int trial = 0; trial < 200; ++trial) {
      box b{shape_t(s.size()), shape_t(s.size())};
      for (std::size_t d = 0; d < s.size(); ++d) {
        b.lo[d] = rnd(0, s[d] - 1);
        b.hi[d] = rnd(b.lo[d] + 1, s[d]);
      }
      std::vector<std::int64_t> want;
      for_each_in(b, [&](const shape_t& i) { want.push_back(c_offset(s, i)); });
      std::vector<std::int64_t> got;
      auto runs = box_runs(s, b);
      for (std::size_t r = 0; r < runs.size(); ++r) {
        EXPECT_GT(runs[r].second, 0);
        for (std::int64_t k = 0; k < runs[r].second; ++k) got.push_back(runs[r].first + k);
        // runs are maximal: the next run never starts right where this one ends
        if (r + 1 < runs.size()) {
          EXPECT_NE(runs[r].first + runs[r].second, runs[r + 1].first);
        }
      }
      ASSERT_EQ(got, want) << shape_str(s);
    }
  }
  auto whole = box_runs({3, 4, 5}, full_box({3, 4, 5}));
  ASSERT_EQ(whole.size(), 1u);
  EXPECT_EQ(whole[0], (std::pair<std::int64_t, std::int64_t>{0, 60}));
  EXPECT_TRUE(box_runs({3, 4}, box{{1, 2}, {1, 4}}).empty());
  EXPECT_EQ(box_runs({}, box{}).size(), 1u);
}

}  // namespace
}  // namespace shoal
