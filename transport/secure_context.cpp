/// secure_context: a zmq context, its authenticator, and ready-made cluster sockets.
#include "transport/secure_context.hpp"

namespace shoal::transport {

secure_context::secure_context(cluster_secret secret, link_options options)
    : secret_(std::move(secret)), options_(options) {
  auth_ = std::make_unique<authenticator>(ctx_, secret_, options_);
}

secure_context::~secure_context() {
  auth_.reset();
  ctx_.close();
}

expected<zmq::socket_t> secure_context::make_router(const std::string& endpoint) {
  if (!options_.allow_remote_bind && !is_loopback_endpoint(endpoint))
    return fail("refusing to bind " + endpoint +
                ": not a loopback address (set allow_remote_bind to bind it)");
  try {
    zmq::socket_t s(ctx_, zmq::socket_type::router);
    if (auto err = secure_socket(s, link_role::server, secret_, options_)) return err;
    s.set(zmq::sockopt::router_mandatory, 1);
    if (auto err = auth_->watch(s)) return err;  // before bind: no handshake goes unwatched
    s.bind(endpoint);
    return s;
  } catch (const zmq::error_t& e) {
    return fail("cannot bind " + endpoint + ": " + e.what());
  }
}

expected<dealer_link> secure_context::make_dealer(const std::string& endpoint) {
  try {
    zmq::socket_t s(ctx_, zmq::socket_type::dealer);
    if (auto err = secure_socket(s, link_role::client, secret_, options_)) return err;
    auto monitor = monitor_handshakes(ctx_, s);
    if (!monitor) return monitor.error();
    s.connect(endpoint);
    return dealer_link{std::move(s), std::move(*monitor)};
  } catch (const zmq::error_t& e) {
    return fail("cannot connect to " + endpoint + ": " + e.what());
  }
}

}  // namespace shoal::transport
