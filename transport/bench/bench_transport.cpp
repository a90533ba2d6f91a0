// bench_transport: moves a buffer between two nodes on loopback TCP (two threads, each with
// its own zmq context, as two processes would have) and prints GB/s for
//   plain zmq      one zmq message of the same bytes, no envelope, no encryption (the peer)
//   envelope       shoal's envelope + raw frame over an unencrypted link (link_options.curve off)
//   envelope+CURVE shoal's envelope + raw frame over a CurveZMQ link (the default)
// plus the round trip of a tiny message. Each transfer is acknowledged by a tiny reply, so a
// time is send + receive of the whole buffer. Median of --reps after one warm-up.
//
//   bench_transport [--mib N] [--reps N] [--rtt N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

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
  if constexpr (Inspector::writes_state) {
    uint32_t i = 0;
    auto err = f(x.key, i);
    if (!err) x.data = dynamic_cast<frame_source&>(f).get_frame(i);
    return err;
  } else {
    uint32_t i = dynamic_cast<frame_sink&>(f).put_frame(x.data);
    return f(x.key, i);
  }
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

/// Runs `serve(router)` in a thread of its own context and `drive(dealer)` here; returns
/// what drive returns (seconds per operation).
double run_pair(const link_options& opts, const std::function<void(zmq::socket_t&)>& serve,
                const std::function<double(zmq::socket_t&)>& drive) {
  const auto secret = *cluster_secret::from_token("bench-token-0123456789");
  secure_context server_ctx(secret, opts);
  auto router = server_ctx.make_router("tcp://127.0.0.1:*");
  if (!router) {
    std::fprintf(stderr, "%s\n", router.error().message.c_str());
    std::exit(1);
  }
  const auto port = *bound_port(*router);
  std::thread server([&] { serve(*router); });
  secure_context client_ctx(secret, opts);
  auto link = client_ctx.make_dealer(tcp_endpoint("127.0.0.1", port));
  if (auto err = wait_handshake(*link, std::chrono::seconds(10))) {
    std::fprintf(stderr, "%s\n", err.message.c_str());
    std::exit(1);
  }
  const double t = drive(link->socket);
  server.join();
  link->socket.close();
  link->monitor.close();
  router->close();
  return t;
}

/// Server: answers `count` messages (of any form) with a one-byte ack each.
std::function<void(zmq::socket_t&)> acker(int count, bool decode) {
  return [count, decode](zmq::socket_t& router) {
    for (int i = 0; i < count; ++i) {
      std::string peer;
      auto parts = recv_parts(router, {}, &peer);
      if (!parts || parts->empty()) std::abort();
      if (decode) {
        auto env = decode_envelope(std::move(*parts));
        if (!env || !decode_payload<shard_msg>(*env)) std::abort();
      }
      std::vector<zmq::message_t> ack;
      ack.emplace_back(1);
      (void)send_parts(router, std::move(ack), &peer);
    }
  };
}

double wait_ack(zmq::socket_t& dealer) {
  auto ack = recv_parts(dealer);
  if (!ack || ack->empty()) std::abort();
  return 0;
}

/// Seconds per transfer of `buf`, as a plain zmq message or shoal's envelope + frame.
double transfer(const link_options& opts, const buffer_ptr& buf, int reps, bool envelope_form) {
  return run_pair(opts, acker(reps + 1, envelope_form), [&](zmq::socket_t& dealer) {
    std::vector<double> times;
    for (int i = 0; i < reps + 1; ++i) {
      const auto t0 = clock_type::now();
      if (envelope_form) {
        if (send_message(dealer, envelope_header{.type = 1, .source = "bench"}, shard_msg{1, buf}))
          std::abort();
      } else {
        auto* keep = new buffer_ptr(buf);  // zero-copy, as the envelope's frames are
        std::vector<zmq::message_t> one;
        one.emplace_back(buf->data(), buf->bytes(),
                         [](void*, void* h) { delete static_cast<buffer_ptr*>(h); }, keep);
        if (send_parts(dealer, std::move(one))) std::abort();
      }
      wait_ack(dealer);
      if (i > 0) times.push_back(std::chrono::duration<double>(clock_type::now() - t0).count());
    }
    return median(times);
  });
}

/// Seconds per round trip of a tiny envelope.
double round_trip(const link_options& opts, int count) {
  return run_pair(opts, acker(count + 10, true), [&](zmq::socket_t& dealer) {
    for (int i = 0; i < 10; ++i) {  // warm-up
      (void)send_message(dealer, envelope_header{.type = 1, .source = "bench"}, shard_msg{1, make_buffer(8)});
      wait_ack(dealer);
    }
    auto small = make_buffer(8);
    const auto t0 = clock_type::now();
    for (int i = 0; i < count; ++i) {
      (void)send_message(dealer, envelope_header{.type = 1, .source = "bench"}, shard_msg{1, small});
      wait_ack(dealer);
    }
    return std::chrono::duration<double>(clock_type::now() - t0).count() / count;
  });
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
  const double t_zmq = transfer(plain, buf, reps, false);
  const double t_env = transfer(plain, buf, reps, true);
  const double t_curve = transfer(curve, buf, reps, true);
  const double rtt_plain = round_trip(plain, rtt);
  const double rtt_curve = round_trip(curve, rtt);

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
