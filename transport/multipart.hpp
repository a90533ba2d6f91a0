#pragma once
/// Sending and receiving whole multipart messages on a zmq socket without exceptions.
/// A ROUTER socket prefixes every message with the peer's routing id: pass `routing_id` to
/// send to that peer, and to learn who sent what you receive. Exceptions from cppzmq
/// (ETERM, EHOSTUNREACH with ZMQ_ROUTER_MANDATORY, ...) become error values.
#include <optional>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "transport/envelope.hpp"
#include "transport/expected.hpp"
#include "transport/limits.hpp"

namespace shoal::transport {

/// Sends `parts` as one message, after `*routing_id` when given (ROUTER sockets). With
/// `dont_wait`, a full queue is an error instead of a wait. Returns a falsy error_info on
/// success.
error_info send_parts(zmq::socket_t& socket, std::vector<zmq::message_t> parts,
                      const std::string* routing_id = nullptr, bool dont_wait = false);

/// Receives one whole message; an empty vector when none arrived within the socket's
/// ZMQ_RCVTIMEO (or at once with `dont_wait`). With `routing_id`, the first part is taken as
/// the sender's routing id. A message with more parts than limits.max_parts (+1 for the
/// routing id) is received to its end (so the next one starts clean) and refused.
expected<std::vector<zmq::message_t>> recv_parts(zmq::socket_t& socket,
                                                 const decode_limits& limits = {},
                                                 std::string* routing_id = nullptr,
                                                 bool dont_wait = false);

/// The chunk size for frames sent on `socket`: curve_chunk_bytes when it encrypts, else 0.
size_t chunk_bytes_for(zmq::socket_t& socket);

/// encode() + send_parts(), frames chunked when the socket encrypts (envelope.hpp).
template <class T>
error_info send_message(zmq::socket_t& socket, const envelope_header& header, const T& payload,
                        const std::string* routing_id = nullptr) {
  auto parts = encode(header, payload, chunk_bytes_for(socket));
  if (!parts) return parts.error();
  return send_parts(socket, std::move(*parts), routing_id);
}

/// recv_parts() + decode_envelope(): nullopt when nothing arrived in time; an error when
/// what arrived is not a valid envelope (log it and go on: the socket stays usable).
expected<std::optional<envelope>> recv_envelope(zmq::socket_t& socket,
                                                const decode_limits& limits = {},
                                                std::string* routing_id = nullptr,
                                                bool dont_wait = false);

}  // namespace shoal::transport
