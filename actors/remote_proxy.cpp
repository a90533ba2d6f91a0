#include "actors/remote_proxy.hpp"

#include <functional>
#include <unordered_map>

#include "actors/collectives.hpp"
#include "actors/messages.hpp"
#include "actors/recovery_protocol.hpp"
#include "actors/remote_membership.hpp"
#include "actors/wire_codec.hpp"


namespace shoal {
namespace {

using reply_atom = caf::atom_constant<caf::atom("reply")>;

/// Decodes a reply into T, or returns the error that replaced it.
template <class T>
error_info decode_reply(const inbound_ptr& in, const error_info& err, wire::msg_type expected, T& out) {
  if (err) return err;
  if (wire::type_of(in->msg) == wire::msg_type::failed) {
    error_info e;
    if (wire::decode(in->msg, e) || !e) e = {errc::runtime_error, "shoal: a node refused a request"};
    return e;
  }
  if (wire::type_of(in->msg) != expected) return {errc::runtime_error, "shoal: unexpected reply from a node"};
  if (auto e = wire::decode(in->msg, out)) return {errc::runtime_error, "shoal: bad reply from a node: " + e.message};
  return {};
}

struct proxy_state {
  std::shared_ptr<gateway> gw;
  remote_actor_ref ref;
  std::uint64_t next = 1;
  /// Pending requests by local id: each finishes its response promise.
  std::unordered_map<std::uint64_t, std::function<void(inbound_ptr, error_info)>> pending;
  /// Set once its node died or left (node_gone_atom): nothing is sent, every request fails.
  error_info dead;
  actor_info gone;  ///< what stats answer then
};

caf::behavior proxy_fn(caf::stateful_actor<proxy_state>* self, std::shared_ptr<gateway> gw, remote_actor_ref ref) {
  self->state.gw = std::move(gw);
  self->state.ref = std::move(ref);
  auto header = [self](wire::msg_type t) {
    return wire::make_header(t, self->state.ref.index);
  };
  // Sends a request; `finish` completes the caller's promise from the reply or an error.
  auto ask = [self](wire::message m, std::function<void(inbound_ptr, error_info)> finish) {
    auto& st = self->state;
    if (st.dead) return finish(nullptr, st.dead);
    const std::uint64_t id = st.next++;
    st.pending.emplace(id, std::move(finish));
    caf::actor me = caf::actor_cast<caf::actor>(self);
    st.gw->call(st.ref.endpoint, std::move(m), [me, id](inbound_ptr in, error_info e) {
      caf::anon_send(me, reply_atom::value, id, std::move(in), std::move(e));
    });
  };
  return {
      [=](task_batch& b) {
        if (self->state.dead) return;
        auto sid = self->state.ref.session;
        self->state.gw->send(self->state.ref.endpoint, wire::encode(header(wire::msg_type::tasks), sid, b));
      },
      [=](piece_msg& p) {
        if (self->state.dead) return;
        auto sid = self->state.ref.session;
        self->state.gw->send(self->state.ref.endpoint, wire::encode(header(wire::msg_type::piece), sid, p));
      },
      [=](read_atom, shard_key key, bool want_data) -> caf::result<read_result> {
        auto rp = self->make_response_promise<read_result>();
        auto sid = self->state.ref.session;
        ask(wire::encode(header(wire::msg_type::read), sid, key, want_data), [rp](inbound_ptr in, error_info err) mutable {
          read_result r;
          if (auto e = decode_reply(in, err, wire::msg_type::read_reply, r)) r.err = e;
          rp.deliver(std::move(r));
        });
        return rp;
      },
      [=](fetch_atom, shard_key key, bool want_data, dtype type, tiling til) -> caf::result<fetch_result> {
        auto rp = self->make_response_promise<fetch_result>();
        auto sid = self->state.ref.session;
        ask(wire::encode(header(wire::msg_type::fetch), sid, key, want_data, type, til),
            [rp](inbound_ptr in, error_info err) mutable {
              fetch_result r;
              if (auto e = decode_reply(in, err, wire::msg_type::fetch_reply, r)) r.err = e;
              rp.deliver(std::move(r));
            });
        return rp;
      },
      [=](stats_atom) -> caf::result<actor_stats> {
        if (self->state.dead) return actor_stats{self->state.gone};
        auto rp = self->make_response_promise<actor_stats>();
        auto sid = self->state.ref.session;
        ask(wire::encode(header(wire::msg_type::stats), sid), [rp, ref = self->state.ref](inbound_ptr in, error_info err) mutable {
          actor_stats s;
          if (decode_reply(in, err, wire::msg_type::stats_reply, s)) s.info.name = ref.name + " (unreachable)";
          rp.deliver(std::move(s));
        });
        return rp;
      },
      // NCCL bootstrap across processes (actors/nccl_bootstrap.hpp): the node's GPU actor joins.
      [=](join_atom, nccl::member& m) -> caf::result<std::string> {
        auto rp = self->make_response_promise<std::string>();
        auto sid = self->state.ref.session;
        ask(wire::encode(header(wire::msg_type::nccl_join), sid, m), [rp](inbound_ptr in, error_info err) mutable {
          std::string why;
          if (auto e = decode_reply(in, err, wire::msg_type::nccl_join_reply, why)) why = e.message;
          rp.deliver(std::move(why));
        });
        return rp;
      },
      [=](peers_atom, std::vector<caf::actor>&) {},  // the node wires its own actors (attach)
      // Crash recovery (actors/recovery_protocol.hpp): the node resets its worker.
      [=](recover_atom, piece_tag floor) -> caf::result<std::vector<shard_key>> {
        auto rp = self->make_response_promise<std::vector<shard_key>>();
        auto sid = self->state.ref.session;
        ask(wire::encode(header(wire::msg_type::recover), sid, floor), [rp](inbound_ptr in, error_info err) mutable {
          std::vector<shard_key> keys;
          if (decode_reply(in, err, wire::msg_type::recover_reply, keys))
            rp.deliver(caf::make_error(caf::sec::request_receiver_down));  // lost too, not "unsupported"
          else
            rp.deliver(std::move(keys));
        });
        return rp;
      },
      [=](resume_atom) {
        if (self->state.dead) return;
        auto sid = self->state.ref.session;
        self->state.gw->send(self->state.ref.endpoint, wire::encode(header(wire::msg_type::resume), sid));
      },
      [=](node_gone_atom, error_info& why, actor_info& info) {
        auto& st = self->state;
        if (st.dead) return;
        st.dead = why;
        st.gone = info;
        st.gone.shards = st.gone.bytes = 0;
        auto pending = std::move(st.pending);
        st.pending.clear();
        for (auto& [id, finish] : pending) finish(nullptr, why);
      },
      [=](reply_atom, std::uint64_t id, inbound_ptr& in, error_info& err) {
        auto& st = self->state;
        auto it = st.pending.find(id);
        if (it == st.pending.end()) return;
        auto finish = std::move(it->second);
        st.pending.erase(it);
        finish(std::move(in), std::move(err));
      },
  };
}

}  // namespace

caf::actor spawn_remote_proxy(caf::actor_system& sys, std::shared_ptr<gateway> gw, remote_actor_ref ref) {
  // Detached like the workers: a message is forwarded at once, without waiting for a
  // pooled scheduler thread to poll.
  return sys.spawn<caf::detached>(proxy_fn, std::move(gw), std::move(ref));
}

}  // namespace shoal
