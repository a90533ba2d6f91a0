#include "scheduler/tasks.hpp"

namespace shoal {

shape_t operand_strides(const operand_spec& o, const shape_t& tile) {
  shape_t s = c_strides(o.extent);
  for (std::size_t d = 0; d < s.size() && d < tile.size(); ++d)
    if (o.extent[d] == 1 && tile[d] != 1) s[d] = 0;
  return s;
}

}  // namespace shoal
