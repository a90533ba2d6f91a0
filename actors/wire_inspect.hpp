#pragma once
/// CAF `inspect` functions for every struct that crosses the wire (tasks, pieces, reads,
/// stats). One definition serves CAF's own inspectors (binary_serializer, to_string) and the
/// msgpack codec of transport/. Shard bytes never go element by element: a buffer is handed
/// to the codec as a raw frame when the inspector is a frame_sink/frame_source
/// (transport/frames.hpp), else written inline (CAF's binary format, to_string).
/// In-process messages still travel by pointer: inspect runs only when something encodes.
#include <cstdint>
#include <cstring>
#include <memory>
#include <type_traits>
#include <utility>
#include <variant>

#include <caf/all.hpp>

#include "actors/runtime.hpp"
#include "transport/frames.hpp"
#include "transport/std_inspect.hpp"
#include "arrays/buffer.hpp"
#include "arrays/errors.hpp"
#include "arrays/program.hpp"
#include "arrays/tiling.hpp"
#include "scheduler/tasks.hpp"

namespace shoal {

namespace wire_detail {

/// Marks "no buffer" (a piece that carries an error instead of data).
constexpr std::uint32_t no_frame = 0xffffffffu;

template <class Inspector>
typename Inspector::result_type save_buffer(Inspector& f, const buffer* b, const buffer_ptr& keep) {
  if constexpr (std::is_same_v<typename Inspector::result_type, void>) {
    // to_string: the size says enough.
    std::int64_t bytes = b ? static_cast<std::int64_t>(b->bytes()) : -1;
    f(caf::meta::type_name("buffer"), bytes);
  } else {
    if constexpr (std::is_polymorphic_v<Inspector>) {
      if (auto* sink = dynamic_cast<frame_sink*>(&f)) {
        std::uint32_t idx = b ? sink->put_frame(keep) : no_frame;
        return f(idx);
      }
    }
    std::uint64_t n = b ? b->bytes() : 0;
    std::uint8_t present = b != nullptr;
    if (auto e = f(present, n)) return e;
    if (n == 0) return {};
    return f.apply_raw(static_cast<std::size_t>(n), const_cast<std::byte*>(b->data()));
  }
}

template <class Inspector>
typename Inspector::result_type load_buffer(Inspector& f, buffer_ptr& out) {
  if constexpr (std::is_polymorphic_v<Inspector>) {
    if (auto* src = dynamic_cast<frame_source*>(&f)) {
      std::uint32_t idx = 0;
      if (auto e = f(idx)) return e;
      if (idx == no_frame) {
        out = nullptr;
        return {};
      }
      out = src->get_frame(idx);
      if (!out) return caf::make_error(caf::sec::invalid_argument, "shoal: message names a missing frame");
      return {};
    }
  }
  std::uint8_t present = 0;
  std::uint64_t n = 0;
  if (auto e = f(present, n)) return e;
  if (!present) {
    out = nullptr;
    return {};
  }
  out = make_buffer(static_cast<std::size_t>(n));
  if (n == 0) return {};
  return f.apply_raw(static_cast<std::size_t>(n), out->data());
}

}  // namespace wire_detail

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, buffer_ptr& x) {
  if constexpr (Inspector::writes_state)
    return wire_detail::load_buffer(f, x);
  else
    return wire_detail::save_buffer(f, x.get(), x);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, std::shared_ptr<const buffer>& x) {
  if constexpr (Inspector::writes_state) {
    buffer_ptr b;
    auto e = wire_detail::load_buffer(f, b);
    x = std::move(b);
    return e;
  } else {
    // The codec only reads the bytes; it never writes through this pointer.
    return wire_detail::save_buffer(f, x.get(), std::const_pointer_cast<buffer>(x));
  }
}

// ---- arrays/

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, error_info& x) {
  return f(caf::meta::type_name("error_info"), x.code, x.message);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, box& x) {
  return f(caf::meta::type_name("box"), x.lo, x.hi);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tiling& x) {
  return f(caf::meta::type_name("tiling"), x.shape, x.tile);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, instr& x) {
  return f(caf::meta::type_name("instr"), x.op, x.type, x.src, x.dst, x.a, x.b, x.c, x.fimm, x.iimm);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, program& x) {
  return f(caf::meta::type_name("program"), x.code, x.n_regs, x.inputs, x.outputs);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, fill_params& x) {
  return f(caf::meta::type_name("fill_params"), x.fa, x.fb, x.ia, x.ib, x.count, x.endpoint, x.k);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, random_params& x) {
  return f(caf::meta::type_name("random_params"), x.lo, x.hi, x.ilo, x.ihi);
}

// ---- scheduler/tasks.hpp

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, strided_src& x) {
  return f(caf::meta::type_name("strided_src"), x.key, x.offset, x.strides);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, piece_spec& x) {
  return f(caf::meta::type_name("piece_spec"), x.local, x.src, x.tag, x.extent, x.dst_offset, x.dst_strides);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, operand_spec& x) {
  return f(caf::meta::type_name("operand_spec"), x.type, x.direct, x.src, x.extent, x.pieces);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, fill_task& x) {
  return f(caf::meta::type_name("fill_task"), x.out, x.type, x.random, x.fill_k, x.fill_p, x.rand_k, x.rand_p,
           x.seed, x.stream, x.global_shape, x.tile);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, host_task& x) {
  return f(caf::meta::type_name("host_task"), x.out, x.type, x.host, x.global_shape, x.tile);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, send_task& x) {
  return f(caf::meta::type_name("send_task"), x.src, x.type, x.extent, x.dest, x.tag);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, program_task& x) {
  return f(caf::meta::type_name("program_task"), x.outs, x.prog, x.tile, x.ins);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, partial_task& x) {
  return f(caf::meta::type_name("partial_task"), x.in, x.type, x.tile, x.kind, x.axes, x.origin, x.global_shape,
           x.dest, x.tag);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, combine_task& x) {
  return f(caf::meta::type_name("combine_task"), x.out, x.partial_type, x.kind, x.count, x.parts, x.collective,
           x.keep);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, matmul_task& x) {
  return f(caf::meta::type_name("matmul_task"), x.out, x.type, x.m, x.n, x.k, x.a, x.b);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, assemble_task& x) {
  return f(caf::meta::type_name("assemble_task"), x.out, x.data);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, update_task& x) {
  return f(caf::meta::type_name("update_task"), x.out, x.old, x.in_place, x.value, x.extent, x.dst_offset,
           x.dst_strides);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, alias_task& x) {
  return f(caf::meta::type_name("alias_task"), x.out, x.old);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, free_task& x) {
  return f(caf::meta::type_name("free_task"), x.keys);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, piece_dest& x) {
  return f(caf::meta::type_name("piece_dest"), x.actor, x.tag);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, xfer& x) {
  return f(caf::meta::type_name("xfer"), x.k, x.peer, x.type, x.extent, x.src, x.tags, x.notify);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, exchange_task& x) {
  return f(caf::meta::type_name("exchange_task"), x.collective, x.xfers);
}

// A task (std::variant) travels as its alternative's index, then the alternative
// (transport/std_inspect.hpp).

// ---- actors/runtime.hpp

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, actor_info& x) {
  return f(caf::meta::type_name("actor_info"), x.name, x.kind, x.node, x.shards, x.bytes);
}

}  // namespace shoal
