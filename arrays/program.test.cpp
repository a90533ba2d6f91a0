#include "arrays/program.hpp"

#include <gtest/gtest.h>

namespace shoal {
namespace {

TEST(program, key_is_stable_and_distinguishes) {
  program p;
  p.inputs = {dtype::float32, dtype::float32};
  p.outputs = {dtype::float32};
  p.n_regs = 3;
  p.code = {{opcode::load, dtype::float32, dtype::float64, 0, 0},
            {opcode::load, dtype::float32, dtype::float64, 1, 1},
            {opcode::mul, dtype::float32, dtype::float64, 2, 0, 1},
            {opcode::constant, dtype::float32, dtype::float64, 1, 0, 0, 0, 1.5},
            {opcode::add, dtype::float32, dtype::float64, 2, 2, 1},
            {opcode::store, dtype::float32, dtype::float64, 0, 0, 2}};
  EXPECT_EQ(p.key(),
            "in float32 float32;out float32;regs 3;load float32 r0 0;load float32 r1 1;"
            "mul float32 r2 r0 r1;constant float32 r1 0x1.8p+0;add float32 r2 r2 r1;"
            "store float32 0 r2");
  program q = p;
  q.code[3].fimm = 1.25;
  EXPECT_NE(p.key(), q.key());
  q = p;
  q.code[2].op = opcode::sub;
  EXPECT_NE(p.key(), q.key());
  q = p;
  q.inputs[1] = dtype::float64;
  EXPECT_NE(p.key(), q.key());
}

TEST(program, opcode_names) {
  EXPECT_STREQ(opcode_name(opcode::floordiv), "floordiv");
  EXPECT_STREQ(opcode_name(opcode::where), "where");
  EXPECT_STREQ(opcode_name(opcode::logical_not), "logical_not");
}

}  // namespace
}  // namespace shoal
