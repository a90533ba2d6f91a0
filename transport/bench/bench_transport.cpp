// bench_transport: moves a buffer between two nodes on loopback TCP (two threads, each with
// its own zmq context, as two processes would have) and prints GB/s for
//   plain zmq      one zmq message of the same bytes, no envelope, no encryption (the peer)
//   envelope       shoal's envelope + raw frame over an unencrypted link (link_options.curve off)
//   envelope+CURVE shoal's envelope + raw frame over a CurveZMQ link (the default)
// plus the round trip of a tiny message. Each transfer is acknowledged by a tiny reply, so a
// time is send + receive of the whole buffer. The paths take turns; median of --reps after
// one warm-up each.
//
//   bench_transport [--mib N] [--reps N] [--rtt N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "transport/frame_field.hpp"
#include "transport/log.hpp"
#include "transport/multipart.hpp"
#include "transport/secure_context.hpp"

namespace {

using namespace shoal;
using namespace shoal::transport;
using clock_type = std::chrono::steady_clock;

/// A payload with one buffer as a raw frame.
struct shard_msg {
  uint64_t key = 0;
  buffer_ptr data;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shard_msg& x) {
  frame_field data{x.data};
  return f(x.key, data);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

/// Two nodes on loopback: a router answering every message with a one-byte ack in a thread
/// with its own context (decoding envelopes when asked), and a dealer here.
class node_pair {
 public:
  node_pair(const link_options& opts, bool decode)
      : server_ctx_(secret(), opts), client_ctx_(secret(), opts) {
    auto router = server_ctx_.make_router("tcp://127.0.0.1:*");
    if (!router) die(router.error().message);
    router_ = std::move(*router);
    auto link = client_ctx_.make_dealer(tcp_endpoint("127.0.0.1", *bound_port(router_)));
    if (!link) die(link.error().message);
    link_ = std::move(*link);
    if (auto err = wait_handshake(link_, std::chrono::seconds(10))) die(err.message);
    server_ = std::thread([this, decode] { serve(decode); });
  }
  ~node_pair() {
    std::vector<zmq::message_t> stop;
    stop.emplace_back();
    (void)send_parts(link_.socket, std::move(stop));
    server_.join();
    link_.socket.close();
    link_.monitor.close();
    router_.close();
  }
  zmq::socket_t& dealer() { return link_.socket; }
  void wait_ack() {
    auto ack = recv_parts(link_.socket);
    if (!ack || ack->empty()) die("no ack");
  }

 private:
  static cluster_secret secret() { return *cluster_secret::from_token("bench-token-0123456789"); }
  [[noreturn]] static void die(const std::string& why) {
    std::fprintf(stderr, "bench_transport: %s\n", why.c_str());
    std::exit(1);
  }
  void serve(bool decode) {
    for (;;) {
      std::string peer;
      auto parts = recv_parts(router_, {}, &peer);
      if (!parts || parts->empty()) die("receive failed");
      if (parts->size() == 1 && (*parts)[0].size() == 0) return;  // stop
      // Both paths free the received bytes after the ack (freeing 256 MiB takes a while).
      std::optional<shard_msg> msg;
      if (decode) {
        auto env = decode_envelope(std::move(*parts));
        if (!env) die(env.error().message);
        auto m = decode_payload<shard_msg>(*env);
        if (!m) die(m.error().message);
        msg = std::move(*m);
      }
      std::vector<zmq::message_t> ack;
      ack.emplace_back(1);
      (void)send_parts(router_, std::move(ack), &peer);
    }
  }

  secure_context server_ctx_, client_ctx_;
  zmq::socket_t router_;
  dealer_link link_;
  std::thread server_;
};

/// Seconds for one transfer of `buf` and its ack: a plain zmq message, or shoal's envelope.
double transfer(node_pair& p, const buffer_ptr& buf, bool envelope_form) {
  const auto t0 = clock_type::now();
  if (envelope_form) {
    if (send_message(p.dealer(), envelope_header{.type = 1, .source = "bench"}, shard_msg{1, buf}))
      std::abort();
  } else {
    auto* keep = new buffer_ptr(buf);  // zero-copy, as the envelope's frames are
    std::vector<zmq::message_t> one;
    one.emplace_back(buf->data(), buf->bytes(),
                     [](void*, void* h) { delete static_cast<buffer_ptr*>(h); }, keep);
    if (send_parts(p.dealer(), std::move(one))) std::abort();
  }
  p.wait_ack();
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

/// Seconds per round trip of a tiny envelope.
double round_trip(node_pair& p, int count) {
  auto small = make_buffer(8);
  for (int i = 0; i < 10; ++i) transfer(p, small, true);  // warm-up
  const auto t0 = clock_type::now();
  for (int i = 0; i < count; ++i) transfer(p, small, true);
  return std::chrono::duration<double>(clock_type::now() - t0).count() / count;
}

}  // namespace

int main(int argc, char** argv) {
  size_t mib = 256;
  int reps = 5, rtt = 2000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--mib") mib = std::strtoul(argv[i + 1], nullptr, 10);
    else if (a == "--reps") reps = std::atoi(argv[i + 1]);
    else if (a == "--rtt") rtt = std::atoi(argv[i + 1]);
  }
  set_log_sink([](std::string_view) {});  // the plain-link warning is expected here
  const size_t bytes = mib << 20;
  auto buf = make_buffer(bytes);
  std::memset(buf->data(), 0x5a, bytes);

  link_options plain;
  plain.curve = false;
  link_options curve;
  node_pair zmq_pair(plain, false), env_pair(plain, true), curve_pair(curve, true);
  // The three paths take turns, in a rotating order, so that a busy moment of the machine
  // and whoever goes first hit them alike.
  std::vector<double> zmq_t, env_t, curve_t;
  for (int i = 0; i <= reps; ++i) {
    for (int k = 0; k < 3; ++k) {
      switch ((i + k) % 3) {
        case 0: zmq_t.push_back(transfer(zmq_pair, buf, false)); break;
        case 1: env_t.push_back(transfer(env_pair, buf, true)); break;
        default: curve_t.push_back(transfer(curve_pair, buf, true)); break;
      }
    }
  }
  for (auto* v : {&zmq_t, &env_t, &curve_t}) v->erase(v->begin());  // warm-up
  const double t_zmq = median(zmq_t), t_env = median(env_t), t_curve = median(curve_t);
  const double rtt_plain = round_trip(env_pair, rtt);
  const double rtt_curve = round_trip(curve_pair, rtt);

  auto gbs = [&](double t) { return static_cast<double>(bytes) / t / 1e9; };
  std::printf("moving %zu MiB between two nodes on loopback TCP (median of %d)\n", mib, reps);
  std::printf("%-34s %10s %9s %14s\n", "path", "time (ms)", "GB/s", "vs plain zmq");
  std::printf("%-34s %10.1f %9.2f %14.2f\n", "plain zmq (one message)", t_zmq * 1e3, gbs(t_zmq), 1.0);
  std::printf("%-34s %10.1f %9.2f %14.2f\n", "shoal envelope + frame, no CURVE", t_env * 1e3,
              gbs(t_env), t_zmq / t_env);
  std::printf("%-34s %10.1f %9.2f %14.2f\n", "shoal envelope + frame, CURVE", t_curve * 1e3,
              gbs(t_curve), t_zmq / t_curve);
  std::printf("CURVE vs unencrypted envelope: %.2fx the time\n", t_curve / t_env);
  std::printf("tiny message round trip: %.1f us unencrypted, %.1f us CURVE (%d round trips)\n",
              rtt_plain * 1e6, rtt_curve * 1e6, rtt);
  return 0;
}
