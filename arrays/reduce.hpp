#pragma once
/// Reductions over a dense tile, and the combination of per-tile partials.
#include <cstdint>
#include <vector>

#include "arrays/dtype.hpp"
#include "arrays/shape.hpp"

namespace shoal {

enum class reduce_kind : std::uint8_t { sum, prod, min, max, any, all, argmin, argmax };

/// The result dtype NumPy gives: sum/prod: bool/int32/int64 -> int64, floats keep;
/// min/max keep; any/all bool; argmin/argmax int64.
dtype reduce_result(reduce_kind k, dtype in);

/// Reduces a dense C-order tile `in` (dtype `in_type`, shape `shape`) over the dims where
/// `axes[d]` is true. Output `out` is dense with `shape` but extent 1 on reduced dims, dtype
/// reduce_result(k, in_type). Floats are summed pairwise (as NumPy). min/max propagate NaN.
/// min/max/argmin/argmax of zero elements is the caller's error (NumPy's ValueError).
/// Arg-reductions also need where the tile sits: `origin` (tile's lo in the global array) and
/// `global_shape`; `out_index` receives, per output element, the flat C-order index over the
/// reduced dims of the global array (axis=None: the flat index; one axis: the coordinate), and
/// `out` receives the value (dtype in_type) for combining.
void reduce_tile(reduce_kind k, dtype in_type, const void* in, const shape_t& shape,
                 const std::vector<bool>& axes, void* out, std::int64_t* out_index = nullptr,
                 const shape_t& origin = {}, const shape_t& global_shape = {});

/// acc = combine(acc, part) elementwise over n elements (dtype `t` is the partial's dtype:
/// reduce_result for sum/prod/any/all/min/max; the input dtype for arg-reductions, with the
/// indices in acc_index/part_index; ties and NaN keep the first occurrence, i.e. the
/// smaller index, like NumPy).
void combine_partials(reduce_kind k, dtype t, void* acc, const void* part, std::int64_t n,
                      std::int64_t* acc_index = nullptr, const std::int64_t* part_index = nullptr);

}  // namespace shoal
