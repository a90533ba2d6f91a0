// stencil_kernel: a custom kernel with halos, registered and launched from C++.
//
// Registers "jacobi5", a 5-point Jacobi step on a 2-d grid: every interior cell becomes the
// mean of its four neighbours, border cells keep their value. Its input is declared with a
// halo of 1, so on each output tile the kernel sees that tile plus one cell on every side
// (clipped at the grid border); view.origin says where the box sits in the grid. The grid is
// cut into tiles over four CPU actors (tiny tile threshold), so every step moves halo strips
// between actors as pieces. After 25 steps the result is compared with a plain C++ loop;
// the program prints the difference and exits 1 on a mismatch.
// (A CUDA build would add a `.cuda` variant compiled by nvcc: same views, device pointers.)
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "actors/kernel.hpp"
#include "actors/runtime.hpp"

using i64 = std::int64_t;

/// One Jacobi step over the output tile; `in` is the tile plus its halo.
void jacobi5(const shoal::kernel_args& a) {
  const shoal::const_tile_view& in = a.ins[0];
  const i64 rows = in.global_shape[0], cols = in.global_shape[1];
  auto at = [&](i64 gi, i64 gj) {  // global index -> the element inside the halo box
    return in.as<double>()[(gi - in.origin[0]) * in.strides[0] + (gj - in.origin[1]) * in.strides[1]];
  };
  double* out = a.out.as<double>();
  for (i64 i = 0; i < a.out.shape[0]; ++i)
    for (i64 j = 0; j < a.out.shape[1]; ++j) {
      const i64 gi = a.out.origin[0] + i, gj = a.out.origin[1] + j;
      const bool border = gi == 0 || gj == 0 || gi == rows - 1 || gj == cols - 1;
      out[i * a.out.shape[1] + j] =
          border ? at(gi, gj) : 0.25 * (at(gi - 1, gj) + at(gi + 1, gj) + at(gi, gj - 1) + at(gi, gj + 1));
    }
}

int main() {
  shoal::runtime_options opts;
  opts.cpus = 4;
  opts.gpus = 0;  // CPU actors only
  opts.min_tile_elems = 64;  // small arrays are cut into several tiles
  shoal::runtime::init(opts);
  shoal::register_kernel({.name = "jacobi5",
                          .inputs = {{shoal::input_align::halo_of(1), shoal::dtype::float64}},
                          .cpu = jacobi5});

  const i64 rows = 67, cols = 45, steps = 25;  // sizes that do not divide into the tiles
  std::vector<double> grid(static_cast<std::size_t>(rows * cols), 0.0);
  for (i64 j = 0; j < cols; ++j) grid[static_cast<std::size_t>(j)] = 100.0;  // a hot top edge
  for (i64 i = 0; i < rows; ++i) grid[static_cast<std::size_t>(i * cols)] = 50.0 * static_cast<double>(i % 3);

  shoal::array g = shoal::from_vector(grid, {rows, cols});
  for (i64 s = 0; s < steps; ++s) g = shoal::launch("jacobi5", {g});  // returns at once
  std::vector<double> got = g.to_vector<double>();                     // waits

  std::vector<double> ref = grid, next = grid;  // the same steps as a plain loop
  for (i64 s = 0; s < steps; ++s) {
    for (i64 i = 1; i < rows - 1; ++i)
      for (i64 j = 1; j < cols - 1; ++j) {
        auto at = [&](i64 a, i64 b) { return ref[static_cast<std::size_t>(a * cols + b)]; };
        next[static_cast<std::size_t>(i * cols + j)] = 0.25 * (at(i - 1, j) + at(i + 1, j) + at(i, j - 1) + at(i, j + 1));
      }
    ref.swap(next);
  }
  double worst = 0;
  for (std::size_t i = 0; i < ref.size(); ++i) worst = std::max(worst, std::fabs(got[i] - ref[i]));
  std::printf("jacobi5: %lld x %lld grid, %lld steps over %zu actors; max |shoal - loop| = %g  %s\n",
              static_cast<long long>(rows), static_cast<long long>(cols), static_cast<long long>(steps),
              shoal::runtime::get().info().actors.size(), worst, worst == 0 ? "ok" : "MISMATCH");
  shoal::runtime::shutdown();
  return worst == 0 ? 0 : 1;
}
