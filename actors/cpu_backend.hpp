#pragma once
/// The CPU backend: host memory, kernels spread by rows over a thread pool.
#include <memory>

#include "actors/backend.hpp"

namespace shoal {

std::unique_ptr<backend> make_cpu_backend(int threads);

}  // namespace shoal
