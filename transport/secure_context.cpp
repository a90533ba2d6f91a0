/// Secure sockets: CURVE options, the ZAP handler and the handshake monitors.
#include "transport/secure_context.hpp"

#include <arpa/inet.h>
#include <zmq.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include "transport/log.hpp"

namespace shoal::transport {
namespace {

constexpr const char* zap_endpoint = "inproc://zeromq.zap.01";
constexpr const char* zap_domain = "shoal";

/// One monitor event: libzmq sends a 6-byte frame (uint16 event, uint32 value), then the
/// endpoint.
struct monitor_event {
  uint16_t event = 0;
  uint32_t value = 0;
  std::string endpoint;
};

bool read_event(zmq::socket_t& monitor, monitor_event& ev, bool dont_wait) {
  zmq::message_t head, addr;
  if (!monitor.recv(head, dont_wait ? zmq::recv_flags::dontwait : zmq::recv_flags::none))
    return false;
  if (!head.more() || !monitor.recv(addr)) return false;
  if (head.size() >= 6) {
    std::memcpy(&ev.event, head.data(), 2);
    std::memcpy(&ev.value, static_cast<const char*>(head.data()) + 2, 4);
  }
  ev.endpoint = addr.to_string();
  return true;
}

std::string protocol_error(uint32_t code) {
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

/// Sets a Z85 Curve key (40 characters plus the terminator zmq wants).
void set_key(zmq::socket_t& s, int option, const std::string& z85) {
  if (zmq_setsockopt(s.handle(), option, z85.c_str(), z85.size() + 1) != 0) throw zmq::error_t();
}

void set_common(zmq::socket_t& s, const link_options& o) {
  s.set(zmq::sockopt::linger, 0);
  s.set(zmq::sockopt::handshake_ivl, static_cast<int>(o.handshake_timeout.count()));
  s.set(zmq::sockopt::maxmsgsize, o.max_message_bytes);
}

}  // namespace

struct secure_context::impl {
  cluster_secret secret;
  link_options options;
  zmq::context_t ctx;
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> refusals{0};
  std::atomic<uint64_t> next_monitor{0};
  std::mutex m;
  std::condition_variable cv;
  std::vector<std::string> to_watch;  // monitor endpoints the thread has yet to connect
  bool ready = false;                 // the ZAP socket is bound
  std::thread thread;

  void refuse(const std::string& why) {
    ++refusals;
    log_line("refused a connection: " + why);
  }

  /// RFC 27 (ZAP): request = version, request id, domain, address, routing id, mechanism,
  /// credentials...; reply = version, request id, status code, status text, user id, metadata.
  void answer_zap(zmq::socket_t& zap) {
    std::vector<zmq::message_t> req;
    do {
      zmq::message_t part;
      if (!zap.recv(part)) return;
      const bool more = part.more();
      if (req.size() < 8) req.push_back(std::move(part));
      if (!more) break;
    } while (true);
    auto text = [&](size_t i) { return i < req.size() ? req[i].to_string() : std::string(); };
    const std::string version = text(0), request_id = text(1), address = text(3),
                      mechanism = text(5);
    std::string code = "200", status = "OK";
    if (version != "1.0" || req.size() < 6) {
      code = "500";
      status = "bad ZAP request";
    } else if (options.curve) {
      unsigned char key[32];
      zmq_z85_decode(key, secret.public_key().c_str());
      if (mechanism != "CURVE") {
        code = "400", status = "mechanism " + mechanism + " is not CURVE";
      } else if (req.size() < 7 || req[6].size() != 32 || std::memcmp(req[6].data(), key, 32) != 0) {
        code = "400", status = "client key is not the cluster's (wrong cluster secret?)";
      }
    }
    if (code != "200") refuse("from " + address + ": " + status);
    const std::string reply[] = {"1.0", request_id, code, status, code == "200" ? "shoal" : "", ""};
    for (size_t i = 0; i < 6; ++i)
      zap.send(zmq::buffer(reply[i]), i + 1 < 6 ? zmq::send_flags::sndmore : zmq::send_flags::none);
  }

  void watch(zmq::socket_t& monitor, bool& stopped) {
    monitor_event ev;
    while (read_event(monitor, ev, true)) {
      switch (ev.event) {
        case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
          refuse("handshake on " + ev.endpoint + " failed: " + protocol_error(ev.value));
          break;
        case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
          refuse("handshake on " + ev.endpoint + " failed (errno " + std::to_string(ev.value) +
                 ": " + zmq_strerror(static_cast<int>(ev.value)) +
                 "): a client without CurveZMQ or without the cluster secret?");
          break;
        case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
          break;  // already logged by answer_zap
        case ZMQ_EVENT_MONITOR_STOPPED:
          stopped = true;
          return;
        default:
          break;
      }
    }
  }

  void run() {
    zmq::socket_t zap(ctx, zmq::socket_type::rep);
    zap.set(zmq::sockopt::linger, 0);
    zap.bind(zap_endpoint);
    std::vector<zmq::socket_t> monitors;
    {
      std::lock_guard<std::mutex> lock(m);
      ready = true;
    }
    cv.notify_all();
    while (!stop.load()) {
      {
        std::lock_guard<std::mutex> lock(m);
        for (const auto& ep : to_watch) {
          monitors.emplace_back(ctx, zmq::socket_type::pair);
          monitors.back().set(zmq::sockopt::linger, 0);
          monitors.back().connect(ep);
        }
        if (!to_watch.empty()) {
          to_watch.clear();
          cv.notify_all();
        }
      }
      std::vector<zmq::pollitem_t> items{{zap.handle(), 0, ZMQ_POLLIN, 0}};
      for (auto& mon : monitors) items.push_back({mon.handle(), 0, ZMQ_POLLIN, 0});
      try {
        // A short timeout: stop and new monitors are noticed within it.
        zmq::poll(items, std::chrono::milliseconds(20));
        if (items[0].revents & ZMQ_POLLIN) answer_zap(zap);
        for (size_t i = monitors.size(); i-- > 0;) {
          if (!(items[i + 1].revents & ZMQ_POLLIN)) continue;
          bool stopped = false;
          watch(monitors[i], stopped);
          if (stopped) monitors.erase(monitors.begin() + static_cast<std::ptrdiff_t>(i));
        }
      } catch (const zmq::error_t& e) {
        if (e.num() == ETERM) return;
        log_line(std::string("ZAP thread: ") + e.what());
      }
    }
  }

  /// Routes `socket`'s handshake events to the thread; returns once it listens to them.
  void add_monitor(zmq::socket_t& socket) {
    const std::string ep = "inproc://shoal-handshakes-" + std::to_string(next_monitor++);
    const int events = ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                       ZMQ_EVENT_HANDSHAKE_FAILED_AUTH;
    if (zmq_socket_monitor(socket.handle(), ep.c_str(), events) != 0) throw zmq::error_t();
    std::unique_lock<std::mutex> lock(m);
    to_watch.push_back(ep);
    cv.wait(lock, [&] { return to_watch.empty(); });
  }
};

secure_context::secure_context(cluster_secret secret, link_options options)
    : impl_(std::make_unique<impl>()) {
  impl_->secret = std::move(secret);
  impl_->options = options;
  if (!options.curve) log_line("links are NOT encrypted (link_options.curve = false)");
  impl_->thread = std::thread([this] { impl_->run(); });
  std::unique_lock<std::mutex> lock(impl_->m);
  impl_->cv.wait(lock, [&] { return impl_->ready; });
}

secure_context::~secure_context() {
  impl_->stop = true;
  impl_->thread.join();
  impl_->ctx.close();
}

zmq::context_t& secure_context::zmq() { return impl_->ctx; }
const link_options& secure_context::options() const { return impl_->options; }
uint64_t secure_context::refusals() const { return impl_->refusals.load(); }

expected<zmq::socket_t> secure_context::make_router(const std::string& endpoint) {
  if (!impl_->options.allow_remote_bind && !is_loopback_endpoint(endpoint))
    return fail("refusing to bind " + endpoint +
                ": not a loopback address (set allow_remote_bind to bind it)");
  try {
    zmq::socket_t s(impl_->ctx, zmq::socket_type::router);
    set_common(s, impl_->options);
    s.set(zmq::sockopt::router_mandatory, 1);
    if (impl_->options.curve) {
      s.set(zmq::sockopt::curve_server, 1);
      set_key(s, ZMQ_CURVE_SECRETKEY, impl_->secret.secret_key());
      s.set(zmq::sockopt::zap_domain, zap_domain);
    }
    impl_->add_monitor(s);  // before bind: no handshake goes unwatched
    s.bind(endpoint);
    return s;
  } catch (const zmq::error_t& e) {
    return fail("cannot bind " + endpoint + ": " + e.what());
  }
}

expected<dealer_link> secure_context::make_dealer(const std::string& endpoint) {
  try {
    dealer_link link{zmq::socket_t(impl_->ctx, zmq::socket_type::dealer),
                     zmq::socket_t(impl_->ctx, zmq::socket_type::pair)};
    set_common(link.socket, impl_->options);
    if (impl_->options.curve) {
      set_key(link.socket, ZMQ_CURVE_SERVERKEY, impl_->secret.public_key());
      set_key(link.socket, ZMQ_CURVE_PUBLICKEY, impl_->secret.public_key());
      set_key(link.socket, ZMQ_CURVE_SECRETKEY, impl_->secret.secret_key());
    }
    const std::string ep = "inproc://shoal-dealer-" + std::to_string(impl_->next_monitor++);
    const int events = ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
                       ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
                       ZMQ_EVENT_DISCONNECTED;
    if (zmq_socket_monitor(link.socket.handle(), ep.c_str(), events) != 0) throw zmq::error_t();
    link.monitor.set(zmq::sockopt::linger, 0);
    link.monitor.connect(ep);
    link.socket.connect(endpoint);
    return link;
  } catch (const zmq::error_t& e) {
    return fail("cannot connect to " + endpoint + ": " + e.what());
  }
}

error_info wait_handshake(dealer_link& link, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  try {
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      zmq::pollitem_t item{link.monitor.handle(), 0, ZMQ_POLLIN, 0};
      if (zmq::poll(&item, 1, left) == 0) break;
      monitor_event ev;
      if (!read_event(link.monitor, ev, true)) continue;
      switch (ev.event) {
        case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
          return {};
        case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
          return fail("connection to " + ev.endpoint + " refused (wrong cluster secret?)");
        case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
          return fail("handshake with " + ev.endpoint + " failed: " + protocol_error(ev.value));
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
