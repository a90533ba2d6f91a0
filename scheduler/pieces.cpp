#include "scheduler/pieces.hpp"

#include <algorithm>

namespace shoal {
namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}
std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return -floor_div(-a, b); }

}  // namespace

box collapse_broadcast(const view_map& map, const box& vb) {
  box out = vb;
  for (std::size_t o = 0; o < map.shape.size(); ++o)
    if (map.is_broadcast(o) && vb.hi[o] > vb.lo[o]) out.hi[o] = out.lo[o] + 1;
  return out;
}

std::vector<view_piece> split_view(const view_map& map, const tiling& til, const box& vb_in) {
  std::vector<view_piece> out;
  box vb = collapse_broadcast(map, vb_in);
  if (vb.empty() && vb.ndim() > 0) return out;
  const std::size_t nb = map.base_shape.size(), nv = map.shape.size();
  // The base region the view box touches.
  box region;
  region.lo = map.offset;
  region.hi = map.offset;
  for (auto& h : region.hi) ++h;
  for (std::size_t o = 0; o < nv; ++o) {
    if (map.dim[o] < 0 || map.step[o] == 0) continue;
    auto d = static_cast<std::size_t>(map.dim[o]);
    std::int64_t a = map.offset[d] + map.step[o] * vb.lo[o];
    std::int64_t b = map.offset[d] + map.step[o] * (vb.hi[o] - 1);
    region.lo[d] = std::min(a, b);
    region.hi[d] = std::max(a, b) + 1;
  }
  (void)nb;
  for (std::int64_t t : til.overlapping(region)) {
    box tb = til.tile_box(t);
    view_piece p;
    p.tile = t;
    p.vbox = vb;
    bool empty = false;
    for (std::size_t o = 0; o < nv && !empty; ++o) {
      if (map.dim[o] < 0 || map.step[o] == 0) continue;
      auto d = static_cast<std::size_t>(map.dim[o]);
      std::int64_t s = map.step[o], off = map.offset[d];
      std::int64_t lo, hi;  // view indices i with tb.lo <= off + s*i < tb.hi
      if (s > 0) {
        lo = ceil_div(tb.lo[d] - off, s);
        hi = floor_div(tb.hi[d] - 1 - off, s) + 1;
      } else {
        lo = ceil_div(tb.hi[d] - 1 - off, s);
        hi = floor_div(tb.lo[d] - off, s) + 1;
      }
      p.vbox.lo[o] = std::max(vb.lo[o], lo);
      p.vbox.hi[o] = std::min(vb.hi[o], hi);
      if (p.vbox.hi[o] <= p.vbox.lo[o]) empty = true;
    }
    if (empty) continue;
    shape_t tstr = c_strides(tb.extent());
    shape_t j0 = map.apply(p.vbox.lo);
    p.src_offset = 0;
    for (std::size_t d = 0; d < tb.ndim(); ++d) p.src_offset += (j0[d] - tb.lo[d]) * tstr[d];
    p.src_strides.assign(nv, 0);
    for (std::size_t o = 0; o < nv; ++o)
      if (map.dim[o] >= 0) p.src_strides[o] = map.step[o] * tstr[static_cast<std::size_t>(map.dim[o])];
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<box> flat_range_boxes(const shape_t& shape, std::int64_t first, std::int64_t count) {
  std::vector<box> out;
  const std::size_t n = shape.size();
  if (n == 0) {
    if (count > 0) out.push_back(box{});
    return out;
  }
  shape_t strides = c_strides(shape);
  while (count > 0) {
    shape_t c(n);
    std::int64_t rem = first;
    for (std::size_t d = 0; d < n; ++d) {
      c[d] = strides[d] ? rem / strides[d] : 0;
      rem -= c[d] * strides[d];
    }
    // Outermost dim d such that every coordinate after it is 0 and at least one whole block fits.
    std::size_t pick = n - 1;
    std::int64_t m = 0;
    for (std::size_t d = 0; d < n; ++d) {
      bool zeros_after = true;
      for (std::size_t e = d + 1; e < n; ++e) zeros_after &= (c[e] == 0);
      if (!zeros_after) continue;
      std::int64_t take = std::min(shape[d] - c[d], count / strides[d]);
      if (take >= 1) {
        pick = d;
        m = take;
        break;
      }
    }
    box b;
    b.lo = c;
    b.hi.resize(n);
    for (std::size_t d = 0; d < n; ++d) {
      if (d < pick) b.hi[d] = c[d] + 1;
      else if (d == pick) b.hi[d] = c[d] + m;
      else b.hi[d] = shape[d];
    }
    out.push_back(b);
    first += m * strides[pick];
    count -= m * strides[pick];
  }
  return out;
}

std::vector<std::pair<std::int64_t, std::int64_t>> box_runs(const shape_t& shape, const box& b) {
  std::vector<std::pair<std::int64_t, std::int64_t>> runs;
  const std::size_t n = shape.size();
  if (n == 0) {
    runs.emplace_back(0, 1);
    return runs;
  }
  if (b.empty()) return runs;
  // p: first dim such that every dim after it is covered fully.
  std::size_t p = n - 1;
  while (p > 0 && b.lo[p] == 0 && b.hi[p] == shape[p]) --p;
  shape_t strides = c_strides(shape);
  std::int64_t run_len = (b.hi[p] - b.lo[p]) * strides[p];
  // Iterate over the coordinates of dims before p.
  shape_t c(b.lo.begin(), b.lo.begin() + static_cast<std::ptrdiff_t>(p));
  while (true) {
    std::int64_t start = b.lo[p] * strides[p];
    for (std::size_t d = 0; d < p; ++d) start += c[d] * strides[d];
    runs.emplace_back(start, run_len);
    std::size_t d = p;
    while (d > 0) {
      --d;
      if (++c[d] < b.hi[d]) break;
      c[d] = b.lo[d];
      if (d == 0) return runs;
    }
    if (p == 0) return runs;
  }
}

}  // namespace shoal
