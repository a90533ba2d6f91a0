#include "actors/task_runner.hpp"

#include <algorithm>
#include <cstring>
#include <new>
#include <string>

#include "arrays/elementwise.hpp"
#include "arrays/fill.hpp"
#include "arrays/matmul.hpp"
#include "arrays/random.hpp"
#include "arrays/reduce.hpp"
#include "arrays/strided_copy.hpp"

namespace shoal {
namespace {

/// Below this many elements a kernel runs on the actor's thread alone.
constexpr std::int64_t parallel_grain = 1 << 15;

std::byte* at(const buffer_ptr& b, std::int64_t elems, dtype t) {
  return b->data() + elems * static_cast<std::int64_t>(itemsize(t));
}

template <class F> void for_each_tag(const operand_spec& s, F&& f) {
  if (s.direct) return;
  for (auto& p : s.pieces)
    if (!p.local) f(p.tag);
}

template <class F> void for_each_tag(const task& t, F&& f) {
  std::visit(
      [&](auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, program_task>) {
          for (auto& i : x.ins) for_each_tag(i, f);
        } else if constexpr (std::is_same_v<T, matmul_task>) {
          for_each_tag(x.a, f);
          for_each_tag(x.b, f);
        } else if constexpr (std::is_same_v<T, assemble_task>) {
          for_each_tag(x.data, f);
        } else if constexpr (std::is_same_v<T, update_task>) {
          for_each_tag(x.value, f);
        } else if constexpr (std::is_same_v<T, combine_task>) {
          for (auto tag : x.parts) f(tag);
        }
      },
      t);
}

/// Shard keys a task writes (they carry its error if it fails).
std::vector<shard_key> outputs_of(const task& t) {
  return std::visit(
      [](auto& x) -> std::vector<shard_key> {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, program_task>) return x.outs;
        else if constexpr (std::is_same_v<T, send_task> || std::is_same_v<T, partial_task> ||
                           std::is_same_v<T, free_task>)
          return {};
        else return {x.out};
      },
      t);
}

error_info to_error(std::exception_ptr ep) {
  try {
    std::rethrow_exception(ep);
  } catch (const error& e) {
    return {e.code(), e.what()};
  } catch (const std::bad_alloc&) {
    return {errc::memory_error, "Unable to allocate memory for a shard"};
  } catch (const std::exception& e) {
    return {errc::runtime_error, e.what()};
  }
}

}  // namespace

task_runner::task_runner(int index, int threads, send_fn send)
    : index_(index), pool_(threads), send_(std::move(send)) {}

std::int64_t task_runner::shard_bytes() const {
  std::int64_t total = 0;
  std::unordered_map<const buffer*, bool> seen;
  for (auto& [k, b] : shards_)
    if (b && seen.emplace(b.get(), true).second) total += static_cast<std::int64_t>(b->bytes());
  return total;
}

void task_runner::push(task t) { queue_.emplace_back(std::move(t)); }

void task_runner::push_read(shard_key key, bool want_data, reply_fn reply) {
  queue_.emplace_back(read_req{key, want_data, std::move(reply)});
}

void task_runner::arrive(piece_msg p) {
  auto tag = p.tag;
  arrived_[tag] = std::move(p);
}

bool task_runner::ready(const entry& e) const {
  const task* t = std::get_if<task>(&e);
  if (!t) return true;
  bool ok = true;
  for_each_tag(*t, [&](piece_tag tag) { ok = ok && arrived_.count(tag) > 0; });
  return ok;
}

void task_runner::pump() {
  while (!queue_.empty() && ready(queue_.front())) {
    entry e = std::move(queue_.front());
    queue_.pop_front();
    run(e);
  }
}

void task_runner::run(entry& e) {
  if (auto* r = std::get_if<read_req>(&e)) {
    read_result res;
    try {
      buffer_ptr b = shard(r->key);
      if (r->want_data) res.data = std::move(b);
    } catch (...) {
      res.err = to_error(std::current_exception());
    }
    r->reply(std::move(res));
    return;
  }
  run_task(std::get<task>(e));
}

void task_runner::run_task(task& t) {
  try {
    std::visit([&](auto& x) { exec(x); }, t);
  } catch (...) {
    error_info err = to_error(std::current_exception());
    for (auto k : outputs_of(t)) fail(k, err);
  }
  for_each_tag(t, [&](piece_tag tag) { arrived_.erase(tag); });
}

buffer_ptr task_runner::shard(shard_key k) const {
  if (auto f = failed_.find(k); f != failed_.end()) throw error(f->second);
  if (auto s = shards_.find(k); s != shards_.end()) return s->second;
  throw_error(errc::runtime_error, "shoal: shard " + std::to_string(k) + " is not on actor " +
                                       std::to_string(index_));
}

void task_runner::fail(shard_key k, const error_info& e) {
  shards_.erase(k);
  failed_[k] = e;
}

void task_runner::put(shard_key k, buffer_ptr b) {
  failed_.erase(k);
  shards_[k] = std::move(b);
}

/// A dense buffer of the operand's extent built from its pieces (or the one piece that
/// already is exactly that, without copying).
task_runner::resolved task_runner::resolve(const operand_spec& s, const shape_t& tile) {
  const std::size_t isz = itemsize(s.type);
  resolved r;
  if (s.direct) {
    r.keep = shard(s.src.key);
    r.data = at(r.keep, s.src.offset, s.type);
    r.strides = s.src.strides;
    return r;
  }
  r.strides = operand_strides(s, tile);
  if (s.pieces.size() == 1 && !s.pieces[0].local && s.pieces[0].dst_offset == 0 &&
      s.pieces[0].extent == s.extent) {
    auto& p = arrived_.at(s.pieces[0].tag);
    if (p.err) throw error(p.err);
    r.keep = p.data;
    r.data = r.keep->data();
    return r;
  }
  r.keep = make_buffer(static_cast<std::size_t>(numel(s.extent)) * isz);
  for (auto& p : s.pieces) {
    const void* src;
    shape_t src_strides;
    buffer_ptr hold;
    if (p.local) {
      hold = shard(p.src.key);
      src = at(hold, p.src.offset, s.type);
      src_strides = p.src.strides;
    } else {
      auto& m = arrived_.at(p.tag);
      if (m.err) throw error(m.err);
      hold = m.data;
      src = hold->data();
      src_strides = c_strides(p.extent);
    }
    copy_strided(at(r.keep, p.dst_offset, s.type), p.dst_strides.data(), src, src_strides.data(),
                 p.extent, isz);
  }
  r.data = r.keep->data();
  return r;
}

// ---- tasks

namespace {
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
}  // namespace

void task_runner::exec(fill_task& t) {
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
  put(t.out, std::move(out));
}

void task_runner::exec(host_task& t) {
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
    copy_strided(at(out, ext.empty() ? 0 : r0 * ds[0], t.type), ds.data(),
                 t.host->data() + off * static_cast<std::int64_t>(isz), gs.data(), sub, isz);
  });
  put(t.out, std::move(out));
}

void task_runner::exec(send_task& t) {
  piece_msg m;
  m.tag = t.tag;
  try {
    buffer_ptr src = shard(t.src.key);
    const std::size_t isz = itemsize(t.type);
    const std::size_t bytes = static_cast<std::size_t>(numel(t.extent)) * isz;
    if (t.src.offset == 0 && t.src.strides == c_strides(t.extent) && bytes == src->bytes()) {
      m.data = std::move(src);  // the whole shard, in order: share it (shards are immutable)
    } else {
      m.data = make_buffer(bytes);
      shape_t ds = c_strides(t.extent);
      copy_strided(m.data->data(), ds.data(), at(src, t.src.offset, t.type), t.src.strides.data(),
                   t.extent, isz);
    }
  } catch (...) {
    m.data.reset();
    m.err = to_error(std::current_exception());
  }
  send_(t.dest, std::move(m));
}

void task_runner::exec(program_task& t) {
  std::vector<resolved> ins;
  ins.reserve(t.ins.size());
  for (auto& s : t.ins) ins.push_back(resolve(s, t.tile));
  std::vector<buffer_ptr> outs;
  for (std::size_t i = 0; i < t.outs.size(); ++i)
    outs.push_back(make_buffer(static_cast<std::size_t>(numel(t.tile)) * itemsize(t.prog.outputs.at(i))));
  const std::int64_t row = t.tile.empty() || t.tile[0] == 0 ? 0 : numel(t.tile) / t.tile[0];
  by_rows(pool_, t.tile, [&](std::int64_t r0, std::int64_t r1) {
    shape_t sub = t.tile;
    if (!sub.empty()) sub[0] = r1 - r0;
    std::vector<operand_view> views;
    for (std::size_t i = 0; i < ins.size(); ++i) {
      std::int64_t off = t.tile.empty() ? 0 : r0 * ins[i].strides[0];
      views.push_back({static_cast<const std::byte*>(ins[i].data) +
                           off * static_cast<std::int64_t>(itemsize(t.prog.inputs.at(i))),
                       ins[i].strides});
    }
    std::vector<void*> o;
    for (std::size_t i = 0; i < outs.size(); ++i) o.push_back(at(outs[i], r0 * row, t.prog.outputs[i]));
    run_program(t.prog, sub, views, o);
  });
  for (std::size_t i = 0; i < outs.size(); ++i) put(t.outs[i], std::move(outs[i]));
}

namespace {
/// Bytes of a partial: values, then (arg-reductions) int64 indices at an 8-byte boundary.
std::size_t index_offset(std::int64_t n, dtype t) {
  return (static_cast<std::size_t>(n) * itemsize(t) + 7) / 8 * 8;
}
}  // namespace

void task_runner::exec(partial_task& t) {
  piece_msg m;
  m.tag = t.tag;
  try {
    buffer_ptr in = shard(t.in);
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
      auto buf = make_buffer(arg ? index_offset(on, pt) + static_cast<std::size_t>(on) * 8
                                 : static_cast<std::size_t>(on) * itemsize(pt));
      reduce_tile(t.kind, t.type, at(in, in_off, t.type), sub, t.axes, buf->data(),
                  arg ? reinterpret_cast<std::int64_t*>(buf->data() + index_offset(on, pt)) : nullptr,
                  org, t.global_shape);
      return buf;
    };
    std::int64_t rows = t.tile.empty() ? 1 : t.tile[0];
    std::int64_t chunks = 1;
    if (!t.tile.empty() && numel(t.tile) >= parallel_grain && pool_.size() > 1)
      chunks = std::min<std::int64_t>(rows, pool_.size());
    if (chunks <= 1) {
      m.data = part(0, rows);
    } else {
      std::vector<buffer_ptr> parts(static_cast<std::size_t>(chunks));
      pool_.parallel_for(chunks, [&](std::int64_t c) {
        parts[static_cast<std::size_t>(c)] = part(rows * c / chunks, rows * (c + 1) / chunks);
      });
      if (t.axes[0]) {  // every chunk reduced the same outputs: combine in chunk order
        m.data = parts[0];
        for (std::size_t c = 1; c < parts.size(); ++c)
          combine_partials(t.kind, pt, m.data->data(), parts[c]->data(), n,
                           arg ? reinterpret_cast<std::int64_t*>(m.data->data() + index_offset(n, pt)) : nullptr,
                           arg ? reinterpret_cast<const std::int64_t*>(parts[c]->data() + index_offset(n, pt)) : nullptr);
      } else {  // chunks own disjoint rows of the output: concatenate
        m.data = make_buffer(arg ? index_offset(n, pt) + static_cast<std::size_t>(n) * 8
                                 : static_cast<std::size_t>(n) * itemsize(pt));
        std::int64_t row = n / std::max<std::int64_t>(rows, 1);
        for (std::int64_t c = 0; c < chunks; ++c) {
          std::int64_t r0 = rows * c / chunks, r1 = rows * (c + 1) / chunks;
          auto& p = parts[static_cast<std::size_t>(c)];
          std::int64_t on = (r1 - r0) * row;
          std::memcpy(at(m.data, r0 * row, pt), p->data(), static_cast<std::size_t>(on) * itemsize(pt));
          if (arg)
            std::memcpy(m.data->data() + index_offset(n, pt) + r0 * row * 8,
                        p->data() + index_offset(on, pt), static_cast<std::size_t>(on) * 8);
        }
      }
    }
  } catch (...) {
    m.data.reset();
    m.err = to_error(std::current_exception());
  }
  send_(t.dest, std::move(m));
}

void task_runner::exec(combine_task& t) {
  const bool arg = t.kind == reduce_kind::argmin || t.kind == reduce_kind::argmax;
  const std::size_t vbytes = arg ? index_offset(t.count, t.partial_type)
                                 : static_cast<std::size_t>(t.count) * itemsize(t.partial_type);
  const std::size_t total = vbytes + (arg ? static_cast<std::size_t>(t.count) * 8 : 0);
  auto acc = make_buffer(total);
  for (std::size_t i = 0; i < t.parts.size(); ++i) {
    auto& p = arrived_.at(t.parts[i]);
    if (p.err) throw error(p.err);
    if (i == 0) {
      std::memcpy(acc->data(), p.data->data(), total);
      continue;
    }
    combine_partials(t.kind, t.partial_type, acc->data(), p.data->data(), t.count,
                     arg ? reinterpret_cast<std::int64_t*>(acc->data() + vbytes) : nullptr,
                     arg ? reinterpret_cast<const std::int64_t*>(p.data->data() + vbytes) : nullptr);
  }
  if (arg) {
    auto idx = make_buffer(static_cast<std::size_t>(t.count) * 8);
    std::memcpy(idx->data(), acc->data() + vbytes, static_cast<std::size_t>(t.count) * 8);
    acc = std::move(idx);
  }
  put(t.out, std::move(acc));
}

void task_runner::exec(matmul_task& t) {
  const std::size_t isz = itemsize(t.type);
  auto dense = [&](const operand_spec& s, const shape_t& ext) {
    resolved r = resolve(s, ext);
    if (r.strides == c_strides(ext)) return r;
    resolved d;
    d.keep = make_buffer(static_cast<std::size_t>(numel(ext)) * isz);
    shape_t cs = c_strides(ext);
    copy_strided(d.keep->data(), cs.data(), r.data, r.strides.data(), ext, isz);
    d.data = d.keep->data();
    d.strides = cs;
    return d;
  };
  auto out = make_buffer(static_cast<std::size_t>(t.m * t.n) * isz);
  if (t.k == 0 || t.m == 0 || t.n == 0) {
    std::memset(out->data(), 0, out->bytes());
  } else {
    resolved a = dense(t.a, {t.m, t.k});
    resolved b = dense(t.b, {t.k, t.n});
    matmul_tile(t.type, t.m, t.n, t.k, a.data, b.data, out->data(), false, pool_.size());
  }
  put(t.out, std::move(out));
}

void task_runner::exec(assemble_task& t) {
  resolved r = resolve(t.data, t.data.extent);
  put(t.out, r.keep);
}

void task_runner::exec(update_task& t) {
  buffer_ptr old = shard(t.old);
  resolved v = resolve(t.value, t.extent);
  buffer_ptr target;
  // In place only when nothing else holds the buffer: the map and our local reference.
  if (t.in_place && old.use_count() <= 2) {
    target = old;
    shards_.erase(t.old);
  } else {
    target = make_buffer(old->bytes());
    std::memcpy(target->data(), old->data(), old->bytes());
  }
  const std::size_t isz = itemsize(t.value.type);
  copy_strided(target->data() + t.dst_offset * static_cast<std::int64_t>(isz), t.dst_strides.data(),
               v.data, v.strides.data(), t.extent, isz);
  put(t.out, std::move(target));
}

void task_runner::exec(alias_task& t) { put(t.out, shard(t.old)); }

void task_runner::exec(free_task& t) {
  for (auto k : t.keys) {
    shards_.erase(k);
    failed_.erase(k);
  }
}

}  // namespace shoal
