#pragma once
/// Recovery messages between the scheduler and the worker actors (actors/scheduler_recovery.hpp):
///
///   (recover_atom, piece_tag floor) -> std::vector<shard_key>
///         the worker drops every queued task (some wait on pieces that will never come),
///         holds its queued reads, forgets pieces tagged below `floor` (now and when they arrive
///         later) and answers the keys of the shards it holds (failed ones included)
///   (resume_atom) -> (none)
///         the rebuild tasks were sent before this: the held reads queue up behind them
///   (piece_ack_atom, piece_tag) -> (none)            receiver -> sender, reliable pieces only
///   (retransmit_atom, piece_tag) -> (none)           a worker to itself: the ack is late
/// Reliable pieces (acks and retransmits) are on only under $SHOAL_FAULT drop:piece or an
/// explicit $SHOAL_PIECE_TIMEOUT_MS (actors/fault_injection.hpp): in one process nothing drops
/// a message, so the default pays nothing for them.
#include <caf/all.hpp>

namespace shoal {

using recover_atom = caf::atom_constant<caf::atom("recover")>;
using resume_atom = caf::atom_constant<caf::atom("resume")>;
using piece_ack_atom = caf::atom_constant<caf::atom("pieceack")>;
using retransmit_atom = caf::atom_constant<caf::atom("retransmt")>;

}  // namespace shoal
