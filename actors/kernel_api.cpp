/// shoal::launch: checks a custom kernel launch against the registration, then sends it to the
/// scheduler as an op (planned like elementwise ops: owner computes, inputs move as pieces).
#include "actors/kernel.hpp"

#include "actors/array_detail.hpp"
#include "actors/runtime.hpp"

namespace shoal {
namespace {

const char* align_name(const input_align& a) {
  switch (a.kind) {
    case input_align::same: return "same-tiling";
    case input_align::halo: return "halo";
    case input_align::broadcast: return "broadcast";
  }
  return "?";
}

}  // namespace

array launch(const std::string& name, const std::vector<array>& inputs, const launch_options& opts) {
  auto def = require_kernel(name);
  const std::string who = "kernel '" + name + "'";
  if (inputs.size() != def->inputs.size())
    throw_error(errc::type_error, who + " takes " + std::to_string(def->inputs.size()) + " input(s) (" +
                                      std::to_string(inputs.size()) + " given)");
  std::optional<shape_t> out_shape = opts.shape;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const client::node& n = detail::get(inputs[i]);
    const kernel_input& spec = def->inputs[i];
    if (spec.type && *spec.type != n.type)
      throw_error(errc::type_error, who + " input " + std::to_string(i) + " must be " +
                                        dtype_name(*spec.type) + ", got " + dtype_name(n.type));
    if (!out_shape && spec.align.kind != input_align::broadcast) out_shape = n.shape;
  }
  if (!out_shape)
    throw_error(errc::value_error, who + " has no same-tiling or halo input to take the output shape "
                                         "from: give the shape");
  for (auto d : *out_shape)
    if (d < 0) throw_error(errc::value_error, "negative dimensions are not allowed");
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const input_align& a = def->inputs[i].align;
    const shape_t& s = detail::get(inputs[i]).shape;
    if (a.kind != input_align::broadcast && s != *out_shape)
      throw_error(errc::value_error, who + " input " + std::to_string(i) + " (" + align_name(a) +
                                         ") has shape " + shape_str(s) + ", which does not align with the "
                                         "output shape " + shape_str(*out_shape));
  }
  const runtime_options& ro = runtime::get().options();
  const bool gpus = ro.gpus > 0;
  check_kernel_variants(*def, !gpus || ro.placement == "all", gpus);

  dtype t = opts.type ? *opts.type
            : def->out_type ? *def->out_type
            : inputs.empty() ? dtype::float64
                             : inputs[0].type();
  auto conn = client::current();
  op o;
  o.kind = op_kind::kernel;
  o.kern.name = name;
  o.kern.params = opts.params;
  for (auto& x : inputs) {
    o.ins.push_back(client::as_operand(detail::get(x)));
    o.kern.align.push_back(def->inputs[o.ins.size() - 1].align);
  }
  return client::make_array(conn, client::submit_new(conn, std::move(o), *out_shape, t), *out_shape, t);
}

}  // namespace shoal
