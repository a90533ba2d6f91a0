#pragma once
/// cuBLAS handle (RAII) and the CUDA twin of arrays/matmul.hpp's matmul_tile.
///
/// Precision: float32 products run cublasSgemm in CUBLAS_DEFAULT_MATH, i.e. full fp32 (no
/// TF32 tensor-op rounding), matching the CPU's sgemm up to summation order; TF32 (about 10
/// mantissa bits per input, several times faster on tensor cores) is used only when the handle
/// is created with allow_tf32 = true (or set_allow_tf32(true)). float64 uses cublasDgemm;
/// int32/int64/bool use a shared-memory tiled kernel with the CPU's semantics (ints wrap,
/// bool is or-of-ands), bit-identical to the CPU.
/// Include only from .cu files or code built with SHOAL_WITH_CUDA.
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <utility>

#include "arrays/dtype.hpp"

namespace shoal::cuda {

/// Throws shoal::error for a failed cuBLAS call (CUBLAS_STATUS_ALLOC_FAILED -> memory_error,
/// anything else -> runtime_error "<what>: <status name>").
void check_cublas(cublasStatus_t s, const char* what);

/// An owned cuBLAS handle on the current device (one per gpu_actor; not thread-safe, as
/// cuBLAS handles are not).
class cublas_handle {
 public:
  explicit cublas_handle(bool allow_tf32 = false);
  ~cublas_handle();
  cublas_handle(cublas_handle&& o) noexcept
      : h_(std::exchange(o.h_, nullptr)), tf32_(o.tf32_) {}
  cublas_handle& operator=(cublas_handle&& o) noexcept;
  cublas_handle(const cublas_handle&) = delete;
  cublas_handle& operator=(const cublas_handle&) = delete;

  cublasHandle_t get() const { return h_; }
  bool allow_tf32() const { return tf32_; }
  /// Switches float32 products between full fp32 (false, the default) and TF32 tensor ops.
  void set_allow_tf32(bool on);

 private:
  cublasHandle_t h_ = nullptr;
  bool tf32_ = false;
};

/// C[m x n] (+)= A[m x k] * B[k x n], row-major, dense, one dtype, all device pointers;
/// queued on `stream` (the handle is bound to it for the call), asynchronous. Same rules as
/// shoal::matmul_tile: negative sizes or a dimension beyond int range -> value_error; m == 0
/// or n == 0 -> nothing; k == 0 -> C = 0 unless accumulating.
void matmul_tile(cublas_handle& handle, dtype t, std::int64_t m, std::int64_t n, std::int64_t k,
                 const void* a, const void* b, void* c, bool accumulate, cudaStream_t stream);

}  // namespace shoal::cuda
