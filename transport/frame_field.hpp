#pragma once
/// A buffer_ptr field that travels as a raw frame, for inspect functions:
///
///   template <class Inspector>
///   typename Inspector::result_type inspect(Inspector& f, shard_put& x) {
///     frame_field data{x.data};            // an lvalue: CAF's loading inspectors want one
///     return f(caf::meta::type_name("shard_put"), x.id, data);
///   }
///
/// On the wire it is the frame's index (uint32; 0xffffffff for a null buffer) and the bytes
/// go through frame_sink / frame_source (frames.hpp), so it works with the msgpack codec
/// only; printing (deep_to_string) shows the size. A missing frame is a load error.
#include <cstdint>
#include <type_traits>

#include <caf/error.hpp>
#include <caf/sec.hpp>

#include "arrays/buffer.hpp"
#include "transport/frames.hpp"
#include "transport/msgpack_deserializer.hpp"

namespace shoal::transport {

struct frame_field {
  buffer_ptr& ref;
};

/// The index written for a null buffer.
inline constexpr uint32_t no_frame = 0xffffffffu;

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, frame_field& x) {
  if constexpr (std::is_same_v<typename Inspector::result_type, void>) {
    f(x.ref ? static_cast<int64_t>(x.ref->bytes()) : int64_t{-1});  // to_string: the size
  } else if constexpr (Inspector::writes_state) {
    uint32_t i = 0;
    if (auto err = f(i)) return err;
    if (i == no_frame) {
      x.ref.reset();
      return caf::error{};
    }
    auto* source = dynamic_cast<frame_source*>(&f);
    if (!source) return fail_load(f, "a buffer field needs a frame_source (the msgpack codec)");
    x.ref = source->get_frame(i);
    if (!x.ref) return fail_load(f, "frame " + std::to_string(i) + " is missing");
    return caf::error{};
  } else {
    auto* sink = dynamic_cast<frame_sink*>(&f);
    if (x.ref && !sink)
      return caf::make_error(caf::sec::invalid_argument,
                             "a buffer field needs a frame_sink (the msgpack codec)");
    uint32_t i = x.ref ? sink->put_frame(x.ref) : no_frame;
    return f(i);
  }
}

}  // namespace shoal::transport
