// Envelope encode/decode, and whole multipart messages over real zmq sockets.
#include "transport/envelope.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "transport/frame_field.hpp"
#include "transport/multipart.hpp"

namespace shoal::transport {
namespace {

/// A payload with a buffer, through the codec's frame hooks.
struct shard_msg {
  uint64_t key = 0;
  std::vector<int64_t> shape;
  buffer_ptr data;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shard_msg& x) {
  frame_field data{x.data};
  return f(x.key, x.shape, data);
}

buffer_ptr pattern(size_t n) {
  auto b = make_buffer(n);
  for (size_t i = 0; i < n; ++i) b->data()[i] = std::byte(static_cast<uint8_t>(i * 7));
  return b;
}

envelope_header sample_header() {
  return envelope_header{.type = 9, .source = "127.0.0.1:5555", .destination = 3, .sequence = 77};
}

std::vector<char> head_bytes(const std::vector<zmq::message_t>& parts) {
  const auto* p = static_cast<const char*>(parts[0].data());
  return std::vector<char>(p, p + parts[0].size());
}

TEST(Envelope, RoundTripWithFrames) {
  shard_msg m{42, {3, 4}, pattern(1 << 20)};
  auto parts = encode(sample_header(), m);
  ASSERT_TRUE(parts) << parts.error().message;
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[1].data(), m.data->data());  // sent in place, not copied
  auto e = decode_envelope(std::move(*parts));
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_EQ(e->header, sample_header());
  auto y = decode_payload<shard_msg>(*e);
  ASSERT_TRUE(y) << y.error().message;
  EXPECT_EQ(y->key, 42u);
  EXPECT_EQ(y->shape, (std::vector<int64_t>{3, 4}));
  ASSERT_EQ(y->data->bytes(), m.data->bytes());
  EXPECT_EQ(std::memcmp(y->data->data(), m.data->data(), m.data->bytes()), 0);
}

TEST(Envelope, WrongVersionIsRefusedByName) {
  auto parts = encode(sample_header(), std::string("x"));
  ASSERT_TRUE(parts);
  auto head = head_bytes(*parts);
  ASSERT_EQ(head[0], '\x01');  // version 1 as a positive fixint
  head[0] = '\x02';
  auto e = decode_envelope(head, {});
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("protocol version 2"), std::string::npos) << e.error().message;
}

TEST(Envelope, TruncatedHeadersAreRefused) {
  auto parts = encode(sample_header(), int32_t{5});
  ASSERT_TRUE(parts);
  auto head = head_bytes(*parts);
  // Every prefix shorter than the header fails; the payload is checked by decode_payload.
  for (size_t n = 0; n + 1 < head.size(); ++n) {
    auto e = decode_envelope(std::span<const char>(head.data(), n), {});
    if (e) {
      EXPECT_FALSE(decode_payload<int32_t>(*e)) << "prefix " << n;
    } else {
      EXPECT_FALSE(e.error().message.empty());
    }
  }
}

TEST(Envelope, OversizedPartsAreRefused) {
  decode_limits limits;
  limits.max_envelope_bytes = 64;
  auto big = encode(sample_header(), std::string(100, 'x'));
  ASSERT_TRUE(big);
  auto e = decode_envelope(std::move(*big), limits);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("exceeds the limit"), std::string::npos);

  limits = {};
  limits.max_frames = 1;
  auto parts = encode(sample_header(), std::vector<shard_msg>{{1, {}, pattern(1)}, {2, {}, pattern(1)}});
  ASSERT_TRUE(parts);
  EXPECT_FALSE(decode_envelope(std::move(*parts), limits));
  limits = {};
  limits.max_frame_bytes = 10;
  auto eleven = encode(sample_header(), shard_msg{1, {}, pattern(11)});
  ASSERT_TRUE(eleven);
  auto big_frame = decode_envelope(std::move(*eleven), limits);
  ASSERT_FALSE(big_frame);
  EXPECT_NE(big_frame.error().message.find("exceeds the limit"), std::string::npos)
      << big_frame.error().message;
}

TEST(Envelope, LargeFramesTravelInChunksAndComeBackWhole) {
  shard_msg m{1, {}, pattern((size_t{10} << 20) + 3)};
  auto parts = encode(sample_header(), m, curve_chunk_bytes);
  ASSERT_TRUE(parts);
  ASSERT_EQ(parts->size(), 1u + 3u);  // 4 + 4 + 2 MiB (+3 bytes)
  auto e = decode_envelope(std::move(*parts));
  ASSERT_TRUE(e) << e.error().message;
  auto y = decode_payload<shard_msg>(*e);
  ASSERT_TRUE(y) << y.error().message;
  ASSERT_EQ(y->data->bytes(), m.data->bytes());
  EXPECT_EQ(std::memcmp(y->data->data(), m.data->data(), m.data->bytes()), 0);
  auto whole = encode(sample_header(), m);  // by default one part per frame
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->size(), 2u);
}

TEST(Envelope, PartsThatDoNotMatchTheFrameTableAreRefused) {
  auto parts = encode(sample_header(), shard_msg{1, {}, pattern(100)}, 40);  // 40 + 40 + 20
  ASSERT_TRUE(parts);
  auto head = head_bytes(*parts);
  auto part = [](size_t n) { return pattern(n); };
  EXPECT_TRUE(decode_envelope(head, {part(40), part(40), part(20)}));
  EXPECT_TRUE(decode_envelope(head, {part(100)}));
  EXPECT_FALSE(decode_envelope(head, {part(40), part(40)}));             // short
  EXPECT_FALSE(decode_envelope(head, {part(40), part(40), part(30)}));   // overlong part
  EXPECT_FALSE(decode_envelope(head, {part(100), part(1)}));             // extra part
  EXPECT_FALSE(decode_envelope(head, {part(40), part(0), part(60)}));    // empty chunk
  EXPECT_FALSE(decode_envelope(head, {}));
}

TEST(Envelope, LongSourceIsRefused) {
  auto h = sample_header();
  h.source = std::string(max_source_bytes + 1, 's');
  auto parts = encode(h, int32_t{1});
  ASSERT_TRUE(parts);
  EXPECT_FALSE(decode_envelope(std::move(*parts)));
}

TEST(Envelope, GarbageAndEmptyAreRefused) {
  EXPECT_FALSE(decode_envelope(std::vector<zmq::message_t>{}));
  EXPECT_FALSE(decode_envelope(std::span<const char>(), {}));
  const std::string http = "GET / HTTP/1.1\r\n\r\n";  // 'G' reads as version 71
  auto h = decode_envelope(std::span<const char>(http.data(), http.size()), {});
  ASSERT_FALSE(h);
  EXPECT_NE(h.error().message.find("protocol version 71"), std::string::npos) << h.error().message;
  const std::string junk = "\xc1\x00junk";  // 0xc1 is never used by msgpack
  auto e = decode_envelope(std::span<const char>(junk.data(), junk.size()), {});
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("not a shoal envelope"), std::string::npos) << e.error().message;
}

TEST(Envelope, RandomBytesNeverCrash) {
  std::mt19937_64 rng(7);
  auto good = head_bytes(*encode(sample_header(), shard_msg{1, {2}, nullptr}));
  for (int round = 0; round < 20000; ++round) {
    std::vector<char> bytes = good;
    if (round % 3 == 0) bytes.resize(rng() % (good.size() + 1));
    for (int k = 0; k < 1 + round % 4; ++k)
      if (!bytes.empty()) bytes[rng() % bytes.size()] = static_cast<char>(rng());
    auto e = decode_envelope(bytes, {});
    if (e) (void)decode_payload<shard_msg>(*e);
  }
  SUCCEED();
}

TEST(Multipart, DealerToRouterAndBackZeroCopyInproc) {
  zmq::context_t ctx;
  zmq::socket_t router(ctx, zmq::socket_type::router);
  zmq::socket_t dealer(ctx, zmq::socket_type::dealer);
  router.set(zmq::sockopt::rcvtimeo, 5000);
  dealer.set(zmq::sockopt::rcvtimeo, 5000);
  router.bind("inproc://envelope-test");
  dealer.connect("inproc://envelope-test");

  shard_msg m{5, {8}, pattern(4096)};
  ASSERT_FALSE(send_message(dealer, sample_header(), m));
  std::string peer;
  auto got = recv_envelope(router, {}, &peer);
  ASSERT_TRUE(got) << got.error().message;
  ASSERT_TRUE(got->has_value());
  EXPECT_FALSE(peer.empty());
  auto y = decode_payload<shard_msg>(**got);
  ASSERT_TRUE(y) << y.error().message;
  EXPECT_EQ(y->data->data(), m.data->data());  // inproc shares the bytes: no copy at all

  // Reply to that peer.
  ASSERT_FALSE(send_message(router, sample_header(), std::string("pong"), &peer));
  auto back = recv_envelope(dealer);
  ASSERT_TRUE(back && back->has_value());
  EXPECT_EQ(*decode_payload<std::string>(**back), "pong");
}

TEST(Multipart, TimeoutIsNotAnError) {
  zmq::context_t ctx;
  zmq::socket_t pull(ctx, zmq::socket_type::pull);
  pull.set(zmq::sockopt::rcvtimeo, 10);
  pull.bind("inproc://quiet");
  auto got = recv_envelope(pull);
  ASSERT_TRUE(got);
  EXPECT_FALSE(got->has_value());
}

TEST(Multipart, TooManyPartsAreDrainedAndRefused) {
  zmq::context_t ctx;
  zmq::socket_t push(ctx, zmq::socket_type::push);
  zmq::socket_t pull(ctx, zmq::socket_type::pull);
  pull.set(zmq::sockopt::rcvtimeo, 5000);
  pull.bind("inproc://many");
  push.connect("inproc://many");
  decode_limits limits;
  limits.max_parts = 3;
  std::vector<zmq::message_t> parts(10);
  ASSERT_FALSE(send_parts(push, std::move(parts)));
  ASSERT_FALSE(send_message(push, sample_header(), int32_t{3}));
  auto bad = recv_envelope(pull, limits);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("10 parts"), std::string::npos) << bad.error().message;
  auto good = recv_envelope(pull, limits);  // the next message starts clean
  ASSERT_TRUE(good && good->has_value()) << (good ? "" : good.error().message);
  EXPECT_EQ(*decode_payload<int32_t>(**good), 3);
}

}  // namespace
}  // namespace shoal::transport
