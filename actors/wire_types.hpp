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
  attach = 6,        ///< (attach_req) -> attach_reply    a driver takes the node's actors
  attach_reply = 7,  ///< (vector<actor_info>)
  tasks = 8,         ///< (task_batch) to actor `dest`
  piece = 9,         ///< (piece_msg) to actor `dest`
  read = 10,         ///< (shard_key, bool) -> read_reply (read_result)
  read_reply = 11,
  fetch = 12,        ///< (shard_key, bool, dtype, tiling) -> fetch_reply (fetch_result)
  fetch_reply = 13,
  stats = 14,        ///< () to a node -> stats_reply (vector<actor_info>) of its actors
  stats_reply = 15,
  ok = 16,           ///< ()
  failed = 17,       ///< (error_info) the request could not be served
  detach = 18,       ///< (uint64 session) -> ok           the driver leaves: drop its shards
};

}  // namespace shoal::wire
