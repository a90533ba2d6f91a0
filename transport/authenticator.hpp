#pragma once
/// The cluster's gatekeeper on one zmq context: a thread that
///   * answers ZAP (inproc://zeromq.zap.01) for the context's CURVE routers, admitting only
///     clients that present the cluster's public key, and
///   * watches the routers it is given (watch()) and reports every failed handshake: a
///     wrong secret, a client without CurveZMQ, garbage on the port, a replayed handshake.
/// Every refusal goes to the transport log (log.hpp) and is counted. Replays are refused by
/// CurveZMQ itself (short-term keys and a per-connection cookie): the log names them.
///
/// Create it right after the context and before any router binds; destroy it before the
/// context is closed. One per context (ZAP has one address per context).
#include <cstdint>
#include <memory>

#include <zmq.hpp>

#include "transport/cluster_secret.hpp"
#include "transport/expected.hpp"
#include "transport/link_options.hpp"

namespace shoal::transport {

class authenticator {
 public:
  authenticator(zmq::context_t& ctx, cluster_secret secret, link_options options = {});
  ~authenticator();
  authenticator(const authenticator&) = delete;
  authenticator& operator=(const authenticator&) = delete;

  /// Reports `router`'s failed handshakes from now on; call before it binds. Call from the
  /// router's thread; returns once the watch is in place (falsy error_info).
  error_info watch(zmq::socket_t& router);

  /// Handshakes refused so far (ZAP denials and failed handshakes on watched routers).
  uint64_t refusals() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace shoal::transport
