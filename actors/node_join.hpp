#pragma once
/// Joining the head: a node says hello until the head answers. Ranks started by mpirun or
/// srun come up in any order, so a rank may say hello long before rank 0 (the head) binds;
/// the node retries with a growing per-try wait (0.5 s, 1 s, 2 s, ... at most 5 s) until
/// the join timeout, then fails with an error naming the head, the time waited and the
/// setting. A refused handshake (wrong secret) or a refusal from the head fails at once:
/// trying again cannot help.
#include <string>

#include "actors/cluster_protocol.hpp"
#include "actors/gateway.hpp"

namespace shoal {

/// Default join timeout: $SHOAL_JOIN_TIMEOUT_S (a positive number of seconds) or 60 s;
/// throws shoal::error(value_error) for a malformed value.
int join_timeout_ms_from_env();

/// Says hello to the head at `head_endpoint` until it answers or `timeout_ms` passes;
/// throws shoal::error(runtime_error) with the reason.
void join_head(gateway& gw, const std::string& head_endpoint, const node_desc& self, int timeout_ms);

}  // namespace shoal
