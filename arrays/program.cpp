/// Text forms of fused elementwise programs.
#include "arrays/program.hpp"

#include <cstdio>

namespace shoal {

const char* opcode_name(opcode op) {
  switch (op) {
    case opcode::load: return "load";
    case opcode::constant: return "constant";
    case opcode::cast: return "cast";
    case opcode::store: return "store";
    case opcode::neg: return "neg";
    case opcode::abs: return "abs";
    case opcode::sqrt: return "sqrt";
    case opcode::exp: return "exp";
    case opcode::log: return "log";
    case opcode::sin: return "sin";
    case opcode::cos: return "cos";
    case opcode::tanh: return "tanh";
    case opcode::invert: return "invert";
    case opcode::logical_not: return "logical_not";
    case opcode::add: return "add";
    case opcode::sub: return "sub";
    case opcode::mul: return "mul";
    case opcode::div: return "div";
    case opcode::floordiv: return "floordiv";
    case opcode::mod: return "mod";
    case opcode::pow: return "pow";
    case opcode::maximum: return "maximum";
    case opcode::minimum: return "minimum";
    case opcode::bit_and: return "bit_and";
    case opcode::bit_or: return "bit_or";
    case opcode::bit_xor: return "bit_xor";
    case opcode::eq: return "eq";
    case opcode::ne: return "ne";
    case opcode::lt: return "lt";
    case opcode::le: return "le";
    case opcode::gt: return "gt";
    case opcode::ge: return "ge";
    case opcode::where: return "where";
  }
  return "?";
}

std::string program::key() const {
  // One line per instruction with every operand the op uses; constants in hex-float so the key
  // is exact and independent of locale. Example:
  //   "in f32 f32 f32;out f32;regs 4;load f32 r0 0;load f32 r1 1;mul f32 r2 r0 r1;..."
  std::string k = "in";
  for (auto t : inputs) (k += ' ') += dtype_name(t);
  k += ";out";
  for (auto t : outputs) (k += ' ') += dtype_name(t);
  k += ";regs " + std::to_string(n_regs);
  char buf[64];
  for (const auto& i : code) {
    k += ';';
    k += opcode_name(i.op);
    k += ' ';
    k += dtype_name(i.type);
    switch (i.op) {
      case opcode::load: k += " r" + std::to_string(i.dst) + " " + std::to_string(i.a); break;
      case opcode::store: k += " " + std::to_string(i.a) + " r" + std::to_string(i.b); break;
      case opcode::constant:
        k += " r" + std::to_string(i.dst);
        if (is_float(i.type)) {
          std::snprintf(buf, sizeof buf, " %a", i.fimm);
          k += buf;
        } else {
          k += " " + std::to_string(i.iimm);
        }
        break;
      case opcode::cast:
        k += " r" + std::to_string(i.dst) + " " + dtype_name(i.src) + " r" + std::to_string(i.a);
        break;
      case opcode::where:
        k += " r" + std::to_string(i.dst) + " r" + std::to_string(i.a) + " r" +
             std::to_string(i.b) + " r" + std::to_string(i.c);
        break;
      case opcode::neg: case opcode::abs: case opcode::sqrt: case opcode::exp:
      case opcode::log: case opcode::sin: case opcode::cos: case opcode::tanh:
      case opcode::invert: case opcode::logical_not:
        k += " r" + std::to_string(i.dst) + " r" + std::to_string(i.a);
        break;
      default:
        k += " r" + std::to_string(i.dst) + " r" + std::to_string(i.a) + " r" +
             std::to_string(i.b);
    }
  }
  return k;
}

}  // namespace shoal
