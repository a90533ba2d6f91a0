#include "scheduler/planner.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <variant>

#include "arrays/errors.hpp"

namespace shoal {
namespace {

index_spec I(std::int64_t i) { return {index_spec::integer, i, {}, {}, {}}; }
index_spec S(std::optional<std::int64_t> a = {}, std::optional<std::int64_t> b = {},
             std::optional<std::int64_t> c = {}) {
  return {index_spec::slice, 0, a, b, c};
}

op fill_op(array_id id, shape_t shape, double value = 1.0) {
  op o;
  o.kind = op_kind::fill;
  o.outs = {id};
  o.shape = std::move(shape);
  o.types = {dtype::float64};
  o.fill_k = fill_kind::full;
  o.fill_p.fa = value;
  return o;
}

program add_program(int n_in) {
  program p;
  p.inputs.assign(static_cast<std::size_t>(n_in), dtype::float64);
  p.outputs = {dtype::float64};
  p.n_regs = static_cast<std::uint16_t>(n_in + 1);
  for (int i = 0; i < n_in; ++i) {
    instr l{opcode::load, dtype::float64};
    l.dst = static_cast<std::uint16_t>(i);
    l.a = static_cast<std::uint16_t>(i);
    p.code.push_back(l);
  }
  std::uint16_t acc = 0;
  for (int i = 1; i < n_in; ++i) {
    instr a{opcode::add, dtype::float64};
    a.dst = static_cast<std::uint16_t>(n_in);
    a.a = acc;
    a.b = static_cast<std::uint16_t>(i);
    p.code.push_back(a);
    acc = static_cast<std::uint16_t>(n_in);
  }
  instr s{opcode::store, dtype::float64};
  s.a = 0;
  s.b = acc;
  p.code.push_back(s);
  return p;
}

op elementwise_op(array_id out, shape_t shape, std::vector<operand> ins) {
  op o;
  o.kind = op_kind::elementwise;
  o.outs = {out};
  o.shape = std::move(shape);
  o.types = {dtype::float64};
  o.prog = add_program(static_cast<int>(ins.size()));
  o.ins = std::move(ins);
  return o;
}

template <class T> std::size_t count_of(const std::vector<task>& l) {
  return static_cast<std::size_t>(
      std::count_if(l.begin(), l.end(), [](const task& t) { return std::holds_alternative<T>(t); }));
}
template <class T> std::size_t count_all(const task_lists& ls) {
  std::size_t n = 0;
  for (auto& l : ls) n += count_of<T>(l);
  return n;
}
/// Every task of type P in l comes before every task of type C.
template <class P, class C> void expect_before(const std::vector<task>& l) {
  bool seen_c = false;
  for (auto& t : l) {
    if (std::holds_alternative<C>(t)) seen_c = true;
    if (std::holds_alternative<P>(t)) {
      EXPECT_FALSE(seen_c) << "a producer after a consumer";
    }
  }
}

planner_config cfg4() {
  planner_config c;
  c.n_actors = 4;
  c.min_tile_elems = 4;
  return c;
}

TEST(planner, fill_one_task_per_tile_on_its_owner) {
  planner pl(cfg4());
  task_lists out;
  pl.plan(fill_op(1, {8, 4}, 2.5), out);
  ASSERT_EQ(out.size(), 4u);
  const array_entry& e = pl.dir().at(1);
  EXPECT_EQ(e.til.count(), 4);
  EXPECT_EQ(e.til.tile, (shape_t{2, 4}));
  std::set<shard_key> keys(e.keys.begin(), e.keys.end());
  EXPECT_EQ(keys.size(), 4u);
  for (std::size_t a = 0; a < 4; ++a) {
    ASSERT_EQ(out[a].size(), 1u);
    auto* f = std::get_if<fill_task>(&out[a][0]);
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->type, dtype::float64);
    EXPECT_EQ(f->fill_p.fa, 2.5);
    EXPECT_EQ(f->global_shape, (shape_t{8, 4}));
    // the tile this task fills is owned by this actor, under this key
    auto t = std::find(e.keys.begin(), e.keys.end(), f->out) - e.keys.begin();
    ASSERT_LT(t, 4);
    EXPECT_EQ(e.owner[static_cast<std::size_t>(t)], static_cast<int>(a));
    EXPECT_EQ(f->tile, e.til.tile_box(t));
  }
  // a small array is one tile on actor 0
  task_lists small;
  pl.plan(fill_op(2, {2, 2}), small);
  EXPECT_EQ(pl.dir().at(2).til.count(), 1);
  EXPECT_EQ(small[0].size(), 1u);
  for (std::size_t a = 1; a < 4; ++a) EXPECT_TRUE(small[a].empty());
}

TEST(planner, place_on_restricts_new_tiles_to_those_actors) {
  planner_config c = cfg4();
  c.place_on = {1, 3};
  planner pl(c);
  array_entry e = pl.layout({40}, dtype::float64);
  ASSERT_EQ(e.owner.size(), 2u);  // tiles for two places, not four actors
  EXPECT_EQ(e.owner[0], 1);
  EXPECT_EQ(e.owner[1], 3);
  planner_config bad = cfg4();
  bad.place_on = {4};
  EXPECT_THROW(planner{bad}, error);
}

TEST(planner, elementwise_same_shape_is_all_direct) {
  planner pl(cfg4());
  task_lists out;
  pl.plan(fill_op(1, {8, 4}), out);
  pl.plan(fill_op(2, {8, 4}), out);
  task_lists ew;
  pl.plan(elementwise_op(3, {8, 4}, {{1, view_map::identity({8, 4})}, {2, view_map::identity({8, 4})}}), ew);
  EXPECT_EQ(count_all<send_task>(ew), 0u);
  const array_entry& a = pl.dir().at(1);
  const array_entry& c = pl.dir().at(3);
  for (std::size_t act = 0; act < 4; ++act) {
    ASSERT_EQ(ew[act].size(), 1u);
    auto* p = std::get_if<program_task>(&ew[act][0]);
    ASSERT_NE(p, nullptr);
    ASSERT_EQ(p->ins.size(), 2u);
    for (auto& in : p->ins) {
      EXPECT_TRUE(in.direct);
      EXPECT_TRUE(in.pieces.empty());
      EXPECT_EQ(in.src.offset, 0);
    }
    // operand 0 reads the tile of array 1 that this actor owns
    auto t = std::find(c.keys.begin(), c.keys.end(), p->outs[0]) - c.keys.begin();
    EXPECT_EQ(p->ins[0].src.key, a.keys[static_cast<std::size_t>(t)]);
    EXPECT_EQ(c.owner[static_cast<std::size_t>(t)], static_cast<int>(act));
  }
  // a scalar-like broadcast operand (one tile on actor 0) is sent to the others
  pl.plan(fill_op(4, {4}), out);  // 4 elements: one tile
  task_lists bc;
  pl.plan(elementwise_op(5, {8, 4}, {{1, view_map::identity({8, 4})},
                                     {4, broadcast_view(view_map::identity({4}), {8, 4})}}), bc);
  EXPECT_EQ(count_of<send_task>(bc[0]), 3u);  // to actors 1, 2, 3
  for (std::size_t act = 0; act < 4; ++act) {
    expect_before<send_task, program_task>(bc[act]);
    auto* p = std::get_if<program_task>(&bc[act].back());
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->ins[1].direct, act == 0);
    if (act != 0) {
      EXPECT_EQ(p->ins[1].extent, (shape_t{1, 4}));  // broadcast dim collapsed
    }
  }
}

TEST(planner, elementwise_of_slice_and_transpose_sends_first) {
  planner pl(cfg4());
  task_lists out;
  pl.plan(fill_op(1, {8, 4}), out);
  pl.plan(fill_op(2, {4, 8}), out);
  EXPECT_EQ(pl.dir().at(2).til.tile, (shape_t{1, 8}));
  // out = a[::-1] + b.T
  view_map rev = index_view(view_map::identity({8, 4}), {S({}, {}, -1)});
  view_map tr = transpose_view(view_map::identity({4, 8}), {});
  task_lists ew;
  pl.plan(elementwise_op(3, {8, 4}, {{1, rev}, {2, tr}}), ew);
  // every output tile (2 rows of out) reads a remote tile of a[::-1] (the mirrored tile) and
  // 3 remote tiles of b (each of b's tiles holds one column of b.T)
  EXPECT_EQ(count_all<send_task>(ew), 4u * (1 + 3));
  EXPECT_EQ(count_all<program_task>(ew), 4u);
  for (std::size_t act = 0; act < 4; ++act) {
    expect_before<send_task, program_task>(ew[act]);
    ASSERT_EQ(count_of<program_task>(ew[act]), 1u);
    auto* p = std::get_if<program_task>(&ew[act].back());
    ASSERT_NE(p, nullptr);
    EXPECT_FALSE(p->ins[0].direct);
    EXPECT_FALSE(p->ins[1].direct);
    EXPECT_EQ(p->ins[1].pieces.size(), 4u);
    int remote = 0;
    for (auto& q : p->ins[1].pieces) remote += !q.local;
    EXPECT_EQ(remote, 3);
  }
  // every tag a program waits on is sent exactly once, to the actor that runs the program
  std::multiset<piece_tag> sent;
  for (std::size_t act = 0; act < 4; ++act)
    for (auto& t : ew[act])
      if (auto* s = std::get_if<send_task>(&t)) {
        sent.insert(s->tag);
        EXPECT_NE(s->dest, static_cast<int>(act));
      }
  for (std::size_t act = 0; act < 4; ++act) {
    auto* p = std::get_if<program_task>(&ew[act].back());
    for (auto& in : p->ins)
      for (auto& q : in.pieces)
        if (!q.local) {
          EXPECT_EQ(sent.count(q.tag), 1u);
          for (std::size_t b = 0; b < 4; ++b)
            for (auto& t : ew[b])
              if (auto* s = std::get_if<send_task>(&t); s && s->tag == q.tag) {
                EXPECT_EQ(s->dest, static_cast<int>(act));
              }
        }
  }
}

TEST(planner, reduce_partials_then_combines) {
  planner pl(cfg4());
  task_lists out;
  pl.plan(fill_op(1, {8, 4}), out);
  op r;
  r.kind = op_kind::reduce;
  r.outs = {2};
  r.shape = {4};
  r.types = {dtype::float64};
  r.ins = {{1, view_map::identity({8, 4})}};
  r.red_k = reduce_kind::sum;
  r.axes = {true, false};
  task_lists rl;
  pl.plan(r, rl);
  EXPECT_EQ(count_all<partial_task>(rl), 4u);
  EXPECT_EQ(count_all<combine_task>(rl), 1u);
  ASSERT_EQ(count_of<combine_task>(rl[0]), 1u);
  for (auto& l : rl) expect_before<partial_task, combine_task>(l);
  auto* c = std::get_if<combine_task>(&rl[0].back());
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->parts.size(), 4u);
  EXPECT_EQ(c->count, 4);
  for (std::size_t a = 0; a < 4; ++a) {
    auto* p = std::get_if<partial_task>(&rl[a][0]);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->dest, 0);
    EXPECT_EQ(p->tag, c->parts[a]);  // partials combine in tile order
  }
  const array_entry& e = pl.dir().at(2);
  EXPECT_EQ(e.til.shape, (shape_t{4}));
  EXPECT_EQ(e.keys, (std::vector<shard_key>{c->out}));

  // over axis 1 with keepdims: each tile reduces locally
  op r2 = r;
  r2.outs = {3};
  r2.shape = {8, 1};
  r2.axes = {false, true};
  r2.keepdims = true;
  task_lists rl2;
  pl.plan(r2, rl2);
  for (std::size_t a = 0; a < 4; ++a) {
    ASSERT_EQ(rl2[a].size(), 2u);
    auto* p = std::get_if<partial_task>(&rl2[a][0]);
    auto* cc = std::get_if<combine_task>(&rl2[a][1]);
    ASSERT_TRUE(p && cc);
    EXPECT_EQ(p->dest, static_cast<int>(a));
    EXPECT_EQ(cc->count, 2);
  }
  EXPECT_EQ(pl.dir().at(3).til.shape, (shape_t{8, 1}));
}

op full_reduce(array_id out, array_id in, shape_t shape, reduce_kind k, dtype t) {
  op r;
  r.kind = op_kind::reduce;
  r.outs = {out};
  r.shape = {};
  r.types = {reduce_result(k, t)};
  r.ins = {{in, view_map::identity(shape)}};
  r.red_k = k;
  r.axes.assign(shape.size(), true);
  return r;
}

// C = A @ B on 4 GPU actors: every actor's row tile of C takes all of B, so each B tile is one
// broadcast from its owner on every rank, numbered like the collectives; before the group
// has joined, and with nccl_pieces off, the same pieces are host sends.
TEST(planner, pieces_between_gpu_actors_go_over_nccl_once_the_group_has_joined) {
  planner_config c = cfg4();
  c.gpu_group = {0, 1, 2, 3};
  auto plan_product = [](planner& pl, array_id out) {
    op mm;
    mm.kind = op_kind::matmul;
    mm.outs = {out};
    mm.shape = {8, 8};
    mm.types = {dtype::float64};
    mm.ins = {{1, view_map::identity({8, 8})}, {2, view_map::identity({8, 8})}};
    task_lists tl;
    pl.plan(mm, tl);
    return tl;
  };
  planner pl(c);
  task_lists init;
  pl.plan(fill_op(1, {8, 8}), init);
  pl.plan(fill_op(2, {8, 8}), init);
  ASSERT_EQ(pl.dir().at(2).til.count(), 4);
  task_lists host = plan_product(pl, 3);
  EXPECT_EQ(count_all<send_task>(host), 12u);  // 4 tiles of B, each to 3 other actors
  EXPECT_EQ(count_all<exchange_task>(host), 0u);
  pl.enable_collectives();
  for (std::uint64_t seq = 1; seq <= 2; ++seq) {
    task_lists nc = plan_product(pl, 3 + static_cast<array_id>(seq));
    EXPECT_EQ(count_all<send_task>(nc), 0u);
    std::vector<int> roots;  // the broadcasts' order, the same on every rank
    for (std::size_t a = 0; a < 4; ++a) {
      auto* x = std::get_if<exchange_task>(&nc[a].front());  // before the products
      ASSERT_NE(x, nullptr) << a;
      EXPECT_EQ(x->collective, seq);
      ASSERT_EQ(x->xfers.size(), 4u);
      std::vector<int> mine;
      for (const auto& b : x->xfers) {
        EXPECT_EQ(b.k, xfer::kind::bcast);
        mine.push_back(b.peer);
        EXPECT_EQ(b.notify.size(), b.peer == static_cast<int>(a) ? 3u : 0u);  // the root tells 3
        EXPECT_EQ(b.tags.size(), b.peer == static_cast<int>(a) ? 0u : 1u);
      }
      if (a == 0) roots = mine;
      EXPECT_EQ(mine, roots) << a;
    }
    std::sort(roots.begin(), roots.end());
    EXPECT_EQ(roots, (std::vector<int>{0, 1, 2, 3}));  // each B tile from its owner
  }
  c.nccl_pieces = false;
  planner off(c);
  off.plan(fill_op(1, {8, 8}), init);
  off.plan(fill_op(2, {8, 8}), init);
  off.enable_collectives();
  EXPECT_EQ(count_all<exchange_task>(plan_product(off, 3)), 0u);
}

TEST(planner, full_reduce_over_gpu_actors_is_one_collective_each) {
  // actors 0 and 1 play GPU actors (NCCL ranks 0, 1), 2 and 3 CPU actors
  planner_config c = cfg4();
  c.gpu_group = {0, 1};
  planner pl(c);
  task_lists out;
  pl.plan(fill_op(1, {8, 4}), out);  // one tile on every actor
  task_lists before;
  pl.plan(full_reduce(2, 1, {8, 4}, reduce_kind::sum, dtype::float64), before);
  EXPECT_EQ(count_all<combine_task>(before), 1u);  // not joined yet: the host path
  pl.enable_collectives();
  ASSERT_TRUE(pl.collectives());
  for (std::uint64_t seq = 1; seq <= 2; ++seq) {
    task_lists rl;
    pl.plan(full_reduce(10 + seq, 1, {8, 4}, reduce_kind::sum, dtype::float64), rl);
    for (auto& l : rl) expect_before<partial_task, combine_task>(l);
    std::vector<const combine_task*> cs;
    for (int a : {0, 1}) {
      ASSERT_EQ(count_of<combine_task>(rl[static_cast<std::size_t>(a)]), 1u);
      cs.push_back(std::get_if<combine_task>(&rl[static_cast<std::size_t>(a)].back()));
      ASSERT_NE(cs.back(), nullptr);
      EXPECT_EQ(cs.back()->collective, seq);  // the same number on every rank, in op order
      EXPECT_EQ(cs.back()->count, 1);
    }
    EXPECT_EQ(count_all<combine_task>(rl), 2u);  // CPU actors only send partials
    // rank 0 keeps the result and combines the CPU actors' partials too; rank 1 only its own
    EXPECT_TRUE(cs[0]->keep);
    EXPECT_FALSE(cs[1]->keep);
    EXPECT_EQ(cs[0]->parts.size(), 3u);
    EXPECT_EQ(cs[1]->parts.size(), 1u);
    for (std::size_t a : {2u, 3u}) {
      auto* p = std::get_if<partial_task>(&rl[a][0]);
      ASSERT_NE(p, nullptr);
      EXPECT_EQ(p->dest, 0);
    }
    auto* p1 = std::get_if<partial_task>(&rl[1][0]);
    ASSERT_NE(p1, nullptr);
    EXPECT_EQ(p1->dest, 1);  // a GPU actor's partial stays with it
    const array_entry& e = pl.dir().at(10 + seq);
    EXPECT_EQ(e.owner, (std::vector<int>{0}));
    EXPECT_EQ(e.keys, (std::vector<shard_key>{cs[0]->out}));
  }
}

TEST(planner, collectives_only_where_nccl_combines_as_numpy) {
  planner_config c = cfg4();
  c.gpu_group = {0, 1};
  planner pl(c);
  pl.enable_collectives();
  task_lists out;
  pl.plan(fill_op(1, {8, 4}), out);
  auto collective = [&](array_id id, reduce_kind k, dtype t, std::vector<bool> axes = {}) {
    op r = full_reduce(id, 1, {8, 4}, k, t);
    if (!axes.empty()) r.axes = axes, r.shape = {4};
    task_lists rl;
    pl.plan(r, rl);
    bool any = false;
    for (auto& l : rl)
      for (auto& x : l)
        if (auto* cc = std::get_if<combine_task>(&x)) any = any || cc->collective > 0;
    return any;
  };
  EXPECT_TRUE(collective(2, reduce_kind::prod, dtype::float64));
  EXPECT_FALSE(collective(3, reduce_kind::min, dtype::float64));   // NaN rules differ
  EXPECT_FALSE(collective(4, reduce_kind::argmax, dtype::float64));
  EXPECT_TRUE(collective(5, reduce_kind::sum, dtype::float64, {true, false}));  // one output tile
  // a GPU actor with no tile still takes part (with the identity): only 1 holder here
  planner_config one = c;
  one.collective_min = 1;
  planner p2(one);
  p2.enable_collectives();
  task_lists o2;
  p2.plan(fill_op(1, {2, 2}), o2);  // one tile, on actor 0
  task_lists r2;
  p2.plan(full_reduce(2, 1, {2, 2}, reduce_kind::sum, dtype::float64), r2);
  ASSERT_EQ(count_of<combine_task>(r2[1]), 1u);
  auto* idle = std::get_if<combine_task>(&r2[1][0]);
  ASSERT_NE(idle, nullptr);
  EXPECT_TRUE(idle->parts.empty());
  EXPECT_EQ(idle->collective, 1u);
  // with the default collective_min = 2, one holder keeps the host path
  planner p3(c);
  p3.enable_collectives();
  task_lists o3, r3;
  p3.plan(fill_op(1, {2, 2}), o3);
  p3.plan(full_reduce(2, 1, {2, 2}, reduce_kind::sum, dtype::float64), r3);
  EXPECT_EQ(count_all<combine_task>(r3), 1u);
  EXPECT_EQ(std::get_if<combine_task>(&r3[0].back())->collective, 0u);
}

TEST(planner, setitem_touches_only_overlapping_tiles_and_release_frees_unshared_keys) {
  planner pl(cfg4());
  task_lists out;
  pl.plan(fill_op(1, {8, 4}), out);
  pl.plan(fill_op(2, {2}, 7.0), out);  // one tile on actor 0
  // 3 = 1 with [3, 1:3] = 2
  op s;
  s.kind = op_kind::setitem;
  s.outs = {3};
  s.shape = {8, 4};
  s.types = {dtype::float64};
  s.target = index_view(view_map::identity({8, 4}), {I(3), S(1, 3)});
  s.ins = {{1, view_map::identity({8, 4})}, {2, view_map::identity({2})}};
  task_lists sl;
  pl.plan(s, sl);
  EXPECT_EQ(count_all<update_task>(sl), 1u);
  ASSERT_EQ(count_of<update_task>(sl[1]), 1u);  // row 3 lies in tile 1 (rows 2, 3) on actor 1
  ASSERT_EQ(count_of<send_task>(sl[0]), 1u);    // the value comes from actor 0
  EXPECT_TRUE(sl[2].empty());
  EXPECT_TRUE(sl[3].empty());
  const array_entry& old = pl.dir().at(1);
  const array_entry& now = pl.dir().at(3);
  auto* u = std::get_if<update_task>(&sl[1].back());
  ASSERT_NE(u, nullptr);
  EXPECT_EQ(u->old, old.keys[1]);
  EXPECT_EQ(u->out, now.keys[1]);
  EXPECT_NE(now.keys[1], old.keys[1]);
  EXPECT_FALSE(u->in_place);
  EXPECT_EQ(u->extent, (shape_t{2}));
  EXPECT_EQ(u->dst_offset, 1 * 4 + 1);  // (3, 1) in the tile whose lo is (2, 0)
  EXPECT_EQ(u->dst_strides, (shape_t{1}));
  for (std::size_t t : {0u, 2u, 3u}) {
    EXPECT_EQ(now.keys[t], old.keys[t]);
    EXPECT_EQ(pl.dir().refs(old.keys[t]), 2);
  }
  EXPECT_EQ(pl.dir().refs(old.keys[1]), 1);
  const std::vector<shard_key> old_keys = old.keys, new_keys = now.keys;

  // releasing the old version frees only its own tile 1 (on actor 1)
  task_lists rel;
  pl.release(1, rel);
  ASSERT_EQ(rel.size(), 4u);
  ASSERT_EQ(rel[1].size(), 1u);
  EXPECT_EQ(std::get<free_task>(rel[1][0]).keys, (std::vector<shard_key>{old_keys[1]}));
  for (std::size_t a : {0u, 2u, 3u}) EXPECT_TRUE(rel[a].empty());
  EXPECT_EQ(pl.dir().find(1), nullptr);
  // releasing an unknown (or already released) id is harmless
  task_lists none;
  pl.release(1, none);
  pl.release(12345, none);
  for (auto& l : none) EXPECT_TRUE(l.empty());
  // releasing the new version frees every one of its keys, each on its owner
  task_lists rel3;
  pl.release(3, rel3);
  for (std::size_t a = 0; a < 4; ++a) {
    ASSERT_EQ(rel3[a].size(), 1u);
    EXPECT_EQ(std::get<free_task>(rel3[a][0]).keys, (std::vector<shard_key>{new_keys[a]}));
  }
  for (auto k : new_keys) EXPECT_EQ(pl.dir().refs(k), 0);
}

TEST(planner, setitem_donated_is_in_place) {
  planner pl(cfg4());
  task_lists out;
  pl.plan(fill_op(1, {8, 4}), out);
  op s;
  s.kind = op_kind::setitem;
  s.outs = {2};
  s.shape = {8, 4};
  s.types = {dtype::float64};
  s.target = index_view(view_map::identity({8, 4}), {S(1, 7)});  // rows 1..6: all tiles
  pl.plan(fill_op(9, {1}, 3.0), out);
  s.ins = {{1, view_map::identity({8, 4})}, {9, broadcast_view(view_map::identity({1}), {6, 4})}};
  s.donated = true;
  task_lists sl;
  pl.plan(s, sl);
  EXPECT_EQ(count_all<update_task>(sl), 4u);
  for (auto& l : sl)
    for (auto& t : l)
      if (auto* u = std::get_if<update_task>(&t)) {
        EXPECT_TRUE(u->in_place);
      }
}

TEST(planner, unknown_operand_throws) {
  planner pl(cfg4());
  task_lists out;
  try {
    pl.plan(elementwise_op(2, {8, 4}, {{77, view_map::identity({8, 4})}}), out);
    ADD_FAILURE() << "no error";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::runtime_error);
  }
}

}  // namespace
}  // namespace shoal
