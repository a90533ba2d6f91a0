/// Elasticity of the embedded cluster: add_actor / drain / settle (runtime_elastic.cpp).
#include "common.hpp"

namespace shoal::pyshoal {

void bind_elastic(py::module_& m) {
  m.def("add_actor", [](const std::string& kind) {
    py::gil_scoped_release nogil;
    return runtime::get().add_actor(kind);
  }, py::arg("kind") = "cpu",
     "Starts a CPU or GPU actor in the running embedded cluster; shards rebalance onto it. Returns its name.");
  m.def("drain", [](const std::string& name) {
    py::gil_scoped_release nogil;
    runtime::get().drain(name);
  }, py::arg("name"), "Moves every shard off the actor and takes it out of placement.");
  m.def("settle", [] {
    py::gil_scoped_release nogil;
    runtime::get().settle();
  }, "Waits until no shard move is queued or in flight.");
  // Tests only (not in shoal's API): a crash of one actor, recovered from lineage.
  m.def("_kill_actor", [](const std::string& name) {
    py::gil_scoped_release nogil;
    runtime::get().kill_actor(name);
  }, py::arg("name"), "Tests: stops the actor at once, as a crash would; its shards are rebuilt.");
}

}  // namespace shoal::pyshoal
