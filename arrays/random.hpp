#pragma once
/// Counter-based random numbers (Philox4x32-10): element i of draw `stream` under `seed` is a
/// pure function of (seed, stream, i), so values do not depend on tiling or on which actor
/// (CPU or GPU) computes them.
#include <array>
#include <cstdint>

#include "arrays/dtype.hpp"
#include "arrays/shape.hpp"

namespace shoal {

/// Philox4x32-10 on a 128-bit counter with a 64-bit key.
std::array<std::uint32_t, 4> philox4x32(std::array<std::uint32_t, 4> counter,
                                        std::array<std::uint32_t, 2> key);

enum class random_kind : std::uint8_t {
  uniform,          ///< floats in [lo, hi): lo + (hi - lo) * u, u with 53 (f64) / 24 (f32) bits
  standard_normal,  ///< Box-Muller from two uniforms of the element's counter, scaled as
                    ///< lo + hi * z (defaults 0, 1: standard; else numpy.random.normal)
  integers,         ///< ints in [ilo, ihi) (ihi > ilo), bias below 2^-32
};

struct random_params {
  double lo = 0, hi = 1;
  std::int64_t ilo = 0, ihi = 0;
};

/// Writes the elements of `tile` of a global array `global_shape` densely into `out`.
/// Counter = (flat global index (64 bits), stream (64 bits)); key = seed. uniform and
/// standard_normal need a float dtype (type_error otherwise); integers need ihi > ilo
/// (value_error "high <= low", NumPy's wording) and cast into any dtype.
void fill_random(random_kind kind, dtype t, const random_params& p, std::uint64_t seed,
                 std::uint64_t stream, const shape_t& global_shape, const box& tile, void* out);

}  // namespace shoal
