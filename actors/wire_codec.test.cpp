// Round trips of every wire struct through its inspect functions (the interim codec), and
// rejection of truncated / trailing / wrong-version bytes.
#include "actors/wire_codec.hpp"

#include <gtest/gtest.h>

#include <cstring>

#include "transport/envelope.hpp"

#include "actors/messages.hpp"

namespace shoal {
namespace {

buffer_ptr bytes_of(std::initializer_list<int> v) {
  auto b = make_buffer(v.size());
  std::size_t i = 0;
  for (int x : v) b->data()[i++] = static_cast<std::byte>(x);
  return b;
}

/// Through the whole wire: encode, transport's multipart form, decode_envelope, decode.
transport::envelope through_wire(wire::message m) {
  auto parts = transport::encode_packed(m.h, std::move(m.body));
  auto env = transport::decode_envelope(std::move(parts));
  EXPECT_TRUE(env) << (env ? "" : env.error().message);
  return std::move(*env);
}

template <class T>
T round_trip(T x, std::size_t* frames = nullptr) {
  wire::header h = wire::make_header(wire::msg_type::tasks, 3, 42);
  h.source = "tcp://127.0.0.1:1";
  wire::message m = wire::encode(h, x);
  if (frames) *frames = m.body.frames.size();
  transport::envelope in = through_wire(std::move(m));
  EXPECT_EQ(wire::type_of(in), wire::msg_type::tasks);
  EXPECT_EQ(in.header.destination, 3);
  EXPECT_EQ(in.header.sequence, 42u);
  EXPECT_EQ(in.header.source, "tcp://127.0.0.1:1");
  T out;
  auto err = wire::decode(in, out);
  EXPECT_FALSE(err) << err.message;
  return out;
}

TEST(wire_codec, piece_with_frame) {
  piece_msg p{7, bytes_of({1, 2, 3}), {}};
  std::size_t frames = 0;
  piece_msg q = round_trip(p, &frames);
  EXPECT_EQ(frames, 1u);
  EXPECT_EQ(q.tag, 7u);
  ASSERT_TRUE(q.data);
  ASSERT_EQ(q.data->bytes(), 3u);
  EXPECT_EQ(std::memcmp(q.data->data(), p.data->data(), 3), 0);
}

TEST(wire_codec, piece_with_error_has_no_frame) {
  piece_msg p{9, nullptr, {errc::value_error, "bad"}};
  std::size_t frames = 1;
  piece_msg q = round_trip(p, &frames);
  EXPECT_EQ(frames, 0u);
  EXPECT_FALSE(q.data);
  EXPECT_EQ(q.err.code, errc::value_error);
  EXPECT_EQ(q.err.message, "bad");
}

TEST(wire_codec, every_task_kind) {
  task_batch b;
  fill_task f{};
  f.out = 5;
  f.type = dtype::int32;
  f.random = true;
  f.rand_p.hi = 3.5;
  f.fill_p.k = -2;
  f.seed = 99;
  f.global_shape = {4, 5};
  f.tile = {{0, 1}, {2, 5}};
  b.tasks.push_back(f);
  b.tasks.push_back(host_task{6, dtype::float64, bytes_of({8, 9}), {2}, {{0}, {2}}});
  b.tasks.push_back(send_task{{11, 2, {1}}, dtype::float32, {3}, 1, 77});
  program_task pt;
  pt.outs = {1, 2};
  pt.prog.code.push_back(instr{opcode::add, dtype::float64, dtype::int32, 1, 2, 3, 4, 1.5, -7});
  pt.prog.n_regs = 4;
  pt.prog.inputs = {dtype::float64};
  pt.prog.outputs = {dtype::bool_};
  pt.tile = {3, 4};
  operand_spec os;
  os.type = dtype::int64;
  os.pieces.push_back(piece_spec{false, {1, 2, {3}}, 55, {2, 2}, 4, {4, 1}});
  pt.ins.push_back(os);
  b.tasks.push_back(pt);
  b.tasks.push_back(partial_task{1, dtype::float64, {4}, reduce_kind::argmax, {true}, {0}, {8}, 2, 3});
  b.tasks.push_back(combine_task{2, dtype::int64, reduce_kind::sum, 1, {3, 4}});
  b.tasks.push_back(matmul_task{3, dtype::float32, 2, 3, 4, os, os});
  b.tasks.push_back(assemble_task{4, os});
  b.tasks.push_back(update_task{5, 4, true, os, {2}, 1, {1}});
  b.tasks.push_back(alias_task{6, 5});
  b.tasks.push_back(free_task{{1, 2, 3}});
  b.tasks.push_back(kernel_task{7, dtype::float64, "lib.stencil", {0.25, -1}, {{2, 0}, {4, 3}}, {9, 3}, {os},
                                {{{1, 0}, {5, 3}}}, {{9, 3}}});
  exchange_task ex;
  ex.collective = 9;
  ex.xfers.push_back(xfer{xfer::kind::bcast, 1, dtype::float32, {4, 2}, {12, 3, {2, 1}}, {80, 81}, {{2, 80}, {3, 81}}});
  ex.xfers.push_back(xfer{xfer::kind::recv, 2, dtype::bool_, {5}, {}, {82}, {}});
  b.tasks.push_back(ex);
  task_batch c = round_trip(b);
  ASSERT_EQ(c.tasks.size(), b.tasks.size());
  for (std::size_t i = 0; i < b.tasks.size(); ++i) EXPECT_EQ(c.tasks[i].index(), b.tasks[i].index());
  // Both sides render the same (to_string runs the same inspect functions).
  EXPECT_EQ(caf::deep_to_string(b), caf::deep_to_string(c));
  auto& ft = std::get<fill_task>(c.tasks[0]);
  EXPECT_EQ(ft.tile.hi, (shape_t{2, 5}));
  EXPECT_EQ(ft.rand_p.hi, 3.5);
  auto& ht = std::get<host_task>(c.tasks[1]);
  ASSERT_TRUE(ht.host);
  EXPECT_EQ(ht.host->bytes(), 2u);
  auto& pc = std::get<program_task>(c.tasks[3]);
  EXPECT_EQ(pc.prog.code[0].iimm, -7);
  EXPECT_EQ(pc.ins[0].pieces[0].tag, 55u);
  auto& xc = std::get<exchange_task>(c.tasks.back());  // NCCL transfers of one op
  EXPECT_EQ(xc.collective, 9u);
  ASSERT_EQ(xc.xfers.size(), 2u);
  EXPECT_EQ(xc.xfers[0].k, xfer::kind::bcast);
  EXPECT_EQ(xc.xfers[0].src.key, 12u);
  EXPECT_EQ(xc.xfers[0].notify.at(1).actor, 3);
  EXPECT_EQ(xc.xfers[0].notify.at(1).tag, 81u);
  EXPECT_EQ(xc.xfers[1].k, xfer::kind::recv);
  EXPECT_EQ(xc.xfers[1].tags, (std::vector<piece_tag>{82}));
  auto& kt = std::get<kernel_task>(c.tasks[c.tasks.size() - 2]);  // custom kernels travel by name
  EXPECT_EQ(kt.name, "lib.stencil");
  EXPECT_EQ(kt.params, (std::vector<double>{0.25, -1}));
  EXPECT_EQ(kt.in_boxes.at(0).lo, (shape_t{1, 0}));
}

TEST(wire_codec, fetch_result_and_stats) {
  fetch_result f;
  f.type = dtype::int32;
  f.til = {{4, 6}, {2, 6}};
  f.tiles = {bytes_of({1}), nullptr, bytes_of({2, 3})};
  fetch_result g = round_trip(f);
  EXPECT_EQ(g.til, f.til);
  EXPECT_EQ(g.type, dtype::int32);
  ASSERT_EQ(g.tiles.size(), 3u);
  EXPECT_FALSE(g.tiles[1]);
  EXPECT_EQ(g.tiles[2]->bytes(), 2u);
  std::vector<actor_info> a{{"cpu0", "cpu", "n1", 3, 4096}};
  auto b = round_trip(a);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].bytes, 4096);
}

TEST(wire_codec, inline_buffers_without_frames) {
  // CAF's own serializer (no frame hook) writes the bytes inline.
  piece_msg p{1, bytes_of({4, 5, 6}), {}};
  std::vector<char> buf;
  caf::binary_serializer s(nullptr, buf);
  ASSERT_FALSE(s(p));
  piece_msg q;
  caf::binary_deserializer d(static_cast<caf::execution_unit*>(nullptr), buf.data(), buf.size());
  ASSERT_FALSE(d(q));
  ASSERT_TRUE(q.data);
  EXPECT_EQ(std::memcmp(q.data->data(), p.data->data(), 3), 0);
}

TEST(wire_codec, several_values_and_none) {
  shard_key key = 77;
  bool want = true;
  dtype t = dtype::int64;
  tiling til{{10}, {4}};
  auto in = through_wire(wire::encode(wire::make_header(wire::msg_type::fetch), key, want, t, til));
  shard_key k2 = 0;
  bool w2 = false;
  dtype t2 = dtype::bool_;
  tiling til2;
  ASSERT_FALSE(wire::decode(in, k2, w2, t2, til2));
  EXPECT_EQ(k2, 77u);
  EXPECT_TRUE(w2);
  EXPECT_EQ(t2, dtype::int64);
  EXPECT_EQ(til2, til);
  auto empty = through_wire(wire::encode(wire::make_header(wire::msg_type::stats)));
  EXPECT_FALSE(wire::decode(empty));
}

TEST(wire_codec, rejects_bad_payloads) {
  task_batch b;
  b.tasks.push_back(free_task{{1, 2, 3}});
  auto in = through_wire(wire::encode(wire::make_header(wire::msg_type::tasks), b));
  // truncated
  auto t = in;
  t.payload.resize(t.payload.size() - 2);
  task_batch out;
  EXPECT_TRUE(wire::decode(t, out));
  // trailing bytes
  auto x = in;
  x.payload.push_back(0);
  EXPECT_TRUE(wire::decode(x, out));
  // the wrong type
  piece_msg p;
  EXPECT_TRUE(wire::decode(in, p));
  // a frame index that is not there
  piece_msg q{1, bytes_of({1}), {}};
  auto pm = through_wire(wire::encode(wire::make_header(wire::msg_type::piece), q));
  pm.frames.clear();
  EXPECT_TRUE(wire::decode(pm, p));
}

}  // namespace
}  // namespace shoal
