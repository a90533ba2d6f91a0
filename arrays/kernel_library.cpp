/// shoal::load_library: dlopen a kernel library and run its SHOAL_KERNEL_LIBRARY function.
#include <dlfcn.h>

#include <mutex>
#include <set>

#include "arrays/custom_kernel.hpp"

namespace shoal {
namespace {

/// Forwards a library's kernels to the registry, remembering their names.
struct recording_registrar final : kernel_registrar {
  std::vector<std::string> names;
  void add(kernel_def def) override {
    std::string n = def.name;
    register_kernel(std::move(def));
    names.push_back(std::move(n));
  }
};

}  // namespace

std::vector<std::string> load_library(const std::string& path) {
  static std::mutex mu;
  static std::set<void*> loaded;
  std::lock_guard<std::mutex> g(mu);
  // RTLD_GLOBAL: kernel libraries may depend on each other's symbols (and on the CUDA runtime).
  void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL);
  if (!h) {
    const char* why = dlerror();
    throw_error(errc::value_error, "shoal.load_library: cannot load '" + path + "': " + (why ? why : "?"));
  }
  if (loaded.count(h)) {
    dlclose(h);  // drop the extra reference; the library stays loaded
    return {};
  }
  using entry_fn = void (*)(kernel_registrar&);
  auto entry = reinterpret_cast<entry_fn>(dlsym(h, "shoal_register_kernels_v1"));
  if (!entry)
    throw_error(errc::value_error, "shoal.load_library: '" + path +
                                       "' defines no SHOAL_KERNEL_LIBRARY function (shoal_register_kernels_v1)");
  recording_registrar r;
  entry(r);  // kernels registered before an error stay registered
  loaded.insert(h);
  return r.names;
}

}  // namespace shoal
