#include "scheduler/view.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "arrays/errors.hpp"

namespace shoal {
namespace {

using opt = std::optional<std::int64_t>;

// ---- a tiny reference: a "view" is the list of base indices of its elements, in C order

struct ref_view {
  shape_t shape;
  std::vector<shape_t> elems;  // base index of each element, C order over shape
};

/// Calls f(i) for every index i of shape, in C order.
template <class F> void for_each_index(const shape_t& s, F&& f) {
  if (numel(s) == 0) return;
  shape_t i(s.size(), 0);
  for (;;) {
    f(i);
    std::size_t d = s.size();
    while (d > 0) {
      --d;
      if (++i[d] < s[d]) break;
      i[d] = 0;
      if (d == 0) return;
    }
    if (s.empty()) return;
  }
}

std::int64_t flat(const shape_t& s, const shape_t& i) {
  std::int64_t f = 0;
  for (std::size_t d = 0; d < s.size(); ++d) f = f * s[d] + i[d];
  return f;
}

ref_view ref_identity(const shape_t& s) {
  ref_view r{s, {}};
  for_each_index(s, [&](const shape_t& i) { r.elems.push_back(i); });
  return r;
}

/// CPython's slice.indices (Objects/sliceobject.c, _PySlice_GetLongIndices), written
/// independently of normalize_slice: returns start, stop, step and the length.
slice_range py_slice_indices(opt start, opt stop, opt step_o, std::int64_t n) {
  std::int64_t step = step_o.value_or(1);
  std::int64_t lower = step < 0 ? -1 : 0, upper = step < 0 ? n - 1 : n;
  auto adj = [&](opt v, std::int64_t dflt) {
    if (!v) return dflt;
    std::int64_t x = *v;
    if (x < 0) {
      x += n;
      if (x < lower) x = lower;
    } else if (x > upper) {
      x = upper;
    }
    return x;
  };
  std::int64_t s = adj(start, step < 0 ? upper : lower);
  std::int64_t e = adj(stop, step < 0 ? lower : upper);
  std::int64_t len = 0;
  if (step < 0) {
    if (e < s) len = (s - e - 1) / (-step) + 1;
  } else if (s < e) {
    len = (e - s - 1) / step + 1;
  }
  return {s, e, step, len};
}

ref_view ref_index(const ref_view& v, const std::vector<index_spec>& idx) {
  std::size_t consumed = 0;
  for (auto& it : idx)
    if (it.kind == index_spec::integer || it.kind == index_spec::slice) ++consumed;
  std::vector<index_spec> items;
  for (auto& it : idx) {
    if (it.kind == index_spec::ellipsis) {
      for (std::size_t k = 0; k < v.shape.size() - consumed; ++k) items.push_back(index_spec{index_spec::slice, 0, {}, {}, {}});
      consumed = v.shape.size();
    } else {
      items.push_back(it);
    }
  }
  std::size_t used = 0;
  for (auto& it : items)
    if (it.kind == index_spec::integer || it.kind == index_spec::slice) ++used;
  while (used < v.shape.size()) {
    items.push_back(index_spec{index_spec::slice, 0, {}, {}, {}});
    ++used;
  }
  // the selected input indices per item
  shape_t out_shape;
  std::vector<std::vector<std::int64_t>> sel;
  std::size_t d = 0;
  for (auto& it : items) {
    std::vector<std::int64_t> s;
    if (it.kind == index_spec::newaxis) {
      out_shape.push_back(1);
    } else if (it.kind == index_spec::integer) {
      std::int64_t i = it.i < 0 ? it.i + v.shape[d] : it.i;
      s.push_back(i);
      ++d;
    } else {
      auto r = py_slice_indices(it.start, it.stop, it.step, v.shape[d]);
      for (std::int64_t k = 0; k < r.length; ++k) s.push_back(r.start + k * r.step);
      out_shape.push_back(r.length);
      ++d;
    }
    sel.push_back(std::move(s));
  }
  ref_view out{out_shape, {}};
  for_each_index(out_shape, [&](const shape_t& oi) {
    shape_t in;
    std::size_t o = 0;
    for (std::size_t k = 0; k < items.size(); ++k) {
      if (items[k].kind == index_spec::newaxis) {
        ++o;
      } else if (items[k].kind == index_spec::integer) {
        in.push_back(sel[k][0]);
      } else {
        in.push_back(sel[k][static_cast<std::size_t>(oi[o++])]);
      }
    }
    out.elems.push_back(v.elems[static_cast<std::size_t>(flat(v.shape, in))]);
  });
  return out;
}

void expect_same(const view_map& m, const ref_view& r, const std::string& what) {
  ASSERT_EQ(m.shape, r.shape) << what;
  ASSERT_EQ(m.dim.size(), m.shape.size()) << what;
  ASSERT_EQ(m.step.size(), m.shape.size()) << what;
  std::size_t k = 0;
  for_each_index(m.shape, [&](const shape_t& i) {
    EXPECT_EQ(m.apply(i), r.elems[k]) << what << " at view flat index " << k;
    ++k;
  });
}

index_spec I(std::int64_t i) { return {index_spec::integer, i, {}, {}, {}}; }
index_spec S(opt a = {}, opt b = {}, opt c = {}) { return {index_spec::slice, 0, a, b, c}; }
index_spec NEW() { return {index_spec::newaxis, 0, {}, {}, {}}; }
index_spec ELL() { return {index_spec::ellipsis, 0, {}, {}, {}}; }

std::string describe(const std::vector<index_spec>& idx) {
  std::string s = "[";
  auto o = [](opt v) { return v ? std::to_string(*v) : std::string(); };
  for (auto& it : idx) {
    switch (it.kind) {
      case index_spec::integer: s += std::to_string(it.i); break;
      case index_spec::slice: s += o(it.start) + ":" + o(it.stop) + ":" + o(it.step); break;
      case index_spec::newaxis: s += "None"; break;
      case index_spec::ellipsis: s += "..."; break;
    }
    s += ", ";
  }
  return s + "]";
}

template <class F> void expect_error(F&& f, errc code, const std::string& msg) {
  try {
    f();
    ADD_FAILURE() << "no error thrown, expected: " << msg;
  } catch (const error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_EQ(std::string(e.what()), msg);
  }
}

// ---- tests

TEST(view, identity) {
  shape_t s{3, 4, 5};
  view_map v = view_map::identity(s);
  EXPECT_TRUE(v.is_identity());
  EXPECT_EQ(v.shape, s);
  EXPECT_EQ(v.base_shape, s);
  expect_same(v, ref_identity(s), "identity");
  for (std::size_t o = 0; o < 3; ++o) EXPECT_FALSE(v.is_broadcast(o));
  view_map z = view_map::identity({});
  EXPECT_TRUE(z.is_identity());
  EXPECT_EQ(z.apply({}), shape_t{});
  // A full slice is still the identity; a strided one is not.
  EXPECT_TRUE(index_view(v, {S(), S(), S()}).is_identity());
  EXPECT_FALSE(index_view(v, {S({}, {}, 2)}).is_identity());
  EXPECT_FALSE(index_view(v, {I(0)}).is_identity());
}

TEST(view, normalize_slice_matches_python_slice_indices) {
  std::vector<opt> vals{opt{}};
  for (std::int64_t x = -9; x <= 9; ++x) vals.push_back(x);
  vals.push_back(100);
  vals.push_back(-100);
  std::vector<opt> steps{opt{}};
  for (std::int64_t x : {-7, -3, -2, -1, 1, 2, 3, 7}) steps.push_back(x);
  for (std::int64_t n = 0; n <= 7; ++n)
    for (auto a : vals)
      for (auto b : vals)
        for (auto c : steps) {
          slice_range got = normalize_slice(a, b, c, n);
          slice_range want = py_slice_indices(a, b, c, n);
          auto str = [](opt v) { return v ? std::to_string(*v) : std::string("None"); };
          std::string what = "slice(" + str(a) + ", " + str(b) + ", " + str(c) +
                             ").indices(" + std::to_string(n) + ")";
          ASSERT_EQ(got.start, want.start) << what;
          ASSERT_EQ(got.stop, want.stop) << what;
          ASSERT_EQ(got.step, want.step) << what;
          ASSERT_EQ(got.length, want.length) << what;
        }
}

TEST(view, normalize_slice_hand_checked) {
  // Python: slice(None, None, -1).indices(5) == (4, -1, -1), len 5
  auto r = normalize_slice({}, {}, -1, 5);
  EXPECT_EQ(r.start, 4);
  EXPECT_EQ(r.stop, -1);
  EXPECT_EQ(r.length, 5);
  // slice(-2, None).indices(5) == (3, 5, 1), len 2
  r = normalize_slice(-2, {}, {}, 5);
  EXPECT_EQ(r.start, 3);
  EXPECT_EQ(r.stop, 5);
  EXPECT_EQ(r.length, 2);
  // slice(1, 8, 3).indices(10) == (1, 8, 3): 1, 4, 7
  r = normalize_slice(1, 8, 3, 10);
  EXPECT_EQ(r.length, 3);
  // slice(8, 1, -3).indices(10): 8, 5, 2
  r = normalize_slice(8, 1, -3, 10);
  EXPECT_EQ(r.start, 8);
  EXPECT_EQ(r.length, 3);
  // slice(-100, 100, -1).indices(4) == (-1, 3, -1): empty
  r = normalize_slice(-100, 100, -1, 4);
  EXPECT_EQ(r.start, -1);
  EXPECT_EQ(r.stop, 3);
  EXPECT_EQ(r.length, 0);
  // slice(100, -100, -2).indices(4) == (3, -1, -2): 3, 1
  r = normalize_slice(100, -100, -2, 4);
  EXPECT_EQ(r.start, 3);
  EXPECT_EQ(r.stop, -1);
  EXPECT_EQ(r.length, 2);
  expect_error([] { normalize_slice(0, 3, 0, 5); }, errc::value_error, "slice step cannot be zero");
}

TEST(view, index_view_hand_cases) {
  const shape_t s{4, 5, 6};
  const view_map v = view_map::identity(s);
  const ref_view r = ref_identity(s);
  const std::vector<std::vector<index_spec>> cases = {
      {I(0)},
      {I(-1)},
      {I(3), I(-5), I(5)},
      {I(-4), I(0), I(-6)},
      {S(1, 3)},
      {S({}, {}, -1)},
      {S({}, {}, -2), S(4, 0, -3), S(-1, {}, -5)},
      {S(10, -10, -1)},
      {S(2, 2)},                     // empty
      {S(3, 1), S({}, {}, -1)},      // empty, followed by a reversed dim
      {ELL(), I(2)},
      {I(1), ELL()},
      {ELL()},
      {I(1), ELL(), I(-1)},
      {NEW()},
      {NEW(), I(1), NEW(), S({}, {}, 2), NEW()},
      {ELL(), NEW()},
      {S({}, {}, -1), ELL(), NEW(), S(1, {}, 4)},
      {S(1, {}, 2), I(-2), NEW(), S({}, 3, -1)},
      {I(0), I(0), I(0), NEW(), NEW()},
  };
  for (auto& c : cases) expect_same(index_view(v, c), ref_index(r, c), describe(c));
}

TEST(view, index_view_composition_random) {
  std::mt19937_64 rng(12345);
  auto rnd = [&](std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
  };
  auto random_index = [&](const shape_t& shape) {
    std::vector<index_spec> idx;
    std::size_t d = 0;
    bool ell = false;
    int n_items = static_cast<int>(rnd(0, static_cast<std::int64_t>(shape.size()) + 1));
    for (int k = 0; k < n_items; ++k) {
      int kind = static_cast<int>(rnd(0, 9));
      if (kind == 0) {
        idx.push_back(NEW());
      } else if (kind == 1 && !ell) {
        idx.push_back(ELL());
        ell = true;
        d = shape.size();  // whatever follows is indexed from the end; keep it simple: stop
        break;
      } else if (d < shape.size()) {
        std::int64_t n = shape[d];
        if (kind <= 3 && n > 0) {
          idx.push_back(I(rnd(-n, n - 1)));
        } else {
          auto o = [&]() -> opt {
            if (rnd(0, 3) == 0) return {};
            return rnd(-n - 2, n + 2);
          };
          opt st;
          if (rnd(0, 2) != 0) {
            std::int64_t x = 0;
            while (x == 0) x = rnd(-3, 3);
            st = x;
          }
          idx.push_back(S(o(), o(), st));
        }
        ++d;
      }
    }
    return idx;
  };
  const std::vector<shape_t> shapes{{7}, {4, 5}, {3, 4, 5}, {2, 3, 2, 3}};
  for (int trial = 0; trial < 400; ++trial) {
    const shape_t& s = shapes[static_cast<std::size_t>(trial) % shapes.size()];
    view_map v = view_map::identity(s);
    ref_view r = ref_identity(s);
    std::string what;
    for (int depth = 0; depth < 3; ++depth) {
      auto idx = random_index(v.shape);
      what += describe(idx);
      v = index_view(v, idx);
      r = ref_index(r, idx);
      expect_same(v, r, what);
      if (HasFatalFailure()) return;
      if (rnd(0, 3) == 0) {  // interleave a transpose
        std::vector<std::int64_t> perm;
        for (std::size_t d = 0; d < v.shape.size(); ++d) perm.push_back(static_cast<std::int64_t>(d));
        std::shuffle(perm.begin(), perm.end(), rng);
        what += ".transpose(...)";
        view_map t = transpose_view(v, perm);
        ref_view rt{shape_t(perm.size()), {}};
        for (std::size_t d = 0; d < perm.size(); ++d) rt.shape[d] = v.shape[static_cast<std::size_t>(perm[d])];
        for_each_index(rt.shape, [&](const shape_t& i) {
          shape_t src(i.size());
          for (std::size_t d = 0; d < perm.size(); ++d) src[static_cast<std::size_t>(perm[d])] = i[d];
          rt.elems.push_back(r.elems[static_cast<std::size_t>(flat(r.shape, src))]);
        });
        v = t;
        r = rt;
        expect_same(v, r, what);
        if (HasFatalFailure()) return;
      }
    }
  }
}

TEST(view, index_view_errors) {
  const view_map v = view_map::identity({4, 5});
  expect_error([&] { index_view(v, {I(4)}); }, errc::index_error,
               "index 4 is out of bounds for axis 0 with size 4");
  expect_error([&] { index_view(v, {I(-5)}); }, errc::index_error,
               "index -5 is out of bounds for axis 0 with size 4");
  expect_error([&] { index_view(v, {S(), I(5)}); }, errc::index_error,
               "index 5 is out of bounds for axis 1 with size 5");
  expect_error([&] { index_view(v, {NEW(), I(0), I(-6)}); }, errc::index_error,
               "index -6 is out of bounds for axis 1 with size 5");
  expect_error([&] { index_view(v, {ELL(), I(7)}); }, errc::index_error,
               "index 7 is out of bounds for axis 1 with size 5");
  expect_error([&] { index_view(v, {I(0), I(0), I(0)}); }, errc::index_error,
               "too many indices for array: array is 2-dimensional, but 3 were indexed");
  expect_error([&] { index_view(view_map::identity({}), {I(0)}); }, errc::index_error,
               "too many indices for array: array is 0-dimensional, but 1 were indexed");
  expect_error([&] { index_view(v, {S({}, {}, 0)}); }, errc::value_error,
               "slice step cannot be zero");
  expect_error([&] { index_view(v, {ELL(), ELL()}); }, errc::index_error,
               "an index can only have a single ellipsis ('...')");
  // Indexing into a view reports the view's axes and sizes.
  view_map w = index_view(v, {S(1, {}, 2), S({}, {}, -1)});  // (2, 5)
  expect_error([&] { index_view(w, {I(2)}); }, errc::index_error,
               "index 2 is out of bounds for axis 0 with size 2");
  // a 0-d view: only None and ... are allowed
  view_map z = index_view(v, {I(1), I(2)});
  EXPECT_EQ(z.shape, shape_t{});
  EXPECT_EQ(z.apply({}), (shape_t{1, 2}));
  EXPECT_EQ(index_view(z, {ELL()}).apply({}), (shape_t{1, 2}));
  EXPECT_EQ(index_view(z, {NEW()}).shape, shape_t{1});
}

TEST(view, transpose_view) {
  const shape_t s{2, 3, 4};
  const view_map v = view_map::identity(s);
  view_map t = transpose_view(v, {});
  EXPECT_EQ(t.shape, (shape_t{4, 3, 2}));
  for_each_index(t.shape, [&](const shape_t& i) {
    EXPECT_EQ(t.apply(i), (shape_t{i[2], i[1], i[0]}));
  });
  view_map u = transpose_view(v, {1, -1, 0});
  EXPECT_EQ(u.shape, (shape_t{3, 4, 2}));
  for_each_index(u.shape, [&](const shape_t& i) {
    EXPECT_EQ(u.apply(i), (shape_t{i[2], i[0], i[1]}));
  });
  // transposing back gives the identity
  EXPECT_TRUE(transpose_view(t, {}).is_identity());
  // a transpose of a strided view
  view_map w = transpose_view(index_view(v, {S({}, {}, -1), I(1), S(1, {}, 2)}), {});
  EXPECT_EQ(w.shape, (shape_t{2, 2}));
  for_each_index(w.shape, [&](const shape_t& i) {
    EXPECT_EQ(w.apply(i), (shape_t{1 - i[1], 1, 1 + 2 * i[0]}));
  });
  expect_error([&] { transpose_view(v, {0, 1}); }, errc::value_error, "axes don't match array");
  expect_error([&] { transpose_view(v, {0, 1, 3}); }, errc::axis_error,
               "axis 3 is out of bounds for array of dimension 3");
  expect_error([&] { transpose_view(v, {0, 1, -4}); }, errc::axis_error,
               "axis -4 is out of bounds for array of dimension 3");
  expect_error([&] { transpose_view(v, {0, 1, -3}); }, errc::value_error,
               "repeated axis in transpose");
}

TEST(view, broadcast_view) {
  // (3, 1) -> (2, 3, 4)
  const view_map v = view_map::identity({3, 1});
  view_map b = broadcast_view(v, {2, 3, 4});
  EXPECT_EQ(b.shape, (shape_t{2, 3, 4}));
  EXPECT_EQ(b.base_shape, (shape_t{3, 1}));
  EXPECT_TRUE(b.is_broadcast(0));
  EXPECT_FALSE(b.is_broadcast(1));
  EXPECT_TRUE(b.is_broadcast(2));
  for_each_index(b.shape, [&](const shape_t& i) { EXPECT_EQ(b.apply(i), (shape_t{i[1], 0})); });
  // a reversed slice, broadcast with a new leading dim
  view_map r = index_view(view_map::identity({5}), {S({}, {}, -2)});  // base 4, 2, 0
  view_map rb = broadcast_view(r, {3, 3});
  for_each_index(rb.shape, [&](const shape_t& i) { EXPECT_EQ(rb.apply(i), (shape_t{4 - 2 * i[1]})); });
  // a 0-d view broadcast
  view_map z = index_view(view_map::identity({2, 3}), {I(1), I(2)});
  view_map zb = broadcast_view(z, {4, 2});
  for_each_index(zb.shape, [&](const shape_t& i) { EXPECT_EQ(zb.apply(i), (shape_t{1, 2})); });
  // broadcasting to the same shape changes nothing
  view_map same = broadcast_view(view_map::identity({2, 3}), {2, 3});
  EXPECT_TRUE(same.is_identity());
  // a new axis then broadcast along it
  view_map na = broadcast_view(index_view(view_map::identity({3}), {NEW()}), {4, 3});
  EXPECT_TRUE(na.is_broadcast(0));
  for_each_index(na.shape, [&](const shape_t& i) { EXPECT_EQ(na.apply(i), (shape_t{i[1]})); });
}

}  // namespace
}  // namespace shoal
