/// Custom kernels from Python: load a C++ kernel library, list the kernels, launch one.
#include "common.hpp"

#include <pybind11/stl.h>

#include "actors/kernel.hpp"

namespace shoal::pyshoal {

void bind_kernels(py::module_& m) {
  m.def("load_library", [](const std::string& path) { return load_library(path); }, py::arg("path"),
        "dlopen()s a kernel library (RTLD_GLOBAL) and registers its kernels; returns their names "
        "(empty when the library was loaded before). ValueError if it cannot be loaded.");
  m.def("kernels", [] {
    py::dict out;
    for (const auto& name : kernel_names()) {
      auto k = find_kernel(name);
      if (!k) continue;
      py::list ins;
      for (const auto& i : k->inputs) {
        py::dict d;
        d["align"] = i.align.kind == input_align::same ? "same" : i.align.kind == input_align::halo ? "halo" : "broadcast";
        d["halo"] = i.align.width;
        d["dtype"] = i.type ? py::str(dtype_name(*i.type)) : py::object(py::none());
        ins.append(d);
      }
      py::dict d;
      d["inputs"] = ins;
      d["cpu"] = static_cast<bool>(k->cpu);
      d["cuda"] = static_cast<bool>(k->cuda);
      out[py::str(name)] = d;
    }
    return out;
  }, "The registered kernels: {name: {inputs: [{align, halo, dtype}], cpu, cuda}}.");
  m.def("launch", [](const std::string& name, py::sequence arrays, py::handle shape, py::handle type,
                     std::vector<double> params) {
    std::vector<array> ins;
    for (py::handle h : arrays) ins.push_back(req_array(h, "shoal.launch"));
    launch_options o;
    if (!shape.is_none()) o.shape = to_shape(shape);
    o.type = opt_dtype(type);
    o.params = std::move(params);
    py::gil_scoped_release nogil;
    return launch(name, ins, o);
  }, py::arg("name"), py::arg("arrays"), py::arg("shape") = py::none(), py::arg("dtype") = py::none(),
     py::arg("params") = std::vector<double>{},
     "Runs a registered kernel over every tile of a new Array (shoal::launch).");
}

}  // namespace shoal::pyshoal
