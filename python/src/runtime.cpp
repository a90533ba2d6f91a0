/// The runtime: init / shutdown / running / info / options.
#include "common.hpp"

#include "actors/gpu_backend.hpp"

namespace shoal::pyshoal {

namespace {

py::dict options_dict(const runtime_options& o) {
  py::dict d;
  d["cpus"] = o.cpus;
  d["gpus"] = o.gpus;
  d["address"] = o.address;
  d["min_tile_elems"] = o.min_tile_elems;
  d["threads_per_actor"] = o.threads_per_actor;
  d["timeout_ms"] = o.timeout_ms;
  d["placement"] = o.placement;
  return d;
}

}  // namespace

void bind_runtime(py::module_& m) {
  m.def(
      "init",
      [](int cpus, int gpus, std::string address, std::int64_t min_tile_elems,
         int threads_per_actor, int timeout_ms) {
        runtime_options o;
        o.cpus = cpus;
        o.gpus = gpus;
        o.address = std::move(address);
        o.min_tile_elems = min_tile_elems;
        o.threads_per_actor = threads_per_actor;
        o.timeout_ms = timeout_ms;
        py::gil_scoped_release nogil;
        runtime::init(o);
      },
      py::kw_only(), py::arg("cpus") = 0, py::arg("gpus") = -1, py::arg("address") = "",
      py::arg("min_tile_elems") = 0, py::arg("threads_per_actor") = 0, py::arg("timeout_ms") = 0,
      "Starts the runtime (a no-op if it runs with the same options; ValueError if it runs "
      "with other ones). 0 / -1 / '' mean the defaults (see runtime_options).");
  m.def("gpu_count", [] { return gpu_count(); },
        "Visible CUDA devices (0 in a CPU build or without a GPU).");
  m.def("shutdown", [] {
    py::gil_scoped_release nogil;
    if (runtime::running()) runtime::shutdown();
  }, "Stops every actor and frees every shard (a no-op when nothing runs).");
  m.def("running", &runtime::running, "Whether the runtime runs.");
  m.def("options", []() -> py::object {
    if (!runtime::running()) return py::none();
    runtime_options o;
    {
      py::gil_scoped_release nogil;
      o = runtime::get().options();
    }
    return options_dict(o);
  }, "The options the running runtime was started with (None when none runs).");
  m.def("info", [] {
    runtime_info i;
    {
      py::gil_scoped_release nogil;
      i = runtime::get().info();
    }
    py::list actors;
    for (const auto& a : i.actors) {
      py::dict d;
      d["name"] = a.name;
      d["kind"] = a.kind;
      d["node"] = a.node;
      d["shards"] = a.shards;
      d["bytes"] = a.bytes;
      d["state"] = a.state;
      actors.append(d);
    }
    py::dict d;
    d["actors"] = actors;
    d["node"] = i.node;
    d["min_tile_elems"] = i.min_tile_elems;
    d["arrays"] = i.arrays;
    d["collectives"] = i.collectives;  // NCCL among the GPU actors
    d["migration"] = migration_dict(i.migration);  // the current (or last) rebalance
    py::dict rec;
    rec["recoveries"] = i.recovery.recoveries;
    rec["shards_rebuilt"] = i.recovery.shards_rebuilt;
    rec["ops_replayed"] = i.recovery.ops_replayed;
    rec["arrays_failed"] = i.recovery.arrays_failed;
    rec["last_ms"] = i.recovery.last_ms;
    rec["lineage_ops"] = i.recovery.lineage_ops;
    rec["checkpoints"] = i.recovery.checkpoints;
    d["recovery"] = rec;
    return d;
  }, "The runtime's actors and their shards (starts a default runtime if none runs).");
}

}  // namespace shoal::pyshoal
