/// runtime's elastic entry points (runtime.hpp): a CPU or GPU actor joins the running embedded
/// cluster, an actor drains. The scheduler does the work (actors/scheduler_elastic.hpp);
/// these calls start it and wait with the runtime's timeout.
#include <chrono>
#include <mutex>
#include <string>

#include "actors/cpu_actor.hpp"
#include "actors/elastic_protocol.hpp"
#include "actors/gpu_actor.hpp"
#include "actors/gpu_backend.hpp"
#include "actors/runtime_impl.hpp"
#include "arrays/errors.hpp"

namespace shoal {
namespace {

std::mutex g_elastic_mu;  // one join or drain at a time (workers and names stay in step)

/// Asks the scheduler and waits for a T, with the runtime's timeout.
template <class T, class... Ts>
T ask(runtime::impl& m, const char* what, Ts&&... xs) {
  caf::scoped_actor self{*m.sys};
  T out{};
  std::string err;
  self->request(m.scheduler, std::chrono::milliseconds(m.opts.timeout_ms), std::forward<Ts>(xs)...)
      .receive([&](T v) { out = std::move(v); }, [&](caf::error& e) { err = caf::to_string(e); });
  if (!err.empty()) throw_error(errc::runtime_error, std::string("shoal: ") + what + " failed: " + err);
  return out;
}

}  // namespace

std::string runtime::add_cpu_actor() { return add_actor("cpu"); }

std::string runtime::add_actor(const std::string& kind) {
  std::lock_guard<std::mutex> g(g_elastic_mu);
  auto& m = *impl_;
  if (!m.opts.address.empty())
    throw_error(errc::runtime_error,
                "shoal: add_actor() grows the embedded cluster; a cluster grows by `shoal start --address`");
  if (kind != "cpu" && kind != "gpu")
    throw_error(errc::value_error, "shoal.add_actor: kind must be 'cpu' or 'gpu', not '" + kind + "'");
  int same = 0;  // actors of this kind so far (dead and drained ones too: names stay unique)
  for (const auto& a : info().actors) same += a.kind == kind ? 1 : 0;
  const int index = static_cast<int>(m.workers.size());
  const std::string name = kind + std::to_string(same);
  caf::actor w;
  if (kind == "cpu") {
    w = spawn_cpu_actor(*m.sys, {index, name, m.node_name, m.opts.threads_per_actor});
  } else {
    // One GPU actor per device (NCCL takes one rank per GPU): the next device that never had one.
    if (same >= gpu_count())
      throw_error(errc::value_error, "shoal.add_actor: no GPU left for a new GPU actor (" +
                                         std::to_string(gpu_count()) + " visible, " + std::to_string(same) +
                                         " GPU actors started)");
#ifdef SHOAL_WITH_CUDA
    w = spawn_gpu_actor(*m.sys, {index, name, m.node_name, same});
#endif
  }
  m.workers.push_back(w);  // stopped with the others at shutdown
  // A GPU actor also grows the NCCL group: the scheduler rebuilds the communicator between ops.
  const int got = ask<int>(m, "add_actor", add_worker_atom::value, w, true, kind == "gpu");
  if (got != index)
    throw_error(errc::runtime_error, "shoal: add_actor: the scheduler numbered the new actor " +
                                         std::to_string(got) + ", expected " + std::to_string(index));
  return name;
}

void runtime::drain(const std::string& name) {
  std::lock_guard<std::mutex> g(g_elastic_mu);
  auto& m = *impl_;
  const auto actors = info().actors;
  int index = -1;
  for (std::size_t a = 0; a < actors.size(); ++a)
    if (actors[a].name == name) index = static_cast<int>(a);
  if (index < 0) throw_error(errc::value_error, "shoal.drain: no actor named '" + name + "'");
  if (!ask<bool>(m, "drain", drain_atom::value, index, name))
    throw_error(errc::value_error, "shoal.drain: '" + name + "' cannot leave: it is the last actor new shards can go to");
}

void runtime::settle() { ask<bool>(*impl_, "settle", settle_atom::value); }

void runtime::kill_actor(const std::string& name) {
  std::lock_guard<std::mutex> g(g_elastic_mu);
  auto& m = *impl_;
  const auto actors = info().actors;
  for (std::size_t a = 0; a < actors.size() && a < m.workers.size(); ++a)
    if (actors[a].name == name) {
      // exit_reason::kill: the actor stops between two messages, its queue and shards gone.
      caf::anon_send_exit(m.workers[a], caf::exit_reason::kill);
      return;
    }
  throw_error(errc::value_error, "shoal.kill_actor: no actor named '" + name + "'");
}

}  // namespace shoal
