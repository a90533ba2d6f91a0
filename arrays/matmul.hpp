#pragma once
/// Dense matrix product of row-major tiles: BLAS (OpenBLAS) for floats, loops for ints/bool.
#include <cstdint>

#include "arrays/dtype.hpp"

namespace shoal {

class thread_pool;

/// C[m x n] (+)= A[m x k] * B[k x n], all row-major and dense, one dtype. bool is logical
/// (or of ands), like NumPy; ints wrap. `threads` splits the product into panels (rows of C
/// when m >= n, else columns) run in parallel on a process-wide thread_pool of that size,
/// created on first use and kept (the BLAS itself is kept single-threaded so actors do not
/// oversubscribe cores). Throws value_error if a dimension exceeds the BLAS's int range.
void matmul_tile(dtype t, std::int64_t m, std::int64_t n, std::int64_t k, const void* a,
                 const void* b, void* c, bool accumulate, int threads = 1);

/// As above, with the panels run on the caller's pool (one panel per pool thread).
void matmul_tile(dtype t, std::int64_t m, std::int64_t n, std::int64_t k, const void* a,
                 const void* b, void* c, bool accumulate, thread_pool& pool);

}  // namespace shoal
