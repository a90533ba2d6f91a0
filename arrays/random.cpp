/// Philox4x32-10 and the random creation kernels.
#include "arrays/random.hpp"

#include <cmath>

#include "arrays/box_muller.hpp"
#include "arrays/elementwise_ops.hpp"
#include "arrays/errors.hpp"
#include "arrays/tile_walk.hpp"

namespace shoal {

namespace {

constexpr std::uint32_t M0 = 0xD2511F53u, M1 = 0xCD9E8D57u;  // Salmon et al. multipliers
constexpr std::uint32_t W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;  // Weyl key increments

inline void mulhilo(std::uint32_t a, std::uint32_t b, std::uint32_t& hi, std::uint32_t& lo) {
  const std::uint64_t p = std::uint64_t(a) * b;
  hi = std::uint32_t(p >> 32);
  lo = std::uint32_t(p);
}

using u64 = std::uint64_t;
using i64 = std::int64_t;

/// 53 random bits -> [0, 1).
inline double u53(std::uint32_t hi, std::uint32_t lo) {
  return double(((u64(hi) << 32) | lo) >> 11) * 0x1.0p-53;
}
/// 24 random bits -> [0, 1) in float.
inline float u24(std::uint32_t x) { return float(x >> 8) * 0x1.0p-24f; }

/// floor(r * X / 2^128) for a 128-bit uniform X: uniform in [0, r), bias < 2^-64.
inline u64 bounded(u64 r, const std::array<std::uint32_t, 4>& x) {
  const u64 xh = (u64(x[0]) << 32) | x[1], xl = (u64(x[2]) << 32) | x[3];
  const unsigned __int128 p_lo = (unsigned __int128)r * xl;
  const unsigned __int128 p_hi = (unsigned __int128)r * xh;
  // r*X = p_hi * 2^64 + p_lo; the top 64 bits of a 192-bit number
  const unsigned __int128 mid = (p_hi & ~u64(0)) + (p_lo >> 64);
  return u64(p_hi >> 64) + u64(mid >> 64);
}

template <class T>
void fill_typed(random_kind kind, const random_params& p, std::uint64_t seed, std::uint64_t stream,
                const shape_t& global, const box& tile, T* out) {
  const std::array<std::uint32_t, 2> key{std::uint32_t(seed), std::uint32_t(seed >> 32)};
  const u64 range = u64(p.ihi) - u64(p.ilo);
  detail::for_each_tile_row(global, tile, [&](i64 g, i64 off, i64 n) {
    for (i64 j = 0; j < n; ++j) {
      const u64 i = u64(g + j);
      const auto x = philox4x32({std::uint32_t(i), std::uint32_t(i >> 32), std::uint32_t(stream),
                                 std::uint32_t(stream >> 32)},
                                key);
      T v{};
      switch (kind) {
        case random_kind::uniform:
          if constexpr (std::is_same_v<T, float>) {
            const float lo = float(p.lo), hi = float(p.hi);
            v = lo + (hi - lo) * u24(x[0]);
            if (v >= hi && hi > lo) v = std::nextafter(hi, lo);  // rounding must not reach hi
          } else if constexpr (std::is_same_v<T, double>) {
            v = p.lo + (p.hi - p.lo) * u53(x[0], x[1]);
            if (v >= p.hi && p.hi > p.lo) v = std::nextafter(p.hi, p.lo);
          }
          break;
        case random_kind::standard_normal:
          if constexpr (ops::is_float_v<T>) {
            // Box-Muller; u1 in (0, 1] so the log is finite. Scaled as lo + hi * z (defaults
            // 0 and 1: standard), which also gives numpy.random.normal(loc, scale).
            const double u1 = 1.0 - u53(x[0], x[1]);
            const double u2 = u53(x[2], x[3]);
            const double z = box_muller::normal(u1, u2);  // bit-identical on the device
            v = T(p.lo + p.hi * z);
          }
          break;
        case random_kind::integers:
          v = ops::cast_val<T>(i64(u64(p.ilo) + bounded(range, x)));
          break;
      }
      out[off + j] = v;
    }
  });
}

}  // namespace

std::array<std::uint32_t, 4> philox4x32(std::array<std::uint32_t, 4> c,
                                        std::array<std::uint32_t, 2> k) {
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k[0] += W0;
      k[1] += W1;
    }
    std::uint32_t hi0, lo0, hi1, lo1;
    mulhilo(M0, c[0], hi0, lo0);
    mulhilo(M1, c[2], hi1, lo1);
    c = {hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0};
  }
  return c;
}

void fill_random(random_kind kind, dtype t, const random_params& p, std::uint64_t seed,
                 std::uint64_t stream, const shape_t& global_shape, const box& tile, void* out) {
  if (tile.ndim() != global_shape.size())
    throw_error(errc::value_error, "fill_random: tile rank differs from the array");
  if (kind != random_kind::integers && !is_float(t))
    throw_error(errc::type_error, std::string("random floats cannot be drawn as ") + dtype_name(t));
  if (kind == random_kind::integers && p.ihi <= p.ilo)
    throw_error(errc::value_error, "high <= low");
  visit_dtype(t, [&](auto tag) {
    using T = ops::stype<decltype(tag)::value>;
    fill_typed<T>(kind, p, seed, stream, global_shape, tile, static_cast<T*>(out));
  });
}

}  // namespace shoal
