/// Elementwise operations: NumPy's type rules and broadcasting, building lazy expressions that
/// the client fuses into one program per materialization.
#include <cmath>

#include "actors/array.hpp"
#include "actors/array_detail.hpp"

namespace shoal {

using namespace client;

namespace detail {

expr_ptr constant(scalar v, dtype t) {
  auto e = std::make_shared<expr>();
  e->op = opcode::constant;
  e->type = t;
  e->src = t;
  std::visit(
      [&](auto x) {
        using X = decltype(x);
        if constexpr (std::is_same_v<X, double>) {
          e->fimm = x;
          // NumPy astype: float -> int truncates; NaN/inf are the caller's business.
          e->iimm = std::isfinite(x) ? static_cast<std::int64_t>(x) : 0;
          if (t == dtype::bool_) e->iimm = x != 0.0;
        } else {
          e->fimm = static_cast<double>(x);
          e->iimm = static_cast<std::int64_t>(x);
        }
      },
      v);
  if (t == dtype::int32) e->iimm = static_cast<std::int32_t>(static_cast<std::uint32_t>(e->iimm));
  if (t == dtype::float32) e->fimm = static_cast<float>(e->fimm);
  return e;
}

expr_ptr cast_to(const expr_ptr& e, dtype t) {
  if (e->type == t) return e;
  if (e->op == opcode::constant) {
    scalar v = is_float(e->type) ? scalar{e->fimm} : scalar{e->iimm};
    auto c = constant(v, t);
    c->shape = e->shape;
    return c;
  }
  auto c = std::make_shared<expr>();
  c->op = opcode::cast;
  c->type = t;
  c->src = e->type;
  c->shape = e->shape;
  c->kids = {e};
  c->weight = e->weight + 1;
  return c;
}

}  // namespace detail

namespace {

expr_ptr make(opcode op, dtype result, dtype compute, shape_t shape, std::vector<expr_ptr> kids) {
  auto e = std::make_shared<expr>();
  e->op = op;
  e->type = result;
  e->src = compute;
  e->shape = std::move(shape);
  e->weight = 1;
  for (auto& k : kids) e->weight += k->weight;
  e->kids = std::move(kids);
  return e;
}

const char* ufunc_name(binary_op op) {
  switch (op) {
    case binary_op::add: return "add";
    case binary_op::subtract: return "subtract";
    case binary_op::multiply: return "multiply";
    case binary_op::divide: return "divide";
    case binary_op::floor_divide: return "floor_divide";
    case binary_op::remainder: return "remainder";
    case binary_op::power: return "power";
    case binary_op::maximum: return "maximum";
    case binary_op::minimum: return "minimum";
    case binary_op::equal: return "equal";
    case binary_op::not_equal: return "not_equal";
    case binary_op::less: return "less";
    case binary_op::less_equal: return "less_equal";
    case binary_op::greater: return "greater";
    case binary_op::greater_equal: return "greater_equal";
    case binary_op::bitwise_and: return "bitwise_and";
    case binary_op::bitwise_or: return "bitwise_or";
    case binary_op::bitwise_xor: return "bitwise_xor";
  }
  return "?";
}

opcode code_of(binary_op op) {
  switch (op) {
    case binary_op::add: return opcode::add;
    case binary_op::subtract: return opcode::sub;
    case binary_op::multiply: return opcode::mul;
    case binary_op::divide: return opcode::div;
    case binary_op::floor_divide: return opcode::floordiv;
    case binary_op::remainder: return opcode::mod;
    case binary_op::power: return opcode::pow;
    case binary_op::maximum: return opcode::maximum;
    case binary_op::minimum: return opcode::minimum;
    case binary_op::equal: return opcode::eq;
    case binary_op::not_equal: return opcode::ne;
    case binary_op::less: return opcode::lt;
    case binary_op::less_equal: return opcode::le;
    case binary_op::greater: return opcode::gt;
    case binary_op::greater_equal: return opcode::ge;
    case binary_op::bitwise_and: return opcode::bit_and;
    case binary_op::bitwise_or: return opcode::bit_or;
    case binary_op::bitwise_xor: return opcode::bit_xor;
  }
  return opcode::add;
}

bool is_comparison(binary_op op) {
  return op == binary_op::equal || op == binary_op::not_equal || op == binary_op::less ||
         op == binary_op::less_equal || op == binary_op::greater || op == binary_op::greater_equal;
}

[[noreturn]] void unsupported(const char* ufunc) {
  throw_error(errc::type_error, std::string("ufunc '") + ufunc +
                                    "' not supported for the input types, and the inputs could not be "
                                    "safely coerced to any supported types according to the casting rule "
                                    "''safe''");
}

/// (compute dtype, result dtype) of a binary op on promoted dtype t, with NumPy's errors.
std::pair<dtype, dtype> binary_types(binary_op op, dtype t) {
  switch (op) {
    case binary_op::subtract:
      if (t == dtype::bool_)
        throw_error(errc::type_error,
                    "numpy boolean subtract, the `-` operator, is not supported, use the bitwise_xor, the "
                    "`^` operator, or the logical_xor function instead.");
      return {t, t};
    case binary_op::divide: {
      dtype f = is_float(t) ? t : dtype::float64;
      return {f, f};
    }
    case binary_op::floor_divide:
    case binary_op::remainder:
    case binary_op::power: {
      // NumPy gives int8 for bool operands; shoal has no int8 and uses int64.
      dtype c = t == dtype::bool_ ? dtype::int64 : t;
      return {c, c};
    }
    case binary_op::bitwise_and:
    case binary_op::bitwise_or:
    case binary_op::bitwise_xor:
      if (is_float(t)) unsupported(ufunc_name(op));
      return {t, t};
    default:
      if (is_comparison(op)) return {t, dtype::bool_};
      return {t, t};
  }
}

array binary_expr(binary_op op, const std::shared_ptr<core>& conn, expr_ptr a, expr_ptr b, dtype t) {
  auto [ct, rt] = binary_types(op, t);
  shape_t s = broadcast_shapes(a->shape, b->shape);
  return from_expr(conn, make(code_of(op), rt, ct, s, {detail::cast_to(a, ct), detail::cast_to(b, ct)}));
}

scalar_kind kind_of(const scalar& s) {
  if (std::holds_alternative<bool>(s)) return scalar_kind::boolean;
  if (std::holds_alternative<std::int64_t>(s)) return scalar_kind::integer;
  return scalar_kind::floating;
}

expr_ptr scalar_expr(const scalar& s, dtype t) { return detail::constant(s, t); }

}  // namespace

array unary(unary_op op, const array& a) {
  node& n = detail::get(a);
  expr_ptr e = as_expr(n);
  dtype t = n.type;
  switch (op) {
    case unary_op::negative:
      if (t == dtype::bool_)
        throw_error(errc::type_error,
                    "The numpy boolean negative, the `-` operator, is not supported, use the `~` operator or "
                    "the logical_not function instead.");
      return from_expr(n.conn, make(opcode::neg, t, t, n.shape, {e}));
    case unary_op::absolute:
      return from_expr(n.conn, make(opcode::abs, t, t, n.shape, {e}));
    case unary_op::invert:
      if (is_float(t)) unsupported("invert");
      return from_expr(n.conn, make(opcode::invert, t, t, n.shape, {e}));
    case unary_op::logical_not:
      return from_expr(n.conn, make(opcode::logical_not, dtype::bool_, t, n.shape, {e}));
    default: break;
  }
  dtype f = float_result(t);
  opcode code = op == unary_op::sqrt  ? opcode::sqrt
                : op == unary_op::exp ? opcode::exp
                : op == unary_op::log ? opcode::log
                : op == unary_op::sin ? opcode::sin
                : op == unary_op::cos ? opcode::cos
                                      : opcode::tanh;
  return from_expr(n.conn, make(code, f, f, n.shape, {detail::cast_to(e, f)}));
}

array binary(binary_op op, const array& a, const array& b) {
  node& x = detail::get(a);
  node& y = detail::get(b);
  return binary_expr(op, x.conn, as_expr(x), as_expr(y), promote(x.type, y.type));
}

array binary(binary_op op, const array& a, scalar b) {
  node& x = detail::get(a);
  dtype t = promote_with_scalar(x.type, kind_of(b));
  return binary_expr(op, x.conn, as_expr(x), scalar_expr(b, t), t);
}

array binary(binary_op op, scalar a, const array& b) {
  node& y = detail::get(b);
  dtype t = promote_with_scalar(y.type, kind_of(a));
  return binary_expr(op, y.conn, scalar_expr(a, t), as_expr(y), t);
}

array where(const array& cond, const array& x, const array& y) {
  node& c = detail::get(cond);
  node& a = detail::get(x);
  node& b = detail::get(y);
  dtype t = promote(a.type, b.type);
  shape_t s = broadcast_shapes(broadcast_shapes(c.shape, a.shape), b.shape);
  return from_expr(c.conn, make(opcode::where, t, t, s,
                                {detail::cast_to(as_expr(c), dtype::bool_), detail::cast_to(as_expr(a), t),
                                 detail::cast_to(as_expr(b), t)}));
}

array operator+(const array& a, const array& b) { return binary(binary_op::add, a, b); }
array operator-(const array& a, const array& b) { return binary(binary_op::subtract, a, b); }
array operator*(const array& a, const array& b) { return binary(binary_op::multiply, a, b); }
array operator/(const array& a, const array& b) { return binary(binary_op::divide, a, b); }
array operator+(const array& a, scalar b) { return binary(binary_op::add, a, b); }
array operator-(const array& a, scalar b) { return binary(binary_op::subtract, a, b); }
array operator*(const array& a, scalar b) { return binary(binary_op::multiply, a, b); }
array operator/(const array& a, scalar b) { return binary(binary_op::divide, a, b); }
array operator+(scalar a, const array& b) { return binary(binary_op::add, a, b); }
array operator-(scalar a, const array& b) { return binary(binary_op::subtract, a, b); }
array operator*(scalar a, const array& b) { return binary(binary_op::multiply, a, b); }
array operator/(scalar a, const array& b) { return binary(binary_op::divide, a, b); }
array operator-(const array& a) { return unary(unary_op::negative, a); }

}  // namespace shoal
