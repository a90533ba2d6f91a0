/// CUDA reductions over dense tiles (the twin of arrays/reduce.cpp).
///
/// Value reductions merge neighbouring dims that are all reduced or all kept, as the CPU does.
/// Innermost merged dim reduced -> rows of L contiguous elements, each folded by a thread
/// (L <= 16), a warp (L < 2048) or a block with 16-byte vector loads; with few rows a row is
/// split over several blocks whose partials a second (warp) pass folds. If further reduced
/// dims remain, the row results are reduced by the column kernel. Innermost dim kept -> the
/// column kernel: one output per thread (consecutive threads read consecutive addresses), the
/// reduced range split over gridDim.y chunks plus a second pass when outputs are few.
/// float32 sums accumulate in float64 everywhere; other kinds accumulate in the result type.
///
/// Arg-reductions keep (value, global index) pairs and combine them under one total order
/// (better value; NaN beats everything; ties -> smaller global index), so the order of the
/// parallel reduction does not matter and results equal the CPU's bit for bit.
#include "arrays/cuda/reduce.cuh"

#include <cuda/std/limits>

#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "arrays/cuda/cub_sum.cuh"
#include "arrays/cuda/device.hpp"
#include "arrays/errors.hpp"

namespace shoal::cuda {

namespace {

using i64 = std::int64_t;
using u64 = std::uint64_t;

template <dtype D>
using st = std::conditional_t<D == dtype::bool_, std::uint8_t, ctype_t<D>>;
template <class T> constexpr bool is_fl = std::is_floating_point_v<T>;
template <class T> using uns = std::make_unsigned_t<T>;

constexpr int max_dims = 32;
constexpr int block = 256;

/// Dims of an index space walked in C order: extents and strides (elements) into a buffer.
struct dims_t {
  int n = 0;
  i64 ext[max_dims];
  i64 st[max_dims];
};

/// Reduced dims of an arg-reduction: also the stride of each dim in the global index.
struct arg_dims_t {
  int n = 0;
  i64 ext[max_dims];
  i64 st[max_dims];
  i64 gst[max_dims];
};

constexpr dtype result_of(reduce_kind k, dtype in) {
  const bool fl = in == dtype::float32 || in == dtype::float64;
  if (k == reduce_kind::sum || k == reduce_kind::prod) return fl ? in : dtype::int64;
  if (k == reduce_kind::any || k == reduce_kind::all) return dtype::bool_;
  return in;
}

/// Accumulator: float32 sums in float64, everything else in the result type.
template <reduce_kind K, class R>
using acc_t = std::conditional_t<K == reduce_kind::sum && std::is_same_v<R, float>, double, R>;

// ---- scalar rules (as arrays/reduce.cpp) ----

template <reduce_kind K, class R> __host__ __device__ R identity() {
  using lim = ::cuda::std::numeric_limits<R>;
  if constexpr (K == reduce_kind::sum || K == reduce_kind::any) return R(0);
  else if constexpr (K == reduce_kind::prod || K == reduce_kind::all) return R(1);
  else if constexpr (K == reduce_kind::min) {
    if constexpr (is_fl<R>) return lim::infinity();
    else return lim::max();  // bool (uint8): 255, as the CPU's identity
  } else {
    if constexpr (is_fl<R>) return -lim::infinity();
    else return lim::min();
  }
}

template <reduce_kind K, class R> __device__ __forceinline__ R fold(R acc, R x) {
  if constexpr (K == reduce_kind::sum) {
    if constexpr (is_fl<R>) return acc + x;
    else return R(uns<R>(acc) + uns<R>(x));
  } else if constexpr (K == reduce_kind::prod) {
    if constexpr (is_fl<R>) return acc * x;
    else return R(uns<R>(acc) * uns<R>(x));
  } else if constexpr (K == reduce_kind::min) {
    if constexpr (is_fl<R>) return (acc <= x || acc != acc) ? acc : x;  // NaN propagates
    else return acc <= x ? acc : x;
  } else if constexpr (K == reduce_kind::max) {
    if constexpr (is_fl<R>) return (acc >= x || acc != acc) ? acc : x;
    else return acc >= x ? acc : x;
  } else if constexpr (K == reduce_kind::any) {
    if constexpr (is_fl<R>) return R(acc != 0 || x != 0);
    else return R(acc | x);
  } else {
    if constexpr (is_fl<R>) return R(acc != 0 && x != 0);
    else return R(acc & x);
  }
}

template <reduce_kind K, class A, class T> __device__ __forceinline__ A lift(T x) {
  if constexpr (K == reduce_kind::any || K == reduce_kind::all) return A(x != T(0));
  else return A(x);
}

template <class T> __device__ __forceinline__ T shfl_down(T v, int o) {
  if constexpr (sizeof(T) < 4) return T(__shfl_down_sync(0xffffffffu, unsigned(v), o));
  else if constexpr (std::is_same_v<T, std::int64_t>)
    return T(__shfl_down_sync(0xffffffffu, (long long)v, o));
  else return __shfl_down_sync(0xffffffffu, v, o);
}

template <reduce_kind K, class A> __device__ __forceinline__ A warp_reduce(A v) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v = fold<K, A>(v, shfl_down(v, o));
  return v;
}

/// Block-wide fold; the result is valid in thread 0. Safe to call repeatedly in a loop.
template <reduce_kind K, class A> __device__ A block_reduce(A v) {
  __shared__ A sh[32];
  const int lane = threadIdx.x & 31, w = threadIdx.x >> 5;
  v = warp_reduce<K, A>(v);
  __syncthreads();  // a previous call may still read sh
  if (lane == 0) sh[w] = v;
  __syncthreads();
  if (w == 0) {
    v = lane < int(blockDim.x >> 5) ? sh[lane] : identity<K, A>();
    v = warp_reduce<K, A>(v);
  }
  return v;
}

/// q -> (q / e, q % e), in 32 bits when both fit (much cheaper than 64-bit division).
__device__ __forceinline__ i64 divmod(i64 q, i64 e, i64& rem) {
  if (((u64(q) | u64(e)) >> 32) == 0) {
    const unsigned qq = unsigned(q) / unsigned(e);
    rem = i64(unsigned(q) - qq * unsigned(e));
    return i64(qq);
  }
  const i64 qq = q / e;
  rem = q - qq * e;
  return qq;
}

/// Offset of flat (C-order) index `flat` of `d`; the outermost dim needs no division.
__device__ __forceinline__ i64 offset_of(const dims_t& d, i64 flat) {
  i64 off = 0;
  for (int i = d.n - 1; i > 0; --i) {
    i64 r;
    flat = divmod(flat, d.ext[i], r);
    off += r * d.st[i];
  }
  if (d.n > 0) off += flat * d.st[0];
  return off;
}

// ---- value kernels ----

/// Rows of L <= 16 contiguous elements: one row per thread.
template <reduce_kind K, class T, class A, class O>
__global__ void __launch_bounds__(block)
    thread_rows(const T* __restrict__ in, i64 L, i64 n_rows, O* __restrict__ dst) {
  const i64 stride = i64(gridDim.x) * blockDim.x;
  for (i64 r = i64(blockIdx.x) * blockDim.x + threadIdx.x; r < n_rows; r += stride) {
    const T* p = in + r * L;
    A acc = identity<K, A>();
    for (i64 i = 0; i < L; ++i) acc = fold<K, A>(acc, lift<K, A>(p[i]));
    dst[r] = O(acc);
  }
}

/// Rows of moderate length: one row per warp.
template <reduce_kind K, class T, class A, class O>
__global__ void __launch_bounds__(block)
    warp_rows(const T* __restrict__ in, i64 L, i64 n_rows, O* __restrict__ dst) {
  const int lane = threadIdx.x & 31;
  const i64 warps = i64(gridDim.x) * (blockDim.x / 32);
  for (i64 r = (i64(blockIdx.x) * blockDim.x + threadIdx.x) / 32; r < n_rows; r += warps) {
    const T* p = in + r * L;
    A acc = identity<K, A>();
    for (i64 i = lane; i < L; i += 32) acc = fold<K, A>(acc, lift<K, A>(p[i]));
    acc = warp_reduce<K, A>(acc);
    if (lane == 0) dst[r] = O(acc);
  }
}

/// Long rows: unit u = (row u / bpr, segment u % bpr of `seg` elements) per block, read with
/// 16-byte vector loads; dst[u] gets the unit's fold.
template <reduce_kind K, class T, class A, class O>
__global__ void __launch_bounds__(block)
    block_rows(const T* __restrict__ in, i64 L, i64 seg, i64 bpr, i64 units,
               O* __restrict__ dst) {
  constexpr int V = int(16 / sizeof(T));
  union vec {
    uint4 v;
    T x[V];
  };
  for (i64 u = blockIdx.x; u < units; u += gridDim.x) {
    const i64 row = u / bpr, b = u - row * bpr;
    const i64 s = b * seg, e = min(L, s + seg);
    const T* p = in + row * L;
    A acc = identity<K, A>();
    const auto addr = reinterpret_cast<std::uintptr_t>(p + s);
    const i64 a = min(e, s + i64(((16 - (addr & 15)) & 15) / sizeof(T)));  // first aligned
    for (i64 i = s + threadIdx.x; i < a; i += blockDim.x) acc = fold<K, A>(acc, lift<K, A>(p[i]));
    const i64 nv = (e - a) / V;
    const uint4* pv = reinterpret_cast<const uint4*>(p + a);
#pragma unroll 4
    for (i64 i = threadIdx.x; i < nv; i += blockDim.x) {
      vec w;
      w.v = __ldg(pv + i);
#pragma unroll
      for (int j = 0; j < V; ++j) acc = fold<K, A>(acc, lift<K, A>(w.x[j]));
    }
    for (i64 i = a + nv * V + threadIdx.x; i < e; i += blockDim.x)
      acc = fold<K, A>(acc, lift<K, A>(p[i]));
    acc = block_reduce<K, A>(acc);
    if (threadIdx.x == 0) dst[u] = O(acc);
  }
}

/// Innermost dim kept: thread = output o (over `kept`), blockIdx.y = chunk of the reduced
/// range (over `red`); dst[chunk * n_out + o].
template <reduce_kind K, class T, class A, class O>
__global__ void __launch_bounds__(block)
    columns(const T* __restrict__ in, dims_t kept, dims_t red, i64 n_out, i64 n_red, i64 chunk,
            O* __restrict__ dst) {
  const i64 o = i64(blockIdx.x) * blockDim.x + threadIdx.x;
  if (o >= n_out) return;
  const i64 c = blockIdx.y;
  const i64 r0 = c * chunk, r1 = min(n_red, r0 + chunk);
  i64 idx[max_dims];
  i64 off = offset_of(kept, o);
  {
    i64 q = r0;
    for (int d = red.n - 1; d >= 0; --d) {
      i64 r;
      q = d > 0 ? divmod(q, red.ext[d], r) : (r = q, 0);
      idx[d] = r;
      off += r * red.st[d];
    }
  }
  A acc = identity<K, A>();
  for (i64 r = r0; r < r1; ++r) {
    acc = fold<K, A>(acc, lift<K, A>(in[off]));
    for (int d = red.n - 1; d >= 0; --d) {
      off += red.st[d];
      if (++idx[d] < red.ext[d]) break;
      off -= red.st[d] * red.ext[d];
      idx[d] = 0;
    }
  }
  dst[c * n_out + o] = O(acc);
}

template <class T> __global__ void fill_value(T* out, i64 n, T v) {
  const i64 stride = i64(gridDim.x) * blockDim.x;
  for (i64 i = i64(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) out[i] = v;
}

int sm_count() {
  int dev = 0, n = 0;
  check(cudaGetDevice(&dev), "cudaGetDevice");
  check(cudaDeviceGetAttribute(&n, cudaDevAttrMultiProcessorCount, dev), "cudaDeviceGetAttribute");
  return std::max(n, 1);
}

unsigned grid_for(i64 work, i64 per_block, i64 cap) {
  return unsigned(std::clamp<i64>((work + per_block - 1) / per_block, 1, cap));
}

template <class T> void fill_async(T* out, i64 n, T v, cudaStream_t s) {
  if (n <= 0) return;
  fill_value<T><<<grid_for(n, block, 4096), block, 0, s>>>(out, n, v);
  check(cudaGetLastError(), "reduce: fill kernel");
}

/// Reduces n_rows dense rows of L elements (T) into dst[n_rows] (O).
template <reduce_kind K, class T, class A, class O>
void rows_pass(const T* in, i64 L, i64 n_rows, O* dst, cudaStream_t s) {
  if constexpr (K == reduce_kind::sum && is_fl<T> && std::is_same_v<T, O>) {
    if (n_rows == 1 && L >= (i64(1) << 20)) {  // a full float sum: CUB's kernel (cub_sum.cuh)
      cub_sum(in, L, dst, s);
      return;
    }
  }
  const int sms = sm_count();
  if (L <= 16 && n_rows >= 4096) {
    thread_rows<K, T, A, O><<<grid_for(n_rows, block, i64(sms) * 64), block, 0, s>>>(in, L, n_rows,
                                                                                    dst);
    check(cudaGetLastError(), "reduce: row kernel");
    return;
  }
  const i64 target_units = i64(sms) * 8;
  constexpr i64 V = 16 / sizeof(T);
  const i64 min_seg = block * V * 2;
  i64 bpr = 1;
  if (n_rows < target_units && L >= 2 * min_seg)
    bpr = std::clamp<i64>((target_units + n_rows - 1) / n_rows, 1, (L + min_seg - 1) / min_seg);
  if (bpr == 1 && L < 2048) {
    warp_rows<K, T, A, O><<<grid_for(n_rows, block / 32, i64(sms) * 64), block, 0, s>>>(
        in, L, n_rows, dst);
    check(cudaGetLastError(), "reduce: row kernel");
    return;
  }
  i64 seg = (L + bpr - 1) / bpr;
  seg = (seg + V - 1) / V * V;
  bpr = (L + seg - 1) / seg;
  const i64 units = n_rows * bpr;
  if (bpr == 1) {
    block_rows<K, T, A, O><<<grid_for(units, 1, i64(sms) * 32), block, 0, s>>>(in, L, seg, bpr,
                                                                              units, dst);
    check(cudaGetLastError(), "reduce: row kernel");
    return;
  }
  device_buffer tmp(std::size_t(units) * sizeof(A), s);
  block_rows<K, T, A, A><<<grid_for(units, 1, i64(sms) * 32), block, 0, s>>>(
      in, L, seg, bpr, units, tmp.as<A>());
  check(cudaGetLastError(), "reduce: row kernel");
  warp_rows<K, A, A, O><<<grid_for(n_rows, block / 32, i64(sms) * 64), block, 0, s>>>(
      tmp.as<A>(), bpr, n_rows, dst);
  check(cudaGetLastError(), "reduce: row combine kernel");
}

/// Reduces `in` (dense, merged dims ext/red, innermost kept) into dst (dense over kept dims).
template <reduce_kind K, class T, class A, class O>
void columns_pass(const T* in, const shape_t& ext, const std::vector<bool>& red, O* dst,
                  cudaStream_t s) {
  dims_t kept, rd;
  i64 stride = 1, n_out = 1, n_red = 1;
  shape_t strides(ext.size());
  for (std::size_t d = ext.size(); d-- > 0;) strides[d] = stride, stride *= ext[d];
  for (std::size_t d = 0; d < ext.size(); ++d) {
    dims_t& t = red[d] ? rd : kept;
    if (t.n == max_dims) throw_error(errc::value_error, "reduce_tile (CUDA): too many dims");
    t.ext[t.n] = ext[d];
    t.st[t.n] = strides[d];
    ++t.n;
    (red[d] ? n_red : n_out) *= ext[d];
  }
  if (n_out == 0) return;
  const i64 target = i64(sm_count()) * 2048;
  i64 chunks = 1;
  if (n_out < target && n_red >= 64)
    chunks = std::clamp<i64>((target + n_out - 1) / n_out, 1, std::min<i64>(65535, n_red / 32));
  i64 chunk = (n_red + chunks - 1) / chunks;
  chunks = std::max<i64>(1, (n_red + chunk - 1) / chunk);
  const dim3 grid(unsigned((n_out + block - 1) / block), unsigned(chunks));
  if (chunks == 1) {
    columns<K, T, A, O><<<grid, block, 0, s>>>(in, kept, rd, n_out, n_red, chunk, dst);
    check(cudaGetLastError(), "reduce: column kernel");
    return;
  }
  device_buffer tmp(std::size_t(chunks * n_out) * sizeof(A), s);
  columns<K, T, A, A><<<grid, block, 0, s>>>(in, kept, rd, n_out, n_red, chunk, tmp.as<A>());
  check(cudaGetLastError(), "reduce: column kernel");
  dims_t k2, r2;
  k2.n = r2.n = 1;
  k2.ext[0] = n_out, k2.st[0] = 1;
  r2.ext[0] = chunks, r2.st[0] = n_out;
  const dim3 grid2(unsigned((n_out + block - 1) / block), 1);
  columns<K, A, A, O><<<grid2, block, 0, s>>>(tmp.as<A>(), k2, r2, n_out, chunks, chunks, dst);
  check(cudaGetLastError(), "reduce: column combine kernel");
}

template <reduce_kind K, class T, class R>
void reduce_values(const T* in, const shape_t& shape, const std::vector<bool>& axes, R* out,
                   cudaStream_t s) {
  using A = acc_t<K, R>;
  i64 n_out = 1;
  for (std::size_t d = 0; d < shape.size(); ++d)
    if (!axes[d]) n_out *= shape[d];
  if (numel(shape) == 0) return fill_async<R>(out, n_out, identity<K, R>(), s);
  // merge dims as the CPU does
  shape_t ext;
  std::vector<bool> red;
  for (std::size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    if (!ext.empty() && red.back() == bool(axes[d])) {
      ext.back() *= shape[d];
    } else {
      ext.push_back(shape[d]);
      red.push_back(axes[d]);
    }
  }
  if (ext.empty()) ext.push_back(1), red.push_back(true);
  if (!red.back()) return columns_pass<K, T, A, R>(in, ext, red, out, s);
  const i64 L = ext.back();
  const i64 n_rows = numel(shape) / L;
  if (ext.size() <= 2) return rows_pass<K, T, A, R>(in, L, n_rows, out, s);  // [kept,] red
  device_buffer tmp(std::size_t(n_rows) * sizeof(A), s);
  rows_pass<K, T, A, A>(in, L, n_rows, tmp.as<A>(), s);
  ext.pop_back();
  red.pop_back();
  columns_pass<K, A, A, R>(tmp.as<A>(), ext, red, out, s);
}

// ---- arg-reductions ----

template <bool Max, class T> __device__ __forceinline__ bool better(T x, T cur) {
  if constexpr (is_fl<T>) {
    if (cur != cur) return false;
    if (x != x) return true;
  }
  return Max ? x > cur : x < cur;
}

/// (v, i) <- the better of (v, i) and (pv, pi); index -1 = nothing yet; ties -> smaller index.
template <bool Max, class T> __device__ __forceinline__ void take_best(T& v, i64& i, T pv, i64 pi) {
  if (pi < 0) return;
  bool take;
  if (i < 0) {
    take = true;
  } else {
    const bool pb = better<Max>(pv, v), ab = better<Max>(v, pv);
    take = pb && !ab ? true : (ab && !pb ? false : pi < i);
  }
  if (take) v = pv, i = pi;
}

template <bool Max, class T> __device__ __forceinline__ void warp_best(T& v, i64& i) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) {
    const T pv = shfl_down(v, o);
    const i64 pi = shfl_down(i, o);
    take_best<Max>(v, i, pv, pi);
  }
}

/// Innermost dim reduced (or 0-d): unit u = (output u % n_out, split u / n_out) per TPU
/// threads (a warp or the block); r walks the split's part of the reduced range.
template <bool Max, class T, int TPU>
__global__ void __launch_bounds__(block)
    arg_rows(const T* __restrict__ in, dims_t kept, arg_dims_t red, i64 rbase0, i64 n_out,
             i64 n_red, i64 nsplit, i64 seg, T* __restrict__ vdst, i64* __restrict__ idst) {
  constexpr int per_block = block / TPU;
  const int lane = threadIdx.x % TPU;
  const i64 units = n_out * nsplit;
  __shared__ T shv[32];
  __shared__ i64 shi[32];
  for (i64 ub = i64(blockIdx.x) * per_block; ub < units; ub += i64(gridDim.x) * per_block) {
    const i64 u = ub + threadIdx.x / TPU;
    T best = T(0);
    i64 bi = -1;
    if (u < units) {
      const i64 sp = u / n_out, o = u - sp * n_out;
      const i64 base = offset_of(kept, o);
      const i64 r1 = min(n_red, (sp + 1) * seg);
      for (i64 r = sp * seg + lane; r < r1; r += TPU) {
        i64 q = r, off = base, gi = rbase0;
        for (int d = red.n - 1; d > 0; --d) {
          i64 j;
          q = divmod(q, red.ext[d], j);
          off += j * red.st[d];
          gi += j * red.gst[d];
        }
        if (red.n > 0) off += q * red.st[0], gi += q * red.gst[0];
        take_best<Max>(best, bi, in[off], gi);
      }
    }
    warp_best<Max>(best, bi);
    if constexpr (TPU > 32) {
      const int w = threadIdx.x >> 5;
      __syncthreads();
      if ((threadIdx.x & 31) == 0) shv[w] = best, shi[w] = bi;
      __syncthreads();
      if (w == 0) {
        const bool have = (threadIdx.x & 31) < int(blockDim.x >> 5);
        best = have ? shv[threadIdx.x & 31] : T(0);
        bi = have ? shi[threadIdx.x & 31] : i64(-1);
        warp_best<Max>(best, bi);
      }
    }
    if (lane == 0 && u < units) vdst[u] = best, idst[u] = bi;
  }
}

/// Innermost dim kept: thread = output o, blockIdx.y = chunk; dst[chunk * n_out + o].
template <bool Max, class T>
__global__ void __launch_bounds__(block)
    arg_columns(const T* __restrict__ in, dims_t kept, arg_dims_t red, i64 rbase0, i64 n_out,
                i64 n_red, i64 chunk, T* __restrict__ vdst, i64* __restrict__ idst) {
  const i64 o = i64(blockIdx.x) * blockDim.x + threadIdx.x;
  if (o >= n_out) return;
  const i64 c = blockIdx.y;
  const i64 r0 = c * chunk, r1 = min(n_red, r0 + chunk);
  i64 idx[max_dims];
  i64 off = offset_of(kept, o), gi = rbase0;
  {
    i64 q = r0;
    for (int d = red.n - 1; d >= 0; --d) {
      i64 r;
      q = d > 0 ? divmod(q, red.ext[d], r) : (r = q, 0);
      idx[d] = r;
      off += r * red.st[d];
      gi += r * red.gst[d];
    }
  }
  T best = T(0);
  i64 bi = -1;
  for (i64 r = r0; r < r1; ++r) {
    take_best<Max>(best, bi, in[off], gi);
    for (int d = red.n - 1; d >= 0; --d) {
      off += red.st[d];
      gi += red.gst[d];
      if (++idx[d] < red.ext[d]) break;
      off -= red.st[d] * red.ext[d];
      gi -= red.gst[d] * red.ext[d];
      idx[d] = 0;
    }
  }
  vdst[c * n_out + o] = best;
  idst[c * n_out + o] = bi;
}

/// out[o] = best over s of part[s * n_out + o].
template <bool Max, class T>
__global__ void arg_splits(const T* __restrict__ pv, const i64* __restrict__ pi, i64 n_out,
                           i64 nsplit, T* __restrict__ out, i64* __restrict__ out_index) {
  const i64 o = i64(blockIdx.x) * blockDim.x + threadIdx.x;
  if (o >= n_out) return;
  T best = T(0);
  i64 bi = -1;
  for (i64 s = 0; s < nsplit; ++s) take_best<Max>(best, bi, pv[s * n_out + o], pi[s * n_out + o]);
  out[o] = best;
  out_index[o] = bi;
}

template <bool Max, class T>
void reduce_arg(const T* in, const shape_t& shape, const std::vector<bool>& axes, T* out,
                i64* out_index, const shape_t& origin_in, const shape_t& global_in,
                cudaStream_t s) {
  const std::size_t nd = shape.size();
  const shape_t origin = origin_in.empty() ? shape_t(nd, 0) : origin_in;
  const shape_t global = global_in.empty() ? shape : global_in;
  if (origin.size() != nd || global.size() != nd)
    throw_error(errc::value_error, "reduce_tile: origin/global_shape rank differs from the tile");
  i64 n_out = 1, n_red = 1;
  for (std::size_t d = 0; d < nd; ++d) (axes[d] ? n_red : n_out) *= shape[d];
  if (numel(shape) == 0) {
    fill_async<i64>(out_index, n_out, -1, s);
    fill_async<T>(out, n_out, T(0), s);
    return;
  }
  dims_t kept;
  arg_dims_t red;
  shape_t tst = c_strides(shape);
  i64 r = 1, rbase0 = 0;
  for (std::size_t d = nd; d-- > 0;)
    if (axes[d]) {
      rbase0 += origin[d] * r;
      r *= global[d];
    }
  // global index strides over reduced dims, in order
  shape_t rst(nd, 0);
  r = 1;
  for (std::size_t d = nd; d-- > 0;)
    if (axes[d]) rst[d] = r, r *= global[d];
  for (std::size_t d = 0; d < nd; ++d) {
    if (axes[d]) {
      if (red.n == max_dims) throw_error(errc::value_error, "reduce_tile (CUDA): too many dims");
      red.ext[red.n] = shape[d], red.st[red.n] = tst[d], red.gst[red.n] = rst[d];
      ++red.n;
    } else {
      if (kept.n == max_dims) throw_error(errc::value_error, "reduce_tile (CUDA): too many dims");
      kept.ext[kept.n] = shape[d], kept.st[kept.n] = tst[d];
      ++kept.n;
    }
  }
  const int sms = sm_count();
  const i64 target = i64(sms) * 2048;
  if (nd == 0 || axes[nd - 1]) {
    const bool wide = n_red >= 1024;
    const i64 tpu = wide ? block : 32;
    i64 nsplit = 1;
    if (n_out * tpu < target && n_red >= 8 * tpu)
      nsplit = std::clamp<i64>(target / (n_out * tpu), 1, n_red / (8 * tpu));
    const i64 seg = (n_red + nsplit - 1) / nsplit;
    nsplit = (n_red + seg - 1) / seg;
    const i64 units = n_out * nsplit;
    T* vd = out;
    i64* id = out_index;
    device_buffer tv, ti;
    if (nsplit > 1) {
      tv = device_buffer(std::size_t(units) * sizeof(T), s);
      ti = device_buffer(std::size_t(units) * sizeof(i64), s);
      vd = tv.as<T>();
      id = ti.as<i64>();
    }
    const unsigned grid = grid_for(units, block / tpu, i64(sms) * 32);
    if (wide)
      arg_rows<Max, T, block><<<grid, block, 0, s>>>(in, kept, red, rbase0, n_out, n_red, nsplit,
                                                     seg, vd, id);
    else
      arg_rows<Max, T, 32><<<grid, block, 0, s>>>(in, kept, red, rbase0, n_out, n_red, nsplit,
                                                  seg, vd, id);
    check(cudaGetLastError(), "reduce: arg row kernel");
    if (nsplit > 1) {
      arg_splits<Max, T><<<grid_for(n_out, block, 1 << 30), block, 0, s>>>(vd, id, n_out, nsplit,
                                                                            out, out_index);
      check(cudaGetLastError(), "reduce: arg combine kernel");
    }
    return;
  }
  i64 chunks = 1;
  if (n_out < target && n_red >= 64)
    chunks = std::clamp<i64>((target + n_out - 1) / n_out, 1, std::min<i64>(65535, n_red / 32));
  const i64 chunk = (n_red + chunks - 1) / chunks;
  chunks = std::max<i64>(1, (n_red + chunk - 1) / chunk);
  const dim3 grid(unsigned((n_out + block - 1) / block), unsigned(chunks));
  if (chunks == 1) {
    arg_columns<Max, T><<<grid, block, 0, s>>>(in, kept, red, rbase0, n_out, n_red, chunk, out,
                                               out_index);
    check(cudaGetLastError(), "reduce: arg column kernel");
    return;
  }
  device_buffer tv(std::size_t(chunks * n_out) * sizeof(T), s);
  device_buffer ti(std::size_t(chunks * n_out) * sizeof(i64), s);
  arg_columns<Max, T><<<grid, block, 0, s>>>(in, kept, red, rbase0, n_out, n_red, chunk,
                                             tv.as<T>(), ti.as<i64>());
  check(cudaGetLastError(), "reduce: arg column kernel");
  arg_splits<Max, T><<<grid_for(n_out, block, 1 << 30), block, 0, s>>>(
      tv.as<T>(), ti.as<i64>(), n_out, chunks, out, out_index);
  check(cudaGetLastError(), "reduce: arg combine kernel");
}

template <reduce_kind K>
void dispatch_values(dtype t, const void* in, const shape_t& shape, const std::vector<bool>& axes,
                     void* out, cudaStream_t s) {
  visit_dtype(t, [&](auto tag) {
    constexpr dtype D = decltype(tag)::value;
    using T = st<D>;
    using R = st<result_of(K, D)>;
    reduce_values<K, T, R>(static_cast<const T*>(in), shape, axes, static_cast<R*>(out), s);
  });
}

// ---- combine_partials ----

template <reduce_kind K, class R>
__global__ void combine_values(R* __restrict__ acc, const R* __restrict__ part, i64 n) {
  const i64 stride = i64(gridDim.x) * blockDim.x;
  for (i64 i = i64(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride)
    acc[i] = fold<K, R>(acc[i], part[i]);
}

template <bool Max, class T>
__global__ void combine_args(T* __restrict__ acc, const T* __restrict__ part, i64 n,
                             i64* __restrict__ acc_index, const i64* __restrict__ part_index) {
  const i64 stride = i64(gridDim.x) * blockDim.x;
  for (i64 i = i64(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    T v = acc[i];
    i64 x = acc_index[i];
    take_best<Max>(v, x, part[i], part_index[i]);
    acc[i] = v;
    acc_index[i] = x;
  }
}

}  // namespace

void reduce_tile(reduce_kind k, dtype in_type, const void* in, const shape_t& shape,
                 const std::vector<bool>& axes, void* out, std::int64_t* out_index,
                 const shape_t& origin, const shape_t& global_shape, cudaStream_t stream) {
  if (axes.size() != shape.size())
    throw_error(errc::value_error, "reduce_tile: axes rank differs from the tile");
  switch (k) {
    case reduce_kind::sum: return dispatch_values<reduce_kind::sum>(in_type, in, shape, axes, out, stream);
    case reduce_kind::prod: return dispatch_values<reduce_kind::prod>(in_type, in, shape, axes, out, stream);
    case reduce_kind::min: return dispatch_values<reduce_kind::min>(in_type, in, shape, axes, out, stream);
    case reduce_kind::max: return dispatch_values<reduce_kind::max>(in_type, in, shape, axes, out, stream);
    case reduce_kind::any: return dispatch_values<reduce_kind::any>(in_type, in, shape, axes, out, stream);
    case reduce_kind::all: return dispatch_values<reduce_kind::all>(in_type, in, shape, axes, out, stream);
    case reduce_kind::argmin:
    case reduce_kind::argmax:
      if (!out_index) throw_error(errc::value_error, "reduce_tile: arg-reduction needs out_index");
      return visit_dtype(in_type, [&](auto tag) {
        using T = st<decltype(tag)::value>;
        auto* o = static_cast<T*>(out);
        auto* x = static_cast<const T*>(in);
        if (k == reduce_kind::argmax)
          reduce_arg<true>(x, shape, axes, o, out_index, origin, global_shape, stream);
        else
          reduce_arg<false>(x, shape, axes, o, out_index, origin, global_shape, stream);
      });
  }
}

void combine_partials(reduce_kind k, dtype t, void* acc, const void* part, std::int64_t n,
                      std::int64_t* acc_index, const std::int64_t* part_index,
                      cudaStream_t stream) {
  if (n <= 0) return;
  const unsigned grid = grid_for(n, block, 4096);
  if (k == reduce_kind::argmin || k == reduce_kind::argmax) {
    if (!acc_index || !part_index)
      throw_error(errc::value_error, "combine_partials: arg-reduction needs indices");
    visit_dtype(t, [&](auto tag) {
      using T = st<decltype(tag)::value>;
      auto* a = static_cast<T*>(acc);
      auto* p = static_cast<const T*>(part);
      if (k == reduce_kind::argmax)
        combine_args<true, T><<<grid, block, 0, stream>>>(a, p, n, acc_index, part_index);
      else
        combine_args<false, T><<<grid, block, 0, stream>>>(a, p, n, acc_index, part_index);
    });
    check(cudaGetLastError(), "combine_partials kernel");
    return;
  }
  visit_dtype(t, [&](auto tag) {
    using R = st<decltype(tag)::value>;
    auto* a = static_cast<R*>(acc);
    auto* p = static_cast<const R*>(part);
    switch (k) {
      case reduce_kind::sum: combine_values<reduce_kind::sum, R><<<grid, block, 0, stream>>>(a, p, n); break;
      case reduce_kind::prod: combine_values<reduce_kind::prod, R><<<grid, block, 0, stream>>>(a, p, n); break;
      case reduce_kind::min: combine_values<reduce_kind::min, R><<<grid, block, 0, stream>>>(a, p, n); break;
      case reduce_kind::max: combine_values<reduce_kind::max, R><<<grid, block, 0, stream>>>(a, p, n); break;
      case reduce_kind::any: combine_values<reduce_kind::any, R><<<grid, block, 0, stream>>>(a, p, n); break;
      default: combine_values<reduce_kind::all, R><<<grid, block, 0, stream>>>(a, p, n); break;
    }
  });
  check(cudaGetLastError(), "combine_partials kernel");
}

}  // namespace shoal::cuda
