#pragma once
/// Turns a zmq socket into one end of a cluster link: a CURVE server (the node's ROUTER) or a
/// CURVE client (a DEALER) with the cluster's key pair, plus a handshake timeout
/// (ZMQ_HANDSHAKE_IVL), ZMQ_LINGER 0 and ZMQ_MAXMSGSIZE. Call before bind/connect. For a
/// context whose sockets you make yourself; the server side also wants an authenticator on
/// the same context (authenticator.hpp). secure_context.hpp bundles both.
///
///   zmq::socket_t router(ctx, zmq::socket_type::router);
///   if (auto err = secure_socket(router, link_role::server, secret)) fail(err.message);
///   auth.watch(router);  router.bind(endpoint);
#include <cstdint>
#include <string>

#include <zmq.hpp>

#include "transport/cluster_secret.hpp"
#include "transport/expected.hpp"
#include "transport/link_options.hpp"

namespace shoal::transport {

enum class link_role { server, client };

/// ZAP domain of cluster routers (the authenticator answers it).
inline constexpr const char* zap_domain = "shoal";

/// Sets `socket` up as the `role` end of a cluster link (plain when options.curve is off).
error_info secure_socket(zmq::socket_t& socket, link_role role, const cluster_secret& secret,
                         const link_options& options = {});

/// "tcp://host:port"; port 0 gives "tcp://host:*" (bind picks a free port).
std::string tcp_endpoint(const std::string& host, uint16_t port);

/// The TCP port `socket` is bound to (from ZMQ_LAST_ENDPOINT).
expected<uint16_t> bound_port(zmq::socket_t& socket);

/// True for inproc://, ipc:// and tcp:// endpoints on 127.0.0.0/8, ::1 or localhost.
bool is_loopback_endpoint(const std::string& endpoint);

}  // namespace shoal::transport
