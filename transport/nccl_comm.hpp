#pragma once
/// An owned NCCL communicator (RAII) for one GPU actor, and the collectives shoal uses.
///
/// Joining never hangs: the communicator is created non-blocking (ncclConfig_t.blocking = 0)
/// and every call that NCCL leaves in progress is polled until it settles or `timeout` passes;
/// then the communicator is aborted (ncclCommAbort) and the call throws runtime_error. All
/// ranks must issue the same collectives in the same order (shoal's scheduler numbers them:
/// see DESIGN.md "Ordering"); `seq` arguments let the communicator check that order.
///
/// Include only from .cu files or code built with SHOAL_WITH_CUDA.
#include <cuda_runtime.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "arrays/dtype.hpp"
#include "arrays/reduce.hpp"
#include "transport/nccl_id.hpp"

namespace shoal::nccl {

class communicator {
 public:
  /// Joins `m` on CUDA device `device` (made current), waiting at most `timeout` for the
  /// other ranks.
  communicator(const member& m, int device,
               std::chrono::milliseconds timeout = std::chrono::seconds(60));
  ~communicator();
  communicator(const communicator&) = delete;
  communicator& operator=(const communicator&) = delete;

  /// The largest single NCCL call of an exchange, and the size of the scratch buffer.
  static constexpr std::size_t chunk_bytes = std::size_t{64} << 20;

  int rank() const { return rank_; }
  int size() const { return nranks_; }
  /// The number of the last collective issued (each must be larger than the one before: the
  /// scheduler numbers an op's NCCL calls, and a rank skips those it takes no part in).
  std::uint64_t issued() const { return issued_; }

  /// In-place all-reduce of `count` values of `t` at device pointer `data`, queued on
  /// `stream`; with `flag` (a device int32), the maximum of every rank's flag too, in the same
  /// NCCL group. `seq` must be above issued() (runtime_error otherwise: a rank out of order
  /// would deadlock the others).
  void all_reduce(void* data, std::size_t count, dtype t, reduce_kind k, cudaStream_t stream,
                  std::uint64_t seq, std::int32_t* flag = nullptr);
  /// The transfers of one exchange (sends, receives, broadcasts) in one NCCL group, queued on
  /// `stream`; every rank named must issue the matching transfers in its own exchange.
  /// Transfers of 0 bytes are skipped (both sides know the size); larger ones go in chunks of
  /// at most chunk_bytes (both sides cut alike), so that a null `data` can use the scratch.
  void exchange(const std::vector<transfer>& xs, cudaStream_t stream, std::uint64_t seq);
  /// Transfers (of at least one byte) that exchanges of this process have issued so far.
  static std::uint64_t transfers_issued();
  /// Broadcast of `bytes` from rank `root`'s `data` into every rank's `data`.
  void broadcast(void* data, std::size_t bytes, int root, cudaStream_t stream, std::uint64_t seq);

  // ---- a rank was lost (actors/scheduler_recovery.hpp)

  /// Stops every collective in flight (ncclCommRevoke where the loaded NCCL has it, waiting
  /// until the communicator is quiescent; ncclCommAbort where not) and leaves it unusable (the
  /// destructor aborts it): the survivors join a new communicator under a new unique id.
  /// Idempotent.
  void revoke();
  /// Waits for `stream` (collectives queued on it) like cudaStreamSynchronize, but a lost rank
  /// cannot block the caller for good: when revoke_all() was called since this communicator
  /// was made, or NCCL reports an asynchronous error, it revokes and throws runtime_error.
  void wait(cudaStream_t stream);
  /// Marks every communicator of this process as including a lost rank: their wait() calls
  /// revoke and return (the scheduler calls it when a GPU actor of the group dies).
  static void revoke_all();

 private:
  /// Waits for a call that returned `r` (ncclInProgress on a non-blocking communicator) to
  /// settle; aborts and throws on an error or after the timeout.
  void settle(int r, const char* what);
  void next(std::uint64_t seq, const char* what);

  /// Device memory where a transfer without a buffer sends from or receives into (made on
  /// the first such transfer: most communicators never need it).
  void* scratch();

  void* comm_ = nullptr;  // ncclComm_t
  void* scratch_ = nullptr;
  int rank_ = 0, nranks_ = 1, device_ = 0;
  std::chrono::milliseconds timeout_;
  std::uint64_t issued_ = 0;
  bool broken_ = false;
  std::uint64_t epoch_ = 0;  ///< revoke_all() calls before this communicator was made
};

}  // namespace shoal::nccl
