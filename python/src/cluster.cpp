/// The cluster's process side for the `shoal` CLI: run_node (a node process's main loop)
/// and cluster_status (the head's members with their actors' numbers).
#include "common.hpp"

#include <pybind11/stl.h>

#include "actors/cluster_node.hpp"
#include "actors/remote_cluster.hpp"
#include "actors/secret.hpp"

namespace shoal::pyshoal {

void bind_cluster(py::module_& m) {
  m.def(
      "run_node",
      [](std::string bind, std::string head, int cpus, int gpus, int threads_per_actor, int heartbeat_ms,
         int heartbeat_timeout_ms, std::string secret, py::object drain_requested) {
        node_options o;
        o.bind = std::move(bind);
        o.head = std::move(head);
        o.cpus = cpus;
        o.gpus = gpus;
        o.threads_per_actor = threads_per_actor;
        heartbeat_from_env(heartbeat_ms, heartbeat_timeout_ms);
        o.heartbeat_ms = heartbeat_ms;
        o.heartbeat_timeout_ms = heartbeat_timeout_ms;
        o.secret = std::move(secret);
        int code = 0;
        {
          py::gil_scoped_release nogil;
          // Python's signal handlers run only while we hold the GIL: look every 100 ms. A handler
          // that raises (KeyboardInterrupt) stops the node; drain_requested() asks for a drain.
          code = run_node(o, [&] {
            py::gil_scoped_acquire gil;
            if (PyErr_CheckSignals() != 0) return node_request::stop;
            if (!drain_requested.is_none() && drain_requested().cast<bool>()) return node_request::drain;
            return node_request::run;
          });
        }
        if (PyErr_Occurred()) throw py::error_already_set();  // the handler's exception, as raised
        return code;
      },
      py::kw_only(), py::arg("bind") = "127.0.0.1:0", py::arg("head") = "", py::arg("cpus") = 1,
      py::arg("gpus") = 0, py::arg("threads_per_actor") = 0, py::arg("heartbeat_ms") = 1000,
      py::arg("heartbeat_timeout_ms") = 5000, py::arg("secret") = "", py::arg("drain_requested") = py::none(),
      "Runs a cluster node until a signal handler raises, its head stops answering, or it was drained "
      "(drain_requested() turning true starts that); returns an exit code.");
  m.def(
      "cluster_status",
      [](std::string address, int timeout_ms) {
        connect_options o;
        o.address = address;
        o.connect_timeout_ms = timeout_ms;
        o.secret = cluster_secret_for(address);
        std::vector<node_desc> nodes;
        {
          py::gil_scoped_release nogil;
          nodes = cluster_status(o);
        }
        py::list out;
        for (auto& n : nodes) {
          py::dict d;
          d["name"] = n.name;
          d["endpoint"] = n.endpoint;
          d["pid"] = n.pid;
          py::list actors;
          for (auto& a : n.actors) {
            py::dict ad;
            ad["name"] = a.name;
            ad["kind"] = a.kind;
            ad["shards"] = a.shards;
            ad["bytes"] = a.bytes;
            actors.append(ad);
          }
          d["actors"] = actors;
          py::list drivers;
          for (auto& x : n.drivers) {
            py::dict dd;
            dd["session"] = x.session;
            dd["driver"] = x.driver;
            dd["shards"] = x.shards;
            dd["bytes"] = x.bytes;
            dd["idle_ms"] = x.idle_ms;
            drivers.append(dd);
          }
          d["drivers"] = drivers;
          out.append(d);
        }
        return out;
      },
      py::arg("address"), py::arg("timeout_ms") = 5000,
      "The nodes of the cluster at address (HOST:PORT), their actors' shards and bytes, and their driver sessions.");
  m.def("default_token_path", &default_token_path, py::arg("address"),
        "Where `shoal start --head` keeps the secret of the cluster at address.");
}

}  // namespace shoal::pyshoal
