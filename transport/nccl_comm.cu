/// The NCCL communicator wrapper.
#include "transport/nccl_comm.hpp"

#include <dlfcn.h>
#include <nccl.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <string>
#include <thread>

#include "arrays/errors.hpp"

namespace shoal::nccl {
namespace {

ncclComm_t as_comm(void* c) { return static_cast<ncclComm_t>(c); }

/// ncclCommRevoke where the loaded NCCL has it, else nullptr. Looked up at run time, not named
/// at link time: some 2.28 builds (the H100 machine's) lack it, and a binary built against an
/// NCCL that has it must still load there (Python loads extension modules with RTLD_NOW).
using revoke_fn = ncclResult_t (*)(ncclComm_t, int);
revoke_fn find_revoke() {
  static const revoke_fn f = [] {
    revoke_fn out = nullptr;
    if (void* lib = dlopen("libnccl.so.2", RTLD_NOW | RTLD_NOLOAD)) {  // the copy already loaded
      out = reinterpret_cast<revoke_fn>(dlsym(lib, "ncclCommRevoke"));
      dlclose(lib);  // drops only the reference NOLOAD added
    }
    return out;
  }();
  return f;
}

std::atomic<std::uint64_t> g_revocations{0};  // revoke_all() calls in this process
std::atomic<std::uint64_t> g_transfers{0};    // transfers exchange() issued in this process

[[noreturn]] void fail(const char* what, ncclResult_t r, const std::string& more = {}) {
  throw_error(errc::runtime_error, std::string("NCCL ") + what + ": " + ncclGetErrorString(r) +
                                       (more.empty() ? "" : " (" + more + ")"));
}

bool nccl_type(dtype t, ncclDataType_t& out) {
  switch (t) {
    case dtype::int32: out = ncclInt32; return true;
    case dtype::int64: out = ncclInt64; return true;
    case dtype::float32: out = ncclFloat32; return true;
    case dtype::float64: out = ncclFloat64; return true;
    default: return false;
  }
}

}  // namespace

std::string make_unique_id() {
  ncclUniqueId id;
  if (ncclResult_t r = ncclGetUniqueId(&id); r != ncclSuccess) fail("ncclGetUniqueId", r);
  return std::string(id.internal, sizeof id.internal);
}

communicator::communicator(const member& m, int device, std::chrono::milliseconds timeout)
    : rank_(m.rank), nranks_(m.nranks), device_(device), timeout_(timeout), epoch_(g_revocations.load()) {
  ncclUniqueId id;
  if (m.id.size() != sizeof id.internal)
    throw_error(errc::value_error, "NCCL: a unique id has " + std::to_string(sizeof id.internal) +
                                       " bytes, got " + std::to_string(m.id.size()));
  if (m.nranks < 1 || m.rank < 0 || m.rank >= m.nranks)
    throw_error(errc::value_error, "NCCL: rank " + std::to_string(m.rank) + " of " +
                                       std::to_string(m.nranks));
  std::memcpy(id.internal, m.id.data(), sizeof id.internal);
  if (cudaSetDevice(device) != cudaSuccess) {
    (void)cudaGetLastError();
    throw_error(errc::runtime_error, "NCCL: cannot enter CUDA device " + std::to_string(device));
  }
  ncclConfig_t cfg = NCCL_CONFIG_INITIALIZER;
  cfg.blocking = 0;  // init returns at once; settle() waits with a deadline instead
  ncclComm_t c = nullptr;
  ncclResult_t r = ncclCommInitRankConfig(&c, m.nranks, id, m.rank, &cfg);
  comm_ = c;
  if (r != ncclSuccess && r != ncclInProgress) {
    if (c) (void)ncclCommAbort(c);
    comm_ = nullptr;
    fail("ncclCommInitRankConfig", r);
  }
  settle(r, "ncclCommInitRankConfig");
}

communicator::~communicator() {
  (void)cudaSetDevice(device_);
  if (comm_ && broken_) {
    (void)ncclCommAbort(as_comm(comm_));
  } else if (comm_) {
    // Every collective issued was queued on a stream the owner synchronizes before this;
    // destroy frees the local resources (abort if NCCL reports a pending error).
    ncclResult_t async = ncclSuccess;
    (void)ncclCommGetAsyncError(as_comm(comm_), &async);
    if (async != ncclSuccess && async != ncclInProgress) (void)ncclCommAbort(as_comm(comm_));
    else (void)ncclCommDestroy(as_comm(comm_));
  }
  if (scratch_) (void)cudaFree(scratch_);  // after the abort: no NCCL kernel reads it any more
}

void communicator::settle(int ri, const char* what) {
  auto r = static_cast<ncclResult_t>(ri);
  if (r == ncclSuccess) return;
  if (r != ncclInProgress) {
    broken_ = true;
    fail(what, r);
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  for (;;) {
    ncclResult_t state = ncclInProgress;
    ncclResult_t q = ncclCommGetAsyncError(as_comm(comm_), &state);
    if (q != ncclSuccess) state = q;
    if (state == ncclSuccess) return;
    if (state != ncclInProgress) {
      broken_ = true;
      fail(what, state);
    }
    if (std::chrono::steady_clock::now() > deadline) {
      broken_ = true;
      (void)ncclCommAbort(as_comm(comm_));
      comm_ = nullptr;
      throw_error(errc::runtime_error,
                  std::string("NCCL ") + what + ": no answer from the other " +
                      std::to_string(nranks_ - 1) + " rank(s) within " +
                      std::to_string(timeout_.count()) + " ms; the communicator was aborted");
    }
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
}

void communicator::next(std::uint64_t seq, const char* what) {
  if (!comm_ || broken_)
    throw_error(errc::runtime_error, std::string("NCCL ") + what + ": the communicator failed earlier");
  if (seq <= issued_)
    throw_error(errc::runtime_error, std::string("NCCL ") + what + ": collective " +
                                         std::to_string(seq) + " issued after " +
                                         std::to_string(issued_) + " (out of order)");
  issued_ = seq;
}

void communicator::all_reduce(void* data, std::size_t count, dtype t, reduce_kind k,
                              cudaStream_t stream, std::uint64_t seq, std::int32_t* flag) {
  ncclDataType_t nt;
  if (!nccl::can_all_reduce(k, t) || !nccl_type(t, nt))
    throw_error(errc::type_error, std::string("NCCL all-reduce cannot combine ") + dtype_name(t));
  next(seq, "ncclAllReduce");
  ncclRedOp_t op = k == reduce_kind::sum ? ncclSum
                   : k == reduce_kind::prod ? ncclProd
                   : k == reduce_kind::min  ? ncclMin
                                            : ncclMax;
  if (!flag) {
    settle(ncclAllReduce(data, data, count, nt, op, as_comm(comm_), stream), "ncclAllReduce");
    return;
  }
  settle(ncclGroupStart(), "ncclGroupStart");
  ncclResult_t r = ncclAllReduce(data, data, count, nt, op, as_comm(comm_), stream);
  if (r == ncclSuccess || r == ncclInProgress)
    r = ncclAllReduce(flag, flag, 1, ncclInt32, ncclMax, as_comm(comm_), stream);
  ncclResult_t g = ncclGroupEnd();  // always closes the group, even after a failed call
  settle(r != ncclSuccess && r != ncclInProgress ? r : g, "ncclAllReduce");
}

void* communicator::scratch() {
  if (!scratch_ && cudaMalloc(&scratch_, chunk_bytes) != cudaSuccess) {
    (void)cudaGetLastError();
    scratch_ = nullptr;
    throw_error(errc::memory_error, "NCCL exchange: no device memory for its " +
                                        std::to_string(chunk_bytes) + "-byte scratch buffer");
  }
  return scratch_;
}

void communicator::exchange(const std::vector<transfer>& xs, cudaStream_t stream, std::uint64_t seq) {
  for (const auto& x : xs)
    if (x.peer < 0 || x.peer >= nranks_)
      throw_error(errc::value_error, "NCCL exchange: peer " + std::to_string(x.peer) + " of " +
                                         std::to_string(nranks_));
  bool needs_scratch = false;
  for (const auto& x : xs) needs_scratch = needs_scratch || (x.bytes > 0 && !x.data);
  void* sink = needs_scratch ? scratch() : nullptr;  // before the group: a failure issues nothing
  next(seq, "exchange");
  settle(ncclGroupStart(), "ncclGroupStart");
  ncclResult_t r = ncclSuccess;
  auto ok = [&] { return r == ncclSuccess || r == ncclInProgress; };
  for (const auto& x : xs) {
    for (std::size_t off = 0; off < x.bytes && ok(); off += chunk_bytes) {
      const std::size_t n = std::min(chunk_bytes, x.bytes - off);
      auto* at = x.data ? static_cast<char*>(x.data) + off : static_cast<char*>(sink);
      switch (x.k) {
        case transfer::kind::send: r = ncclSend(at, n, ncclUint8, x.peer, as_comm(comm_), stream); break;
        case transfer::kind::recv: r = ncclRecv(at, n, ncclUint8, x.peer, as_comm(comm_), stream); break;
        case transfer::kind::bcast: {
          void* into = at;
          if (x.peer == rank_ && x.recv) into = static_cast<char*>(x.recv) + off;
          r = ncclBroadcast(at, into, n, ncclUint8, x.peer, as_comm(comm_), stream);
          break;
        }
      }
    }
    if (!ok()) break;
    if (x.bytes > 0) g_transfers.fetch_add(1, std::memory_order_relaxed);
  }
  ncclResult_t g = ncclGroupEnd();  // always closes the group, even after a failed call
  settle(!ok() ? r : g, "exchange");
}

std::uint64_t communicator::transfers_issued() { return g_transfers.load(); }

void communicator::broadcast(void* data, std::size_t bytes, int root, cudaStream_t stream,
                             std::uint64_t seq) {
  if (root < 0 || root >= nranks_)
    throw_error(errc::value_error, "NCCL broadcast: root " + std::to_string(root) + " of " +
                                       std::to_string(nranks_));
  next(seq, "ncclBroadcast");
  settle(ncclBroadcast(data, data, bytes, ncclUint8, root, as_comm(comm_), stream), "ncclBroadcast");
}

void communicator::revoke() {
  if (!comm_ || broken_) return;
  broken_ = true;  // the destructor aborts; no collective is issued any more
  (void)cudaSetDevice(device_);
  if (auto revoke_comm = find_revoke()) {
    ncclResult_t r = revoke_comm(as_comm(comm_), 0);  // 0: NCCL_REVOKE_DEFAULT
    if (r != ncclSuccess && r != ncclInProgress) return;
    // In-flight operations stop; the state reads ncclInProgress until the communicator is quiet.
    const auto deadline = std::chrono::steady_clock::now() + timeout_;
    for (;;) {
      ncclResult_t state = ncclInProgress;
      if (ncclCommGetAsyncError(as_comm(comm_), &state) != ncclSuccess || state != ncclInProgress) return;
      if (std::chrono::steady_clock::now() > deadline) return;  // the abort in the destructor ends it
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  }
  (void)ncclCommAbort(as_comm(comm_));  // no revoke in this NCCL: abort stops kernels in flight
  comm_ = nullptr;
}

void communicator::wait(cudaStream_t stream) {
  // Yield (no sleep) for the first 200 us: most waits end within that, and a sleep would add
  // its whole quantum to every read of a short kernel's result.
  const auto spin_until = std::chrono::steady_clock::now() + std::chrono::microseconds(200);
  for (;;) {
    const cudaError_t q = cudaStreamQuery(stream);
    if (q == cudaSuccess) return;
    if (q != cudaErrorNotReady) {
      (void)cudaGetLastError();
      throw_error(errc::runtime_error, std::string("CUDA stream failed: ") + cudaGetErrorString(q));
    }
    ncclResult_t state = ncclSuccess;
    if (comm_ && !broken_) (void)ncclCommGetAsyncError(as_comm(comm_), &state);
    const bool lost = g_revocations.load() != epoch_;
    if (lost || (state != ncclSuccess && state != ncclInProgress)) {
      revoke();
      throw_error(errc::runtime_error, std::string("NCCL: ") +
                                           (lost ? "a rank of this communicator was lost"
                                                 : ncclGetErrorString(state)) +
                                           "; its collectives were revoked");
    }
    if (std::chrono::steady_clock::now() < spin_until) std::this_thread::yield();
    else std::this_thread::sleep_for(std::chrono::microseconds(20));
  }
}

void communicator::revoke_all() { g_revocations.fetch_add(1); }

}  // namespace shoal::nccl
