// The NCCL communicator with the one rank a one-GPU machine allows: join, an all-reduce with
// the failure flag, a broadcast, an exchange (send to itself, broadcast), the collective order
// check, and a join that never completes
// (a second rank that never comes) timing out instead of hanging. Collectives among two or
// more ranks need two GPUs and are not covered here.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <vector>

#include "arrays/cuda/device.hpp"
#include "arrays/errors.hpp"
#include "transport/nccl_comm.hpp"

namespace shoal::nccl {
namespace {

#define SHOAL_REQUIRE_GPU() \
  if (cuda::device_count() == 0) GTEST_SKIP() << "no CUDA device visible"

template <class T> std::vector<T> down(const cuda::device_buffer& d, std::size_t n, cudaStream_t s) {
  std::vector<T> h(n);
  cuda::check(cudaMemcpyAsync(h.data(), d.data(), n * sizeof(T), cudaMemcpyDeviceToHost, s), "D2H");
  cuda::check(cudaStreamSynchronize(s), "sync");
  return h;
}

template <class T> void up(cuda::device_buffer& d, const std::vector<T>& h, cudaStream_t s) {
  cuda::check(cudaMemcpyAsync(d.data(), h.data(), h.size() * sizeof(T), cudaMemcpyHostToDevice, s), "H2D");
}

TEST(NcclComm, OneRankAllReduceAndBroadcast) {
  SHOAL_REQUIRE_GPU();
  member m{make_unique_id(), 0, 1};
  EXPECT_EQ(m.id.size(), 128u);
  communicator c(m, 0, std::chrono::seconds(60));
  EXPECT_EQ(c.rank(), 0);
  EXPECT_EQ(c.size(), 1);
  cuda::stream st;
  std::vector<float> v = {1.5f, -2.f, 3.25f, 1e30f};
  cuda::device_buffer d(v.size() * sizeof(float), st.get());
  up(d, v, st.get());
  c.all_reduce(d.data(), v.size(), dtype::float32, reduce_kind::sum, st.get(), 1);
  EXPECT_EQ(down<float>(d, v.size(), st.get()), v);  // one rank: the sum is its own values

  std::vector<std::int64_t> iv = {5, -7, 1LL << 40};
  cuda::device_buffer di(iv.size() * 8, st.get());
  cuda::device_buffer flag(4, st.get());
  up(di, iv, st.get());
  up(flag, std::vector<std::int32_t>{6}, st.get());
  c.all_reduce(di.data(), iv.size(), dtype::int64, reduce_kind::max, st.get(), 2,
               static_cast<std::int32_t*>(flag.data()));
  EXPECT_EQ(down<std::int64_t>(di, iv.size(), st.get()), iv);
  EXPECT_EQ(down<std::int32_t>(flag, 1, st.get())[0], 6);

  c.broadcast(di.data(), iv.size() * 8, 0, st.get(), 3);
  EXPECT_EQ(down<std::int64_t>(di, iv.size(), st.get()), iv);
  EXPECT_EQ(c.issued(), 3u);
}

TEST(NcclComm, RefusesCollectivesOutOfOrderAndTypesNcclCannotCombine) {
  SHOAL_REQUIRE_GPU();
  communicator c(member{make_unique_id(), 0, 1}, 0);
  cuda::stream st;
  cuda::device_buffer d(64, st.get());
  EXPECT_THROW(c.all_reduce(d.data(), 4, dtype::float32, reduce_kind::min, st.get(), 1), error);
  EXPECT_THROW(c.all_reduce(d.data(), 4, dtype::bool_, reduce_kind::sum, st.get(), 1), error);
  EXPECT_EQ(c.issued(), 0u);
  // Numbers may skip (an exchange among other ranks took number 1) but never go back.
  c.all_reduce(d.data(), 4, dtype::int32, reduce_kind::min, st.get(), 2);
  EXPECT_THROW(c.all_reduce(d.data(), 4, dtype::float32, reduce_kind::sum, st.get(), 2), error);
  EXPECT_THROW(c.exchange({}, st.get(), 1), error);
  EXPECT_EQ(c.issued(), 2u);
  cuda::check(cudaStreamSynchronize(st.get()), "sync");
}

// One exchange group: a send to itself with its receive, a broadcast whose root keeps a copy,
// and a 0-byte transfer that is skipped.
TEST(NcclComm, OneRankExchangeSendsReceivesAndBroadcasts) {
  SHOAL_REQUIRE_GPU();
  communicator c(member{make_unique_id(), 0, 1}, 0);
  cuda::stream st;
  std::vector<std::int32_t> a = {3, -1, 4, 1, -5}, b = {9, 2, 6};
  cuda::device_buffer da(a.size() * 4, st.get()), db(b.size() * 4, st.get());
  cuda::device_buffer ra(a.size() * 4, st.get()), rb(b.size() * 4, st.get());
  up(da, a, st.get());
  up(db, b, st.get());
  std::vector<transfer> xs = {
      {transfer::kind::bcast, 0, db.data(), b.size() * 4, rb.data()},
      {transfer::kind::send, 0, da.data(), a.size() * 4},
      {transfer::kind::recv, 0, ra.data(), a.size() * 4},
      {transfer::kind::send, 0, nullptr, 0},
      {transfer::kind::recv, 0, nullptr, 0},
  };
  c.exchange(xs, st.get(), 4);
  EXPECT_EQ(down<std::int32_t>(ra, a.size(), st.get()), a);
  EXPECT_EQ(down<std::int32_t>(rb, b.size(), st.get()), b);
  EXPECT_EQ(c.issued(), 4u);
  std::vector<transfer> bad = {{transfer::kind::send, 1, da.data(), 4}};
  EXPECT_THROW(c.exchange(bad, st.get(), 5), error);  // rank 1 of 1

  // Nothing to send and nowhere to receive (null data): both through the scratch buffer.
  std::vector<transfer> sink = {{transfer::kind::send, 0, nullptr, 1000}, {transfer::kind::recv, 0, nullptr, 1000}};
  c.exchange(sink, st.get(), 6);
  // A transfer longer than one chunk goes in pieces that both sides cut alike.
  const std::size_t big = communicator::chunk_bytes + 4096;
  cuda::device_buffer src(big, st.get()), dst(big, st.get());
  std::vector<std::int32_t> tail(1024);
  for (std::size_t i = 0; i < tail.size(); ++i) tail[i] = static_cast<std::int32_t>(i * 7 + 1);
  cuda::check(cudaMemsetAsync(src.data(), 0, big, st.get()), "memset");
  cuda::check(cudaMemcpyAsync(static_cast<char*>(src.data()) + big - 4096, tail.data(), 4096,
                              cudaMemcpyHostToDevice, st.get()), "H2D");
  c.exchange({{transfer::kind::send, 0, src.data(), big}, {transfer::kind::recv, 0, dst.data(), big}}, st.get(), 7);
  std::vector<std::int32_t> got(1024);
  cuda::check(cudaMemcpyAsync(got.data(), static_cast<char*>(dst.data()) + big - 4096, 4096,
                              cudaMemcpyDeviceToHost, st.get()), "D2H");
  cuda::check(cudaStreamSynchronize(st.get()), "sync");
  EXPECT_EQ(got, tail);
}

TEST(NcclComm, WhatNcclCombinesAsNumpyDoes) {
  EXPECT_TRUE(can_all_reduce(reduce_kind::sum, dtype::float32));
  EXPECT_TRUE(can_all_reduce(reduce_kind::prod, dtype::int64));
  EXPECT_TRUE(can_all_reduce(reduce_kind::max, dtype::int32));
  EXPECT_FALSE(can_all_reduce(reduce_kind::max, dtype::float64));  // NaN rules differ
  EXPECT_FALSE(can_all_reduce(reduce_kind::sum, dtype::bool_));
  EXPECT_FALSE(can_all_reduce(reduce_kind::argmax, dtype::int64));
  EXPECT_FALSE(can_all_reduce(reduce_kind::any, dtype::bool_));
}

TEST(NcclComm, BadMembershipIsAValueError) {
  SHOAL_REQUIRE_GPU();
  EXPECT_THROW(communicator(member{"short", 0, 1}, 0), error);
  EXPECT_THROW(communicator(member{make_unique_id(), 1, 1}, 0), error);
}

TEST(NcclComm, AJoinWhoseOtherRankNeverComesTimesOut) {
  SHOAL_REQUIRE_GPU();
  try {
    communicator c(member{make_unique_id(), 0, 2}, 0, std::chrono::milliseconds(3000));
    ADD_FAILURE() << "joined a two-rank communicator alone";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::runtime_error) << e.what();
  }
}

}  // namespace
}  // namespace shoal::nccl
