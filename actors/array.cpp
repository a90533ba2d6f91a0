/// shoal::array methods: metadata, reading, views and writes.
#include "actors/array.hpp"

#include <algorithm>
#include <cstring>
#include <thread>

#include "actors/array_detail.hpp"
#include "arrays/strided_copy.hpp"
#include "arrays/thread_pool.hpp"

namespace shoal {

using namespace client;

const shape_t& array::shape() const { return detail::get(*this).shape; }
dtype array::type() const { return detail::get(*this).type; }
std::uint64_t array::id() const { return as_operand(detail::get(*this)).id; }

void array::read(void* out) const {
  client::node& n = detail::get(*this);
  held_operand h = as_plain(n);
  fetch_result r = n.conn->fetch(h.x.id, true);
  const std::size_t isz = itemsize(n.type);
  shape_t gs = c_strides(n.shape);
  auto copy_tile = [&](std::int64_t t) {
    box b = r.til.tile_box(t);
    std::int64_t off = 0;
    for (std::size_t d = 0; d < b.ndim(); ++d) off += b.lo[d] * gs[d];
    shape_t ts = c_strides(b.extent());
    copy_strided(static_cast<std::byte*>(out) + off * static_cast<std::int64_t>(isz), gs.data(),
                 r.tiles[static_cast<std::size_t>(t)]->data(), ts.data(), b.extent(), isz);
  };
  const auto tiles = static_cast<std::int64_t>(r.tiles.size());
  if (tiles > 1 && size() * static_cast<std::int64_t>(isz) >= (std::int64_t{1} << 22)) {
    // Large reads copy their tiles on all cores: one thread moves only a few GB/s.
    static thread_pool pool(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
    pool.parallel_for(tiles, copy_tile);
  } else {
    for (std::int64_t t = 0; t < tiles; ++t) copy_tile(t);
  }
}

scalar array::item() const {
  if (size() != 1) throw_error(errc::value_error, "can only convert an array of size 1 to a Python scalar");
  alignas(8) std::byte raw[8] = {};
  read(raw);
  switch (type()) {
    case dtype::bool_: return scalar{raw[0] != std::byte{0}};
    case dtype::int32: { std::int32_t v; std::memcpy(&v, raw, 4); return scalar{std::int64_t{v}}; }
    case dtype::int64: { std::int64_t v; std::memcpy(&v, raw, 8); return scalar{v}; }
    case dtype::float32: { float v; std::memcpy(&v, raw, 4); return scalar{double{v}}; }
    case dtype::float64: break;
  }
  double v;
  std::memcpy(&v, raw, 8);
  return scalar{v};
}

void array::wait() const {
  client::node& n = detail::get(*this);
  operand x = as_operand(n);
  n.conn->fetch(x.id, false);
}

array array::operator[](const index_expr& idx) const {
  client::node& n = detail::get(*this);
  materialize(n);
  std::vector<index_spec> spec;
  spec.reserve(idx.size());
  for (auto& it : idx)
    spec.push_back({static_cast<index_spec::kind_t>(it.kind), it.i, it.start, it.stop, it.step});
  return detail::view_of(n, index_view(n.map, spec));
}

array array::transpose(std::vector<std::int64_t> axes) const {
  client::node& n = detail::get(*this);
  materialize(n);
  return detail::view_of(n, transpose_view(n.map, axes));
}

array array::reshape(shape_t s) const {
  client::node& n = detail::get(*this);
  std::int64_t known = 1;
  int unknown = -1;
  for (std::size_t d = 0; d < s.size(); ++d) {
    if (s[d] == -1) {
      if (unknown >= 0) throw_error(errc::value_error, "can only specify one unknown dimension");
      unknown = static_cast<int>(d);
    } else if (s[d] < 0) {
      throw_error(errc::value_error, "negative dimensions not allowed");
    } else {
      known *= s[d];
    }
  }
  const std::int64_t total = numel(n.shape);
  if (unknown >= 0) {
    if (known == 0 || total % known != 0)
      throw_error(errc::value_error, "cannot reshape array of size " + std::to_string(total) +
                                         " into shape " + shape_str(s));
    s[static_cast<std::size_t>(unknown)] = total / known;
  } else if (known != total) {
    throw_error(errc::value_error, "cannot reshape array of size " + std::to_string(total) +
                                       " into shape " + shape_str(s));
  }
  if (s == n.shape) {
    materialize(n);
    return detail::view_of(n, n.map);
  }
  operand x = as_operand(n);
  op o;
  o.kind = op_kind::reshape;
  o.ins = {x};
  return make_array(n.conn, submit_new(n.conn, std::move(o), s, n.type), s, n.type);
}

array array::ravel() const { return reshape({-1}); }

array array::copy() const {
  client::node& n = detail::get(*this);
  materialize(n);
  if (n.map.is_identity()) {
    // Versions are immutable: the copy shares the data until either side is written.
    auto c = std::make_shared<client::node>();
    c->shape = n.shape;
    c->type = n.type;
    c->conn = n.conn;
    c->store = std::make_shared<storage>(storage{n.store->current, n.shape, n.type});
    c->map = n.map;
    return array(std::move(c));
  }
  held_operand h = as_plain(n);
  auto c = std::make_shared<client::node>();
  c->shape = n.shape;
  c->type = n.type;
  c->conn = n.conn;
  c->store = std::make_shared<storage>(storage{h.hold, n.shape, n.type});
  c->map = view_map::identity(n.shape);
  return array(std::move(c));
}

array array::astype(dtype t) const {
  client::node& n = detail::get(*this);
  if (t == n.type) return copy();
  return from_expr(n.conn, detail::cast_to(as_expr(n), t));
}

void array::assign(const index_expr& idx, const array& value) {
  client::node& n = detail::get(*this);
  materialize(n);
  std::vector<index_spec> spec;
  for (auto& it : idx)
    spec.push_back({static_cast<index_spec::kind_t>(it.kind), it.i, it.start, it.stop, it.step});
  view_map target = index_view(n.map, spec);
  client::node& v = detail::get(value);
  shape_t b = broadcast_shapes(v.shape, target.shape);
  if (b != target.shape)
    throw_error(errc::value_error, "could not broadcast input array from shape " + shape_str(v.shape) +
                                       " into shape " + shape_str(target.shape));
  if (numel(target.shape) == 0) return;
  storage& st = *n.store;
  array cast = value.type() == st.type ? value : value.astype(st.type);
  client::node& cv = detail::get(cast);
  operand vx = as_operand(cv);
  vx.map = broadcast_view(vx.map, target.shape);
  op o;
  o.kind = op_kind::setitem;
  o.ins = {{st.current->id, view_map::identity(st.shape)}, vx};
  o.target = target;
  o.donated = st.current.use_count() == 1;
  st.current = submit_new(n.conn, std::move(o), st.shape, st.type);
}

void array::assign(const index_expr& idx, scalar value) {
  client::node& n = detail::get(*this);
  assign(idx, full({}, value, n.type));
}

}  // namespace shoal
