/// CUDA error helpers and RAII wrappers (see device.hpp).
#include "arrays/cuda/device.hpp"

#include <string>

namespace shoal::cuda {

void check(cudaError_t e, const char* what, std::size_t bytes) {
  if (e == cudaSuccess) return;
  (void)cudaGetLastError();  // clear a non-sticky error
  if (e == cudaErrorMemoryAllocation) {
    int dev = -1;
    (void)cudaGetDevice(&dev);
    if (bytes > 0)
      throw_error(errc::memory_error, "CUDA out of memory: could not allocate " +
                                          std::to_string(bytes) + " bytes on device " +
                                          std::to_string(dev));
    throw_error(errc::memory_error, std::string("CUDA out of memory (") + what + ") on device " +
                                        std::to_string(dev));
  }
  throw_error(errc::runtime_error, std::string(what) + ": " + cudaGetErrorName(e) + ": " +
                                       cudaGetErrorString(e));
}

void check_cu(CUresult e, const char* what) {
  if (e == CUDA_SUCCESS) return;
  if (e == CUDA_ERROR_OUT_OF_MEMORY)
    throw_error(errc::memory_error, std::string("CUDA out of memory (") + what + ")");
  throw_error(errc::runtime_error,
              std::string(what) + ": CUDA driver error " + std::to_string(int(e)));
}

void check_nvrtc(int r, const char* what, const std::string& log) {
  if (r == 0) return;  // NVRTC_SUCCESS
  std::string msg = std::string(what) + ": NVRTC error " + std::to_string(r);
  if (!log.empty()) msg += "\n" + log;
  throw_error(errc::runtime_error, msg);
}

int device_count() noexcept {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    (void)cudaGetLastError();
    return 0;
  }
  return n;
}

int current_device() {
  int d = 0;
  check(cudaGetDevice(&d), "cudaGetDevice");
  return d;
}

device_guard::device_guard(int device) {
  check(cudaGetDevice(&previous_), "cudaGetDevice");
  if (device != previous_) check(cudaSetDevice(device), "cudaSetDevice");
}

device_guard::~device_guard() {
  int now = -1;
  if (cudaGetDevice(&now) == cudaSuccess && now != previous_) (void)cudaSetDevice(previous_);
}

stream::stream() { check(cudaStreamCreateWithFlags(&s_, cudaStreamNonBlocking), "cudaStreamCreate"); }

stream::~stream() {
  if (s_) (void)cudaStreamDestroy(s_);
}

stream& stream::operator=(stream&& o) noexcept {
  if (this != &o) {
    if (s_) (void)cudaStreamDestroy(s_);
    s_ = std::exchange(o.s_, nullptr);
  }
  return *this;
}

void stream::synchronize() const { check(cudaStreamSynchronize(s_), "cudaStreamSynchronize"); }

event::event(bool timing) {
  check(cudaEventCreateWithFlags(&e_, timing ? cudaEventDefault : cudaEventDisableTiming),
        "cudaEventCreate");
}

event::~event() {
  if (e_) (void)cudaEventDestroy(e_);
}

event& event::operator=(event&& o) noexcept {
  if (this != &o) {
    if (e_) (void)cudaEventDestroy(e_);
    e_ = std::exchange(o.e_, nullptr);
  }
  return *this;
}

void event::record(cudaStream_t s) const { check(cudaEventRecord(e_, s), "cudaEventRecord"); }
void event::synchronize() const { check(cudaEventSynchronize(e_), "cudaEventSynchronize"); }

float event::elapsed_ms_since(const event& start) const {
  float ms = 0;
  check(cudaEventElapsedTime(&ms, start.e_, e_), "cudaEventElapsedTime");
  return ms;
}

device_buffer::device_buffer(std::size_t bytes, cudaStream_t stream) : n_(bytes), s_(stream) {
  if (bytes == 0) return;
  check(cudaMallocAsync(&p_, bytes, stream), "cudaMallocAsync", bytes);
}

device_buffer::~device_buffer() { release(); }

void device_buffer::release() noexcept {
  if (p_) (void)cudaFreeAsync(p_, s_);
  p_ = nullptr;
  n_ = 0;
}

device_buffer& device_buffer::operator=(device_buffer&& o) noexcept {
  if (this != &o) {
    release();
    p_ = std::exchange(o.p_, nullptr);
    n_ = std::exchange(o.n_, 0);
    s_ = o.s_;
  }
  return *this;
}

}  // namespace shoal::cuda
