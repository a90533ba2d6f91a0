/// The GPU backend: everything stream-ordered on one non-blocking stream of one device.
#include "actors/gpu_backend.hpp"

#include <cuda_runtime.h>

#include <cstring>
#include <deque>
#include <utility>

#include "arrays/cuda/blas.hpp"
#include "arrays/cuda/copy.cuh"
#include "arrays/cuda/device.hpp"
#include "arrays/cuda/fill.cuh"
#include "arrays/cuda/pinned_pool.hpp"
#include "arrays/cuda/program_runner.hpp"
#include "arrays/cuda/random.cuh"
#include "arrays/cuda/reduce.cuh"
#include "arrays/strided_copy.hpp"
#include "transport/nccl_comm.hpp"

namespace shoal {
namespace {

int enter_device(int device) {
  cuda::check(cudaSetDevice(device), "cudaSetDevice");
  // Memory freed back to the device's default pool stays reserved for the next allocation
  // (the default threshold 0 returns it to the system at every synchronization, and a
  // shard-sized cudaMallocAsync then maps fresh pages each time: ~ms per GiB).
  cudaMemPool_t pool = nullptr;
  cuda::check(cudaDeviceGetDefaultMemPool(&pool, device), "cudaDeviceGetDefaultMemPool");
  std::uint64_t keep = ~std::uint64_t(0);
  cuda::check(cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &keep),
              "cudaMemPoolSetAttribute");
  return device;
}

bool is_pinned(const void* p) {
  cudaPointerAttributes a{};
  if (cudaPointerGetAttributes(&a, p) != cudaSuccess) {
    (void)cudaGetLastError();
    return false;
  }
  return a.type == cudaMemoryTypeHost;
}

class gpu_backend final : public backend {
 public:
  explicit gpu_backend(int device) : dev_(enter_device(device)) {}

  ~gpu_backend() override {
    (void)cudaSetDevice(dev_);
    (void)cudaStreamSynchronize(stream_.get());
  }

  buffer_ptr alloc(std::size_t bytes) override {
    enter();
    if (bytes == 0) return std::make_shared<buffer>(nullptr, 0, dev_, [](std::byte*) {});
    void* p = device_alloc(bytes);
    cudaStream_t st = s();
    return std::make_shared<buffer>(static_cast<std::byte*>(p), bytes, dev_,
                                    [st](std::byte* q) { (void)cudaFreeAsync(q, st); });
  }

  void copy_strided(void* dst, const std::int64_t* dst_strides, const void* src,
                    const std::int64_t* src_strides, const shape_t& shape,
                    std::size_t isz) override {
    enter();
    if (numel(shape) == 0) return;
    cuda::copy_strided(dst, dst_strides, src, src_strides, shape, isz, s());
  }

  void copy_bytes(void* dst, const void* src, std::size_t bytes) override {
    enter();
    if (bytes) cuda::check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, s()), "cudaMemcpyAsync");
  }

  void zero(void* dst, std::size_t bytes) override {
    enter();
    if (bytes) cuda::check(cudaMemsetAsync(dst, 0, bytes, s()), "cudaMemsetAsync");
  }

  buffer_ptr fill(const fill_task& t) override {
    shape_t ext = t.tile.extent();
    auto out = alloc(static_cast<std::size_t>(numel(ext)) * itemsize(t.type));
    if (t.random)
      cuda::fill_random(t.rand_k, t.type, t.rand_p, t.seed, t.stream, t.global_shape, t.tile,
                        out->data(), s());
    else
      cuda::fill_tile(t.fill_k, t.type, t.fill_p, t.global_shape, t.tile, out->data(), s());
    return out;
  }

  buffer_ptr host_tile(const host_task& t) override {
    shape_t ext = t.tile.extent();
    const std::size_t isz = itemsize(t.type);
    const std::size_t bytes = static_cast<std::size_t>(numel(ext)) * isz;
    if (ext == t.global_shape) return upload(t.host->data(), bytes, nullptr);
    auto packed = make_buffer(bytes);  // pack the tile on the host, then one copy up
    shape_t gs = c_strides(t.global_shape), ds = c_strides(ext);
    std::int64_t base = 0;
    for (std::size_t d = 0; d < ext.size(); ++d) base += t.tile.lo[d] * gs[d];
    if (bytes)
      shoal::copy_strided(packed->data(), ds.data(),
                          t.host->data() + base * static_cast<std::int64_t>(isz), gs.data(), ext, isz);
    return upload(packed->data(), bytes, packed);
  }

  void run(const program& p, const shape_t& tile, const std::vector<operand_view>& ins,
           const std::vector<void*>& outs) override {
    enter();
    cuda::run_program_cuda(p, tile, ins, outs, s(), nullptr);  // int pow errors throw here
  }

  buffer_ptr partial(const partial_task& t, const buffer_ptr& in) override {
    const bool arg = t.kind == reduce_kind::argmin || t.kind == reduce_kind::argmax;
    const dtype pt = arg ? t.type : reduce_result(t.kind, t.type);
    shape_t oshape = t.tile;
    for (std::size_t d = 0; d < oshape.size(); ++d)
      if (t.axes[d]) oshape[d] = 1;
    const std::int64_t n = numel(oshape);
    auto out = alloc(arg ? partial_index_offset(n, pt) + static_cast<std::size_t>(n) * 8
                         : static_cast<std::size_t>(n) * itemsize(pt));
    cuda::reduce_tile(t.kind, t.type, in->data(), t.tile, t.axes, out->data(),
                      arg ? reinterpret_cast<std::int64_t*>(out->data() + partial_index_offset(n, pt)) : nullptr,
                      t.origin, t.global_shape, s());
    return out;
  }

  void combine(reduce_kind k, dtype t, void* acc, const void* part, std::int64_t n,
               std::int64_t* acc_index, const std::int64_t* part_index) override {
    enter();
    if (n > 0) cuda::combine_partials(k, t, acc, part, n, acc_index, part_index, s());
  }

  void matmul(dtype t, std::int64_t m, std::int64_t n, std::int64_t k, const void* a,
              const void* b, void* c) override {
    enter();
    cuda::matmul_tile(blas_, t, m, n, k, a, b, c, false, s());
  }

  void run_kernel(const kernel_def& k, const kernel_args& args) override {
    check_kernel_variants(k, false, true);
    enter();
    k.cuda(args, s());  // the author's kernel, enqueued on this actor's stream
  }

  buffer_ptr to_host(const buffer_ptr& b) override {
    enter();
    if (b->device() < 0) return b;
    const std::size_t n = b->bytes();
    // Pinned staging from the pool up to its largest class; above it pageable memory (locking
    // a fresh gigabyte of pages costs more than the faster copy saves).
    buffer_ptr h = pool_->pooled(n) ? pool_->acquire(n) : make_buffer(n);
    if (n) cuda::check(cudaMemcpyAsync(h->data(), b->data(), n, cudaMemcpyDeviceToHost, s()),
                       "cudaMemcpyAsync");
    finish();  // also reports kernels that failed asynchronously
    return h;
  }

  buffer_ptr from_host(const buffer_ptr& h) override {
    if (h->device() == dev_) return h;
    return upload(h->data(), h->bytes(), h);
  }

  void join_collectives(const nccl::member& m) override {
    enter();
    if (comm_) {  // a changed group: what was issued on the old communicator completes first
      try {
        comm_->wait(s());
      } catch (const std::exception&) {
        // revoked or broken: those collectives already failed their own outputs
      }
    }
    if (m.nranks == 0) {  // drained out of the group: nothing more is issued on it
      if (comm_) comm_->revoke();  // local, unlike a destroy that may talk to departed peers
      comm_.reset();
      return;
    }
    comm_.reset();
    comm_ = std::make_unique<nccl::communicator>(m, dev_);
    if (!flag_dev_.data()) flag_dev_ = cuda::device_buffer(sizeof(std::int32_t), s());
    if (!flag_host_) flag_host_ = pool_->acquire(sizeof(std::int32_t));
  }

  int all_reduce(reduce_kind k, dtype t, void* data, std::int64_t n, std::uint64_t seq, int flag,
                 bool want_flag) override {
    enter();
    if (!comm_) throw_error(errc::runtime_error, "shoal: this GPU actor has no NCCL communicator");
    auto* dev = static_cast<std::int32_t*>(flag_dev_.data());
    fill_params fp;
    fp.ia = flag;
    cuda::fill_tile(fill_kind::full, dtype::int32, fp, {1}, box{{0}, {1}}, dev, s());
    comm_->all_reduce(data, static_cast<std::size_t>(n), t, k, s(), seq, dev);
    if (!want_flag) return 0;
    auto* host = flag_host_->as<std::int32_t>();
    cuda::check(cudaMemcpyAsync(host, dev, sizeof *host, cudaMemcpyDeviceToHost, s()), "cudaMemcpyAsync");
    comm_->wait(s());  // a stream sync that a lost rank cannot block for good
    return *host;
  }

  void exchange(const std::vector<nccl::transfer>& xs, std::uint64_t seq) override {
    enter();
    if (!comm_) throw_error(errc::runtime_error, "shoal: this GPU actor has no NCCL communicator");
    comm_->exchange(xs, s(), seq);
  }

  void revoke_collectives() override {
    enter();
    if (comm_) comm_->revoke();
    comm_.reset();
  }

  void finish() override {
    enter();
    if (comm_) comm_->wait(s());  // collectives queued with a rank that died: revoked, thrown
    stream_.synchronize();
    in_flight_.clear();  // every copy has completed
  }

 private:
  void enter() const { cuda::check(cudaSetDevice(dev_), "cudaSetDevice"); }
  cudaStream_t s() const { return stream_.get(); }

  /// Device memory from the pool; when it is exhausted, once more after the stream's queued
  /// frees have completed (memory_error if that fails too).
  void* device_alloc(std::size_t bytes) {
    void* p = nullptr;
    if (cudaMallocAsync(&p, bytes, s()) == cudaSuccess) return p;
    (void)cudaGetLastError();
    stream_.synchronize();
    in_flight_.clear();
    cuda::check(cudaMallocAsync(&p, bytes, s()), "cudaMallocAsync", bytes);
    return p;
  }

  /// A device copy of `bytes` host bytes at `src` (owned by `keep`). Pinned sources are copied
  /// asynchronously; pageable ones up to the pool's largest class are first packed into a
  /// pinned staging buffer (so the copy is asynchronous too), larger ones are copied by the
  /// driver's own staging (it returns once the source has been read). Host memory an
  /// asynchronous copy reads is held until an event after the copy has completed.
  buffer_ptr upload(const void* src, std::size_t bytes, buffer_ptr keep) {
    enter();
    if (bytes == 0) return alloc(0);
    reap();
    auto out = alloc(bytes);
    buffer_ptr hold;
    if (keep && is_pinned(src)) {
      hold = std::move(keep);
    } else if (pool_->pooled(bytes)) {
      hold = pool_->acquire(bytes);
      std::memcpy(hold->data(), src, bytes);
      src = hold->data();
    }
    cuda::check(cudaMemcpyAsync(out->data(), src, bytes, cudaMemcpyHostToDevice, s()), "cudaMemcpyAsync");
    if (hold) {
      cuda::event done(false);
      done.record(s());
      in_flight_.push_back({std::move(done), std::move(hold)});
    }
    return out;
  }

  /// Drops the host buffers of uploads that have completed (oldest first: the stream is FIFO).
  void reap() {
    while (!in_flight_.empty()) {
      cudaError_t e = cudaEventQuery(in_flight_.front().done.get());
      if (e == cudaErrorNotReady) {
        (void)cudaGetLastError();
        return;
      }
      in_flight_.pop_front();
    }
  }

  struct pending {
    cuda::event done;
    buffer_ptr host;
  };

  int dev_;
  std::shared_ptr<cuda::pinned_pool> pool_ = cuda::pinned_pool::shared();
  cuda::stream stream_;
  cuda::cublas_handle blas_;
  std::deque<pending> in_flight_;  // host memory read by queued uploads
  // NCCL (after the stream: destroyed first, once the destructor synchronized the stream)
  std::unique_ptr<nccl::communicator> comm_;
  cuda::device_buffer flag_dev_;  // one int32: the failure flag reduced with each all-reduce
  buffer_ptr flag_host_;
};

}  // namespace

std::unique_ptr<backend> make_gpu_backend(int device) { return std::make_unique<gpu_backend>(device); }

}  // namespace shoal
