#pragma once
/// A zmq context whose sockets are cluster links: it owns the context and its authenticator
/// (authenticator.hpp) and makes routers and dealers already set up by secure_socket.hpp, so
/// links are CurveZMQ-encrypted and authenticated, a peer without the cluster's secret cannot
/// complete a handshake, and every refusal is logged. Routers bind loopback only unless
/// link_options.allow_remote_bind says otherwise. Sockets are plain cppzmq sockets owned by
/// the caller, used from one thread, and closed before the context.
///
///   secure_context ctx(*resolve_secret(std::nullopt, token_path));
///   auto router = ctx.make_router("tcp://127.0.0.1:7000");             // node
///   auto link = ctx.make_dealer("tcp://127.0.0.1:7000");               // peer / driver
///   if (auto err = wait_handshake(*link, std::chrono::seconds(5))) fail(err.message);
///
/// Code that makes its own sockets on its own context uses the parts instead:
/// secure_socket() per socket, one authenticator per context, monitor_handshakes() +
/// wait_handshake() on dealers.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <zmq.hpp>

#include "transport/authenticator.hpp"
#include "transport/cluster_secret.hpp"
#include "transport/expected.hpp"
#include "transport/handshake.hpp"
#include "transport/link_options.hpp"
#include "transport/secure_socket.hpp"

namespace shoal::transport {

/// A DEALER and the monitor that reports its handshake (wait_handshake reads it).
struct dealer_link {
  zmq::socket_t socket;
  zmq::socket_t monitor;
};

class secure_context {
 public:
  explicit secure_context(cluster_secret secret, link_options options = {});
  /// Stops the authenticator and terminates the zmq context: close the sockets first.
  ~secure_context();
  secure_context(const secure_context&) = delete;
  secure_context& operator=(const secure_context&) = delete;

  zmq::context_t& zmq() { return ctx_; }
  const link_options& options() const { return options_; }

  /// A ROUTER bound to `endpoint` ("tcp://127.0.0.1:7000", "tcp://127.0.0.1:*" for any
  /// port: see bound_port), a CURVE server with ZMQ_ROUTER_MANDATORY set.
  expected<zmq::socket_t> make_router(const std::string& endpoint);
  /// A DEALER connecting to `endpoint` as a CURVE client with the cluster keys.
  expected<dealer_link> make_dealer(const std::string& endpoint);

  /// Handshakes refused so far by this context's routers (for tests and status).
  uint64_t refusals() const { return auth_->refusals(); }

 private:
  cluster_secret secret_;
  link_options options_;
  zmq::context_t ctx_;
  std::unique_ptr<authenticator> auth_;  // after ctx_: destroyed first
};

/// wait_handshake() on the link's monitor.
inline error_info wait_handshake(dealer_link& link, std::chrono::milliseconds timeout) {
  return wait_handshake(link.monitor, timeout);
}

}  // namespace shoal::transport
