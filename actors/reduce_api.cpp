/// Reductions, matrix products and concatenation: the ops that are not elementwise.
#include <algorithm>

#include "actors/array.hpp"
#include "actors/array_detail.hpp"

namespace shoal {

using namespace client;

namespace {

const char* reduce_name(reduce_kind k) {
  switch (k) {
    case reduce_kind::sum: return "add";
    case reduce_kind::prod: return "multiply";
    case reduce_kind::min: return "minimum";
    case reduce_kind::max: return "maximum";
    case reduce_kind::any: return "logical_or";
    case reduce_kind::all: return "logical_and";
    case reduce_kind::argmin: return "argmin";
    case reduce_kind::argmax: return "argmax";
  }
  return "?";
}

/// Axis mask with NumPy's checks.
std::vector<bool> axis_mask(const std::optional<std::vector<std::int64_t>>& axes, std::size_t n) {
  std::vector<bool> mask(n, !axes.has_value());
  if (!axes) return mask;
  for (auto a : *axes) {
    std::int64_t nd = static_cast<std::int64_t>(n);
    if (a < -nd || a >= nd)
      throw_error(errc::axis_error,
                  "axis " + std::to_string(a) + " is out of bounds for array of dimension " + std::to_string(n));
    if (a < 0) a += nd;
    if (mask[static_cast<std::size_t>(a)]) throw_error(errc::value_error, "duplicate value in 'axis'");
    mask[static_cast<std::size_t>(a)] = true;
  }
  return mask;
}

}  // namespace

array reduce(reduce_kind k, const array& a, std::optional<std::vector<std::int64_t>> axes, bool keepdims) {
  node& n = detail::get(a);
  const bool arg = k == reduce_kind::argmin || k == reduce_kind::argmax;
  if (arg && axes && axes->size() > 1)
    throw_error(errc::type_error, "'tuple' object cannot be interpreted as an integer");
  std::vector<bool> mask = axis_mask(axes, n.shape.size());
  shape_t out;
  std::int64_t reduced = 1;
  for (std::size_t d = 0; d < n.shape.size(); ++d) {
    if (mask[d]) {
      reduced *= n.shape[d];
      if (keepdims) out.push_back(1);
    } else {
      out.push_back(n.shape[d]);
    }
  }
  dtype rt = reduce_result(k, n.type);
  if (numel(n.shape) == 0) {
    if (reduced == 0 && numel(out) > 0) {
      switch (k) {
        case reduce_kind::sum: return zeros(out, rt);
        case reduce_kind::prod: return ones(out, rt);
        case reduce_kind::any: return zeros(out, rt);
        case reduce_kind::all: return ones(out, rt);
        case reduce_kind::argmin:
        case reduce_kind::argmax:
          throw_error(errc::value_error, std::string("attempt to get ") + reduce_name(k) + " of an empty sequence");
        default:
          throw_error(errc::value_error, std::string("zero-size array to reduction operation ") + reduce_name(k) +
                                             " which has no identity");
      }
    }
    if (reduced == 0 && (k == reduce_kind::min || k == reduce_kind::max))
      throw_error(errc::value_error,
                  std::string("zero-size array to reduction operation ") + reduce_name(k) + " which has no identity");
    if (reduced == 0 && arg)
      throw_error(errc::value_error, std::string("attempt to get ") + reduce_name(k) + " of an empty sequence");
    return zeros(out, rt);  // an empty result
  }
  held_operand h = as_plain(n);
  op o;
  o.kind = op_kind::reduce;
  o.ins = {h.x};
  o.red_k = k;
  o.axes = mask;
  o.keepdims = keepdims;
  return make_array(n.conn, submit_new(n.conn, std::move(o), out, rt), out, rt);
}

array mean(const array& a, std::optional<std::vector<std::int64_t>> axes, bool keepdims) {
  node& n = detail::get(a);
  std::vector<bool> mask = axis_mask(axes, n.shape.size());
  std::int64_t count = 1;
  for (std::size_t d = 0; d < n.shape.size(); ++d)
    if (mask[d]) count *= n.shape[d];
  dtype f = is_float(n.type) ? n.type : dtype::float64;
  array s = reduce(reduce_kind::sum, a.astype(f), axes, keepdims);
  return binary(binary_op::divide, s, scalar{static_cast<double>(count)});
}

array matmul(const array& a, const array& b) {
  node& x = detail::get(a);
  node& y = detail::get(b);
  for (int i = 0; i < 2; ++i) {
    std::size_t nd = (i == 0 ? x : y).shape.size();
    if (nd == 0)
      throw_error(errc::value_error, "matmul: Input operand " + std::to_string(i) +
                                         " does not have enough dimensions (has 0, gufunc core with signature "
                                         "(n?,k),(k,m?)->(n?,m?) requires 1)");
    if (nd > 2)
      throw_error(errc::value_error, "shoal: matmul supports 1-d and 2-d operands (operand " + std::to_string(i) +
                                         " has " + std::to_string(nd) + " dimensions)");
  }
  const bool a1 = x.shape.size() == 1, b1 = y.shape.size() == 1;
  std::int64_t ka = x.shape.back();
  std::int64_t kb = b1 ? y.shape[0] : y.shape[0];
  if (ka != kb)
    throw_error(errc::value_error,
                "matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature "
                "(n?,k),(k,m?)->(n?,m?) (size " + std::to_string(kb) + " is different from " + std::to_string(ka) + ")");
  dtype t = promote(x.type, y.type);
  array A = a.type() == t ? a : a.astype(t);
  array B = b.type() == t ? b : b.astype(t);
  if (a1) A = A[{index_item::new_axis(), index_item::all()}];
  if (b1) B = B[{index_item::all(), index_item::new_axis()}];
  held_operand pa = as_plain(detail::get(A));
  held_operand pb = as_plain(detail::get(B));
  std::int64_t m = pa.x.map.shape[0], n = pb.x.map.shape[1];
  op o;
  o.kind = op_kind::matmul;
  o.ins = {pa.x, pb.x};
  array c = make_array(x.conn, submit_new(x.conn, std::move(o), {m, n}, t), {m, n}, t);
  if (a1 && b1) return c[{index_item::at(0), index_item::at(0)}];
  if (a1) return c[{index_item::at(0)}];
  if (b1) return c[{index_item::all(), index_item::at(0)}];
  return c;
}

array dot(const array& a, const array& b) {
  if (a.ndim() == 0 || b.ndim() == 0) return binary(binary_op::multiply, a, b);
  if (a.ndim() > 2 || b.ndim() > 2)
    throw_error(errc::value_error, "shoal: dot supports operands of at most 2 dimensions");
  if (b.ndim() == 2 && a.shape().back() != b.shape()[0])
    throw_error(errc::value_error, "shapes " + shape_str(a.shape()) + " and " + shape_str(b.shape()) +
                                       " not aligned: " + std::to_string(a.shape().back()) + " (dim " +
                                       std::to_string(a.ndim() - 1) + ") != " + std::to_string(b.shape()[0]) +
                                       " (dim 0)");
  if (b.ndim() == 1 && a.shape().back() != b.shape()[0])
    throw_error(errc::value_error, "shapes " + shape_str(a.shape()) + " and " + shape_str(b.shape()) +
                                       " not aligned: " + std::to_string(a.shape().back()) + " (dim " +
                                       std::to_string(a.ndim() - 1) + ") != " + std::to_string(b.shape()[0]) +
                                       " (dim 0)");
  return matmul(a, b);
}

array concatenate(const std::vector<array>& arrays, std::int64_t axis) {
  if (arrays.empty()) throw_error(errc::value_error, "need at least one array to concatenate");
  const std::size_t nd = detail::get(arrays[0]).shape.size();
  if (nd == 0) throw_error(errc::value_error, "zero-dimensional arrays cannot be concatenated");
  std::int64_t ax = axis;
  if (ax < -static_cast<std::int64_t>(nd) || ax >= static_cast<std::int64_t>(nd))
    throw_error(errc::axis_error,
                "axis " + std::to_string(axis) + " is out of bounds for array of dimension " + std::to_string(nd));
  if (ax < 0) ax += static_cast<std::int64_t>(nd);
  auto a = static_cast<std::size_t>(ax);
  dtype t = arrays[0].type();
  shape_t out = arrays[0].shape();
  out[a] = 0;
  for (std::size_t i = 0; i < arrays.size(); ++i) {
    const shape_t& s = detail::get(arrays[i]).shape;
    if (s.size() != nd)
      throw_error(errc::value_error,
                  "all the input arrays must have same number of dimensions, but the array at index 0 has " +
                      std::to_string(nd) + " dimension(s) and the array at index " + std::to_string(i) + " has " +
                      std::to_string(s.size()) + " dimension(s)");
    for (std::size_t d = 0; d < nd; ++d)
      if (d != a && s[d] != arrays[0].shape()[d])
        throw_error(errc::value_error,
                    "all the input array dimensions except for the concatenation axis must match exactly, but "
                    "along dimension " + std::to_string(d) + ", the array at index 0 has size " +
                        std::to_string(arrays[0].shape()[d]) + " and the array at index " + std::to_string(i) +
                        " has size " + std::to_string(s[d]));
    out[a] += s[a];
    t = promote(t, arrays[i].type());
  }
  auto conn = detail::get(arrays[0]).conn;
  op o;
  o.kind = op_kind::assemble;
  std::vector<array> keep;
  std::int64_t offset = 0;
  for (auto& x : arrays) {
    array c = x.type() == t ? x : x.astype(t);
    keep.push_back(c);
    o.ins.push_back(as_operand(detail::get(c)));
    shape_t pl(nd, 0);
    pl[a] = offset;
    offset += x.shape()[a];
    o.placement.push_back(pl);
  }
  return make_array(conn, submit_new(conn, std::move(o), out, t), out, t);
}

}  // namespace shoal
