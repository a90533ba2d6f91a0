/// CPU interpreter for fused elementwise programs.
///
/// Registers are pointers to blocks of `program_block` elements. A load of a contiguous input
/// points the register straight into the input (no copy); a scalar-broadcast input or a
/// constant points at a block filled once per call; only general strided inputs are gathered.
/// Every other instruction is one call to a kernel, a tight loop over the block that the
/// compiler vectorizes; kernels are resolved (and types checked) once per call.
#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

#include "arrays/buffer.hpp"
#include "arrays/elementwise.hpp"
#include "arrays/elementwise_ops.hpp"
#include "arrays/errors.hpp"

namespace shoal {

namespace {

using ops::stype;
using kernel_fn = void (*)(void* d, const void* a, const void* b, const void* c, std::int64_t n);

// ---- kernels ----

template <opcode OP, class T>
void unary_kernel(void* d, const void* a, const void*, const void*, std::int64_t n) {
  auto* __restrict o = static_cast<T*>(d);
  auto* __restrict x = static_cast<const T*>(a);
  for (std::int64_t i = 0; i < n; ++i) o[i] = ops::unop<OP, T>(x[i]);
}

// The interpreter never passes an output block that overlaps an input (see run_program_range),
// hence __restrict everywhere.
template <opcode OP, class T>
void binary_kernel(void* d, const void* a, const void* b, const void*, std::int64_t n) {
  auto* __restrict o = static_cast<T*>(d);
  auto* __restrict x = static_cast<const T*>(a);
  auto* __restrict y = static_cast<const T*>(b);
  for (std::int64_t i = 0; i < n; ++i) o[i] = ops::binop<OP, T>(x[i], y[i]);
}

template <class T>
void int_pow_kernel(void* d, const void* a, const void* b, const void*, std::int64_t n) {
  auto* __restrict o = static_cast<T*>(d);
  auto* __restrict x = static_cast<const T*>(a);
  auto* __restrict y = static_cast<const T*>(b);
  bool negative = false;
  for (std::int64_t i = 0; i < n; ++i) {
    negative |= y[i] < 0;
    o[i] = ops::ipow(x[i], y[i]);
  }
  if (negative)
    throw_error(errc::value_error, "Integers to negative integer powers are not allowed.");
}

template <opcode OP, class T>
void compare_kernel(void* d, const void* a, const void* b, const void*, std::int64_t n) {
  auto* __restrict o = static_cast<std::uint8_t*>(d);
  auto* __restrict x = static_cast<const T*>(a);
  auto* __restrict y = static_cast<const T*>(b);
  for (std::int64_t i = 0; i < n; ++i) o[i] = ops::cmpop<OP, T>(x[i], y[i]);
}

template <class T>
void logical_not_kernel(void* d, const void* a, const void*, const void*, std::int64_t n) {
  auto* __restrict o = static_cast<std::uint8_t*>(d);
  auto* __restrict x = static_cast<const T*>(a);
  for (std::int64_t i = 0; i < n; ++i) o[i] = x[i] == T(0);
}

template <class T>
void where_kernel(void* d, const void* a, const void* b, const void* c, std::int64_t n) {
  auto* __restrict o = static_cast<T*>(d);
  auto* __restrict m = static_cast<const std::uint8_t*>(a);
  auto* __restrict x = static_cast<const T*>(b);
  auto* __restrict y = static_cast<const T*>(c);
  for (std::int64_t i = 0; i < n; ++i) o[i] = m[i] ? x[i] : y[i];
}

template <class D, class S>
void cast_kernel(void* d, const void* a, const void*, const void*, std::int64_t n) {
  auto* __restrict o = static_cast<D*>(d);
  auto* __restrict x = static_cast<const S*>(a);
  for (std::int64_t i = 0; i < n; ++i) o[i] = ops::cast_val<D>(x[i]);
}

// ---- resolution: (opcode, dtype) -> kernel, or a NumPy-worded TypeError ----

const char* ufunc_name(opcode op) {
  switch (op) {
    case opcode::neg: return "negative";
    case opcode::abs: return "absolute";
    case opcode::sub: return "subtract";
    case opcode::div: return "divide";
    case opcode::invert: return "invert";
    case opcode::bit_and: return "bitwise_and";
    case opcode::bit_or: return "bitwise_or";
    case opcode::bit_xor: return "bitwise_xor";
    default: return opcode_name(op);
  }
}

[[noreturn]] void unsupported(opcode op, dtype t) {
  if (t == dtype::bool_ && op == opcode::sub)
    throw_error(errc::type_error,
                "numpy boolean subtract, the `-` operator, is not supported, use the "
                "bitwise_xor, the `^` operator, or the logical_xor function instead.");
  if (t == dtype::bool_ && op == opcode::neg)
    throw_error(errc::type_error,
                "The numpy boolean negative, the `-` operator, is not supported, use the `~` "
                "operator or the logical_not function instead.");
  throw_error(errc::type_error,
              std::string("ufunc '") + ufunc_name(op) +
                  "' not supported for the input types, and the inputs could not be safely "
                  "coerced to any supported types according to the casting rule ''safe''");
}

template <opcode OP> kernel_fn pick_unary(dtype t) {
  return visit_dtype(t, [&](auto tag) -> kernel_fn {
    using T = stype<decltype(tag)::value>;
    if constexpr (ops::supported<OP, T>()) return &unary_kernel<OP, T>;
    else unsupported(OP, t);
  });
}

template <opcode OP> kernel_fn pick_binary(dtype t) {
  return visit_dtype(t, [&](auto tag) -> kernel_fn {
    using T = stype<decltype(tag)::value>;
    if constexpr (OP == opcode::pow && ops::is_int_v<T>) return &int_pow_kernel<T>;
    else if constexpr (ops::supported<OP, T>()) return &binary_kernel<OP, T>;
    else unsupported(OP, t);
  });
}

template <opcode OP> kernel_fn pick_compare(dtype t) {
  return visit_dtype(t, [&](auto tag) -> kernel_fn {
    return &compare_kernel<OP, stype<decltype(tag)::value>>;
  });
}

kernel_fn pick_cast(dtype to, dtype from) {
  return visit_dtype(to, [&](auto dt) -> kernel_fn {
    return visit_dtype(from, [&](auto st) -> kernel_fn {
      return &cast_kernel<stype<decltype(dt)::value>, stype<decltype(st)::value>>;
    });
  });
}

kernel_fn resolve(const instr& in) {
  switch (in.op) {
    case opcode::load: case opcode::constant: case opcode::store: return nullptr;
    case opcode::cast: return pick_cast(in.type, in.src);
    case opcode::neg: return pick_unary<opcode::neg>(in.type);
    case opcode::abs: return pick_unary<opcode::abs>(in.type);
    case opcode::sqrt: return pick_unary<opcode::sqrt>(in.type);
    case opcode::exp: return pick_unary<opcode::exp>(in.type);
    case opcode::log: return pick_unary<opcode::log>(in.type);
    case opcode::sin: return pick_unary<opcode::sin>(in.type);
    case opcode::cos: return pick_unary<opcode::cos>(in.type);
    case opcode::tanh: return pick_unary<opcode::tanh>(in.type);
    case opcode::invert: return pick_unary<opcode::invert>(in.type);
    case opcode::logical_not:
      return visit_dtype(in.type, [](auto tag) -> kernel_fn {
        return &logical_not_kernel<stype<decltype(tag)::value>>;
      });
    case opcode::add: return pick_binary<opcode::add>(in.type);
    case opcode::sub: return pick_binary<opcode::sub>(in.type);
    case opcode::mul: return pick_binary<opcode::mul>(in.type);
    case opcode::div: return pick_binary<opcode::div>(in.type);
    case opcode::floordiv: return pick_binary<opcode::floordiv>(in.type);
    case opcode::mod: return pick_binary<opcode::mod>(in.type);
    case opcode::pow: return pick_binary<opcode::pow>(in.type);
    case opcode::maximum: return pick_binary<opcode::maximum>(in.type);
    case opcode::minimum: return pick_binary<opcode::minimum>(in.type);
    case opcode::bit_and: return pick_binary<opcode::bit_and>(in.type);
    case opcode::bit_or: return pick_binary<opcode::bit_or>(in.type);
    case opcode::bit_xor: return pick_binary<opcode::bit_xor>(in.type);
    case opcode::eq: return pick_compare<opcode::eq>(in.type);
    case opcode::ne: return pick_compare<opcode::ne>(in.type);
    case opcode::lt: return pick_compare<opcode::lt>(in.type);
    case opcode::le: return pick_compare<opcode::le>(in.type);
    case opcode::gt: return pick_compare<opcode::gt>(in.type);
    case opcode::ge: return pick_compare<opcode::ge>(in.type);
    case opcode::where:
      return visit_dtype(in.type, [](auto tag) -> kernel_fn {
        return &where_kernel<stype<decltype(tag)::value>>;
      });
  }
  throw_error(errc::value_error, "run_program: unknown opcode");
}

/// Number of register operands an instruction reads (a, b, c in that order).
int arity(opcode op) {
  switch (op) {
    case opcode::load: case opcode::constant: return 0;
    case opcode::store: return 0;  // reads b, handled separately
    case opcode::where: return 3;
    case opcode::cast: case opcode::neg: case opcode::abs: case opcode::sqrt: case opcode::exp:
    case opcode::log: case opcode::sin: case opcode::cos: case opcode::tanh:
    case opcode::invert: case opcode::logical_not:
      return 1;
    default: return 2;
  }
}

/// Fills n elements of type t at d with the constant of `in` (ints from iimm, floats from fimm).
void fill_constant(void* d, dtype t, double f, std::int64_t i, std::int64_t n) {
  visit_dtype(t, [&](auto tag) {
    using T = stype<decltype(tag)::value>;
    T v;
    if constexpr (ops::is_float_v<T>) v = T(f);
    else v = ops::cast_val<T>(i);
    std::fill_n(static_cast<T*>(d), n, v);
  });
}

template <class T> void fill_value(void* d, const void* src, std::int64_t n) {
  T v;
  std::memcpy(&v, src, sizeof(T));
  std::fill_n(static_cast<T*>(d), n, v);
}

void fill_bytes(void* d, const void* src, std::size_t isz, std::int64_t n) {
  switch (isz) {
    case 1: return fill_value<std::uint8_t>(d, src, n);
    case 4: return fill_value<std::uint32_t>(d, src, n);
    default: return fill_value<std::uint64_t>(d, src, n);
  }
}

template <class T>
void gather_row(std::byte* d, const std::byte* s, std::int64_t stride, std::int64_t n) {
  auto* o = reinterpret_cast<T*>(d);
  auto* x = reinterpret_cast<const T*>(s);
  if (stride == 1) std::memcpy(o, x, std::size_t(n) * sizeof(T));
  else if (stride == 0) std::fill_n(o, n, *x);
  else for (std::int64_t i = 0; i < n; ++i) o[i] = x[i * stride];
}


/// Copies the elements at flat indices [f, f + n) of a strided input into dense `d`, walking
/// the n-d index row by row.
void gather(std::byte* d, const std::byte* base, const shape_t& ext, const shape_t& st,
            std::int64_t f, std::int64_t n, std::size_t isz) {
  const std::size_t nd = ext.size(), last = nd - 1;
  shape_t idx(nd);
  std::int64_t off = 0;
  for (std::size_t k = nd; k-- > 0;) {
    idx[k] = f % ext[k];
    f /= ext[k];
    off += idx[k] * st[k];
  }
  const auto sz = std::int64_t(isz);
  while (n > 0) {
    const std::int64_t run = std::min(n, ext[last] - idx[last]);
    const std::byte* s = base + off * sz;
    switch (isz) {
      case 1: gather_row<std::uint8_t>(d, s, st[last], run); break;
      case 4: gather_row<std::uint32_t>(d, s, st[last], run); break;
      default: gather_row<std::uint64_t>(d, s, st[last], run); break;
    }
    d += run * sz;
    n -= run;
    idx[last] += run;
    off += run * st[last];
    for (std::size_t k = last; k > 0 && idx[k] == ext[k]; --k) {
      off -= idx[k] * st[k];
      idx[k] = 0;
      ++idx[k - 1];
      off += st[k - 1];
    }
  }
}

}  // namespace

coalesced coalesce(const shape_t& shape, const std::vector<operand_view>& inputs) {
  coalesced g;
  g.strides.resize(inputs.size());
  for (std::size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    bool merge = !g.ext.empty();
    for (std::size_t k = 0; merge && k < inputs.size(); ++k)
      merge = g.strides[k].back() == inputs[k].strides[d] * shape[d];
    if (merge) {
      g.ext.back() *= shape[d];
      for (std::size_t k = 0; k < inputs.size(); ++k) g.strides[k].back() = inputs[k].strides[d];
    } else {
      g.ext.push_back(shape[d]);
      for (std::size_t k = 0; k < inputs.size(); ++k) g.strides[k].push_back(inputs[k].strides[d]);
    }
  }
  const shape_t dense = c_strides(g.ext);
  for (const auto& st : g.strides) {
    if (std::all_of(st.begin(), st.end(), [](std::int64_t s) { return s == 0; }))
      g.kinds.push_back(coalesced::scalar);
    else if (st == dense)
      g.kinds.push_back(coalesced::contiguous);
    else
      g.kinds.push_back(coalesced::strided);
  }
  return g;
}

void run_program(const program& p, const shape_t& shape, const std::vector<operand_view>& inputs,
                 const std::vector<void*>& outputs) {
  run_program_range(p, shape, inputs, outputs, 0, numel(shape));
}

void run_program_range(const program& p, const shape_t& shape,
                       const std::vector<operand_view>& inputs, const std::vector<void*>& outputs,
                       std::int64_t begin, std::int64_t end) {
  if (inputs.size() != p.inputs.size() || outputs.size() != p.outputs.size())
    throw_error(errc::value_error, "run_program: operand count does not match the program");
  for (const auto& in : inputs)
    if (in.strides.size() != shape.size())
      throw_error(errc::value_error, "run_program: operand strides do not match the shape");
  begin = std::max<std::int64_t>(begin, 0);
  end = std::min(end, numel(shape));

  // Check and resolve every instruction once, before touching data.
  const std::size_t n_code = p.code.size();
  std::vector<kernel_fn> fns(n_code);
  std::vector<std::size_t> const_slot(n_code, 0);
  std::size_t n_const = 0;
  for (std::size_t i = 0; i < n_code; ++i) {
    const instr& in = p.code[i];
    const int ar = arity(in.op);
    bool ok = in.op == opcode::store ? in.b < p.n_regs && in.a < outputs.size()
                                     : in.dst < p.n_regs;
    if (in.op == opcode::load) ok = ok && in.a < inputs.size();
    if (ar >= 1) ok = ok && in.a < p.n_regs;
    if (ar >= 2) ok = ok && in.b < p.n_regs;
    if (ar >= 3) ok = ok && in.c < p.n_regs;
    if (!ok) throw_error(errc::value_error, "run_program: register or operand out of range");
    fns[i] = resolve(in);
    if (in.op == opcode::constant) const_slot[i] = n_const++;
  }
  if (end <= begin) return;

  const coalesced g = coalesce(shape, inputs);
  constexpr std::int64_t B = program_block;
  constexpr std::size_t block_bytes = B * 8;  // room for the widest type

  // One allocation: a block per register, a spare (for in-place widening), a block per
  // scalar input and per constant.
  std::size_t n_scalar = 0;
  std::vector<std::size_t> scalar_slot(inputs.size(), 0);
  for (std::size_t k = 0; k < inputs.size(); ++k)
    if (g.kinds[k] == coalesced::scalar) scalar_slot[k] = n_scalar++;
  buffer scratch((std::size_t(p.n_regs) + 1 + n_scalar + n_const) * block_bytes);
  std::vector<std::byte*> own(p.n_regs + 1);
  for (std::size_t r = 0; r <= p.n_regs; ++r) own[r] = scratch.data() + r * block_bytes;
  std::byte* const fixed = scratch.data() + (std::size_t(p.n_regs) + 1) * block_bytes;
  for (std::size_t k = 0; k < inputs.size(); ++k)
    if (g.kinds[k] == coalesced::scalar)
      fill_bytes(fixed + scalar_slot[k] * block_bytes, inputs[k].data, itemsize(p.inputs[k]), B);
  for (std::size_t i = 0; i < n_code; ++i)
    if (p.code[i].op == opcode::constant)
      fill_constant(fixed + (n_scalar + const_slot[i]) * block_bytes, p.code[i].type,
                    p.code[i].fimm, p.code[i].iimm, B);

  std::vector<const std::byte*> reg(p.n_regs, nullptr);
  for (std::int64_t f = begin; f < end; f += B) {
    const std::int64_t n = std::min(B, end - f);
    for (std::size_t i = 0; i < n_code; ++i) {
      const instr& in = p.code[i];
      switch (in.op) {
        case opcode::load: {
          const auto isz = itemsize(p.inputs[in.a]);
          const auto* base = static_cast<const std::byte*>(inputs[in.a].data);
          switch (g.kinds[in.a]) {
            case coalesced::scalar: reg[in.dst] = fixed + scalar_slot[in.a] * block_bytes; break;
            case coalesced::contiguous: reg[in.dst] = base + f * std::int64_t(isz); break;
            case coalesced::strided:
              gather(own[in.dst], base, g.ext, g.strides[in.a], f, n, isz);
              reg[in.dst] = own[in.dst];
              break;
          }
          break;
        }
        case opcode::constant:
          reg[in.dst] = fixed + (n_scalar + const_slot[i]) * block_bytes;
          break;
        case opcode::store: {
          const auto isz = itemsize(p.outputs[in.a]);
          std::byte* o = static_cast<std::byte*>(outputs[in.a]) + f * std::int64_t(isz);
          if (o != reg[in.b]) std::memcpy(o, reg[in.b], std::size_t(n) * isz);
          break;
        }
        default: {
          const int ar = arity(in.op);
          std::byte* target = own[in.dst];
          // An instruction that reads its own destination register writes into the spare
          // block instead (swapped in, free): then no kernel ever sees its output alias an
          // input, so every kernel loop is __restrict and vectorizes even at -O2.
          const bool reads_own = (ar >= 1 && reg[in.a] == target) ||
                                 (ar >= 2 && reg[in.b] == target) ||
                                 (ar >= 3 && reg[in.c] == target);
          if (reads_own) {
            std::swap(own[in.dst], own[p.n_regs]);
            target = own[in.dst];
          }
          fns[i](target, reg[in.a], ar >= 2 ? reg[in.b] : nullptr, ar >= 3 ? reg[in.c] : nullptr,
                 n);
          reg[in.dst] = target;
        }
      }
    }
  }
}

}  // namespace shoal
