/// CURVE socket options and endpoint helpers.
#include "transport/secure_socket.hpp"

#include <arpa/inet.h>
#include <zmq.h>

namespace shoal::transport {
namespace {

/// Sets a Z85 Curve key (40 characters plus the terminator, as zmq wants them).
void set_key(zmq::socket_t& s, int option, const std::string& z85) {
  if (zmq_setsockopt(s.handle(), option, z85.c_str(), z85.size() + 1) != 0) throw zmq::error_t();
}

}  // namespace

error_info secure_socket(zmq::socket_t& s, link_role role, const cluster_secret& secret,
                         const link_options& o) {
  try {
    s.set(zmq::sockopt::linger, 0);
    s.set(zmq::sockopt::handshake_ivl, static_cast<int>(o.handshake_timeout.count()));
    s.set(zmq::sockopt::maxmsgsize, o.max_message_bytes);
    if (!o.curve) return {};
    if (role == link_role::server) {
      s.set(zmq::sockopt::curve_server, 1);
      set_key(s, ZMQ_CURVE_SECRETKEY, secret.secret_key());
      s.set(zmq::sockopt::zap_domain, zap_domain);
    } else {
      // Every member holds the cluster's key pair: the server's key is also ours.
      set_key(s, ZMQ_CURVE_SERVERKEY, secret.public_key());
      set_key(s, ZMQ_CURVE_PUBLICKEY, secret.public_key());
      set_key(s, ZMQ_CURVE_SECRETKEY, secret.secret_key());
    }
  } catch (const zmq::error_t& e) {
    return fail(std::string("cannot set up a secure socket: ") + e.what());
  }
  return {};
}

std::string tcp_endpoint(const std::string& host, uint16_t port) {
  const bool v6 = host.find(':') != std::string::npos && host.front() != '[';
  return "tcp://" + (v6 ? "[" + host + "]" : host) + ":" + (port ? std::to_string(port) : "*");
}

expected<uint16_t> bound_port(zmq::socket_t& socket) {
  const std::string ep = socket.get(zmq::sockopt::last_endpoint);
  const auto colon = ep.rfind(':');
  if (colon == std::string::npos) return fail("not bound to a TCP port: " + ep);
  try {
    return static_cast<uint16_t>(std::stoul(ep.substr(colon + 1)));
  } catch (const std::exception&) {
    return fail("not bound to a TCP port: " + ep);
  }
}

bool is_loopback_endpoint(const std::string& endpoint) {
  if (endpoint.rfind("inproc://", 0) == 0 || endpoint.rfind("ipc://", 0) == 0) return true;
  if (endpoint.rfind("tcp://", 0) != 0) return false;
  std::string host = endpoint.substr(6);
  host = host.substr(0, host.rfind(':'));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host == "localhost" || host == "::1") return true;
  in_addr v4{};  // numeric 127.0.0.0/8 only: "127.example.com" is a name, not loopback
  return inet_pton(AF_INET, host.c_str(), &v4) == 1 && (ntohl(v4.s_addr) >> 24) == 127;
}

}  // namespace shoal::transport
