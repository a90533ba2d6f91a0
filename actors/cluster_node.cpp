#include "actors/cluster_node.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

#include "actors/cluster_protocol.hpp"
#include "actors/cpu_actor.hpp"
#include "actors/gateway.hpp"
#include "actors/gpu_actor.hpp"
#include "actors/gpu_backend.hpp"
#include "actors/messages.hpp"
#include "actors/node_actor.hpp"
#include "actors/remote_proxy.hpp"
#include "actors/wire_codec.hpp"


namespace shoal {
namespace {

using wire::msg_type;
using member_down_atom = caf::atom_constant<caf::atom("mdown")>;

struct local_worker {
  caf::actor handle;
  actor_info info;
};

/// Local worker `k` of this node under global index `index`: GPU actors first, then CPUs.
local_worker spawn_local(caf::actor_system& sys, const node_options& o, const std::string& node, int k, int index) {
  local_worker w;
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

struct node_state {
  node_options opts;
  std::shared_ptr<gateway> gw;
  std::string name;
  std::vector<local_worker> locals;   ///< this node's workers, local order
  std::vector<caf::actor> table;      ///< global index -> local worker or proxy (after attach)
  std::vector<bool> is_local;         ///< global index -> lives here
  std::vector<node_desc> members;     ///< the head's member list (others than itself)
  std::uint64_t session = 0;

  int local_count() const { return opts.gpus + opts.cpus; }

  node_desc self_desc() const {
    node_desc d;
    d.name = name;
    d.endpoint = gw->endpoint();
    d.pid = static_cast<std::int64_t>(::getpid());
    for (auto& w : locals) d.actors.push_back(w.info);
    return d;
  }
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

/// Back to the node's own workers (local indices, no shards): a driver left.
void reset_workers(caf::stateful_actor<node_state>* self) {
  auto& st = self->state;
  for (auto& w : st.locals) self->send_exit(w.handle, caf::exit_reason::user_shutdown);
  for (auto& a : st.table) self->send_exit(a, caf::exit_reason::user_shutdown);
  st.locals.clear();
  st.table.clear();
  st.is_local.clear();
  st.session = 0;
  for (int k = 0; k < st.local_count(); ++k) st.locals.push_back(spawn_local(self->system(), st.opts, st.name, k, k));
}

caf::behavior node_fn(caf::stateful_actor<node_state>* self, node_options opts, std::shared_ptr<gateway> gw,
                      std::string name) {
  auto& st0 = self->state;
  st0.opts = std::move(opts);
  st0.gw = std::move(gw);
  st0.name = std::move(name);
  reset_workers(self);
  self->set_exit_handler([self](caf::exit_msg& m) {
    for (auto& w : self->state.locals) self->send_exit(w.handle, m.reason);
    for (auto& a : self->state.table) self->send_exit(a, m.reason);
    self->quit(m.reason);
  });

  // The local worker a message names, or null (and the sender is told why).
  auto local_target = [self](const inbound& in) -> caf::actor {
    auto& st = self->state;
    const auto d = in.msg.header.destination;
    if (d < 0 || static_cast<std::size_t>(d) >= st.table.size() || !st.is_local[static_cast<std::size_t>(d)]) {
      refuse(st, in, "message for actor " + std::to_string(d) + ", which does not live on this node");
      return nullptr;
    }
    return st.table[static_cast<std::size_t>(d)];
  };

  auto attach = [self](const inbound_ptr& in) {
    auto& st = self->state;
    attach_req req;
    if (auto e = wire::decode(in->msg, req)) return refuse(st, *in, "bad attach: " + e.message);
    for (auto& w : st.locals) self->send_exit(w.handle, caf::exit_reason::user_shutdown);
    for (auto& a : st.table) self->send_exit(a, caf::exit_reason::user_shutdown);
    st.locals.clear();
    st.table.assign(req.table.size(), nullptr);
    st.is_local.assign(req.table.size(), false);
    st.session = req.session;
    std::vector<int> mine;
    for (std::size_t g = 0; g < req.table.size(); ++g) {
      const auto& slot = req.table[g];
      if (slot.endpoint == st.gw->endpoint()) {
        auto w = spawn_local(self->system(), st.opts, st.name, slot.local, static_cast<int>(g));
        st.table[g] = w.handle;
        st.is_local[g] = true;
        st.locals.push_back(std::move(w));
      } else {
        st.table[g] = spawn_remote_proxy(self->system(), st.gw, {slot.endpoint, static_cast<int>(g), "actor " + std::to_string(g)});
      }
    }
    for (auto& w : st.locals) self->send(w.handle, peers_atom::value, st.table);
    std::vector<actor_info> infos;
    for (auto& w : st.locals) infos.push_back(w.info);
    respond(st, *in, msg_type::attach_reply, infos);
  };

  return {
      [=](member_down_atom, const std::string& endpoint) {
        auto& st = self->state;
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
            std::erase_if(st.members, [&](const node_desc& m) { return m.endpoint == d.endpoint; });
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
            if (session == st.session) reset_workers(self);
            return respond(st, *in, msg_type::ok);
          }
          case msg_type::tasks: {
            task_batch b;
            if (auto e = wire::decode(in->msg, b)) return refuse(st, *in, "bad task batch: " + e.message);
            if (auto a = local_target(*in)) self->send(a, std::move(b));
            return;
          }
          case msg_type::piece: {
            piece_msg p;
            if (auto e = wire::decode(in->msg, p)) return refuse(st, *in, "bad piece: " + e.message);
            if (auto a = local_target(*in)) self->send(a, std::move(p));
            return;
          }
          case msg_type::read: {
            shard_key key = 0;
            bool want = false;
            if (auto e = wire::decode(in->msg, key, want)) return refuse(st, *in, "bad read: " + e.message);
            auto a = local_target(*in);
            if (!a) return;
            self->request(a, caf::infinite, read_atom::value, key, want)
                .then([=](read_result& r) { respond(self->state, *in, msg_type::read_reply, r); },
                      [=](caf::error& e) { refuse(self->state, *in, "read failed: " + caf::to_string(e)); });
            return;
          }
          case msg_type::fetch: {
            shard_key key = 0;
            bool want = false;
            dtype type = dtype::float64;
            tiling til;
            if (auto e = wire::decode(in->msg, key, want, type, til))
              return refuse(st, *in, "bad fetch: " + e.message);
            auto a = local_target(*in);
            if (!a) return;
            self->request(a, caf::infinite, fetch_atom::value, key, want, type, til)
                .then([=](fetch_result& r) { respond(self->state, *in, msg_type::fetch_reply, r); },
                      [=](caf::error& e) { refuse(self->state, *in, "fetch failed: " + caf::to_string(e)); });
            return;
          }
          case msg_type::stats: {
            if (h.destination >= 0) {
              auto a = local_target(*in);
              if (!a) return;
              self->request(a, caf::infinite, stats_atom::value)
                  .then([=](actor_stats& s) { respond(self->state, *in, msg_type::stats_reply, s); },
                        [=](caf::error& e) { refuse(self->state, *in, "stats failed: " + caf::to_string(e)); });
              return;
            }
            // The whole node: every local worker's numbers, in local order.
            auto acc = std::make_shared<std::vector<actor_info>>();
            for (auto& w : st.locals) acc->push_back(w.info);
            auto left = std::make_shared<std::size_t>(acc->size());
            if (*left == 0) return respond(st, *in, msg_type::stats_reply, *acc);
            for (std::size_t i = 0; i < st.locals.size(); ++i)
              self->request(st.locals[i].handle, std::chrono::seconds(10), stats_atom::value)
                  .then(
                      [=](actor_stats& s) {
                        (*acc)[i] = s.info;
                        if (--*left == 0) respond(self->state, *in, msg_type::stats_reply, *acc);
                      },
                      [=](caf::error&) {
                        if (--*left == 0) respond(self->state, *in, msg_type::stats_reply, *acc);
                      });
            return;
          }
          default:
            return refuse(st, *in, "unexpected message type " + std::to_string(h.type));
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
  m.gw = std::make_shared<gateway>(go, [raw](inbound_ptr in) {
    std::lock_guard<std::mutex> g(raw->mu);
    if (raw->target) caf::anon_send(raw->target, std::move(in));
  });
  // Detached: it wakes at once on each inbound message (a pooled actor waits for CAF's
  // polling workers, tens of microseconds per hop).
  m.node = m.sys->spawn<caf::detached>(node_fn, m.opts, m.gw, m.name);
  {
    std::lock_guard<std::mutex> g(m.mu);
    m.target = m.node;
  }
  if (!m.opts.head.empty()) {
    m.head_endpoint = tcp_endpoint(m.opts.head);
    node_desc d;
    d.name = m.name;
    d.endpoint = m.gw->endpoint();
    d.pid = static_cast<std::int64_t>(::getpid());
    for (int k = 0; k < m.opts.gpus + m.opts.cpus; ++k) {
      actor_info a;
      a.node = m.name;
      a.kind = k < m.opts.gpus ? "gpu" : "cpu";
      a.name = a.kind + std::to_string(k < m.opts.gpus ? k : k - m.opts.gpus);
      d.actors.push_back(a);
    }
    call_and_wait(*m.gw, m.head_endpoint, wire::encode(wire::make_header(msg_type::hello), d),
                  std::max(2000, m.opts.heartbeat_timeout_ms));
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

std::string cluster_node::failed() const {
  if (auto e = impl_->gw->broken()) return e.message;
  return {};
}

int run_node(const node_options& opts, const std::function<bool()>& keep_running) {
  cluster_node n(opts);
  std::printf("shoal-node ready %s %s\n", n.endpoint().c_str(), n.name().c_str());
  std::fflush(stdout);
  while (keep_running()) {
    if (auto why = n.failed(); !why.empty()) {
      std::fprintf(stderr, "shoal-node %s: stopping: %s\n", n.name().c_str(), why.c_str());
      return 3;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return 0;
}

}  // namespace shoal
