#include "actors/cluster_node.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <cstdio>
#include <mutex>
#include <thread>

#include "actors/cluster_protocol.hpp"
#include "actors/collectives.hpp"
#include "actors/cpu_actor.hpp"
#include "actors/driver_sessions.hpp"
#include "actors/gateway.hpp"
#include "actors/gpu_actor.hpp"
#include "actors/gpu_backend.hpp"
#include "actors/messages.hpp"
#include "actors/node_actor.hpp"
#include "actors/node_join.hpp"
#include "actors/node_membership.hpp"
#include "actors/recovery_protocol.hpp"
#include "actors/remote_proxy.hpp"
#include "actors/wire_codec.hpp"


namespace shoal {
namespace {

using wire::msg_type;
using member_down_atom = caf::atom_constant<caf::atom("mdown")>;
using driver_ping_atom = caf::atom_constant<caf::atom("dping")>;
using session_tick_atom = caf::atom_constant<caf::atom("stick")>;

/// Local worker `k` of this node under global index `index`: GPU actors first, then CPUs.
session_worker spawn_local(caf::actor_system& sys, const node_options& o, const std::string& node, int k, int index) {
  session_worker w;
  w.local = k;
  w.info.node = node;
#ifdef SHOAL_WITH_CUDA
  if (k < o.gpus) {
    w.info.name = "gpu" + std::to_string(k);
    w.info.kind = "gpu";
    w.handle = spawn_gpu_actor(sys, {index, w.info.name, node, k});
    return w;
  }
#endif
  const int c = k - o.gpus;
  w.info.name = "cpu" + std::to_string(c);
  w.info.kind = "cpu";
  const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int threads = o.threads_per_actor > 0 ? o.threads_per_actor : std::max(1, hw / std::max(1, o.cpus));
  w.handle = spawn_cpu_actor(sys, {index, w.info.name, node, threads});
  return w;
}

/// The node as the head lists it: its actors in local order (GPUs first), no shards.
node_desc describe_node(const std::string& name, const std::string& endpoint, const node_options& o) {
  node_desc d;
  d.name = name;
  d.endpoint = endpoint;
  d.pid = static_cast<std::int64_t>(::getpid());
  for (int k = 0; k < o.gpus + o.cpus; ++k) {
    actor_info a;
    a.node = name;
    a.kind = k < o.gpus ? "gpu" : "cpu";
    a.name = a.kind + std::to_string(k < o.gpus ? k : k - o.gpus);
    d.actors.push_back(a);
  }
  return d;
}

struct node_state {
  node_options opts;
  std::shared_ptr<gateway> gw;
  std::string name;
  std::unique_ptr<driver_sessions> sessions;  ///< one set of workers per attached driver
  std::vector<node_desc> members;     ///< the head's member list (others than itself)
  node_membership membership;         ///< drains, joins under a driver, states (node_membership.hpp)
  std::shared_ptr<std::atomic<bool>> released;  ///< drained and released: run_node returns

  int local_count() const { return opts.gpus + opts.cpus; }

  node_desc self_desc() const { return describe_node(name, gw->endpoint(), opts); }
};

template <class... Ts>
void respond(node_state& st, const inbound& in, msg_type t, Ts&... payload) {
  if (in.route.empty() || in.msg.header.sequence == 0) return;  // nobody waits for an answer
  auto m = wire::encode(wire::make_header(t, in.msg.header.destination, in.msg.header.sequence), payload...);
  m.h.source = st.gw->endpoint();
  st.gw->reply(in.route, std::move(m));
}

void refuse(node_state& st, const inbound& in, const std::string& why) {
  std::fprintf(stderr, "shoal-node %s: %s\n", st.name.c_str(), why.c_str());
  error_info e{errc::runtime_error, "shoal: " + why};
  respond(st, in, msg_type::failed, e);
}

/// Asks the local worker `a` (`request`) and answers the peer with its reply R as message `t`,
/// or refuses with the failure (`what` names the request).
template <class R, class... Ts>
void relay(caf::stateful_actor<node_state>* self, const inbound_ptr& in, const caf::actor& a, msg_type t,
           const char* what, Ts... request) {
  self->request(a, caf::infinite, std::move(request)...)
      .then([=](R& r) { respond(self->state, *in, t, r); },
            [=](caf::error& e) { refuse(self->state, *in, std::string{what} + " failed: " + caf::to_string(e)); });
}

/// Every session worker's numbers (by session, in each session's `locals` order); `done`
/// runs once all answered or failed (a worker that does not answer counts as empty).
using stats_by_session = std::map<std::uint64_t, std::vector<session_worker>>;
void gather_stats(caf::stateful_actor<node_state>* self, std::function<void(stats_by_session&)> done) {
  auto acc = std::make_shared<stats_by_session>();
  auto left = std::make_shared<std::size_t>(0);
  for (auto& [id, s] : self->state.sessions->all()) {
    (*acc)[id] = s.locals;
    *left += s.locals.size();
  }
  if (*left == 0) return done(*acc);
  for (auto& [id, workers] : *acc)
    for (std::size_t i = 0; i < workers.size(); ++i)
      self->request(workers[i].handle, std::chrono::seconds(10), stats_atom::value)
          .then(
              [=, id = id](actor_stats& s) {
                (*acc)[id][i].info = s.info;
                if (--*left == 0) done(*acc);
              },
              [=](caf::error&) {
                if (--*left == 0) done(*acc);
              });
}

caf::behavior node_fn(caf::stateful_actor<node_state>* self, node_options opts, std::shared_ptr<gateway> gw,
                      std::string name, std::shared_ptr<std::atomic<bool>> released) {
  auto& st0 = self->state;
  st0.released = std::move(released);
  st0.opts = std::move(opts);
  st0.gw = std::move(gw);
  st0.name = std::move(name);
  caf::actor_system* sys = &self->system();
  st0.sessions = std::make_unique<driver_sessions>(
      st0.gw->endpoint(),
      [sys, o = st0.opts, n = st0.name](int local, int global) { return spawn_local(*sys, o, n, local, global); },
      [sys, gw = st0.gw](const std::string& ep, int global, std::uint64_t session) {
        return spawn_remote_proxy(*sys, gw, {ep, global, "actor " + std::to_string(global), session});
      });
  self->set_exit_handler([self](caf::exit_msg& m) {
    self->state.sessions.reset();  // stops every session's actors
    self->quit(m.reason);
  });
  // Drivers that stopped pinging (kill -9) lose their session; checked a few times per timeout.
  const auto tick = std::chrono::milliseconds(std::clamp(st0.opts.heartbeat_ms, 50, 1000));
  self->delayed_send(self, tick, session_tick_atom::value);

  // The local worker of session `sid` a message names, or null (and the sender is told why).
  auto local_target = [self](const inbound& in, std::uint64_t sid) -> caf::actor {
    auto& st = self->state;
    auto* s = st.sessions->find(sid);
    if (!s) {
      refuse(st, in, "message for driver session " + std::to_string(sid) +
                         ", which is not attached to this node (it detached, or was dropped when its driver went silent)");
      return nullptr;
    }
    s->last_seen = driver_session::clock::now();
    const auto d = in.msg.header.destination;
    auto a = s->local(d);
    if (!a) refuse(st, in, "message for actor " + std::to_string(d) + ", which does not live on this node");
    return a;
  };

  auto attach = [self](const inbound_ptr& in) {
    auto& st = self->state;
    attach_req req;
    if (auto e = wire::decode(in->msg, req)) return refuse(st, *in, "bad attach: " + e.message);
    try {
      auto& s = st.sessions->attach(req, st.local_count());
      std::fprintf(stderr, "shoal-node %s: driver %s attached (session %llu, %zu driver(s))\n", st.name.c_str(),
                   req.driver.c_str(), static_cast<unsigned long long>(req.session), st.sessions->size());
      std::vector<actor_info> infos;
      for (auto& w : s.locals) infos.push_back(w.info);
      respond(st, *in, msg_type::attach_reply, infos);
    } catch (const error& e) {
      refuse(st, *in, std::string("bad attach: ") + e.what());
    }
  };

  return {
      [=](driver_ping_atom, const std::string& source) { self->state.sessions->ping_from(source); },
      [=](session_tick_atom) {
        auto& st = self->state;
        const auto now = driver_session::clock::now();
        for (auto& s : st.sessions->expire(now))
          std::fprintf(stderr,
                       "shoal-node %s: driver %s (session %llu) silent for %lld ms (timeout %lld ms): dropped its "
                       "session and its shards\n",
                       st.name.c_str(), s.driver.c_str(), static_cast<unsigned long long>(s.id),
                       static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(now - s.last_seen).count()),
                       static_cast<long long>(s.timeout.count()));
        self->delayed_send(self, tick, session_tick_atom::value);
      },
      [=](member_down_atom, const std::string& endpoint) {
        auto& st = self->state;
        st.membership.member_down(st.members, endpoint);
        std::erase_if(st.members, [&](const node_desc& m) { return m.endpoint == endpoint; });
      },
      [=](inbound_ptr& in) {
        auto& st = self->state;
        const auto& h = in->msg.header;
        switch (wire::type_of(in->msg)) {
          case msg_type::hello: {
            node_desc d;
            if (auto e = wire::decode(in->msg, d)) return refuse(st, *in, "bad hello: " + e.message);
            if (!st.opts.head.empty()) return refuse(st, *in, "hello sent to a node that is not the head");
            // A joining node repeats its hello until answered (actors/node_join.hpp): one join.
            if (std::erase_if(st.members, [&](const node_desc& m) { return m.endpoint == d.endpoint; }) == 0)
              std::fprintf(stderr, "shoal-node %s: node %s joined (%s, %zu actors)\n", st.name.c_str(), d.name.c_str(),
                           d.endpoint.c_str(), d.actors.size());
            st.gw->watch(d.endpoint, false);  // a member that dies leaves the list
            st.members.push_back(std::move(d));
            return respond(st, *in, msg_type::ok);
          }
          case msg_type::members: {
            if (!st.opts.head.empty()) return refuse(st, *in, "members asked of a node that is not the head");
            std::vector<node_desc> all{st.self_desc()};
            all.insert(all.end(), st.members.begin(), st.members.end());
            return respond(st, *in, msg_type::members_reply, all);
          }
          case msg_type::attach:
            return attach(in);
          case msg_type::detach: {
            std::uint64_t session = 0;
            if (auto e = wire::decode(in->msg, session)) return refuse(st, *in, "bad detach: " + e.message);
            if (st.sessions->detach(session))  // only this driver's shards; a repeated detach is fine
              std::fprintf(stderr, "shoal-node %s: session %llu detached (%zu driver(s) left)\n", st.name.c_str(),
                           static_cast<unsigned long long>(session), st.sessions->size());
            return respond(st, *in, msg_type::ok);
          }
          case msg_type::tasks: {
            std::uint64_t sid = 0;
            task_batch b;
            if (auto e = wire::decode(in->msg, sid, b)) return refuse(st, *in, "bad task batch: " + e.message);
            if (auto a = local_target(*in, sid)) self->send(a, std::move(b));
            return;
          }
          case msg_type::piece: {
            std::uint64_t sid = 0;
            piece_msg p;
            if (auto e = wire::decode(in->msg, sid, p)) return refuse(st, *in, "bad piece: " + e.message);
            if (auto a = local_target(*in, sid)) self->send(a, std::move(p));
            return;
          }
          case msg_type::recover: {  // crash recovery elsewhere: reset this worker's queue
            std::uint64_t sid = 0;
            piece_tag floor = 0;
            if (auto e = wire::decode(in->msg, sid, floor)) return refuse(st, *in, "bad recover: " + e.message);
            if (auto a = local_target(*in, sid))
              relay<std::vector<shard_key>>(self, in, a, msg_type::recover_reply, "recover", recover_atom::value, floor);
            return;
          }
          case msg_type::resume: {
            std::uint64_t sid = 0;
            if (auto e = wire::decode(in->msg, sid)) return refuse(st, *in, "bad resume: " + e.message);
            if (auto a = local_target(*in, sid)) self->send(a, resume_atom::value);
            return;
          }
          case msg_type::read: {
            std::uint64_t sid = 0;
            shard_key key = 0;
            bool want = false;
            if (auto e = wire::decode(in->msg, sid, key, want)) return refuse(st, *in, "bad read: " + e.message);
            if (auto a = local_target(*in, sid))
              relay<read_result>(self, in, a, msg_type::read_reply, "read", read_atom::value, key, want);
            return;
          }
          case msg_type::fetch: {
            std::uint64_t sid = 0;
            shard_key key = 0;
            bool want = false;
            dtype type = dtype::float64;
            tiling til;
            if (auto e = wire::decode(in->msg, sid, key, want, type, til))
              return refuse(st, *in, "bad fetch: " + e.message);
            if (auto a = local_target(*in, sid))
              relay<fetch_result>(self, in, a, msg_type::fetch_reply, "fetch", fetch_atom::value, key, want, type, til);
            return;
          }
          case msg_type::nccl_join: {  // actors/nccl_bootstrap.hpp
            std::uint64_t sid = 0;
            nccl::member m;
            if (auto e = wire::decode(in->msg, sid, m)) return refuse(st, *in, "bad nccl_join: " + e.message);
            if (auto a = local_target(*in, sid))
              relay<std::string>(self, in, a, msg_type::nccl_join_reply, "nccl_join", join_atom::value, m);
            return;
          }
          case msg_type::stats: {
            if (h.destination >= 0) {
              std::uint64_t sid = 0;
              if (auto e = wire::decode(in->msg, sid)) return refuse(st, *in, "bad stats: " + e.message);
              auto a = local_target(*in, sid);
              if (!a) return;
              self->request(a, caf::infinite, stats_atom::value)
                  .then([=](actor_stats& s) { respond(self->state, *in, msg_type::stats_reply, s); },
                        [=](caf::error& e) { refuse(self->state, *in, "stats failed: " + caf::to_string(e)); });
              return;
            }
            // The whole node: every local actor's numbers, in local order, summed over the
            // driver sessions (each session has its own worker for the actor).
            return gather_stats(self, [self, in](stats_by_session& by) {
              auto all = self->state.self_desc().actors;
              for (auto& [id, workers] : by)
                for (auto& w : workers) {
                  auto& a = all[static_cast<std::size_t>(w.local)];
                  a.shards += w.info.shards;
                  a.bytes += w.info.bytes;
                }
              respond(self->state, *in, msg_type::stats_reply, all);
            });
          }
          case msg_type::sessions:
            return gather_stats(self, [self, in](stats_by_session& by) {
              std::vector<session_info> out;
              const auto now = driver_session::clock::now();
              for (auto& [id, workers] : by) {
                auto* s = self->state.sessions->find(id);
                if (!s) continue;  // dropped while we asked
                session_info si;
                si.session = id;
                si.driver = s->driver;
                si.idle_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - s->last_seen).count();
                for (auto& w : workers) {
                  si.shards += w.info.shards;
                  si.bytes += w.info.bytes;
                }
                out.push_back(std::move(si));
              }
              respond(self->state, *in, msg_type::sessions_reply, out);
            });
          default: {
            membership_env env{*st.gw, st.opts.head.empty(), st.self_desc(), st.members, *st.sessions,
                               [self](const std::string& ep, int global, std::uint64_t session) {
                                 return spawn_remote_proxy(self->system(), self->state.gw,
                                                           {ep, global, "actor " + std::to_string(global), session});
                               },
                               [self] { self->state.released->store(true); }};
            if (st.membership.handle(env, in)) return;
            return refuse(st, *in, "unexpected message type " + std::to_string(h.type));
          }
        }
      },
  };
}

}  // namespace

struct cluster_node::impl {
  node_options opts;
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::shared_ptr<gateway> gw;
  caf::actor node;
  std::string name;
  std::string head_endpoint;
  std::mutex mu;        // guards `target` for the gateway's thread
  caf::actor target;
  std::shared_ptr<std::atomic<bool>> released = std::make_shared<std::atomic<bool>>(false);
};

cluster_node::cluster_node(const node_options& opts) : impl_(std::make_unique<impl>()) {
  auto& m = *impl_;
  m.opts = opts;
  if (m.opts.cpus < 0 || m.opts.gpus < 0 || m.opts.cpus + m.opts.gpus == 0)
    throw_error(errc::value_error, "shoal-node: a node needs at least one CPU or GPU actor");
  if (m.opts.gpus > gpu_count())
    throw_error(errc::value_error, "shoal-node: --gpus " + std::to_string(m.opts.gpus) + " but " +
                                       std::to_string(gpu_count()) + " GPU(s) are visible to this build");
  m.sys = std::make_unique<caf::actor_system>(m.cfg);
  m.name = default_node_name();
  gateway_options go;
  go.bind = m.opts.bind;
  go.heartbeat_ms = m.opts.heartbeat_ms;
  go.heartbeat_timeout_ms = m.opts.heartbeat_timeout_ms;
  go.secret = m.opts.secret;
  impl* raw = &m;
  go.on_peer_dead = [raw](const std::string& ep, const error_info&) {
    std::lock_guard<std::mutex> g(raw->mu);
    if (raw->target) caf::anon_send(raw->target, member_down_atom::value, ep);
  };
  go.on_ping = [raw](const std::string& source) {  // drivers' heartbeats keep their sessions
    std::lock_guard<std::mutex> g(raw->mu);
    if (raw->target) caf::anon_send(raw->target, driver_ping_atom::value, source);
  };
  m.gw = std::make_shared<gateway>(go, [raw](inbound_ptr in) {
    std::lock_guard<std::mutex> g(raw->mu);
    if (raw->target) caf::anon_send(raw->target, std::move(in));
  });
  // Detached: it wakes at once on each inbound message (a pooled actor waits for CAF's
  // polling workers, tens of microseconds per hop).
  m.node = m.sys->spawn<caf::detached>(node_fn, m.opts, m.gw, m.name, m.released);
  {
    std::lock_guard<std::mutex> g(m.mu);
    m.target = m.node;
  }
  if (!m.opts.head.empty()) {
    try {
      m.head_endpoint = peer_endpoint(m.opts.head);
      const int join_ms = m.opts.join_timeout_ms > 0 ? m.opts.join_timeout_ms : join_timeout_ms_from_env();
      join_head(*m.gw, m.head_endpoint, describe_node(m.name, m.gw->endpoint(), m.opts), join_ms);
    } catch (...) {
      // No destructor runs for a constructor that throws: stop the node actor here, or the
      // actor system would wait for it forever.
      {
        std::lock_guard<std::mutex> g(m.mu);
        m.target = nullptr;
      }
      caf::anon_send_exit(m.node, caf::exit_reason::user_shutdown);
      m.node = nullptr;
      m.sys.reset();
      m.gw.reset();
      throw;
    }
    m.gw->watch(m.head_endpoint);  // a node whose head is gone stops (failed())
  }
}

cluster_node::~cluster_node() {
  auto& m = *impl_;
  {
    std::lock_guard<std::mutex> g(m.mu);
    m.target = nullptr;
  }
  caf::anon_send_exit(m.node, caf::exit_reason::user_shutdown);
  m.node = nullptr;
  m.sys.reset();  // waits for every actor
  m.gw.reset();
}

const std::string& cluster_node::endpoint() const { return impl_->gw->endpoint(); }
const std::string& cluster_node::name() const { return impl_->name; }

bool cluster_node::released() const { return impl_->released->load(); }

std::string cluster_node::failed() const {
  if (auto e = impl_->gw->broken()) return e.message;
  return {};
}

}  // namespace shoal
