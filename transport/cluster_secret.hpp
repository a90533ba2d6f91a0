#pragma once
/// The cluster's secret: a token every node and driver of one cluster shares, and the
/// CurveZMQ key pair derived from it (libsodium's BLAKE2b of the token is the Curve25519
/// secret key). Knowing the token is what admits a process; the keys never travel.
///
///   head:   auto s = generate_secret(); save_secret(s, path);         // file mode 0600
///   others: auto s = resolve_secret(explicit_token, path);            // or SHOAL_TOKEN
#include <optional>
#include <string>

#include "transport/expected.hpp"

namespace shoal::transport {

/// The environment variable holding a token.
inline constexpr const char* token_env = "SHOAL_TOKEN";

/// Shortest token accepted (generated ones are 64 hex digits = 256 random bits).
inline constexpr size_t min_token_chars = 16;

class cluster_secret {
 public:
  /// The token as written to files and SHOAL_TOKEN.
  const std::string& token() const { return token_; }
  /// The cluster's Curve key pair, Z85-encoded (40 characters each), as zmq wants them.
  const std::string& public_key() const { return public_z85_; }
  const std::string& secret_key() const { return secret_z85_; }

  /// Derives the key pair from `token` (at least min_token_chars characters).
  static expected<cluster_secret> from_token(std::string token);

 private:
  std::string token_, public_z85_, secret_z85_;
};

/// A new random secret (libsodium's randombytes).
cluster_secret generate_secret();

/// Writes the token to `path` readable only by the user (created or replaced with mode
/// 0600, written to a temporary file and renamed, so no reader ever sees half of it).
error_info save_secret(const cluster_secret& secret, const std::string& path);

/// Reads the token in `path`; refuses a file that the group or others can read.
expected<cluster_secret> load_secret(const std::string& path);

/// The secret to use: `token` when given, else $SHOAL_TOKEN, else the file at `path`.
expected<cluster_secret> resolve_secret(const std::optional<std::string>& token,
                                        const std::optional<std::string>& path);

}  // namespace shoal::transport
