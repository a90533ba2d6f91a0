#include "arrays/reduce.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "arrays/errors.hpp"
#include "arrays/tiling.hpp"

namespace shoal {
namespace {

using i64 = std::int64_t;
using u8 = std::uint8_t;

template <dtype D> using st = std::conditional_t<D == dtype::bool_, u8, ctype_t<D>>;

const reduce_kind value_kinds[] = {reduce_kind::sum, reduce_kind::prod, reduce_kind::min,
                                   reduce_kind::max, reduce_kind::any,  reduce_kind::all};

template <class T> std::vector<T> sample(i64 n, unsigned seed, bool with_nan) {
  std::mt19937 rng(seed);
  std::vector<T> v(std::size_t(std::max<i64>(n, 1)));
  for (auto& x : v) {
    if constexpr (std::is_same_v<T, u8>) x = u8(rng() % 2);
    else x = T(int(rng() % 7) - 3);  // small values: products stay exact-ish, many ties
  }
  if constexpr (std::is_floating_point_v<T>)
    if (with_nan && n > 5) v[std::size_t(n / 3)] = std::numeric_limits<T>::quiet_NaN();
  return v;
}

/// Brute force: every element in C order folded into its output with long double / __int128.
template <class T>
std::vector<long double> reference(reduce_kind k, const std::vector<T>& in, const shape_t& shape,
                                   const std::vector<bool>& axes) {
  i64 n_out = 1;
  shape_t ost(shape.size(), 0);
  for (std::size_t d = shape.size(); d-- > 0;)
    if (!axes[d]) ost[d] = n_out, n_out *= shape[d];
  std::vector<long double> out(static_cast<std::size_t>(n_out));
  const long double inf = std::numeric_limits<long double>::infinity();
  for (auto& o : out) {
    switch (k) {
      case reduce_kind::sum: case reduce_kind::any: o = 0; break;
      case reduce_kind::prod: case reduce_kind::all: o = 1; break;
      case reduce_kind::min: o = inf; break;
      default: o = -inf;
    }
  }
  shape_t i(shape.size(), 0);
  for (i64 e = 0; e < numel(shape); ++e) {
    i64 oo = 0;
    for (std::size_t d = 0; d < shape.size(); ++d) oo += i[d] * ost[d];
    long double& o = out[std::size_t(oo)];
    const long double x = in[std::size_t(e)];
    switch (k) {
      case reduce_kind::sum: o += x; break;
      case reduce_kind::prod: o *= x; break;
      case reduce_kind::min: o = (std::isnan(o) || std::isnan(x)) ? NAN : std::min(o, x); break;
      case reduce_kind::max: o = (std::isnan(o) || std::isnan(x)) ? NAN : std::max(o, x); break;
      case reduce_kind::any: o = (o != 0 || x != 0); break;
      default: o = (o != 0 && x != 0);
    }
    for (std::size_t d = shape.size(); d-- > 0;) {
      if (++i[d] < shape[d]) break;
      i[d] = 0;
    }
  }
  return out;
}

std::vector<std::vector<bool>> all_axis_sets(std::size_t nd) {
  std::vector<std::vector<bool>> r;
  for (unsigned mask = 0; mask < (1u << nd); ++mask) {
    std::vector<bool> a(nd);
    for (std::size_t d = 0; d < nd; ++d) a[d] = (mask >> d) & 1;
    r.push_back(a);
  }
  return r;
}

template <dtype D> void check_values() {
  using T = st<D>;
  const shape_t shapes[] = {{}, {1}, {7}, {300}, {4, 5}, {3, 1, 7}, {5, 6, 9}, {2, 0, 3}, {129, 3}};
  for (const auto& shape : shapes)
    for (const auto& axes : all_axis_sets(shape.size()))
      for (reduce_kind k : value_kinds) {
        const i64 n = numel(shape);
        const bool nan = (k != reduce_kind::prod);
        auto in = sample<T>(n, unsigned(n + 3), nan);
        const dtype rt = reduce_result(k, D);
        i64 n_out = 1;
        for (std::size_t d = 0; d < shape.size(); ++d)
          if (!axes[d]) n_out *= shape[d];
        std::vector<std::byte> out(std::size_t(std::max<i64>(n_out, 1)) * itemsize(rt));
        reduce_tile(k, D, in.data(), shape, axes, out.data());
        auto ref = reference(k, in, shape, axes);
        for (i64 o = 0; o < n_out; ++o) {
          long double got = visit_dtype(rt, [&](auto tag) -> long double {
            return reinterpret_cast<const st<decltype(tag)::value>*>(out.data())[o];
          });
          const long double e = ref[std::size_t(o)];
          if (std::isnan(e)) {
            EXPECT_TRUE(std::isnan(got));
          } else if (std::isinf(e)) {
            // min/max of nothing: the caller's ValueError; the value is unspecified
          } else {
            EXPECT_NEAR(double(got), double(e), 1e-4 * (1 + std::fabs(double(e))))
                << dtype_name(D) << " k=" << int(k) << " shape " << shape_str(shape) << " out "
                << o;
          }
        }
      }
}

TEST(reduce, values_bool) { check_values<dtype::bool_>(); }
TEST(reduce, values_int32) { check_values<dtype::int32>(); }
TEST(reduce, values_int64) { check_values<dtype::int64>(); }
TEST(reduce, values_float32) { check_values<dtype::float32>(); }
TEST(reduce, values_float64) { check_values<dtype::float64>(); }

TEST(reduce, result_dtypes) {
  EXPECT_EQ(reduce_result(reduce_kind::sum, dtype::bool_), dtype::int64);
  EXPECT_EQ(reduce_result(reduce_kind::sum, dtype::int32), dtype::int64);
  EXPECT_EQ(reduce_result(reduce_kind::prod, dtype::float32), dtype::float32);
  EXPECT_EQ(reduce_result(reduce_kind::min, dtype::int32), dtype::int32);
  EXPECT_EQ(reduce_result(reduce_kind::any, dtype::float64), dtype::bool_);
  EXPECT_EQ(reduce_result(reduce_kind::argmax, dtype::float32), dtype::int64);
}

TEST(reduce, int_sum_wraps_and_empty_identities) {
  std::vector<std::int64_t> v{std::numeric_limits<std::int64_t>::max(), 1};
  std::int64_t s = 0;
  reduce_tile(reduce_kind::sum, dtype::int64, v.data(), {2}, {true}, &s);
  EXPECT_EQ(s, std::numeric_limits<std::int64_t>::min());
  float f = -1;
  reduce_tile(reduce_kind::sum, dtype::float32, v.data(), {0}, {true}, &f);
  EXPECT_EQ(f, 0.0f);
  reduce_tile(reduce_kind::prod, dtype::float32, v.data(), {0}, {true}, &f);
  EXPECT_EQ(f, 1.0f);
  u8 b = 7;
  reduce_tile(reduce_kind::all, dtype::float32, v.data(), {0}, {true}, &b);
  EXPECT_EQ(b, 1);
  reduce_tile(reduce_kind::any, dtype::float32, v.data(), {0}, {true}, &b);
  EXPECT_EQ(b, 0);
}

TEST(reduce, float_sum_is_pairwise) {
  // sequential float32 accumulation of 0.1 drifts by ~1%; pairwise (NumPy) stays near 1e5
  std::vector<float> v(1000000, 0.1f);
  float s = 0;
  reduce_tile(reduce_kind::sum, dtype::float32, v.data(), {1000000}, {true}, &s);
  EXPECT_NEAR(s, 100000.0f, 1.0f);
  // over a leading axis too (rows summed)
  std::vector<float> cols(2);
  reduce_tile(reduce_kind::sum, dtype::float32, v.data(), {500000, 2}, {true, false}, cols.data());
  EXPECT_NEAR(cols[0], 50000.0f, 500.0f);
  double neg0 = 1;
  std::vector<double> z{-0.0};
  reduce_tile(reduce_kind::sum, dtype::float64, z.data(), {1}, {true}, &neg0);
  EXPECT_FALSE(std::signbit(neg0));  // np.sum([-0.0]) is 0.0
}

// ---- arg-reductions: global indices, tiles, combination ----

template <class T>
void arg_reference(bool mx, const std::vector<T>& g, const shape_t& gs, const std::vector<bool>& axes,
                   std::vector<T>& val, std::vector<i64>& idx) {
  i64 n_out = 1;
  shape_t ost(gs.size(), 0), rst(gs.size(), 0);
  i64 r = 1;
  for (std::size_t d = gs.size(); d-- > 0;) {
    if (!axes[d]) ost[d] = n_out, n_out *= gs[d];
    else rst[d] = r, r *= gs[d];
  }
  val.assign(std::size_t(n_out), T(0));
  idx.assign(std::size_t(n_out), -1);
  shape_t i(gs.size(), 0);
  for (i64 e = 0; e < numel(gs); ++e) {
    i64 o = 0, ri = 0;
    for (std::size_t d = 0; d < gs.size(); ++d) o += i[d] * ost[d], ri += i[d] * rst[d];
    const T x = g[std::size_t(e)];
    T& cur = val[std::size_t(o)];
    bool take = idx[std::size_t(o)] < 0;
    if (!take) {
      if (std::isnan(double(cur))) take = false;
      else if (std::isnan(double(x))) take = true;
      else take = mx ? x > cur : x < cur;
    }
    if (take) cur = x, idx[std::size_t(o)] = ri;
    for (std::size_t d = gs.size(); d-- > 0;) {
      if (++i[d] < gs[d]) break;
      i[d] = 0;
    }
  }
}

template <dtype D> void check_args_tiled() {
  using T = st<D>;
  const shape_t gs{7, 13};
  const tiling tl{gs, {3, 5}};
  auto g = sample<T>(numel(gs), 11, true);
  for (bool mx : {false, true})
    for (const auto& axes : all_axis_sets(2)) {
      const reduce_kind k = mx ? reduce_kind::argmax : reduce_kind::argmin;
      std::vector<T> rv;
      std::vector<i64> ri;
      arg_reference(mx, g, gs, axes, rv, ri);
      // reduce each tile, combine into the global output (tiles in reverse: order-independent)
      std::vector<T> acc(rv.size(), T(0));
      std::vector<i64> acc_i(rv.size(), -1);
      for (i64 t = tl.count(); t-- > 0;) {
        const box b = tl.tile_box(t);
        const shape_t ext = b.extent();
        std::vector<T> tile;
        for (i64 r = b.lo[0]; r < b.hi[0]; ++r)
          for (i64 c = b.lo[1]; c < b.hi[1]; ++c) tile.push_back(g[std::size_t(r * gs[1] + c)]);
        i64 n_part = 1;
        for (std::size_t d = 0; d < 2; ++d)
          if (!axes[d]) n_part *= ext[d];
        std::vector<T> pv(static_cast<std::size_t>(n_part));
        std::vector<i64> pi(static_cast<std::size_t>(n_part));
        reduce_tile(k, D, tile.data(), ext, axes, pv.data(), pi.data(), b.lo, gs);
        // scatter the partial into the full-size output layout (kept dims at the tile's place)
        std::vector<T> full(acc.size(), T(0));
        std::vector<i64> full_i(acc.size(), -1);
        for (i64 p = 0; p < n_part; ++p) {
          i64 o;
          if (axes[0] && axes[1]) o = 0;
          else if (axes[0]) o = b.lo[1] + p;
          else if (axes[1]) o = b.lo[0] + p;
          else o = (b.lo[0] + p / ext[1]) * gs[1] + b.lo[1] + p % ext[1];
          full[std::size_t(o)] = pv[std::size_t(p)];
          full_i[std::size_t(o)] = pi[std::size_t(p)];
        }
        combine_partials(k, D, acc.data(), full.data(), i64(acc.size()), acc_i.data(), full_i.data());
      }
      EXPECT_EQ(acc_i, ri) << dtype_name(D) << (mx ? " argmax" : " argmin") << " axes "
                           << axes[0] << axes[1];
    }
}

TEST(reduce, args_tiled_bool) { check_args_tiled<dtype::bool_>(); }
TEST(reduce, args_tiled_int32) { check_args_tiled<dtype::int32>(); }
TEST(reduce, args_tiled_int64) { check_args_tiled<dtype::int64>(); }
TEST(reduce, args_tiled_float32) { check_args_tiled<dtype::float32>(); }
TEST(reduce, args_tiled_float64) { check_args_tiled<dtype::float64>(); }

TEST(reduce, arg_zero_d_and_nan_first) {
  double x = 4.5, v = 0;
  i64 i = -5;
  reduce_tile(reduce_kind::argmax, dtype::float64, &x, {}, {}, &v, &i);
  EXPECT_EQ(i, 0);
  EXPECT_EQ(v, 4.5);
  std::vector<double> a{1, NAN, 3, NAN};
  reduce_tile(reduce_kind::argmin, dtype::float64, a.data(), {4}, {true}, &v, &i);
  EXPECT_EQ(i, 1);
  EXPECT_THROW(reduce_tile(reduce_kind::argmin, dtype::float64, a.data(), {4}, {true}, &v), error);
}

TEST(reduce, nan_anywhere_propagates_through_min_max) {
  for (std::size_t pos = 0; pos < 41; ++pos) {
    std::vector<float> f(41, 1.0f);
    std::vector<double> d(41, -1.0);
    f[pos] = NAN;
    d[pos] = NAN;
    float fm = 0;
    double dm = 0;
    reduce_tile(reduce_kind::max, dtype::float32, f.data(), {41}, {true}, &fm);
    reduce_tile(reduce_kind::min, dtype::float64, d.data(), {41}, {true}, &dm);
    EXPECT_TRUE(std::isnan(fm)) << pos;
    EXPECT_TRUE(std::isnan(dm)) << pos;
  }
}

TEST(reduce, combine_partials_values) {
  std::vector<double> acc{1, 2, NAN, 4}, part{3, NAN, 1, -1};
  combine_partials(reduce_kind::max, dtype::float64, acc.data(), part.data(), 4);
  EXPECT_EQ(acc[0], 3);
  EXPECT_TRUE(std::isnan(acc[1]));
  EXPECT_TRUE(std::isnan(acc[2]));
  EXPECT_EQ(acc[3], 4);
  std::vector<std::int64_t> s{std::numeric_limits<std::int64_t>::max(), 5}, t{1, 6};
  combine_partials(reduce_kind::sum, dtype::int64, s.data(), t.data(), 2);
  EXPECT_EQ(s, (std::vector<std::int64_t>{std::numeric_limits<std::int64_t>::min(), 11}));
  std::vector<u8> b{0, 1, 1}, c{1, 0, 1};
  combine_partials(reduce_kind::all, dtype::bool_, b.data(), c.data(), 3);
  EXPECT_EQ(b, (std::vector<u8>{0, 0, 1}));
  // ties go to the smaller index whatever the order
  std::vector<float> av{2}, pv{2};
  std::vector<i64> ai{9}, pi{4};
  combine_partials(reduce_kind::argmax, dtype::float32, av.data(), pv.data(), 1, ai.data(), pi.data());
  EXPECT_EQ(ai[0], 4);
}

}  // namespace
}  // namespace shoal
