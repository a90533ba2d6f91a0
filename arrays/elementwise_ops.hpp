#pragma once
/// Scalar semantics of every elementwise opcode, per element type (internal to the CPU
/// kernels: elementwise.cpp, reduce.cpp, fill.cpp). Integers wrap (computed in unsigned, so no
/// UB); division and remainder follow NumPy/Python; casts follow NumPy's astype on x86.
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "arrays/dtype.hpp"
#include "arrays/program.hpp"

namespace shoal::ops {

/// Storage type of a dtype inside kernels: bool is one byte holding 0 or 1 (uint8_t, so that
/// reading arbitrary bytes is never UB and arithmetic does not promote surprisingly).
template <dtype T>
using stype = std::conditional_t<T == dtype::bool_, std::uint8_t, ctype_t<T>>;

template <class T> inline constexpr bool is_bool_v = std::is_same_v<T, std::uint8_t>;
template <class T> inline constexpr bool is_int_v = std::is_integral_v<T> && !is_bool_v<T>;
template <class T> inline constexpr bool is_float_v = std::is_floating_point_v<T>;

template <class T> using uns = std::make_unsigned_t<T>;

/// NumPy astype: float -> int truncates, NaN and out-of-range give the type's minimum (what
/// cvttsd2si produces on x86, which NumPy inherits); int -> narrower int wraps; anything ->
/// bool is x != 0.
template <class D, class S> inline D cast_val(S x) {
  if constexpr (is_bool_v<D>) {
    return D(x != S(0));
  } else if constexpr (is_float_v<S> && std::is_integral_v<D>) {
    constexpr double lim = double(uns<D>(1) << (8 * sizeof(D) - 1));  // 2^(bits-1)
    const double v = double(x);
    return (v >= -lim && v < lim) ? D(x) : std::numeric_limits<D>::min();
  } else {
    return D(x);  // int narrowing is modular in C++20
  }
}

// ---- integer helpers (Python semantics, NumPy's x//0 == 0 and x%0 == 0) ----

template <class T> inline T ifloordiv(T a, T b) {
  if (b == 0) return 0;
  if (b == -1) return T(uns<T>(0) - uns<T>(a));  // MIN // -1 wraps to MIN, as NumPy
  T q = T(a / b);
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

template <class T> inline T imod(T a, T b) {
  if (b == 0 || b == -1) return 0;
  T r = T(a % b);
  if (r != 0 && ((r < 0) != (b < 0))) r = T(r + b);
  return r;
}

/// a**b for b >= 0 by squaring, wrapping; b < 0 gives 0 (the caller reports the error).
template <class T> inline T ipow(T a, T b) {
  if (b < 0) return 0;
  uns<T> base = uns<T>(a), r = 1, e = uns<T>(b);
  while (e) {
    if (e & 1) r *= base;
    base *= base;
    e >>= 1;
  }
  return T(r);
}

// ---- float helpers: NumPy's npy_divmod ----

template <class T> inline T fdivmod(T a, T b, T* modulus) {
  T mod = std::fmod(a, b);
  if (b == 0) {
    *modulus = mod;
    return a / b;
  }
  T div = (a - mod) / b;
  if (mod != 0) {
    if ((b < 0) != (mod < 0)) {
      mod += b;
      div -= T(1);
    }
  } else {
    mod = std::copysign(T(0), b);
  }
  T floordiv;
  if (div != 0) {
    floordiv = std::floor(div);
    if (div - floordiv > T(0.5)) floordiv += T(1);
  } else {
    floordiv = std::copysign(T(0), a / b);
  }
  *modulus = mod;
  return floordiv;
}

template <class T> inline T ffloordiv(T a, T b) {
  if (b == 0) return a / b;
  T m;
  return fdivmod(a, b, &m);
}

template <class T> inline T fmod_py(T a, T b) {
  if (b == 0) return std::fmod(a, b);
  T m;
  fdivmod(a, b, &m);
  return m;
}

// ---- which (opcode, type) pairs exist ----

template <opcode OP, class T> constexpr bool supported() {
  switch (OP) {
    case opcode::neg: case opcode::sub: return !is_bool_v<T>;
    case opcode::sqrt: case opcode::exp: case opcode::log: case opcode::sin:
    case opcode::cos: case opcode::tanh: case opcode::div:
      return is_float_v<T>;
    case opcode::invert: case opcode::bit_and: case opcode::bit_or: case opcode::bit_xor:
      return !is_float_v<T>;
    default: return true;
  }
}

// ---- unary: r = f(a) ----

template <opcode OP, class T> inline T unop(T a) {
  if constexpr (OP == opcode::neg) {
    if constexpr (is_int_v<T>) return T(uns<T>(0) - uns<T>(a));
    else return -a;
  } else if constexpr (OP == opcode::abs) {
    if constexpr (is_bool_v<T>) return a;
    else if constexpr (is_int_v<T>) return a < 0 ? T(uns<T>(0) - uns<T>(a)) : a;  // MIN stays
    else return std::fabs(a);
  } else if constexpr (OP == opcode::sqrt) {
    return std::sqrt(a);
  } else if constexpr (OP == opcode::exp) {
    return std::exp(a);
  } else if constexpr (OP == opcode::log) {
    return std::log(a);
  } else if constexpr (OP == opcode::sin) {
    return std::sin(a);
  } else if constexpr (OP == opcode::cos) {
    return std::cos(a);
  } else if constexpr (OP == opcode::tanh) {
    return std::tanh(a);
  } else if constexpr (OP == opcode::invert) {
    if constexpr (is_bool_v<T>) return T(!a);
    else return T(~a);
  }
}

// ---- binary: r = f(a, b), same type in and out ----

template <opcode OP, class T> inline T binop(T a, T b) {
  if constexpr (OP == opcode::add) {
    if constexpr (is_bool_v<T>) return T(a | b);
    else if constexpr (is_int_v<T>) return T(uns<T>(a) + uns<T>(b));
    else return a + b;
  } else if constexpr (OP == opcode::sub) {
    if constexpr (is_int_v<T>) return T(uns<T>(a) - uns<T>(b));
    else return a - b;
  } else if constexpr (OP == opcode::mul) {
    if constexpr (is_bool_v<T>) return T(a & b);
    else if constexpr (is_int_v<T>) return T(uns<T>(a) * uns<T>(b));
    else return a * b;
  } else if constexpr (OP == opcode::div) {
    return a / b;
  } else if constexpr (OP == opcode::floordiv) {
    if constexpr (is_bool_v<T>) return T(a & b);  // x//True == x, x//False == 0
    else if constexpr (is_int_v<T>) return ifloordiv(a, b);
    else return ffloordiv(a, b);
  } else if constexpr (OP == opcode::mod) {
    if constexpr (is_bool_v<T>) return 0;
    else if constexpr (is_int_v<T>) return imod(a, b);
    else return fmod_py(a, b);
  } else if constexpr (OP == opcode::pow) {
    if constexpr (is_bool_v<T>) return T(a | !b);  // x**False == 1, x**True == x
    else if constexpr (is_int_v<T>) return ipow(a, b);
    else return std::pow(a, b);
  } else if constexpr (OP == opcode::maximum) {
    if constexpr (is_float_v<T>) return (a >= b || a != a) ? a : b;  // NaN propagates
    else return a >= b ? a : b;
  } else if constexpr (OP == opcode::minimum) {
    if constexpr (is_float_v<T>) return (a <= b || a != a) ? a : b;
    else return a <= b ? a : b;
  } else if constexpr (OP == opcode::bit_and) {
    return T(a & b);
  } else if constexpr (OP == opcode::bit_or) {
    return T(a | b);
  } else if constexpr (OP == opcode::bit_xor) {
    return T(a ^ b);
  }
}

// ---- comparisons: bool result ----

template <opcode OP, class T> inline std::uint8_t cmpop(T a, T b) {
  if constexpr (OP == opcode::eq) return a == b;
  else if constexpr (OP == opcode::ne) return a != b;
  else if constexpr (OP == opcode::lt) return a < b;
  else if constexpr (OP == opcode::le) return a <= b;
  else if constexpr (OP == opcode::gt) return a > b;
  else return a >= b;
}

}  // namespace shoal::ops
