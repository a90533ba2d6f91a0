/// The defaults of backends without collectives (CPU actors).
#include "actors/backend.hpp"

#include "arrays/errors.hpp"

namespace shoal {

void backend::join_collectives(const nccl::member&) {
  throw_error(errc::runtime_error, "shoal: only GPU actors join the NCCL communicator");
}

int backend::all_reduce(reduce_kind, dtype, void*, std::int64_t, std::uint64_t, int, bool) {
  throw_error(errc::runtime_error, "shoal: an all-reduce needs a GPU actor in the communicator");
}

void backend::exchange(const std::vector<nccl::transfer>&, std::uint64_t) {
  throw_error(errc::runtime_error, "shoal: an NCCL exchange needs a GPU actor in the communicator");
}

}  // namespace shoal
