// CPU-only tests of the CUDA code generator: pure string checks, no GPU, no NVRTC.
// (The GPU test, program.gpu.test.cpp, compiles and runs the generated code.)
#include "arrays/cuda/program_codegen.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "arrays/errors.hpp"

namespace shoal::cuda {
namespace {

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
instr fconst(dtype t, std::uint16_t dst, double v) {
  instr i{opcode::constant, t};
  i.dst = dst;
  i.fimm = v;
  return i;
}
instr iconst(dtype t, std::uint16_t dst, std::int64_t v) {
  instr i{opcode::constant, t};
  i.dst = dst;
  i.iimm = v;
  return i;
}

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto pos = s.find(what); pos != std::string::npos; pos = s.find(what, pos + 1)) ++n;
  return n;
}

/// out0 = in0 * in1 + in2 (float32)
program fma_program() {
  const auto f = dtype::float32;
  program p;
  p.inputs = {f, f, f};
  p.outputs = {f};
  p.n_regs = 4;
  p.code = {I(opcode::load, f, 0, 0), I(opcode::load, f, 1, 1), I(opcode::mul, f, 3, 0, 1),
            I(opcode::load, f, 2, 2), I(opcode::add, f, 3, 3, 2), store(f, 0, 3)};
  return p;
}

codegen_layout all(input_layout l, std::size_t n, int rank = 0, bool vec = false) {
  codegen_layout c;
  c.inputs.assign(n, l);
  c.rank = rank;
  c.vector4 = vec;
  return c;
}

TEST(ProgramCodegen, SignatureAndStraightLineBody) {
  std::string name;
  const std::string s = cuda_source(fma_program(), all(input_layout::contiguous, 3), name);
  EXPECT_EQ(name.rfind("shoal_prog_", 0), 0u) << name;
  EXPECT_EQ(name.size(), std::string("shoal_prog_").size() + 16);
  EXPECT_NE(s.find("extern \"C\" __global__ void __launch_bounds__(256) " + name +
                   "(i64 n, int* err, const f32* in0, const f32* in1, const f32* in2, f32* out0)"),
            std::string::npos)
      << s;
  // one SSA line per instruction, registers reused across types are fresh variables
  EXPECT_NE(s.find("const f32 v2 = v0 * v1;"), std::string::npos) << s;
  EXPECT_NE(s.find("const f32 v4 = v2 + v3;"), std::string::npos) << s;
  EXPECT_NE(s.find("out0[i] = v4;"), std::string::npos) << s;
  EXPECT_NE(s.find("in0[i]"), std::string::npos);
  EXPECT_EQ(s.find("shoal_geom"), std::string::npos);  // no strided input
  EXPECT_EQ(s.find("sh_vec<f32, 4> x0"), std::string::npos);  // not vectorized
  EXPECT_EQ(count(s, "SH_INT_HELPERS(i32, u32)"), 1u);  // preamble once
  EXPECT_EQ(count(s, "__global__"), 1u);
  EXPECT_EQ(s.find("#include"), std::string::npos);  // NVRTC: no headers
}

TEST(ProgramCodegen, DeterministicNamesDifferByLayout) {
  std::string a, b, c, d;
  const auto p = fma_program();
  const auto s1 = cuda_source(p, all(input_layout::contiguous, 3), a);
  const auto s2 = cuda_source(p, all(input_layout::contiguous, 3), b);
  cuda_source(p, all(input_layout::contiguous, 3, 0, true), c);
  cuda_source(p, all(input_layout::strided, 3, 2), d);
  EXPECT_EQ(s1, s2);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_NE(a, d);
  EXPECT_NE(c, d);
}

TEST(ProgramCodegen, VectorPathLoadsFourAndHasTail) {
  std::string name;
  auto l = all(input_layout::contiguous, 3, 0, true);
  l.inputs[2] = input_layout::scalar;
  const std::string s = cuda_source(fma_program(), l, name);
  EXPECT_NE(s.find("const sh_vec<f32, 4> x0 = ((const sh_vec<f32, 4>*)in0)[j];"),
            std::string::npos) << s;
  EXPECT_NE(s.find("const sh_vec<f32, 4> x1"), std::string::npos);
  EXPECT_EQ(s.find("sh_vec<f32, 4> x2"), std::string::npos);  // scalar input: hoisted
  EXPECT_NE(s.find("const f32 s2 = in2[0];"), std::string::npos) << s;
  EXPECT_NE(s.find("y0.v[l] = v4;"), std::string::npos) << s;
  EXPECT_NE(s.find("((sh_vec<f32, 4>*)out0)[j] = y0;"), std::string::npos) << s;
  EXPECT_NE(s.find("for (i64 i = nv * 4 + tid; i < n; i += stride)"), std::string::npos) << s;
  EXPECT_EQ(l.key(), "ccs r0 v4");
}

TEST(ProgramCodegen, StridedInputsGetGeometry) {
  std::string name;
  codegen_layout l;
  l.inputs = {input_layout::strided, input_layout::contiguous, input_layout::strided};
  l.rank = 3;
  const std::string s = cuda_source(fma_program(), l, name);
  EXPECT_NE(s.find("struct shoal_geom { i64 ext[3]; i64 st[2][3]; };"), std::string::npos) << s;
  EXPECT_NE(s.find(", f32* out0, const shoal_geom g)"), std::string::npos) << s;
  EXPECT_NE(s.find("o0 += id * g.st[0][d];"), std::string::npos) << s;
  EXPECT_NE(s.find("o2 += id * g.st[1][d];"), std::string::npos) << s;
  EXPECT_NE(s.find("in0[o0]"), std::string::npos);
  EXPECT_NE(s.find("in1[i]"), std::string::npos);
  EXPECT_NE(s.find("in2[o2]"), std::string::npos);
  EXPECT_EQ(l.key(), "gcg r3");
}

TEST(ProgramCodegen, ConstantsAreExact) {
  const auto f = dtype::float64;
  program p;
  p.inputs = {};
  p.outputs = {f, dtype::float32, dtype::int32, dtype::int64, dtype::bool_, f};
  p.n_regs = 6;
  p.code = {fconst(f, 0, 0.1), store(f, 0, 0),
            fconst(dtype::float32, 1, -2.5), store(dtype::float32, 1, 1),
            iconst(dtype::int32, 2, std::int64_t(1) << 31), store(dtype::int32, 2, 2),
            iconst(dtype::int64, 3, std::numeric_limits<std::int64_t>::min()),
            store(dtype::int64, 3, 3),
            iconst(dtype::bool_, 4, 7), store(dtype::bool_, 4, 4),
            fconst(f, 5, std::numeric_limits<double>::quiet_NaN()), store(f, 5, 5)};
  std::string name;
  const std::string s = cuda_source(p, codegen_layout{}, name);
  EXPECT_NE(s.find("(f64)(0x1.999999999999ap-4)"), std::string::npos) << s;
  EXPECT_NE(s.find("(f32)(-0x1.4p+1)"), std::string::npos) << s;
  EXPECT_NE(s.find("(i32)(-2147483647 - 1)"), std::string::npos) << s;  // 2^31 wraps
  EXPECT_NE(s.find("(i64)(-9223372036854775807LL - 1)"), std::string::npos) << s;
  EXPECT_NE(s.find("const b8 v8 = (b8)1;"), std::string::npos) << s;
  EXPECT_NE(s.find("__longlong_as_double(0x7ff8000000000000LL)"), std::string::npos) << s;
}

TEST(ProgramCodegen, SemanticsHelpersAreUsed) {
  const auto i = dtype::int64, b = dtype::bool_, f = dtype::float32;
  program p;
  p.inputs = {i, i, f};
  p.outputs = {i, i, i, b, f, dtype::int32, i};
  p.n_regs = 8;
  instr c{opcode::cast, dtype::int32, f};
  c.dst = 0;  // r0 changes type: int64 -> int32
  c.a = 6;
  p.code = {I(opcode::load, i, 0, 0), I(opcode::load, i, 1, 1), I(opcode::floordiv, i, 2, 0, 1),
            store(i, 0, 2), I(opcode::mod, i, 3, 0, 1), store(i, 1, 3),
            I(opcode::pow, i, 4, 0, 1), store(i, 2, 4), I(opcode::lt, i, 5, 0, 1),
            store(b, 3, 5), I(opcode::load, f, 6, 2), I(opcode::maximum, f, 6, 6, 6),
            store(f, 4, 6), c, store(dtype::int32, 5, 0), I(opcode::neg, i, 7, 1),
            store(i, 6, 7)};
  EXPECT_TRUE(program_can_fail(p));
  std::string name;
  const std::string s = cuda_source(p, all(input_layout::contiguous, 3), name);
  EXPECT_NE(s.find("const i64 v2 = sh_floordiv(v0, v1);"), std::string::npos) << s;
  EXPECT_NE(s.find("const i64 v4 = sh_mod(v0, v1);"), std::string::npos) << s;
  EXPECT_NE(s.find("const i64 v6 = sh_ipow(v0, v1, err);"), std::string::npos) << s;
  EXPECT_NE(s.find("const b8 v8 = (b8)(v0 < v1);"), std::string::npos) << s;
  EXPECT_NE(s.find("const f32 v11 = ((v10 >= v10 || v10 != v10) ? v10 : v10);"),
            std::string::npos) << s;
  EXPECT_NE(s.find("const i32 v13 = sh_f2i32((f64)v11);"), std::string::npos) << s;
  EXPECT_NE(s.find("out5[i] = v13;"), std::string::npos) << s;
  EXPECT_NE(s.find("const i64 v15 = (i64)((u64)0 - (u64)v1);"), std::string::npos) << s;

  program q = fma_program();
  EXPECT_FALSE(program_can_fail(q));
}

TEST(ProgramCodegen, Float32UsesSuffixedMath) {
  const auto f = dtype::float32;
  program p;
  p.inputs = {f};
  p.outputs = {f};
  p.n_regs = 2;
  p.code = {I(opcode::load, f, 0, 0), I(opcode::sqrt, f, 1, 0), I(opcode::exp, f, 1, 1),
            I(opcode::tanh, f, 1, 1), I(opcode::abs, f, 1, 1), store(f, 0, 1)};
  std::string name;
  const std::string s = cuda_source(p, all(input_layout::contiguous, 1), name);
  EXPECT_NE(s.find("sqrtf(v0)"), std::string::npos) << s;
  EXPECT_NE(s.find("expf(v1)"), std::string::npos) << s;
  EXPECT_NE(s.find("tanhf(v2)"), std::string::npos) << s;
  EXPECT_NE(s.find("fabsf(v3)"), std::string::npos) << s;
}

TEST(ProgramCodegen, RejectsUnsupportedAndMalformed) {
  std::string name;
  // sqrt of an integer: type_error, as the CPU interpreter
  program p;
  p.inputs = {dtype::int32};
  p.outputs = {dtype::int32};
  p.n_regs = 2;
  p.code = {I(opcode::load, dtype::int32, 0, 0), I(opcode::sqrt, dtype::int32, 1, 0),
            store(dtype::int32, 0, 1)};
  try {
    cuda_source(p, all(input_layout::contiguous, 1), name);
    FAIL() << "expected type_error";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::type_error);
  }
  // bool subtract
  p.inputs = {dtype::bool_};
  p.outputs = {dtype::bool_};
  p.code = {I(opcode::load, dtype::bool_, 0, 0), I(opcode::sub, dtype::bool_, 1, 0, 0),
            store(dtype::bool_, 0, 1)};
  EXPECT_THROW(cuda_source(p, all(input_layout::contiguous, 1), name), error);

  auto value_error = [&](const program& q, const codegen_layout& l) {
    try {
      cuda_source(q, l, name);
      return false;
    } catch (const error& e) {
      return e.code() == errc::value_error;
    }
  };
  const auto f = fma_program();
  EXPECT_TRUE(value_error(f, all(input_layout::contiguous, 2)));        // input count
  EXPECT_TRUE(value_error(f, all(input_layout::strided, 3, 0)));        // strided, rank 0
  EXPECT_TRUE(value_error(f, all(input_layout::contiguous, 3, 2)));     // rank without strided
  EXPECT_TRUE(value_error(f, all(input_layout::strided, 3, 2, true)));  // vector + strided
  EXPECT_TRUE(value_error(f, all(input_layout::strided, 3, max_strided_rank + 1)));
  program r = f;
  r.code[1].dst = 2;  // r1 never written, then read by mul
  EXPECT_TRUE(value_error(r, all(input_layout::contiguous, 3)));
  r = f;
  r.code.back().b = 9;  // register out of range
  EXPECT_TRUE(value_error(r, all(input_layout::contiguous, 3)));
  r = f;
  r.code[0].type = dtype::float64;  // load type differs from the input dtype
  EXPECT_TRUE(value_error(r, all(input_layout::contiguous, 3)));
}

TEST(ProgramCodegen, EveryOpcodeAndDtypeGenerates) {
  // Every (opcode, dtype) pair the CPU supports produces source with exactly one kernel.
  const dtype ts[] = {dtype::bool_, dtype::int32, dtype::int64, dtype::float32, dtype::float64};
  int generated = 0;
  for (int o = int(opcode::neg); o <= int(opcode::ge); ++o)
    for (dtype t : ts) {
      const auto op = opcode(o);
      const bool unary = o <= int(opcode::logical_not);
      const bool to_bool = op == opcode::logical_not || o >= int(opcode::eq);
      const dtype rt = to_bool ? dtype::bool_ : t;
      program p;
      p.inputs = unary ? std::vector<dtype>{t} : std::vector<dtype>{t, t};
      p.outputs = {rt};
      p.n_regs = 3;
      p.code = {I(opcode::load, t, 0, 0)};
      if (!unary) p.code.push_back(I(opcode::load, t, 1, 1));
      p.code.push_back(I(op, t, 2, 0, 1));
      p.code.push_back(store(rt, 0, 2));
      std::string name;
      try {
        const auto s = cuda_source(p, all(input_layout::contiguous, p.inputs.size()), name);
        EXPECT_EQ(count(s, "__global__"), 1u);
        ++generated;
      } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::type_error) << opcode_name(op) << " " << dtype_name(t);
      }
    }
  EXPECT_GT(generated, 100);
}

}  // namespace
}  // namespace shoal::cuda
