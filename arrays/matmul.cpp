/// Dense tile matmul: OpenBLAS sgemm/dgemm for floats, cache-friendly i-k-j loops otherwise.
#include "arrays/matmul.hpp"

#include <cblas.h>

#include <algorithm>
#include <climits>
#include <map>
#include <memory>
#include <mutex>

#include "arrays/elementwise_ops.hpp"
#include "arrays/errors.hpp"
#include "arrays/thread_pool.hpp"

extern "C" void openblas_set_num_threads(int);

namespace shoal {

namespace {

using i64 = std::int64_t;

/// Parallelism comes from our panels; a multi-threaded BLAS inside each would oversubscribe.
void blas_single_threaded() {
  static std::once_flag once;
  std::call_once(once, [] { openblas_set_num_threads(1); });
}

/// One panel: rows [r0, r1) and columns [c0, c1) of C.
struct panel {
  i64 r0, r1, c0, c1;
};

template <class T>
void gemm_panel(i64 n, i64 k, const T* a, const T* b, T* c, bool accumulate, const panel& p) {
  const i64 rows = p.r1 - p.r0, cols = p.c1 - p.c0;
  if (rows <= 0 || cols <= 0) return;
  const T* ap = a + p.r0 * k;
  const T* bp = b + p.c0;
  T* cp = c + p.r0 * n + p.c0;
  if constexpr (std::is_floating_point_v<T>) {
    const T beta = accumulate ? T(1) : T(0);
    if (k == 0) {  // nothing to multiply; BLAS wants lda >= 1 and would still scale by beta
      if (!accumulate)
        for (i64 i = 0; i < rows; ++i) std::fill_n(cp + i * n, cols, T(0));
      return;
    }
    if constexpr (std::is_same_v<T, float>)
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(rows), int(cols), int(k), 1.0f,
                  ap, int(k), bp, int(n), beta, cp, int(n));
    else
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(rows), int(cols), int(k), 1.0,
                  ap, int(k), bp, int(n), beta, cp, int(n));
  } else {
    // i-k-j: the inner loop streams a row of B into a row of C (vectorizes; unsigned = wrap)
    using U = std::conditional_t<ops::is_bool_v<T>, T, ops::uns<T>>;
    for (i64 i = 0; i < rows; ++i) {
      U* __restrict crow = reinterpret_cast<U*>(cp + i * n);
      if (!accumulate) std::fill_n(crow, cols, U(0));
      for (i64 kk = 0; kk < k; ++kk) {
        const U av = U(ap[i * k + kk]);
        if (av == 0) continue;
        const U* __restrict brow = reinterpret_cast<const U*>(bp + kk * n);
        if constexpr (ops::is_bool_v<T>)
          for (i64 j = 0; j < cols; ++j) crow[j] |= brow[j];
        else
          for (i64 j = 0; j < cols; ++j) crow[j] += av * brow[j];
      }
    }
  }
}

void run_panels(dtype t, i64 m, i64 n, i64 k, const void* a, const void* b, void* c,
                bool accumulate, int parts, thread_pool* pool) {
  if (m < 0 || n < 0 || k < 0) throw_error(errc::value_error, "matmul_tile: negative size");
  if (m > INT_MAX || n > INT_MAX || k > INT_MAX)
    throw_error(errc::value_error, "matmul_tile: dimension exceeds the BLAS int range");
  if (m == 0 || n == 0) return;
  blas_single_threaded();
  // split the longer side of C, never into panels thinner than 16
  const bool by_rows = m >= n;
  const i64 side = by_rows ? m : n;
  const i64 n_panels = std::max<i64>(1, std::min<i64>(parts, (side + 15) / 16));
  const i64 step = (side + n_panels - 1) / n_panels;
  auto one = [&](i64 pi) {
    const i64 lo = pi * step, hi = std::min(side, lo + step);
    const panel p = by_rows ? panel{lo, hi, 0, n} : panel{0, m, lo, hi};
    visit_dtype(t, [&](auto tag) {
      using T = ops::stype<decltype(tag)::value>;
      gemm_panel<T>(n, k, static_cast<const T*>(a), static_cast<const T*>(b), static_cast<T*>(c),
                    accumulate, p);
    });
  };
  if (n_panels == 1 || !pool) {
    for (i64 pi = 0; pi < n_panels; ++pi) one(pi);
    return;
  }
  pool->parallel_for(n_panels, one);
}

/// Pools for the `threads` overload, one per size, created on first use and kept for the
/// process lifetime (thread creation per call would cost more than small products).
thread_pool& shared_pool(int threads) {
  static std::mutex mu;
  static std::map<int, std::unique_ptr<thread_pool>> pools;
  std::lock_guard<std::mutex> lk(mu);
  auto& p = pools[threads];
  if (!p) p = std::make_unique<thread_pool>(threads);
  return *p;
}

}  // namespace

void matmul_tile(dtype t, std::int64_t m, std::int64_t n, std::int64_t k, const void* a,
                 const void* b, void* c, bool accumulate, int threads) {
  if (threads <= 1) return run_panels(t, m, n, k, a, b, c, accumulate, 1, nullptr);
  run_panels(t, m, n, k, a, b, c, accumulate, threads, &shared_pool(threads));
}

void matmul_tile(dtype t, std::int64_t m, std::int64_t n, std::int64_t k, const void* a,
                 const void* b, void* c, bool accumulate, thread_pool& pool) {
  run_panels(t, m, n, k, a, b, c, accumulate, pool.size(), &pool);
}

}  // namespace shoal
