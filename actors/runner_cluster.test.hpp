#pragma once
/// A cluster of task_runners without CAF (one planner, a mailbox for pieces, pumped on one
/// thread), op builders, and the scenarios that run on it with CPU backends
/// (task_runner.test.cpp) and with GPU-like backends whose pieces travel over a loopback
/// stand-in for NCCL (exchange.test.cpp). Header-only, tests only.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/task_runner.hpp"
#include "scheduler/planner.hpp"

namespace shoal::test {

// ---- a cluster without CAF: planner + task_runners + a mailbox for pieces

struct cluster {
  using backend_factory = std::function<std::unique_ptr<backend>(int index)>;
  planner pl;
  std::vector<std::unique_ptr<task_runner>> runners;
  std::deque<std::pair<int, piece_msg>> mail;

  explicit cluster(int n, std::int64_t min_tile = 4) : cluster(planner_config{n, min_tile, 1}) {}
  /// Runners on the backends `make` gives (CPU backends with 2 threads without it).
  explicit cluster(planner_config pc, const backend_factory& make = {}) : pl(pc) {
    for (int i = 0; i < pc.n_actors; ++i) {
      auto deliver = [this](int dest, piece_msg m) { mail.emplace_back(dest, std::move(m)); };
      if (make) runners.push_back(std::make_unique<task_runner>(i, make(i), deliver));
      else runners.push_back(std::make_unique<task_runner>(i, 2, deliver));
    }
  }

  void dispatch(task_lists& tl) {
    for (std::size_t a = 0; a < tl.size(); ++a)
      for (auto& t : tl[a]) runners[a]->push(std::move(t));
    tl.clear();
  }
  void plan(const op& o) {
    task_lists tl;
    pl.plan(o, tl);
    dispatch(tl);
  }
  void release(array_id id) {
    task_lists tl;
    pl.release(id, tl);
    dispatch(tl);
  }
  /// Runs until nothing can make progress.
  void pump() {
    for (int round = 0; round < 10000; ++round) {
      for (auto& r : runners) r->pump();
      if (mail.empty()) return;
      while (!mail.empty()) {
        auto [dest, m] = std::move(mail.front());
        mail.pop_front();
        runners[static_cast<std::size_t>(dest)]->arrive(std::move(m));
      }
    }
    FAIL() << "no quiescence";
  }
  bool idle() const {
    for (auto& r : runners)
      if (r->queued() != 0) return false;
    return mail.empty();
  }

  /// Reads array `id` (every tile) into a dense C-order vector; throws the first tile's error.
  template <class T> std::vector<T> read(array_id id) {
    const array_entry& e = pl.dir().at(id);
    std::vector<T> out(static_cast<std::size_t>(numel(e.til.shape)));
    std::vector<read_result> res(e.keys.size());
    std::vector<bool> got(e.keys.size(), false);
    for (std::size_t t = 0; t < e.keys.size(); ++t)
      runners[static_cast<std::size_t>(e.owner[t])]->push_read(e.keys[t], true, [&, t](read_result r) {
        res[t] = std::move(r);
        got[t] = true;
      });
    pump();
    const shape_t gs = c_strides(e.til.shape);
    for (std::size_t t = 0; t < e.keys.size(); ++t) {
      if (!got[t]) throw error(errc::runtime_error, "read never answered");
      if (res[t].err) throw error(res[t].err);
      box tb = e.til.tile_box(static_cast<std::int64_t>(t));
      shape_t ext = tb.extent();
      EXPECT_EQ(res[t].data->bytes(), static_cast<std::size_t>(numel(ext)) * sizeof(T));
      const T* src = res[t].data->template as<T>();
      // walk the tile in C order
      shape_t i = tb.lo;
      for (std::int64_t k = 0; k < numel(ext); ++k) {
        std::int64_t f = 0;
        for (std::size_t d = 0; d < i.size(); ++d) f += i[d] * gs[d];
        out[static_cast<std::size_t>(f)] = src[k];
        for (std::size_t d = i.size(); d-- > 0;) {
          if (++i[d] < tb.hi[d]) break;
          i[d] = tb.lo[d];
        }
      }
    }
    return out;
  }
};

// ---- op builders

inline op fill_op(array_id id, shape_t shape, dtype t, fill_kind k, double a, double b = 0) {
  op o;
  o.kind = op_kind::fill;
  o.outs = {id};
  o.shape = std::move(shape);
  o.types = {t};
  o.fill_k = k;
  o.fill_p.fa = a;
  o.fill_p.fb = b;
  o.fill_p.ia = static_cast<std::int64_t>(a);
  o.fill_p.ib = static_cast<std::int64_t>(b);
  return o;
}

inline program binary_program(opcode opc, dtype t) {
  program p;
  p.inputs = {t, t};
  p.outputs = {t};
  p.n_regs = 3;
  instr l0{opcode::load, t};
  l0.dst = 0;
  l0.a = 0;
  instr l1{opcode::load, t};
  l1.dst = 1;
  l1.a = 1;
  instr c{opc, t};
  c.dst = 2;
  c.a = 0;
  c.b = 1;
  instr s{opcode::store, t};
  s.a = 0;
  s.b = 2;
  p.code = {l0, l1, c, s};
  return p;
}

inline op binary_op(array_id out, opcode opc, dtype t, shape_t shape, operand a, operand b) {
  op o;
  o.kind = op_kind::elementwise;
  o.outs = {out};
  o.shape = std::move(shape);
  o.types = {t};
  o.prog = binary_program(opc, t);
  o.ins = {std::move(a), std::move(b)};
  return o;
}

inline operand plain(array_id id, const shape_t& s) { return {id, view_map::identity(s)}; }

inline index_spec I(std::int64_t i) { return {index_spec::integer, i, {}, {}, {}}; }
inline index_spec S(std::optional<std::int64_t> a = {}, std::optional<std::int64_t> b = {},
             std::optional<std::int64_t> c = {}) {
  return {index_spec::slice, 0, a, b, c};
}

/// Fills, elementwise ops over reversed and transposed views, reductions, a matmul, reshapes
/// and setitems, read back against plain loops; then every shard is released.
inline void scenario_end_to_end(cluster& c) {
  // A = arange(24).reshape(6, 4); B = full((6, 4), 2); T = arange(24).reshape(4, 6) + 100
  c.plan(fill_op(1, {6, 4}, dtype::float64, fill_kind::arange, 0, 1));
  c.plan(fill_op(2, {6, 4}, dtype::float64, fill_kind::full, 2));
  c.plan(fill_op(3, {4, 6}, dtype::float64, fill_kind::arange, 100, 1));
  ASSERT_GE(c.pl.dir().at(1).til.count(), 2);
  // C = A[::-1] + B (remote pieces: the reversed rows live on the other actor)
  c.plan(binary_op(4, opcode::add, dtype::float64, {6, 4},
                   {1, index_view(view_map::identity({6, 4}), {S({}, {}, -1)})}, plain(2, {6, 4})));
  // D = A * T.T (a transpose: pieces from both actors)
  c.plan(binary_op(5, opcode::mul, dtype::float64, {6, 4}, plain(1, {6, 4}),
                   {3, transpose_view(view_map::identity({4, 6}), {})}));
  // S = C.sum(axis=0); Tot = C.sum(); Mx = D.max(axis=1, keepdims=True)
  op r;
  r.kind = op_kind::reduce;
  r.outs = {6};
  r.shape = {4};
  r.types = {dtype::float64};
  r.ins = {plain(4, {6, 4})};
  r.red_k = reduce_kind::sum;
  r.axes = {true, false};
  c.plan(r);
  r.outs = {7};
  r.shape = {};
  r.axes = {true, true};
  c.plan(r);
  r.outs = {8};
  r.shape = {6, 1};
  r.ins = {plain(5, {6, 4})};
  r.red_k = reduce_kind::max;
  r.axes = {false, true};
  r.keepdims = true;
  c.plan(r);
  // M = A @ T
  op mm;
  mm.kind = op_kind::matmul;
  mm.outs = {9};
  mm.shape = {6, 6};
  mm.types = {dtype::float64};
  mm.ins = {plain(1, {6, 4}), plain(3, {4, 6})};
  c.plan(mm);
  // R = C.reshape(4, 6), R2 = C.reshape(3, 8)
  op rs;
  rs.kind = op_kind::reshape;
  rs.outs = {10};
  rs.shape = {4, 6};
  rs.types = {dtype::float64};
  rs.ins = {plain(4, {6, 4})};
  c.plan(rs);
  rs.outs = {11};
  rs.shape = {3, 8};
  c.plan(rs);
  // U = C with U[1, 1:3] = V, V = full(2, 9); W = C with W[:, 0] = 5 (broadcast, all tiles)
  c.plan(fill_op(12, {2}, dtype::float64, fill_kind::full, 9));
  op si;
  si.kind = op_kind::setitem;
  si.outs = {13};
  si.shape = {6, 4};
  si.types = {dtype::float64};
  si.target = index_view(view_map::identity({6, 4}), {I(1), S(1, 3)});
  si.ins = {plain(4, {6, 4}), plain(12, {2})};
  c.plan(si);
  c.plan(fill_op(14, {}, dtype::float64, fill_kind::full, 5));
  si.outs = {15};
  si.target = index_view(view_map::identity({6, 4}), {S(), I(0)});
  si.ins = {plain(4, {6, 4}), {14, broadcast_view(view_map::identity({}), {6})}};
  c.plan(si);
  c.pump();
  EXPECT_TRUE(c.idle());

  // reference
  std::vector<double> A(24), Cr(24), D(24), Tm(24);
  for (int i = 0; i < 24; ++i) A[i] = i, Tm[i] = 100 + i;
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 4; ++j) {
      Cr[i * 4 + j] = A[(5 - i) * 4 + j] + 2;
      D[i * 4 + j] = A[i * 4 + j] * Tm[j * 6 + i];
    }
  EXPECT_EQ(c.read<double>(1), A);
  EXPECT_EQ(c.read<double>(4), Cr);
  EXPECT_EQ(c.read<double>(5), D);
  std::vector<double> Sr(4, 0), Mx(6, -1e300);
  double tot = 0;
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 4; ++j) {
      Sr[j] += Cr[i * 4 + j];
      tot += Cr[i * 4 + j];
      Mx[i] = std::max(Mx[i], D[i * 4 + j]);
    }
  EXPECT_EQ(c.read<double>(6), Sr);
  EXPECT_EQ(c.read<double>(7), std::vector<double>{tot});
  EXPECT_EQ(c.read<double>(8), Mx);
  std::vector<double> M(36, 0);
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 6; ++j)
      for (int k = 0; k < 4; ++k) M[i * 6 + j] += A[i * 4 + k] * Tm[k * 6 + j];
  EXPECT_EQ(c.read<double>(9), M);
  EXPECT_EQ(c.read<double>(10), Cr);
  EXPECT_EQ(c.read<double>(11), Cr);
  std::vector<double> U = Cr, W = Cr;
  U[1 * 4 + 1] = U[1 * 4 + 2] = 9;
  for (int i = 0; i < 6; ++i) W[i * 4] = 5;
  EXPECT_EQ(c.read<double>(13), U);
  EXPECT_EQ(c.read<double>(15), W);
  EXPECT_EQ(c.read<double>(4), Cr);  // copy on write: the old version is unchanged

  // release everything: every shard is freed
  for (array_id id = 1; id <= 15; ++id) c.release(id);
  c.pump();
  for (auto& r : c.runners) EXPECT_EQ(r->shard_count(), 0);
}

/// An int power with a negative exponent fails; its consumers (over pieces, a reduction) fail
/// with the same error instead of hanging, and the runners keep working.
inline void scenario_failed_inputs(cluster& c) {
  // X = arange(8) (int64, 2 tiles), E = full(8, -1), P = X ** E (fails), Q = P[::-1] + X
  c.plan(fill_op(1, {8}, dtype::int64, fill_kind::arange, 0, 1));
  c.plan(fill_op(2, {8}, dtype::int64, fill_kind::full, -1));
  ASSERT_GE(c.pl.dir().at(1).til.count(), 2);
  c.plan(binary_op(3, opcode::pow, dtype::int64, {8}, plain(1, {8}), plain(2, {8})));
  c.plan(binary_op(4, opcode::add, dtype::int64, {8},
                   {3, index_view(view_map::identity({8}), {S({}, {}, -1)})}, plain(1, {8})));
  // a reduction and a setitem of the failed array fail too
  op r;
  r.kind = op_kind::reduce;
  r.outs = {5};
  r.shape = {};
  r.types = {dtype::int64};
  r.ins = {plain(3, {8})};
  r.red_k = reduce_kind::sum;
  r.axes = {true};
  c.plan(r);
  c.pump();
  EXPECT_TRUE(c.idle()) << "a consumer of a failed shard hangs";
  for (array_id id : {3, 4, 5}) {
    try {
      c.read<std::int64_t>(id);
      ADD_FAILURE() << "array " << id << " read without error";
    } catch (const error& e) {
      EXPECT_EQ(e.code(), errc::value_error) << "array " << id << ": " << e.what();
      EXPECT_EQ(std::string(e.what()), "Integers to negative integer powers are not allowed.");
    }
  }
  // the runners keep working
  c.plan(binary_op(6, opcode::add, dtype::int64, {8}, plain(1, {8}), plain(1, {8})));
  c.pump();
  EXPECT_EQ(c.read<std::int64_t>(6), (std::vector<std::int64_t>{0, 2, 4, 6, 8, 10, 12, 14}));
  // a read of a shard that does not exist answers with an error instead of hanging
  bool answered = false;
  c.runners[0]->push_read(987654, true, [&](read_result res) {
    answered = true;
    EXPECT_EQ(res.err.code, errc::runtime_error);
  });
  c.pump();
  EXPECT_TRUE(answered);
}

}  // namespace shoal::test
