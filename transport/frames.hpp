#pragma once
/// How shard bytes travel beside an encoded message instead of inside it. A serializer that
/// is also a frame_sink takes each buffer as a raw frame (the payload keeps only its index);
/// a deserializer that is also a frame_source hands the received frames back. An `inspect`
/// for buffer_ptr finds them with dynamic_cast, because CAF calls inspect with
/// caf::serializer& / caf::deserializer&:
///
///   if (auto* sink = dynamic_cast<shoal::frame_sink*>(&f)) return f(sink->put_frame(x));
///
/// msgpack_serializer / msgpack_deserializer implement both (codec.hpp).
#include <cstdint>
#include <memory>

#include "arrays/buffer.hpp"

namespace shoal {

struct frame_sink {
  virtual ~frame_sink() = default;
  /// Takes `b` as the next raw frame and returns its index.
  virtual std::uint32_t put_frame(buffer_ptr b) = 0;
};

struct frame_source {
  virtual ~frame_source() = default;
  /// Frame `i` of the message being decoded, or nullptr if it has no such frame.
  virtual buffer_ptr get_frame(std::uint32_t i) = 0;
};

}  // namespace shoal
