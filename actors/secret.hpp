#pragma once
/// Where a process finds the cluster secret: $SHOAL_TOKEN, else the token file the head
/// wrote ($SHOAL_TOKEN_FILE, else $SHOAL_HOME or ~/.shoal, then <host>_<port>/token).
#include <string>

namespace shoal {

/// The token file `shoal start --head` writes for a head at `address` ("HOST:PORT").
std::string default_token_path(const std::string& address);
/// The secret for `address` ("" when none is configured: links stay unauthenticated).
std::string cluster_secret_for(const std::string& address);

}  // namespace shoal
