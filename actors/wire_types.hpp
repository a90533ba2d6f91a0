#pragma once
/// The message types of the node protocol (the envelope's `type`), with what each carries.
#include <cstdint>

namespace shoal::wire {

enum class msg_type : std::uint16_t {
  ping = 1,          ///< () -> pong                       heartbeat
  pong = 2,          ///< ()
  hello = 3,         ///< (node_desc) -> ok               a node joins the head
  members = 4,       ///< () -> members_reply             the head's node list
  members_reply = 5, ///< (vector<node_desc>)
  attach = 6,        ///< (attach_req) -> attach_reply    a driver opens its session
  attach_reply = 7,  ///< (vector<actor_info>)
  // The worker messages start with the driver's session id: a node keeps one set of
  // workers per attached driver.
  tasks = 8,         ///< (session, task_batch) to actor `dest`
  piece = 9,         ///< (session, piece_msg) to actor `dest`
  read = 10,         ///< (session, shard_key, bool) -> read_reply (read_result)
  read_reply = 11,
  fetch = 12,        ///< (session, shard_key, bool, dtype, tiling) -> fetch_reply (fetch_result)
  fetch_reply = 13,
  stats = 14,        ///< () to a node -> stats_reply (vector<actor_info>) of its actors, summed
                     ///< over its sessions; (session) to actor `dest` -> stats_reply (actor_stats)
  stats_reply = 15,
  ok = 16,           ///< ()
  failed = 17,       ///< (error_info) the request could not be served
  detach = 18,       ///< (uint64 session) -> ok           the driver leaves: drop its shards
  // Driver sessions (actors/driver_sessions.hpp); numbered apart from the membership types.
  sessions = 40,       ///< () to a node -> sessions_reply (vector<session_info>) its drivers
  sessions_reply = 41,
  // Elasticity of nodes (60..69; actors/membership_protocol.hpp has the payloads).
  drain_node = 60,   ///< (string endpoint) to the head -> drain_reply (bool driver attached)
  drain_reply = 61,
  membership = 62,   ///< (membership_report) driver -> head -> ok
  view = 63,         ///< () to the head -> view_reply (cluster_view)
  view_reply = 64,
  extend = 65,       ///< (uint64 session, vector<actor_slot>) driver -> node -> ok
  release = 66,      ///< (uint64 session) -> ok                the node drops it and exits
  // Crash recovery through a node (actors/recovery_protocol.hpp), to actor `dest`.
  recover = 67,      ///< (session, piece_tag floor) -> recover_reply (vector<shard_key> held)
  recover_reply = 68,
  resume = 69,       ///< (session)
  // NCCL across processes (actors/nccl_bootstrap.hpp).
  nccl_join = 80,       ///< (session, nccl::member) to GPU actor `dest` -> nccl_join_reply
  nccl_join_reply = 81, ///< (string) empty: joined; else why not
};

}  // namespace shoal::wire
