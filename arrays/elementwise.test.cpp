#include "arrays/elementwise.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "arrays/errors.hpp"

namespace shoal {
namespace {

using u8 = std::uint8_t;
constexpr double INF = std::numeric_limits<double>::infinity();
constexpr double NAN_ = std::numeric_limits<double>::quiet_NaN();

instr I(opcode op, dtype t, std::uint16_t dst, std::uint16_t a = 0, std::uint16_t b = 0,
        std::uint16_t c = 0) {
  instr i{op, t};
  i.dst = dst;
  i.a = a;
  i.b = b;
  i.c = c;
  return i;
}
instr store(dtype t, std::uint16_t out, std::uint16_t reg) {
  instr i{opcode::store, t};
  i.a = out;
  i.b = reg;
  return i;
}
instr cast(dtype to, dtype from, std::uint16_t dst, std::uint16_t a) {
  instr i{opcode::cast, to, from};
  i.dst = dst;
  i.a = a;
  return i;
}

/// out = op(in0, in1) (binary) or op(in0) (unary), dense inputs of n elements.
program binary_program(opcode op, dtype t, dtype out) {
  program p;
  p.inputs = {t, t};
  p.outputs = {out};
  p.n_regs = 3;
  p.code = {I(opcode::load, t, 0, 0), I(opcode::load, t, 1, 1), I(op, t, 2, 0, 1),
            store(out, 0, 2)};
  return p;
}
program unary_program(opcode op, dtype t, dtype out) {
  program p;
  p.inputs = {t};
  p.outputs = {out};
  p.n_regs = 2;
  p.code = {I(opcode::load, t, 0, 0), I(op, t, 1, 0), store(out, 0, 1)};
  return p;
}

template <class R, class T>
std::vector<R> run_binary(opcode op, dtype t, dtype out, const std::vector<T>& a,
                          const std::vector<T>& b) {
  std::vector<R> r(a.size());
  const shape_t shape{std::int64_t(a.size())};
  run_program(binary_program(op, t, out), shape, {{a.data(), {1}}, {b.data(), {1}}}, {r.data()});
  return r;
}
template <class R, class T>
std::vector<R> run_unary(opcode op, dtype t, dtype out, const std::vector<T>& a) {
  std::vector<R> r(a.size());
  run_program(unary_program(op, t, out), {std::int64_t(a.size())}, {{a.data(), {1}}}, {r.data()});
  return r;
}

bool same_float(double x, double y) {
  if (std::isnan(x) || std::isnan(y)) return std::isnan(x) && std::isnan(y);
  return x == y && std::signbit(x) == std::signbit(y);
}

// ---- fused a*b+c, the benchmark shape ----

TEST(elementwise, fma_chain_float32_odd_sizes) {
  program p;
  p.inputs = {dtype::float32, dtype::float32, dtype::float32};
  p.outputs = {dtype::float32};
  p.n_regs = 4;
  p.code = {I(opcode::load, dtype::float32, 0, 0), I(opcode::load, dtype::float32, 1, 1),
            I(opcode::mul, dtype::float32, 2, 0, 1), I(opcode::load, dtype::float32, 3, 2),
            I(opcode::add, dtype::float32, 2, 2, 3), store(dtype::float32, 0, 2)};
  for (std::int64_t n : {0, 1, 7, 2047, 2048, 2049, 10007}) {
    std::vector<float> a(n), b(n), c(n), o(n, -1);
    for (std::int64_t i = 0; i < n; ++i) {
      a[i] = float(i) * 0.5f;
      b[i] = float(i % 13) - 6;
      c[i] = 1.0f / float(i + 1);
    }
    run_program(p, {n}, {{a.data(), {1}}, {b.data(), {1}}, {c.data(), {1}}}, {o.data()});
    for (std::int64_t i = 0; i < n; ++i) ASSERT_EQ(o[i], a[i] * b[i] + c[i]) << i;
  }
}

// ---- integer semantics against NumPy 2 ----

TEST(elementwise, int_floordiv_mod_numpy_table) {
  const std::int64_t m = std::numeric_limits<std::int64_t>::min();
  std::vector<std::int64_t> a{m, -7, 7, -7, 7, 5, m, 0, -1}, b{-1, 2, -2, -2, 0, 0, 1, -3, 3};
  // np.floor_divide / np.remainder on int64
  std::vector<std::int64_t> fd{m, -4, -4, 3, 0, 0, m, 0, -1}, md{0, 1, -1, -1, 0, 0, 0, 0, 2};
  EXPECT_EQ((run_binary<std::int64_t>(opcode::floordiv, dtype::int64, dtype::int64, a, b)), fd);
  EXPECT_EQ((run_binary<std::int64_t>(opcode::mod, dtype::int64, dtype::int64, a, b)), md);
  const std::int32_t m32 = std::numeric_limits<std::int32_t>::min();
  std::vector<std::int32_t> a32{m32, -7, 7, 9}, b32{-1, 2, 0, -4};
  EXPECT_EQ((run_binary<std::int32_t>(opcode::floordiv, dtype::int32, dtype::int32, a32, b32)),
            (std::vector<std::int32_t>{m32, -4, 0, -3}));
  EXPECT_EQ((run_binary<std::int32_t>(opcode::mod, dtype::int32, dtype::int32, a32, b32)),
            (std::vector<std::int32_t>{0, 1, 0, -3}));
}

template <class T> void check_int_ops_brute_force(dtype t) {
  std::mt19937_64 rng(7);
  const std::int64_t n = 5000;
  std::vector<T> a(n), b(n);
  for (std::int64_t i = 0; i < n; ++i) {
    a[i] = T(rng());
    b[i] = i % 3 == 0 ? T(std::int64_t(rng() % 21) - 10) : T(rng());
  }
  a[0] = std::numeric_limits<T>::min(), b[0] = -1;
  a[1] = std::numeric_limits<T>::max(), b[1] = 1;
  using W = __int128;  // reference arithmetic that cannot overflow, then wrapped
  auto wrap = [](W v) {
    return T(static_cast<std::make_unsigned_t<T>>(static_cast<unsigned __int128>(v)));
  };
  auto add = run_binary<T>(opcode::add, t, t, a, b);
  auto sub = run_binary<T>(opcode::sub, t, t, a, b);
  auto mul = run_binary<T>(opcode::mul, t, t, a, b);
  auto fd = run_binary<T>(opcode::floordiv, t, t, a, b);
  auto md = run_binary<T>(opcode::mod, t, t, a, b);
  auto mx = run_binary<T>(opcode::maximum, t, t, a, b);
  auto mn = run_binary<T>(opcode::minimum, t, t, a, b);
  auto ba = run_binary<T>(opcode::bit_and, t, t, a, b);
  auto bo = run_binary<T>(opcode::bit_or, t, t, a, b);
  auto bx = run_binary<T>(opcode::bit_xor, t, t, a, b);
  auto lt = run_binary<u8>(opcode::lt, t, dtype::bool_, a, b);
  auto eq = run_binary<u8>(opcode::eq, t, dtype::bool_, a, b);
  for (std::int64_t i = 0; i < n; ++i) {
    const W x = a[i], y = b[i];
    ASSERT_EQ(add[i], wrap(x + y));
    ASSERT_EQ(sub[i], wrap(x - y));
    ASSERT_EQ(mul[i], wrap(x * y));
    W q = 0, r = 0;
    if (y != 0) {
      q = x / y;
      r = x - q * y;
      if (r != 0 && ((r < 0) != (y < 0))) {
        q -= 1;
        r += y;
      }
    }
    ASSERT_EQ(fd[i], wrap(q)) << a[i] << " // " << b[i];
    ASSERT_EQ(md[i], wrap(r)) << a[i] << " % " << b[i];
    ASSERT_EQ(mx[i], std::max(a[i], b[i]));
    ASSERT_EQ(mn[i], std::min(a[i], b[i]));
    ASSERT_EQ(ba[i], T(a[i] & b[i]));
    ASSERT_EQ(bo[i], T(a[i] | b[i]));
    ASSERT_EQ(bx[i], T(a[i] ^ b[i]));
    ASSERT_EQ(lt[i], a[i] < b[i]);
    ASSERT_EQ(eq[i], a[i] == b[i]);
  }
  auto neg = run_unary<T>(opcode::neg, t, t, a);
  auto ab = run_unary<T>(opcode::abs, t, t, a);
  auto inv = run_unary<T>(opcode::invert, t, t, a);
  auto ln = run_unary<u8>(opcode::logical_not, t, dtype::bool_, b);
  for (std::int64_t i = 0; i < n; ++i) {
    ASSERT_EQ(neg[i], wrap(-W(a[i])));
    ASSERT_EQ(ab[i], wrap(a[i] < 0 ? -W(a[i]) : W(a[i])));
    ASSERT_EQ(inv[i], T(~a[i]));
    ASSERT_EQ(ln[i], b[i] == 0);
  }
}

TEST(elementwise, int32_ops_brute_force) { check_int_ops_brute_force<std::int32_t>(dtype::int32); }
TEST(elementwise, int64_ops_brute_force) { check_int_ops_brute_force<std::int64_t>(dtype::int64); }

TEST(elementwise, int_pow_wraps_like_numpy) {
  EXPECT_EQ((run_binary<std::int32_t>(opcode::pow, dtype::int32, dtype::int32,
                                      std::vector<std::int32_t>{2, 3, -2, 0, 7},
                                      std::vector<std::int32_t>{31, 21, 63, 0, 1})),
            (std::vector<std::int32_t>{-2147483648, 1870418611, 0, 1, 7}));
  EXPECT_EQ((run_binary<std::int64_t>(opcode::pow, dtype::int64, dtype::int64,
                                      std::vector<std::int64_t>{2, 3, -2, 0, -3},
                                      std::vector<std::int64_t>{63, 41, 63, 0, 3})),
            (std::vector<std::int64_t>{std::numeric_limits<std::int64_t>::min(),
                                       -420491770248316829LL,
                                       std::numeric_limits<std::int64_t>::min(), 1, -27}));
}

TEST(elementwise, int_pow_negative_exponent_is_value_error) {
  std::vector<std::int64_t> a{2, 2}, b{1, -1};
  try {
    run_binary<std::int64_t>(opcode::pow, dtype::int64, dtype::int64, a, b);
    FAIL();
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::value_error);
    EXPECT_STREQ(e.what(), "Integers to negative integer powers are not allowed.");
  }
}

// ---- floats against NumPy 2 (np.floor_divide / np.remainder over a grid of specials) ----

TEST(elementwise, float_floordiv_mod_numpy_table) {
  const double v[] = {-7.5, -3.0, -1.0, -0.0, 0.0, 0.5, 2.0, 7.25, INF, -INF, NAN_};
  const double fd[] = {
      1.0, 2.0, 7.0, INF, -INF, -15.0, -4.0, -2.0, -1.0, 0.0, NAN_, 0.0, 1.0, 3.0, INF, -INF,
      -6.0, -2.0, -1.0, -1.0, 0.0, NAN_, 0.0, 0.0, 1.0, INF, -INF, -2.0, -1.0, -1.0, -1.0, 0.0,
      NAN_, 0.0, 0.0, 0.0, NAN_, NAN_, -0.0, -0.0, -0.0, -0.0, 0.0, NAN_, -0.0, -0.0, -0.0, NAN_,
      NAN_, 0.0, 0.0, 0.0, 0.0, -0.0, NAN_, -1.0, -1.0, -1.0, -INF, INF, 1.0, 0.0, 0.0, 0.0,
      -1.0, NAN_, -1.0, -1.0, -2.0, -INF, INF, 4.0, 1.0, 0.0, 0.0, -1.0, NAN_, -1.0, -3.0, -8.0,
      -INF, INF, 14.0, 3.0, 1.0, 0.0, -1.0, NAN_, NAN_, NAN_, NAN_, -INF, INF, NAN_, NAN_, NAN_,
      NAN_, NAN_, NAN_, NAN_, NAN_, NAN_, INF, -INF, NAN_, NAN_, NAN_, NAN_, NAN_, NAN_, NAN_,
      NAN_, NAN_, NAN_, NAN_, NAN_, NAN_, NAN_, NAN_, NAN_, NAN_};
  const double md[] = {
      -0.0, -1.5, -0.5, NAN_, NAN_, 0.0, 0.5, 7.0, INF, -7.5, NAN_, -3.0, -0.0, -0.0, NAN_,
      NAN_, 0.0, 1.0, 4.25, INF, -3.0, NAN_, -1.0, -1.0, -0.0, NAN_, NAN_, 0.0, 1.0, 6.25, INF,
      -1.0, NAN_, -0.0, -0.0, -0.0, NAN_, NAN_, 0.0, 0.0, 0.0, 0.0, -0.0, NAN_, -0.0, -0.0,
      -0.0, NAN_, NAN_, 0.0, 0.0, 0.0, 0.0, -0.0, NAN_, -7.0, -2.5, -0.5, NAN_, NAN_, 0.0, 0.5,
      0.5, 0.5, -INF, NAN_, -5.5, -1.0, -0.0, NAN_, NAN_, 0.0, 0.0, 2.0, 2.0, -INF, NAN_, -0.25,
      -1.75, -0.75, NAN_, NAN_, 0.25, 1.25, 0.0, 7.25, -INF, NAN_, NAN_, NAN_, NAN_, NAN_, NAN_,
      NAN_, NAN_, NAN_, NAN_, NAN_, NAN_, NAN_, NAN_, NAN_, NAN_, NAN_, NAN_, NAN_, NAN_, NAN_,
      NAN_, NAN_, NAN_, NAN_, NAN_, NAN_, NAN_, NAN_, NAN_, NAN_, NAN_, NAN_, NAN_};
  std::vector<double> a, b;
  std::vector<float> a32, b32;
  for (double x : v)
    for (double y : v) a.push_back(x), b.push_back(y), a32.push_back(float(x)), b32.push_back(float(y));
  auto rfd = run_binary<double>(opcode::floordiv, dtype::float64, dtype::float64, a, b);
  auto rmd = run_binary<double>(opcode::mod, dtype::float64, dtype::float64, a, b);
  auto rfd32 = run_binary<float>(opcode::floordiv, dtype::float32, dtype::float32, a32, b32);
  auto rmd32 = run_binary<float>(opcode::mod, dtype::float32, dtype::float32, a32, b32);
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_TRUE(same_float(rfd[i], fd[i])) << a[i] << " // " << b[i] << " = " << rfd[i];
    EXPECT_TRUE(same_float(rmd[i], md[i])) << a[i] << " % " << b[i] << " = " << rmd[i];
    EXPECT_TRUE(same_float(rfd32[i], fd[i])) << a[i] << " // " << b[i];
    EXPECT_TRUE(same_float(rmd32[i], md[i])) << a[i] << " % " << b[i];
  }
}

TEST(elementwise, float_ops) {
  std::vector<double> a{1.0, NAN_, 2.0, -0.5, 4.0, INF}, b{NAN_, 1.0, 3.0, 2.0, 0.0, 1.0};
  auto mx = run_binary<double>(opcode::maximum, dtype::float64, dtype::float64, a, b);
  auto mn = run_binary<double>(opcode::minimum, dtype::float64, dtype::float64, a, b);
  auto dv = run_binary<double>(opcode::div, dtype::float64, dtype::float64, a, b);
  auto pw = run_binary<double>(opcode::pow, dtype::float64, dtype::float64, a, b);
  auto ne = run_binary<u8>(opcode::ne, dtype::float64, dtype::bool_, a, b);
  auto eq = run_binary<u8>(opcode::eq, dtype::float64, dtype::bool_, a, b);
  auto ge = run_binary<u8>(opcode::ge, dtype::float64, dtype::bool_, a, b);
  for (std::size_t i = 0; i < a.size(); ++i) {
    const bool nan = std::isnan(a[i]) || std::isnan(b[i]);
    EXPECT_TRUE(same_float(mx[i], nan ? NAN_ : std::max(a[i], b[i])));
    EXPECT_TRUE(same_float(mn[i], nan ? NAN_ : std::min(a[i], b[i])));
    EXPECT_TRUE(same_float(dv[i], a[i] / b[i]));
    EXPECT_TRUE(same_float(pw[i], std::pow(a[i], b[i])));
    EXPECT_EQ(ne[i], nan || a[i] != b[i]);
    EXPECT_EQ(eq[i], !nan && a[i] == b[i]);
    EXPECT_EQ(ge[i], !nan && a[i] >= b[i]);
  }
  std::vector<float> x{0.25f, 1.0f, 4.0f, -1.0f, 0.0f};
  const opcode un[] = {opcode::neg, opcode::abs, opcode::sqrt, opcode::exp, opcode::log,
                       opcode::sin, opcode::cos, opcode::tanh};
  for (opcode op : un) {
    auto r = run_unary<float>(op, dtype::float32, dtype::float32, x);
    for (std::size_t i = 0; i < x.size(); ++i) {
      float e = 0;
      switch (op) {
        case opcode::neg: e = -x[i]; break;
        case opcode::abs: e = std::fabs(x[i]); break;
        case opcode::sqrt: e = std::sqrt(x[i]); break;
        case opcode::exp: e = std::exp(x[i]); break;
        case opcode::log: e = std::log(x[i]); break;
        case opcode::sin: e = std::sin(x[i]); break;
        case opcode::cos: e = std::cos(x[i]); break;
        default: e = std::tanh(x[i]);
      }
      EXPECT_TRUE(same_float(r[i], e)) << opcode_name(op) << " " << x[i];
    }
  }
  auto ln = run_unary<u8>(opcode::logical_not, dtype::float32, dtype::bool_, x);
  EXPECT_EQ(ln, (std::vector<u8>{0, 0, 0, 0, 1}));
}

TEST(elementwise, bool_ops) {
  std::vector<u8> a{0, 0, 1, 1}, b{0, 1, 0, 1};
  auto b2 = [&](opcode op) { return run_binary<u8>(op, dtype::bool_, dtype::bool_, a, b); };
  EXPECT_EQ(b2(opcode::add), (std::vector<u8>{0, 1, 1, 1}));
  EXPECT_EQ(b2(opcode::mul), (std::vector<u8>{0, 0, 0, 1}));
  EXPECT_EQ(b2(opcode::maximum), (std::vector<u8>{0, 1, 1, 1}));
  EXPECT_EQ(b2(opcode::minimum), (std::vector<u8>{0, 0, 0, 1}));
  EXPECT_EQ(b2(opcode::bit_xor), (std::vector<u8>{0, 1, 1, 0}));
  EXPECT_EQ(b2(opcode::bit_and), (std::vector<u8>{0, 0, 0, 1}));
  EXPECT_EQ(b2(opcode::bit_or), (std::vector<u8>{0, 1, 1, 1}));
  EXPECT_EQ(b2(opcode::eq), (std::vector<u8>{1, 0, 0, 1}));
  EXPECT_EQ(b2(opcode::lt), (std::vector<u8>{0, 1, 0, 0}));
  EXPECT_EQ(b2(opcode::pow), (std::vector<u8>{1, 0, 1, 1}));
  EXPECT_EQ((run_unary<u8>(opcode::invert, dtype::bool_, dtype::bool_, a)),
            (std::vector<u8>{1, 1, 0, 0}));
  EXPECT_EQ((run_unary<u8>(opcode::abs, dtype::bool_, dtype::bool_, b)), b);
}

TEST(elementwise, unsupported_types_are_type_errors) {
  std::vector<u8> a{1}, b{1};
  EXPECT_THROW((run_binary<u8>(opcode::sub, dtype::bool_, dtype::bool_, a, b)), error);
  EXPECT_THROW((run_unary<u8>(opcode::neg, dtype::bool_, dtype::bool_, a)), error);
  std::vector<std::int32_t> i{4};
  try {
    run_unary<std::int32_t>(opcode::sqrt, dtype::int32, dtype::int32, i);
    FAIL();
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::type_error);
  }
  EXPECT_THROW((run_binary<std::int32_t>(opcode::div, dtype::int32, dtype::int32, i, i)), error);
  std::vector<double> f{1.0};
  EXPECT_THROW((run_binary<double>(opcode::bit_and, dtype::float64, dtype::float64, f, f)), error);
  EXPECT_THROW((run_unary<double>(opcode::invert, dtype::float64, dtype::float64, f)), error);
}

// ---- casts ----

template <class D, class S> std::vector<D> run_cast(dtype to, dtype from, const std::vector<S>& x) {
  program p;
  p.inputs = {from};
  p.outputs = {to};
  p.n_regs = 1;
  // in place on purpose: r0 = cast(r0) (widening must not clobber unread elements)
  p.code = {I(opcode::load, from, 0, 0), I(opcode::mul, from, 0, 0, 0), cast(to, from, 0, 0),
            store(to, 0, 0)};
  if (from == dtype::bool_) p.code[1] = I(opcode::bit_and, from, 0, 0, 0);
  std::vector<D> r(x.size());
  run_program(p, {std::int64_t(x.size())}, {{x.data(), {1}}}, {r.data()});
  return r;
}

TEST(elementwise, casts_follow_numpy_astype) {
  const std::int32_t m32 = std::numeric_limits<std::int32_t>::min();
  const std::int64_t m64 = std::numeric_limits<std::int64_t>::min();
  // inputs are squared by the program (x*x) to exercise the in-place widening path
  std::vector<double> f{1.5, -2.5, NAN_, INF, 1e5, 2.9};
  // squares: 2.25 6.25 nan inf 1e10 8.41
  EXPECT_EQ((run_cast<std::int32_t>(dtype::int32, dtype::float64, f)),
            (std::vector<std::int32_t>{2, 6, m32, m32, m32, 8}));
  EXPECT_EQ((run_cast<std::int64_t>(dtype::int64, dtype::float64, f)),
            (std::vector<std::int64_t>{2, 6, m64, m64, 10000000000LL, 8}));
  std::vector<float> f32{1.5f, -2.5f, float(NAN_), 1e10f};
  EXPECT_EQ((run_cast<std::int64_t>(dtype::int64, dtype::float32, f32)),
            (std::vector<std::int64_t>{2, 6, m64, m64}));
  EXPECT_EQ((run_cast<u8>(dtype::bool_, dtype::float64, std::vector<double>{0.0, -0.0, NAN_, 0.1})),
            (std::vector<u8>{0, 0, 1, 1}));
  std::vector<std::int64_t> big{3000000000LL, -3, 46341};
  EXPECT_EQ((run_cast<std::int32_t>(dtype::int32, dtype::int64, big)),
            (std::vector<std::int32_t>{std::int32_t(9000000000000000000ULL % (1ULL << 32)), 9,
                                       -2147479015}));
  std::vector<std::int32_t> small{-3, 7, 46341};
  EXPECT_EQ((run_cast<std::int64_t>(dtype::int64, dtype::int32, small)),
            (std::vector<std::int64_t>{9, 49, -2147479015}));
  EXPECT_EQ((run_cast<double>(dtype::float64, dtype::int32, small)),
            (std::vector<double>{9, 49, -2147479015}));
  EXPECT_EQ((run_cast<double>(dtype::float64, dtype::bool_, std::vector<u8>{0, 1})),
            (std::vector<double>{0, 1}));
  EXPECT_EQ((run_cast<std::int64_t>(dtype::int64, dtype::bool_, std::vector<u8>{1, 0, 1})),
            (std::vector<std::int64_t>{1, 0, 1}));
}

// ---- geometry: broadcasting, strided and negative strides, 0-d, empty, ranges ----

/// out = where(x > y, x - y, y * 2) + c with x: (a, b, c)-strided, y broadcast, c constant.
program where_program(dtype t) {
  program p;
  p.inputs = {t, t};
  p.outputs = {t, dtype::bool_};
  p.n_regs = 4;
  instr two{opcode::constant, t};
  two.dst = 3;
  two.fimm = 2;
  two.iimm = 2;
  p.code = {I(opcode::load, t, 0, 0),        I(opcode::load, t, 1, 1),
            I(opcode::gt, t, 2, 0, 1),       two,
            I(opcode::mul, t, 3, 1, 3),      I(opcode::sub, t, 1, 0, 1),
            I(opcode::where, t, 2, 2, 1, 3),  // overwrites its own mask register
            store(t, 0, 2),                  I(opcode::le, t, 3, 0, 3),
            store(dtype::bool_, 1, 3)};
  return p;
}

template <class T> void check_geometry(dtype t) {
  struct view { shape_t shape, strides; std::int64_t offset; };
  const std::vector<double> pool_vals = [] {
    std::vector<double> v(10000);
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = double((i * 7919) % 97) - 48;
    return v;
  }();
  std::vector<T> pool(pool_vals.begin(), pool_vals.end());
  struct tc { shape_t shape; view x, y; };
  const tc cases[] = {
      {{5, 7, 3}, {{5, 7, 3}, {21, 3, 1}, 0}, {{7, 1}, {0, 1, 0}, 200}},    // broadcast y
      {{5, 7, 3}, {{5, 7, 3}, {1, 5, 35}, 0}, {{5, 1, 3}, {3, 0, 1}, 0}},   // transposed x
      {{3, 1000}, {{3, 1000}, {-1000, 1}, 2000}, {{}, {0, 0}, 17}},         // reversed, scalar y
      {{4099}, {{4099}, {-1}, 4098}, {{4099}, {1}, 3}},                     // long reversed row
      {{700, 3}, {{700, 3}, {3, 1}, 0}, {{3}, {0, 1}, 5}},                  // short rows
      {{2, 2200}, {{2, 2200}, {0, 1}, 0}, {{2, 1}, {1, 0}, 9}},             // broadcast rows
      {{}, {{}, {}, 5}, {{}, {}, 6}},                                       // 0-d
      {{0, 5}, {{0, 5}, {5, 1}, 0}, {{5}, {0, 1}, 0}},                      // empty
      {{1, 1, 9}, {{1, 1, 9}, {77, 88, 2}, 0}, {{9}, {5, 6, 1}, 0}},        // extent-1 dims
  };
  program p = where_program(t);
  for (const auto& c : cases) {
    const std::int64_t n = numel(c.shape);
    const shape_t& xs = c.x.strides;
    shape_t ys = c.y.strides;
    std::vector<T> out(std::size_t(std::max<std::int64_t>(n, 1)), T(-99));
    std::vector<u8> le(out.size(), 7);
    run_program(p, c.shape, {{pool.data() + c.x.offset, xs}, {pool.data() + c.y.offset, ys}},
                {out.data(), le.data()});
    shape_t i(c.shape.size(), 0);
    for (std::int64_t e = 0; e < n; ++e) {
      std::int64_t ox = c.x.offset, oy = c.y.offset;
      for (std::size_t d = 0; d < i.size(); ++d) ox += i[d] * xs[d], oy += i[d] * ys[d];
      const T x = pool[ox], y = pool[oy];
      const T expect = x > y ? T(x - y) : T(y * 2);
      ASSERT_EQ(out[e], expect) << shape_str(c.shape) << " element " << e;
      ASSERT_EQ(le[e], x <= T(y * 2)) << shape_str(c.shape) << " element " << e;
      for (std::size_t d = i.size(); d-- > 0;) {
        if (++i[d] < c.shape[d]) break;
        i[d] = 0;
      }
    }
    if (n == 0) {
      EXPECT_EQ(out[0], T(-99));  // nothing written
    }
  }
}

TEST(elementwise, geometry_int32) { check_geometry<std::int32_t>(dtype::int32); }
TEST(elementwise, geometry_int64) { check_geometry<std::int64_t>(dtype::int64); }
TEST(elementwise, geometry_float32) { check_geometry<float>(dtype::float32); }
TEST(elementwise, geometry_float64) { check_geometry<double>(dtype::float64); }

TEST(elementwise, ranges_compose_to_whole) {
  program p = binary_program(opcode::add, dtype::float64, dtype::float64);
  const shape_t shape{37, 301};
  const std::int64_t n = numel(shape);
  std::vector<double> a(n), b(301), whole(n), parts(n);
  for (std::int64_t i = 0; i < n; ++i) a[i] = double(i);
  for (std::int64_t i = 0; i < 301; ++i) b[i] = 0.5 * double(i);
  std::vector<operand_view> in{{a.data(), {301, 1}}, {b.data(), {0, 1}}};
  run_program(p, shape, in, {whole.data()});
  const std::int64_t chunk = 1000;
  for (std::int64_t s = 0; s < n; s += chunk)
    run_program_range(p, shape, in, {parts.data()}, s, std::min(n, s + chunk));
  EXPECT_EQ(whole, parts);
  for (std::int64_t i = 0; i < n; ++i) ASSERT_EQ(whole[i], a[i] + b[i % 301]);
}

TEST(elementwise, constants_all_types) {
  program p;
  p.inputs = {};
  p.outputs = {dtype::bool_, dtype::int32, dtype::int64, dtype::float32, dtype::float64};
  p.n_regs = 5;
  for (std::uint16_t k = 0; k < 5; ++k) {
    instr c{opcode::constant, p.outputs[k]};
    c.dst = k;
    c.iimm = -3 + 4 * (k == 0);
    c.fimm = 2.5;
    p.code.push_back(c);
    p.code.push_back(store(p.outputs[k], k, k));
  }
  const std::int64_t n = 3000;
  std::vector<u8> o0(n);
  std::vector<std::int32_t> o1(n);
  std::vector<std::int64_t> o2(n);
  std::vector<float> o3(n);
  std::vector<double> o4(n);
  run_program(p, {n}, {}, {o0.data(), o1.data(), o2.data(), o3.data(), o4.data()});
  for (std::int64_t i = 0; i < n; ++i) {
    ASSERT_EQ(o0[i], 1);
    ASSERT_EQ(o1[i], -3);
    ASSERT_EQ(o2[i], -3);
    ASSERT_EQ(o3[i], 2.5f);
    ASSERT_EQ(o4[i], 2.5);
  }
}

TEST(elementwise, bad_programs_are_rejected) {
  program p = binary_program(opcode::add, dtype::float64, dtype::float64);
  std::vector<double> a(4), r(4);
  EXPECT_THROW(run_program(p, {4}, {{a.data(), {1}}}, {r.data()}), error);  // missing input
  p.code[2].dst = 9;
  EXPECT_THROW(run_program(p, {4}, {{a.data(), {1}}, {a.data(), {1}}}, {r.data()}), error);
}

}  // namespace
}  // namespace shoal
