// The runtime on a GPU actor: the same programs as on CPU actors give the same results; a
// device allocation that cannot succeed fails its task with memory_error, nothing else.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "actors/array.hpp"
#include "actors/gpu_backend.hpp"
#include "actors/runtime.hpp"
#include "arrays/errors.hpp"
#include "transport/nccl_comm.hpp"

namespace shoal {
namespace {

using i64 = std::int64_t;
using ix = index_item;

runtime_options opts(int gpus, int cpus, std::string placement = "default") {
  runtime_options o;
  o.gpus = gpus;
  o.cpus = cpus;
  o.min_tile_elems = 16;
  o.threads_per_actor = 1;
  o.timeout_ms = 60000;
  o.placement = std::move(placement);
  return o;
}

struct results {
  std::vector<double> elementwise, reduced, product, rand;
  std::vector<i64> ints, setitem, arg;
  i64 total = 0;
};

results compute() {
  results r;
  array x = arange(0.0, 300.0).reshape({20, 15});
  array y = linspace(-1.0, 1.0, 300).reshape({20, 15});
  r.elementwise = (x * y + 2.0).to_vector<double>();
  r.reduced = reduce(reduce_kind::sum, x * y, std::vector<i64>{0}).to_vector<double>();
  r.product = matmul(x, y.transpose()).to_vector<double>();
  array n = arange(std::int64_t{0}, std::int64_t{200});
  r.total = std::get<i64>(reduce(reduce_kind::sum, n).item());
  r.ints = (n * std::int64_t{3} - std::int64_t{7}).to_vector<i64>();
  r.arg = reduce(reduce_kind::argmax, n.reshape({10, 20}), std::vector<i64>{1}).to_vector<i64>();
  array s = zeros({12, 9}, dtype::int64);
  s.assign({ix::range(2, 10), ix::range({}, {}, 2)}, arange(std::int64_t{0}, std::int64_t{40}).reshape({8, 5}));
  s.assign({ix::at(0)}, std::int64_t{5});
  r.setitem = s.to_vector<i64>();
  r.rand = generator(7).random({33, 5}).to_vector<double>();  // bit-identical across devices
  return r;
}

void expect_same(const results& cpu, const results& gpu) {
  EXPECT_EQ(cpu.elementwise, gpu.elementwise);
  ASSERT_EQ(cpu.reduced.size(), gpu.reduced.size());
  for (std::size_t i = 0; i < cpu.reduced.size(); ++i)
    EXPECT_NEAR(cpu.reduced[i], gpu.reduced[i], 1e-9 * (1 + std::abs(cpu.reduced[i])));
  ASSERT_EQ(cpu.product.size(), gpu.product.size());
  for (std::size_t i = 0; i < cpu.product.size(); ++i)
    EXPECT_NEAR(cpu.product[i], gpu.product[i], 1e-9 * (1 + std::abs(cpu.product[i])));
  EXPECT_EQ(cpu.total, gpu.total);
  EXPECT_EQ(cpu.ints, gpu.ints);
  EXPECT_EQ(cpu.arg, gpu.arg);
  EXPECT_EQ(cpu.setitem, gpu.setitem);
  EXPECT_EQ(cpu.rand, gpu.rand);
}

class gpu_actor_test : public ::testing::Test {
 protected:
  void SetUp() override {
    if (gpu_count() < 1) GTEST_SKIP() << "no CUDA GPU visible";
    runtime::shutdown();
  }
  void TearDown() override { runtime::shutdown(); }
};

TEST_F(gpu_actor_test, info_lists_the_gpu_actor) {
  runtime::init(opts(1, 1));
  runtime_info inf = runtime::get().info();
  ASSERT_EQ(inf.actors.size(), 2u);
  EXPECT_EQ(inf.actors[0].name, "gpu0");
  EXPECT_EQ(inf.actors[0].kind, "gpu");
  EXPECT_EQ(inf.actors[1].kind, "cpu");
  array a = ones({1000});
  a.wait();
  inf = runtime::get().info();
  EXPECT_GT(inf.actors[0].shards, 0);
  EXPECT_EQ(inf.actors[1].shards, 0);  // placed on the GPU only
}

TEST_F(gpu_actor_test, same_results_as_cpu) {
  runtime::init(opts(0, 2));
  results cpu = compute();
  runtime::shutdown();
  runtime::init(opts(1, 1));
  results gpu = compute();
  expect_same(cpu, gpu);
  runtime::shutdown();
  runtime::init(opts(1, 2, "all"));  // shards over the GPU and both CPU actors
  results mixed = compute();
  expect_same(cpu, mixed);
}

/// Full reductions of every dtype and kind (those NCCL combines and those it leaves to the
/// host path), as doubles.
std::vector<double> reductions() {
  std::vector<double> out;
  array base = arange(std::int64_t{-500}, std::int64_t{1500});
  for (dtype t : {dtype::int32, dtype::int64, dtype::float32, dtype::float64}) {
    array x = base.astype(t);
    for (reduce_kind k : {reduce_kind::sum, reduce_kind::min, reduce_kind::max, reduce_kind::argmax})
      out.push_back(reduce(k, x).astype(dtype::float64).to_vector<double>().at(0));
    array small = (x * 0.00001 + 1.0).astype(t == dtype::float32 ? dtype::float32 : dtype::float64);
    out.push_back(reduce(reduce_kind::prod, small).astype(dtype::float64).to_vector<double>().at(0));
    out.push_back(reduce(reduce_kind::sum, x.reshape({40, 50}), std::vector<i64>{0})
                      .astype(dtype::float64).to_vector<double>().at(7));
  }
  out.push_back(reduce(reduce_kind::any, base.astype(dtype::bool_)).astype(dtype::float64).to_vector<double>().at(0));
  return out;
}

TEST_F(gpu_actor_test, reductions_through_nccl_match_the_cpu) {
  runtime::init(opts(0, 2));
  const results cpu = compute();
  const std::vector<double> cpu_red = reductions();
  runtime::shutdown();
  // One GPU is one NCCL rank: SHOAL_COLLECTIVE_MIN=1 sends full reductions through the
  // communicator anyway (the path several GPUs take), alone and with CPU actors' partials.
  ::setenv("SHOAL_COLLECTIVE_MIN", "1", 1);
  for (const char* placement : {"default", "all"}) {
    runtime::init(opts(1, 2, placement));
    ASSERT_TRUE(runtime::get().info().collectives) << "the GPU actor did not join NCCL";
    expect_same(cpu, compute());
    const std::vector<double> gpu_red = reductions();
    ASSERT_EQ(gpu_red.size(), cpu_red.size());
    for (std::size_t i = 0; i < cpu_red.size(); ++i)
      EXPECT_NEAR(gpu_red[i], cpu_red[i], 1e-3 * (1 + std::abs(cpu_red[i]))) << placement << " #" << i;
    // a failed input reaches the reader through the collective
    array x = arange(std::int64_t{0}, std::int64_t{30});
    array bad = binary(binary_op::power, x, full({30}, std::int64_t{-1}));
    try {
      reduce(reduce_kind::sum, bad).item();
      ADD_FAILURE() << "no error";
    } catch (const error& e) {
      EXPECT_EQ(e.code(), errc::value_error) << e.what();
    }
    EXPECT_EQ(std::get<i64>(reduce(reduce_kind::sum, x).item()), 435);  // and it keeps working
    runtime::shutdown();
  }
  ::unsetenv("SHOAL_COLLECTIVE_MIN");
}

// One GPU cannot hold two NCCL ranks, so SHOAL_NCCL_LOCAL=1 sends the GPU actor's pieces of
// its own shards through its one-rank communicator (send to itself, broadcast): the path
// pieces between GPUs take. Same results as the CPU, and the transfers did happen.
TEST_F(gpu_actor_test, pieces_over_nccl_match_the_cpu) {
  runtime::init(opts(0, 2));
  const results cpu = compute();
  runtime::shutdown();
  ::setenv("SHOAL_COLLECTIVE_MIN", "1", 1);
  ::setenv("SHOAL_NCCL_LOCAL", "1", 1);
  for (const char* placement : {"default", "all"}) {
    runtime::init(opts(1, 2, placement));
    ASSERT_TRUE(runtime::get().info().collectives) << "the GPU actor did not join NCCL";
    const auto before = nccl::communicator::transfers_issued();
    expect_same(cpu, compute());
    // concatenating an array with itself: one source, two pieces: a broadcast
    array a = arange(std::int64_t{0}, std::int64_t{50});
    EXPECT_EQ(concatenate({a, a}, 0).to_vector<i64>().at(73), 23);
    EXPECT_GT(nccl::communicator::transfers_issued(), before) << placement;
    // a failed source still takes part; its error reaches the reader
    array bad = binary(binary_op::power, a, full({50}, std::int64_t{-1}));
    try {
      bad.reshape({5, 10}).transpose().to_vector<i64>();
      ADD_FAILURE() << "no error";
    } catch (const error& e) {
      EXPECT_EQ(e.code(), errc::value_error) << e.what();
    }
    EXPECT_EQ(a.reshape({10, 5}).transpose().to_vector<i64>().at(1), 5);  // and it keeps working
    runtime::shutdown();
  }
  ::unsetenv("SHOAL_NCCL_LOCAL");
  ::unsetenv("SHOAL_COLLECTIVE_MIN");
}

TEST_F(gpu_actor_test, integer_power_error_reaches_the_reader) {
  runtime::init(opts(1, 1));
  array x = arange(std::int64_t{0}, std::int64_t{30});
  array p = binary(binary_op::power, x, full({30}, std::int64_t{-1}));
  try {
    p.to_vector<i64>();
    ADD_FAILURE() << "no error";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::value_error) << e.what();
  }
  EXPECT_EQ(std::get<i64>(reduce(reduce_kind::sum, x).item()), 435);
}

TEST_F(gpu_actor_test, out_of_device_memory_is_a_memory_error) {
  runtime::init(opts(1, 1));
  // 2^45 bytes (32 TiB): more than any device has.
  array big = zeros({i64{1} << 42}, dtype::float64);
  try {
    reduce(reduce_kind::sum, big).item();
    ADD_FAILURE() << "no error";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::memory_error) << e.what();
  }
  // the runtime keeps working
  array a = arange(std::int64_t{0}, std::int64_t{100});
  EXPECT_EQ(std::get<i64>(reduce(reduce_kind::sum, a).item()), 4950);
}

}  // namespace
}  // namespace shoal
