// The NCCL bootstrap's wire messages (actors/nccl_bootstrap.hpp): the join request (session,
// nccl::member with all 128 unique-id bytes) and its answer survive the whole wire, a
// truncated request is refused, and the GPU actors of a cluster form the group in order.
#include "actors/nccl_bootstrap.hpp"

#include <gtest/gtest.h>

#include "actors/wire_codec.hpp"
#include "transport/envelope.hpp"
#include "transport/nccl_id.hpp"

namespace shoal {
namespace {

transport::envelope through_wire(wire::message m) {
  auto parts = transport::encode_packed(m.h, std::move(m.body));
  auto env = transport::decode_envelope(std::move(parts));
  EXPECT_TRUE(env) << (env ? "" : env.error().message);
  return std::move(*env);
}

nccl::member sample_member() {
  nccl::member m;
  m.id.resize(128);
  for (std::size_t i = 0; i < m.id.size(); ++i) m.id[i] = static_cast<char>((i * 37 + 11) & 0xff);
  m.id[5] = '\0';  // an id is bytes, not text: zeros inside must survive
  m.rank = 2;
  m.nranks = 5;
  return m;
}

TEST(nccl_bootstrap, join_request_round_trip) {
  nccl::member m = sample_member();
  std::uint64_t session = 0xfeedface12345678ull;
  auto in = through_wire(wire::encode(wire::make_header(wire::msg_type::nccl_join, 4, 99), session, m));
  EXPECT_EQ(wire::type_of(in), wire::msg_type::nccl_join);
  EXPECT_EQ(in.header.destination, 4);
  std::uint64_t s2 = 0;
  nccl::member m2;
  auto err = wire::decode(in, s2, m2);
  ASSERT_FALSE(err) << err.message;
  EXPECT_EQ(s2, session);
  EXPECT_EQ(m2.id, m.id);
  EXPECT_EQ(m2.id.size(), 128u);
  EXPECT_EQ(m2.rank, 2);
  EXPECT_EQ(m2.nranks, 5);
}

TEST(nccl_bootstrap, join_reply_round_trip) {
  for (std::string why : {std::string(), std::string("NCCL join timed out after 60000 ms")}) {
    auto in = through_wire(wire::encode(wire::make_header(wire::msg_type::nccl_join_reply, -1, 7), why));
    std::string back = "x";
    ASSERT_FALSE(wire::decode(in, back));
    EXPECT_EQ(back, why);
  }
}

TEST(nccl_bootstrap, truncated_or_short_request_is_refused) {
  nccl::member m = sample_member();
  std::uint64_t session = 1;
  // The session alone: the member is missing.
  auto in = through_wire(wire::encode(wire::make_header(wire::msg_type::nccl_join), session));
  std::uint64_t s2 = 0;
  nccl::member m2;
  EXPECT_TRUE(wire::decode(in, s2, m2));
  // Payload bytes cut short.
  auto full = wire::encode(wire::make_header(wire::msg_type::nccl_join), session, m);
  for (std::size_t cut : {std::size_t{1}, std::size_t{40}, full.body.bytes.size() - 1}) {
    auto part = full;
    part.body.bytes.resize(full.body.bytes.size() - cut);
    auto env = through_wire(std::move(part));
    EXPECT_TRUE(wire::decode(env, s2, m2)) << "cut " << cut;
  }
}

TEST(nccl_bootstrap, gpu_actors_form_the_group_in_order) {
  std::vector<actor_info> infos(5);
  const char* kinds[] = {"cpu", "gpu", "cpu", "gpu", "gpu"};
  for (int i = 0; i < 5; ++i) infos[static_cast<std::size_t>(i)].kind = kinds[i];
  planner_config pc;
  remote_nccl_group(infos, pc);
#ifdef SHOAL_WITH_CUDA
  EXPECT_EQ(pc.gpu_group, (std::vector<int>{1, 3, 4}));  // rank r = the r-th GPU actor
#else
  EXPECT_TRUE(pc.gpu_group.empty());  // a CPU build's driver plans no collectives
#endif
}

}  // namespace
}  // namespace shoal
