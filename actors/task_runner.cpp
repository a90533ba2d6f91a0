#include "actors/task_runner.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <new>
#include <string>

#include "actors/cpu_backend.hpp"
#include "arrays/strided_copy.hpp"

namespace shoal {
namespace {

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
        if constexpr (std::is_same_v<T, program_task> || std::is_same_v<T, kernel_task>) {
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
                           std::is_same_v<T, free_task> || std::is_same_v<T, exchange_task>)
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

/// A fill of `t.count` values that leave a reduction unchanged (sum 0, prod 1, min the
/// type's largest value, max its smallest): a collective member with no partial of its own.
fill_task identity_fill(const combine_task& t) {
  fill_task f;
  f.type = t.partial_type;
  f.fill_k = fill_kind::full;
  switch (t.kind) {
    case reduce_kind::prod: f.fill_p.fa = 1, f.fill_p.ia = 1; break;
    case reduce_kind::min:
      f.fill_p.fa = HUGE_VAL;
      f.fill_p.ia = t.partial_type == dtype::int32 ? INT32_MAX : INT64_MAX;
      break;
    case reduce_kind::max:
      f.fill_p.fa = -HUGE_VAL;
      f.fill_p.ia = t.partial_type == dtype::int32 ? INT32_MIN : INT64_MIN;
      break;
    default: break;  // sum: zeros
  }
  f.global_shape = {t.count};
  f.tile = box{{0}, {t.count}};
  return f;
}

}  // namespace

task_runner::task_runner(int index, int threads, send_fn send)
    : task_runner(index, make_cpu_backend(threads), std::move(send)) {}

task_runner::task_runner(int index, std::unique_ptr<backend> be, send_fn send)
    : index_(index), be_(std::move(be)), send_(std::move(send)) {}

std::int64_t task_runner::shard_bytes() const {
  std::int64_t total = 0;
  std::unordered_map<const buffer*, bool> seen;
  for (auto& [k, b] : shards_)
    if (b && seen.emplace(b.get(), true).second) total += static_cast<std::int64_t>(b->bytes());
  return total;
}

void task_runner::push(task t) { queue_.emplace_back(std::move(t)); }

void task_runner::push_read(shard_key key, bool want_data, reply_fn reply) {
  if (holding_) held_.push_back(read_req{key, want_data, std::move(reply)});
  else queue_.emplace_back(read_req{key, want_data, std::move(reply)});
}

void task_runner::push_barrier(std::function<void()> then) {
  // A read of key 0, which no shard has (keys start at 1): it waits its turn like any read,
  // and its "no such shard" answer is dropped.
  push_read(0, false, [then = std::move(then)](read_result) { then(); });
}

std::vector<shard_key> task_runner::reset(piece_tag floor) {
  be_->revoke_collectives();  // collectives queued with the dead rank must not block the stream
  for (auto& e : queue_)
    if (auto* r = std::get_if<read_req>(&e)) held_.push_back(std::move(*r));
  queue_.clear();
  holding_ = true;
  floor_ = std::max(floor_, floor);
  for (auto it = arrived_.begin(); it != arrived_.end();)
    it = it->first < floor_ ? arrived_.erase(it) : std::next(it);
  for (auto it = received_.begin(); it != received_.end();)
    it = it->first < floor_ ? received_.erase(it) : std::next(it);
  std::vector<shard_key> held;
  held.reserve(shards_.size() + failed_.size());
  for (const auto& [k, b] : shards_) held.push_back(k);
  for (const auto& [k, e] : failed_) held.push_back(k);
  return held;
}

void task_runner::resume() {
  holding_ = false;
  for (auto& r : held_) queue_.emplace_back(std::move(r));
  held_.clear();
  pump();
}

void task_runner::arrive(piece_msg p) {
  auto tag = p.tag;
  if (tag < floor_) return;  // for a task a reset dropped
  // A piece arriving twice under one tag is a duplicate: the first copy counts.
  if (consumed_.count(tag) || arrived_.count(tag)) {
    ++duplicates_;
    return;
  }
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
      if (r->want_data) res.data = be_->to_host(b);
      else be_->finish();  // a wait: the shard's kernels must have run, not just been queued
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
  constexpr std::size_t remembered = 1 << 16;  // later copies than that would only leak
  for_each_tag(t, [&](piece_tag tag) {
    arrived_.erase(tag);
    received_.erase(tag);
    if (consumed_.insert(tag).second) consumed_order_.push_back(tag);
  });
  while (consumed_order_.size() > remembered) {
    consumed_.erase(consumed_order_.front());
    consumed_order_.pop_front();
  }
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

buffer_ptr task_runner::piece(piece_tag tag) const {
  const piece_msg& m = arrived_.at(tag);
  if (m.err) throw error(m.err);
  if (m.data) return m.data;
  // A piece message without data: the bytes came over NCCL (exec(exchange_task)).
  auto r = received_.find(tag);
  if (r == received_.end())
    throw_error(errc::runtime_error, "shoal: piece " + std::to_string(tag) + " has no data on actor " +
                                         std::to_string(index_));
  if (r->second.err) throw error(r->second.err);
  return r->second.data;
}

buffer_ptr task_runner::packed(const strided_src& src, dtype type, const shape_t& extent) {
  buffer_ptr b = shard(src.key);
  const std::size_t isz = itemsize(type);
  const std::size_t bytes = static_cast<std::size_t>(numel(extent)) * isz;
  if (src.offset == 0 && src.strides == c_strides(extent) && bytes == b->bytes())
    return b;  // the whole shard, in order (shards are immutable: no copy)
  buffer_ptr tmp = be_->alloc(bytes);
  shape_t ds = c_strides(extent);
  be_->copy_strided(tmp->data(), ds.data(), at(b, src.offset, type), src.strides.data(), extent, isz);
  return tmp;
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
    r.keep = be_->from_host(piece(s.pieces[0].tag));
    r.data = r.keep->data();
    return r;
  }
  r.keep = be_->alloc(static_cast<std::size_t>(numel(s.extent)) * isz);
  for (auto& p : s.pieces) {
    const void* src;
    shape_t src_strides;
    buffer_ptr hold;
    if (p.local) {
      hold = shard(p.src.key);
      src = at(hold, p.src.offset, s.type);
      src_strides = p.src.strides;
    } else {
      hold = be_->from_host(piece(p.tag));
      src = hold->data();
      src_strides = c_strides(p.extent);
    }
    be_->copy_strided(at(r.keep, p.dst_offset, s.type), p.dst_strides.data(), src, src_strides.data(),
                 p.extent, isz);
  }
  r.data = r.keep->data();
  return r;
}

// ---- tasks

void task_runner::exec(fill_task& t) { put(t.out, be_->fill(t)); }

void task_runner::exec(host_task& t) { put(t.out, be_->host_tile(t)); }

void task_runner::exec(send_task& t) {
  piece_msg m;
  m.tag = t.tag;
  try {
    m.data = be_->to_host(packed(t.src, t.type, t.extent));  // CPU: the shard itself when whole
  } catch (...) {
    m.data.reset();
    m.err = to_error(std::current_exception());
  }
  send_(t.dest, std::move(m));
}

void task_runner::exec(exchange_task& t) {
  // Every transfer is issued even when this actor has nothing to give or no room to receive
  // (null data: the communicator's scratch stands in), else its peers would wait forever on
  // NCCL; the receivers learn of the failure from the note beside the bytes instead.
  struct note {
    piece_dest to;
    error_info err;
  };
  std::vector<note> notes;
  std::vector<piece_msg> got;    // what arrives, by tag (or why it cannot be kept)
  std::vector<buffer_ptr> keep;  // alive until queued: the stream orders their frees after it
  std::vector<nccl::transfer> xs;
  auto attempt = [](auto&& make, error_info& err) -> buffer_ptr {
    try {
      return make();
    } catch (...) {
      err = to_error(std::current_exception());
      return nullptr;
    }
  };
  for (auto& x : t.xfers) {
    const std::size_t bytes = static_cast<std::size_t>(numel(x.extent)) * itemsize(x.type);
    nccl::transfer tr;
    tr.peer = x.peer;
    tr.bytes = bytes;
    tr.k = x.k == xfer::kind::send   ? nccl::transfer::kind::send
           : x.k == xfer::kind::recv ? nccl::transfer::kind::recv
                                     : nccl::transfer::kind::bcast;
    const bool root = x.k == xfer::kind::bcast && !x.notify.empty();
    if (x.k == xfer::kind::send || root) {
      error_info err;  // a failed shard, or no memory to pack it: garbage goes out
      buffer_ptr src = attempt([&] { return packed(x.src, x.type, x.extent); }, err);
      tr.data = src ? src->data() : nullptr;
      keep.push_back(std::move(src));
      for (auto& d : x.notify) notes.push_back({d, err});
    }
    if (x.k != xfer::kind::send && (!root || !x.tags.empty())) {
      error_info err;  // no memory to receive into: the bytes are dropped
      buffer_ptr into = attempt([&] { return be_->alloc(bytes); }, err);
      (root ? tr.recv : tr.data) = into ? into->data() : nullptr;
      for (auto tag : x.tags) got.push_back(piece_msg{tag, into, err});
      keep.push_back(std::move(into));
    }
    xs.push_back(tr);
  }
  error_info failed;  // the communicator failed: nothing of it arrives
  try {
    be_->exchange(xs, t.collective);
  } catch (...) {
    failed = to_error(std::current_exception());
  }
  for (auto& m : got) {
    if (failed) {
      m.data.reset();
      m.err = failed;
    }
    auto tag = m.tag;
    received_[tag] = std::move(m);
  }
  for (auto& n : notes) {
    piece_msg m;
    m.tag = n.to.tag;
    m.err = failed ? failed : n.err;  // no data: the bytes travel over NCCL
    send_(n.to.actor, std::move(m));
  }
}

void task_runner::exec(program_task& t) {
  std::vector<resolved> ins;
  ins.reserve(t.ins.size());
  for (auto& s : t.ins) ins.push_back(resolve(s, t.tile));
  std::vector<buffer_ptr> outs;
  for (std::size_t i = 0; i < t.outs.size(); ++i)
    outs.push_back(be_->alloc(static_cast<std::size_t>(numel(t.tile)) * itemsize(t.prog.outputs.at(i))));
  std::vector<operand_view> views;
  for (auto& r : ins) views.push_back({r.data, r.strides});
  std::vector<void*> o;
  for (auto& b : outs) o.push_back(b->data());
  be_->run(t.prog, t.tile, views, o);
  for (std::size_t i = 0; i < outs.size(); ++i) put(t.outs[i], std::move(outs[i]));
}

void task_runner::exec(partial_task& t) {
  piece_msg m;
  m.tag = t.tag;
  try {
    buffer_ptr part = be_->partial(t, shard(t.in));
    // A partial for this actor stays in backend memory (from_host takes it as it is).
    m.data = t.dest == index_ ? std::move(part) : be_->to_host(part);
  } catch (...) {
    m.data.reset();
    m.err = to_error(std::current_exception());
  }
  send_(t.dest, std::move(m));
}

void task_runner::exec(combine_task& t) {
  const bool arg = t.kind == reduce_kind::argmin || t.kind == reduce_kind::argmax;
  const std::size_t vbytes = arg ? partial_index_offset(t.count, t.partial_type)
                                 : static_cast<std::size_t>(t.count) * itemsize(t.partial_type);
  const std::size_t total = vbytes + (arg ? static_cast<std::size_t>(t.count) * 8 : 0);
  buffer_ptr acc;
  auto combine_parts = [&] {
    if (t.parts.empty()) acc = be_->fill(identity_fill(t));
    for (std::size_t i = 0; i < t.parts.size(); ++i) {
      buffer_ptr part = be_->from_host(piece(t.parts[i]));
      if (i == 0) {
        // The first partial becomes the accumulator: nobody else holds it (a partial is made
        // for this task alone), so no copy (one launch and one allocation less on a GPU).
        if (part->bytes() == total) {
          acc = std::move(part);
        } else {
          acc = be_->alloc(total);
          be_->copy_bytes(acc->data(), part->data(), total);
        }
        continue;
      }
      be_->combine(t.kind, t.partial_type, acc->data(), part->data(), t.count,
                   arg ? reinterpret_cast<std::int64_t*>(acc->data() + vbytes) : nullptr,
                   arg ? reinterpret_cast<const std::int64_t*>(part->data() + vbytes) : nullptr);
    }
  };
  if (t.collective == 0) {
    combine_parts();
  } else {
    // Every GPU actor must take part in the all-reduce, or the others wait forever: a failed
    // input joins with the identity and raises the shared flag (errc + 1) instead.
    int flag = 0;
    error_info err;
    try {
      combine_parts();
    } catch (...) {
      err = to_error(std::current_exception());
      flag = static_cast<int>(err.code) + 1;
      acc = be_->fill(identity_fill(t));
    }
    const int any = be_->all_reduce(t.kind, t.partial_type, acc->data(), t.count, t.collective,
                                    flag, t.keep);
    if (err) throw error(err);
    if (!t.keep) return;
    if (any > 0)
      throw_error(static_cast<errc>(any - 1),
                  "shoal: the reduction failed on another GPU actor (its input could not be computed)");
  }
  if (arg) {
    auto idx = be_->alloc(static_cast<std::size_t>(t.count) * 8);
    be_->copy_bytes(idx->data(), acc->data() + vbytes, static_cast<std::size_t>(t.count) * 8);
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
    d.keep = be_->alloc(static_cast<std::size_t>(numel(ext)) * isz);
    shape_t cs = c_strides(ext);
    be_->copy_strided(d.keep->data(), cs.data(), r.data, r.strides.data(), ext, isz);
    d.data = d.keep->data();
    d.strides = cs;
    return d;
  };
  auto out = be_->alloc(static_cast<std::size_t>(t.m * t.n) * isz);
  if (t.k == 0 || t.m == 0 || t.n == 0) {
    be_->zero(out->data(), out->bytes());
  } else {
    resolved a = dense(t.a, {t.m, t.k});
    resolved b = dense(t.b, {t.k, t.n});
    be_->matmul(t.type, t.m, t.n, t.k, a.data, b.data, out->data());
  }
  put(t.out, std::move(out));
}

void task_runner::exec(kernel_task& t) {
  auto def = require_kernel(t.name);  // looked up here: the process that runs it loaded it
  kernel_args args;
  std::vector<resolved> keep;
  for (std::size_t i = 0; i < t.ins.size(); ++i) {
    const box& b = t.in_boxes.at(i);
    keep.push_back(resolve(t.ins[i], b.extent()));
    args.ins.push_back({keep.back().data, t.ins[i].type, b.extent(), keep.back().strides, b.lo,
                        t.in_shapes.at(i)});
  }
  const shape_t ext = t.tile.extent();
  buffer_ptr out = be_->alloc(static_cast<std::size_t>(numel(ext)) * itemsize(t.type));
  args.out = {out->data(), t.type, ext, c_strides(ext), t.tile.lo, t.global_shape};
  args.params = t.params;
  if (numel(ext) > 0) be_->run_kernel(*def, args);
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
    target = be_->alloc(old->bytes());
    be_->copy_bytes(target->data(), old->data(), old->bytes());
  }
  const std::size_t isz = itemsize(t.value.type);
  be_->copy_strided(target->data() + t.dst_offset * static_cast<std::int64_t>(isz), t.dst_strides.data(),
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
