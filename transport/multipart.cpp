/// Whole-message send/receive over cppzmq, errors as values.
#include "transport/multipart.hpp"

namespace shoal::transport {

size_t chunk_bytes_for(zmq::socket_t& socket) {
  try {
    return socket.get(zmq::sockopt::mechanism) == ZMQ_CURVE ? curve_chunk_bytes : 0;
  } catch (const zmq::error_t&) {
    return curve_chunk_bytes;
  }
}

error_info send_parts(zmq::socket_t& socket, std::vector<zmq::message_t> parts,
                      const std::string* routing_id, bool dont_wait) {
  if (parts.empty()) return fail("send: no parts");
  const auto wait = dont_wait ? zmq::send_flags::dontwait : zmq::send_flags::none;
  try {
    if (routing_id) {
      zmq::message_t id(routing_id->data(), routing_id->size());
      if (!socket.send(id, wait | zmq::send_flags::sndmore)) return fail("send: would block");
    }
    for (size_t i = 0; i < parts.size(); ++i) {
      const bool last = i + 1 == parts.size();
      // Only the first part can report "would block"; zmq queues the rest of a message.
      if (!socket.send(parts[i], last ? wait : wait | zmq::send_flags::sndmore))
        return fail("send: would block");
    }
  } catch (const zmq::error_t& e) {
    return fail(std::string("send: ") + e.what());
  }
  return {};
}

expected<std::vector<zmq::message_t>> recv_parts(zmq::socket_t& socket, const decode_limits& limits,
                                                 std::string* routing_id, bool dont_wait) {
  std::vector<zmq::message_t> parts;
  const size_t max_parts = limits.max_parts + 1;  // + a ROUTER's routing id
  size_t count = 0;
  bool too_many = false;
  try {
    const auto wait = dont_wait ? zmq::recv_flags::dontwait : zmq::recv_flags::none;
    for (;;) {
      zmq::message_t m;
      // Later parts of a message are already here: only the first receive can time out.
      if (!socket.recv(m, count == 0 ? wait : zmq::recv_flags::none)) return parts;
      ++count;
      const bool more = m.more();
      if (count > max_parts) too_many = true;
      else parts.push_back(std::move(m));
      if (!more) break;
    }
  } catch (const zmq::error_t& e) {
    return fail(std::string("receive: ") + e.what());
  }
  if (too_many)
    return fail("message of " + std::to_string(count) + " parts exceeds the limit of " +
                std::to_string(max_parts));
  if (routing_id) {
    if (parts.size() < 2) return fail("message without routing id or body");
    routing_id->assign(static_cast<const char*>(parts[0].data()), parts[0].size());
    parts.erase(parts.begin());
  }
  return parts;
}

expected<std::optional<envelope>> recv_envelope(zmq::socket_t& socket, const decode_limits& limits,
                                                std::string* routing_id, bool dont_wait) {
  auto parts = recv_parts(socket, limits, routing_id, dont_wait);
  if (!parts) return parts.error();
  if (parts->empty()) return std::optional<envelope>{};
  auto e = decode_envelope(std::move(*parts), limits);
  if (!e) return e.error();
  return std::optional<envelope>{std::move(*e)};
}

}  // namespace shoal::transport
