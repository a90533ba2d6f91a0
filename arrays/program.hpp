#pragma once
/// A fused elementwise program: straight-line code over block registers. The client turns
/// a chain of elementwise ops into one program; a CPU actor interprets it block by block
/// (each instruction is one tight loop over a block that stays in cache); a GPU actor will
/// turn the same program into CUDA source for NVRTC. Plain data: it travels in messages.
#include <cstdint>
#include <string>
#include <vector>

#include "arrays/dtype.hpp"

namespace shoal {

enum class opcode : std::uint8_t {
  // data movement
  load,      ///< r[dst] = input[a]           (type == the input's dtype)
  constant,  ///< r[dst] = imm                (int/bool from iimm, floats from fimm)
  cast,      ///< r[dst]:type = r[a]:src      (NumPy astype semantics; float->bool is x != 0)
  store,     ///< output[a] = r[b]            (type == the output's dtype)
  // unary, r[dst]:type = f(r[a]:type)
  neg, abs, sqrt, exp, log, sin, cos, tanh,
  invert,       ///< bitwise not for integers, logical not for bool
  logical_not,  ///< result bool
  // binary, r[dst]:type = f(r[a]:type, r[b]:type)
  add, sub, mul,
  div,       ///< true division, float types only (the client casts integers first)
  floordiv,  ///< NumPy floor_divide: floor for floats, Python semantics for ints, x//0 == 0
  mod,       ///< NumPy remainder: sign of the divisor; int x%0 == 0, float x%0 == nan
  pow,       ///< ints: exact with wrap-around, negative exponent is an error; floats: std::pow
  maximum, minimum,  ///< NaN propagates
  bit_and, bit_or, bit_xor,  ///< ints and bool
  // comparisons: r[dst]:bool = f(r[a]:type, r[b]:type)
  eq, ne, lt, le, gt, ge,
  // select: r[dst]:type = r[a]:bool ? r[b]:type : r[c]:type
  where,
};

struct instr {
  opcode op;
  dtype type = dtype::float64;  ///< the type the op computes in (see each opcode)
  dtype src = dtype::float64;   ///< cast only: the source register's dtype
  std::uint16_t dst = 0, a = 0, b = 0, c = 0;
  double fimm = 0;
  std::int64_t iimm = 0;
};

struct program {
  std::vector<instr> code;
  std::uint16_t n_regs = 0;
  std::vector<dtype> inputs;   ///< dtype of each input operand
  std::vector<dtype> outputs;  ///< dtype of each output
  /// A stable text form (cache key for generated kernels, and for debugging).
  std::string key() const;
};

const char* opcode_name(opcode op);

}  // namespace shoal
