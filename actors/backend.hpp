#pragma once
/// backend: what a worker actor's task_runner needs from the memory and the processor it
/// runs on. task_runner keeps the queue, the shard store, the pieces and the failure rules;
/// every byte it allocates, copies or computes goes through its backend. The CPU backend
/// (cpu_backend.hpp) works on host memory with a thread pool; the GPU backend
/// (gpu_backend.hpp, CUDA builds only) on device memory with one stream.
///
/// Memory: "backend memory" is what alloc() returns (host for the CPU, device for a GPU);
/// shards and temporaries live there. Pieces between actors and read results are host
/// buffers: to_host() / from_host() convert (identity on the CPU).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "arrays/buffer.hpp"
#include "arrays/custom_kernel.hpp"
#include "arrays/elementwise.hpp"
#include "arrays/program.hpp"
#include "arrays/reduce.hpp"
#include "arrays/shape.hpp"
#include "scheduler/tasks.hpp"
#include "transport/nccl_id.hpp"

namespace shoal {

class backend {
 public:
  virtual ~backend() = default;

  /// `bytes` of backend memory (throws shoal::error(memory_error) when there is none left).
  virtual buffer_ptr alloc(std::size_t bytes) = 0;
  /// copy_strided (arrays/strided_copy.hpp) between two pointers into backend memory.
  virtual void copy_strided(void* dst, const std::int64_t* dst_strides, const void* src,
                            const std::int64_t* src_strides, const shape_t& shape,
                            std::size_t itemsize) = 0;
  /// memcpy / memset(0) on backend memory.
  virtual void copy_bytes(void* dst, const void* src, std::size_t bytes) = 0;
  virtual void zero(void* dst, std::size_t bytes) = 0;

  /// A new shard holding the fill or random tile `t` describes.
  virtual buffer_ptr fill(const fill_task& t) = 0;
  /// A new shard holding `t.tile` of the host array `t.host`.
  virtual buffer_ptr host_tile(const host_task& t) = 0;
  /// run_program over `tile`: inputs and outputs point into backend memory.
  virtual void run(const program& p, const shape_t& tile, const std::vector<operand_view>& ins,
                   const std::vector<void*>& outs) = 0;
  /// The partial reduction of shard `in` that `t` asks for, in backend memory: values, then
  /// (arg-reductions) int64 indices at the next 8-byte boundary (partial_index_offset).
  virtual buffer_ptr partial(const partial_task& t, const buffer_ptr& in) = 0;
  /// combine_partials on backend memory.
  virtual void combine(reduce_kind k, dtype t, void* acc, const void* part, std::int64_t n,
                       std::int64_t* acc_index, const std::int64_t* part_index) = 0;
  /// Dense row-major C[m x n] = A[m x k] * B[k x n] on backend memory (m, n, k > 0).
  virtual void matmul(dtype t, std::int64_t m, std::int64_t n, std::int64_t k, const void* a,
                      const void* b, void* c) = 0;
  /// Runs custom kernel `k` on views into backend memory: its CPU variant (CPU backend) or its
  /// CUDA variant on the backend's stream (GPU backend); TypeError when that variant is missing.
  virtual void run_kernel(const kernel_def& k, const kernel_args& args) = 0;

  /// A host buffer with the bytes of `b` (backend memory) once every queued kernel is done;
  /// throws the error of any kernel that failed asynchronously. CPU: `b` itself.
  virtual buffer_ptr to_host(const buffer_ptr& b) = 0;
  /// A backend buffer with the bytes of the host buffer `h`. CPU: `h` itself.
  virtual buffer_ptr from_host(const buffer_ptr& h) = 0;
  /// Returns once every queued kernel and copy has completed; throws the error of any that
  /// failed asynchronously (what a wait() needs). CPU: kernels ran already, nothing to do.
  virtual void finish() {}

  /// Joins the NCCL communicator over the cluster's GPU actors (GPU backends; others throw
  /// runtime_error). Blocks until every rank joined or the join timed out (runtime_error).
  /// `m.nranks == 0` (nccl::leave()): drop the communicator, once what was issued on it ran.
  virtual void join_collectives(const nccl::member& m);
  /// A rank of the communicator was lost (a recovery resets this actor): stop the collectives
  /// in flight and drop the communicator; the scheduler has the survivors join a new one.
  /// Backends without one have nothing to do.
  virtual void revoke_collectives() {}
  /// In-place all-reduce of `n` values of `t` (backend memory) over that communicator, as its
  /// collective number `seq` (nccl::communicator::all_reduce), together with the maximum of
  /// every rank's `flag` (a rank whose inputs failed says so: the others must still take
  /// part). Returns that maximum when `want_flag` (waiting for the result), else 0.
  virtual int all_reduce(reduce_kind k, dtype t, void* data, std::int64_t n, std::uint64_t seq,
                         int flag, bool want_flag);
  /// Queues the NCCL transfers of one exchange_task (backend memory) as collective `seq`
  /// (nccl::communicator::exchange); returns once they are queued, not done.
  virtual void exchange(const std::vector<nccl::transfer>& xs, std::uint64_t seq);
};

/// Bytes from the start of a partial to its indices (arg-reductions): n values of `t`,
/// rounded up to 8 bytes.
inline std::size_t partial_index_offset(std::int64_t n, dtype t) {
  return (static_cast<std::size_t>(n) * itemsize(t) + 7) / 8 * 8;
}

}  // namespace shoal
