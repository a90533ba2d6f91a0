/// The process-wide kernel registry and the alignment geometry of custom kernels.
#include "arrays/custom_kernel.hpp"

#include <algorithm>
#include <map>
#include <mutex>

namespace shoal {
namespace {

struct registry {
  std::mutex mu;
  std::map<std::string, std::shared_ptr<const kernel_def>> kernels;
};

registry& reg() {
  static registry r;  // function-local: registration from static initializers is safe
  return r;
}

}  // namespace

void register_kernel(kernel_def def) {
  if (def.name.empty()) throw_error(errc::value_error, "shoal.register_kernel: a kernel needs a name");
  if (!def.cpu && !def.cuda)
    throw_error(errc::value_error, "shoal.register_kernel: kernel '" + def.name +
                                       "' has neither a CPU nor a CUDA variant");
  for (std::size_t i = 0; i < def.inputs.size(); ++i)
    if (def.inputs[i].align.kind == input_align::halo && def.inputs[i].align.width < 0)
      throw_error(errc::value_error, "shoal.register_kernel: kernel '" + def.name + "' input " +
                                         std::to_string(i) + " has a negative halo width");
  auto& r = reg();
  std::lock_guard<std::mutex> g(r.mu);
  if (r.kernels.count(def.name))
    throw_error(errc::value_error, "shoal.register_kernel: a kernel named '" + def.name +
                                       "' is already registered");
  std::string name = def.name;
  r.kernels.emplace(std::move(name), std::make_shared<const kernel_def>(std::move(def)));
}

std::shared_ptr<const kernel_def> find_kernel(const std::string& name) {
  auto& r = reg();
  std::lock_guard<std::mutex> g(r.mu);
  auto it = r.kernels.find(name);
  return it == r.kernels.end() ? nullptr : it->second;
}

std::shared_ptr<const kernel_def> require_kernel(const std::string& name) {
  auto k = find_kernel(name);
  if (!k) throw_error(errc::key_error, "no kernel named '" + name + "' is registered");
  return k;
}

std::vector<std::string> kernel_names() {
  auto& r = reg();
  std::lock_guard<std::mutex> g(r.mu);
  std::vector<std::string> out;
  for (auto& [n, k] : r.kernels) out.push_back(n);
  return out;
}

bool unregister_kernel(const std::string& name) {
  auto& r = reg();
  std::lock_guard<std::mutex> g(r.mu);
  return r.kernels.erase(name) > 0;
}

void check_kernel_variants(const kernel_def& def, bool on_cpu, bool on_gpu) {
  if (on_gpu && !def.cuda)
    throw_error(errc::type_error, "kernel '" + def.name +
                                      "' has no CUDA variant, but this cluster places tiles on GPU "
                                      "actors (register a CUDA variant, or start with gpus=0)");
  if (on_cpu && !def.cpu)
    throw_error(errc::type_error, "kernel '" + def.name +
                                      "' has no CPU variant, but this cluster places tiles on CPU actors");
}

box aligned_box(const input_align& a, const box& tile, const shape_t& in_shape) {
  if (a.kind == input_align::broadcast) return full_box(in_shape);
  box b = tile;
  if (a.kind == input_align::halo)
    for (std::size_t d = 0; d < b.ndim(); ++d) {
      b.lo[d] = std::max<std::int64_t>(0, b.lo[d] - a.width);
      b.hi[d] = std::min<std::int64_t>(in_shape[d], b.hi[d] + a.width);
    }
  return b;
}

}  // namespace shoal
