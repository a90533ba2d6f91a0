/// Array creation: constant fills, ranges, identity, host data and counter-based random draws.
/// Every creation is an op the actors compute tile by tile from the global index alone.
#include <cmath>
#include <cstring>

#include "actors/array.hpp"
#include "actors/array_detail.hpp"

namespace shoal {

using namespace client;

namespace {

void check_shape(const shape_t& s) {
  for (auto d : s)
    if (d < 0) throw_error(errc::value_error, "negative dimensions are not allowed");
}

array submit_fill(const shape_t& shape, dtype t, fill_kind k, const fill_params& p) {
  check_shape(shape);
  auto c = current();
  op o;
  o.kind = op_kind::fill;
  o.fill_k = k;
  o.fill_p = p;
  return make_array(c, submit_new(c, std::move(o), shape, t), shape, t);
}

dtype natural_dtype(const scalar& v) {
  if (std::holds_alternative<bool>(v)) return dtype::bool_;
  if (std::holds_alternative<std::int64_t>(v)) return dtype::int64;
  return dtype::float64;
}

double as_double(const scalar& v) {
  return std::visit([](auto x) { return static_cast<double>(x); }, v);
}

std::int64_t as_int(const scalar& v) {
  return std::visit(
      [](auto x) -> std::int64_t {
        if constexpr (std::is_same_v<decltype(x), double>) return std::isfinite(x) ? static_cast<std::int64_t>(x) : 0;
        else return static_cast<std::int64_t>(x);
      },
      v);
}

array submit_random(const shape_t& shape, dtype t, random_kind k, const random_params& p, std::uint64_t seed,
                    std::uint64_t stream) {
  check_shape(shape);
  auto c = current();
  op o;
  o.kind = op_kind::random;
  o.rand_k = k;
  o.rand_p = p;
  o.seed = seed;
  o.stream = stream;
  return make_array(c, submit_new(c, std::move(o), shape, t), shape, t);
}

}  // namespace

array full(const shape_t& shape, scalar value, std::optional<dtype> t) {
  dtype dt = t.value_or(natural_dtype(value));
  fill_params p;
  p.fa = as_double(value);
  p.ia = as_int(value);
  if (dt == dtype::bool_) p.ia = p.fa != 0.0;
  return submit_fill(shape, dt, fill_kind::full, p);
}

array zeros(const shape_t& shape, dtype t) { return full(shape, std::int64_t{0}, t); }
array ones(const shape_t& shape, dtype t) { return full(shape, std::int64_t{1}, t); }
/// Uninitialized memory is a hazard across actors; empty() gives zeros, as NumPy allows.
array empty(const shape_t& shape, dtype t) { return zeros(shape, t); }

array arange(scalar start, scalar stop, scalar step, std::optional<dtype> t) {
  bool any_float = std::holds_alternative<double>(start) || std::holds_alternative<double>(stop) ||
                   std::holds_alternative<double>(step);
  dtype dt = t.value_or(any_float ? dtype::float64 : dtype::int64);
  double a = as_double(start), b = as_double(stop), s = as_double(step);
  if (s == 0.0) throw_error(errc::zero_division, "division by zero");
  std::int64_t n;
  if (any_float) {
    double len = std::ceil((b - a) / s);
    if (!std::isfinite(len)) throw_error(errc::value_error, "arange: cannot compute length");
    n = len > 0 ? static_cast<std::int64_t>(len) : 0;
  } else {
    std::int64_t ia = as_int(start), ib = as_int(stop), is = as_int(step);
    std::int64_t span = ib - ia;
    n = is > 0 ? (span > 0 ? (span + is - 1) / is : 0) : (span < 0 ? (-span + (-is) - 1) / (-is) : 0);
  }
  fill_params p;
  p.fa = a;
  p.fb = s;
  p.ia = as_int(start);
  p.ib = as_int(step);
  if (is_float(dt) && !any_float) {
    p.fa = static_cast<double>(p.ia);
    p.fb = static_cast<double>(p.ib);
  }
  return submit_fill({n}, dt, fill_kind::arange, p);
}

array linspace(double start, double stop, std::int64_t num, bool endpoint, dtype t) {
  if (num < 0)
    throw_error(errc::value_error, "Number of samples, " + std::to_string(num) + ", must be non-negative.");
  fill_params p;
  p.fa = start;
  p.fb = stop;
  p.count = num;
  p.endpoint = endpoint;
  return submit_fill({num}, t, fill_kind::linspace, p);
}

array eye(std::int64_t n, std::optional<std::int64_t> m, std::int64_t k, dtype t) {
  fill_params p;
  p.k = k;
  return submit_fill({n, m.value_or(n)}, t, fill_kind::eye, p);
}

array from_host(const void* data, const shape_t& shape, dtype t) {
  check_shape(shape);
  auto c = current();
  std::size_t bytes = static_cast<std::size_t>(numel(shape)) * itemsize(t);
  auto buf = make_buffer(bytes);
  if (bytes) std::memcpy(buf->data(), data, bytes);
  op o;
  o.kind = op_kind::from_host;
  o.host = std::move(buf);
  return make_array(c, submit_new(c, std::move(o), shape, t), shape, t);
}

array generator::random(const shape_t& shape, dtype t) { return uniform(0.0, 1.0, shape, t); }

array generator::uniform(double low, double high, const shape_t& shape, dtype t) {
  if (!is_float(t))
    throw_error(errc::type_error, std::string("Unsupported dtype dtype('") + dtype_name(t) + "') for random");
  random_params p;
  p.lo = low;
  p.hi = high;
  return submit_random(shape, t, random_kind::uniform, p, seed_, stream_++);
}

array generator::standard_normal(const shape_t& shape, dtype t) {
  if (!is_float(t))
    throw_error(errc::type_error,
                std::string("Unsupported dtype dtype('") + dtype_name(t) + "') for standard_normal");
  return submit_random(shape, t, random_kind::standard_normal, {}, seed_, stream_++);
}

array generator::integers(std::int64_t low, std::int64_t high, const shape_t& shape, dtype t) {
  if (!is_integer(t))
    throw_error(errc::type_error, std::string("Unsupported dtype dtype('") + dtype_name(t) + "') for integers");
  if (high <= low) throw_error(errc::value_error, "high <= low");
  if (t == dtype::int32 && (low < INT32_MIN || high - 1 > INT32_MAX))
    throw_error(errc::value_error, "low is out of bounds for int32");
  random_params p;
  p.ilo = low;
  p.ihi = high;
  return submit_random(shape, t, random_kind::integers, p, seed_, stream_++);
}

}  // namespace shoal
