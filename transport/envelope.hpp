#pragma once
/// The wire message: a versioned msgpack envelope plus optional raw frames, as one zmq
/// multipart message:
///
///   part 0     msgpack: version (uint16), type (uint16), source (str), destination (int32),
///              sequence (uint64), frame sizes (array of uint64), then the payload (the
///              message struct, codec.hpp)
///   part 1..n  raw frames: shard bytes, referenced from the payload by index (frames.hpp);
///              a frame larger than the chunk size travels as several consecutive parts
///
/// Why chunks: CurveZMQ encrypts each part into fresh memory, and one 256 MiB part costs
/// several times what 4 MiB parts do (bench/bench_transport.py measures both).
///
/// Sending hands the frames' buffers to zmq without a copy (zmq keeps the buffer_ptr alive
/// until the bytes are out, so a buffer must not change after encode: shard versions are
/// immutable). Receiving wraps a frame that came as one part in a buffer without a copy
/// (host memory, 8-byte aligned, not the 64 of make_buffer); a chunked frame is gathered
/// into one make_buffer. Decoding never throws: truncated, oversized, wrong-version or
/// garbage input gives an error whose message is the reason.
///
///   auto parts = transport::encode({.type = 9, .source = me, .destination = 3}, piece);
///   transport::send_parts(dealer, std::move(*parts));                 // multipart.hpp
///   ...
///   auto env = transport::decode_envelope(std::move(received_parts));
///   if (!env) log(env.error().message);                              // drop and log
///   auto msg = transport::decode_payload<piece_msg>(*env);
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "arrays/buffer.hpp"
#include "transport/codec.hpp"
#include "transport/expected.hpp"
#include "transport/limits.hpp"

namespace shoal::transport {

/// The version this build speaks; a message with another version is refused.
inline constexpr uint16_t protocol_version = 1;

/// Longest `source` accepted (a node id such as "host:port").
inline constexpr size_t max_source_bytes = 1024;

/// Chunk size for CURVE links: send_message (multipart.hpp) splits frames larger than this
/// when the socket encrypts. encode() splits only when asked: unencrypted and inproc links
/// move a whole part without copies, and gathering chunks would add one.
inline constexpr size_t curve_chunk_bytes = size_t{4} << 20;

/// Who sent a message to whom, what it is, and where it stands in the sender's order.
struct envelope_header {
  uint16_t version = protocol_version;  ///< set by encode, checked by decode
  uint16_t type = 0;                    ///< message type (actors/ numbers them)
  std::string source;                   ///< the sender's node id
  int32_t destination = -1;             ///< actor index on the receiving node; -1 = the node
  uint64_t sequence = 0;                ///< request/reply match, per sender
  bool operator==(const envelope_header&) const = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, envelope_header& x) {
  return f(caf::meta::type_name("envelope_header"), x.version, x.type, x.source, x.destination,
           x.sequence);
}

/// A received message: its header, its payload (msgpack) and its raw frames.
struct envelope {
  envelope_header header;
  std::vector<char> payload;
  std::vector<buffer_ptr> frames;
};

/// Builds the multipart message for a packed payload (header.version is overwritten);
/// frames larger than `chunk_bytes` (when not 0) travel as several parts.
std::vector<zmq::message_t> encode_packed(const envelope_header& header, packed payload,
                                          size_t chunk_bytes = 0);

/// Packs `payload` (codec.hpp) and builds its multipart message.
template <class T>
expected<std::vector<zmq::message_t>> encode(const envelope_header& header, const T& payload,
                                             size_t chunk_bytes = 0) {
  auto p = pack(payload);
  if (!p) return p.error();
  return encode_packed(header, std::move(*p), chunk_bytes);
}

/// Decodes part 0 (`head`) given the parts that came after it, gathering chunked frames;
/// what decode_envelope does after unwrapping the zmq messages (and what the fuzz target
/// drives).
expected<envelope> decode_envelope(std::span<const char> head, std::vector<buffer_ptr> parts,
                                   const decode_limits& limits = {});

/// Decodes a received multipart message (without a ROUTER's routing id: see multipart.hpp).
/// Takes the parts: frames keep their zmq memory alive.
expected<envelope> decode_envelope(std::vector<zmq::message_t> parts,
                                   const decode_limits& limits = {});

/// Unpacks the payload of `e` as a T (codec.hpp's unpack over payload and frames).
template <class T>
expected<T> decode_payload(const envelope& e, const decode_limits& limits = {}) {
  return unpack<T>(e.payload, e.frames, limits);
}

}  // namespace shoal::transport
