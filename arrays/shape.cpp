/// Shape arithmetic and NumPy broadcasting.
#include "arrays/shape.hpp"

#include <algorithm>

#include "arrays/errors.hpp"

namespace shoal {

std::int64_t numel(const shape_t& s) {
  std::int64_t n = 1;
  for (auto e : s) n *= e;
  return n;
}

shape_t c_strides(const shape_t& s) {
  shape_t st(s.size());
  std::int64_t acc = 1;
  for (std::size_t d = s.size(); d-- > 0;) {
    st[d] = acc;
    acc *= s[d];
  }
  return st;
}

std::string shape_str(const shape_t& s) {
  std::string r = "(";
  for (std::size_t d = 0; d < s.size(); ++d) {
    if (d) r += ", ";
    r += std::to_string(s[d]);
  }
  if (s.size() == 1) r += ",";
  return r + ")";
}

shape_t broadcast_shapes(const shape_t& a, const shape_t& b) {
  const std::size_t n = std::max(a.size(), b.size());
  shape_t r(n);
  for (std::size_t i = 0; i < n; ++i) {
    // align from the right
    std::int64_t ea = i < n - a.size() ? 1 : a[i - (n - a.size())];
    std::int64_t eb = i < n - b.size() ? 1 : b[i - (n - b.size())];
    if (ea == eb || eb == 1) {
      r[i] = ea;
    } else if (ea == 1) {
      r[i] = eb;
    } else {
      // NumPy 2 wording, trailing space included
      throw_error(errc::value_error, "operands could not be broadcast together with shapes " +
                                         shape_str(a) + " " + shape_str(b) + " ");
    }
  }
  return r;
}

shape_t broadcast_strides(const shape_t& from, const shape_t& to) {
  shape_t st(to.size(), 0);
  const shape_t cs = c_strides(from);
  const std::size_t off = to.size() - from.size();
  for (std::size_t d = 0; d < from.size(); ++d)
    st[off + d] = (from[d] == 1 && to[off + d] != 1) ? 0 : cs[d];
  return st;
}

shape_t box::extent() const {
  shape_t e(lo.size());
  for (std::size_t d = 0; d < lo.size(); ++d) e[d] = std::max<std::int64_t>(0, hi[d] - lo[d]);
  return e;
}

bool box::empty() const {
  for (std::size_t d = 0; d < lo.size(); ++d)
    if (hi[d] <= lo[d]) return true;
  return false;
}

box full_box(const shape_t& s) { return box{shape_t(s.size(), 0), s}; }

box intersect(const box& a, const box& b) {
  box r{shape_t(a.ndim()), shape_t(a.ndim())};
  for (std::size_t d = 0; d < a.ndim(); ++d) {
    r.lo[d] = std::max(a.lo[d], b.lo[d]);
    r.hi[d] = std::min(a.hi[d], b.hi[d]);
  }
  return r;
}

}  // namespace shoal
