#pragma once
/// GPU twin of run_program (arrays/elementwise.hpp): generates CUDA source for a fused
/// elementwise program (program_codegen.hpp), compiles it once per (device, layout, program)
/// with NVRTC to a cubin for the device's architecture, and launches it on a stream.
///
/// Include only from .cu files or code built with SHOAL_WITH_CUDA.
///
/// Error flag (int pow with a negative exponent). The kernel cannot throw; it sets a device
/// int. Reading it needs a synchronization, so:
///   * with a `program_errors` passed to run_program_cuda, the launch stays fully
///     asynchronous; the caller calls errors.check() when it synchronizes the stream anyway
///     (e.g. before replying "done"); check() throws the CPU's value_error
///     "Integers to negative integer powers are not allowed." if any launch since the last
///     check hit one (outputs are then written with 0 there, like the CPU's partial result);
///   * without one (nullptr), a program that contains an integer pow synchronizes the stream
///     before returning and throws directly; programs without integer pow never synchronize.
#include <cuda_runtime.h>

#include <cstddef>
#include <vector>

#include "arrays/cuda/device.hpp"
#include "arrays/elementwise.hpp"
#include "arrays/program.hpp"
#include "arrays/shape.hpp"

namespace shoal::cuda {

/// A device-side error flag for programs launched on one stream (see above).
class program_errors {
 public:
  /// Allocates and zeroes the flag, stream-ordered on `s`, on the current device.
  explicit program_errors(cudaStream_t s);
  ~program_errors();
  program_errors(const program_errors&) = delete;
  program_errors& operator=(const program_errors&) = delete;

  int* device_flag() const { return flag_.as<int>(); }
  cudaStream_t stream() const { return s_; }
  /// Synchronizes the stream, reads and clears the flag; throws shoal::error(value_error)
  /// when it was set (and runtime_error for an asynchronous CUDA error).
  void check();

 private:
  cudaStream_t s_;
  device_buffer flag_;
  int* host_ = nullptr;  // pinned
};

/// Runs `p` over every index of `shape` on the current device, enqueued on stream `s`.
/// inputs[k].data and outputs[k] are device pointers (current device); input strides are in
/// elements (0 on broadcast dims, may be negative), outputs are dense C-order buffers of
/// `shape`. Outputs may alias inputs only element for element (as on the CPU).
/// Checks the program exactly as run_program does (same shoal::error for operand count,
/// unsupported (opcode, dtype) pairs...) before compiling or launching anything.
/// The first call for a given (device, program, layout) compiles (~0.1-0.5 s); later calls
/// only launch. Thread-safe.
void run_program_cuda(const program& p, const shape_t& shape,
                      const std::vector<operand_view>& inputs, const std::vector<void*>& outputs,
                      cudaStream_t s, program_errors* errors = nullptr);

/// Number of compiled kernels in the process-wide cache (for tests and stats).
std::size_t program_cache_size();

}  // namespace shoal::cuda
