#pragma once
/// The actors' side of the wire: a message is transport/'s envelope (protocol version, type,
/// source, destination, sequence) with a payload of one or more inspect-able values, encoded
/// by transport/'s msgpack codec; shard bytes travel as raw frames (actors/wire_inspect.hpp).
/// Decoding is bounds-checked and returns the reason on failure, never throws.
#include <cstdint>
#include <string>
#include <vector>

#include "actors/wire_inspect.hpp"
#include "actors/wire_types.hpp"
#include "arrays/errors.hpp"
#include "transport/codec.hpp"
#include "transport/envelope.hpp"

namespace shoal::wire {

using header = transport::envelope_header;

/// An outgoing message: its header and its packed payload.
struct message {
  header h;
  transport::packed body;
};

inline header make_header(msg_type t, std::int32_t dest = -1, std::uint64_t seq = 0) {
  header h;
  h.type = static_cast<std::uint16_t>(t);
  h.destination = dest;
  h.sequence = seq;
  return h;
}

inline msg_type type_of(const transport::envelope& e) { return static_cast<msg_type>(e.header.type); }

/// Encodes the values `payload...` in order (none: an empty payload) after header `h`.
/// Throws shoal::error only for what cannot travel (a device buffer: stage it first).
template <class... Ts>
message encode(header h, Ts&... payload) {
  message m;
  m.h = std::move(h);
  transport::msgpack_serializer s(m.body.bytes);
  if constexpr (sizeof...(Ts) > 0) {
    if (auto err = s(payload...))
      throw_error(errc::runtime_error, "shoal: cannot encode a message: " + (s.reason().empty() ? caf::to_string(err) : s.reason()));
  }
  if (!s.reason().empty()) throw_error(errc::runtime_error, "shoal: cannot encode a message: " + s.reason());
  m.body.frames = std::move(s.frames());
  return m;
}

/// Decodes the payload of `e` into `out...`; every byte and every frame must be used.
template <class... Ts>
error_info decode(const transport::envelope& e, Ts&... out) {
  transport::msgpack_deserializer d(e.payload, e.frames, transport::decode_limits{});
  caf::error err;
  try {
    if constexpr (sizeof...(Ts) > 0) err = d(out...);
  } catch (const std::exception& x) {
    return {errc::runtime_error, std::string("shoal: cannot decode a message: ") + x.what()};
  }
  if (err || !d.reason().empty())
    return {errc::runtime_error, "shoal: cannot decode a message: " + (d.reason().empty() ? caf::to_string(err) : d.reason())};
  if (d.remaining() != 0)
    return {errc::runtime_error, "shoal: " + std::to_string(d.remaining()) + " bytes left over after a message"};
  if (!d.all_frames_used()) return {errc::runtime_error, "shoal: a raw frame is not referenced by the message"};
  return {};
}

}  // namespace shoal::wire
