#include "scheduler/planner.hpp"

#include <algorithm>
#include <string>

#include "arrays/errors.hpp"
#include "scheduler/exchange_plan.hpp"
#include "scheduler/pieces.hpp"
#include "transport/nccl_id.hpp"

namespace shoal {

/// Tasks of one op: phase 1 produces pieces, phase 2 consumes them. Every actor runs all its
/// phase-1 tasks of an op before its phase-2 tasks, so no actor waits on a piece that another
/// actor would only send after it.
struct planner::emit {
  task_lists phase1, phase2;
  std::vector<gpu_piece> gpu;  ///< pieces between GPU actors, moved by NCCL (plan_exchange)
  explicit emit(int n) : phase1(static_cast<std::size_t>(n)), phase2(static_cast<std::size_t>(n)) {}
  /// Appends both phases to `out`, phase 1 first on every actor.
  void flush(task_lists& out) {
    for (std::size_t a = 0; a < out.size(); ++a) {
      for (auto& t : phase1[a]) out[a].push_back(std::move(t));
      for (auto& t : phase2[a]) out[a].push_back(std::move(t));
    }
  }
};

planner::planner(planner_config cfg) : cfg_(cfg) {
  if (cfg_.n_actors < 1) cfg_.n_actors = 1;
  for (int a : cfg_.place_on)
    if (a < 0 || a >= cfg_.n_actors)
      throw_error(errc::value_error, "shoal: placement names actor " + std::to_string(a) + " of " +
                                         std::to_string(cfg_.n_actors));
  if (cfg_.place_on.empty())
    for (int a = 0; a < cfg_.n_actors; ++a) cfg_.place_on.push_back(a);
  tile_places_ = static_cast<int>(cfg_.place_on.size());
}

array_entry planner::layout(const shape_t& shape, dtype t) {
  array_entry e;
  e.type = t;
  const auto places = static_cast<std::int64_t>(cfg_.place_on.size());
  e.til = choose_tiling(shape, cfg_.min_tile_elems, tile_places_, cfg_.tiles_per_actor);
  std::int64_t n = e.til.count();
  e.owner.resize(static_cast<std::size_t>(n));
  e.keys.resize(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    e.owner[static_cast<std::size_t>(i)] = cfg_.place_on[static_cast<std::size_t>(i * places / n)];
    e.keys[static_cast<std::size_t>(i)] = next_key_++;
  }
  return e;
}

void planner::plan(const op& o, task_lists& out) {
  out.resize(static_cast<std::size_t>(cfg_.n_actors));
  emit em(cfg_.n_actors);
  switch (o.kind) {
    case op_kind::fill:
    case op_kind::random: plan_fill(o, em); break;
    case op_kind::from_host: plan_host(o, em); break;
    case op_kind::elementwise: plan_elementwise(o, em); break;
    case op_kind::reduce: plan_reduce(o, em); break;
    case op_kind::matmul: plan_matmul(o, em); break;
    case op_kind::assemble: plan_assemble(o, em); break;
    case op_kind::reshape: plan_reshape(o, em); break;
    case op_kind::setitem: plan_setitem(o, em); break;
    case op_kind::kernel: plan_kernel(o, em); break;
  }
  finish(em, out);
}

bool planner::over_nccl(int from, int to) const {
  if (!collectives_ || !cfg_.nccl_pieces || (from == to && !cfg_.nccl_local)) return false;
  const auto& g = cfg_.gpu_group;
  return std::find(g.begin(), g.end(), from) != g.end() && std::find(g.begin(), g.end(), to) != g.end();
}

void planner::finish(emit& em, task_lists& out) {
  if (!em.gpu.empty()) {
    // One collective number per op: every rank issues its exchanges and all-reduces in plan
    // order, so the NCCL calls of all ranks line up.
    for (auto& [actor, x] : plan_exchange(em.gpu, cfg_.gpu_group, next_collective_++)) {
      auto& p1 = em.phase1[static_cast<std::size_t>(actor)];
      p1.insert(p1.begin(), std::move(x));  // first: the transfers start before the host sends
    }
  }
  em.flush(out);
}

void planner::release(array_id id, task_lists& out) {
  out.resize(static_cast<std::size_t>(cfg_.n_actors));
  std::vector<free_task> frees(static_cast<std::size_t>(cfg_.n_actors));
  for (auto [owner, key] : dir_.remove(id)) frees[static_cast<std::size_t>(owner)].keys.push_back(key);
  for (std::size_t a = 0; a < frees.size(); ++a)
    if (!frees[a].keys.empty()) out[a].push_back(std::move(frees[a]));
}

int planner::add_actor(bool place) {
  const int a = cfg_.n_actors++;
  if (place) cfg_.place_on.push_back(a);
  return a;
}

void planner::set_placed(int a, bool place) {
  auto& p = cfg_.place_on;
  auto it = std::find(p.begin(), p.end(), a);
  if (place && it == p.end()) p.push_back(a);
  if (!place && it != p.end()) {
    if (p.size() == 1) throw_error(errc::value_error, "shoal: the last actor in placement cannot leave it");
    p.erase(it);
  }
}

bool planner::move_shard(const shard_move& m, task_lists& out) {
  out.resize(static_cast<std::size_t>(cfg_.n_actors));
  auto ref = dir_.find_shard(m.key);
  if (m.from == m.to || !ref.entry || ref.entry->owner[ref.tile] != m.from) return false;
  if (m.to < 0 || m.to >= cfg_.n_actors) return false;
  // Any array holding the shard will do for its dtype and extent: they share the tile.
  const dtype type = ref.entry->type;
  const shape_t ext = ref.entry->til.tile_box(static_cast<std::int64_t>(ref.tile)).extent();
  const piece_tag tag = next_tag_++;
  emit em(cfg_.n_actors);
  strided_src src{m.key, 0, c_strides(ext)};
  auto& from = em.phase1[static_cast<std::size_t>(m.from)];
  if (over_nccl(m.from, m.to)) em.gpu.push_back(gpu_piece{m.from, m.to, std::move(src), type, ext, tag});
  else from.push_back(send_task{std::move(src), type, ext, m.to, tag});
  from.push_back(free_task{{m.key}});  // after the send (an exchange goes before it)
  assemble_task at;
  at.out = m.key;
  at.data.type = type;
  at.data.extent = ext;
  piece_spec p;
  p.local = false;
  p.tag = tag;
  p.extent = ext;
  p.dst_strides = c_strides(ext);
  at.data.pieces.push_back(std::move(p));
  em.phase2[static_cast<std::size_t>(m.to)].push_back(std::move(at));
  finish(em, out);
  dir_.set_owner(m.key, m.to);
  return true;
}

void planner::restore_tile(array_id src, shard_key key, const box& tb, int dest, task_lists& out) {
  out.resize(static_cast<std::size_t>(cfg_.n_actors));
  emit em(cfg_.n_actors);
  const array_entry& e = dir_.at(src);
  assemble_task at;
  at.out = key;
  at.data.type = e.type;
  at.data.extent = tb.extent();
  add_pieces(operand{src, view_map::identity(e.til.shape)}, tb, c_strides(at.data.extent), 0, dest, em,
             at.data.pieces);
  em.phase2[static_cast<std::size_t>(dest)].push_back(std::move(at));
  finish(em, out);
  dir_.set_owner(key, dest);
}

void planner::set_gpu_group(std::vector<int> group) {
  cfg_.gpu_group = std::move(group);
  collectives_ = false;
  next_collective_ = 1;  // a new communicator counts its collectives from 1 again
}

bool planner::add_gpu_rank(int a) {
  if (a < 0 || a >= cfg_.n_actors) return false;
  auto group = cfg_.gpu_group;
  if (std::find(group.begin(), group.end(), a) != group.end()) return false;
  group.push_back(a);  // the ranks of the GPU actors already in the group stay as they were
  set_gpu_group(std::move(group));
  return true;
}

bool planner::remove_gpu_rank(int a) {
  auto group = cfg_.gpu_group;
  auto it = std::find(group.begin(), group.end(), a);
  if (it == group.end()) return false;
  group.erase(it);
  set_gpu_group(std::move(group));
  return true;
}

void planner::add_pieces(const operand& x, const box& vbox, const shape_t& dst_strides,
                         std::int64_t dst_base, int consumer, emit& em,
                         std::vector<piece_spec>& out) {
  const array_entry& e = dir_.at(x.id);
  box cb = collapse_broadcast(x.map, vbox);
  for (auto& p : split_view(x.map, e.til, vbox)) {
    piece_spec q;
    q.extent = p.vbox.extent();
    q.dst_offset = dst_base;
    for (std::size_t d = 0; d < q.extent.size(); ++d) q.dst_offset += (p.vbox.lo[d] - cb.lo[d]) * dst_strides[d];
    q.dst_strides = dst_strides;
    auto t = static_cast<std::size_t>(p.tile);
    strided_src src{e.keys[t], p.src_offset, p.src_strides};
    const int owner = e.owner[t];
    if (over_nccl(owner, consumer)) {
      q.local = false;
      q.tag = next_tag_++;
      em.gpu.push_back(gpu_piece{owner, consumer, std::move(src), e.type, q.extent, q.tag});
    } else if (owner == consumer) {
      q.local = true;
      q.src = std::move(src);
    } else {
      q.local = false;
      q.tag = next_tag_++;
      em.phase1[static_cast<std::size_t>(e.owner[t])].push_back(
          send_task{std::move(src), e.type, q.extent, consumer, q.tag});
    }
    out.push_back(std::move(q));
  }
}

operand_spec planner::plan_operand(const operand& x, const box& vbox, int consumer, emit& em) {
  const array_entry& e = dir_.at(x.id);
  operand_spec s;
  s.type = e.type;
  box cb = collapse_broadcast(x.map, vbox);
  s.extent = cb.extent();
  auto ps = split_view(x.map, e.til, vbox);
  if (ps.size() == 1 && e.owner[static_cast<std::size_t>(ps[0].tile)] == consumer && ps[0].vbox == cb) {
    s.direct = true;
    s.src = {e.keys[static_cast<std::size_t>(ps[0].tile)], ps[0].src_offset, ps[0].src_strides};
    return s;
  }
  add_pieces(x, vbox, c_strides(s.extent), 0, consumer, em, s.pieces);
  return s;
}

void planner::plan_fill(const op& o, emit& em) {
  array_entry e = layout(o.shape, o.types.at(0));
  for (std::size_t t = 0; t < e.keys.size(); ++t) {
    fill_task f;
    f.out = e.keys[t];
    f.type = e.type;
    f.random = o.kind == op_kind::random;
    f.fill_k = o.fill_k;
    f.fill_p = o.fill_p;
    f.rand_k = o.rand_k;
    f.rand_p = o.rand_p;
    f.seed = o.seed;
    f.stream = o.stream;
    f.global_shape = o.shape;
    f.tile = e.til.tile_box(static_cast<std::int64_t>(t));
    em.phase2[static_cast<std::size_t>(e.owner[t])].push_back(std::move(f));
  }
  dir_.add(o.outs.at(0), std::move(e));
}

void planner::plan_host(const op& o, emit& em) {
  array_entry e = layout(o.shape, o.types.at(0));
  for (std::size_t t = 0; t < e.keys.size(); ++t)
    em.phase2[static_cast<std::size_t>(e.owner[t])].push_back(
        host_task{e.keys[t], e.type, o.host, o.shape, e.til.tile_box(static_cast<std::int64_t>(t))});
  dir_.add(o.outs.at(0), std::move(e));
}

void planner::plan_elementwise(const op& o, emit& em) {
  std::vector<array_entry> outs;
  for (std::size_t i = 0; i < o.outs.size(); ++i) {
    array_entry e = layout(o.shape, o.types.at(i));
    if (i > 0) {
      e.owner = outs[0].owner;
      e.til = outs[0].til;
    }
    outs.push_back(std::move(e));
  }
  const array_entry& first = outs.at(0);
  for (std::size_t t = 0; t < first.keys.size(); ++t) {
    int a = first.owner[t];
    program_task p;
    for (auto& e : outs) p.outs.push_back(e.keys[t]);
    p.prog = o.prog;
    box tb = first.til.tile_box(static_cast<std::int64_t>(t));
    p.tile = tb.extent();
    for (auto& x : o.ins) p.ins.push_back(plan_operand(x, tb, a, em));
    em.phase2[static_cast<std::size_t>(a)].push_back(std::move(p));
  }
  for (std::size_t i = 0; i < o.outs.size(); ++i) dir_.add(o.outs[i], std::move(outs[i]));
}

namespace {

/// The keepdims tiling of a reduction of `in` over `axes` (reduced dims collapsed to 1), and
/// the output's entry (type and tiling; no owners or keys yet).
tiling keep_tiling(const tiling& in, const std::vector<bool>& axes) {
  tiling kt;
  for (std::size_t d = 0; d < in.shape.size(); ++d) {
    kt.shape.push_back(axes[d] ? 1 : in.shape[d]);
    kt.tile.push_back(axes[d] ? 1 : in.tile[d]);
  }
  return kt;
}

array_entry reduce_entry(const op& o, const tiling& kt) {
  array_entry e;
  e.type = o.types.at(0);
  e.til = kt;
  if (!o.keepdims) {
    e.til = tiling{};
    for (std::size_t d = 0; d < kt.shape.size(); ++d)
      if (!o.axes[d]) {
        e.til.shape.push_back(kt.shape[d]);
        e.til.tile.push_back(kt.tile[d]);
      }
  }
  return e;
}

}  // namespace

partial_task planner::make_partial(const op& o, const array_entry& in, std::int64_t t, int dest) {
  partial_task p;
  p.in = in.keys[static_cast<std::size_t>(t)];
  p.type = in.type;
  box tb = in.til.tile_box(t);
  p.tile = tb.extent();
  p.kind = o.red_k;
  p.axes = o.axes;
  p.origin = tb.lo;
  p.global_shape = in.til.shape;
  p.dest = dest;
  p.tag = next_tag_++;
  return p;
}

void planner::plan_reduce(const op& o, emit& em) {
  if (plan_reduce_collective(o, em)) return;
  const array_entry& in = dir_.at(o.ins.at(0).id);
  const std::size_t n = in.til.shape.size();
  const tiling kt = keep_tiling(in.til, o.axes);
  const std::int64_t nk = kt.count();
  std::vector<std::vector<std::int64_t>> contrib(static_cast<std::size_t>(nk));
  for (std::int64_t t = 0; t < in.til.count(); ++t) {
    shape_t c = in.til.coords(t);
    for (std::size_t d = 0; d < n; ++d)
      if (o.axes[d]) c[d] = 0;
    contrib[static_cast<std::size_t>(kt.index(c))].push_back(t);
  }
  array_entry e = reduce_entry(o, kt);
  bool arg = o.red_k == reduce_kind::argmin || o.red_k == reduce_kind::argmax;
  dtype ptype = arg ? in.type : reduce_result(o.red_k, in.type);
  for (std::int64_t u = 0; u < nk; ++u) {
    auto& parts = contrib[static_cast<std::size_t>(u)];
    int dest = in.owner[static_cast<std::size_t>(parts.at(0))];
    combine_task c;
    c.out = next_key_++;
    c.partial_type = ptype;
    c.kind = o.red_k;
    c.count = kt.tile_box(u).size();
    for (std::int64_t t : parts) {
      partial_task p = make_partial(o, in, t, dest);
      c.parts.push_back(p.tag);
      em.phase1[static_cast<std::size_t>(in.owner[static_cast<std::size_t>(t)])].push_back(std::move(p));
    }
    e.owner.push_back(dest);
    e.keys.push_back(c.out);
    em.phase2[static_cast<std::size_t>(dest)].push_back(std::move(c));
  }
  dir_.add(o.outs.at(0), std::move(e));
}

/// A reduction to one output tile whose input lies on GPU actors: each GPU actor combines the
/// partials of its own tiles, and an NCCL all-reduce among all GPU actors (in the scheduler's
/// collective order) combines those; the first GPU owner keeps the result, and the partials
/// of CPU actors' tiles go to it before its all-reduce. False (nothing planned) when the op
/// does not qualify: collectives off, several output tiles, a dtype or kind NCCL cannot
/// combine as NumPy does, or fewer than cfg.collective_min GPU actors holding tiles.
bool planner::plan_reduce_collective(const op& o, emit& em) {
  if (!collectives_) return false;
  const array_entry& in = dir_.at(o.ins.at(0).id);
  const tiling kt = keep_tiling(in.til, o.axes);
  if (kt.count() != 1 || in.til.count() == 0) return false;
  const dtype ptype = reduce_result(o.red_k, in.type);
  if (!nccl::can_all_reduce(o.red_k, ptype)) return false;
  const std::size_t ranks = cfg_.gpu_group.size();
  std::vector<std::vector<std::int64_t>> mine(ranks);  // tiles per GPU rank
  std::vector<std::int64_t> hosted;                    // tiles on other actors
  int keeper = -1, holders = 0;
  for (std::int64_t t = 0; t < in.til.count(); ++t) {
    const int owner = in.owner[static_cast<std::size_t>(t)];
    auto r = std::find(cfg_.gpu_group.begin(), cfg_.gpu_group.end(), owner) - cfg_.gpu_group.begin();
    if (static_cast<std::size_t>(r) == ranks) {
      hosted.push_back(t);
      continue;
    }
    if (mine[static_cast<std::size_t>(r)].empty()) ++holders;
    if (keeper < 0) keeper = static_cast<int>(r);
    mine[static_cast<std::size_t>(r)].push_back(t);
  }
  if (keeper < 0 || holders < std::max(1, cfg_.collective_min)) return false;
  const std::uint64_t seq = next_collective_++;
  array_entry e = reduce_entry(o, kt);
  for (std::size_t r = 0; r < ranks; ++r) {
    const int actor = cfg_.gpu_group[r];
    combine_task c;
    c.partial_type = ptype;
    c.kind = o.red_k;
    c.count = kt.tile_box(0).size();
    c.collective = seq;
    c.keep = static_cast<int>(r) == keeper;
    c.out = c.keep ? next_key_++ : 0;
    std::vector<std::int64_t> tiles = mine[r];
    if (c.keep) tiles.insert(tiles.end(), hosted.begin(), hosted.end());
    for (std::int64_t t : tiles) {
      partial_task p = make_partial(o, in, t, actor);
      c.parts.push_back(p.tag);
      em.phase1[static_cast<std::size_t>(in.owner[static_cast<std::size_t>(t)])].push_back(std::move(p));
    }
    if (c.keep) {
      e.owner.push_back(actor);
      e.keys.push_back(c.out);
    }
    em.phase2[static_cast<std::size_t>(actor)].push_back(std::move(c));
  }
  dir_.add(o.outs.at(0), std::move(e));
  return true;
}

void planner::plan_matmul(const op& o, emit& em) {
  const operand& a = o.ins.at(0);
  const operand& b = o.ins.at(1);
  std::int64_t m = a.map.shape.at(0), k = a.map.shape.at(1), n = b.map.shape.at(1);
  array_entry e = layout({m, n}, o.types.at(0));
  for (std::size_t t = 0; t < e.keys.size(); ++t) {
    int owner = e.owner[t];
    box tb = e.til.tile_box(static_cast<std::int64_t>(t));
    matmul_task mt;
    mt.out = e.keys[t];
    mt.type = e.type;
    mt.m = tb.hi[0] - tb.lo[0];
    mt.n = tb.hi[1] - tb.lo[1];
    mt.k = k;
    mt.a = plan_operand(a, box{{tb.lo[0], 0}, {tb.hi[0], k}}, owner, em);
    mt.b = plan_operand(b, box{{0, tb.lo[1]}, {k, tb.hi[1]}}, owner, em);
    em.phase2[static_cast<std::size_t>(owner)].push_back(std::move(mt));
  }
  dir_.add(o.outs.at(0), std::move(e));
}

void planner::plan_assemble(const op& o, emit& em) {
  array_entry e = layout(o.shape, o.types.at(0));
  for (std::size_t t = 0; t < e.keys.size(); ++t) {
    int owner = e.owner[t];
    box tb = e.til.tile_box(static_cast<std::int64_t>(t));
    assemble_task at;
    at.out = e.keys[t];
    at.data.type = e.type;
    at.data.extent = tb.extent();
    shape_t dst = c_strides(at.data.extent);
    for (std::size_t i = 0; i < o.ins.size(); ++i) {
      const shape_t& pl = o.placement.at(i);
      box src{pl, pl};
      for (std::size_t d = 0; d < pl.size(); ++d) src.hi[d] += o.ins[i].map.shape[d];
      box w = intersect(tb, src);
      if (w.empty() && w.ndim() > 0) continue;
      box vb = w;
      std::int64_t base = 0;
      for (std::size_t d = 0; d < pl.size(); ++d) {
        vb.lo[d] -= pl[d];
        vb.hi[d] -= pl[d];
        base += (w.lo[d] - tb.lo[d]) * dst[d];
      }
      add_pieces(o.ins[i], vb, dst, base, owner, em, at.data.pieces);
    }
    em.phase2[static_cast<std::size_t>(owner)].push_back(std::move(at));
  }
  dir_.add(o.outs.at(0), std::move(e));
}

void planner::plan_reshape(const op& o, emit& em) {
  const operand& x = o.ins.at(0);
  const shape_t& xs = x.map.shape;
  array_entry e = layout(o.shape, o.types.at(0));
  for (std::size_t t = 0; t < e.keys.size(); ++t) {
    int owner = e.owner[t];
    box tb = e.til.tile_box(static_cast<std::int64_t>(t));
    assemble_task at;
    at.out = e.keys[t];
    at.data.type = e.type;
    at.data.extent = tb.extent();
    std::int64_t local = 0;  // runs are contiguous and in order inside the tile's buffer
    for (auto [first, len] : box_runs(o.shape, tb)) {
      std::int64_t within = 0;
      for (const box& bx : flat_range_boxes(xs, first, len)) {
        add_pieces(x, bx, c_strides(bx.extent()), local + within, owner, em, at.data.pieces);
        within += bx.size();
      }
      local += len;
    }
    em.phase2[static_cast<std::size_t>(owner)].push_back(std::move(at));
  }
  dir_.add(o.outs.at(0), std::move(e));
}

void planner::plan_setitem(const op& o, emit& em) {
  const operand& base = o.ins.at(0);
  const operand& value = o.ins.at(1);
  const array_entry& old = dir_.at(base.id);
  array_entry e = old;  // untouched tiles keep their shards (copy on write)
  bool may_donate = o.donated && value.id != base.id;
  for (auto& p : split_view(o.target, old.til, full_box(o.target.shape))) {
    auto t = static_cast<std::size_t>(p.tile);
    int owner = old.owner[t];
    update_task u;
    u.old = old.keys[t];
    u.out = next_key_++;
    u.in_place = may_donate && dir_.refs(u.old) == 1;
    u.value = plan_operand(value, p.vbox, owner, em);
    u.extent = p.vbox.extent();
    u.dst_offset = p.src_offset;
    u.dst_strides = p.src_strides;
    e.keys[t] = u.out;
    em.phase2[static_cast<std::size_t>(owner)].push_back(std::move(u));
  }
  dir_.add(o.outs.at(0), std::move(e));
}

/// Owner computes, as for elementwise ops; each input arrives as the box its alignment asks
/// for (a halo is a bigger box of the input, assembled from the pieces of its neighbours).
void planner::plan_kernel(const op& o, emit& em) {
  array_entry e = layout(o.shape, o.types.at(0));
  for (std::size_t t = 0; t < e.keys.size(); ++t) {
    int owner = e.owner[t];
    kernel_task k;
    k.out = e.keys[t];
    k.type = e.type;
    k.name = o.kern.name;
    k.params = o.kern.params;
    k.tile = e.til.tile_box(static_cast<std::int64_t>(t));
    k.global_shape = o.shape;
    for (std::size_t i = 0; i < o.ins.size(); ++i) {
      const shape_t& s = o.ins[i].map.shape;
      box b = aligned_box(o.kern.align.at(i), k.tile, s);
      k.ins.push_back(plan_operand(o.ins[i], b, owner, em));
      k.in_boxes.push_back(std::move(b));
      k.in_shapes.push_back(s);
    }
    em.phase2[static_cast<std::size_t>(owner)].push_back(std::move(k));
  }
  dir_.add(o.outs.at(0), std::move(e));
}

}  // namespace shoal
