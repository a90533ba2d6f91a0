#pragma once
/// CUDA C++ source for a fused elementwise program (the GPU twin of arrays/elementwise.cpp).
/// Pure string generation: no CUDA headers, builds and is tested without a GPU. The runner
/// (program_runner.hpp) compiles the source with NVRTC.
///
/// The generated kernel reproduces the CPU interpreter's per-element semantics exactly
/// (arrays/elementwise_ops.hpp): integers wrap (computed in unsigned), NumPy floor_divide /
/// remainder (x//0 == 0, MIN//-1 == MIN, float remainder has the divisor's sign, npy_divmod),
/// NaN-propagating maximum/minimum, astype casts (float -> int of NaN / out of range gives the
/// type's minimum, like x86), bool ops on 0/1 bytes. It must be compiled with --fmad=false
/// (no a*b+c contraction) so float add/sub/mul/div/sqrt are bit-identical to the CPU;
/// exp/log/sin/cos/tanh/pow use CUDA's libm (a few ulp from glibc).
///
/// Generated code, per element: every instruction is one line defining a fresh local
/// (SSA: `const float v3 = v1 * v2;`), so registers that change type are no problem.
/// Element types: bool -> unsigned char holding 0/1 (1 byte in memory, like the CPU's
/// uint8_t storage), int32 -> int, int64 -> long long, float32 -> float, float64 -> double.
///
/// Kernel signature (`extern "C"`, name returned in kernel_name):
///   (long long n, int* err, const T0* in0, ..., const Tk* ink, U0* out0, ..., [shoal_geom g])
/// n: number of elements (flat C-order index space of the output); err: device int set to 1
/// when an integer pow has a negative exponent (may be null when the program has none);
/// outputs are dense. g is present only when layout.rank > 0:
///   struct shoal_geom { long long ext[rank]; long long st[n_strided][rank]; };
/// (coalesced extents, then the element strides of each strided input in input order), all
/// 64-bit so the host passes a plain array of (1 + n_strided) * rank long longs.
#include <cstdint>
#include <string>
#include <vector>

#include "arrays/program.hpp"

namespace shoal::cuda {

/// How the kernel reads one input, over the flat index i of the output.
enum class input_layout : std::uint8_t {
  contiguous,  ///< element i
  scalar,      ///< element 0 (broadcast: every stride 0)
  strided,     ///< n-d offset: i decomposed over g.ext, dotted with this input's g.st row
};

struct codegen_layout {
  std::vector<input_layout> inputs;  ///< one per program input
  /// Rank of the coalesced index space (length of g.ext); 0 when no input is strided.
  int rank = 0;
  /// Each thread handles 4 consecutive elements with vector loads/stores (16 bytes for
  /// float32): only without strided inputs, and only when every contiguous input and output
  /// pointer is aligned to 4 * itemsize (the runner checks). A scalar loop does the tail.
  bool vector4 = false;
  /// Stable text (part of the kernel cache key), e.g. "c s g2 v".
  std::string key() const;
};

/// Threads per block the generated kernel is built for (__launch_bounds__).
inline constexpr int program_block_threads = 256;
/// Largest rank of a strided index space (kernel parameters stay far below 4 KB).
inline constexpr int max_strided_rank = 16;

/// CUDA C++ source (NVRTC, -std=c++17, no includes) of one kernel running `p` with `layout`.
/// Sets kernel_name to the kernel's extern "C" name (derived from p.key() and layout.key()).
/// Throws shoal::error: value_error for a malformed program or layout, type_error for an
/// (opcode, dtype) pair the CPU interpreter does not support either.
std::string cuda_source(const program& p, const codegen_layout& layout, std::string& kernel_name);

/// Whether `p` contains an integer pow (the only op that can set the error flag).
bool program_can_fail(const program& p);

}  // namespace shoal::cuda
