/// n-d strided copy on the device (the twin of arrays/strided_copy.cpp).
#include "arrays/cuda/copy.cuh"

#include <algorithm>
#include <cstdint>

#include "arrays/cuda/device.hpp"
#include "arrays/errors.hpp"
#include "arrays/strided_copy.hpp"

namespace shoal::cuda {

namespace {

using i64 = std::int64_t;

constexpr int max_dims = 32;
constexpr int block = 256;

/// Coalesced dims; strides in elements.
struct layout_t {
  int n = 0;
  i64 ext[max_dims];
  i64 ds[max_dims];
  i64 ss[max_dims];
};

/// W: the word moved per element (itemsize == sizeof(W)), or unsigned char with `isz` bytes.
template <class W>
__global__ void __launch_bounds__(block)
    copy_kernel(unsigned char* __restrict__ dst, const unsigned char* __restrict__ src, i64 n,
                layout_t L, i64 isz) {
  const i64 stride = i64(gridDim.x) * blockDim.x;
  const int last = L.n - 1;
  for (i64 i = i64(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    i64 q = i, doff = 0, soff = 0;
    for (int d = last; d > 0; --d) {
      const i64 e = L.ext[d];
      i64 nq, r;
      if (((std::uint64_t(q) | std::uint64_t(e)) >> 32) == 0) {
        nq = i64(unsigned(q) / unsigned(e));
      } else {
        nq = q / e;
      }
      r = q - nq * e;
      doff += r * L.ds[d];
      soff += r * L.ss[d];
      q = nq;
    }
    doff += q * L.ds[0];
    soff += q * L.ss[0];
    if constexpr (sizeof(W) > 1) {
      reinterpret_cast<W*>(dst)[doff] = reinterpret_cast<const W*>(src)[soff];
    } else {
      unsigned char* d = dst + doff * isz;
      const unsigned char* s = src + soff * isz;
      for (i64 b = 0; b < isz; ++b) d[b] = s[b];
    }
  }
}

}  // namespace

void copy_strided(void* dst, const std::int64_t* dst_strides, const void* src,
                  const std::int64_t* src_strides, const shape_t& shape, std::size_t itemsize,
                  cudaStream_t stream) {
  layout_t L;
  merged_dims m = merge_dims(dst_strides, src_strides, shape);  // the host copy's own merge
  if (m.none || itemsize == 0) return;
  const shape_t &ext = m.ext, &ds = m.ds, &ss = m.ss;
  if (ext.empty()) {  // 0-d or all extents 1: one element
    check(cudaMemcpyAsync(dst, src, itemsize, cudaMemcpyDefault, stream), "copy_strided");
    return;
  }
  if (ext.size() == 1 && ds[0] == 1 && ss[0] == 1) {
    check(cudaMemcpyAsync(dst, src, std::size_t(ext[0]) * itemsize, cudaMemcpyDefault, stream),
          "copy_strided");
    return;
  }
  if (ext.size() > std::size_t(max_dims))
    throw_error(errc::value_error, "copy_strided (CUDA): too many dims");
  L.n = int(ext.size());
  i64 n = 1;
  for (int d = 0; d < L.n; ++d) {
    L.ext[d] = ext[d];
    L.ds[d] = ds[d];
    L.ss[d] = ss[d];
    n *= ext[d];
  }
  const auto al = (reinterpret_cast<std::uintptr_t>(dst) | reinterpret_cast<std::uintptr_t>(src));
  const unsigned grid = unsigned(std::clamp<i64>((n + block - 1) / block, 1, 65536));
  auto* d = static_cast<unsigned char*>(dst);
  auto* s = static_cast<const unsigned char*>(src);
  const auto isz = i64(itemsize);
  const bool aligned = al % itemsize == 0;
  if (aligned && itemsize == 8)
    copy_kernel<std::uint64_t><<<grid, block, 0, stream>>>(d, s, n, L, isz);
  else if (aligned && itemsize == 4)
    copy_kernel<std::uint32_t><<<grid, block, 0, stream>>>(d, s, n, L, isz);
  else if (aligned && itemsize == 2)
    copy_kernel<std::uint16_t><<<grid, block, 0, stream>>>(d, s, n, L, isz);
  else if (itemsize == 1)
    copy_kernel<std::uint8_t><<<grid, block, 0, stream>>>(d, s, n, L, isz);
  else
    copy_kernel<unsigned char><<<grid, block, 0, stream>>>(d, s, n, L, isz);
  check(cudaGetLastError(), "copy_strided kernel");
}

}  // namespace shoal::cuda
