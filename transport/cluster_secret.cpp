/// Cluster secrets: tokens, their files, and the Curve key pair derived from a token.
#include "transport/cluster_secret.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace shoal::transport {
namespace {

/// Domain separation: the same token hashed for another purpose gives other bytes.
constexpr char derivation_key[] = "shoal cluster curve secret key v1";

bool init_sodium() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  const auto e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

}  // namespace

expected<cluster_secret> cluster_secret::from_token(std::string token) {
  token = trim(std::move(token));
  if (token.size() < min_token_chars)
    return fail("cluster token too short (" + std::to_string(token.size()) + " characters, need " +
                std::to_string(min_token_chars) + ")");
  if (!init_sodium()) return fail("libsodium failed to initialise");
  std::array<unsigned char, 32> sk{};
  crypto_generichash(sk.data(), sk.size(), reinterpret_cast<const unsigned char*>(token.data()),
                     token.size(), reinterpret_cast<const unsigned char*>(derivation_key),
                     sizeof derivation_key - 1);
  char sk_z85[41] = {}, pk_z85[41] = {};
  if (!zmq_z85_encode(sk_z85, sk.data(), sk.size()) || zmq_curve_public(pk_z85, sk_z85) != 0)
    return fail("cannot derive the Curve key pair (libzmq built without CURVE?)");
  sodium_memzero(sk.data(), sk.size());
  cluster_secret s;
  s.token_ = std::move(token);
  s.secret_z85_ = sk_z85;
  s.public_z85_ = pk_z85;
  sodium_memzero(sk_z85, sizeof sk_z85);
  return s;
}

cluster_secret generate_secret() {
  init_sodium();
  std::array<unsigned char, 32> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  std::array<char, 65> hex{};
  sodium_bin2hex(hex.data(), hex.size(), bytes.data(), bytes.size());
  return *cluster_secret::from_token(std::string(hex.data(), 64));
}

error_info save_secret(const cluster_secret& secret, const std::string& path) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return fail("cannot write " + tmp + ": " + std::strerror(errno));
  ::fchmod(fd, 0600);  // whatever the umask did
  const std::string text = secret.token() + "\n";
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                  ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    return fail("cannot write " + path + ": " + why);
  }
  return {};
}

expected<cluster_secret> load_secret(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return fail("cannot read the cluster token " + path + ": " + std::strerror(errno));
  if (st.st_mode & (S_IRWXG | S_IRWXO)) {
    std::ostringstream mode;
    mode << std::oct << (st.st_mode & 0777);
    return fail("cluster token " + path + " is accessible by others (mode 0" + mode.str() +
                "): chmod 600 it");
  }
  std::ifstream in(path);
  std::string token;
  if (!in || !std::getline(in, token)) return fail("cannot read the cluster token " + path);
  return cluster_secret::from_token(std::move(token));
}

expected<cluster_secret> resolve_secret(const std::optional<std::string>& token,
                                        const std::optional<std::string>& path) {
  if (token) return cluster_secret::from_token(*token);
  if (const char* env = std::getenv(token_env); env && *env) return cluster_secret::from_token(env);
  if (path) return load_secret(*path);
  return fail(std::string("no cluster token: pass one, set ") + token_env + ", or name its file");
}

}  // namespace shoal::transport
