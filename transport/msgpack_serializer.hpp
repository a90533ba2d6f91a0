#pragma once
/// msgpack_serializer: a caf::serializer that writes msgpack, so a message struct's one
/// `inspect` function defines both its CAF form and its wire form.
///
/// Wire form of what `inspect` visits, field by field in inspect order (a struct adds no
/// framing of its own; the envelope names the type):
///   integers, bool         -> msgpack int (smallest encoding; bool as 0/1)
///   float / double          -> float32 / float64;  long double -> float64 (lossy)
///   std::string             -> str
///   sequences (vector, map) -> array of the elements (a map's pairs as key, value, ...)
///   byte sequences (vector<char>/vector<unsigned char>) -> bin, in one copy
///   buffer_ptr              -> whatever its inspect writes; through frame_sink (frames.hpp)
///                              an index of a raw frame: the bytes travel beside the payload
///   begin_object (CAF's type-erased values) -> uint16 type number, str type name
/// Caution: a field whose type is listed in CAF_ALLOW_UNSAFE_MESSAGE_TYPE is *skipped* by
/// every CAF inspector, this one included; give such types an `inspect` instead.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <caf/serializer.hpp>

#include "arrays/buffer.hpp"
#include "transport/frames.hpp"

namespace shoal::transport {

class msgpack_serializer final : public caf::serializer, public frame_sink {
 public:
  /// Appends to `out`; buffers met on the way are collected in frames().
  explicit msgpack_serializer(std::vector<char>& out);

  caf::error begin_object(uint16_t& typenr, std::string& name) override;
  caf::error end_object() override;
  caf::error begin_sequence(size_t& num) override;
  caf::error end_sequence() override;
  caf::error apply_raw(size_t num_bytes, void* data) override;

  /// Appends `b` to frames() and returns its index. A device buffer cannot travel (stage it
  /// to host memory first): it is refused, reason() says so and pack() fails.
  uint32_t put_frame(buffer_ptr b) override;

  /// The buffers to send as raw frames, in the order of their indices.
  std::vector<buffer_ptr>& frames() { return frames_; }
  /// Why the last call failed (empty when none did).
  const std::string& reason() const { return reason_; }

 protected:
  caf::error apply_impl(int8_t&) override;
  caf::error apply_impl(uint8_t&) override;
  caf::error apply_impl(int16_t&) override;
  caf::error apply_impl(uint16_t&) override;
  caf::error apply_impl(int32_t&) override;
  caf::error apply_impl(uint32_t&) override;
  caf::error apply_impl(int64_t&) override;
  caf::error apply_impl(uint64_t&) override;
  caf::error apply_impl(float&) override;
  caf::error apply_impl(double&) override;
  caf::error apply_impl(long double&) override;
  caf::error apply_impl(std::string&) override;
  caf::error apply_impl(std::u16string&) override;
  caf::error apply_impl(std::u32string&) override;

 private:
  /// CAF announces a sequence's size before its elements, and a byte sequence then comes
  /// as one apply_raw. The header is held back until we know which, so bytes become one
  /// msgpack bin instead of an array of one-byte integers.
  void flush_pending();
  caf::error fail(std::string reason);
  template <class T> caf::error put(T x);
  caf::error put_float(uint8_t tag, uint64_t bits, size_t n);

  std::vector<char>& out_;
  std::optional<size_t> pending_;
  std::vector<buffer_ptr> frames_;
  std::string reason_;
};

}  // namespace shoal::transport
