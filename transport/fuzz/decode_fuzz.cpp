// libFuzzer target: the bytes a hostile peer controls, through the envelope decoder and the
// msgpack payload decoder, with a representative message (nested containers, strings,
// optional, variant, map, raw frames). Any crash, leak, hang or UB is a bug (ASan + UBSan).
//
// Input layout: byte 0 = number of raw frames (mod 4); per frame a 1-byte length and that
// many bytes; the rest is part 0 (envelope + payload). The raw input is also fed straight
// to unpack<>, and to both decoders with tight limits.
//
// With SHOAL_FUZZ_SEEDS=<dir> in the environment, the target writes valid seed inputs there
// and exits (scripts/fuzz.sh uses it to refresh transport/fuzz/corpus/).
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "transport/codec.hpp"
#include "transport/envelope.hpp"
#include "transport/frame_field.hpp"

namespace {

using namespace shoal;
using namespace shoal::transport;

struct box_t {
  std::vector<int64_t> lo, hi;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, box_t& x) {
  return f(x.lo, x.hi);
}

enum class kind_t : uint8_t { a = 0, b = 1, c = 2 };

struct piece_t {
  uint64_t tag = 0;
  kind_t kind = kind_t::a;
  std::string name;
  std::vector<box_t> boxes;
  std::optional<box_t> clip;
  std::variant<int32_t, std::string, box_t> extra;
  std::map<std::string, double> params;
  std::vector<char> small_bytes;
  bool flag = false;
  float scale = 0;
  buffer_ptr data;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, piece_t& x) {
  frame_field data{x.data};
  return f(x.tag, x.kind, x.name, x.boxes, x.clip, x.extra, x.params, x.small_bytes, x.flag,
           x.scale, data);
}

/// Input bytes for `parts` in this target's layout.
std::string layout(std::vector<zmq::message_t>& parts) {
  std::string out(1, static_cast<char>(parts.size() - 1));
  for (size_t i = 1; i < parts.size(); ++i) {
    out.push_back(static_cast<char>(parts[i].size()));
    out.append(static_cast<const char*>(parts[i].data()), parts[i].size());
  }
  out.append(static_cast<const char*>(parts[0].data()), parts[0].size());
  return out;
}

void write_seeds(const std::string& dir) {
  std::vector<piece_t> samples(4);
  samples[1].tag = 7;
  samples[1].name = "piece";
  samples[1].boxes = {{{0, 0}, {4, 4}}, {{1}, {2}}};
  samples[1].extra = std::string("extra");
  samples[2].kind = kind_t::c;
  samples[2].clip = box_t{{-1}, {1}};
  samples[2].extra = box_t{{5}, {6}};
  samples[2].params = {{"alpha", 0.5}, {"beta", -1}};
  samples[2].small_bytes = {'x', '\0', 'y'};
  samples[3].data = make_buffer(16);
  samples[3].flag = true;
  samples[3].scale = 2.5f;
  int n = 0;
  for (const auto& s : samples) {
    auto parts = encode(envelope_header{.type = 9, .source = "127.0.0.1:7000", .sequence = 3}, s);
    if (!parts) std::abort();
    std::ofstream(dir + "/seed-" + std::to_string(n++), std::ios::binary) << layout(*parts);
  }
}

void run(const uint8_t* data, size_t size, const decode_limits& limits) {
  const auto* bytes = reinterpret_cast<const char*>(data);
  // Straight into the payload decoder.
  (void)unpack<piece_t>(std::span<const char>(bytes, size), {}, limits);
  // Split into frames + part 0, then envelope and payload.
  if (size == 0) return;
  size_t pos = 1;
  std::vector<buffer_ptr> frames;
  for (unsigned i = 0; i < data[0] % 4 && pos < size; ++i) {
    const size_t want = data[pos++];
    const size_t n = std::min(want, size - pos);
    auto b = make_buffer(n);
    if (n) std::memcpy(b->data(), bytes + pos, n);
    frames.push_back(b);
    pos += n;
  }
  auto e = decode_envelope(std::span<const char>(bytes + pos, size - pos), frames, limits);
  if (e) (void)decode_payload<piece_t>(*e, limits);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* dir = std::getenv("SHOAL_FUZZ_SEEDS")) {
    write_seeds(dir);
    std::exit(0);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  run(data, size, decode_limits{});
  decode_limits tight;
  tight.max_sequence = 8;
  tight.max_string = 16;
  tight.max_depth = 3;
  tight.max_frames = 1;
  tight.max_envelope_bytes = 64;
  run(data, size, tight);
  return 0;
}
