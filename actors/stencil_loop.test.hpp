#pragma once
/// The loop the elasticity and recovery tests run under joins, drains and kills: a 1-d
/// three-point stencil plus a sum per iteration, on a running runtime. Header-only, tests only.
#include <cstdint>
#include <functional>
#include <vector>

#include "actors/array.hpp"

namespace shoal::test {

struct loop_result {
  std::vector<double> x;
  std::vector<double> sums;
};

/// `step(i)` runs before iteration i. With `host_term`, each iteration also adds 1e-3 times an
/// array that came from host memory (its lineage root is the user's bytes).
inline loop_result stencil_loop(int iters, const std::function<void(int)>& step, bool host_term = false) {
  using ix = index_item;
  const std::int64_t n = 1000;
  array x = generator(42).random({n});
  array h = from_vector(std::vector<double>(static_cast<std::size_t>(n), 0.5));
  std::vector<array> sums;
  for (int i = 0; i < iters; ++i) {
    step(i);
    array l = x[{ix::range(0, n - 2)}], c = x[{ix::range(1, n - 1)}], r = x[{ix::range(2, n)}];
    array next = binary(binary_op::divide, binary(binary_op::add, binary(binary_op::add, l, c), r), 3.0);
    x.assign({ix::range(1, n - 1)}, next);
    if (host_term) x = binary(binary_op::add, x, binary(binary_op::multiply, h, 1e-3));
    sums.push_back(reduce(reduce_kind::sum, x));
  }
  loop_result res{x.to_vector<double>(), {}};
  for (auto& s : sums) res.sums.push_back(std::get<double>(s.item()));
  return res;
}

}  // namespace shoal::test
