#include "arrays/matmul.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "arrays/thread_pool.hpp"

namespace shoal {
namespace {

using i64 = std::int64_t;

template <class T> std::vector<T> rnd(i64 n, unsigned seed) {
  std::mt19937 g(seed);
  std::vector<T> v(std::size_t(std::max<i64>(n, 1)));
  for (auto& x : v) {
    if constexpr (std::is_same_v<T, std::uint8_t>) x = std::uint8_t(g() % 3 == 0);
    else if constexpr (std::is_integral_v<T>) x = T(std::int64_t(g() % 2001) - 1000);
    else x = T(int(g() % 17) - 8) / T(4);  // exact in float: BLAS result is exact
  }
  return v;
}

template <class T> void check(dtype t, i64 m, i64 n, i64 k, bool acc, int threads) {
  auto a = rnd<T>(m * k, 1), b = rnd<T>(k * n, 2), c = rnd<T>(m * n, 3);
  auto ref = c;
  for (i64 i = 0; i < m; ++i)
    for (i64 j = 0; j < n; ++j) {
      if constexpr (std::is_same_v<T, std::uint8_t>) {
        bool s = acc && c[i * n + j];
        for (i64 q = 0; q < k; ++q) s = s || (a[i * k + q] && b[q * n + j]);
        ref[i * n + j] = s;
      } else {
        using W = std::conditional_t<std::is_integral_v<T>, std::uint64_t, double>;
        W s = acc ? W(c[i * n + j]) : W(0);
        for (i64 q = 0; q < k; ++q) s += W(a[i * k + q]) * W(b[q * n + j]);
        ref[i * n + j] = T(s);
      }
    }
  matmul_tile(t, m, n, k, a.data(), b.data(), c.data(), acc, threads);
  for (i64 e = 0; e < m * n; ++e)
    ASSERT_EQ(c[e], ref[e]) << dtype_name(t) << " " << m << "x" << n << "x" << k << " t" << threads;
}

TEST(matmul, all_dtypes_odd_sizes_threads) {
  const i64 sizes[][3] = {{1, 1, 1}, {3, 5, 7}, {17, 1, 9}, {1, 33, 2}, {64, 40, 3}, {5, 70, 0},
                          {0, 4, 4}, {4, 0, 4}, {65, 65, 65}};
  for (auto& s : sizes)
    for (bool acc : {false, true})
      for (int th : {1, 3}) {
        check<float>(dtype::float32, s[0], s[1], s[2], acc, th);
        check<double>(dtype::float64, s[0], s[1], s[2], acc, th);
        check<std::int32_t>(dtype::int32, s[0], s[1], s[2], acc, th);
        check<std::int64_t>(dtype::int64, s[0], s[1], s[2], acc, th);
        check<std::uint8_t>(dtype::bool_, s[0], s[1], s[2], acc, th);
      }
}

TEST(matmul, int_wraps) {
  std::vector<std::int32_t> a{65536, 65536}, b{65536, 1}, c(1);
  matmul_tile(dtype::int32, 1, 1, 2, a.data(), b.data(), c.data(), false);
  EXPECT_EQ(c[0], 65536);  // 2^32 wraps to 0, plus 65536
}

TEST(matmul, caller_pool) {
  thread_pool pool(4);
  std::vector<double> a(100 * 30, 1.0), b(30 * 50, 2.0), c(100 * 50);
  matmul_tile(dtype::float64, 100, 50, 30, a.data(), b.data(), c.data(), false, pool);
  for (double x : c) ASSERT_EQ(x, 60.0);
}

}  // namespace
}  // namespace shoal
