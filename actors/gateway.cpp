#include "actors/gateway.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

#include <zmq.hpp>

#include "actors/wire_inspect.hpp"
#include "transport/authenticator.hpp"
#include "transport/cluster_secret.hpp"
#include "transport/handshake.hpp"
#include "transport/multipart.hpp"
#include "transport/secure_socket.hpp"

namespace shoal {
namespace {

using clock_type = std::chrono::steady_clock;

constexpr const char* closed_msg = "shoal: the connection to the cluster was closed";

/// Sockets never drop or block on a full queue: the runtime bounds what is in flight.
void unbounded(zmq::socket_t& s) {
  s.set(zmq::sockopt::sndhwm, 0);
  s.set(zmq::sockopt::rcvhwm, 0);
}

}  // namespace

std::string tcp_endpoint(const std::string& address) {
  if (address.rfind("tcp://", 0) == 0) return address;
  return "tcp://" + address;
}

std::string peer_endpoint(const std::string& address) {
  const std::string ep = tcp_endpoint(address);
  const auto host_at = std::string("tcp://").size();
  const auto colon = ep.rfind(':');
  const std::string port = colon == std::string::npos || colon < host_at ? "" : ep.substr(colon + 1);
  const bool digits = !port.empty() && port.size() <= 5 && port.find_first_not_of("0123456789") == std::string::npos;
  if (colon == std::string::npos || colon <= host_at || !digits || std::stoi(port) < 1 || std::stoi(port) > 65535)
    throw_error(errc::value_error, "shoal: a cluster address is HOST:PORT with a port in 1-65535, got '" + address + "'");
  return ep;
}

struct gateway::impl {
  struct command {
    enum kind_t { send, reply, call, watch, watch_nonfatal } kind;
    std::string where;
    wire::message msg;
    reply_fn done;
  };
  struct peer {
    std::unique_ptr<zmq::socket_t> sock;
    std::unique_ptr<zmq::socket_t> monitor;  ///< its handshake events
    bool in = false;                         ///< handshake succeeded
    error_info refused;                      ///< handshake failed: every call to it fails
    bool watched = false;
    bool fatal = true;
    clock_type::time_point last_seen, last_ping;
  };
  struct pending_call {
    std::string endpoint;
    reply_fn done;
  };

  gateway_options opts;
  handler on_message;
  transport::cluster_secret secret;
  zmq::context_t ctx{1};
  std::unique_ptr<transport::authenticator> auth;  // nodes: admits only the cluster's key
  std::unique_ptr<zmq::socket_t> router;
  std::string endpoint;
  int efd = -1;

  std::mutex mu;                 // guards outbox and broken
  std::deque<command> outbox;
  error_info broken;
  std::atomic<bool> stop{false};

  std::map<std::string, peer> peers;                       // I/O thread only
  std::unordered_map<std::uint64_t, pending_call> pending;  // I/O thread only
  std::thread io;

  void post(command c) {
    {
      std::lock_guard<std::mutex> g(mu);
      if (stop) {
        if (c.done) c.done(nullptr, {errc::runtime_error, closed_msg});
        return;
      }
      outbox.push_back(std::move(c));
    }
    std::uint64_t one = 1;
    (void)!::write(efd, &one, sizeof one);
  }

  peer& dealer(const std::string& ep) {
    auto it = peers.find(ep);
    if (it != peers.end()) return it->second;
    peer p;
    p.sock = std::make_unique<zmq::socket_t>(ctx, zmq::socket_type::dealer);
    unbounded(*p.sock);
    if (auto e = transport::secure_socket(*p.sock, transport::link_role::client, secret)) p.refused = e;
    auto mon = transport::monitor_handshakes(ctx, *p.sock);
    if (mon) p.monitor = std::make_unique<zmq::socket_t>(std::move(*mon));
    try {
      p.sock->connect(ep);
    } catch (const zmq::error_t& x) {  // a malformed endpoint: every call to it fails, the thread lives on
      if (!p.refused) p.refused = {errc::runtime_error, "shoal: cannot connect to " + ep + ": " + x.what()};
    }
    p.last_seen = p.last_ping = clock_type::now();
    return peers.emplace(ep, std::move(p)).first->second;
  }

  /// Fails the pending calls (to `only`, or all when empty).
  void fail_all(const error_info& e, const std::string& only = {}) {
    for (auto it = pending.begin(); it != pending.end();) {
      if (!only.empty() && it->second.endpoint != only) {
        ++it;
        continue;
      }
      auto done = std::move(it->second.done);
      it = pending.erase(it);
      done(nullptr, e);
    }
  }

  void send_to(peer& p, const std::string& ep, wire::message& m) {
    if (p.refused) return;
    if (auto e = transport::send_parts(*p.sock, transport::encode_packed(m.h, std::move(m.body))))
      std::fprintf(stderr, "shoal: could not send to %s: %s\n", ep.c_str(), e.message.c_str());
  }

  /// A handshake event of `p`: refused links fail their calls with the reason.
  void on_monitor(const std::string& ep, peer& p) {
    transport::monitor_event ev;
    while (transport::read_monitor_event(*p.monitor, ev)) {
      std::string why;
      switch (ev.event) {
        case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
          p.in = true;
          p.last_seen = clock_type::now();
          continue;
        case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
        case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
          why = "refused the connection (wrong cluster secret?)";
          break;
        case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
          why = "failed the handshake: " + transport::describe_protocol_error(ev.value);
          break;
        case ZMQ_EVENT_DISCONNECTED:
          if (p.in) continue;  // a link that was up reconnects by itself; heartbeats judge it
          why = "closed the connection during the handshake (wrong cluster secret?)";
          break;
        default:
          continue;
      }
      if (p.refused) continue;
      p.refused = {errc::runtime_error, "shoal: " + ep + " " + why};
      std::fprintf(stderr, "%s\n", p.refused.message.c_str());
      fail_all(p.refused, ep);
    }
  }

  void run_command(command& c) {
    switch (c.kind) {
      case command::send:
        send_to(dealer(c.where), c.where, c.msg);
        break;
      case command::reply:
        if (!router) break;
        // An error here means the peer went away (ROUTER_MANDATORY): nobody waits any more.
        if (auto e = transport::send_parts(*router, transport::encode_packed(c.msg.h, std::move(c.msg.body)), &c.where))
          std::fprintf(stderr, "shoal: could not answer a peer: %s\n", e.message.c_str());
        break;
      case command::call: {
        error_info b;
        {
          std::lock_guard<std::mutex> g(mu);
          b = broken;
        }
        auto& p = dealer(c.where);
        if (!b && p.refused) b = p.refused;
        if (b) {
          c.done(nullptr, b);
          break;
        }
        pending[c.msg.h.sequence] = {c.where, std::move(c.done)};
        send_to(p, c.where, c.msg);
        break;
      }
      case command::watch:
      case command::watch_nonfatal: {
        auto& p = dealer(c.where);
        p.watched = true;
        p.fatal = c.kind == command::watch;
        p.last_seen = clock_type::now();
        break;
      }
    }
  }

  inbound_ptr parse(std::vector<zmq::message_t>&& parts, const char* from) {
    auto env = transport::decode_envelope(std::move(parts));
    if (!env) {
      std::fprintf(stderr, "shoal: dropped a malformed message from %s: %s\n", from, env.error().message.c_str());
      return nullptr;
    }
    auto in = std::make_shared<inbound>();
    in->msg = std::move(*env);
    return in;
  }

  void on_router(std::string route, std::vector<zmq::message_t>&& parts) {
    auto in = parse(std::move(parts), "a peer");
    if (!in) return;
    in->route = std::move(route);
    if (wire::type_of(in->msg) == wire::msg_type::ping) {
      auto pong = wire::encode(wire::make_header(wire::msg_type::pong, -1, in->msg.header.sequence));
      pong.h.source = endpoint;
      (void)transport::send_parts(*router, transport::encode_packed(pong.h, std::move(pong.body)), &in->route);
      if (opts.on_ping) opts.on_ping(in->msg.header.source);
      return;
    }
    on_message(std::move(in));
  }

  void on_dealer(const std::string& ep, peer& p, std::vector<zmq::message_t>&& parts) {
    auto in = parse(std::move(parts), ep.c_str());
    if (!in) return;
    p.last_seen = clock_type::now();
    in->peer = ep;
    if (wire::type_of(in->msg) == wire::msg_type::pong) return;
    const auto seq = in->msg.header.sequence;
    if (auto it = pending.find(seq); seq != 0 && it != pending.end()) {
      auto done = std::move(it->second.done);
      pending.erase(it);
      done(std::move(in), {});
      return;
    }
    on_message(std::move(in));
  }

  void heartbeats() {
    auto now = clock_type::now();
    for (auto& [ep, p] : peers) {
      if (!p.watched) continue;
      if (now - p.last_seen > std::chrono::milliseconds(opts.heartbeat_timeout_ms)) {
        error_info e{errc::runtime_error, "shoal: node " + ep + " stopped answering (no heartbeat for " +
                                              std::to_string(opts.heartbeat_timeout_ms) + " ms)"};
        std::fprintf(stderr, "%s\n", e.message.c_str());
        p.watched = false;  // reported once
        if (p.fatal) {
          {
            std::lock_guard<std::mutex> g(mu);
            if (!broken) broken = e;
          }
          fail_all(e);
        } else {
          fail_all(e, ep);
          if (opts.on_peer_dead) opts.on_peer_dead(ep, e);
        }
        continue;
      }
      if (now - p.last_ping >= std::chrono::milliseconds(opts.heartbeat_ms)) {
        auto ping = wire::encode(wire::make_header(wire::msg_type::ping));
        ping.h.source = opts.identity.empty() ? endpoint : opts.identity;
        send_to(p, ep, ping);
        p.last_ping = now;
      }
    }
  }

  void loop() {
    std::vector<zmq::pollitem_t> items;
    struct polled_peer {
      const std::string* ep;
      peer* p;
      std::size_t sock_item, monitor_item;  // monitor_item 0: none (item 0 is the eventfd)
    };
    std::vector<polled_peer> polled;
    const long tick = std::max(1, std::min(50, opts.heartbeat_ms));
    while (!stop) {
      items.clear();
      polled.clear();
      items.push_back({nullptr, efd, ZMQ_POLLIN, 0});
      if (router) items.push_back({router->handle(), 0, ZMQ_POLLIN, 0});
      for (auto& [ep, p] : peers) {
        polled.push_back({&ep, &p, items.size(), 0});
        items.push_back({p.sock->handle(), 0, ZMQ_POLLIN, 0});
        if (p.monitor) {
          polled.back().monitor_item = items.size();
          items.push_back({p.monitor->handle(), 0, ZMQ_POLLIN, 0});
        }
      }
      zmq::poll(items, std::chrono::milliseconds(tick));
      if (items[0].revents & ZMQ_POLLIN) {
        std::uint64_t n;
        (void)!::read(efd, &n, sizeof n);
        std::deque<command> work;
        {
          std::lock_guard<std::mutex> g(mu);
          work.swap(outbox);
        }
        for (auto& c : work) run_command(c);
      }
      if (router && (items[1].revents & ZMQ_POLLIN)) drain_router();
      for (auto& pp : polled) {
        if (items[pp.sock_item].revents & ZMQ_POLLIN) drain_dealer(*pp.ep, *pp.p);
        if (pp.monitor_item && (items[pp.monitor_item].revents & ZMQ_POLLIN)) on_monitor(*pp.ep, *pp.p);
      }
      heartbeats();
    }
    fail_all({errc::runtime_error, closed_msg});
  }

  void drain_router() {
    for (;;) {
      std::string route;
      auto parts = transport::recv_parts(*router, {}, &route, true);
      if (!parts) {
        std::fprintf(stderr, "shoal: dropped a message: %s\n", parts.error().message.c_str());
        continue;  // the bad message was read to its end: the next one starts clean
      }
      if (parts->empty()) return;
      on_router(std::move(route), std::move(*parts));
    }
  }

  void drain_dealer(const std::string& ep, peer& p) {
    for (;;) {
      auto parts = transport::recv_parts(*p.sock, {}, nullptr, true);
      if (!parts) {
        std::fprintf(stderr, "shoal: dropped a message from %s: %s\n", ep.c_str(), parts.error().message.c_str());
        continue;
      }
      if (parts->empty()) return;
      on_dealer(ep, p, std::move(*parts));
    }
  }
};

gateway::gateway(gateway_options opts, handler on_message) : impl_(std::make_unique<impl>()) {
  auto& m = *impl_;
  m.opts = std::move(opts);
  m.on_message = std::move(on_message);
  auto secret = transport::cluster_secret::from_token(m.opts.secret);
  if (!secret)
    throw_error(errc::runtime_error, "shoal: no usable cluster secret (set SHOAL_TOKEN or use the token file that "
                                     "`shoal start --head` wrote): " + secret.error().message);
  m.secret = std::move(*secret);
  m.efd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (m.efd < 0) throw_error(errc::runtime_error, "shoal: eventfd failed");
  if (!m.opts.bind.empty()) {
    std::string ep = tcp_endpoint(m.opts.bind);
    if (ep.size() > 2 && ep.compare(ep.size() - 2, 2, ":0") == 0) ep = ep.substr(0, ep.size() - 1) + "*";
    m.auth = std::make_unique<transport::authenticator>(m.ctx, m.secret);
    m.router = std::make_unique<zmq::socket_t>(m.ctx, zmq::socket_type::router);
    unbounded(*m.router);
    m.router->set(zmq::sockopt::router_mandatory, 1);
    error_info e = transport::secure_socket(*m.router, transport::link_role::server, m.secret);
    if (!e) e = m.auth->watch(*m.router);
    if (!e) {
      try {
        m.router->bind(ep);
      } catch (const zmq::error_t& x) {
        e = {errc::runtime_error, x.what()};
      }
    }
    if (e) {
      m.router.reset();
      m.auth.reset();
      ::close(m.efd);
      throw_error(errc::runtime_error, "shoal: cannot listen on " + ep + ": " + e.message);
    }
    m.endpoint = m.router->get(zmq::sockopt::last_endpoint);
  }
  m.io = std::thread([&m] { m.loop(); });
}

gateway::~gateway() {
  close();
  ::close(impl_->efd);
}

void gateway::close() {
  auto& m = *impl_;
  if (m.stop.exchange(true)) return;
  std::uint64_t one = 1;
  (void)!::write(m.efd, &one, sizeof one);
  m.io.join();
  {
    std::lock_guard<std::mutex> g(m.mu);
    for (auto& c : m.outbox)
      if (c.done) c.done(nullptr, {errc::runtime_error, closed_msg});
    m.outbox.clear();
  }
  m.peers.clear();
  m.router.reset();
  m.auth.reset();  // before the context closes
}

const std::string& gateway::endpoint() const { return impl_->endpoint; }

void gateway::send(const std::string& endpoint, wire::message m) {
  impl_->post({impl::command::send, endpoint, std::move(m), {}});
}

void gateway::reply(const std::string& route, wire::message m) {
  impl_->post({impl::command::reply, route, std::move(m), {}});
}

void gateway::call(const std::string& endpoint, wire::message m, reply_fn done) {
  m.h.sequence = next_seq();
  impl_->post({impl::command::call, endpoint, std::move(m), std::move(done)});
}

void gateway::watch(const std::string& endpoint, bool fatal) {
  impl_->post({fatal ? impl::command::watch : impl::command::watch_nonfatal, endpoint, {}, {}});
}

error_info gateway::broken() const {
  std::lock_guard<std::mutex> g(impl_->mu);
  return impl_->broken;
}

inbound_ptr call_and_wait(gateway& g, const std::string& endpoint, wire::message m, int timeout_ms) {
  auto done = std::make_shared<std::promise<std::pair<inbound_ptr, error_info>>>();
  auto fut = done->get_future();
  g.call(endpoint, std::move(m), [done](inbound_ptr in, error_info e) { done->set_value({std::move(in), std::move(e)}); });
  if (fut.wait_for(std::chrono::milliseconds(timeout_ms)) != std::future_status::ready)
    throw_error(errc::runtime_error, "shoal: no answer from " + endpoint + " within " + std::to_string(timeout_ms) +
                                         " ms (is a node running there, with this cluster's secret?)");
  auto [in, err] = fut.get();
  if (err) throw error(err);
  if (wire::type_of(in->msg) == wire::msg_type::failed) {
    error_info e;
    if (wire::decode(in->msg, e) || !e) e = {errc::runtime_error, "shoal: " + endpoint + " refused the request"};
    throw error(e);
  }
  return in;
}

}  // namespace shoal
