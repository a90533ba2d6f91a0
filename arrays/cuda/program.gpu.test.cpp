// GPU tests of the CUDA fused elementwise runner against the CPU interpreter: same program,
// same inputs (contiguous, scalar-broadcast, strided/broadcast/negative-stride, misaligned,
// odd sizes, 0-d, empty), results compared bit-exactly (ints, bool, and floats except the
// libm functions, which get rtol 1e-6 f32 / 1e-14 f64). Skips when no GPU is visible.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "arrays/cuda/device.hpp"
#include "arrays/cuda/program_codegen.hpp"
#include "arrays/cuda/program_runner.hpp"
#include "arrays/elementwise.hpp"
#include "arrays/errors.hpp"

namespace shoal::cuda {
namespace {

const dtype all_types[] = {dtype::bool_, dtype::int32, dtype::int64, dtype::float32,
                           dtype::float64};

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

bool is_unary(opcode op) { return op >= opcode::neg && op <= opcode::logical_not; }
bool is_compare(opcode op) { return op >= opcode::eq && op <= opcode::ge; }
bool is_libm(opcode op) {
  return op == opcode::exp || op == opcode::log || op == opcode::sin || op == opcode::cos ||
         op == opcode::tanh || op == opcode::pow;
}

program op_program(opcode op, dtype t) {
  const dtype rt = (is_compare(op) || op == opcode::logical_not) ? dtype::bool_ : t;
  program p;
  p.outputs = {rt};
  p.n_regs = 3;
  if (op == opcode::where) {
    p.inputs = {dtype::bool_, t, t};
    p.n_regs = 4;
    p.code = {I(opcode::load, dtype::bool_, 0, 0), I(opcode::load, t, 1, 1),
              I(opcode::load, t, 2, 2), I(opcode::where, t, 3, 0, 1, 2), store(t, 0, 3)};
    return p;
  }
  if (is_unary(op)) {
    p.inputs = {t};
    p.code = {I(opcode::load, t, 0, 0), I(op, t, 2, 0), store(rt, 0, 2)};
  } else {
    p.inputs = {t, t};
    p.code = {I(opcode::load, t, 0, 0), I(opcode::load, t, 1, 1), I(op, t, 2, 0, 1),
              store(rt, 0, 2)};
  }
  return p;
}

/// Random values that exercise the edge cases. flavor 1: non-negative exponents for int pow.
std::vector<std::byte> random_values(dtype t, std::int64_t n, std::mt19937_64& rng,
                                     int flavor = 0) {
  std::vector<std::byte> out(std::size_t(n) * itemsize(t));
  std::uniform_int_distribution<int> pick(0, 99);
  for (std::int64_t i = 0; i < n; ++i) {
    const int c = pick(rng);
    void* dst = out.data() + i * itemsize(t);
    auto put = [&](auto v) { std::memcpy(dst, &v, sizeof v); };
    switch (t) {
      case dtype::bool_: put(std::uint8_t(c & 1)); break;
      case dtype::int32:
      case dtype::int64: {
        const bool i32 = t == dtype::int32;
        const std::int64_t mn = i32 ? INT32_MIN : INT64_MIN, mx = i32 ? INT32_MAX : INT64_MAX;
        std::int64_t v;
        if (flavor == 1) v = std::uniform_int_distribution<std::int64_t>(0, 70)(rng);
        else if (c < 55) v = std::uniform_int_distribution<std::int64_t>(-20, 20)(rng);
        else if (c < 65) v = 0;
        else if (c < 75) v = (c & 1) ? 1 : -1;
        else if (c < 85) v = c % 3 == 0 ? mn : c % 3 == 1 ? mx : mn + 1;
        else v = std::uniform_int_distribution<std::int64_t>(mn, mx)(rng);
        if (i32) put(std::int32_t(v));
        else put(v);
        break;
      }
      case dtype::float32:
      case dtype::float64: {
        double v;
        const double inf = std::numeric_limits<double>::infinity();
        if (c < 40) v = std::uniform_real_distribution<double>(-50, 50)(rng);
        else if (c < 55) v = std::uniform_real_distribution<double>(-3, 3)(rng);
        else if (c < 67) v = double(std::uniform_int_distribution<int>(-10, 10)(rng));
        else if (c < 72) v = (c & 1) ? 0.0 : -0.0;
        else if (c < 77) v = std::numeric_limits<double>::quiet_NaN();
        else if (c < 82) v = (c & 1) ? inf : -inf;
        else if (c < 87) v = (c & 1) ? 1e30 : -1e30;
        else if (c < 92) v = (c & 1) ? 1e-30 : -3e9;
        else v = std::uniform_real_distribution<double>(-1e6, 1e6)(rng);
        if (t == dtype::float32) put(float(v));
        else put(v);
        break;
      }
    }
  }
  return out;
}

/// How an input is laid out in memory relative to the (2-d or 1-d) output shape.
enum class mode { contiguous, scalar, transposed, row_broadcast, reversed, misaligned };

struct host_operand {
  std::vector<std::byte> bytes;  // the whole allocation
  std::int64_t offset = 0;       // elements from the allocation start to element (0, ..., 0)
  shape_t strides;
};

host_operand make_operand(dtype t, const shape_t& shape, mode m, std::mt19937_64& rng,
                          int flavor) {
  host_operand o;
  const std::int64_t n = numel(shape);
  std::int64_t alloc = n;
  const std::size_t nd = shape.size();
  switch (m) {
    case mode::contiguous: o.strides = c_strides(shape); break;
    case mode::scalar:
      o.strides.assign(nd, 0);
      alloc = 1;
      break;
    case mode::transposed:  // read an array of the reversed shape through reversed strides
      o.strides.assign(nd, 0);
      for (std::size_t d = 0, s = 1; d < nd; ++d) {
        o.strides[d] = std::int64_t(s);
        s *= std::size_t(shape[d]);
      }
      break;
    case mode::row_broadcast:  // only the last dim varies
      o.strides.assign(nd, 0);
      if (nd) o.strides[nd - 1] = 1;
      alloc = nd ? shape[nd - 1] : 1;
      break;
    case mode::reversed:  // last dim walked backwards
      o.strides = c_strides(shape);
      if (nd) {
        o.strides[nd - 1] = -1;
        o.offset = shape[nd - 1] - 1;
      }
      break;
    case mode::misaligned:
      o.strides = c_strides(shape);
      o.offset = 1;
      alloc = n + 1;
      break;
  }
  o.bytes = random_values(t, std::max<std::int64_t>(alloc, 1), rng, flavor);
  return o;
}

bool same_float(double a, double b, bool libm, bool f32) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (!libm) return std::memcmp(&a, &b, sizeof a) == 0;  // bit-exact, -0.0 != 0.0
  if (a == b) return true;
  if (std::isinf(a) || std::isinf(b)) return false;
  const double rtol = f32 ? 1e-6 : 1e-14, atol = f32 ? 1e-30 : 1e-300;
  return std::fabs(a - b) <= rtol * std::max(std::fabs(a), std::fabs(b)) + atol;
}

class ProgramGpu : public ::testing::Test {
 protected:
  void SetUp() override {
    if (device_count() == 0) GTEST_SKIP() << "no CUDA device visible: GPU tests skipped";
    s_ = std::make_unique<stream>();
  }

  /// Runs p on the CPU and on the GPU over the same inputs; expects equal outputs.
  /// Returns the number of elements compared.
  std::int64_t compare(const program& p, const shape_t& shape, const std::vector<mode>& modes,
                       std::uint64_t seed, opcode op_for_tol = opcode::add,
                       const std::vector<int>& flavors = {}) {
    std::mt19937_64 rng(seed);
    const std::int64_t n = numel(shape);
    std::vector<host_operand> ops;
    std::vector<operand_view> cpu_in, gpu_in;
    std::vector<device_buffer> dev;
    for (std::size_t k = 0; k < p.inputs.size(); ++k) {
      const int fl = k < flavors.size() ? flavors[k] : 0;
      ops.push_back(make_operand(p.inputs[k], shape, modes[k], rng, fl));
    }
    for (std::size_t k = 0; k < p.inputs.size(); ++k) {
      const auto isz = std::int64_t(itemsize(p.inputs[k]));
      auto& o = ops[k];
      dev.emplace_back(o.bytes.size(), s_->get());
      check(cudaMemcpyAsync(dev.back().data(), o.bytes.data(), o.bytes.size(),
                            cudaMemcpyHostToDevice, s_->get()),
            "upload");
      cpu_in.push_back({o.bytes.data() + o.offset * isz, o.strides});
      gpu_in.push_back({dev.back().as<std::byte>() + o.offset * isz, o.strides});
    }
    std::vector<std::vector<std::byte>> cpu_out, gpu_out;
    std::vector<void*> cpu_ptr, gpu_ptr;
    std::vector<device_buffer> dev_out;
    for (std::size_t k = 0; k < p.outputs.size(); ++k) {
      const std::size_t bytes = std::size_t(n) * itemsize(p.outputs[k]);
      cpu_out.emplace_back(bytes, std::byte{0x5a});
      gpu_out.emplace_back(bytes, std::byte{0});
      dev_out.emplace_back(bytes, s_->get());
      if (bytes) check(cudaMemsetAsync(dev_out.back().data(), 0x5a, bytes, s_->get()), "memset");
      cpu_ptr.push_back(cpu_out.back().data());
      gpu_ptr.push_back(dev_out.back().data());
    }
    run_program(p, shape, cpu_in, cpu_ptr);
    run_program_cuda(p, shape, gpu_in, gpu_ptr, s_->get());
    for (std::size_t k = 0; k < p.outputs.size(); ++k)
      if (!gpu_out[k].empty())
        check(cudaMemcpyAsync(gpu_out[k].data(), dev_out[k].data(), gpu_out[k].size(),
                              cudaMemcpyDeviceToHost, s_->get()),
              "download");
    s_->synchronize();

    for (std::size_t k = 0; k < p.outputs.size(); ++k) {
      const dtype t = p.outputs[k];
      int bad = 0;
      for (std::int64_t i = 0; i < n && bad < 5; ++i) {
        const std::byte* c = cpu_out[k].data() + i * itemsize(t);
        const std::byte* g = gpu_out[k].data() + i * itemsize(t);
        bool ok;
        std::string cs, gs;
        if (is_float(t)) {
          double a, b;
          if (t == dtype::float32) {
            float x, y;
            std::memcpy(&x, c, 4);
            std::memcpy(&y, g, 4);
            a = x;
            b = y;
          } else {
            std::memcpy(&a, c, 8);
            std::memcpy(&b, g, 8);
          }
          ok = same_float(a, b, is_libm(op_for_tol), t == dtype::float32);
          cs = std::to_string(a);
          gs = std::to_string(b);
        } else {
          ok = std::memcmp(c, g, itemsize(t)) == 0;
          std::int64_t a = 0, b = 0;
          if (t == dtype::int64) {
            std::memcpy(&a, c, 8);
            std::memcpy(&b, g, 8);
          } else if (t == dtype::int32) {
            std::int32_t x, y;
            std::memcpy(&x, c, 4);
            std::memcpy(&y, g, 4);
            a = x;
            b = y;
          } else {
            a = std::int64_t(std::uint8_t(*c));
            b = std::int64_t(std::uint8_t(*g));
          }
          cs = std::to_string(a);
          gs = std::to_string(b);
        }
        if (!ok) {
          ++bad;
          ADD_FAILURE() << p.key() << " shape " << shape_str(shape) << " output " << k
                        << " element " << i << ": cpu " << cs << " gpu " << gs;
        }
      }
    }
    return n;
  }

  void every_opcode(dtype t);

  std::unique_ptr<stream> s_;
};

const std::vector<shape_t> shapes_2d = {{7, 13}, {33, 65}};

// Every opcode for one dtype (one test per dtype keeps each under ctest's 120 s: every
// (program, layout) pair is an NVRTC compile of ~0.1 s on first use).
void ProgramGpu::every_opcode(dtype t) {
  int programs = 0;
  for (int o = int(opcode::neg); o <= int(opcode::where); ++o) {
    const auto op = opcode(o);
    const program p = op_program(op, t);
    std::vector<int> flavors;
    if (op == opcode::pow && is_integer(t)) flavors = {0, 1};  // non-negative exponents
    // Unsupported pairs: the GPU runner throws the CPU's exact error.
    std::string cpu_msg;
    try {
      std::byte dummy[16]{};
      std::vector<operand_view> in(p.inputs.size(), operand_view{dummy, {1}});
      std::vector<void*> out(p.outputs.size(), dummy);
      run_program(p, {1}, in, out);
    } catch (const error& e) {
      cpu_msg = e.what();
      std::vector<operand_view> in(p.inputs.size(), operand_view{nullptr, {1}});
      std::vector<void*> out(p.outputs.size(), nullptr);
      try {
        run_program_cuda(p, {1}, in, out, s_->get());
        ADD_FAILURE() << "GPU accepted " << p.key();
      } catch (const error& g) {
        EXPECT_EQ(g.code(), e.code());
        EXPECT_EQ(std::string(g.what()), cpu_msg);
      }
      continue;
    }
    SCOPED_TRACE(p.key());
    const std::size_t ni = p.inputs.size();
    const std::uint64_t seed = std::uint64_t(o) * 131 + std::uint64_t(t);
    // 1-d contiguous, odd size (vector path + tail)
    compare(p, {1003}, std::vector<mode>(ni, mode::contiguous), seed, op, flavors);
    // misaligned: scalar path over contiguous data
    compare(p, {1001}, std::vector<mode>(ni, mode::misaligned), seed + 1, op, flavors);
    // scalar broadcast of the last input
    {
      std::vector<mode> m(ni, mode::contiguous);
      m.back() = mode::scalar;
      compare(p, {517}, m, seed + 2, op, flavors);
    }
    // strided / broadcast / negative strides, 2-d
    for (const auto& sh : shapes_2d) {
      std::vector<mode> m(ni, mode::transposed);
      if (ni > 1) m[1] = mode::row_broadcast;
      if (ni > 2) m[2] = mode::reversed;
      compare(p, sh, m, seed + 3, op, flavors);
      std::vector<mode> m2(ni, mode::reversed);
      m2[0] = mode::contiguous;
      compare(p, sh, m2, seed + 4, op, flavors);
    }
    // 0-d and empty
    compare(p, {}, std::vector<mode>(ni, mode::contiguous), seed + 5, op, flavors);
    compare(p, {0, 5}, std::vector<mode>(ni, mode::contiguous), seed + 6, op, flavors);
    ++programs;
  }
  EXPECT_GT(programs, 10);
}

TEST_F(ProgramGpu, EveryOpcodeBool) { every_opcode(dtype::bool_); }
TEST_F(ProgramGpu, EveryOpcodeInt32) { every_opcode(dtype::int32); }
TEST_F(ProgramGpu, EveryOpcodeInt64) { every_opcode(dtype::int64); }
TEST_F(ProgramGpu, EveryOpcodeFloat32) { every_opcode(dtype::float32); }
TEST_F(ProgramGpu, EveryOpcodeFloat64) { every_opcode(dtype::float64); }

TEST_F(ProgramGpu, EveryCastMatchesCpu) {
  for (dtype from : all_types)
    for (dtype to : all_types) {
      program p;
      p.inputs = {from};
      p.outputs = {to};
      p.n_regs = 2;
      p.code = {I(opcode::load, from, 0, 0), cast(to, from, 1, 0), store(to, 0, 1)};
      SCOPED_TRACE(p.key());
      compare(p, {4099}, {mode::contiguous}, 7 + int(from) * 5 + int(to));
      compare(p, {9, 31}, {mode::transposed}, 8);
    }
}

TEST_F(ProgramGpu, FusedProgramsWithConstantsAndRegisterReuse) {
  const auto f = dtype::float32, d = dtype::float64, i = dtype::int64, b = dtype::bool_;
  // out0 = where(a < b, a * 2.5 - 1, (float)((int64)b // 3)), out1 = a < b
  program p;
  p.inputs = {f, f};
  p.outputs = {f, b};
  p.n_regs = 4;
  p.code = {I(opcode::load, f, 0, 0), I(opcode::load, f, 1, 1), I(opcode::lt, f, 2, 0, 1),
            store(b, 1, 2), fconst(f, 3, 2.5), I(opcode::mul, f, 3, 0, 3), fconst(f, 0, 1.0),
            I(opcode::sub, f, 3, 3, 0), cast(i, f, 0, 1), iconst(i, 1, 3),
            I(opcode::floordiv, i, 0, 0, 1), cast(f, i, 1, 0), I(opcode::where, f, 3, 2, 3, 1),
            store(f, 0, 3)};
  compare(p, {100003}, {mode::contiguous, mode::contiguous}, 1);
  compare(p, {301, 7}, {mode::transposed, mode::row_broadcast}, 2);
  compare(p, {64}, {mode::scalar, mode::contiguous}, 3);

  // float64 chain with NaN constant and int32 wrap-around constant
  program q;
  q.inputs = {d, dtype::int32};
  q.outputs = {d, dtype::int32};
  q.n_regs = 3;
  q.code = {I(opcode::load, d, 0, 0), fconst(d, 1, std::nan("")), I(opcode::maximum, d, 2, 0, 1),
            I(opcode::minimum, d, 2, 2, 0), store(d, 0, 2), I(opcode::load, dtype::int32, 0, 1),
            iconst(dtype::int32, 1, std::int64_t(1) << 31), I(opcode::mul, dtype::int32, 2, 0, 0),
            I(opcode::add, dtype::int32, 2, 2, 1), store(dtype::int32, 1, 2)};
  compare(q, {2049}, {mode::contiguous, mode::contiguous}, 4);
  compare(q, {1}, {mode::scalar, mode::scalar}, 5);
}

TEST_F(ProgramGpu, InPlaceOutputAliasingInput) {
  const auto f = dtype::float32;
  program p;
  p.inputs = {f, f};
  p.outputs = {f};
  p.n_regs = 3;
  p.code = {I(opcode::load, f, 0, 0), I(opcode::load, f, 1, 1), I(opcode::mul, f, 2, 0, 1),
            I(opcode::add, f, 2, 2, 0), store(f, 0, 2)};
  const std::int64_t n = 100001;
  std::mt19937_64 rng(11);
  auto a = random_values(f, n, rng), bb = random_values(f, n, rng);
  std::vector<std::byte> expect(a.size());
  run_program(p, {n}, {{a.data(), {1}}, {bb.data(), {1}}}, {expect.data()});
  device_buffer da(a.size(), s_->get()), db(bb.size(), s_->get());
  check(cudaMemcpyAsync(da.data(), a.data(), a.size(), cudaMemcpyHostToDevice, s_->get()), "up");
  check(cudaMemcpyAsync(db.data(), bb.data(), bb.size(), cudaMemcpyHostToDevice, s_->get()), "up");
  run_program_cuda(p, {n}, {{da.data(), {1}}, {db.data(), {1}}}, {da.data()}, s_->get());
  std::vector<std::byte> got(a.size());
  check(cudaMemcpyAsync(got.data(), da.data(), got.size(), cudaMemcpyDeviceToHost, s_->get()),
        "down");
  s_->synchronize();
  for (std::int64_t i = 0; i < n; ++i) {
    float x, y;
    std::memcpy(&x, expect.data() + 4 * i, 4);
    std::memcpy(&y, got.data() + 4 * i, 4);
    ASSERT_TRUE(same_float(x, y, false, true)) << i << ": " << x << " vs " << y;
  }
}

TEST_F(ProgramGpu, IntPowNegativeExponentIsAnError) {
  for (dtype t : {dtype::int32, dtype::int64}) {
    const program p = op_program(opcode::pow, t);
    const std::int64_t n = 1000;
    std::vector<std::byte> a(n * itemsize(t), std::byte{0}), e(n * itemsize(t), std::byte{0});
    // exponent -1 at one element only
    if (t == dtype::int32) {
      std::int32_t v = -1;
      std::memcpy(e.data() + 777 * 4, &v, 4);
    } else {
      std::int64_t v = -1;
      std::memcpy(e.data() + 777 * 8, &v, 8);
    }
    device_buffer da(a.size(), s_->get()), de(e.size(), s_->get()), dout(a.size(), s_->get());
    check(cudaMemcpyAsync(da.data(), a.data(), a.size(), cudaMemcpyHostToDevice, s_->get()), "");
    check(cudaMemcpyAsync(de.data(), e.data(), e.size(), cudaMemcpyHostToDevice, s_->get()), "");
    const std::vector<operand_view> in = {{da.data(), {1}}, {de.data(), {1}}};
    // without program_errors: synchronous check
    try {
      run_program_cuda(p, {n}, in, {dout.data()}, s_->get());
      ADD_FAILURE() << "expected value_error";
    } catch (const error& err) {
      EXPECT_EQ(err.code(), errc::value_error);
      EXPECT_STREQ(err.what(), "Integers to negative integer powers are not allowed.");
    }
    // with program_errors: the launch returns, check() reports it, then the flag is clear
    program_errors errors(s_->get());
    EXPECT_NO_THROW(run_program_cuda(p, {n}, in, {dout.data()}, s_->get(), &errors));
    try {
      errors.check();
      ADD_FAILURE() << "expected value_error from check()";
    } catch (const error& err) {
      EXPECT_EQ(err.code(), errc::value_error);
    }
    EXPECT_NO_THROW(errors.check());
    // non-negative exponents: no error
    const std::vector<operand_view> ok = {{da.data(), {1}}, {da.data(), {1}}};
    EXPECT_NO_THROW(run_program_cuda(p, {n}, ok, {dout.data()}, s_->get(), &errors));
    EXPECT_NO_THROW(errors.check());
    EXPECT_NO_THROW(run_program_cuda(p, {n}, ok, {dout.data()}, s_->get()));
  }
}

TEST_F(ProgramGpu, KernelsAreCached) {
  program p = op_program(opcode::add, dtype::int32);  // in0 + in1 + 12345: used nowhere else
  p.n_regs = 4;
  p.code.pop_back();
  p.code.push_back(iconst(dtype::int32, 3, 12345));
  p.code.push_back(I(opcode::add, dtype::int32, 2, 2, 3));
  p.code.push_back(store(dtype::int32, 0, 2));
  compare(p, {1000}, {mode::contiguous, mode::contiguous}, 1);
  const auto before = program_cache_size();
  compare(p, {1000}, {mode::contiguous, mode::contiguous}, 2);
  compare(p, {2000}, {mode::contiguous, mode::contiguous}, 3);
  EXPECT_EQ(program_cache_size(), before);
  compare(p, {1000}, {mode::contiguous, mode::scalar}, 4);  // another layout
  EXPECT_EQ(program_cache_size(), before + 1);
}

TEST_F(ProgramGpu, OutOfMemoryIsMemoryError) {
  try {
    device_buffer huge(std::size_t(1) << 50, s_->get());  // 1 PiB
    ADD_FAILURE() << "allocated 1 PiB?";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::memory_error);
    EXPECT_NE(std::string(e.what()).find("CUDA out of memory: could not allocate"),
              std::string::npos)
        << e.what();
  }
}

TEST_F(ProgramGpu, TimingFmaFloat32) {
  const auto f = dtype::float32;
  program p;
  p.inputs = {f, f, f};
  p.outputs = {f};
  p.n_regs = 4;
  p.code = {I(opcode::load, f, 0, 0), I(opcode::load, f, 1, 1), I(opcode::mul, f, 3, 0, 1),
            I(opcode::load, f, 2, 2), I(opcode::add, f, 3, 3, 2), store(f, 0, 3)};
  for (int lg : {24, 28}) {
    const std::int64_t n = std::int64_t(1) << lg;
    const std::size_t bytes = std::size_t(n) * 4;
    std::unique_ptr<device_buffer> a, b, c, o;
    try {
      a = std::make_unique<device_buffer>(bytes, s_->get());
      b = std::make_unique<device_buffer>(bytes, s_->get());
      c = std::make_unique<device_buffer>(bytes, s_->get());
      o = std::make_unique<device_buffer>(bytes, s_->get());
    } catch (const error&) {
      std::printf("a*b+c 2^%d float32: not enough device memory, skipped\n", lg);
      continue;
    }
    for (auto* buf : {a.get(), b.get(), c.get()})
      check(cudaMemsetAsync(buf->data(), 0, bytes, s_->get()), "memset");
    const std::vector<operand_view> in = {
        {a->data(), {1}}, {b->data(), {1}}, {c->data(), {1}}};
    const auto t0 = std::chrono::steady_clock::now();
    run_program_cuda(p, {n}, in, {o->data()}, s_->get());  // compiles (first time)
    s_->synchronize();
    const double first_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    event start, stop;
    const int reps = 20;
    start.record(s_->get());
    for (int r = 0; r < reps; ++r) run_program_cuda(p, {n}, in, {o->data()}, s_->get());
    stop.record(s_->get());
    stop.synchronize();
    const double ms = stop.elapsed_ms_since(start) / reps;
    std::printf("a*b+c 2^%d float32: %.3f ms per call (%.0f GB/s over 4 arrays); first call "
                "incl. compile %.1f ms\n",
                lg, ms, 4.0 * double(bytes) / (ms * 1e6), first_ms);
  }
}

}  // namespace
}  // namespace shoal::cuda
