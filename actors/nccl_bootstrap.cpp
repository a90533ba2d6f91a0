#include "actors/nccl_bootstrap.hpp"

namespace shoal {

void remote_nccl_group(const std::vector<actor_info>& infos, planner_config& pc) {
#ifdef SHOAL_WITH_CUDA
  pc.gpu_group.clear();
  for (std::size_t g = 0; g < infos.size(); ++g)
    if (infos[g].kind == "gpu") pc.gpu_group.push_back(static_cast<int>(g));
#else
  (void)infos;
  (void)pc;
#endif
}

}  // namespace shoal
