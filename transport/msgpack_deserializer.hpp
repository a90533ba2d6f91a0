#pragma once
/// msgpack_deserializer: a caf::deserializer reading what msgpack_serializer wrote, over a
/// byte span it never reads past. Every length on the wire is checked against the bytes
/// left and against decode_limits before anything is allocated; a violation returns a
/// caf::error and reason() says what was wrong. Raw frames (buffer_ptr fields, through
/// frame_source) are looked up among the frames received with the payload, bounds-checked.
///
/// Why not msgpack::unpack: it allocates an array's element storage from the header's count
/// before seeing the elements (5 hostile bytes -> gigabytes), and it builds a tree, where
/// CAF's deserializer pulls one value at a time. This reader pulls, allocates nothing.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <caf/deserializer.hpp>

#include "arrays/buffer.hpp"
#include "transport/frames.hpp"
#include "transport/limits.hpp"

namespace shoal::transport {

class msgpack_deserializer final : public caf::deserializer, public frame_source {
 public:
  /// Reads from `bytes`; buffer_ptr fields resolve to `frames[index]`. Both must outlive
  /// the deserializer.
  msgpack_deserializer(std::span<const char> bytes, std::span<const buffer_ptr> frames,
                       const decode_limits& limits);

  caf::error begin_object(uint16_t& typenr, std::string& name) override;
  caf::error end_object() override;
  caf::error begin_sequence(size_t& num) override;
  caf::error end_sequence() override;
  caf::error apply_raw(size_t num_bytes, void* data) override;

  /// Frame `i`, or nullptr (and a recorded reason) when no such frame was received.
  buffer_ptr get_frame(uint32_t i) override;

  /// Bytes not yet read.
  size_t remaining() const { return bytes_.size() - pos_; }
  /// True when every frame was referenced at least once.
  bool all_frames_used() const;
  /// Why the last call failed (empty when none did).
  const std::string& reason() const { return reason_; }
  /// Records a failure found outside the reader (the first reason wins).
  caf::error fail(std::string reason);

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
  /// An integer from the wire: `negative` ? `s` : `u`.
  struct wire_int {
    bool negative = false;
    uint64_t u = 0;
    int64_t s = 0;
  };
  bool take(size_t n, const char*& p);  // n bytes or false (nothing consumed)
  bool peek(uint8_t& tag) const;
  uint64_t big_endian(const char* p, size_t n) const;
  caf::error read_int(wire_int& v, const char* what);
  template <class T> caf::error read_integral(T& x);
  template <class F> caf::error read_float(F& x);
  caf::error read_length(size_t len_bytes, const char* what, size_t& n);
  caf::error check_count(size_t n, size_t limit, const char* what, size_t start);
  caf::error read_str_header(size_t& n);
  template <class S> caf::error read_units(S& x);
  caf::error no_pending_bin(const char* what);

  std::span<const char> bytes_;
  size_t pos_ = 0;
  std::span<const buffer_ptr> frames_;
  std::vector<bool> used_;
  decode_limits limits_;
  size_t depth_ = 0;
  bool pending_bin_ = false;  // begin_sequence read a bin header; apply_raw reads its body
  size_t pending_bin_size_ = 0;
  std::string reason_;
};

}  // namespace shoal::transport

namespace shoal::transport {

/// Fails a load with `reason`: recorded by a msgpack_deserializer (so unpack() reports it),
/// a plain caf::error for any other deserializer. For inspect functions that validate.
caf::error fail_load(caf::deserializer& f, std::string reason);

}  // namespace shoal::transport
