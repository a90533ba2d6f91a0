#include "actors/secret.hpp"

#include <cstdlib>

#include "transport/cluster_secret.hpp"

namespace shoal {

std::string default_token_path(const std::string& address) {
  std::string a = address.rfind("tcp://", 0) == 0 ? address.substr(6) : address;
  for (auto& c : a)
    if (c == ':' || c == '/') c = '_';
  const char* home = std::getenv("SHOAL_HOME");
  if (home && *home) return std::string(home) + "/" + a + "/token";
  home = std::getenv("HOME");
  return std::string(home && *home ? home : "/tmp") + "/.shoal/" + a + "/token";
}

std::string cluster_secret_for(const std::string& address) {
  const char* f = std::getenv("SHOAL_TOKEN_FILE");
  auto s = transport::resolve_secret(std::nullopt, f && *f ? std::string(f) : default_token_path(address));
  return s ? s->token() : std::string();
}

}  // namespace shoal
