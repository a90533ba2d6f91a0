#pragma once
/// What a GPU actor needs to join the NCCL communicator over the cluster's GPU actors: the
/// communicator's unique id (made once, by the scheduler, and handed to every member, so the
/// multi-node cluster can pass the same 128 bytes over its own transport), the member's rank
/// and the number of ranks. Plain data, no CUDA: the scheduler and the messages use it.
#include <cstddef>
#include <cstdint>
#include <string>

#include "arrays/dtype.hpp"
#include "arrays/reduce.hpp"

namespace shoal::nccl {

struct member {
  std::string id;   ///< ncclUniqueId's bytes (128)
  int rank = 0;     ///< 0 .. nranks-1, the order of the GPU actors
  int nranks = 1;   ///< 0: leave the group (nccl::leave())
};

/// The member a GPU actor leaving the group is sent (nranks 0): it drops its communicator.
inline member leave() { return member{std::string{}, 0, 0}; }

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, member& x) {
  return f(x.id, x.rank, x.nranks);
}

/// One NCCL transfer of raw bytes, as an exchange issues it (communicator::exchange): a send
/// of `bytes` at `data` to rank `peer`, a receive from `peer` into `data`, or a broadcast
/// from root `peer` (`data` is read on the root, written elsewhere; the root's `recv`, when
/// not null and not `data`, gets a copy). `data` null: a rank that has nothing to send (its
/// shard failed) or no memory to receive into still takes part, through the communicator's
/// scratch buffer (garbage goes out, what comes in is dropped), so its peers never wait.
struct transfer {
  enum class kind : std::uint8_t { send, recv, bcast };
  kind k = kind::send;
  int peer = 0;
  void* data = nullptr;
  std::size_t bytes = 0;
  void* recv = nullptr;
};

/// True when an NCCL all-reduce of partials of `t` combined with `k` gives NumPy's result:
/// sum and prod of int32/int64/float32/float64; min/max of int32/int64 only (NCCL's float
/// min/max does not propagate NaN as NumPy does); never bool or arg-reductions.
inline bool can_all_reduce(reduce_kind k, dtype t) {
  const bool number = is_integer(t) || is_float(t);
  switch (k) {
    case reduce_kind::sum:
    case reduce_kind::prod: return number;
    case reduce_kind::min:
    case reduce_kind::max: return is_integer(t);
    default: return false;
  }
}

#ifdef SHOAL_WITH_CUDA
/// A fresh ncclUniqueId (ncclGetUniqueId) as bytes; throws shoal::error(runtime_error) when
/// NCCL cannot make one.
std::string make_unique_id();
#endif

}  // namespace shoal::nccl
