#pragma once
/// Custom kernels over shoal arrays, for C++ authors: register a kernel (its CPU variant, an
/// optional CUDA variant, how each input aligns with the output) and launch it over arrays.
/// A launch is an op like any other: it returns at once, the scheduler gives each output tile
/// to its owner and moves the inputs there as pieces (halos included), and reading the result
/// waits. docs/cpp.md explains the alignment rules; samples/stencil_kernel.cpp is an example.
///
///   shoal::register_kernel({.name = "scale", .inputs = {{}}, .cpu = [](const shoal::kernel_args& a) {
///     auto* out = a.out.as<double>();
///     ...
///   }});
///   shoal::array y = shoal::launch("scale", {x}, {.params = {2.0}});
#include <optional>
#include <string>
#include <vector>

#include "actors/array.hpp"
#include "arrays/custom_kernel.hpp"

namespace shoal {

/// The output and parameters of one launch.
struct launch_options {
  /// Output shape; default: the shape of the first input aligned `same` or `halo`.
  std::optional<shape_t> shape{};
  /// Output dtype; default: the kernel's out_type, else the first input's dtype (float64 if none).
  std::optional<dtype> type{};
  /// Numbers every call of the kernel gets (kernel_args::params).
  std::vector<double> params{};
};

/// Runs kernel `name` over every tile of a new array. Errors, thrown at the call: KeyError for
/// an unknown name, TypeError for a wrong number of inputs, an input dtype the kernel does
/// not accept, or a variant the cluster needs and the kernel lacks (no CUDA variant while
/// tiles go to GPU actors), ValueError for inputs that do not align with the output shape.
array launch(const std::string& name, const std::vector<array>& inputs, const launch_options& opts = {});

}  // namespace shoal
