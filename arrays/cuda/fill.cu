/// CUDA creation kernels (the twin of arrays/fill.cpp): one thread per element.
#include "arrays/cuda/fill.cuh"
#include "arrays/cuda/tile_geom.cuh"

#include <cuda/std/limits>

#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "arrays/cuda/device.hpp"
#include "arrays/errors.hpp"

namespace shoal::cuda {

namespace {

using i64 = std::int64_t;
using u64 = std::uint64_t;

template <dtype D>
using st = std::conditional_t<D == dtype::bool_, std::uint8_t, ctype_t<D>>;
template <class T> constexpr bool is_fl = std::is_floating_point_v<T>;
template <class T> constexpr bool is_bool = std::is_same_v<T, std::uint8_t>;

constexpr int block = tile_geom::block;
using geom_t = tile_geom;

/// NumPy's astype (as ops::cast_val): float -> int truncates, NaN/out of range -> minimum.
template <class D, class S> __device__ __forceinline__ D cast_val(S x) {
  if constexpr (is_bool<D>) {
    return D(x != S(0));
  } else if constexpr (is_fl<S> && std::is_integral_v<D>) {
    constexpr double lim = double(std::make_unsigned_t<D>(1) << (8 * sizeof(D) - 1));
    const double v = double(x);
    return (v >= -lim && v < lim) ? D(x) : ::cuda::std::numeric_limits<D>::min();
  } else {
    return D(x);
  }
}

template <class T> __device__ __forceinline__ T mul_rn(T a, T b) {
  if constexpr (std::is_same_v<T, float>) return __fmul_rn(a, b);
  else return __dmul_rn(a, b);
}
template <class T> __device__ __forceinline__ T add_rn(T a, T b) {
  if constexpr (std::is_same_v<T, float>) return __fadd_rn(a, b);
  else return __dadd_rn(a, b);
}

template <class T> __global__ void full_kernel(T* __restrict__ out, i64 n, T v) {
  const i64 stride = i64(gridDim.x) * blockDim.x;
  for (i64 i = i64(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) out[i] = v;
}

/// Float arange: start, next = T(a + b) and delta = next - start come from the host.
template <class T>
__global__ void arange_float_kernel(T* __restrict__ out, i64 n, geom_t g, T start, T next,
                                    T delta) {
  const i64 stride = i64(gridDim.x) * blockDim.x;
  for (i64 l = i64(blockIdx.x) * blockDim.x + threadIdx.x; l < n; l += stride) {
    const i64 i = g.global_index(l);
    out[l] = i == 0 ? start : i == 1 ? next : add_rn<T>(start, mul_rn<T>(T(i), delta));
  }
}

template <class T>
__global__ void arange_int_kernel(T* __restrict__ out, i64 n, geom_t g, i64 a, i64 b) {
  const i64 stride = i64(gridDim.x) * blockDim.x;
  for (i64 l = i64(blockIdx.x) * blockDim.x + threadIdx.x; l < n; l += stride) {
    const i64 i = g.global_index(l);
    out[l] = cast_val<T>(i64(u64(a) + u64(i) * u64(b)));
  }
}

struct lin_t {
  double fa, fb, div, delta, step;
  i64 num;
  bool endpoint;
};

template <class T>
__global__ void linspace_kernel(T* __restrict__ out, i64 n, geom_t g, lin_t p) {
  const i64 stride = i64(gridDim.x) * blockDim.x;
  for (i64 l = i64(blockIdx.x) * blockDim.x + threadIdx.x; l < n; l += stride) {
    const i64 i = g.global_index(l);
    double y;
    if (p.div > 0) {
      y = p.step == 0 ? __dadd_rn(__dmul_rn(__ddiv_rn(double(i), p.div), p.delta), p.fa)
                      : __dadd_rn(__dmul_rn(double(i), p.step), p.fa);
    } else {
      y = __dadd_rn(__dmul_rn(double(i), p.delta), p.fa);
    }
    if (p.endpoint && p.num > 1 && i == p.num - 1) y = p.fb;
    if constexpr (!is_fl<T>) y = floor(y);
    out[l] = cast_val<T>(y);
  }
}

template <class T>
__global__ void eye_kernel(T* __restrict__ out, i64 rows, i64 cols, i64 lo0, i64 lo1, i64 k) {
  const i64 n = rows * cols;
  const i64 stride = i64(gridDim.x) * blockDim.x;
  for (i64 l = i64(blockIdx.x) * blockDim.x + threadIdx.x; l < n; l += stride) {
    const i64 r = l / cols, c = l - r * cols;
    out[l] = T((lo1 + c) - (lo0 + r) == k);
  }
}

unsigned grid_for(i64 n) { return tile_geom::grid_for(n); }

template <class T>
void fill_typed(fill_kind kind, const fill_params& p, const shape_t& global, const box& tile,
                T* out, cudaStream_t s) {
  const i64 n = tile.size();
  const geom_t g = tile_geom::of(global, tile, "fill_tile");
  const shape_t ext = tile.extent();
  switch (kind) {
    case fill_kind::full: {
      T v;
      if constexpr (is_fl<T>) v = T(p.fa);
      else if constexpr (is_bool<T>) v = T(p.ia != 0);
      else v = T(p.ia);
      full_kernel<T><<<grid_for(n), block, 0, s>>>(out, n, v);
      break;
    }
    case fill_kind::arange:
      if constexpr (is_fl<T>) {
        const T start = T(p.fa);
        const T next = T(p.fa + p.fb);
        const T delta = next - start;
        arange_float_kernel<T><<<grid_for(n), block, 0, s>>>(out, n, g, start, next, delta);
      } else {
        arange_int_kernel<T><<<grid_for(n), block, 0, s>>>(out, n, g, p.ia, p.ib);
      }
      break;
    case fill_kind::linspace: {
      lin_t l;
      l.fa = p.fa;
      l.fb = p.fb;
      l.num = p.count;
      l.endpoint = p.endpoint;
      l.div = p.endpoint ? double(p.count - 1) : double(p.count);
      l.delta = p.fb - p.fa;
      l.step = l.div > 0 ? l.delta / l.div : 0.0;
      linspace_kernel<T><<<grid_for(n), block, 0, s>>>(out, n, g, l);
      break;
    }
    case fill_kind::eye:
      if (global.size() != 2) throw_error(errc::value_error, "eye: the array must be 2-d");
      eye_kernel<T><<<grid_for(n), block, 0, s>>>(out, ext[0], ext[1], tile.lo[0], tile.lo[1], p.k);
      break;
  }
  check(cudaGetLastError(), "fill_tile kernel");
}

}  // namespace

void fill_tile(fill_kind kind, dtype t, const fill_params& p, const shape_t& global_shape,
               const box& tile, void* out, cudaStream_t stream) {
  if (tile.ndim() != global_shape.size())
    throw_error(errc::value_error, "fill_tile: tile rank differs from the array");
  if (tile.empty()) return;
  visit_dtype(t, [&](auto tag) {
    using T = st<decltype(tag)::value>;
    fill_typed<T>(kind, p, global_shape, tile, static_cast<T*>(out), stream);
  });
}

}  // namespace shoal::cuda
