#pragma once
/// gateway: a node's (or driver's) one I/O thread that owns every zmq socket of the process:
/// one ROUTER it binds (nodes; a driver binds none) and one DEALER per peer it talks to.
/// Actors hand it messages through a queue (any thread); it hands inbound messages to a
/// callback (on its thread, which must not block). It also runs heartbeats: every watched
/// peer is pinged each interval, and a peer that says nothing for the timeout is declared
/// dead, which fails every pending call with a clear error instead of letting it wait.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <caf/allowed_unsafe_message_type.hpp>

#include "actors/wire_codec.hpp"
#include "arrays/errors.hpp"

namespace shoal {

struct gateway_options {
  /// ROUTER endpoint to bind, e.g. "tcp://127.0.0.1:0" (port 0: any free one); "" = none.
  std::string bind;
  int heartbeat_ms = 1000;          ///< ping interval to watched peers
  int heartbeat_timeout_ms = 5000;  ///< silence after which a watched peer is dead
  std::string secret;               ///< the cluster secret: links are CurveZMQ with its keys
  /// Called (on the I/O thread) when a peer watched with fatal=false stops answering.
  std::function<void(const std::string& endpoint, const error_info& why)> on_peer_dead;
  /// The `source` of this process's heartbeat pings ("" = its endpoint): a driver names its
  /// session here, so nodes know which driver is still alive.
  std::string identity;
  /// Called (on the I/O thread) with the `source` of every ping that comes in on the ROUTER.
  std::function<void(const std::string& source)> on_ping;
};

/// One received message and where to answer it.
struct inbound {
  transport::envelope msg;
  std::string route;  ///< the sender's identity on our ROUTER ("" if it came on a DEALER)
  std::string peer;   ///< the DEALER endpoint it came on ("" if it came on the ROUTER)
};
using inbound_ptr = std::shared_ptr<inbound>;

class gateway {
 public:
  using handler = std::function<void(inbound_ptr)>;
  /// A call's outcome: the reply, or an error (peer dead, gateway stopped).
  using reply_fn = std::function<void(inbound_ptr, error_info)>;

  /// Binds (if opts.bind) and starts the I/O thread; throws shoal::error if it cannot bind
  /// or the secret is missing or too short.
  gateway(gateway_options opts, handler on_message);
  ~gateway();  ///< fails pending calls and stops the thread
  gateway(const gateway&) = delete;
  gateway& operator=(const gateway&) = delete;

  /// The bound endpoint with its real port ("tcp://127.0.0.1:5555"), or "".
  const std::string& endpoint() const;
  std::uint64_t next_seq() { return seq_.fetch_add(1); }

  /// Sends `m` to the node at `endpoint` (a DEALER, connected on first use).
  void send(const std::string& endpoint, wire::message m);
  /// Answers a message that came on the ROUTER from `route`.
  void reply(const std::string& route, wire::message m);
  /// Sends a request (its sequence number is set here) and calls `done` on the I/O thread with the reply
  /// or an error; never both, exactly once.
  void call(const std::string& endpoint, wire::message m, reply_fn done);
  /// Starts heartbeats to `endpoint`. When it stops answering, its pending calls fail; a
  /// fatal peer (the driver's nodes, a node's head) also breaks the gateway: every pending
  /// and later call fails (broken()); a non-fatal one is reported to opts.on_peer_dead.
  void watch(const std::string& endpoint, bool fatal = true);
  /// The error that broke the cluster (a dead peer), or none.
  error_info broken() const;
  /// Stops the I/O thread now (pending calls fail; later sends are dropped). Idempotent; the
  /// destructor calls it. Callbacks hold actor handles: closing drops them, which a driver
  /// needs before its actor system can finish.
  void close();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
  std::atomic<std::uint64_t> seq_{1};
};

/// Blocking request: the reply, or shoal::error(runtime_error) after `timeout_ms`, on a
/// refused handshake, or when the peer answers `failed`.
inbound_ptr call_and_wait(gateway& g, const std::string& endpoint, wire::message m, int timeout_ms);

/// "tcp://HOST:PORT" for "HOST:PORT" (and endpoints unchanged).
std::string tcp_endpoint(const std::string& address);
/// tcp_endpoint of a peer's address given by a user (a head, a cluster to join); throws
/// shoal::error(value_error) unless it is HOST:PORT with a port in 1..65535.
std::string peer_endpoint(const std::string& address);

}  // namespace shoal

// Handed between the gateway thread and actors in-process only.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(shoal::inbound_ptr)
