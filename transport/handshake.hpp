#pragma once
/// Watching CurveZMQ handshakes through zmq socket monitors: a client learns whether it got
/// in (wait_handshake), and the authenticator learns whom its routers turned away.
///
///   zmq::socket_t dealer(ctx, zmq::socket_type::dealer);
///   secure_socket(dealer, link_role::client, secret);
///   auto monitor = monitor_handshakes(ctx, dealer);                  // before connect
///   dealer.connect(endpoint);
///   if (auto err = wait_handshake(*monitor, 5s)) fail(err.message);  // "...refused (wrong cluster secret?)"
#include <chrono>
#include <cstdint>
#include <string>

#include <zmq.hpp>

#include "transport/expected.hpp"

namespace shoal::transport {

/// One event from a zmq socket monitor.
struct monitor_event {
  uint16_t event = 0;    ///< ZMQ_EVENT_*
  uint32_t value = 0;    ///< errno, protocol error or status code, by event
  std::string endpoint;  ///< the socket's endpoint the event concerns
};

/// Reads one event if one is waiting (never blocks).
bool read_monitor_event(zmq::socket_t& monitor, monitor_event& ev);

/// Words for a ZMQ_PROTOCOL_ERROR_* code, with the likely cause.
std::string describe_protocol_error(uint32_t code);

/// A PAIR socket receiving `socket`'s handshake events (succeeded, failed, disconnected);
/// attach before connecting so that no event is missed. Use it from the socket's thread.
expected<zmq::socket_t> monitor_handshakes(zmq::context_t& ctx, zmq::socket_t& socket);

/// Waits for a handshake on a monitor from monitor_handshakes: a falsy error_info once it
/// succeeded; otherwise why not (refused, the server hung up during the handshake: wrong
/// cluster secret?, or nothing within `timeout`).
error_info wait_handshake(zmq::socket_t& monitor, std::chrono::milliseconds timeout);

}  // namespace shoal::transport
