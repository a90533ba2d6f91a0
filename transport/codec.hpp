#pragma once
/// The msgpack codec for inspect-able message structs: pack() and unpack().
///
///   struct shard_put { uint64_t id; std::vector<int64_t> shape; shoal::buffer_ptr data; };
///   template <class Inspector>
///   typename Inspector::result_type inspect(Inspector& f, shard_put& x) {
///     return f(caf::meta::type_name("shard_put"), x.id, x.shape, x.data);
///   }
///   auto p = shoal::transport::pack(msg);          // p->bytes: msgpack, p->frames: {msg.data}
///   auto m = shoal::transport::unpack<shard_put>(p->bytes, p->frames);
/// (buffer_ptr needs an inspect that uses frame_sink / frame_source: see frames.hpp.)
///
/// Supported field types: every integer type, bool, float, double, std::string, enums,
/// std::vector / std::map / std::array / std::pair / std::tuple of supported types, structs
/// with `inspect`, caf::optional / caf::variant, std::optional / std::variant (std_inspect.hpp),
/// buffers as raw frames (frames.hpp, frame_field.hpp). Not std::vector<bool>: CAF packs it
/// into bits under a header counting bools, which the decoder's count-vs-bytes check refuses
/// beyond a few elements (use std::vector<uint8_t>). Nothing ever throws out of these
/// functions: a failure is an error_info whose message says why.
#include <exception>
#include <span>
#include <vector>

#include "arrays/buffer.hpp"
#include "transport/frames.hpp"
#include "transport/expected.hpp"
#include "transport/limits.hpp"
#include "transport/msgpack_deserializer.hpp"
#include "transport/msgpack_serializer.hpp"
#include "transport/std_inspect.hpp"

namespace shoal::transport {

/// A packed message: msgpack bytes, and the buffers that travel as raw frames.
struct packed {
  std::vector<char> bytes;
  std::vector<buffer_ptr> frames;
};

/// Encodes `x` (anything CAF can inspect). Fails only for device buffers and sizes msgpack
/// cannot express.
template <class T>
expected<packed> pack(const T& x) {
  packed out;
  msgpack_serializer s(out.bytes);
  try {
    // CAF's inspectors take T&; a saving inspector never modifies it.
    if (auto err = s(const_cast<T&>(x)))
      return fail(s.reason().empty() ? caf::to_string(err) : s.reason());
    if (!s.reason().empty()) return fail(s.reason());  // put_frame refused a buffer
  } catch (const std::exception& e) {
    return fail(std::string("pack: ") + e.what());
  }
  out.frames = std::move(s.frames());
  return out;
}

/// Decodes a T from `bytes` and the raw `frames` received with it. Rejects truncated,
/// oversized (see decode_limits), mistyped or trailing bytes and unreferenced frames.
template <class T>
expected<T> unpack(std::span<const char> bytes, std::span<const buffer_ptr> frames = {},
                   const decode_limits& limits = {}) {
  T x{};
  msgpack_deserializer d(bytes, frames, limits);
  try {
    if (auto err = d(x)) return fail(d.reason().empty() ? caf::to_string(err) : d.reason());
    if (!d.reason().empty()) return fail(d.reason());  // get_frame found no such frame
  } catch (const std::exception& e) {  // CAF's own inspect functions may throw (caf::variant)
    return fail(std::string("unpack: ") + e.what());
  }
  if (d.remaining() != 0)
    return fail(std::to_string(d.remaining()) + " bytes left over after the message");
  if (!d.all_frames_used()) return fail("a raw frame is not referenced by the message");
  return x;
}

}  // namespace shoal::transport
