#pragma once
/// Dense matrix product of row-major tiles: BLAS (OpenBLAS) for floats, loops for ints/bool.
#include <cstdint>

#include "arrays/dtype.hpp"

namespace shoal {

/// C[m x n] (+)= A[m x k] * B[k x n], all row-major and dense, one dtype. bool is logical
/// (or of ands), like NumPy. `threads` splits the product into column panels run in parallel
/// (the BLAS itself is kept single-threaded so actors do not oversubscribe cores).
void matmul_tile(dtype t, std::int64_t m, std::int64_t n, std::int64_t k, const void* a,
                 const void* b, void* c, bool accumulate, int threads = 1);

}  // namespace shoal
