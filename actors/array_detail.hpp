#pragma once
/// Helpers shared by the files that implement shoal::array's API.
#include "actors/array.hpp"
#include "actors/client.hpp"

namespace shoal::detail {

/// The node of a valid handle (ValueError for an empty handle).
inline client::node& get(const array& a) {
  if (!a.valid()) throw_error(errc::value_error, "shoal: operation on an empty array handle");
  return *a.node();
}

/// A handle that sees n's storage through another view.
inline array view_of(const client::node& n, view_map m) {
  auto v = std::make_shared<client::node>();
  v->shape = m.shape;
  v->type = n.type;
  v->conn = n.conn;
  v->store = n.store;
  v->map = std::move(m);
  return array(std::move(v));
}

/// e converted to t (constants are folded).
client::expr_ptr cast_to(const client::expr_ptr& e, dtype t);
/// A 0-d constant expression.
client::expr_ptr constant(scalar v, dtype t);

}  // namespace shoal::detail
