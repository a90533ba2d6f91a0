// A kernel library for the tests (tests/python/test_kernels.py): built from shoal's headers
// alone, loaded with shoal.load_library, which calls SHOAL_KERNEL_LIBRARY below.
//   test.axpy     out = params[0] * x + y        (float64 inputs, same tiling)
//   test.box_sum  out = sum of x over the 3^n box around each element, clipped at the border
//                 (halo 1; any dtype, any ndim)
//   test.plus_sum out = x + sum(w)               (w broadcast whole)
#include <cstdint>
#include <vector>

#include "arrays/custom_kernel.hpp"

namespace {

using shoal::const_tile_view;
using shoal::dtype;
using shoal::kernel_args;
using i64 = std::int64_t;

/// Calls f(index) for every multi-index of `shape`, in C order.
template <class F> void for_each_index(const shoal::shape_t& shape, F&& f) {
  for (auto d : shape)
    if (d == 0) return;
  shoal::shape_t i(shape.size(), 0);
  while (true) {
    f(i);
    std::size_t d = shape.size();
    while (d > 0) {
      --d;
      if (++i[d] < shape[d]) break;
      i[d] = 0;
      if (d == 0) return;
    }
    if (shape.empty()) return;
  }
}

i64 offset(const const_tile_view& v, const shoal::shape_t& i) {
  i64 o = 0;
  for (std::size_t d = 0; d < i.size(); ++d) o += i[d] * v.strides[d];
  return o;
}

template <class T> void box_sum(const kernel_args& a) {
  const auto& x = a.ins[0];
  T* out = a.out.as<T>();
  i64 flat = 0;
  for_each_index(a.out.shape, [&](const shoal::shape_t& i) {
    // the neighbourhood in x's box coordinates, clipped to what the box holds
    shoal::shape_t lo(i.size()), ext(i.size());
    for (std::size_t d = 0; d < i.size(); ++d) {
      i64 g = a.out.origin[d] + i[d];
      i64 l = std::max<i64>(g - 1, x.origin[d]), h = std::min<i64>(g + 2, x.origin[d] + x.shape[d]);
      lo[d] = l - x.origin[d];
      ext[d] = h - l;
    }
    T s = 0;
    for_each_index(ext, [&](const shoal::shape_t& j) {
      shoal::shape_t k(j.size());
      for (std::size_t d = 0; d < j.size(); ++d) k[d] = lo[d] + j[d];
      s += x.as<T>()[offset(x, k)];
    });
    out[flat++] = s;
  });
}

}  // namespace

SHOAL_KERNEL_LIBRARY(reg) {
  using shoal::input_align;
  reg.add({"test.axpy",
           {{input_align::same_tiling(), dtype::float64}, {input_align::same_tiling(), dtype::float64}},
           {},
           [](const kernel_args& a) {
             i64 flat = 0;
             for_each_index(a.out.shape, [&](const shoal::shape_t& i) {
               a.out.as<double>()[flat++] = a.params.at(0) * a.ins[0].as<double>()[offset(a.ins[0], i)] +
                                            a.ins[1].as<double>()[offset(a.ins[1], i)];
             });
           },
           {}});
  reg.add({"test.box_sum", {{input_align::halo_of(1), {}}}, {}, [](const kernel_args& a) {
             switch (a.out.type) {
               case dtype::int32: return box_sum<std::int32_t>(a);
               case dtype::int64: return box_sum<std::int64_t>(a);
               case dtype::float32: return box_sum<float>(a);
               case dtype::float64: return box_sum<double>(a);
               case dtype::bool_: throw shoal::error(shoal::errc::type_error, "test.box_sum: bool is not supported");
             }
           }, {}});
  reg.add({"test.plus_sum", {{input_align::same_tiling(), dtype::float64}, {input_align::whole(), dtype::float64}},
           {},
           [](const kernel_args& a) {
             double s = 0;
             const auto& w = a.ins[1];
             for_each_index(w.shape, [&](const shoal::shape_t& i) { s += w.as<double>()[offset(w, i)]; });
             i64 flat = 0;
             for_each_index(a.out.shape, [&](const shoal::shape_t& i) {
               a.out.as<double>()[flat++] = a.ins[0].as<double>()[offset(a.ins[0], i)] + s;
             });
           },
           {}});
}
