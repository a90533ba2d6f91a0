#include "actors/client.hpp"

#include <algorithm>
#include <chrono>
#include <thread>
#include <unordered_map>

#include "actors/reply_waiter.hpp"
#include "actors/runtime_impl.hpp"

namespace shoal::client {
namespace {

/// Lazy expressions grow until this many nodes, then they are computed: long chains are
/// still fused into few passes, and an expression never holds an unbounded history.
constexpr std::int64_t max_fused_weight = 64;

}  // namespace

// ---- core

core::core(caf::actor_system& sys, caf::actor scheduler, int timeout_ms)
    : sys_(sys), scheduler_(std::move(scheduler)),
      timeout_(std::chrono::milliseconds(timeout_ms)), timeout_ms_(timeout_ms) {}

core::~core() = default;  // reply_waiter is complete here

namespace {
[[noreturn]] void throw_closed() {
  throw_error(errc::runtime_error, "shoal: the runtime was shut down; this array is no longer usable");
}
}  // namespace

void core::close() {
  std::lock_guard<std::mutex> g(mu_);
  closed_ = true;
  scheduler_ = nullptr;
  released_.clear();
  waiters_.clear();  // their actors must not outlive the actor system
}

caf::actor core::scheduler() {
  std::lock_guard<std::mutex> g(mu_);
  if (closed_) throw_closed();
  return scheduler_;
}

void core::submit(std::vector<op> ops) {
  op_batch b;
  b.ops = std::move(ops);
  caf::actor dest;
  {
    std::lock_guard<std::mutex> g(mu_);
    if (closed_) throw_closed();
    b.released.swap(released_);
    dest = scheduler_;
  }
  caf::anon_send(dest, std::move(b));
}

void core::submit(op o) {
  std::vector<op> v;
  v.push_back(std::move(o));
  submit(std::move(v));
}

void core::release(array_id id) {
  if (closed_) return;
  std::lock_guard<std::mutex> g(mu_);
  released_.push_back(id);
}

fetch_result core::fetch(array_id id, bool want_data) {
  flush_releases();  // hand over queued releases so memory is freed before we wait
  fetch_result res;
  bool got = false;
  error_info failure;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms_);
  auto timed_out = [&] {
    return error_info{errc::runtime_error, "shoal: timed out after " + std::to_string(timeout_ms_) +
                                               " ms waiting for an array (SHOAL_TIMEOUT_MS)"};
  };
  // One reused waiter instead of a scoped_actor per read (actors/reply_waiter.hpp): a one-tile
  // array's owner answers it directly (the scheduler delegates).
  auto w = take_waiter();
  // A one-tile fetch is answered by the tile's owner; if that actor died before answering,
  // the scheduler rebuilds the tile elsewhere (actors/scheduler_recovery.hpp): ask again.
  for (bool again = true; again;) {
    again = false;
    auto reply = w->call(scheduler(), caf::make_message(fetch_atom::value, id, want_data), deadline);
    caf::error e;
    if (!reply) {
      failure = timed_out();
    } else if (!response_as(*reply, res, e)) {
      failure = {errc::runtime_error, "shoal: unexpected answer to a read"};
    } else if (!e) {
      got = true;
    } else if (e == caf::sec::request_receiver_down && std::chrono::steady_clock::now() < deadline) {
      again = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    } else if (e == caf::sec::request_timeout || e == caf::sec::request_receiver_down) {
      failure = timed_out();
    } else {
      failure = {errc::runtime_error, "shoal: the scheduler failed: " + sys_.render(e)};
    }
  }
  give_back(std::move(w));
  if (!got) throw error(failure);
  if (res.err) throw error(res.err);
  return res;
}

cluster_stats core::stats() {
  caf::actor dest = scheduler();
  cluster_stats res;
  auto w = take_waiter();
  auto reply = w->call(dest, caf::make_message(stats_atom::value),
                       std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms_));
  give_back(std::move(w));
  caf::error e;
  if (!reply) throw_error(errc::runtime_error, "shoal: no runtime info: timed out");
  if (!response_as(*reply, res, e)) throw_error(errc::runtime_error, "shoal: no runtime info: unexpected answer");
  if (e) throw_error(errc::runtime_error, "shoal: no runtime info: " + sys_.render(e));
  return res;
}

void core::flush_releases() {
  caf::actor dest;
  op_batch b;
  {
    std::lock_guard<std::mutex> g(mu_);
    if (closed_) throw_closed();
    if (released_.empty()) return;  // nothing to hand over: no message
    b.released.swap(released_);
    dest = scheduler_;
  }
  caf::anon_send(dest, std::move(b));
}

std::unique_ptr<reply_waiter> core::take_waiter() {
  {
    std::lock_guard<std::mutex> g(mu_);
    if (!waiters_.empty()) {
      auto w = std::move(waiters_.back());
      waiters_.pop_back();
      return w;
    }
  }
  return std::make_unique<reply_waiter>(sys_);
}

void core::give_back(std::unique_ptr<reply_waiter> w) {
  std::lock_guard<std::mutex> g(mu_);
  if (!closed_ && waiters_.size() < 64) waiters_.push_back(std::move(w));
}

version::~version() {
  if (auto c = owner.lock()) c->release(id);
}

// ---- arrays and expressions

std::shared_ptr<core> current() { return runtime::get().internals().conn; }

version_ptr submit_new(const std::shared_ptr<core>& c, op o, const shape_t& shape, dtype t) {
  array_id id = c->new_id();
  o.outs = {id};
  o.shape = shape;
  o.types = {t};
  c->submit(std::move(o));
  return std::make_shared<version>(id, c);
}

array make_array(const std::shared_ptr<core>& c, version_ptr v, const shape_t& shape, dtype t) {
  auto n = std::make_shared<node>();
  n->shape = shape;
  n->type = t;
  n->conn = c;
  n->store = std::make_shared<storage>(storage{std::move(v), shape, t});
  n->map = view_map::identity(shape);
  return array(std::move(n));
}

namespace {

/// Turns an expression DAG into a program: one register per node in evaluation order, then
/// registers reused once their value is dead so a long chain needs only a few blocks of cache.
struct codegen {
  shape_t out_shape;
  program p;
  std::vector<operand> inputs;
  std::vector<version_ptr> holds;
  std::unordered_map<const expr*, std::uint16_t> vreg;
  std::vector<instr> code;  // virtual registers
  std::uint16_t next = 0;

  std::uint16_t input_of(const expr& e) {
    view_map m = broadcast_view(e.map, out_shape);
    for (std::size_t i = 0; i < inputs.size(); ++i)
      if (holds[i] == e.leaf && inputs[i].map.offset == m.offset && inputs[i].map.dim == m.dim &&
          inputs[i].map.step == m.step && inputs[i].map.shape == m.shape)
        return static_cast<std::uint16_t>(i);
    inputs.push_back({e.leaf->id, m});
    holds.push_back(e.leaf);
    p.inputs.push_back(e.type);
    return static_cast<std::uint16_t>(inputs.size() - 1);
  }

  std::uint16_t gen(const expr* e) {
    if (auto it = vreg.find(e); it != vreg.end()) return it->second;
    std::vector<std::uint16_t> k;
    for (auto& kid : e->kids) k.push_back(gen(kid.get()));
    instr in{};
    in.op = e->op;
    in.dst = next++;
    switch (e->op) {
      case opcode::load:
        in.type = e->type;
        in.a = input_of(*e);
        break;
      case opcode::constant:
        in.type = e->type;
        in.fimm = e->fimm;
        in.iimm = e->iimm;
        break;
      case opcode::cast:
        in.type = e->type;
        in.src = e->src;
        in.a = k.at(0);
        break;
      case opcode::where:
        in.type = e->type;
        in.a = k.at(0);
        in.b = k.at(1);
        in.c = k.at(2);
        break;
      default:  // unary and binary ops compute in their operand dtype
        in.type = e->src;
        in.a = k.at(0);
        if (k.size() > 1) in.b = k.at(1);
        break;
    }
    code.push_back(in);
    vreg[e] = in.dst;
    return in.dst;
  }

  static int arity(opcode op) {
    switch (op) {
      case opcode::load:
      case opcode::constant: return 0;
      case opcode::where: return 3;
      case opcode::cast:
      case opcode::neg:
      case opcode::abs:
      case opcode::sqrt:
      case opcode::exp:
      case opcode::log:
      case opcode::sin:
      case opcode::cos:
      case opcode::tanh:
      case opcode::invert:
      case opcode::logical_not: return 1;
      default: return 2;
    }
  }

  /// Linear-scan register reuse; a destination never shares a register with its operands
  /// (a widening cast in place would overwrite inputs it has not read yet).
  void allocate(std::uint16_t root) {
    std::vector<std::size_t> last(next, 0);
    for (std::size_t i = 0; i < code.size(); ++i) {
      const instr& in = code[i];
      int n = arity(in.op);
      if (n > 0) last[in.a] = i;
      if (n > 1) last[in.b] = i;
      if (n > 2) last[in.c] = i;
    }
    last[root] = code.size();
    std::vector<std::uint16_t> phys(next, 0), free_regs;
    std::uint16_t count = 0;
    for (std::size_t i = 0; i < code.size(); ++i) {
      instr in = code[i];
      int n = arity(in.op);
      if (n > 0) in.a = phys[in.a];
      if (n > 1) in.b = phys[in.b];
      if (n > 2) in.c = phys[in.c];
      std::uint16_t v = in.dst;
      if (!free_regs.empty()) {
        phys[v] = free_regs.back();
        free_regs.pop_back();
      } else {
        phys[v] = count++;
      }
      in.dst = phys[v];
      p.code.push_back(in);
      const instr& orig = code[i];
      auto done = [&](std::uint16_t r) {
        if (last[r] == i) free_regs.push_back(phys[r]);
      };
      if (n > 0) done(orig.a);
      if (n > 1 && orig.b != orig.a) done(orig.b);
      if (n > 2 && orig.c != orig.a && orig.c != orig.b) done(orig.c);
    }
    instr st{};
    st.op = opcode::store;
    st.a = 0;
    st.b = phys[root];
    p.n_regs = count;
    st.type = p.outputs.at(0);
    p.code.push_back(st);
  }
};

}  // namespace

void materialize(node& n) {
  if (!n.lazy) return;
  codegen g;
  g.out_shape = n.shape;
  g.p.outputs.push_back(n.type);
  std::uint16_t root = g.gen(n.lazy.get());
  g.allocate(root);
  op o;
  o.kind = op_kind::elementwise;
  o.ins = std::move(g.inputs);
  o.prog = std::move(g.p);
  n.store = std::make_shared<storage>(storage{submit_new(n.conn, std::move(o), n.shape, n.type), n.shape, n.type});
  n.map = view_map::identity(n.shape);
  n.lazy.reset();
}

operand as_operand(node& n) {
  materialize(n);
  return {n.store->current->id, n.map};
}

expr_ptr as_expr(node& n) {
  if (n.lazy) return n.lazy;
  auto e = std::make_shared<expr>();
  e->op = opcode::load;
  e->type = n.type;
  e->shape = n.shape;
  e->leaf = n.store->current;
  e->map = n.map;
  return e;
}

array from_expr(const std::shared_ptr<core>& c, expr_ptr e) {
  auto n = std::make_shared<node>();
  n->shape = e->shape;
  n->type = e->type;
  n->conn = c;
  bool big = e->weight > max_fused_weight;
  n->lazy = std::move(e);
  if (big) materialize(*n);
  return array(std::move(n));
}

}  // namespace shoal::client

namespace shoal::client {

held_operand as_plain(node& n) {
  materialize(n);
  if (n.map.is_identity()) return {{n.store->current->id, n.map}, n.store->current};
  op o;
  o.kind = op_kind::assemble;
  o.ins = {{n.store->current->id, n.map}};
  o.placement = {shape_t(n.shape.size(), 0)};
  version_ptr v = submit_new(n.conn, std::move(o), n.shape, n.type);
  return {{v->id, view_map::identity(n.shape)}, v};
}

}  // namespace shoal::client
