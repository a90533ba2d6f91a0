/// Socket monitors for handshakes.
#include "transport/handshake.hpp"

#include <zmq.h>

#include <atomic>
#include <cstdio>
#include <cstring>

namespace shoal::transport {

bool read_monitor_event(zmq::socket_t& monitor, monitor_event& ev) {
  // libzmq sends a 6-byte frame (uint16 event, uint32 value), then the endpoint.
  zmq::message_t head, addr;
  if (!monitor.recv(head, zmq::recv_flags::dontwait)) return false;
  if (!head.more() || !monitor.recv(addr)) return false;
  if (head.size() >= 6) {
    std::memcpy(&ev.event, head.data(), 2);
    std::memcpy(&ev.value, static_cast<const char*>(head.data()) + 2, 4);
  }
  ev.endpoint = addr.to_string();
  return true;
}

std::string describe_protocol_error(uint32_t code) {
  switch (code) {
    case ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH:
      return "security mechanism mismatch (a client without CurveZMQ?)";
    case ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC:
      return "cryptographic error (wrong cluster secret, or a replayed handshake)";
    case ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND:
    case ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE:
      return "unexpected handshake command (garbage or a replayed handshake)";
    default: {
      char hex[16];
      std::snprintf(hex, sizeof hex, "0x%x", code);
      return std::string("protocol error ") + hex;
    }
  }
}

expected<zmq::socket_t> monitor_handshakes(zmq::context_t& ctx, zmq::socket_t& socket) {
  static std::atomic<uint64_t> next{0};
  const std::string ep = "inproc://shoal-handshake-" + std::to_string(next++);
  const int events = ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
                     ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
                     ZMQ_EVENT_DISCONNECTED;
  try {
    if (zmq_socket_monitor(socket.handle(), ep.c_str(), events) != 0) throw zmq::error_t();
    zmq::socket_t monitor(ctx, zmq::socket_type::pair);
    monitor.set(zmq::sockopt::linger, 0);
    monitor.connect(ep);
    return monitor;
  } catch (const zmq::error_t& e) {
    return fail(std::string("cannot monitor a socket: ") + e.what());
  }
}

error_info wait_handshake(zmq::socket_t& monitor, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  try {
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      zmq::pollitem_t item{monitor.handle(), 0, ZMQ_POLLIN, 0};
      if (zmq::poll(&item, 1, left) == 0) break;
      monitor_event ev;
      if (!read_monitor_event(monitor, ev)) continue;
      switch (ev.event) {
        case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
          return {};
        case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
          return fail("connection to " + ev.endpoint + " refused (wrong cluster secret?)");
        case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
          return fail("handshake with " + ev.endpoint + " failed: " +
                      describe_protocol_error(ev.value));
        case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
          return fail("handshake with " + ev.endpoint + " failed (wrong cluster secret?)");
        case ZMQ_EVENT_DISCONNECTED:
          return fail("connection to " + ev.endpoint +
                      " closed during the handshake (wrong cluster secret?)");
        default:
          break;
      }
    }
  } catch (const zmq::error_t& e) {
    return fail(std::string("waiting for a handshake: ") + e.what());
  }
  return fail("no handshake within " + std::to_string(timeout.count()) +
              " ms (is a node listening there, with the same cluster secret?)");
}

}  // namespace shoal::transport
