#pragma once
/// Secure links between nodes: every socket made here speaks CurveZMQ with the cluster's key
/// pair (cluster_secret.hpp), so links are encrypted and authenticated, and a peer without
/// the cluster's secret cannot complete a handshake. Each context runs one thread that
///   * answers ZAP (inproc://zeromq.zap.01): admits only CURVE clients presenting the cluster
///     key, and logs every refusal (transport/log.hpp), and
///   * watches its routers' handshakes and logs every failed one (wrong secret, a client
///     without CurveZMQ, garbage on the port, a replayed handshake).
/// Replays are refused by CurveZMQ itself: short-term keys and a per-connection cookie mean a
/// recorded handshake cannot be completed again.
///
/// Routers bind loopback only unless options say otherwise; every socket gets a handshake
/// timeout (ZMQ_HANDSHAKE_IVL), ZMQ_LINGER 0 and ZMQ_MAXMSGSIZE. Sockets are plain cppzmq
/// sockets owned by the caller, used from one thread, and closed before the context.
///
///   secure_context ctx(*resolve_secret(std::nullopt, token_path));
///   auto router = ctx.make_router("tcp://127.0.0.1:7000");            // node
///   auto link = ctx.make_dealer("tcp://127.0.0.1:7000");              // peer / driver
///   if (auto err = wait_handshake(*link, std::chrono::seconds(5))) fail(err.message);
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <zmq.hpp>

#include "transport/cluster_secret.hpp"
#include "transport/expected.hpp"

namespace shoal::transport {

struct link_options {
  /// CurveZMQ on every link. Off only for measurements (the plain-zmq baseline); a secure
  /// context with it off logs a warning once.
  bool curve = true;
  /// A handshake not finished in this time is dropped (ZMQ_HANDSHAKE_IVL).
  std::chrono::milliseconds handshake_timeout{5000};
  /// Largest message part accepted (ZMQ_MAXMSGSIZE), bytes.
  int64_t max_message_bytes = int64_t{16} << 30;
  /// Allows routers to bind non-loopback addresses (binding elsewhere must be explicit).
  bool allow_remote_bind = false;
};

/// A DEALER and the monitor that reports its handshake (wait_handshake reads it).
struct dealer_link {
  zmq::socket_t socket;
  zmq::socket_t monitor;
};

class secure_context {
 public:
  explicit secure_context(cluster_secret secret, link_options options = {});
  /// Stops the ZAP thread and terminates the zmq context: close the sockets first.
  ~secure_context();
  secure_context(const secure_context&) = delete;
  secure_context& operator=(const secure_context&) = delete;

  zmq::context_t& zmq();
  const link_options& options() const;

  /// A ROUTER bound to `endpoint` ("tcp://127.0.0.1:7000", "tcp://127.0.0.1:*" for any
  /// port: see bound_port), a CURVE server with ZMQ_ROUTER_MANDATORY set.
  expected<zmq::socket_t> make_router(const std::string& endpoint);
  /// A DEALER connecting to `endpoint` as a CURVE client with the cluster keys.
  expected<dealer_link> make_dealer(const std::string& endpoint);

  /// Handshakes refused so far by this context's routers (for tests and status).
  uint64_t refusals() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// Waits for `link`'s handshake: a falsy error_info once it succeeded; otherwise why not
/// (refused, the server hung up during the handshake: wrong cluster secret?, or nothing within
/// `timeout`).
error_info wait_handshake(dealer_link& link, std::chrono::milliseconds timeout);

/// "tcp://host:port"; port 0 gives "tcp://host:*" (bind picks a free port).
std::string tcp_endpoint(const std::string& host, uint16_t port);

/// The TCP port `socket` is bound to (from ZMQ_LAST_ENDPOINT).
expected<uint16_t> bound_port(zmq::socket_t& socket);

/// True for inproc://, ipc:// and tcp:// endpoints on 127.0.0.0/8, ::1 or localhost.
bool is_loopback_endpoint(const std::string& endpoint);

}  // namespace shoal::transport
