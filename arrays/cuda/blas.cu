/// cuBLAS RAII and dense tile matmul on the device (the twin of arrays/matmul.cpp).
#include "arrays/cuda/blas.hpp"

#include <climits>
#include <string>
#include <type_traits>

#include "arrays/cuda/device.hpp"
#include "arrays/errors.hpp"

namespace shoal::cuda {

namespace {

using i64 = std::int64_t;

const char* status_name(cublasStatus_t s) {
  switch (s) {
    case CUBLAS_STATUS_SUCCESS: return "CUBLAS_STATUS_SUCCESS";
    case CUBLAS_STATUS_NOT_INITIALIZED: return "CUBLAS_STATUS_NOT_INITIALIZED";
    case CUBLAS_STATUS_ALLOC_FAILED: return "CUBLAS_STATUS_ALLOC_FAILED";
    case CUBLAS_STATUS_INVALID_VALUE: return "CUBLAS_STATUS_INVALID_VALUE";
    case CUBLAS_STATUS_ARCH_MISMATCH: return "CUBLAS_STATUS_ARCH_MISMATCH";
    case CUBLAS_STATUS_MAPPING_ERROR: return "CUBLAS_STATUS_MAPPING_ERROR";
    case CUBLAS_STATUS_EXECUTION_FAILED: return "CUBLAS_STATUS_EXECUTION_FAILED";
    case CUBLAS_STATUS_INTERNAL_ERROR: return "CUBLAS_STATUS_INTERNAL_ERROR";
    case CUBLAS_STATUS_NOT_SUPPORTED: return "CUBLAS_STATUS_NOT_SUPPORTED";
    case CUBLAS_STATUS_LICENSE_ERROR: return "CUBLAS_STATUS_LICENSE_ERROR";
    default: return "CUBLAS_STATUS_UNKNOWN";
  }
}

constexpr int tile_dim = 16;

/// C = (C if accumulate) + A*B for ints (wrapping, computed unsigned) and bool (or of ands);
/// 16x16 output tile per block, A and B staged through shared memory.
template <class T>
__global__ void gemm_int(i64 m, i64 n, i64 k, const T* __restrict__ a, const T* __restrict__ b,
                         T* __restrict__ c, bool accumulate) {
  constexpr bool is_bool = std::is_same_v<T, std::uint8_t>;
  using U = std::conditional_t<is_bool, unsigned, std::make_unsigned_t<T>>;
  __shared__ U as[tile_dim][tile_dim];
  __shared__ U bs[tile_dim][tile_dim + 1];
  const i64 row = i64(blockIdx.y) * tile_dim + threadIdx.y;
  const i64 col = i64(blockIdx.x) * tile_dim + threadIdx.x;
  U acc = 0;
  for (i64 k0 = 0; k0 < k; k0 += tile_dim) {
    const i64 ka = k0 + threadIdx.x, kb = k0 + threadIdx.y;
    as[threadIdx.y][threadIdx.x] = (row < m && ka < k) ? U(a[row * k + ka]) : U(0);
    bs[threadIdx.y][threadIdx.x] = (kb < k && col < n) ? U(b[kb * n + col]) : U(0);
    __syncthreads();
#pragma unroll
    for (int j = 0; j < tile_dim; ++j) {
      if constexpr (is_bool) acc |= (as[threadIdx.y][j] != 0) & (bs[j][threadIdx.x] != 0);
      else acc += as[threadIdx.y][j] * bs[j][threadIdx.x];
    }
    __syncthreads();
  }
  if (row < m && col < n) {
    T* p = c + row * n + col;
    if constexpr (is_bool) *p = T((accumulate && *p) || acc);
    else *p = T(accumulate ? U(*p) + acc : acc);
  }
}

}  // namespace

void check_cublas(cublasStatus_t s, const char* what) {
  if (s == CUBLAS_STATUS_SUCCESS) return;
  if (s == CUBLAS_STATUS_ALLOC_FAILED)
    throw_error(errc::memory_error, std::string("cuBLAS out of memory (") + what + ")");
  throw_error(errc::runtime_error, std::string(what) + ": " + status_name(s));
}

cublas_handle::cublas_handle(bool allow_tf32) {
  check_cublas(cublasCreate(&h_), "cublasCreate");
  try {
    set_allow_tf32(allow_tf32);
  } catch (...) {
    cublasDestroy(h_);
    throw;
  }
}

cublas_handle::~cublas_handle() {
  if (h_) cublasDestroy(h_);
}

cublas_handle& cublas_handle::operator=(cublas_handle&& o) noexcept {
  if (this != &o) {
    if (h_) cublasDestroy(h_);
    h_ = std::exchange(o.h_, nullptr);
    tf32_ = o.tf32_;
  }
  return *this;
}

void cublas_handle::set_allow_tf32(bool on) {
  // CUBLAS_DEFAULT_MATH: fp32 GEMMs keep full fp32 precision. (NVIDIA_TF32_OVERRIDE=0 in the
  // environment also disables TF32 globally, even when allowed here.)
  check_cublas(cublasSetMathMode(h_, on ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH),
               "cublasSetMathMode");
  tf32_ = on;
}

void matmul_tile(cublas_handle& handle, dtype t, std::int64_t m, std::int64_t n, std::int64_t k,
                 const void* a, const void* b, void* c, bool accumulate, cudaStream_t stream) {
  if (m < 0 || n < 0 || k < 0) throw_error(errc::value_error, "matmul_tile: negative size");
  if (m > INT_MAX || n > INT_MAX || k > INT_MAX)
    throw_error(errc::value_error, "matmul_tile: dimension exceeds the BLAS int range");
  if (m == 0 || n == 0) return;
  if (k == 0) {  // nothing to multiply: C = 0, or unchanged when accumulating
    if (!accumulate)
      check(cudaMemsetAsync(c, 0, std::size_t(m * n) * itemsize(t), stream), "matmul_tile");
    return;
  }
  if (t == dtype::float32 || t == dtype::float64) {
    check_cublas(cublasSetStream(handle.get(), stream), "cublasSetStream");
    // Row-major C = A B is column-major C^T = B^T A^T: swap the operands, no transposes.
    if (t == dtype::float32) {
      const float one = 1.0f, beta = accumulate ? 1.0f : 0.0f;
      check_cublas(cublasSgemm(handle.get(), CUBLAS_OP_N, CUBLAS_OP_N, int(n), int(m), int(k),
                               &one, static_cast<const float*>(b), int(n),
                               static_cast<const float*>(a), int(k), &beta,
                               static_cast<float*>(c), int(n)),
                   "cublasSgemm");
    } else {
      const double one = 1.0, beta = accumulate ? 1.0 : 0.0;
      check_cublas(cublasDgemm(handle.get(), CUBLAS_OP_N, CUBLAS_OP_N, int(n), int(m), int(k),
                               &one, static_cast<const double*>(b), int(n),
                               static_cast<const double*>(a), int(k), &beta,
                               static_cast<double*>(c), int(n)),
                   "cublasDgemm");
    }
    return;
  }
  const dim3 threads(tile_dim, tile_dim);
  const dim3 grid(unsigned((n + tile_dim - 1) / tile_dim), unsigned((m + tile_dim - 1) / tile_dim));
  if (grid.y > 65535) throw_error(errc::value_error, "matmul_tile (CUDA): too many rows for ints");
  switch (t) {
    case dtype::bool_:
      gemm_int<std::uint8_t><<<grid, threads, 0, stream>>>(
          m, n, k, static_cast<const std::uint8_t*>(a), static_cast<const std::uint8_t*>(b),
          static_cast<std::uint8_t*>(c), accumulate);
      break;
    case dtype::int32:
      gemm_int<std::int32_t><<<grid, threads, 0, stream>>>(
          m, n, k, static_cast<const std::int32_t*>(a), static_cast<const std::int32_t*>(b),
          static_cast<std::int32_t*>(c), accumulate);
      break;
    default:
      gemm_int<std::int64_t><<<grid, threads, 0, stream>>>(
          m, n, k, static_cast<const std::int64_t*>(a), static_cast<const std::int64_t*>(b),
          static_cast<std::int64_t*>(c), accumulate);
      break;
  }
  check(cudaGetLastError(), "matmul_tile kernel");
}

}  // namespace shoal::cuda
