// Secure links: the right secret talks, wrong secrets / plain clients / garbage / replayed
// handshakes are refused and logged, and the server keeps serving. Every wait is bounded.
#include "transport/secure_context.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <random>
#include <thread>

#include "transport/frame_field.hpp"
#include "transport/log.hpp"
#include "transport/multipart.hpp"

namespace shoal::transport {
namespace {

using namespace std::chrono_literals;

/// Collects the transport's log lines for the test's duration.
class log_capture {
 public:
  log_capture() {
    old_ = set_log_sink([this](std::string_view line) {
      std::lock_guard<std::mutex> lock(m_);
      lines_.emplace_back(line);
    });
  }
  ~log_capture() { set_log_sink(std::move(old_)); }
  /// Waits up to `timeout` for a line containing `text`.
  bool saw(const std::string& text, std::chrono::milliseconds timeout = 3000ms) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    do {
      {
        std::lock_guard<std::mutex> lock(m_);
        for (const auto& l : lines_)
          if (l.find(text) != std::string::npos) return true;
      }
      std::this_thread::sleep_for(10ms);
    } while (std::chrono::steady_clock::now() < deadline);
    return false;
  }
  std::string all() {
    std::lock_guard<std::mutex> lock(m_);
    std::string s;
    for (const auto& l : lines_) s += l + "\n";
    return s;
  }

 private:
  std::mutex m_;
  std::vector<std::string> lines_;
  log_sink old_;
};

cluster_secret secret_a() { return *cluster_secret::from_token("token-a-0123456789abcdef"); }
cluster_secret secret_b() { return *cluster_secret::from_token("token-b-0123456789abcdef"); }

link_options quick() {
  link_options o;
  o.handshake_timeout = 1000ms;  // short, so that the silent-peer test is quick
  return o;
}

/// A node: a context with a router on an ephemeral loopback port.
struct server {
  secure_context ctx;
  zmq::socket_t router;
  uint16_t port = 0;
  explicit server(cluster_secret s, link_options o = quick()) : ctx(std::move(s), o) {
    auto r = ctx.make_router(tcp_endpoint("127.0.0.1", 0));
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    router = std::move(*r);
    router.set(zmq::sockopt::rcvtimeo, 3000);
    port = *bound_port(router);
  }
  std::string endpoint() const { return tcp_endpoint("127.0.0.1", port); }
  /// The next message's payload as a string, with the sender's routing id.
  std::optional<std::string> receive(std::string* peer = nullptr, int timeout_ms = 3000) {
    router.set(zmq::sockopt::rcvtimeo, timeout_ms);
    std::string id;
    auto got = recv_envelope(router, {}, &id);
    if (!got || !got->has_value()) return std::nullopt;
    if (peer) *peer = id;
    auto s = decode_payload<std::string>(**got);
    return s ? std::optional<std::string>(*s) : std::nullopt;
  }
};

envelope_header hdr() { return envelope_header{.type = 1, .source = "test"}; }

/// A blocking TCP connection to 127.0.0.1:port with 2 s send/receive timeouts.
int tcp_connect(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

/// Reads until the peer closes or `timeout` passes; true if it closed.
bool closed_by_peer(int fd, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n == 0) return true;
    if (n < 0 && errno != EAGAIN && errno != EINTR) return true;  // reset
  }
  return false;
}

/// The right secret: handshake, request, reply.
void expect_round_trip(server& srv, secure_context& client_ctx) {
  auto link = client_ctx.make_dealer(srv.endpoint());
  ASSERT_TRUE(link) << link.error().message;
  auto err = wait_handshake(*link, 3000ms);
  ASSERT_FALSE(err) << err.message;
  ASSERT_FALSE(send_message(link->socket, hdr(), std::string("ping")));
  std::string peer;
  auto got = srv.receive(&peer);
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, "ping");
  ASSERT_FALSE(send_message(srv.router, hdr(), std::string("pong"), &peer));
  link->socket.set(zmq::sockopt::rcvtimeo, 3000);
  auto back = recv_envelope(link->socket);
  ASSERT_TRUE(back && back->has_value());
  EXPECT_EQ(*decode_payload<std::string>(**back), "pong");
}

TEST(ClusterSecret, DerivesStableDistinctKeys) {
  auto a1 = secret_a(), a2 = secret_a(), b = secret_b();
  EXPECT_EQ(a1.public_key(), a2.public_key());
  EXPECT_EQ(a1.secret_key(), a2.secret_key());
  EXPECT_NE(a1.public_key(), b.public_key());
  EXPECT_EQ(a1.public_key().size(), 40u);
  EXPECT_FALSE(cluster_secret::from_token("short"));
  auto g = generate_secret();
  EXPECT_EQ(g.token().size(), 64u);
  EXPECT_NE(g.token(), generate_secret().token());
}

TEST(ClusterSecret, FileIsPrivateAndLoadsBack) {
  const auto dir = std::filesystem::temp_directory_path() / ("shoal-secret-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "token").string();
  auto s = generate_secret();
  ASSERT_FALSE(save_secret(s, path));
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto back = load_secret(path);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->public_key(), s.public_key());
  ::chmod(path.c_str(), 0644);
  auto open = load_secret(path);
  ASSERT_FALSE(open);
  EXPECT_NE(open.error().message.find("chmod 600"), std::string::npos);
  EXPECT_FALSE(load_secret((dir / "missing").string()));
  std::filesystem::remove_all(dir);
}

TEST(ClusterSecret, ResolveOrder) {
  ::unsetenv(token_env);
  EXPECT_FALSE(resolve_secret(std::nullopt, std::nullopt));
  ::setenv(token_env, "token-b-0123456789abcdef", 1);
  EXPECT_EQ(resolve_secret(std::nullopt, std::nullopt)->public_key(), secret_b().public_key());
  EXPECT_EQ(resolve_secret(std::string("token-a-0123456789abcdef"), std::nullopt)->public_key(),
            secret_a().public_key());
  ::unsetenv(token_env);
}

TEST(SecureLink, RightSecretExchangesMessages) {
  server srv(secret_a());
  secure_context client(secret_a(), quick());
  expect_round_trip(srv, client);
  EXPECT_EQ(srv.ctx.refusals(), 0u);
}

/// A message carrying one buffer as a raw frame.
struct blob {
  buffer_ptr data;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, blob& x) {
  frame_field data{x.data};
  return f(data);
}

TEST(SecureLink, LargeBufferCrossesInChunks) {
  server srv(secret_a());
  secure_context client(secret_a(), quick());
  auto link = client.make_dealer(srv.endpoint());
  ASSERT_TRUE(link);
  ASSERT_FALSE(wait_handshake(*link, 3000ms));
  EXPECT_EQ(chunk_bytes_for(link->socket), curve_chunk_bytes);
  const size_t n = (size_t{9} << 20) + 5;
  auto b = make_buffer(n);
  for (size_t i = 0; i < n; ++i) b->data()[i] = std::byte(static_cast<uint8_t>(i * 31));
  ASSERT_FALSE(send_message(link->socket, hdr(), blob{b}));
  auto parts = recv_parts(srv.router);
  ASSERT_TRUE(parts);
  ASSERT_EQ(parts->size(), 1u + 1u + 3u);  // routing id, head, 3 chunks
  parts->erase(parts->begin());
  auto e = decode_envelope(std::move(*parts));
  ASSERT_TRUE(e) << e.error().message;
  auto got = decode_payload<blob>(*e);
  ASSERT_TRUE(got) << got.error().message;
  ASSERT_EQ(got->data->bytes(), n);
  EXPECT_EQ(std::memcmp(got->data->data(), b->data(), n), 0);
}

TEST(SecureLink, WrongSecretIsRefusedAndLogged) {
  log_capture log;
  server srv(secret_a());
  secure_context client(secret_b(), quick());
  auto link = client.make_dealer(srv.endpoint());
  ASSERT_TRUE(link);
  auto err = wait_handshake(*link, 2000ms);
  ASSERT_TRUE(err);
  EXPECT_NE(err.message.find("wrong cluster secret"), std::string::npos) << err.message;
  (void)send_message(link->socket, hdr(), std::string("let me in"));
  EXPECT_FALSE(srv.receive(nullptr, 300));
  EXPECT_TRUE(log.saw("refused a connection")) << log.all();
  EXPECT_GT(srv.ctx.refusals(), 0u);
  link->socket.close();
  link->monitor.close();
  secure_context good(secret_a(), quick());
  expect_round_trip(srv, good);  // still serving
}

TEST(SecureLink, ForeignClientKeyIsRefusedByZap) {
  // Knows the server's public key (so CurveZMQ itself would let it in) but not the cluster's
  // key pair: the ZAP handler refuses it.
  log_capture log;
  server srv(secret_a());
  zmq::context_t ctx;
  zmq::socket_t d(ctx, zmq::socket_type::dealer);
  char pub[41], sec[41];
  ASSERT_EQ(zmq_curve_keypair(pub, sec), 0);
  d.set(zmq::sockopt::linger, 0);
  ASSERT_EQ(zmq_setsockopt(d.handle(), ZMQ_CURVE_SERVERKEY, secret_a().public_key().c_str(), 41), 0);
  ASSERT_EQ(zmq_setsockopt(d.handle(), ZMQ_CURVE_PUBLICKEY, pub, 41), 0);
  ASSERT_EQ(zmq_setsockopt(d.handle(), ZMQ_CURVE_SECRETKEY, sec, 41), 0);
  d.connect(srv.endpoint());
  (void)send_message(d, hdr(), std::string("let me in"));
  EXPECT_FALSE(srv.receive(nullptr, 500));
  EXPECT_TRUE(log.saw("client key is not the cluster's")) << log.all();
}

TEST(SecureLink, PlainClientIsRefusedAndLogged) {
  log_capture log;
  server srv(secret_a());
  zmq::context_t ctx;
  zmq::socket_t d(ctx, zmq::socket_type::dealer);
  d.set(zmq::sockopt::linger, 0);
  d.connect(srv.endpoint());
  (void)send_message(d, hdr(), std::string("plain"));
  EXPECT_FALSE(srv.receive(nullptr, 500));
  // Whichever side notices the mechanism mismatch first, the server logs a refusal.
  EXPECT_TRUE(log.saw("refused a connection: handshake on")) << log.all();
}

TEST(SecureLink, GarbageBytesNeitherCrashNorHang) {
  log_capture log;
  server srv(secret_a());
  std::mt19937 rng(99);
  for (int round = 0; round < 5; ++round) {
    int fd = tcp_connect(srv.port);
    ASSERT_GE(fd, 0);
    std::vector<char> junk(round == 0 ? 10 : 4096);
    for (auto& c : junk) c = static_cast<char>(rng());
    if (round == 1) junk[0] = '\xff';  // looks like a ZMTP signature start
    (void)::send(fd, junk.data(), junk.size(), MSG_NOSIGNAL);
    EXPECT_TRUE(closed_by_peer(fd, 3000ms)) << "server kept a garbage connection open";
    ::close(fd);
  }
  // A silent peer is dropped after the handshake timeout (1 s here).
  int fd = tcp_connect(srv.port);
  ASSERT_GE(fd, 0);
  EXPECT_TRUE(closed_by_peer(fd, 3000ms));
  ::close(fd);
  secure_context good(secret_a(), quick());
  expect_round_trip(srv, good);
}

/// Relays one TCP connection to `port`, recording what the client sends.
class recording_proxy {
 public:
  explicit recording_proxy(uint16_t target) : target_(target) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(listen_fd_, 1);
    socklen_t len = sizeof a;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~recording_proxy() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
  }
  uint16_t port() const { return port_; }
  std::vector<char> recorded() {
    std::lock_guard<std::mutex> lock(m_);
    return sent_;
  }

 private:
  void run() {
    pollfd lp{listen_fd_, POLLIN, 0};
    while (!stop_ && ::poll(&lp, 1, 50) <= 0) {
    }
    if (stop_) return;
    int client = ::accept(listen_fd_, nullptr, nullptr);
    int upstream = tcp_connect(target_);
    char buf[65536];
    while (!stop_) {
      pollfd p[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
      if (::poll(p, 2, 50) <= 0) continue;
      if (p[0].revents & (POLLIN | POLLHUP)) {
        ssize_t n = ::recv(client, buf, sizeof buf, 0);
        if (n <= 0) break;
        {
          std::lock_guard<std::mutex> lock(m_);
          sent_.insert(sent_.end(), buf, buf + n);
        }
        ::send(upstream, buf, static_cast<size_t>(n), MSG_NOSIGNAL);
      }
      if (p[1].revents & (POLLIN | POLLHUP)) {
        ssize_t n = ::recv(upstream, buf, sizeof buf, 0);
        if (n <= 0) break;
        ::send(client, buf, static_cast<size_t>(n), MSG_NOSIGNAL);
      }
    }
    ::close(client);
    ::close(upstream);
  }

  uint16_t target_, port_ = 0;
  int listen_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::mutex m_;
  std::vector<char> sent_;
  std::thread thread_;
};

TEST(SecureLink, ReplayedHandshakeIsRefused) {
  log_capture log;
  server srv(secret_a());
  std::vector<char> recorded;
  {
    recording_proxy proxy(srv.port);
    secure_context client(secret_a(), quick());
    auto link = client.make_dealer(tcp_endpoint("127.0.0.1", proxy.port()));
    ASSERT_TRUE(link);
    ASSERT_FALSE(wait_handshake(*link, 3000ms));
    ASSERT_FALSE(send_message(link->socket, hdr(), std::string("original")));
    ASSERT_EQ(srv.receive(), std::optional<std::string>("original"));
    recorded = proxy.recorded();
  }
  ASSERT_GT(recorded.size(), 64u + 200u);  // greeting, HELLO, INITIATE, MESSAGE
  const auto before = srv.ctx.refusals();
  int fd = tcp_connect(srv.port);
  ASSERT_GE(fd, 0);
  (void)::send(fd, recorded.data(), recorded.size(), MSG_NOSIGNAL);
  EXPECT_TRUE(closed_by_peer(fd, 3000ms));
  ::close(fd);
  EXPECT_FALSE(srv.receive(nullptr, 500)) << "a replayed message was delivered";
  EXPECT_TRUE(log.saw("handshake on")) << log.all();
  EXPECT_GT(srv.ctx.refusals(), before);
}

TEST(SecureLink, BindsLoopbackUnlessToldOtherwise) {
  secure_context ctx(secret_a(), quick());
  auto r = ctx.make_router("tcp://0.0.0.0:*");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("allow_remote_bind"), std::string::npos);
  EXPECT_TRUE(is_loopback_endpoint("tcp://127.0.0.1:5"));
  EXPECT_TRUE(is_loopback_endpoint("tcp://[::1]:5"));
  EXPECT_TRUE(is_loopback_endpoint("tcp://localhost:*"));
  EXPECT_TRUE(is_loopback_endpoint("inproc://x"));
  EXPECT_FALSE(is_loopback_endpoint("tcp://*:5"));
  EXPECT_FALSE(is_loopback_endpoint("tcp://10.0.0.1:5"));
  EXPECT_FALSE(is_loopback_endpoint("tcp://127.example.com:5"));
  link_options open = quick();
  open.allow_remote_bind = true;
  secure_context wide(secret_a(), open);
  auto w = wide.make_router("tcp://0.0.0.0:*");
  EXPECT_TRUE(w) << (w ? "" : w.error().message);
}

TEST(SecureLink, PartsOnACallersOwnContext) {
  // What a gateway with its own context and sockets does: secure_socket per socket, one
  // authenticator per context, a handshake monitor per dealer.
  log_capture log;
  zmq::context_t ctx;
  {
    authenticator auth(ctx, secret_a(), quick());
    zmq::socket_t router(ctx, zmq::socket_type::router);
    ASSERT_FALSE(secure_socket(router, link_role::server, secret_a(), quick()));
    ASSERT_FALSE(auth.watch(router));
    router.bind("tcp://127.0.0.1:*");
    const auto ep = tcp_endpoint("127.0.0.1", *bound_port(router));

    zmq::context_t other;
    for (const auto& secret : {secret_a(), secret_b()}) {
      zmq::socket_t dealer(other, zmq::socket_type::dealer);
      ASSERT_FALSE(secure_socket(dealer, link_role::client, secret, quick()));
      auto monitor = monitor_handshakes(other, dealer);
      ASSERT_TRUE(monitor);
      dealer.connect(ep);
      auto err = wait_handshake(*monitor, 3000ms);
      const bool good = secret.public_key() == secret_a().public_key();
      EXPECT_EQ(static_cast<bool>(err), !good) << err.message;
    }
    EXPECT_TRUE(log.saw("refused a connection")) << log.all();
    EXPECT_GT(auth.refusals(), 0u);
  }
  ctx.close();
}

TEST(SecureLink, OversizedPartsAreDroppedBySocket) {
  // ZMQ_MAXMSGSIZE: a part above the limit makes the router drop the connection unread.
  link_options small = quick();
  small.max_message_bytes = 1 << 20;
  server srv(secret_a(), small);
  secure_context client(secret_a(), quick());
  auto link = client.make_dealer(srv.endpoint());
  ASSERT_TRUE(link);
  ASSERT_FALSE(wait_handshake(*link, 3000ms));
  ASSERT_FALSE(send_message(link->socket, hdr(), blob{make_buffer(2 << 20)}));
  EXPECT_FALSE(srv.receive(nullptr, 500));
  secure_context again(secret_a(), quick());
  expect_round_trip(srv, again);  // still serving
}

TEST(SecureLink, NoServerIsATimeoutNotAHang) {
  secure_context ctx(secret_a(), quick());
  auto link = ctx.make_dealer("tcp://127.0.0.1:1");  // nothing listens on port 1
  ASSERT_TRUE(link);
  auto err = wait_handshake(*link, 300ms);
  ASSERT_TRUE(err);
  EXPECT_NE(err.message.find("no handshake within"), std::string::npos) << err.message;
}

}  // namespace
}  // namespace shoal::transport
