// array_basics: the shoal C++ API in one page.
//
// Starts the embedded runtime with two CPU actors and a tiny tile threshold, so even these
// small arrays are cut into shards spread over both actors. Then it creates arrays (arange,
// zeros, ones), combines them with operators (every call returns at once; only reads wait),
// reduces them, multiplies matrices, takes a strided view and assigns into a slice, and reads
// results back with to_vector<T>() and item(). Each result is checked against the value
// computed by hand; the program prints what it found and exits 1 on any mismatch.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <variant>
#include <vector>

#include "actors/array.hpp"
#include "actors/runtime.hpp"

namespace {

int failures = 0;

void check(bool ok, const char* what) {
  std::printf("%-44s %s\n", what, ok ? "ok" : "MISMATCH");
  if (!ok) ++failures;
}

double as_double(const shoal::scalar& s) {
  return std::visit([](auto v) { return static_cast<double>(v); }, s);
}

}  // namespace

int main() try {
  using shoal::index_item;
  shoal::runtime_options opts;
  opts.cpus = 2;
  opts.min_tile_elems = 64;
  auto& rt = shoal::runtime::init(opts);

  // 1,000 float64 values 0..999: 1,000 elements / 64 per tile -> shards on both actors.
  shoal::array a = shoal::arange(std::int64_t{0}, std::int64_t{1000}, std::int64_t{1},
                                 shoal::dtype::float64);
  shoal::array b = a * 2.0 + 1.0;  // lazy: fused elementwise, nothing has run yet
  double total = as_double(shoal::reduce(shoal::reduce_kind::sum, b).item());
  check(total == 1000000.0, "sum(2*arange(1000)+1) == 1e6");
  check(std::abs(as_double(shoal::mean(a).item()) - 499.5) < 1e-12, "mean(arange(1000)) == 499.5");

  // A strided view a[10:20:2] shares a's data.
  auto view = a[{index_item::range(10, 20, 2)}].to_vector<double>();
  check(view == std::vector<double>{10, 12, 14, 16, 18}, "a[10:20:2] == [10 12 14 16 18]");

  // Matrix product: [[0 1 2] [3 4 5]] @ ones(3, 2) == [[3 3] [12 12]].
  shoal::array m = shoal::arange(std::int64_t{0}, std::int64_t{6}, std::int64_t{1},
                                 shoal::dtype::float64).reshape({2, 3});
  auto p = shoal::matmul(m, shoal::ones({3, 2})).to_vector<double>();
  check(p == std::vector<double>{3, 3, 12, 12}, "arange(6).reshape(2,3) @ ones((3,2))");

  // Slice assignment writes through: z[1:3, 1:3] = 7 on a 4x4 grid of zeros.
  shoal::array z = shoal::zeros({4, 4});
  z.assign({index_item::range(1, 3), index_item::range(1, 3)}, 7.0);
  auto zv = z.to_vector<double>();
  check(zv[1 * 4 + 1] == 7.0 && zv[2 * 4 + 2] == 7.0 && zv[0] == 0.0 && zv[3 * 4 + 3] == 0.0,
        "z[1:3, 1:3] = 7 writes only the block");
  check(as_double(shoal::reduce(shoal::reduce_kind::sum, z).item()) == 28.0, "sum(z) == 28");
  check(as_double(z[{index_item::at(2), index_item::at(1)}].item()) == 7.0, "z[2, 1] == 7");

  // Where the shards live while a, b, m and z are alive.
  for (const auto& actor : rt.info().actors)
    std::printf("actor %-6s (%s) holds %lld shards, %lld bytes\n", actor.name.c_str(),
                actor.kind.c_str(), static_cast<long long>(actor.shards),
                static_cast<long long>(actor.bytes));

  shoal::runtime::shutdown();
  std::printf("%s\n", failures == 0 ? "all checks passed" : "SOME CHECKS FAILED");
  return failures == 0 ? 0 : 1;
} catch (const std::exception& e) {
  std::fprintf(stderr, "array_basics: %s\n", e.what());
  return 1;
}
