#pragma once
/// Bounds applied while decoding bytes from the network. Every length read from the wire
/// is checked against the bytes actually left AND against these limits, so a few hostile
/// bytes can never make the decoder allocate or loop beyond them.
#include <cstddef>
#include <cstdint>

namespace shoal::transport {

struct decode_limits {
  /// Most elements one msgpack array (one C++ sequence) may declare.
  std::size_t max_sequence = std::size_t{1} << 24;
  /// Longest string or byte string (msgpack str/bin), in bytes.
  std::size_t max_string = std::size_t{64} << 20;
  /// Deepest nesting of sequences (and optional/variant wrappers).
  std::size_t max_depth = 64;
  /// Most raw frames one message may carry.
  std::size_t max_frames = 1024;
  /// Most zmq parts in one message (large frames travel in chunks: envelope.hpp).
  std::size_t max_parts = 65536;
  /// Largest envelope frame (header + msgpack payload), in bytes.
  std::size_t max_envelope_bytes = std::size_t{64} << 20;
  /// Largest single raw frame, in bytes (shard bytes; also the socket's ZMQ_MAXMSGSIZE).
  std::size_t max_frame_bytes = std::size_t{16} << 30;
};

}  // namespace shoal::transport
