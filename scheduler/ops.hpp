#pragma once
/// Array operations as the client hands them to the scheduler: plain data naming arrays by id.
/// Arrays named by id are immutable versions; a write makes a new id (the client rebinds its
/// handle), so the scheduler never has to reason about write-after-read hazards.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "arrays/buffer.hpp"
#include "arrays/custom_kernel.hpp"
#include "arrays/dtype.hpp"
#include "arrays/fill.hpp"
#include "arrays/program.hpp"
#include "arrays/random.hpp"
#include "arrays/reduce.hpp"
#include "arrays/shape.hpp"
#include "scheduler/view.hpp"

namespace shoal {

using array_id = std::uint64_t;

/// An input of an op: array `id` read through `map` (map.shape is what the op sees).
struct operand {
  array_id id = 0;
  view_map map;
};

enum class op_kind : std::uint8_t {
  fill,         ///< out = fill_tile(fill_k, fill_p)
  random,       ///< out = fill_random(...)
  from_host,    ///< out = host bytes (C order)
  elementwise,  ///< outs = prog(ins...), every input mapped to `shape`
  reduce,       ///< out = reduce(ins[0] (plain), red_k, axes, keepdims)
  matmul,       ///< out = ins[0] (m x k) @ ins[1] (k x n), both plain 2-d
  assemble,     ///< out[placement_i] = ins[i] (concatenate, copy of a view)
  reshape,      ///< out = ins[0] (plain) in C order with `shape`
  setitem,      ///< out = ins[0] (plain) with target(view of ins[0]) = ins[1] (mapped to target)
  kernel,       ///< out = custom kernel `kern` over every output tile (arrays/custom_kernel.hpp)
};

/// A launch of a registered custom kernel (op_kind::kernel).
struct kernel_launch {
  std::string name;
  std::vector<input_align> align;  ///< per input, as registered
  std::vector<double> params;
};

struct op {
  op_kind kind = op_kind::fill;
  std::vector<array_id> outs;
  shape_t shape;                   ///< output shape (every output of an elementwise op)
  std::vector<dtype> types;        ///< output dtypes
  std::vector<operand> ins;
  // fill / random
  fill_kind fill_k = fill_kind::full;
  fill_params fill_p;
  random_kind rand_k = random_kind::uniform;
  random_params rand_p;
  std::uint64_t seed = 0, stream = 0;
  // from_host
  std::shared_ptr<const buffer> host;
  // elementwise
  program prog;
  // reduce
  reduce_kind red_k = reduce_kind::sum;
  std::vector<bool> axes;  ///< per input dim
  bool keepdims = false;
  // assemble: where each input lands in the output (lo corner; extent = the input's shape)
  std::vector<shape_t> placement;
  // setitem
  view_map target;      ///< the written region, as a view of ins[0]
  bool donated = false; ///< ins[0] has no other reference: it may be updated in place
  // kernel
  kernel_launch kern;
};

/// What the client sends: ops in program order, then ids it no longer references.
struct op_batch {
  std::vector<op> ops;
  std::vector<array_id> released;
};

}  // namespace shoal
