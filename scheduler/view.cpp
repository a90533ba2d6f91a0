#include "scheduler/view.hpp"

#include <algorithm>
#include <string>

#include "arrays/errors.hpp"

namespace shoal {

view_map view_map::identity(const shape_t& s) {
  view_map v;
  v.base_shape = s;
  v.offset.assign(s.size(), 0);
  v.shape = s;
  v.step.assign(s.size(), 1);
  v.dim.resize(s.size());
  for (std::size_t d = 0; d < s.size(); ++d) v.dim[d] = static_cast<int>(d);
  return v;
}

bool view_map::is_identity() const {
  if (shape != base_shape) return false;
  for (std::size_t d = 0; d < shape.size(); ++d)
    if (offset[d] != 0 || dim[d] != static_cast<int>(d) || step[d] != 1) return false;
  return true;
}

shape_t view_map::apply(const shape_t& i) const {
  shape_t j = offset;
  for (std::size_t o = 0; o < shape.size(); ++o)
    if (dim[o] >= 0) j[static_cast<std::size_t>(dim[o])] += step[o] * i[o];
  return j;
}

slice_range normalize_slice(std::optional<std::int64_t> start, std::optional<std::int64_t> stop,
                            std::optional<std::int64_t> step, std::int64_t n) {
  std::int64_t st = step.value_or(1);
  if (st == 0) throw_error(errc::value_error, "slice step cannot be zero");
  std::int64_t lo, hi;
  if (st > 0) {
    lo = start ? *start : 0;
    hi = stop ? *stop : n;
    if (lo < 0) lo = std::max<std::int64_t>(lo + n, 0);
    if (hi < 0) hi = std::max<std::int64_t>(hi + n, 0);
    lo = std::min(lo, n);
    hi = std::min(hi, n);
  } else {
    lo = start ? *start : n - 1;
    hi = stop ? *stop : -1;
    if (start && lo < 0) lo = std::max<std::int64_t>(lo + n, -1);
    if (stop && hi < 0) hi = std::max<std::int64_t>(hi + n, -1);
    lo = std::min(lo, n - 1);
    hi = std::min(hi, n - 1);
  }
  std::int64_t len = 0;
  if (st > 0 && hi > lo) len = (hi - lo + st - 1) / st;
  if (st < 0 && lo > hi) len = (lo - hi + (-st) - 1) / (-st);
  return {lo, hi, st, len};
}

view_map index_view(const view_map& v, const std::vector<index_spec>& idx) {
  std::size_t consumed = 0, ellipses = 0;
  for (const auto& it : idx) {
    if (it.kind == index_spec::integer || it.kind == index_spec::slice) ++consumed;
    if (it.kind == index_spec::ellipsis) ++ellipses;
  }
  if (ellipses > 1) throw_error(errc::index_error, "an index can only have a single ellipsis ('...')");
  if (consumed > v.shape.size())
    throw_error(errc::index_error, "too many indices for array: array is " +
                                       std::to_string(v.shape.size()) + "-dimensional, but " +
                                       std::to_string(consumed) + " were indexed");
  view_map out;
  out.base_shape = v.base_shape;
  out.offset = v.offset;
  std::size_t o = 0;  // next dim of v
  auto keep = [&](std::size_t src) {
    out.shape.push_back(v.shape[src]);
    out.dim.push_back(v.dim[src]);
    out.step.push_back(v.step[src]);
  };
  for (const auto& it : idx) {
    switch (it.kind) {
      case index_spec::newaxis:
        out.shape.push_back(1);
        out.dim.push_back(-1);
        out.step.push_back(0);
        break;
      case index_spec::ellipsis: {
        std::size_t n = v.shape.size() - consumed;
        for (std::size_t k = 0; k < n; ++k) keep(o++);
        break;
      }
      case index_spec::integer: {
        std::int64_t n = v.shape[o], i = it.i;
        if (i < -n || i >= n)
          throw_error(errc::index_error, "index " + std::to_string(it.i) +
                                             " is out of bounds for axis " + std::to_string(o) +
                                             " with size " + std::to_string(n));
        if (i < 0) i += n;
        if (v.dim[o] >= 0) out.offset[static_cast<std::size_t>(v.dim[o])] += v.step[o] * i;
        ++o;
        break;
      }
      case index_spec::slice: {
        slice_range r = normalize_slice(it.start, it.stop, it.step, v.shape[o]);
        if (v.dim[o] >= 0 && r.length > 0)
          out.offset[static_cast<std::size_t>(v.dim[o])] += v.step[o] * r.start;
        out.shape.push_back(r.length);
        out.dim.push_back(v.dim[o]);
        out.step.push_back(v.step[o] * r.step);
        ++o;
        break;
      }
    }
  }
  while (o < v.shape.size()) keep(o++);
  return out;
}

view_map transpose_view(const view_map& v, const std::vector<std::int64_t>& axes) {
  std::size_t n = v.shape.size();
  std::vector<std::int64_t> perm(axes);
  if (perm.empty())
    for (std::size_t d = 0; d < n; ++d) perm.push_back(static_cast<std::int64_t>(n - 1 - d));
  if (perm.size() != n) throw_error(errc::value_error, "axes don't match array");
  std::vector<bool> seen(n, false);
  for (auto& a : perm) {
    if (a < -static_cast<std::int64_t>(n) || a >= static_cast<std::int64_t>(n))
      throw_error(errc::axis_error, "axis " + std::to_string(a) +
                                        " is out of bounds for array of dimension " +
                                        std::to_string(n));
    if (a < 0) a += static_cast<std::int64_t>(n);
    if (seen[static_cast<std::size_t>(a)]) throw_error(errc::value_error, "repeated axis in transpose");
    seen[static_cast<std::size_t>(a)] = true;
  }
  view_map out = v;
  for (std::size_t d = 0; d < n; ++d) {
    auto s = static_cast<std::size_t>(perm[d]);
    out.shape[d] = v.shape[s];
    out.dim[d] = v.dim[s];
    out.step[d] = v.step[s];
  }
  return out;
}

view_map broadcast_view(const view_map& v, const shape_t& to) {
  view_map out;
  out.base_shape = v.base_shape;
  out.offset = v.offset;
  std::size_t lead = to.size() - v.shape.size();
  for (std::size_t o = 0; o < to.size(); ++o) {
    if (o < lead) {
      out.shape.push_back(to[o]);
      out.dim.push_back(-1);
      out.step.push_back(0);
      continue;
    }
    std::size_t s = o - lead;
    out.shape.push_back(to[o]);
    out.dim.push_back(v.dim[s]);
    out.step.push_back(v.shape[s] == to[o] ? v.step[s] : 0);
  }
  return out;
}

}  // namespace shoal
