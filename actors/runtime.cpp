#include "actors/runtime.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "actors/collectives.hpp"
#include "actors/cpu_actor.hpp"
#include "actors/gpu_actor.hpp"
#include "actors/gpu_backend.hpp"
#include "actors/linger.hpp"
#include "actors/node_actor.hpp"
#include "actors/reply_waiter.hpp"
#include "actors/runtime_impl.hpp"
#include "actors/scheduler_actor.hpp"
#include "arrays/errors.hpp"

namespace shoal {
namespace {

std::mutex g_mu;
std::unique_ptr<runtime> g_runtime;

std::int64_t env_int(const char* name, std::int64_t fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  try {
    return std::stoll(v);
  } catch (...) {
    throw_error(errc::value_error, std::string("shoal: ") + name + " must be an integer, got '" + v + "'");
  }
}

/// CPU sockets of this machine (physical packages), at least 1.
int socket_count() {
  std::set<std::string> ids;
  for (unsigned c = 0; c < 4096; ++c) {
    std::ifstream f("/sys/devices/system/cpu/cpu" + std::to_string(c) + "/topology/physical_package_id");
    if (!f) break;
    std::string id;
    f >> id;
    ids.insert(id);
  }
  return ids.empty() ? 1 : static_cast<int>(ids.size());
}

runtime_options resolve(runtime_options o) {
  if (o.cpus < 0) throw_error(errc::value_error, "shoal.init: cpus must be positive");
  if (o.cpus == 0) o.cpus = static_cast<int>(env_int("SHOAL_CPUS", 0));
  if (o.cpus <= 0) o.cpus = socket_count();
  if (o.min_tile_elems <= 0) o.min_tile_elems = env_int("SHOAL_MIN_TILE_ELEMS", 65536);
  if (o.min_tile_elems <= 0) throw_error(errc::value_error, "shoal.init: min_tile_elems must be positive");
  if (o.threads_per_actor <= 0) {
    int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    o.threads_per_actor = std::max(1, hw / o.cpus);
  }
  if (o.timeout_ms <= 0) o.timeout_ms = static_cast<int>(env_int("SHOAL_TIMEOUT_MS", 600000));
  if (o.address.empty()) {
    const char* a = std::getenv("SHOAL_ADDRESS");
    if (a && *a) o.address = a;
  }
  if (!o.address.empty()) {
    // A driver's actors are the cluster's: its own GPUs are none of its business (it touches
    // no CUDA at all). The runtime records the cluster's GPU actors once attached.
    o.gpus = 0;
  } else {
#ifdef SHOAL_WITH_CUDA
    const int visible = gpu_count();
    if (o.gpus < 0) o.gpus = visible;
    else if (o.gpus > visible)
      throw_error(errc::value_error, "shoal.init: gpus=" + std::to_string(o.gpus) + " but only " +
                                         std::to_string(visible) + " GPU(s) are visible");
#else
    if (o.gpus > 0) throw_error(errc::value_error, "shoal.init: this build has no GPU support (gpus=" +
                                                       std::to_string(o.gpus) + ")");
#endif
  }
  if (o.placement.empty()) {
    const char* v = std::getenv("SHOAL_PLACEMENT");
    o.placement = v && *v ? v : "default";
  }
  if (o.placement != "default" && o.placement != "all")
    throw_error(errc::value_error, "shoal.init: placement must be 'default' or 'all', got '" +
                                       o.placement + "'");
  return o;
}

bool same(const runtime_options& a, const runtime_options& b) {
  // A driver's cpus and gpus are the cluster's (the nodes decide them): not compared.
  const bool local = a.address.empty();
  return (!local || (a.cpus == b.cpus && a.gpus == b.gpus)) && a.min_tile_elems == b.min_tile_elems &&
         a.threads_per_actor == b.threads_per_actor && a.timeout_ms == b.timeout_ms &&
         a.address == b.address && a.placement == b.placement;
}

}  // namespace

runtime::runtime(const runtime_options& opts) : impl_(std::make_unique<impl>()) {
  auto& m = *impl_;
  m.opts = opts;
  m.cfg = std::make_unique<caf::actor_system_config>();
  m.sys = std::make_unique<caf::actor_system>(*m.cfg);
  m.node_name = default_node_name();
  // Workers: GPU actors first (indices 0..gpus-1), then CPU actors.
  planner_config pc;
  // A cluster's workers live in its node processes: the driver holds proxies for them.
  const bool remote = !opts.address.empty();
  if (remote) {
    attach_remote(m, pc);
    m.opts.gpus = static_cast<int>(pc.place_on.size());  // attach_remote places on the GPU actors
  }
  int gpus = 0;
#ifdef SHOAL_WITH_CUDA
  gpus = remote ? 0 : opts.gpus;
  for (int g = 0; g < gpus; ++g) {
    m.workers.push_back(spawn_gpu_actor(*m.sys, {g, "gpu" + std::to_string(g), m.node_name, g}));
    pc.place_on.push_back(g);
    pc.gpu_group.push_back(g);  // NCCL rank g
  }
  // Full reductions through NCCL when at least this many GPU actors hold parts (tests set 1).
  pc.collective_min = static_cast<int>(env_int("SHOAL_COLLECTIVE_MIN", 2));
  // Pieces between GPU actors over NCCL (0: through host memory); SHOAL_NCCL_LOCAL=1 (tests)
  // sends a GPU actor's pieces of its own shards through NCCL too.
  pc.nccl_pieces = env_int("SHOAL_NCCL_PIECES", 1) != 0;
  pc.nccl_local = env_int("SHOAL_NCCL_LOCAL", 0) != 0;
#endif
  for (int i = 0; i < (remote ? 0 : opts.cpus); ++i) {
    const int index = static_cast<int>(m.workers.size());
    m.workers.push_back(spawn_cpu_actor(*m.sys, {index, "cpu" + std::to_string(i), m.node_name, opts.threads_per_actor}));
    if (gpus == 0) pc.place_on.push_back(index);
  }
  for (auto& w : m.workers) caf::anon_send(w, peers_atom::value, m.workers);
  if (opts.placement == "all") pc.place_on.clear();  // every actor
  pc.n_actors = static_cast<int>(m.workers.size());
  pc.min_tile_elems = opts.min_tile_elems;
  m.scheduler = spawn_scheduler_actor(*m.sys, pc, m.workers);
  if (!pc.gpu_group.empty() && static_cast<int>(pc.gpu_group.size()) >= std::max(1, pc.collective_min)) {
    // Wait for the GPU actors' NCCL communicator, so that every reduction after init is
    // planned the same way (a failed setup leaves the host path and says so on stderr).
    caf::scoped_actor s{*m.sys};
    s->request(m.scheduler, std::chrono::seconds(180), join_atom::value)
        .receive([](bool) {}, [](caf::error&) {});
  }
  // GPU ops take hundreds of us: a reader that slept meanwhile pays a thread wake-up after the
  // answer (measured on the H100: sum of 2^28 float32 430-457 us yielding, 459-488 sleeping),
  // and so does the scheduler on the next op, and a GPU actor on the next task
  // (actors/linger.hpp). With GPU actors all of them stay awake a while; CPU-only runtimes
  // leave the cores to the CPU actors' thread pools.
  const auto awake = std::chrono::microseconds(pc.gpu_group.empty() ? 0 : 2000);
  client::reply_waiter::set_default_yield(awake);
  set_default_linger(awake);
  if (remote) start_membership(m);
  m.node = spawn_node_actor(*m.sys, m.node_name, m.workers);
  m.conn = std::make_shared<client::core>(*m.sys, m.scheduler, opts.timeout_ms);
}

runtime::~runtime() {
  auto& m = *impl_;
  m.conn->close();  // handles still alive now throw instead of reaching dead actors
  m.conn.reset();
  for (auto& w : m.workers) caf::anon_send_exit(w, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(m.scheduler, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(m.node, caf::exit_reason::user_shutdown);
  m.workers.clear();
  m.scheduler = nullptr;
  m.node = nullptr;
  m.remote.reset();  // closes the cluster connection, which holds proxy handles
  m.sys.reset();  // waits for every actor to finish
}

runtime& runtime::init(const runtime_options& opts) {
  std::lock_guard<std::mutex> g(g_mu);
  runtime_options r = resolve(opts);
  if (g_runtime) {
    if (!same(g_runtime->impl_->opts, r))
      throw_error(errc::runtime_error,
                  "shoal is already running with other settings; call shoal.shutdown() first");
    return *g_runtime;
  }
  g_runtime.reset(new runtime(r));
  return *g_runtime;
}

runtime& runtime::get() {
  {
    std::lock_guard<std::mutex> g(g_mu);
    if (g_runtime) return *g_runtime;
  }
  return init({});
}

bool runtime::running() {
  std::lock_guard<std::mutex> g(g_mu);
  return g_runtime != nullptr;
}

void runtime::shutdown() {
  std::unique_ptr<runtime> r;
  {
    std::lock_guard<std::mutex> g(g_mu);
    r = std::move(g_runtime);
  }
  r.reset();
}

const runtime_options& runtime::options() const { return impl_->opts; }

runtime_info runtime::info() {
  runtime_info out;
  cluster_stats s = impl_->conn->stats();
  out.actors = std::move(s.actors);
  out.arrays = s.arrays;
  out.migration = s.migration;
  out.recovery = s.recovery;
  out.node = impl_->node_name;
  out.min_tile_elems = impl_->opts.min_tile_elems;
  caf::scoped_actor self{*impl_->sys};
  self->request(impl_->scheduler, std::chrono::seconds(60), join_atom::value)
      .receive([&](bool on) { out.collectives = on; }, [](caf::error&) {});
  return out;
}

}  // namespace shoal
