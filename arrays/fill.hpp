#pragma once
/// Creation kernels: each computes one tile of a global array from its index alone, so any
/// tile can be (re)computed on any actor (lineage recovery depends on this).
#include <cstdint>

#include "arrays/dtype.hpp"
#include "arrays/shape.hpp"

namespace shoal {

enum class fill_kind : std::uint8_t {
  full,      ///< every element = value (a)
  arange,    ///< element at flat index i = a + i * b (ints computed exactly in int64)
  linspace,  ///< flat index i of n = count: a + i * (b - a) / div, div = endpoint ? n-1 : n;
             ///< the last element is exactly b when endpoint (NumPy's rule); int dtypes floor
  eye,       ///< 2-d: 1 where col - row == k, else 0
};

/// Parameters; ints/bool use the `i` fields, floats the `f` fields, except linspace, which
/// always reads fa/fb (start/stop; it computes in float64 and floors for int dtypes, as NumPy).
/// arange for floats reproduces NumPy bit for bit: element i >= 2 is
/// start + i * ((start + step) - start) in the dtype's precision.
struct fill_params {
  double fa = 0, fb = 0;
  std::int64_t ia = 0, ib = 0;
  std::int64_t count = 0;  ///< linspace: num
  bool endpoint = true;    ///< linspace
  std::int64_t k = 0;      ///< eye: diagonal offset
};

/// Writes the elements of `tile` (a box of the global array `global_shape`) densely in C
/// order into `out`.
void fill_tile(fill_kind kind, dtype t, const fill_params& p, const shape_t& global_shape,
               const box& tile, void* out);

}  // namespace shoal
