/// The ZAP handler and router handshake watcher.
#include "transport/authenticator.hpp"

#include <zmq.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "transport/handshake.hpp"
#include "transport/log.hpp"

namespace shoal::transport {

struct authenticator::impl {
  zmq::context_t& ctx;
  cluster_secret secret;
  link_options options;
  unsigned char cluster_key[32] = {};
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> refusals{0};
  std::atomic<uint64_t> next_monitor{0};
  std::mutex m;
  std::condition_variable cv;
  std::vector<std::string> to_watch;  // monitor endpoints the thread has yet to connect
  bool ready = false;                 // the ZAP socket is bound
  std::string start_error;
  std::thread thread;

  impl(zmq::context_t& c, cluster_secret s, link_options o)
      : ctx(c), secret(std::move(s)), options(o) {
    zmq_z85_decode(cluster_key, secret.public_key().c_str());
  }

  void refuse(const std::string& why) {
    ++refusals;
    log_line("refused a connection: " + why);
  }

  /// RFC 27 (ZAP): request = version, request id, domain, address, routing id, mechanism,
  /// credentials...; reply = version, request id, status code, status text, user id, metadata.
  void answer_zap(zmq::socket_t& zap) {
    std::vector<zmq::message_t> req;
    for (;;) {
      zmq::message_t part;
      if (!zap.recv(part, zmq::recv_flags::dontwait)) return;
      const bool more = part.more();
      if (req.size() < 8) req.push_back(std::move(part));
      if (!more) break;
    }
    auto text = [&](size_t i) { return i < req.size() ? req[i].to_string() : std::string(); };
    const std::string version = text(0), request_id = text(1), address = text(3),
                      mechanism = text(5);
    std::string code = "200", status = "OK";
    if (version != "1.0" || req.size() < 6) {
      code = "500", status = "bad ZAP request";
    } else if (options.curve) {
      if (mechanism != "CURVE")
        code = "400", status = "mechanism " + mechanism + " is not CURVE";
      else if (req.size() < 7 || req[6].size() != 32 || std::memcmp(req[6].data(), cluster_key, 32) != 0)
        code = "400", status = "client key is not the cluster's (wrong cluster secret?)";
    }
    if (code != "200") refuse("from " + address + ": " + status);
    const std::string reply[] = {"1.0", request_id, code, status, code == "200" ? "shoal" : "", ""};
    for (size_t i = 0; i < 6; ++i)
      zap.send(zmq::buffer(reply[i]), i + 1 < 6 ? zmq::send_flags::sndmore : zmq::send_flags::none);
  }

  /// Logs the failed handshakes among `monitor`'s events; false once the monitor stopped.
  bool drain(zmq::socket_t& monitor) {
    monitor_event ev;
    while (read_monitor_event(monitor, ev)) {
      switch (ev.event) {
        case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
          refuse("handshake on " + ev.endpoint + " failed: " + describe_protocol_error(ev.value));
          break;
        case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
          refuse("handshake on " + ev.endpoint + " failed (errno " + std::to_string(ev.value) +
                 ": " + zmq_strerror(static_cast<int>(ev.value)) +
                 "): a client without CurveZMQ or without the cluster secret?");
          break;
        case ZMQ_EVENT_MONITOR_STOPPED:
          return false;
        default:
          break;  // FAILED_AUTH: answer_zap has logged it
      }
    }
    return true;
  }

  void run() {
    zmq::socket_t zap(ctx, zmq::socket_type::rep);
    std::vector<zmq::socket_t> monitors;
    try {
      zap.set(zmq::sockopt::linger, 0);
      zap.bind("inproc://zeromq.zap.01");
    } catch (const zmq::error_t& e) {
      start_error = e.what();
    }
    {
      std::lock_guard<std::mutex> lock(m);
      ready = true;
    }
    cv.notify_all();
    if (!start_error.empty()) return;
    while (!stop.load()) {
      try {
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
        // A short timeout: stop and new watches are noticed within it.
        zmq::poll(items, std::chrono::milliseconds(20));
        if (items[0].revents & ZMQ_POLLIN) answer_zap(zap);
        for (size_t i = monitors.size(); i-- > 0;)
          if ((items[i + 1].revents & ZMQ_POLLIN) && !drain(monitors[i]))
            monitors.erase(monitors.begin() + static_cast<std::ptrdiff_t>(i));
      } catch (const zmq::error_t& e) {
        if (e.num() == ETERM) return;
        log_line(std::string("authenticator: ") + e.what());
      }
    }
  }
};

authenticator::authenticator(zmq::context_t& ctx, cluster_secret secret, link_options options)
    : impl_(std::make_unique<impl>(ctx, std::move(secret), options)) {
  if (!options.curve) log_line("links are NOT encrypted (link_options.curve = false)");
  impl_->thread = std::thread([this] { impl_->run(); });
  std::unique_lock<std::mutex> lock(impl_->m);
  impl_->cv.wait(lock, [&] { return impl_->ready; });
  if (!impl_->start_error.empty())
    log_line("authenticator: cannot bind the ZAP endpoint (" + impl_->start_error +
             "): a second authenticator on one context?");
}

authenticator::~authenticator() {
  impl_->stop = true;
  impl_->thread.join();
}

error_info authenticator::watch(zmq::socket_t& router) {
  const std::string ep = "inproc://shoal-refusals-" + std::to_string(impl_->next_monitor++);
  const int events = ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                     ZMQ_EVENT_HANDSHAKE_FAILED_AUTH;
  if (zmq_socket_monitor(router.handle(), ep.c_str(), events) != 0)
    return fail(std::string("cannot watch a router: ") + zmq_strerror(zmq_errno()));
  if (!impl_->start_error.empty()) return fail("the authenticator is not running");
  std::unique_lock<std::mutex> lock(impl_->m);
  impl_->to_watch.push_back(ep);
  impl_->cv.wait(lock, [&] { return impl_->to_watch.empty(); });
  return {};
}

uint64_t authenticator::refusals() const { return impl_->refusals.load(); }

}  // namespace shoal::transport
