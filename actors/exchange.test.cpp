// Pieces between GPU actors over NCCL (scheduler/exchange_plan.hpp, task_runner's
// exchange_task), without a GPU: runners on CPU memory whose NCCL is a loopback in the test
// thread. The shared scenarios (actors/runner_cluster.test.hpp) run with every piece between
// "GPU" actors sent, received or broadcast through it, so the plans, the transfer order, the
// notes that travel beside the bytes and the errors of failed sources are checked against
// plain loops. The real communicator runs the same exchanges on the device
// (transport/nccl_comm.gpu.test.cpp, and the Python suite with SHOAL_NCCL_LOCAL=1).
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <set>
#include <tuple>

#include "actors/cpu_backend.hpp"
#include "actors/runner_cluster.test.hpp"

namespace shoal::test {
namespace {

/// NCCL among the runners of one thread: a transfer meets its other side by (collective,
/// sender, receiver, order between the two) or, for a broadcast, (collective, order among the
/// broadcasts), whichever side comes first.
class loopback_nccl {
 public:
  int p2p = 0, bcasts = 0, self = 0;

  /// Transfers one side issued and the other never did: on NCCL, a rank waiting forever.
  std::size_t unmatched() const {
    std::size_t n = waiting_.size();
    for (auto& [id, bytes] : sent_) n += wanted_.count(id) == 0;
    return n;
  }

  void exchange(int rank, const std::vector<nccl::transfer>& xs, std::uint64_t seq) {
    auto& last = issued_[rank];
    if (seq <= last) throw error(errc::runtime_error, "collective " + std::to_string(seq) + " out of order");
    last = seq;
    std::map<int, int> to, from;
    int nth = 0;
    for (const auto& x : xs) {
      if (x.bytes == 0) continue;
      using k = nccl::transfer::kind;
      if (x.k == k::send) {
        ++p2p;
        self += x.peer == rank;
        offer({seq, rank, x.peer, to[x.peer]++}, x.data, x.bytes);
      } else if (x.k == k::recv) {
        want({seq, x.peer, rank, from[x.peer]++}, x.data, x.bytes);
      } else {
        key id{seq, x.peer, -1, nth++};
        if (x.peer != rank) {
          want(id, x.data, x.bytes);
          continue;
        }
        ++bcasts;
        offer(id, x.data, x.bytes);
        if (x.recv) want(id, x.recv, x.bytes);
      }
    }
  }

 private:
  using key = std::tuple<std::uint64_t, int, int, int>;
  void offer(const key& id, const void* data, std::size_t bytes) {
    auto& bytes_of = sent_[id];
    if (data) bytes_of.assign(static_cast<const char*>(data), static_cast<const char*>(data) + bytes);
    else bytes_of.assign(bytes, '\x5a');  // nothing to send: garbage, as from the scratch
    auto range = waiting_.equal_range(id);
    for (auto it = range.first; it != range.second; ++it) deliver(bytes_of, it->second);
    waiting_.erase(range.first, range.second);
  }
  void want(const key& id, void* into, std::size_t bytes) {
    wanted_.insert(id);
    if (auto s = sent_.find(id); s != sent_.end()) return deliver(s->second, {into, bytes});
    waiting_.emplace(id, std::pair<void*, std::size_t>{into, bytes});
  }
  static void deliver(const std::vector<char>& from, std::pair<void*, std::size_t> to) {
    ASSERT_EQ(from.size(), to.second) << "a send and its receive disagree on the size";
    if (to.first) std::memcpy(to.first, from.data(), from.size());  // null: received and dropped
  }
  std::set<key> wanted_;
  std::map<int, std::uint64_t> issued_;
  std::map<key, std::vector<char>> sent_;
  std::multimap<key, std::pair<void*, std::size_t>> waiting_;
};

/// A "GPU" backend: host memory and CPU kernels, NCCL through the loopback.
class loopback_gpu final : public backend {
 public:
  loopback_gpu(loopback_nccl& net, int rank) : net_(net), rank_(rank) {}
  buffer_ptr alloc(std::size_t bytes) override {
    if (full) throw error(errc::memory_error, "Unable to allocate " + std::to_string(bytes) + " bytes (test: device full)");
    return cpu_->alloc(bytes);
  }
  bool full = false;  ///< every allocation fails, as on a full device
  void copy_strided(void* dst, const std::int64_t* ds, const void* src, const std::int64_t* ss,
                    const shape_t& shape, std::size_t isz) override {
    cpu_->copy_strided(dst, ds, src, ss, shape, isz);
  }
  void copy_bytes(void* dst, const void* src, std::size_t n) override { cpu_->copy_bytes(dst, src, n); }
  void zero(void* dst, std::size_t n) override { cpu_->zero(dst, n); }
  buffer_ptr fill(const fill_task& t) override { return cpu_->fill(t); }
  buffer_ptr host_tile(const host_task& t) override { return cpu_->host_tile(t); }
  void run(const program& p, const shape_t& tile, const std::vector<operand_view>& ins,
           const std::vector<void*>& outs) override {
    cpu_->run(p, tile, ins, outs);
  }
  buffer_ptr partial(const partial_task& t, const buffer_ptr& in) override { return cpu_->partial(t, in); }
  void combine(reduce_kind k, dtype t, void* acc, const void* part, std::int64_t n, std::int64_t* ai,
               const std::int64_t* pi) override {
    cpu_->combine(k, t, acc, part, n, ai, pi);
  }
  void matmul(dtype t, std::int64_t m, std::int64_t n, std::int64_t k, const void* a, const void* b,
              void* c) override {
    cpu_->matmul(t, m, n, k, a, b, c);
  }
  void run_kernel(const kernel_def& k, const kernel_args& args) override { cpu_->run_kernel(k, args); }
  buffer_ptr to_host(const buffer_ptr& b) override { return cpu_->to_host(b); }
  buffer_ptr from_host(const buffer_ptr& h) override { return cpu_->from_host(h); }
  void exchange(const std::vector<nccl::transfer>& xs, std::uint64_t seq) override {
    net_.exchange(rank_, xs, seq);
  }

 private:
  std::unique_ptr<backend> cpu_ = make_cpu_backend(1);
  loopback_nccl& net_;
  int rank_;
};

/// A cluster whose first `gpus` actors are "GPU" actors (NCCL ranks 0..gpus-1) with
/// collectives on; all-reduces stay off (the loopback has none), so reductions take the host.
/// (On the heap: the runners' mailbox callbacks hold the cluster's address.)
std::unique_ptr<cluster> gpu_cluster(loopback_nccl& net, int actors, int gpus, int tiles_per_actor = 1,
                                     bool local = false) {
  planner_config pc{actors, 4, tiles_per_actor};
  for (int g = 0; g < gpus; ++g) pc.gpu_group.push_back(g);
  pc.collective_min = 1 << 20;
  pc.nccl_local = local;
  auto c = std::make_unique<cluster>(pc, [&net, gpus](int i) -> std::unique_ptr<backend> {
    if (i < gpus) return std::make_unique<loopback_gpu>(net, i);
    return make_cpu_backend(2);
  });
  c->pl.enable_collectives();
  return c;
}

TEST(exchange, three_gpu_actors_send_receive_and_broadcast_pieces_over_nccl) {
  loopback_nccl net;
  auto cp = gpu_cluster(net, 3, 3);
  scenario_end_to_end(*cp);
  EXPECT_GT(net.p2p, 0);
  EXPECT_GT(net.bcasts, 0);  // the matmul's B tiles go to both other actors: broadcasts
  EXPECT_EQ(net.self, 0);
  EXPECT_EQ(net.unmatched(), 0u);
}

TEST(exchange, a_failed_source_is_sent_as_garbage_and_its_error_reaches_the_receivers) {
  loopback_nccl net;
  auto cp = gpu_cluster(net, 3, 3);
  scenario_failed_inputs(*cp);
  EXPECT_GT(net.p2p, 0);
  EXPECT_EQ(net.unmatched(), 0u);
}

// A receiver whose device is full still takes part (into the scratch): the sender is not left
// waiting, the consumer fails with MemoryError, and both keep working once memory is back.
TEST(exchange, a_receiver_without_memory_takes_part_and_its_consumer_fails) {
  loopback_nccl net;
  std::vector<loopback_gpu*> gpus;
  planner_config pc{2, 4, 1};
  pc.gpu_group = {0, 1};
  pc.collective_min = 1 << 20;
  cluster c(pc, [&](int i) -> std::unique_ptr<backend> {
    auto b = std::make_unique<loopback_gpu>(net, i);
    gpus.push_back(b.get());
    return b;
  });
  c.pl.enable_collectives();
  c.plan(fill_op(1, {8}, dtype::int64, fill_kind::arange, 0, 1));
  c.pump();
  gpus[1]->full = true;
  // reversed: each tile takes the other actor's tile
  c.plan(binary_op(2, opcode::add, dtype::int64, {8}, {1, index_view(view_map::identity({8}), {S({}, {}, -1)})},
                   plain(1, {8})));
  c.pump();
  EXPECT_TRUE(c.idle());
  EXPECT_EQ(net.unmatched(), 0u) << "a rank was left waiting on NCCL";
  gpus[1]->full = false;
  try {
    c.read<std::int64_t>(2);
    ADD_FAILURE() << "read without error";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::memory_error) << e.what();
  }
  c.plan(binary_op(3, opcode::add, dtype::int64, {8}, {1, index_view(view_map::identity({8}), {S({}, {}, -1)})},
                   plain(1, {8})));
  c.pump();
  EXPECT_EQ(c.read<std::int64_t>(3), (std::vector<std::int64_t>(8, 7)));
  EXPECT_EQ(net.unmatched(), 0u);
}

TEST(exchange, gpu_and_cpu_actors_mix_nccl_and_host_pieces) {
  loopback_nccl net;
  auto cp = gpu_cluster(net, 4, 2);
  scenario_end_to_end(*cp);
  EXPECT_GT(net.p2p + net.bcasts, 0);
}

TEST(exchange, test_mode_sends_one_actors_own_pieces_to_itself) {
  loopback_nccl net;
  auto cp = gpu_cluster(net, 1, 1, 3, true);
  scenario_end_to_end(*cp);
  EXPECT_GT(net.self, 0);
  EXPECT_GT(net.bcasts, 0);  // a source that several of its own tiles take
}

TEST(exchange, a_shard_moves_between_gpu_actors_over_nccl) {
  loopback_nccl net;
  auto cp = gpu_cluster(net, 2, 2);
  cluster& c = *cp;
  c.plan(fill_op(1, {6, 4}, dtype::float64, fill_kind::arange, 0, 1));
  const auto& e = c.pl.dir().at(1);
  ASSERT_EQ(e.til.count(), 2);
  ASSERT_EQ(e.owner[0], 0);
  task_lists tl;
  ASSERT_TRUE(c.pl.move_shard({e.keys[0], 0, 1}, tl));
  ASSERT_TRUE(std::holds_alternative<exchange_task>(tl[0].front()));
  ASSERT_TRUE(std::holds_alternative<exchange_task>(tl[1].front()));
  c.dispatch(tl);
  c.pump();
  EXPECT_EQ(net.p2p, 1);
  EXPECT_EQ(c.runners[0]->shard_count(), 0);
  std::vector<double> a(24);
  for (int i = 0; i < 24; ++i) a[static_cast<std::size_t>(i)] = i;
  EXPECT_EQ(c.read<double>(1), a);
}

}  // namespace
}  // namespace shoal::test
