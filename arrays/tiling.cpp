/// Block tilings and the tiling policy.
#include "arrays/tiling.hpp"

#include <algorithm>

namespace shoal {

shape_t tiling::grid() const {
  shape_t g(shape.size());
  for (std::size_t d = 0; d < shape.size(); ++d) g[d] = (shape[d] + tile[d] - 1) / tile[d];
  return g;
}

std::int64_t tiling::count() const { return numel(grid()); }

shape_t tiling::coords(std::int64_t t) const {
  const shape_t g = grid();
  shape_t c(g.size());
  for (std::size_t d = g.size(); d-- > 0;) {
    c[d] = t % g[d];
    t /= g[d];
  }
  return c;
}

std::int64_t tiling::index(const shape_t& c) const {
  const shape_t g = grid();
  std::int64_t t = 0;
  for (std::size_t d = 0; d < g.size(); ++d) t = t * g[d] + c[d];
  return t;
}

box tiling::tile_box(std::int64_t t) const {
  const shape_t c = coords(t);
  box b{shape_t(c.size()), shape_t(c.size())};
  for (std::size_t d = 0; d < c.size(); ++d) {
    b.lo[d] = c[d] * tile[d];
    b.hi[d] = std::min(shape[d], b.lo[d] + tile[d]);
  }
  return b;
}

std::vector<std::int64_t> tiling::overlapping(const box& b) const {
  std::vector<std::int64_t> out;
  const std::size_t n = shape.size();
  const box c = intersect(b, full_box(shape));
  if (c.empty() || count() == 0) return out;
  // range of tile coordinates per dim, then enumerate the sub-grid in C order
  shape_t first(n), last(n);
  for (std::size_t d = 0; d < n; ++d) {
    first[d] = c.lo[d] / tile[d];
    last[d] = (c.hi[d] - 1) / tile[d];
  }
  shape_t cur = first;
  for (;;) {
    out.push_back(index(cur));
    std::size_t d = n;
    while (d-- > 0) {
      if (++cur[d] <= last[d]) break;
      cur[d] = first[d];
    }
    if (d == static_cast<std::size_t>(-1)) break;
  }
  return out;
}

tiling choose_tiling(const shape_t& shape, std::int64_t min_tile_elems, int n_actors,
                     int tiles_per_actor) {
  tiling t{shape, shape_t(shape.size())};
  for (std::size_t d = 0; d < shape.size(); ++d) t.tile[d] = std::max<std::int64_t>(1, shape[d]);
  const std::int64_t n = numel(shape);
  if (n <= std::max<std::int64_t>(min_tile_elems, 1)) return t;
  const std::int64_t parts =
      std::max<std::int64_t>(1, std::int64_t(std::max(n_actors, 1)) * std::max(tiles_per_actor, 1));
  const std::int64_t target = std::max<std::int64_t>({min_tile_elems, n / parts, 1});
  // Keep trailing dims whole while they fit in the target; cut the first dim that does not,
  // into pieces of (at least) target elements, and make every dim before it 1.
  std::int64_t inner = 1;
  for (std::size_t d = shape.size(); d-- > 0;) {
    if (inner * shape[d] <= target) {
      inner *= shape[d];
      continue;
    }
    const std::int64_t pieces = std::max<std::int64_t>(1, (shape[d] * inner) / target);
    t.tile[d] = (shape[d] + pieces - 1) / pieces;
    for (std::size_t e = 0; e < d; ++e) t.tile[e] = 1;
    break;
  }
  return t;
}

}  // namespace shoal
