/// Node-level elasticity for the `shoal` CLI: the head's view of node states and migration
/// progress (`shoal status`), and a drain request (`shoal drain`); actors/remote_membership.hpp.
#include "common.hpp"

#include <pybind11/stl.h>

#include "actors/remote_membership.hpp"
#include "actors/secret.hpp"

namespace shoal::pyshoal {
namespace {

connect_options options_for(const std::string& address, int timeout_ms) {
  connect_options o;
  o.address = address;
  o.connect_timeout_ms = timeout_ms;
  o.secret = cluster_secret_for(address);
  return o;
}

py::dict node_dict(const node_view& n) {
  py::dict d;
  d["name"] = n.desc.name;
  d["endpoint"] = n.desc.endpoint;
  d["pid"] = n.desc.pid;
  d["state"] = n.state;
  d["note"] = n.note;
  d["actors"] = static_cast<py::ssize_t>(n.desc.actors.size());
  return d;
}

}  // namespace

void bind_membership(py::module_& m) {
  m.def(
      "cluster_view",
      [](const std::string& address, int timeout_ms) {
        auto o = options_for(address, timeout_ms);
        cluster_view v;
        {
          py::gil_scoped_release nogil;
          v = view_cluster(o);
        }
        py::dict out;
        py::list nodes, gone;
        for (auto& n : v.nodes) nodes.append(node_dict(n));
        for (auto& n : v.gone) gone.append(node_dict(n));
        out["nodes"] = nodes;
        out["gone"] = gone;
        out["migration"] = migration_dict(v.migration);
        out["driver"] = v.driver;
        return out;
      },
      py::arg("address"), py::arg("timeout_ms") = 5000,
      "The head's view: every node with its state (active, joining, draining), the nodes that left or died, "
      "and the migration progress the driver reported.");
  m.def(
      "drain_node",
      [](const std::string& address, const std::string& endpoint, int timeout_ms) {
        auto o = options_for(address, timeout_ms);
        py::gil_scoped_release nogil;
        return request_drain(o, endpoint);
      },
      py::arg("address"), py::arg("endpoint"), py::arg("timeout_ms") = 5000,
      "Asks the head to drain the node at endpoint; True when a driver moves its shards off first.");
}

}  // namespace shoal::pyshoal
