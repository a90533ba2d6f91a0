/// The GPU backend: everything stream-ordered on one non-blocking stream of one device.
#include "actors/gpu_backend.hpp"

#include <cuda_runtime.h>

#include <utility>

#include "arrays/cuda/blas.hpp"
#include "arrays/cuda/copy.cuh"
#include "arrays/cuda/device.hpp"
#include "arrays/cuda/fill.cuh"
#include "arrays/cuda/program_runner.hpp"
#include "arrays/cuda/random.cuh"
#include "arrays/cuda/reduce.cuh"
#include "arrays/strided_copy.hpp"

namespace shoal {
namespace {

int enter_device(int device) {
  cuda::check(cudaSetDevice(device), "cudaSetDevice");
  return device;
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
    void* p = nullptr;
    cuda::check(cudaMallocAsync(&p, bytes, s()), "cudaMallocAsync", bytes);
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
    buffer_ptr h;
    if (b->bytes() == 0) {
      h = make_buffer(0);
    } else {
      void* p = nullptr;
      cuda::check(cudaMallocHost(&p, b->bytes()), "cudaMallocHost", b->bytes());
      h = std::make_shared<buffer>(static_cast<std::byte*>(p), b->bytes(), -1,
                                   [](std::byte* q) { (void)cudaFreeHost(q); });
      cuda::check(cudaMemcpyAsync(h->data(), b->data(), b->bytes(), cudaMemcpyDeviceToHost, s()),
                  "cudaMemcpyAsync");
    }
    stream_.synchronize();  // also reports kernels that failed asynchronously
    return h;
  }

  buffer_ptr from_host(const buffer_ptr& h) override {
    if (h->device() == dev_) return h;
    return upload(h->data(), h->bytes(), h);
  }

 private:
  void enter() const { cuda::check(cudaSetDevice(dev_), "cudaSetDevice"); }
  cudaStream_t s() const { return stream_.get(); }

  /// A device copy of `bytes` host bytes at `src`; `keep` (the host memory) lives as long as
  /// the device buffer, so an asynchronous copy from pinned memory never reads freed bytes.
  buffer_ptr upload(const void* src, std::size_t bytes, std::shared_ptr<const buffer> keep) {
    enter();
    if (bytes == 0) return alloc(0);
    void* p = nullptr;
    cuda::check(cudaMallocAsync(&p, bytes, s()), "cudaMallocAsync", bytes);
    cudaStream_t st = s();
    auto out = std::make_shared<buffer>(static_cast<std::byte*>(p), bytes, dev_,
                                        [st, keep = std::move(keep)](std::byte* q) { (void)cudaFreeAsync(q, st); });
    cuda::check(cudaMemcpyAsync(p, src, bytes, cudaMemcpyHostToDevice, s()), "cudaMemcpyAsync");
    return out;
  }

  int dev_;
  cuda::stream stream_;
  cuda::cublas_handle blas_;
};

}  // namespace

std::unique_ptr<backend> make_gpu_backend(int device) { return std::make_unique<gpu_backend>(device); }

}  // namespace shoal
