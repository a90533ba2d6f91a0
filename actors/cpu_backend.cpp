/// The CPU backend: host buffers; kernels split by rows of the tile over the actor's pool.
#include "actors/cpu_backend.hpp"

#include <algorithm>
#include <cstring>

#include "arrays/fill.hpp"
#include "arrays/matmul.hpp"
#include "arrays/random.hpp"
#include "arrays/strided_copy.hpp"
#include "arrays/thread_pool.hpp"

namespace shoal {
namespace {

/// Below this many elements a kernel runs on the actor's thread alone.
constexpr std::int64_t parallel_grain = 1 << 15;

std::byte* at(const buffer_ptr& b, std::int64_t elems, dtype t) {
  return b->data() + elems * static_cast<std::int64_t>(itemsize(t));
}

/// Splits the leading dim of `extent` into chunks for the pool: fn(r0, r1).
template <class F> void by_rows(thread_pool& pool, const shape_t& extent, F&& fn) {
  std::int64_t rows = extent.empty() ? 1 : extent[0];
  std::int64_t chunks = 1;
  if (!extent.empty() && numel(extent) >= parallel_grain && pool.size() > 1)
    chunks = std::min<std::int64_t>(rows, pool.size());
  if (chunks <= 1) {
    fn(std::int64_t{0}, rows);
    return;
  }
  pool.parallel_for(chunks, [&](std::int64_t c) {
    std::int64_t r0 = rows * c / chunks, r1 = rows * (c + 1) / chunks;
    if (r1 > r0) fn(r0, r1);
  });
}

class cpu_backend final : public backend {
 public:
  explicit cpu_backend(int threads) : pool_(threads) {}

  buffer_ptr alloc(std::size_t bytes) override { return make_buffer(bytes); }

  void copy_strided(void* dst, const std::int64_t* dst_strides, const void* src,
                    const std::int64_t* src_strides, const shape_t& shape,
                    std::size_t isz) override {
    shoal::copy_strided(dst, dst_strides, src, src_strides, shape, isz);
  }

  void copy_bytes(void* dst, const void* src, std::size_t bytes) override {
    if (bytes) std::memcpy(dst, src, bytes);
  }
  void zero(void* dst, std::size_t bytes) override {
    if (bytes) std::memset(dst, 0, bytes);
  }

  buffer_ptr fill(const fill_task& t) override {
    shape_t ext = t.tile.extent();
    auto out = make_buffer(static_cast<std::size_t>(numel(ext)) * itemsize(t.type));
    const std::int64_t row = ext.empty() || ext[0] == 0 ? 0 : numel(ext) / ext[0];
    by_rows(pool_, ext, [&](std::int64_t r0, std::int64_t r1) {
      box sub = t.tile;
      if (!ext.empty()) {
        sub.lo[0] = t.tile.lo[0] + r0;
        sub.hi[0] = t.tile.lo[0] + r1;
      }
      void* dst = at(out, r0 * row, t.type);
      if (t.random)
        fill_random(t.rand_k, t.type, t.rand_p, t.seed, t.stream, t.global_shape, sub, dst);
      else
        fill_tile(t.fill_k, t.type, t.fill_p, t.global_shape, sub, dst);
    });
    return out;
  }

  buffer_ptr host_tile(const host_task& t) override {
    shape_t ext = t.tile.extent();
    const std::size_t isz = itemsize(t.type);
    auto out = make_buffer(static_cast<std::size_t>(numel(ext)) * isz);
    shape_t gs = c_strides(t.global_shape), ds = c_strides(ext);
    std::int64_t base = 0;
    for (std::size_t d = 0; d < ext.size(); ++d) base += t.tile.lo[d] * gs[d];
    by_rows(pool_, ext, [&](std::int64_t r0, std::int64_t r1) {
      shape_t sub = ext;
      std::int64_t off = base;
      if (!ext.empty()) {
        sub[0] = r1 - r0;
        off += r0 * gs[0];
      }
      shoal::copy_strided(at(out, ext.empty() ? 0 : r0 * ds[0], t.type), ds.data(),
                          t.host->data() + off * static_cast<std::int64_t>(isz), gs.data(), sub, isz);
    });
    return out;
  }

  void run(const program& p, const shape_t& tile, const std::vector<operand_view>& ins,
           const std::vector<void*>& outs) override {
    const std::int64_t row = tile.empty() || tile[0] == 0 ? 0 : numel(tile) / tile[0];
    by_rows(pool_, tile, [&](std::int64_t r0, std::int64_t r1) {
      shape_t sub = tile;
      if (!sub.empty()) sub[0] = r1 - r0;
      std::vector<operand_view> views;
      for (std::size_t i = 0; i < ins.size(); ++i) {
        std::int64_t off = tile.empty() ? 0 : r0 * ins[i].strides[0];
        views.push_back({static_cast<const std::byte*>(ins[i].data) +
                             off * static_cast<std::int64_t>(itemsize(p.inputs.at(i))),
                         ins[i].strides});
      }
      std::vector<void*> o;
      for (std::size_t i = 0; i < outs.size(); ++i)
        o.push_back(static_cast<std::byte*>(outs[i]) +
                    r0 * row * static_cast<std::int64_t>(itemsize(p.outputs.at(i))));
      run_program(p, sub, views, o);
    });
  }

  buffer_ptr partial(const partial_task& t, const buffer_ptr& in) override {
    const bool arg = t.kind == reduce_kind::argmin || t.kind == reduce_kind::argmax;
    const dtype pt = arg ? t.type : reduce_result(t.kind, t.type);
    shape_t oshape = t.tile;
    for (std::size_t d = 0; d < oshape.size(); ++d)
      if (t.axes[d]) oshape[d] = 1;
    const std::int64_t n = numel(oshape);
    auto part = [&](std::int64_t r0, std::int64_t r1) {
      // Reduce rows [r0, r1) of the tile into a fresh partial.
      shape_t sub = t.tile;
      shape_t org = t.origin;
      std::int64_t in_off = 0;
      if (!sub.empty()) {
        sub[0] = r1 - r0;
        org[0] += r0;
        in_off = r0 * (numel(t.tile) / std::max<std::int64_t>(t.tile[0], 1));
      }
      shape_t os = sub;
      for (std::size_t d = 0; d < os.size(); ++d)
        if (t.axes[d]) os[d] = 1;
      std::int64_t on = numel(os);
      auto buf = make_buffer(arg ? partial_index_offset(on, pt) + static_cast<std::size_t>(on) * 8
                                 : static_cast<std::size_t>(on) * itemsize(pt));
      reduce_tile(t.kind, t.type, at(in, in_off, t.type), sub, t.axes, buf->data(),
                  arg ? reinterpret_cast<std::int64_t*>(buf->data() + partial_index_offset(on, pt)) : nullptr,
                  org, t.global_shape);
      return buf;
    };
    std::int64_t rows = t.tile.empty() ? 1 : t.tile[0];
    std::int64_t chunks = 1;
    if (!t.tile.empty() && numel(t.tile) >= parallel_grain && pool_.size() > 1)
      chunks = std::min<std::int64_t>(rows, pool_.size());
    if (chunks <= 1) return part(0, rows);
    std::vector<buffer_ptr> parts(static_cast<std::size_t>(chunks));
    pool_.parallel_for(chunks, [&](std::int64_t c) {
      parts[static_cast<std::size_t>(c)] = part(rows * c / chunks, rows * (c + 1) / chunks);
    });
    buffer_ptr out;
    if (t.axes[0]) {  // every chunk reduced the same outputs: combine in chunk order
      out = parts[0];
      for (std::size_t c = 1; c < parts.size(); ++c)
        combine_partials(t.kind, pt, out->data(), parts[c]->data(), n,
                         arg ? reinterpret_cast<std::int64_t*>(out->data() + partial_index_offset(n, pt)) : nullptr,
                         arg ? reinterpret_cast<const std::int64_t*>(parts[c]->data() + partial_index_offset(n, pt)) : nullptr);
    } else {  // chunks own disjoint rows of the output: concatenate
      out = make_buffer(arg ? partial_index_offset(n, pt) + static_cast<std::size_t>(n) * 8
                            : static_cast<std::size_t>(n) * itemsize(pt));
      std::int64_t row = n / std::max<std::int64_t>(rows, 1);
      for (std::int64_t c = 0; c < chunks; ++c) {
        std::int64_t r0 = rows * c / chunks, r1 = rows * (c + 1) / chunks;
        auto& p = parts[static_cast<std::size_t>(c)];
        std::int64_t on = (r1 - r0) * row;
        std::memcpy(at(out, r0 * row, pt), p->data(), static_cast<std::size_t>(on) * itemsize(pt));
        if (arg)
          std::memcpy(out->data() + partial_index_offset(n, pt) + r0 * row * 8,
                      p->data() + partial_index_offset(on, pt), static_cast<std::size_t>(on) * 8);
      }
    }
    return out;
  }

  void combine(reduce_kind k, dtype t, void* acc, const void* part, std::int64_t n,
               std::int64_t* acc_index, const std::int64_t* part_index) override {
    combine_partials(k, t, acc, part, n, acc_index, part_index);
  }

  void matmul(dtype t, std::int64_t m, std::int64_t n, std::int64_t k, const void* a,
              const void* b, void* c) override {
    matmul_tile(t, m, n, k, a, b, c, false, pool_.size());
  }

  void run_kernel(const kernel_def& k, const kernel_args& args) override {
    check_kernel_variants(k, true, false);
    k.cpu(args);  // one call per tile: the author decides how to use the actor's cores
  }

  buffer_ptr to_host(const buffer_ptr& b) override { return b; }
  buffer_ptr from_host(const buffer_ptr& h) override { return h; }

 private:
  thread_pool pool_;
};

}  // namespace

std::unique_ptr<backend> make_cpu_backend(int threads) { return std::make_unique<cpu_backend>(threads); }

}  // namespace shoal
