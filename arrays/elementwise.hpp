#pragma once
/// CPU interpreter for fused elementwise programs.
#include <cstdint>
#include <vector>

#include "arrays/program.hpp"
#include "arrays/shape.hpp"

namespace shoal {

/// An input operand read over the output tile's index space: element i is at
/// data + sum(i_d * strides[d]) (strides in elements, 0 on broadcast dims).
struct operand_view {
  const void* data = nullptr;
  shape_t strides;
};

/// The index space of one call after dropping extent-1 dims and merging dims that every input
/// walks contiguously (outputs are dense, so they never prevent a merge). The CPU interpreter
/// and the CUDA runner share it, so both classify inputs the same way.
struct coalesced {
  enum kind : std::uint8_t { scalar, contiguous, strided };
  shape_t ext;
  std::vector<shape_t> strides;  ///< per input, over ext
  std::vector<kind> kinds;       ///< per input: all strides 0, C-contiguous over ext, or other
};
coalesced coalesce(const shape_t& shape, const std::vector<operand_view>& inputs);

/// Runs `p` over every index of `shape`. Outputs are dense C-order buffers of `shape`.
/// Processes blocks of a few thousand elements so intermediates stay in cache; the fast path
/// (all inputs contiguous or scalar-broadcast) walks the flat index. Throws shoal::error
/// (value_error "Integers to negative integer powers are not allowed.") for int pow with a
/// negative exponent.
void run_program(const program& p, const shape_t& shape, const std::vector<operand_view>& inputs,
                 const std::vector<void*>& outputs);

/// As run_program, but only for the C-order flat indices [begin, end) of `shape` (outputs are
/// still the whole dense buffers of `shape`; only that range is written). This is how a CPU
/// actor spreads one program over a thread_pool: chunk c runs [c*len, min((c+1)*len, n)).
/// Outputs must not overlap inputs except element for element (out is the same buffer as an
/// input read with the output's own strides).
void run_program_range(const program& p, const shape_t& shape,
                       const std::vector<operand_view>& inputs, const std::vector<void*>& outputs,
                       std::int64_t begin, std::int64_t end);

/// Elements per interpreter block (every register holds one block).
inline constexpr std::int64_t program_block = 2048;

}  // namespace shoal
