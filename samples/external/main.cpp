// shoal_external: an installed shoal used from another project (find_package(shoal)).
//
// Registers a custom kernel ("ext.clip", clamps every element into [params[0], params[1]]),
// launches it over a sharded array, then streams the result's shards through a two-stage
// pipeline (a sink summing them) and checks the sum against shoal's own reduction and a
// plain loop. Exit 1 on a mismatch.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <variant>

#include "actors/array.hpp"
#include "actors/kernel.hpp"
#include "actors/pipeline.hpp"
#include "actors/runtime.hpp"

int main() {
  shoal::runtime_options opts;
  opts.cpus = 2;
  opts.gpus = 0;  // CPU actors only
  opts.min_tile_elems = 100;  // small arrays are cut into several tiles
  shoal::runtime::init(opts);
  shoal::register_kernel({.name = "ext.clip",
                          .inputs = {{shoal::input_align::same_tiling(), shoal::dtype::float64}},
                          .cpu = [](const shoal::kernel_args& a) {
                            const double* x = a.ins[0].as<double>();
                            for (std::int64_t i = 0; i < a.out.size(); ++i)
                              a.out.as<double>()[i] = std::clamp(x[i * a.ins[0].strides[0]], a.params[0], a.params[1]);
                          }});
  const std::int64_t n = 1001;
  shoal::array x = shoal::arange(std::int64_t{0}, n).astype(shoal::dtype::float64);
  shoal::array y = shoal::launch("ext.clip", {x}, {.params = {100.0, 900.0}});

  auto [sink, total] = shoal::pipeline::spawn_fold_sink(0.0, [](double& acc, const shoal::pipeline::shard& s) {
    for (std::int64_t i = 0; i < s.size(); ++i) acc += s.as<double>()[i];
  });
  shoal::pipeline::run_array(y, sink, 2).wait();

  double want = 0;
  for (std::int64_t i = 0; i < n; ++i) want += std::clamp(static_cast<double>(i), 100.0, 900.0);
  const double reduced = std::get<double>(shoal::reduce(shoal::reduce_kind::sum, y).item());
  const bool ok = *total == want && reduced == want;
  std::printf("ext.clip over %lld elements: pipeline sum %.0f, reduce %.0f, loop %.0f  %s\n",
              static_cast<long long>(n), *total, reduced, want, ok ? "ok" : "MISMATCH");
  shoal::runtime::shutdown();
  return ok ? 0 : 1;
}
