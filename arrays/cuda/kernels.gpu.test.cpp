// GPU tests for the CUDA kernel twins (arrays/cuda/): each case runs the CPU function and the
// CUDA twin on the same bytes and compares (bit-exact for ints, bool, min/max, arg-reductions,
// fill, uniform/integer random, copies; tolerances for float sums/products and matmul).
// Skips when no CUDA device is visible. Timings are printed, never asserted.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "arrays/cuda/blas.hpp"
#include "arrays/cuda/copy.cuh"
#include "arrays/cuda/device.hpp"
#include "arrays/cuda/fill.cuh"
#include "arrays/cuda/random.cuh"
#include "arrays/cuda/reduce.cuh"
#include "arrays/errors.hpp"
#include "arrays/fill.hpp"
#include "arrays/matmul.hpp"
#include "arrays/random.hpp"
#include "arrays/reduce.hpp"
#include "arrays/strided_copy.hpp"

namespace shoal {
namespace {

using i64 = std::int64_t;
using bytes = std::vector<std::uint8_t>;

#define SHOAL_REQUIRE_GPU() \
  if (cuda::device_count() == 0) GTEST_SKIP() << "no CUDA device visible"

const dtype all_dtypes[] = {dtype::bool_, dtype::int32, dtype::int64, dtype::float32,
                            dtype::float64};

/// Device buffer holding a copy of host bytes (at least one byte, so pointers are valid).
struct dbuf {
  cuda::device_buffer buf;
  dbuf(std::size_t n, cudaStream_t s) : buf(std::max<std::size_t>(n, 1), s) {}
  dbuf(const bytes& host, cudaStream_t s) : dbuf(host.size(), s) {
    if (!host.empty())
      cuda::check(cudaMemcpyAsync(buf.data(), host.data(), host.size(), cudaMemcpyHostToDevice, s),
                  "H2D");
  }
  void* data() const { return buf.data(); }
  bytes get(std::size_t n, cudaStream_t s) const {
    bytes h(n);
    if (n) cuda::check(cudaMemcpyAsync(h.data(), buf.data(), n, cudaMemcpyDeviceToHost, s), "D2H");
    cuda::check(cudaStreamSynchronize(s), "sync");
    return h;
  }
};

/// Random elements of dtype t: bool 0/1; ints in [lo, hi]; floats uniform in [flo, fhi) with
/// a fraction `nan` of NaNs.
bytes random_bytes(dtype t, i64 n, std::mt19937_64& rng, i64 lo = -1000, i64 hi = 1000,
                   double flo = 0.0, double fhi = 1.0, double nan = 0.0) {
  bytes b(std::size_t(n) * itemsize(t));
  std::uniform_int_distribution<i64> di(lo, hi);
  std::uniform_real_distribution<double> df(flo, fhi), dn(0.0, 1.0);
  for (i64 i = 0; i < n; ++i) {
    switch (t) {
      case dtype::bool_: b[i] = std::uint8_t(rng() & 1); break;
      case dtype::int32: { const auto v = std::int32_t(di(rng)); std::memcpy(&b[i * 4], &v, 4); break; }
      case dtype::int64: { const i64 v = di(rng); std::memcpy(&b[i * 8], &v, 8); break; }
      case dtype::float32: {
        const float v = dn(rng) < nan ? NAN : float(df(rng));
        std::memcpy(&b[i * 4], &v, 4);
        break;
      }
      case dtype::float64: {
        const double v = dn(rng) < nan ? NAN : df(rng);
        std::memcpy(&b[i * 8], &v, 8);
        break;
      }
    }
  }
  return b;
}

template <class T> T at(const bytes& b, i64 i) {
  T v;
  std::memcpy(&v, &b[std::size_t(i) * sizeof(T)], sizeof(T));
  return v;
}

/// Float comparison: equal, both NaN, or within rtol * scale + atol.
template <class T>
::testing::AssertionResult close(const bytes& cpu, const bytes& gpu, i64 n, double rtol,
                                 double atol = 0) {
  for (i64 i = 0; i < n; ++i) {
    const double a = at<T>(cpu, i), b = at<T>(gpu, i);
    if (std::isnan(a) && std::isnan(b)) continue;
    if (a == b) continue;
    if (std::fabs(a - b) <= rtol * std::fabs(a) + atol) continue;
    return ::testing::AssertionFailure() << "element " << i << ": cpu " << a << " gpu " << b;
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult same_bytes(const bytes& cpu, const bytes& gpu) {
  if (cpu.size() != gpu.size()) return ::testing::AssertionFailure() << "size differs";
  for (std::size_t i = 0; i < cpu.size(); ++i)
    if (cpu[i] != gpu[i])
      return ::testing::AssertionFailure() << "byte " << i << ": cpu " << int(cpu[i]) << " gpu "
                                           << int(gpu[i]);
  return ::testing::AssertionSuccess();
}

std::string str(const shape_t& s) { return shape_str(s); }

std::string axes_str(const std::vector<bool>& a) {
  std::string r;
  for (bool x : a) r += x ? '1' : '0';
  return r;
}

// ---------------------------------------------------------------- reduce

struct reduce_case {
  shape_t shape;
  std::vector<std::vector<bool>> axes;  // empty: every subset
};

std::vector<std::vector<bool>> all_subsets(std::size_t nd) {
  std::vector<std::vector<bool>> r;
  for (unsigned m = 0; m < (1u << nd); ++m) {
    std::vector<bool> a(nd);
    for (std::size_t d = 0; d < nd; ++d) a[d] = (m >> d) & 1;
    r.push_back(a);
  }
  return r;
}

const reduce_kind value_kinds[] = {reduce_kind::sum, reduce_kind::prod, reduce_kind::min,
                                   reduce_kind::max, reduce_kind::any,  reduce_kind::all};

std::vector<reduce_case> reduce_cases() {
  return {
      {{}, {}},
      {{0}, {}},
      {{1}, {}},
      {{7}, {}},
      {{1000003}, {}},
      {{3, 5}, {}},
      {{4, 0, 3}, {}},
      {{5, 7, 3}, {}},
      {{1, 9, 1}, {}},
      {{300, 70}, {}},
      {{33, 2049}, {}},
      {{2049, 33}, {}},
      {{6, 4100}, {}},
      {{100000, 3}, {}},
      {{3, 4, 5, 6}, {}},
      {{7, 130, 9}, {}},
      {{2, 3, 2, 3, 2}, {{true, false, true, false, true}, {false, true, false, true, false},
                         {true, true, true, true, true}, {false, false, false, false, true}}},
  };
}

/// Float data suited to each kind (products stay near 1; the rest in [0, 1)).
bytes reduce_input(reduce_kind k, dtype t, i64 n, std::mt19937_64& rng, double nan) {
  if (k == reduce_kind::prod) return random_bytes(t, n, rng, -2, 2, 0.99, 1.01, nan);
  if (k == reduce_kind::sum) return random_bytes(t, n, rng, -1000000, 1000000, 0.0, 1.0, nan);
  // min/max/any/all/arg: few distinct values, so ties and zeros occur
  if (is_float(t)) {
    bytes b = random_bytes(dtype::int64, n, rng, -3, 3);
    bytes r(std::size_t(n) * itemsize(t));
    std::uniform_real_distribution<double> dn(0.0, 1.0);
    for (i64 i = 0; i < n; ++i) {
      double v = double(at<i64>(b, i)) * 0.5;
      if (dn(rng) < nan) v = NAN;
      if (t == dtype::float32) {
        const float f = float(v);
        std::memcpy(&r[i * 4], &f, 4);
      } else {
        std::memcpy(&r[i * 8], &v, 8);
      }
    }
    return r;
  }
  return random_bytes(t, n, rng, -3, 3);
}

void check_reduce(reduce_kind k, dtype t, const shape_t& shape, const std::vector<bool>& axes,
                  std::mt19937_64& rng, double nan, cudaStream_t s) {
  const i64 n = numel(shape);
  const bytes in = reduce_input(k, t, n, rng, nan);
  i64 n_out = 1;
  for (std::size_t d = 0; d < shape.size(); ++d)
    if (!axes[d]) n_out *= shape[d];
  const bool arg = k == reduce_kind::argmin || k == reduce_kind::argmax;
  const dtype rt = arg ? t : reduce_result(k, t);
  const std::size_t ob = std::size_t(n_out) * itemsize(rt);
  // arg-reductions: the tile sits at an offset inside a larger global array
  shape_t origin, global;
  if (arg)
    for (std::size_t d = 0; d < shape.size(); ++d) {
      origin.push_back(i64(d) + 1);
      global.push_back(shape[d] + i64(d) + 4);
    }
  bytes cpu_out(ob, 0xAB);
  std::vector<i64> cpu_idx(std::size_t(std::max<i64>(n_out, 1)), -7);  // data() != nullptr
  reduce_tile(k, t, in.data(), shape, axes, cpu_out.data(), arg ? cpu_idx.data() : nullptr, origin,
              global);

  dbuf din(in, s), dout(ob, s), didx(std::size_t(n_out) * 8, s);
  cuda::reduce_tile(k, t, din.data(), shape, axes, dout.data(),
                    arg ? static_cast<i64*>(didx.data()) : nullptr, origin, global, s);
  const bytes gpu_out = dout.get(ob, s);
  const std::string what = std::string("kind ") + std::to_string(int(k)) + " " + dtype_name(t) +
                           " shape " + str(shape) + " axes " + axes_str(axes) +
                           (nan > 0 ? " with NaN" : "");
  if (arg) {
    const bytes gi = didx.get(std::size_t(n_out) * 8, s);
    for (i64 i = 0; i < n_out; ++i)
      ASSERT_EQ(cpu_idx[std::size_t(i)], at<i64>(gi, i)) << what << " index " << i;
    ASSERT_TRUE(same_bytes(cpu_out, gpu_out)) << what;
    return;
  }
  if (rt == dtype::float32 || rt == dtype::float64) {
    const bool f32 = rt == dtype::float32;
    double rtol = 0;
    if (k == reduce_kind::sum) rtol = f32 ? 1e-5 : 1e-12;
    if (k == reduce_kind::prod) rtol = f32 ? 1e-3 : 1e-11;  // the CPU multiplies sequentially
    // min/max: equal values (0.0 == -0.0) or both NaN
    if (f32) ASSERT_TRUE(close<float>(cpu_out, gpu_out, n_out, rtol, 1e-30)) << what;
    else ASSERT_TRUE(close<double>(cpu_out, gpu_out, n_out, rtol, 1e-300)) << what;
    return;
  }
  ASSERT_TRUE(same_bytes(cpu_out, gpu_out)) << what;
}

TEST(CudaReduce, MatchesCpuEveryKindDtypeAxes) {
  SHOAL_REQUIRE_GPU();
  cuda::stream st;
  std::mt19937_64 rng(42);
  for (const auto& c : reduce_cases()) {
    const auto axes_list = c.axes.empty() ? all_subsets(c.shape.size()) : c.axes;
    for (const auto& axes : axes_list)
      for (dtype t : all_dtypes) {
        for (reduce_kind k : value_kinds) {
          check_reduce(k, t, c.shape, axes, rng, 0.0, st.get());
          if (HasFatalFailure()) return;
        }
        for (reduce_kind k : {reduce_kind::argmin, reduce_kind::argmax}) {
          check_reduce(k, t, c.shape, axes, rng, 0.0, st.get());
          if (HasFatalFailure()) return;
        }
      }
  }
}

TEST(CudaReduce, NaNPropagatesAndArgPicksFirstNaN) {
  SHOAL_REQUIRE_GPU();
  cuda::stream st;
  std::mt19937_64 rng(7);
  const std::vector<shape_t> shapes = {{1000}, {37, 129}, {129, 37}, {5, 3000}, {3, 5, 7}};
  for (const auto& shape : shapes)
    for (const auto& axes : all_subsets(shape.size()))
      for (dtype t : {dtype::float32, dtype::float64})
        for (reduce_kind k : {reduce_kind::sum, reduce_kind::min, reduce_kind::max,
                              reduce_kind::argmin, reduce_kind::argmax}) {
          check_reduce(k, t, shape, axes, rng, 0.01, st.get());
          if (HasFatalFailure()) return;
        }
}

TEST(CudaReduce, CombinePartialsMatchesCpu) {
  SHOAL_REQUIRE_GPU();
  cuda::stream st;
  std::mt19937_64 rng(3);
  const i64 n = 1001;
  for (dtype t : all_dtypes) {
    for (reduce_kind k : value_kinds) {
      const dtype rt = reduce_result(k, t);
      bytes acc = reduce_input(k, rt, n, rng, 0.0), part = reduce_input(k, rt, n, rng, 0.0);
      dbuf da(acc, st.get()), dp(part, st.get());
      combine_partials(k, rt, acc.data(), part.data(), n);
      cuda::combine_partials(k, rt, da.data(), dp.data(), n, nullptr, nullptr, st.get());
      const bytes g = da.get(acc.size(), st.get());
      if (rt == dtype::float32) ASSERT_TRUE(close<float>(acc, g, n, 1e-6));
      else if (rt == dtype::float64) ASSERT_TRUE(close<double>(acc, g, n, 1e-15));
      else ASSERT_TRUE(same_bytes(acc, g)) << dtype_name(rt) << " kind " << int(k);
    }
    for (reduce_kind k : {reduce_kind::argmin, reduce_kind::argmax}) {
      bytes acc = reduce_input(k, t, n, rng, is_float(t) ? 0.05 : 0.0);
      bytes part = reduce_input(k, t, n, rng, is_float(t) ? 0.05 : 0.0);
      std::vector<i64> ai(n), pi(n);
      std::uniform_int_distribution<i64> di(-1, 20);
      for (i64 i = 0; i < n; ++i) ai[i] = di(rng), pi[i] = di(rng);
      bytes aib(n * 8), pib(n * 8);
      std::memcpy(aib.data(), ai.data(), n * 8);
      std::memcpy(pib.data(), pi.data(), n * 8);
      dbuf da(acc, st.get()), dp(part, st.get()), dai(aib, st.get()), dpi(pib, st.get());
      combine_partials(k, t, acc.data(), part.data(), n, ai.data(), pi.data());
      cuda::combine_partials(k, t, da.data(), dp.data(), n, static_cast<i64*>(dai.data()),
                             static_cast<const i64*>(dpi.data()), st.get());
      const bytes g = da.get(acc.size(), st.get()), gi = dai.get(aib.size(), st.get());
      bytes ci(n * 8);
      std::memcpy(ci.data(), ai.data(), n * 8);
      ASSERT_TRUE(same_bytes(ci, gi)) << dtype_name(t) << " arg kind " << int(k);
      ASSERT_TRUE(same_bytes(acc, g)) << dtype_name(t) << " arg kind " << int(k);
    }
  }
}

TEST(CudaReduce, ErrorsAsCpu) {
  SHOAL_REQUIRE_GPU();
  cuda::stream st;
  dbuf d(64, st.get());
  EXPECT_THROW(cuda::reduce_tile(reduce_kind::sum, dtype::int32, d.data(), {2, 2}, {true},
                                 d.data(), st.get()),
               error);
  EXPECT_THROW(cuda::reduce_tile(reduce_kind::argmax, dtype::int32, d.data(), {2, 2},
                                 {true, false}, d.data(), nullptr, {}, {}, st.get()),
               error);
}

// ---------------------------------------------------------------- fill

TEST(CudaFill, MatchesCpuBitForBit) {
  SHOAL_REQUIRE_GPU();
  cuda::stream st;
  struct geo {
    shape_t global;
    box tile;
  };
  const std::vector<geo> geos = {
      {{}, {{}, {}}},
      {{0}, {{0}, {0}}},
      {{10}, {{0}, {10}}},
      {{1001}, {{17}, {900}}},
      {{7, 13}, {{0, 0}, {7, 13}}},
      {{7, 13}, {{2, 5}, {6, 12}}},
      {{300, 301}, {{11, 3}, {290, 300}}},
      {{4, 5, 6}, {{1, 0, 2}, {3, 5, 5}}},
      {{5, 4}, {{2, 2}, {2, 4}}},  // empty tile
  };
  std::vector<std::pair<fill_kind, fill_params>> cases;
  {
    fill_params p;
    p.fa = 2.5, p.ia = -7;
    cases.push_back({fill_kind::full, p});
    p.ia = 1LL << 40;
    p.fa = 1e300;
    cases.push_back({fill_kind::full, p});
  }
  {
    fill_params p;
    p.fa = 0.1, p.fb = 0.3, p.ia = -5, p.ib = 3;
    cases.push_back({fill_kind::arange, p});
    p.fa = -1e3, p.fb = 1.0 / 3.0, p.ia = 1LL << 35, p.ib = -(1LL << 33);
    cases.push_back({fill_kind::arange, p});
  }
  for (const auto& g : geos) {
    for (bool endpoint : {true, false}) {
      fill_params p;
      p.fa = -1.3, p.fb = 7.9, p.endpoint = endpoint;
      p.count = std::max<i64>(numel(g.global), 1);
      cases.push_back({fill_kind::linspace, p});
      p.fa = 5, p.fb = 5;  // zero step
      cases.push_back({fill_kind::linspace, p});
      p.fa = 0, p.fb = 1e-320;  // denormal step
      cases.push_back({fill_kind::linspace, p});
    }
  }
  for (i64 k : {-2, 0, 3}) {
    fill_params p;
    p.k = k;
    cases.push_back({fill_kind::eye, p});
  }
  for (const auto& g : geos)
    for (const auto& [kind, p] : cases) {
      if (kind == fill_kind::eye && g.global.size() != 2) continue;
      for (dtype t : all_dtypes) {
        const std::size_t nb = std::size_t(g.tile.empty() ? 0 : g.tile.size()) * itemsize(t);
        bytes cpu(nb, 0x5A);
        fill_tile(kind, t, p, g.global, g.tile, cpu.data());
        dbuf d(nb, st.get());
        cuda::check(cudaMemsetAsync(d.data(), 0x5A, std::max<std::size_t>(nb, 1), st.get()), "set");
        cuda::fill_tile(kind, t, p, g.global, g.tile, d.data(), st.get());
        ASSERT_TRUE(same_bytes(cpu, d.get(nb, st.get())))
            << "kind " << int(kind) << " " << dtype_name(t) << " global " << str(g.global);
      }
    }
  dbuf d(64, st.get());
  EXPECT_THROW(cuda::fill_tile(fill_kind::eye, dtype::int32, {}, {3}, {{0}, {3}}, d.data(),
                               st.get()),
               error);
}

// ---------------------------------------------------------------- random

TEST(CudaRandom, EveryKindBitIdenticalToTheCpu) {
  SHOAL_REQUIRE_GPU();
  cuda::stream st;
  struct geo {
    shape_t global;
    box tile;
  };
  const std::vector<geo> geos = {
      {{}, {{}, {}}},
      {{0}, {{0}, {0}}},
      {{1}, {{0}, {1}}},
      {{100003}, {{5}, {100000}}},
      {{257, 129}, {{3, 1}, {250, 128}}},
      {{6, 7, 8}, {{1, 2, 3}, {5, 7, 8}}},
  };
  std::vector<random_params> iparams(3);
  iparams[0].ilo = -100, iparams[0].ihi = 1000;
  iparams[1].ilo = -(1LL << 62), iparams[1].ihi = 1LL << 62;
  iparams[2].ilo = 0, iparams[2].ihi = 2;
  random_params fp;
  fp.lo = -3.5, fp.hi = 11.25;
  random_params np;  // normal(loc 2, scale 0.5)
  np.lo = 2, np.hi = 0.5;
  i64 normal_total = 0, normal_diff = 0;
  for (const auto& g : geos)
    for (std::uint64_t seed : {0ULL, 12345ULL, 0xFFFFFFFFFFFFFFFFULL})
      for (std::uint64_t stream_id : {0ULL, 7ULL, 1ULL << 40}) {
        auto run = [&](random_kind kind, dtype t, const random_params& p, bool exact) {
          const std::size_t nb = std::size_t(g.tile.empty() ? 0 : g.tile.size()) * itemsize(t);
          bytes cpu(nb);
          fill_random(kind, t, p, seed, stream_id, g.global, g.tile, cpu.data());
          dbuf d(nb, st.get());
          cuda::fill_random(kind, t, p, seed, stream_id, g.global, g.tile, d.data(), st.get());
          const bytes gpu = d.get(nb, st.get());
          const std::string what = std::string("kind ") + std::to_string(int(kind)) + " " +
                                   dtype_name(t) + " global " + str(g.global) + " seed " +
                                   std::to_string(seed) + " stream " + std::to_string(stream_id);
          if (exact) {
            ASSERT_TRUE(same_bytes(cpu, gpu)) << what;
            return;
          }
          const i64 n = i64(nb / itemsize(t));
          for (i64 i = 0; i < n; ++i) {
            const std::size_t o = std::size_t(i) * itemsize(t);
            normal_diff += std::memcmp(&cpu[o], &gpu[o], itemsize(t)) != 0;
          }
          normal_total += n;
          // box_muller.hpp: one log/cos for both sides, so normals are bit-identical too
          ASSERT_EQ(normal_diff, 0) << what;
        };
        for (dtype t : {dtype::float32, dtype::float64}) {
          run(random_kind::uniform, t, fp, true);
          run(random_kind::uniform, t, random_params{}, true);
          run(random_kind::standard_normal, t, random_params{}, false);
          run(random_kind::standard_normal, t, np, false);
          if (HasFatalFailure()) return;
        }
        for (dtype t : all_dtypes)
          for (const auto& p : iparams) {
            run(random_kind::integers, t, p, true);
            if (HasFatalFailure()) return;
          }
      }
  std::printf("[ info ] standard_normal: %lld of %lld values differ from the CPU in some bit\n",
              (long long)normal_diff, (long long)normal_total);
  EXPECT_GT(normal_total, 0);
  dbuf d(64, st.get());
  EXPECT_THROW(cuda::fill_random(random_kind::uniform, dtype::int32, {}, 1, 0, {4},
                                 {{0}, {4}}, d.data(), st.get()),
               error);
  random_params bad;
  bad.ilo = 3, bad.ihi = 3;
  EXPECT_THROW(cuda::fill_random(random_kind::integers, dtype::int32, bad, 1, 0, {4},
                                 {{0}, {4}}, d.data(), st.get()),
               error);
}

// ---------------------------------------------------------------- strided copy

TEST(CudaCopy, MatchesCpuForAnyStrides) {
  SHOAL_REQUIRE_GPU();
  cuda::stream st;
  std::mt19937_64 rng(11);
  struct layout {
    shape_t shape;
    shape_t src_strides;  // elements; the source base is chosen so every address is in range
    shape_t dst_strides;
  };
  const std::vector<layout> layouts = {
      {{}, {}, {}},
      {{0, 3}, {3, 1}, {3, 1}},
      {{1}, {1}, {1}},
      {{1000}, {1}, {1}},
      {{1000}, {-1}, {1}},
      {{1000}, {0}, {1}},
      {{333}, {3}, {2}},
      {{17, 19}, {1, 17}, {19, 1}},          // transpose
      {{17, 19}, {-19, 1}, {19, 1}},         // flipped rows
      {{17, 19}, {0, 1}, {19, 1}},           // broadcast rows
      {{5, 6, 7}, {42, 7, 1}, {42, 7, 1}},   // contiguous (one memcpy)
      {{5, 6, 7}, {1, 5, 30}, {42, 7, 1}},   // reversed axes
      {{5, 6, 7}, {84, -14, 2}, {1, 5, 30}}, // sliced with steps, negative middle
      {{2, 3, 1, 4, 2}, {48, 16, 99, 4, -1}, {24, 8, 8, 2, 1}},
      {{300, 301}, {1, 300}, {301, 1}},
  };
  for (std::size_t isz : {1, 2, 4, 8, 3, 12}) {
    for (const auto& L : layouts) {
      // source range: span of addresses over the index space
      i64 smin = 0, smax = 0, dmax = 0;
      bool empty = false;
      for (std::size_t d = 0; d < L.shape.size(); ++d) {
        if (L.shape[d] == 0) empty = true;
        const i64 e = L.shape[d] - 1;
        (L.src_strides[d] < 0 ? smin : smax) += e * L.src_strides[d];
        dmax += e * L.dst_strides[d];
      }
      if (empty) smin = smax = dmax = 0;
      const i64 slen = smax - smin + 1, dlen = dmax + 1;
      bytes src(std::size_t(slen) * isz), dst_cpu(std::size_t(dlen) * isz);
      for (auto& b : src) b = std::uint8_t(rng());
      for (auto& b : dst_cpu) b = std::uint8_t(rng());
      dbuf dsrc(src, st.get()), ddst(dst_cpu, st.get());
      const std::size_t soff = std::size_t(-smin) * isz;
      copy_strided(dst_cpu.data(), L.dst_strides.data(), src.data() + soff, L.src_strides.data(),
                   L.shape, isz);
      cuda::copy_strided(ddst.data(), L.dst_strides.data(),
                         static_cast<const std::uint8_t*>(dsrc.data()) + soff,
                         L.src_strides.data(), L.shape, isz, st.get());
      ASSERT_TRUE(same_bytes(dst_cpu, ddst.get(dst_cpu.size(), st.get())))
          << "itemsize " << isz << " shape " << str(L.shape);
    }
  }
}

// ---------------------------------------------------------------- matmul

TEST(CudaMatmul, MatchesCpuEveryDtype) {
  SHOAL_REQUIRE_GPU();
  cuda::stream st;
  cuda::cublas_handle h;
  EXPECT_FALSE(h.allow_tf32());
  std::mt19937_64 rng(5);
  const std::vector<std::array<i64, 3>> sizes = {{0, 3, 4},    {3, 0, 2},     {5, 7, 0},
                                                 {1, 1, 1},    {17, 33, 9},   {64, 65, 66},
                                                 {130, 70, 257}, {1, 300, 40}, {300, 1, 40}};
  for (dtype t : all_dtypes)
    for (const auto& [m, n, k] : sizes)
      for (bool accumulate : {false, true}) {
        const i64 big = t == dtype::int64 ? (1LL << 40) : (1LL << 20);
        const bytes a = random_bytes(t, m * k, rng, -big, big, -1.0, 1.0);
        const bytes b = random_bytes(t, k * n, rng, -big, big, -1.0, 1.0);
        bytes c = random_bytes(t, m * n, rng, -big, big, -1.0, 1.0);
        dbuf da(a, st.get()), db(b, st.get()), dc(c, st.get());
        matmul_tile(t, m, n, k, a.data(), b.data(), c.data(), accumulate);
        cuda::matmul_tile(h, t, m, n, k, da.data(), db.data(), dc.data(), accumulate, st.get());
        const bytes g = dc.get(c.size(), st.get());
        const std::string what = std::string(dtype_name(t)) + " m " + std::to_string(m) + " n " +
                                 std::to_string(n) + " k " + std::to_string(k) +
                                 (accumulate ? " acc" : "");
        if (t == dtype::float32) ASSERT_TRUE(close<float>(c, g, m * n, 1e-5, 1e-5 * double(k + 1))) << what;
        else if (t == dtype::float64) ASSERT_TRUE(close<double>(c, g, m * n, 1e-12, 1e-13 * double(k + 1))) << what;
        else ASSERT_TRUE(same_bytes(c, g)) << what;
      }
  EXPECT_THROW(cuda::matmul_tile(h, dtype::float32, -1, 2, 2, nullptr, nullptr, nullptr, false,
                                 st.get()),
               error);
}

// ---------------------------------------------------------------- timings (printed only)

TEST(CudaTiming, SumAndSgemm) {
  SHOAL_REQUIRE_GPU();
  cuda::stream st;
  auto time_ms = [&](auto&& fn, int reps) {
    fn();  // warm up
    cuda::event e0, e1;
    e0.record(st.get());
    for (int r = 0; r < reps; ++r) fn();
    e1.record(st.get());
    e1.synchronize();
    return e1.elapsed_ms_since(e0) / float(reps);
  };
  for (int lg : {26, 28}) {
    const i64 n = i64(1) << lg;
    cuda::device_buffer in(std::size_t(n) * 4, st.get()), out(8, st.get()),
        rows(std::size_t(n >> 12) * 4, st.get());
    fill_params p;
    p.fa = 1.0;
    cuda::fill_tile(fill_kind::full, dtype::float32, p, {n}, full_box({n}), in.data(), st.get());
    const float ms = time_ms(
        [&] {
          cuda::reduce_tile(reduce_kind::sum, dtype::float32, in.data(), {n}, {true}, out.data(),
                            st.get());
        },
        20);
    float r = 0;
    cuda::check(cudaMemcpy(&r, out.data(), 4, cudaMemcpyDeviceToHost), "D2H");
    EXPECT_EQ(r, float(n));
    std::printf("[ time ] sum of 2^%d float32: %.3f ms (%.0f GB/s)\n", lg, ms,
                double(n) * 4 / (ms * 1e-3) / 1e9);
    const float ms_rows = time_ms(
        [&] {
          cuda::reduce_tile(reduce_kind::sum, dtype::float32, in.data(), {n >> 12, 4096},
                            {false, true}, rows.data(), st.get());
        },
        5);
    std::printf("[ time ] sum(axis=-1) of (2^%d, 4096) float32: %.3f ms (%.0f GB/s)\n", lg - 12,
                ms_rows, double(n) * 4 / (ms_rows * 1e-3) / 1e9);
  }
  {
    const i64 n = 4096;
    cuda::device_buffer a(std::size_t(n * n) * 4, st.get()), b(std::size_t(n * n) * 4, st.get()),
        c(std::size_t(n * n) * 4, st.get());
    fill_params p;
    p.fa = 0.5;
    cuda::fill_tile(fill_kind::full, dtype::float32, p, {n, n}, full_box({n, n}), a.data(), st.get());
    cuda::fill_tile(fill_kind::full, dtype::float32, p, {n, n}, full_box({n, n}), b.data(), st.get());
    for (bool tf32 : {false, true}) {
      cuda::cublas_handle h(tf32);
      const float ms = time_ms(
          [&] {
            cuda::matmul_tile(h, dtype::float32, n, n, n, a.data(), b.data(), c.data(), false,
                              st.get());
          },
          10);
      std::printf("[ time ] sgemm 4096^3 (%s): %.3f ms (%.1f TFLOP/s)\n",
                  tf32 ? "TF32 allowed" : "full fp32", ms, 2.0 * double(n) * n * n / (ms * 1e-3) / 1e12);
    }
  }
}

}  // namespace
}  // namespace shoal
