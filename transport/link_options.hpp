#pragma once
/// How secure sockets are set up (secure_socket.hpp, secure_context.hpp).
#include <chrono>
#include <cstdint>

namespace shoal::transport {

struct link_options {
  /// CurveZMQ on every link. Off only for measurements (the plain-zmq baseline); a context
  /// or authenticator with it off logs a warning once.
  bool curve = true;
  /// A handshake not finished in this time is dropped (ZMQ_HANDSHAKE_IVL).
  std::chrono::milliseconds handshake_timeout{5000};
  /// Largest message part accepted (ZMQ_MAXMSGSIZE), bytes.
  int64_t max_message_bytes = int64_t{16} << 30;
  /// Allows routers to bind non-loopback addresses (binding elsewhere must be explicit).
  bool allow_remote_bind = false;
};

}  // namespace shoal::transport
