// Pipelines on real actors: results of generator and shard-stream pipelines, the bound that
// backpressure keeps on the shards in flight (counted, never timed), zero-copy shard streams
// in the owning process, and errors of a stage reaching wait().
#include "actors/pipeline.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "actors/runtime.hpp"
#include "actors/test_options.hpp"

namespace shoal::pipeline {
namespace {

using i64 = std::int64_t;

class pipeline_test : public ::testing::Test {
 protected:
  void SetUp() override { runtime::init(test_runtime_options(3)); }
  void TearDown() override { runtime::shutdown(); }
};

/// Shards of `n` doubles i, i+1, ... whose buffers count themselves while alive.
struct live_counter {
  std::atomic<i64> live{0}, max_live{0};
  shard make(i64 seq, i64 n) {
    shard s = make_shard(static_cast<std::uint64_t>(seq), box{{seq * n}, {seq * n + n}}, {1 << 20}, dtype::float64);
    for (i64 i = 0; i < n; ++i) mutable_data<double>(s)[i] = static_cast<double>(seq * n + i);
    return track(std::move(s));
  }
  shard track(shard s) {
    i64 now = ++live;
    i64 m = max_live.load();
    while (now > m && !max_live.compare_exchange_weak(m, now)) {}
    auto inner = s.data;
    s.data = std::shared_ptr<const buffer>(inner.get(), [this, inner](const buffer*) { --live; });
    return s;
  }
};

TEST_F(pipeline_test, generate_transform_reduce) {
  auto [sink, total] = spawn_fold_sink(0.0, [](double& acc, const shard& s) {
    for (i64 i = 0; i < s.size(); ++i) acc += s.as<double>()[i];
  });
  auto twice = spawn_stage([](const shard& s) -> std::optional<shard> {
    if (s.seq % 5 == 4) return std::nullopt;  // a filter: every fifth shard is dropped
    shard o = make_shard(s.seq, s.tile, s.global_shape, s.type);
    for (i64 i = 0; i < s.size(); ++i) mutable_data<double>(o)[i] = 2 * s.as<double>()[i];
    return o;
  }, sink, 3);
  live_counter c;
  run r = run_generator(40, [&](i64 i) { return c.make(i, 10); }, twice, 2);
  r.wait();
  double want = 0;
  for (i64 s = 0; s < 40; ++s)
    if (s % 5 != 4)
      for (i64 i = 0; i < 10; ++i) want += 2.0 * static_cast<double>(s * 10 + i);
  EXPECT_DOUBLE_EQ(*total, want);
  EXPECT_EQ(r.stats().sent.load(), 40);
  EXPECT_LE(r.stats().max_in_flight.load(), 2);
  EXPECT_EQ(c.live.load(), 0);
}

TEST_F(pipeline_test, slow_sink_bounds_shards_in_flight) {
  const int w1 = 3, w2 = 2;  // credits: source -> stage, stage -> sink
  live_counter c;
  std::promise<void> gate;
  std::shared_future<void> opened = gate.get_future().share();
  std::atomic<i64> seen{0};
  auto [sink, total] = spawn_fold_sink(i64{0}, [&, opened](i64& acc, const shard& s) {
    opened.wait();  // the sink is stuck until the test has looked at the pipeline
    ++seen;
    acc += static_cast<i64>(s.as<double>()[0]);
  });
  auto copy = spawn_stage([&](const shard& s) -> std::optional<shard> {
    shard o = make_shard(s.seq, s.tile, s.global_shape, s.type);
    std::copy(s.as<double>(), s.as<double>() + s.size(), mutable_data<double>(o));
    return c.track(std::move(o));
  }, sink, w2);
  run r = run_generator(100, [&](i64 i) { return c.make(i, 64); }, copy, w1);
  // With the sink stuck, the source must run out of credits and pause.
  while (r.stats().stalls.load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  // Each link's credits, plus one shard per receiving actor (stage, sink): the message it is
  // handling, which may outlive the acknowledgment it already sent upstream.
  const i64 bound = w1 + w2 + 2;
  EXPECT_LE(c.live.load(), bound);
  EXPECT_EQ(seen.load(), 0);
  EXPECT_LT(r.stats().sent.load(), 100);
  gate.set_value();
  r.wait();
  EXPECT_EQ(seen.load(), 100);
  EXPECT_LE(c.max_live.load(), bound);
  EXPECT_LE(r.stats().max_in_flight.load(), w1);
  EXPECT_GT(r.stats().stalls.load(), 0);
  i64 want = 0;
  for (i64 s = 0; s < 100; ++s) want += s * 64;
  EXPECT_EQ(*total, want);
  EXPECT_EQ(c.live.load(), 0);
}

TEST_F(pipeline_test, shard_stream_of_an_array) {
  const i64 r = 13, cols = 9;
  std::vector<double> host(static_cast<std::size_t>(r * cols));
  for (std::size_t i = 0; i < host.size(); ++i) host[i] = static_cast<double>(i) * 0.5;
  array a = from_vector(host, {r, cols}) + 1.0;  // a lazy expression: computed before streaming
  auto [sink, out] = spawn_assemble_sink({r, cols}, dtype::float64);
  std::mutex mu;
  std::map<std::uint64_t, const void*> ptrs;
  auto square = spawn_stage([&](const shard& s) -> std::optional<shard> {
    {
      std::lock_guard<std::mutex> g(mu);
      ptrs[s.seq] = s.data->data();
    }
    shard o = make_shard(s.seq, s.tile, s.global_shape, s.type);
    for (i64 i = 0; i < s.size(); ++i) mutable_data<double>(o)[i] = s.as<double>()[i] * s.as<double>()[i];
    return o;
  }, sink);
  run p = run_array(a, square, 3);
  p.wait();
  EXPECT_EQ(ptrs.size(), 3u);  // one tile per actor
  EXPECT_EQ(p.stats().sent.load(), static_cast<i64>(ptrs.size()));
  auto got = out->to_array().to_vector<double>();
  for (std::size_t i = 0; i < host.size(); ++i) ASSERT_DOUBLE_EQ(got[i], (host[i] + 1) * (host[i] + 1)) << i;

  // Streaming again hands out the very same shard buffers: in-process shards are not copied.
  std::map<std::uint64_t, const void*> again;
  auto probe = spawn_sink([&](const shard& s) {
    std::lock_guard<std::mutex> g(mu);
    again[s.seq] = s.data->data();
  });
  run_array(a, probe, 2).wait();
  EXPECT_EQ(again, ptrs);
}

TEST_F(pipeline_test, stage_errors_reach_wait) {
  auto sink = spawn_sink([](const shard&) {});
  auto bad = spawn_stage([](const shard& s) -> std::optional<shard> {
    if (s.seq == 5) throw error(errc::value_error, "stage: shard 5 is bad");
    return s;
  }, sink);
  live_counter c;
  run r = run_generator(20, [&](i64 i) { return c.make(i, 4); }, bad);
  try {
    r.wait();
    FAIL() << "no error";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::value_error);
    EXPECT_STREQ(e.what(), "stage: shard 5 is bad");
  }
  // A failing source stops too.
  run r2 = run_generator(10, [&](i64 i) -> shard {
    if (i == 3) throw error(errc::runtime_error, "source broke");
    return c.make(i, 4);
  }, spawn_sink([](const shard&) {}));
  EXPECT_THROW(r2.wait(), error);
}

}  // namespace
}  // namespace shoal::pipeline
