/// Philox4x32-10 random creation kernels on the device (the twin of arrays/random.cpp).
#include "arrays/cuda/random.cuh"
#include "arrays/cuda/tile_geom.cuh"

#include <cuda/std/limits>

#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>

#include "arrays/box_muller.hpp"
#include "arrays/cuda/device.hpp"
#include "arrays/errors.hpp"

namespace shoal::cuda {

namespace {

using i64 = std::int64_t;
using u64 = std::uint64_t;
using u32 = std::uint32_t;

template <dtype D>
using st = std::conditional_t<D == dtype::bool_, std::uint8_t, ctype_t<D>>;
template <class T> constexpr bool is_fl = std::is_floating_point_v<T>;
template <class T> constexpr bool is_bool = std::is_same_v<T, std::uint8_t>;

constexpr int block = tile_geom::block;
using geom_t = tile_geom;
constexpr u32 M0 = 0xD2511F53u, M1 = 0xCD9E8D57u;
constexpr u32 W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;

struct u32x4 {
  u32 x[4];
};

__device__ __forceinline__ u32x4 philox(u32 c0, u32 c1, u32 c2, u32 c3, u32 k0, u32 k1) {
#pragma unroll
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k0 += W0;
      k1 += W1;
    }
    const u32 hi0 = __umulhi(M0, c0), lo0 = M0 * c0;
    const u32 hi1 = __umulhi(M1, c2), lo1 = M1 * c2;
    const u32 n0 = hi1 ^ c1 ^ k0, n1 = lo1, n2 = hi0 ^ c3 ^ k1, n3 = lo0;
    c0 = n0, c1 = n1, c2 = n2, c3 = n3;
  }
  return {{c0, c1, c2, c3}};
}

__device__ __forceinline__ double u53(u32 hi, u32 lo) {
  return __dmul_rn(double(((u64(hi) << 32) | lo) >> 11), 0x1.0p-53);
}
__device__ __forceinline__ float u24(u32 x) { return __fmul_rn(float(x >> 8), 0x1.0p-24f); }

/// floor(r * X / 2^128) for the 128-bit X = (x0 x1 x2 x3), as the CPU's bounded().
__device__ __forceinline__ u64 bounded(u64 r, const u32x4& x) {
  const u64 xh = (u64(x.x[0]) << 32) | x.x[1], xl = (u64(x.x[2]) << 32) | x.x[3];
  const u64 plo_hi = __umul64hi(r, xl);
  const u64 phi_lo = r * xh, phi_hi = __umul64hi(r, xh);
  const u64 mid = phi_lo + plo_hi;
  return phi_hi + (mid < phi_lo ? 1 : 0);
}

template <class D, class S> __device__ __forceinline__ D cast_val(S x) {
  if constexpr (is_bool<D>) return D(x != S(0));
  else return D(x);  // int -> int wraps, int -> float rounds to nearest (as the CPU)
}

struct params_t {
  double lo, hi, diff;   // float64 uniform: lo + diff * u; normal: lo + hi * z
  float flo, fhi, fdiff;  // float32 uniform
  i64 ilo;
  u64 range;
  u32 k0, k1, s0, s1;
};

template <random_kind K, class T>
__global__ void random_kernel(T* __restrict__ out, i64 n, geom_t g, params_t p) {
  const i64 stride = i64(gridDim.x) * blockDim.x;
  for (i64 l = i64(blockIdx.x) * blockDim.x + threadIdx.x; l < n; l += stride) {
    const u64 i = u64(g.global_index(l));
    const u32x4 x = philox(u32(i), u32(i >> 32), p.s0, p.s1, p.k0, p.k1);
    T v{};
    if constexpr (K == random_kind::uniform) {
      if constexpr (std::is_same_v<T, float>) {
        v = __fadd_rn(p.flo, __fmul_rn(p.fdiff, u24(x.x[0])));
        if (v >= p.fhi && p.fhi > p.flo) v = nextafterf(p.fhi, p.flo);
      } else if constexpr (std::is_same_v<T, double>) {
        v = __dadd_rn(p.lo, __dmul_rn(p.diff, u53(x.x[0], x.x[1])));
        if (v >= p.hi && p.hi > p.lo) v = nextafter(p.hi, p.lo);
      }
    } else if constexpr (K == random_kind::standard_normal) {
      if constexpr (is_fl<T>) {
        const double u1 = __dsub_rn(1.0, u53(x.x[0], x.x[1]));
        const double u2 = u53(x.x[2], x.x[3]);
        const double z = box_muller::normal(u1, u2);  // the CPU's code: bit-identical
        v = T(__dadd_rn(p.lo, __dmul_rn(p.hi, z)));
      }
    } else {
      v = cast_val<T>(i64(u64(p.ilo) + bounded(p.range, x)));
    }
    out[l] = v;
  }
}

}  // namespace

void fill_random(random_kind kind, dtype t, const random_params& rp, std::uint64_t seed,
                 std::uint64_t stream_id, const shape_t& global_shape, const box& tile, void* out,
                 cudaStream_t stream) {
  if (tile.ndim() != global_shape.size())
    throw_error(errc::value_error, "fill_random: tile rank differs from the array");
  if (kind != random_kind::integers && !is_float(t))
    throw_error(errc::type_error, std::string("random floats cannot be drawn as ") + dtype_name(t));
  if (kind == random_kind::integers && rp.ihi <= rp.ilo)
    throw_error(errc::value_error, "high <= low");
  if (tile.empty()) return;
  const geom_t g = tile_geom::of(global_shape, tile, "fill_random");
  params_t p{};
  p.lo = rp.lo;
  p.hi = rp.hi;
  p.diff = rp.hi - rp.lo;
  p.flo = float(rp.lo);
  p.fhi = float(rp.hi);
  p.fdiff = p.fhi - p.flo;
  p.ilo = rp.ilo;
  p.range = u64(rp.ihi) - u64(rp.ilo);
  p.k0 = u32(seed);
  p.k1 = u32(seed >> 32);
  p.s0 = u32(stream_id);
  p.s1 = u32(stream_id >> 32);
  const i64 n = tile.size();
  const unsigned grid = tile_geom::grid_for(n);
  visit_dtype(t, [&](auto tag) {
    using T = st<decltype(tag)::value>;
    T* o = static_cast<T*>(out);
    switch (kind) {
      case random_kind::uniform:
        random_kernel<random_kind::uniform, T><<<grid, block, 0, stream>>>(o, n, g, p);
        break;
      case random_kind::standard_normal:
        random_kernel<random_kind::standard_normal, T><<<grid, block, 0, stream>>>(o, n, g, p);
        break;
      case random_kind::integers:
        random_kernel<random_kind::integers, T><<<grid, block, 0, stream>>>(o, n, g, p);
        break;
    }
  });
  check(cudaGetLastError(), "fill_random kernel");
}

}  // namespace shoal::cuda
