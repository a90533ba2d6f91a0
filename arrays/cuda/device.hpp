#pragma once
/// Small CUDA helpers shared by the GPU kernels (arrays/cuda/): error checks that throw
/// shoal::error, and RAII for streams, events and stream-ordered device buffers.
///
/// Only the CUDA runtime (libcudart) is needed: nothing here calls the driver API, so binaries
/// that link shoal_arrays still start on machines without a driver (libcuda.so.1); there
/// device_count() is 0 and GPU tests skip. Generated kernels are loaded through the runtime's
/// cudaLibrary* API for the same reason (see program_runner.hpp).
///
/// Include only from .cu files (or code built only with SHOAL_WITH_CUDA).
#include <cuda.h>  // CUresult (type only; libcuda is not linked)
#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "arrays/errors.hpp"

namespace shoal::cuda {

/// Throws shoal::error for a failed runtime call: cudaErrorMemoryAllocation ->
/// errc::memory_error ("CUDA out of memory: could not allocate N bytes on device D" when
/// `bytes` > 0), anything else -> errc::runtime_error "<what>: <cudaGetErrorString>".
/// Clears the (non-sticky) last error so later calls do not see it again.
void check(cudaError_t e, const char* what, std::size_t bytes = 0);
/// As check, for driver API results (message uses the numeric code: no libcuda link).
void check_cu(CUresult e, const char* what);
/// As check, for NVRTC results (nvrtcResult passed as int so this header needs no nvrtc.h);
/// `log` (the compile log) is appended when not empty.
void check_nvrtc(int nvrtc_result, const char* what, const std::string& log = {});

/// Number of visible CUDA devices; 0 when there is no driver or GPU. Never throws.
int device_count() noexcept;
/// The calling thread's current device.
int current_device();

/// Sets the current device for a scope and restores the previous one.
class device_guard {
 public:
  explicit device_guard(int device);
  ~device_guard();
  device_guard(const device_guard&) = delete;
  device_guard& operator=(const device_guard&) = delete;

 private:
  int previous_ = -1;
};

/// An owned non-blocking stream (cudaStreamNonBlocking) on the current device.
class stream {
 public:
  stream();
  ~stream();
  stream(stream&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
  stream& operator=(stream&& o) noexcept;
  stream(const stream&) = delete;
  stream& operator=(const stream&) = delete;
  cudaStream_t get() const { return s_; }
  /// cudaStreamSynchronize, throwing on error.
  void synchronize() const;

 private:
  cudaStream_t s_ = nullptr;
};

/// An owned event (timing enabled unless `timing` is false).
class event {
 public:
  explicit event(bool timing = true);
  ~event();
  event(event&& o) noexcept : e_(std::exchange(o.e_, nullptr)) {}
  event& operator=(event&& o) noexcept;
  event(const event&) = delete;
  event& operator=(const event&) = delete;
  cudaEvent_t get() const { return e_; }
  void record(cudaStream_t s) const;
  void synchronize() const;
  /// Milliseconds from `start` to this event (both recorded and complete).
  float elapsed_ms_since(const event& start) const;

 private:
  cudaEvent_t e_ = nullptr;
};

/// `bytes` of device memory from the current device's default memory pool, allocated and
/// freed in order on `stream` (cudaMallocAsync / cudaFreeAsync). Using it on another stream
/// needs the usual event ordering. Throws errc::memory_error when the pool is exhausted.
/// bytes == 0 gives data() == nullptr.
class device_buffer {
 public:
  device_buffer() = default;
  device_buffer(std::size_t bytes, cudaStream_t stream);
  ~device_buffer();
  device_buffer(device_buffer&& o) noexcept
      : p_(std::exchange(o.p_, nullptr)), n_(std::exchange(o.n_, 0)), s_(o.s_) {}
  device_buffer& operator=(device_buffer&& o) noexcept;
  device_buffer(const device_buffer&) = delete;
  device_buffer& operator=(const device_buffer&) = delete;

  void* data() const { return p_; }
  template <class T> T* as() const { return static_cast<T*>(p_); }
  std::size_t bytes() const { return n_; }
  cudaStream_t stream() const { return s_; }

 private:
  void release() noexcept;
  void* p_ = nullptr;
  std::size_t n_ = 0;
  cudaStream_t s_ = nullptr;
};

}  // namespace shoal::cuda
