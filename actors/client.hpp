#pragma once
/// The client side of shoal::array: immutable array versions named by id, storages that a
/// write rebinds to a new version (so views and every handle see it), and lazy elementwise
/// expressions that are fused into one program when something needs their value.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include <caf/all.hpp>

#include "actors/array.hpp"
#include "actors/messages.hpp"
#include "scheduler/ops.hpp"

namespace shoal::client {

class reply_waiter;  // actors/reply_waiter.hpp

/// The connection to the scheduler: sends ops, collects releases, waits for data.
class core {
 public:
  core(caf::actor_system& sys, caf::actor scheduler, int timeout_ms);
  ~core();
  array_id new_id() { return next_id_.fetch_add(1); }
  /// Sends ops (and every release queued so far) to the scheduler. Never waits.
  void submit(std::vector<op> ops);
  void submit(op o);
  /// Queues a release; it travels with the next submit (or flush).
  void release(array_id id);
  /// Waits for an array's tiles (or just for it to be computed, if !want_data).
  fetch_result fetch(array_id id, bool want_data);
  cluster_stats stats();
  std::uint64_t next_stream() { return stream_.fetch_add(1); }
  /// Called by the runtime before it stops: later calls throw instead of touching dead actors,
  /// and the scheduler handle is dropped (a detached actor's thread lives until the last
  /// handle is gone, and the actor system waits for that thread).
  void close();
  bool closed() const { return closed_; }

 private:
  caf::actor scheduler();  // throws once closed
  /// Sends the queued releases, if any (a read hands them over before it waits).
  void flush_releases();
  /// A waiter for one request (reused: see actors/reply_waiter.hpp) and its return.
  std::unique_ptr<reply_waiter> take_waiter();
  void give_back(std::unique_ptr<reply_waiter> w);

  caf::actor_system& sys_;
  caf::actor scheduler_;
  caf::duration timeout_;
  int timeout_ms_;
  std::atomic<bool> closed_{false};
  std::atomic<array_id> next_id_{1};
  std::atomic<std::uint64_t> stream_{0};
  std::mutex mu_;
  std::vector<array_id> released_;
  std::vector<std::unique_ptr<reply_waiter>> waiters_;  ///< idle ones; guarded by mu_
};

/// One immutable array version held by the scheduler; released when the last holder drops it.
struct version {
  array_id id;
  std::weak_ptr<core> owner;
  version(array_id i, std::weak_ptr<core> c) : id(i), owner(std::move(c)) {}
  ~version();
};
using version_ptr = std::shared_ptr<version>;

/// A mutable array as the user sees it: a write installs a new version.
struct storage {
  version_ptr current;
  shape_t shape;
  dtype type;
};

/// A lazy elementwise expression node.
struct expr {
  opcode op = opcode::load;
  dtype type = dtype::float64;  ///< result dtype
  dtype src = dtype::float64;   ///< cast: source dtype; others: operand dtype
  shape_t shape;
  std::vector<std::shared_ptr<expr>> kids;
  version_ptr leaf;  ///< load: the data
  view_map map;      ///< load: how the data is read (map.shape == shape)
  double fimm = 0;
  std::int64_t iimm = 0;
  std::int64_t weight = 1;  ///< nodes below (with repeats): bounds fusion
};
using expr_ptr = std::shared_ptr<expr>;

/// What an array handle points at: a view of a storage, or a lazy expression.
struct node {
  shape_t shape;
  dtype type = dtype::float64;
  std::shared_ptr<core> conn;
  std::shared_ptr<storage> store;  ///< materialized: data is store->current seen through map
  view_map map;
  expr_ptr lazy;                   ///< not yet computed
};
using node_ptr = std::shared_ptr<node>;

/// The current runtime's connection (starts a default runtime if none runs).
std::shared_ptr<core> current();

/// Sends an op with one new output of `shape` and `t` (its outs, shape and types are set
/// here) and returns the version it creates.
version_ptr submit_new(const std::shared_ptr<core>& c, op o, const shape_t& shape, dtype t);
/// A new array handle over a fresh storage holding version `v`.
array make_array(const std::shared_ptr<core>& c, version_ptr v, const shape_t& shape, dtype t);
/// Computes a lazy node now (one fused program) so it has a storage.
void materialize(node& n);
/// The node as an operand seen through its view (materializing it first).
operand as_operand(node& n);
/// An operand plus the version that keeps its data alive until the op is sent.
struct held_operand {
  operand x;
  version_ptr hold;
};
/// The node as a plain array (identity view), copying a view of a storage if needed.
held_operand as_plain(node& n);
/// The node's value as an expression leaf (lazy nodes return their expression).
expr_ptr as_expr(node& n);
/// An array handle for an expression (materialized at once when it grew too large).
array from_expr(const std::shared_ptr<core>& c, expr_ptr e);

}  // namespace shoal::client
