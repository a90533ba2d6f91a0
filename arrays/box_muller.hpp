#pragma once
/// The Box-Muller transform for random_kind::standard_normal, one implementation compiled
/// for the host (arrays/random.cpp) and the device (arrays/cuda/random.cu), so a normal
/// value is bit-identical wherever it is drawn.
///
/// Libraries' log/cos differ in the last bit between glibc and CUDA, so this file does not
/// call them: log and cos are polynomials evaluated with +, -, *, / and sqrt only, which
/// IEEE 754 rounds correctly on both sides. Every operation goes through the helpers below
/// (on the device: explicitly rounded intrinsics, which nvcc never contracts into an FMA; on
/// the host, arrays/random.cpp is compiled with -ffp-contract=off). Accuracy: a few ulps of
/// float64, far below what a float32 or float64 normal sample can show.
#include <cmath>

#if defined(__CUDACC__)
#define SHOAL_HD __host__ __device__ __forceinline__
#else
#define SHOAL_HD inline
#endif

namespace shoal::box_muller {

#if defined(__CUDA_ARCH__)
SHOAL_HD double add(double a, double b) { return __dadd_rn(a, b); }
SHOAL_HD double sub(double a, double b) { return __dsub_rn(a, b); }
SHOAL_HD double mul(double a, double b) { return __dmul_rn(a, b); }
SHOAL_HD double div(double a, double b) { return __ddiv_rn(a, b); }
SHOAL_HD double root(double a) { return __dsqrt_rn(a); }
#else
SHOAL_HD double add(double a, double b) { return a + b; }
SHOAL_HD double sub(double a, double b) { return a - b; }
SHOAL_HD double mul(double a, double b) { return a * b; }
SHOAL_HD double div(double a, double b) { return a / b; }
SHOAL_HD double root(double a) { return std::sqrt(a); }  // correctly rounded (IEEE 754)
#endif

/// ln(u) for u in (0, 1], u a multiple of 2^-53 (as the uniforms here are). u = m * 2^e with
/// m in [sqrt(1/2), sqrt(2)) found by exact scaling; ln(m) = 2 atanh(s), s = (m-1)/(m+1),
/// |s| < 0.172, by its odd series to s^25 (next term below 2^-60).
SHOAL_HD double log_unit(double u) {
  int e = 0;
  double m = u;
  while (m < 0.70710678118654752440) {  // at most 53 steps; each doubling is exact
    m = mul(m, 2.0);
    --e;
  }
  const double s = div(sub(m, 1.0), add(m, 1.0));
  const double s2 = mul(s, s);
  // 1/(2k+1) for k = 12 .. 1, Horner in s^2
  double p = 1.0 / 25;
  p = add(mul(p, s2), 1.0 / 23);
  p = add(mul(p, s2), 1.0 / 21);
  p = add(mul(p, s2), 1.0 / 19);
  p = add(mul(p, s2), 1.0 / 17);
  p = add(mul(p, s2), 1.0 / 15);
  p = add(mul(p, s2), 1.0 / 13);
  p = add(mul(p, s2), 1.0 / 11);
  p = add(mul(p, s2), 1.0 / 9);
  p = add(mul(p, s2), 1.0 / 7);
  p = add(mul(p, s2), 1.0 / 5);
  p = add(mul(p, s2), 1.0 / 3);
  const double lnm = mul(2.0, add(s, mul(mul(s, s2), p)));
  // e * ln 2 in two parts: ln2_hi has 32 significant bits, so e * ln2_hi is exact.
  constexpr double ln2_hi = 6.93147180369123816490e-01;
  constexpr double ln2_lo = 1.90821492927058770002e-10;
  const double ed = double(e);
  return add(mul(ed, ln2_hi), add(mul(ed, ln2_lo), lnm));
}

/// cos(2 pi t) for t in [0, 1). The reduction is exact: 4t = q + r with q an integer and
/// r in [-1/2, 1/2], so the angle x = r * pi/2 lies in [-pi/4, pi/4], where the Taylor
/// series of cos and sin to x^16 / x^17 err below 2^-56.
SHOAL_HD double cos_2pi(double t) {
  const double f = mul(t, 4.0);
  double q = 0;  // floor(f), f in [0, 4)
  if (f >= 1) q = 1;
  if (f >= 2) q = 2;
  if (f >= 3) q = 3;
  double r = sub(f, q);  // exact
  if (r > 0.5) {
    r = sub(r, 1.0);  // exact (Sterbenz)
    q = add(q, 1.0);
  }
  const int quadrant = int(q) & 3;
  constexpr double half_pi = 1.57079632679489661923;
  const double x = mul(r, half_pi);
  const double x2 = mul(x, x);
  // cos x = 1 - x^2/2! + x^4/4! - ... ; sin x = x - x^3/3! + ...
  double c = 1.0 / 20922789888000.0;  // 1/16!
  c = sub(mul(c, x2), 1.0 / 87178291200.0);
  c = add(mul(c, x2), 1.0 / 479001600.0);
  c = sub(mul(c, x2), 1.0 / 3628800.0);
  c = add(mul(c, x2), 1.0 / 40320.0);
  c = sub(mul(c, x2), 1.0 / 720.0);
  c = add(mul(c, x2), 1.0 / 24.0);
  c = sub(mul(c, x2), 0.5);
  c = add(mul(c, x2), 1.0);
  double sn = 1.0 / 355687428096000.0;  // 1/17!
  sn = sub(mul(sn, x2), 1.0 / 1307674368000.0);
  sn = add(mul(sn, x2), 1.0 / 6227020800.0);
  sn = sub(mul(sn, x2), 1.0 / 39916800.0);
  sn = add(mul(sn, x2), 1.0 / 362880.0);
  sn = sub(mul(sn, x2), 1.0 / 5040.0);
  sn = add(mul(sn, x2), 1.0 / 120.0);
  sn = sub(mul(sn, x2), 1.0 / 6.0);
  sn = mul(x, add(mul(sn, x2), 1.0));
  switch (quadrant) {  // cos(x + q pi/2)
    case 0: return c;
    case 1: return -sn;
    case 2: return -c;
    default: return sn;
  }
}

/// One standard normal from two uniforms: u1 in (0, 1], u2 in [0, 1).
SHOAL_HD double normal(double u1, double u2) {
  return mul(root(mul(-2.0, log_unit(u1))), cos_2pi(u2));
}

}  // namespace shoal::box_muller
