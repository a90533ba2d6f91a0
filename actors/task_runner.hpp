#pragma once
/// The engine inside a worker actor (CPU or GPU), free of CAF so tests can drive it: a shard
/// store, a queue of tasks run strictly in arrival order, and the pieces that have arrived
/// from other actors. Memory and kernels belong to its backend (actors/backend.hpp); pieces
/// and read results are host buffers, except a partial an actor makes for itself, which stays
/// in backend memory (from_host passes it through).
/// A task whose inputs failed fails too (its outputs carry the error), so an error inside a
/// kernel travels to whoever reads the result instead of hanging anyone.
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <variant>

#include "actors/backend.hpp"
#include "actors/messages.hpp"

namespace shoal {

class task_runner {
 public:
  /// Delivers a piece to actor `dest` (may be this actor: it calls arrive()).
  using send_fn = std::function<void(int dest, piece_msg)>;
  using reply_fn = std::function<void(read_result)>;

  /// A runner on the CPU backend with `threads` kernel threads.
  task_runner(int index, int threads, send_fn send);
  task_runner(int index, std::unique_ptr<backend> be, send_fn send);

  void push(task t);
  void push_read(shard_key key, bool want_data, reply_fn reply);
  void arrive(piece_msg p);
  /// Runs queued work until the queue is empty or its head waits for a piece.
  void pump();

  /// Recovery (actors/recovery_protocol.hpp): drops every queued task, holds the queued reads
  /// (and later ones) until resume(), forgets pieces tagged below `floor` now and when they
  /// arrive; returns the keys this runner holds (failed shards too).
  std::vector<shard_key> reset(piece_tag floor);
  /// The rebuild tasks are queued: the held reads go behind them.
  void resume();

  /// Runs `then` once every task queued before has run (held, like reads, during a recovery
  /// until resume()): the NCCL join goes there, so a collective planned for the communicator
  /// being replaced is issued on it first.
  void push_barrier(std::function<void()> then);
  /// Joins the NCCL communicator among the GPU actors (backend::join_collectives).
  void join_collectives(const nccl::member& m) { be_->join_collectives(m); }

  std::int64_t shard_count() const { return static_cast<std::int64_t>(shards_.size()); }
  std::int64_t shard_bytes() const;
  std::size_t queued() const { return queue_.size(); }

 private:
  struct read_req {
    shard_key key;
    bool want_data;
    reply_fn reply;
  };
  using entry = std::variant<task, read_req>;

  bool ready(const entry& e) const;
  void run(entry& e);
  void run_task(task& t);

  buffer_ptr shard(shard_key k) const;  // throws the shard's error if it failed
  void fail(shard_key k, const error_info& e);
  void put(shard_key k, buffer_ptr b);

  /// A readable view of an operand over `tile`: pointer, strides, and what keeps it alive.
  struct resolved {
    const void* data = nullptr;
    shape_t strides;
    buffer_ptr keep;
  };
  resolved resolve(const operand_spec& s, const shape_t& tile);

  void exec(fill_task& t);
  void exec(host_task& t);
  void exec(send_task& t);
  void exec(program_task& t);
  void exec(partial_task& t);
  void exec(combine_task& t);
  void exec(matmul_task& t);
  void exec(assemble_task& t);
  void exec(update_task& t);
  void exec(alias_task& t);
  void exec(free_task& t);
  void exec(kernel_task& t);
  void exec(exchange_task& t);

  /// The bytes of piece `tag` (arrived: host memory, or backend memory for a partial of this
  /// actor or a piece that came over NCCL); throws the piece's error.
  buffer_ptr piece(piece_tag tag) const;
  /// `extent` elements of a local shard as one dense backend buffer (the shard itself when it
  /// is exactly that).
  buffer_ptr packed(const strided_src& src, dtype type, const shape_t& extent);

  int index_;
  std::unique_ptr<backend> be_;  // declared before every buffer it may own: it outlives them
  send_fn send_;
  std::deque<entry> queue_;
  std::unordered_map<shard_key, buffer_ptr> shards_;
  std::unordered_map<shard_key, error_info> failed_;
  std::unordered_map<piece_tag, piece_msg> arrived_;
  /// Pieces received over NCCL (backend memory, or the error that stopped the exchange): a
  /// piece message without data from the sender says they are complete and correct.
  std::unordered_map<piece_tag, piece_msg> received_;
  /// Tags whose task has run, newest last (bounded): a copy of such a piece arriving late
  /// (a duplicated message) is dropped instead of being kept forever.
  std::unordered_set<piece_tag> consumed_;
  std::deque<piece_tag> consumed_order_;
  std::size_t duplicates_ = 0;
  piece_tag floor_ = 0;               ///< pieces below it belong to tasks a reset dropped
  bool holding_ = false;              ///< between reset() and resume()
  std::deque<read_req> held_;

 public:
  /// Pieces dropped as copies of one already arrived or consumed (fault injection, retries).
  std::size_t duplicates() const { return duplicates_; }
};

}  // namespace shoal
