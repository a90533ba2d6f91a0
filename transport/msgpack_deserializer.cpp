/// msgpack_deserializer: a pull reader for the msgpack subset msgpack_serializer writes.
/// Format tags follow the msgpack spec (github.com/msgpack/msgpack/blob/master/spec.md).
#include "transport/msgpack_deserializer.hpp"

#include <cstring>
#include <limits>

#include <caf/sec.hpp>


namespace shoal::transport {

msgpack_deserializer::msgpack_deserializer(std::span<const char> bytes,
                                           std::span<const buffer_ptr> frames,
                                           const decode_limits& limits)
    : bytes_(bytes), frames_(frames), used_(frames.size(), false), limits_(limits) {}

caf::error msgpack_deserializer::fail(std::string reason) {
  if (reason_.empty()) reason_ = std::move(reason) + " (at byte " + std::to_string(pos_) + ")";
  return caf::make_error(caf::sec::invalid_argument);
}

bool msgpack_deserializer::all_frames_used() const {
  for (bool u : used_)
    if (!u) return false;
  return true;
}

bool msgpack_deserializer::take(size_t n, const char*& p) {
  if (n > remaining()) return false;
  p = bytes_.data() + pos_;
  pos_ += n;
  return true;
}

bool msgpack_deserializer::peek(uint8_t& tag) const {
  if (remaining() == 0) return false;
  tag = static_cast<uint8_t>(bytes_[pos_]);
  return true;
}

uint64_t msgpack_deserializer::big_endian(const char* p, size_t n) const {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

caf::error msgpack_deserializer::no_pending_bin(const char* what) {
  if (pending_bin_) return fail(std::string("expected the bytes of a byte string, not ") + what);
  return caf::none;
}

caf::error msgpack_deserializer::read_int(wire_int& v, const char* what) {
  if (auto err = no_pending_bin(what)) return err;
  uint8_t tag;
  if (!peek(tag)) return fail(std::string("truncated: expected ") + what);
  const char* p = nullptr;
  auto body = [&](size_t n) { return take(1, p) && take(n, p); };
  if (tag <= 0x7f) {  // positive fixint
    take(1, p);
    v = {false, tag, 0};
    return caf::none;
  }
  if (tag >= 0xe0) {  // negative fixint
    take(1, p);
    v = {true, 0, static_cast<int8_t>(tag)};
    return caf::none;
  }
  size_t n = 0;
  bool is_signed = false;
  switch (tag) {
    case 0xcc: n = 1; break;
    case 0xcd: n = 2; break;
    case 0xce: n = 4; break;
    case 0xcf: n = 8; break;
    case 0xd0: n = 1; is_signed = true; break;
    case 0xd1: n = 2; is_signed = true; break;
    case 0xd2: n = 4; is_signed = true; break;
    case 0xd3: n = 8; is_signed = true; break;
    default: return fail(std::string("expected ") + what + ", found msgpack tag " + std::to_string(tag));
  }
  const size_t start = pos_;
  if (!body(n)) {
    pos_ = start;
    return fail(std::string("truncated ") + what);
  }
  const uint64_t raw = big_endian(p, n);
  if (!is_signed) {
    v = {false, raw, 0};
    return caf::none;
  }
  // Sign-extend an n-byte two's complement value.
  const unsigned shift = static_cast<unsigned>(64 - 8 * n);
  const int64_t s = static_cast<int64_t>(raw << shift) >> shift;
  if (s >= 0) v = {false, static_cast<uint64_t>(s), 0};
  else v = {true, 0, s};
  return caf::none;
}

template <class T>
caf::error msgpack_deserializer::read_integral(T& x) {
  wire_int v;
  if (auto err = read_int(v, "an integer")) return err;
  if (v.negative) {
    if constexpr (std::is_signed_v<T>) {
      if (v.s >= std::numeric_limits<T>::min()) {
        x = static_cast<T>(v.s);
        return caf::none;
      }
    }
  } else if (v.u <= static_cast<uint64_t>(std::numeric_limits<T>::max())) {
    x = static_cast<T>(v.u);
    return caf::none;
  }
  return fail("integer out of range for its field");
}

template <class F>
caf::error msgpack_deserializer::read_float(F& x) {
  if (auto err = no_pending_bin("a float")) return err;
  uint8_t tag;
  if (!peek(tag)) return fail("truncated: expected a float");
  const char* p = nullptr;
  const size_t start = pos_;
  if (tag == 0xca) {
    if (!take(1, p) || !take(4, p)) return pos_ = start, fail("truncated float32");
    const auto bits = static_cast<uint32_t>(big_endian(p, 4));
    float f;
    std::memcpy(&f, &bits, sizeof f);
    x = static_cast<F>(f);
    return caf::none;
  }
  if (tag == 0xcb) {
    if (!take(1, p) || !take(8, p)) return pos_ = start, fail("truncated float64");
    const uint64_t bits = big_endian(p, 8);
    double d;
    std::memcpy(&d, &bits, sizeof d);
    x = static_cast<F>(d);
    return caf::none;
  }
  return fail("expected a float, found msgpack tag " + std::to_string(tag));
}

caf::error msgpack_deserializer::read_length(size_t len_bytes, const char* what, size_t& n) {
  const char* p = nullptr;
  const size_t start = pos_;
  if (!take(1, p) || !take(len_bytes, p)) {
    pos_ = start;
    return fail(std::string("truncated ") + what + " header");
  }
  n = big_endian(p, len_bytes);
  return caf::none;
}

caf::error msgpack_deserializer::check_count(size_t n, size_t limit, const char* what,
                                             size_t start) {
  if (n > limit) {
    pos_ = start;
    return fail(std::string(what) + " of " + std::to_string(n) + " exceeds the limit of " +
                std::to_string(limit));
  }
  // Every unit (byte or element) takes at least one byte, so a count above the bytes left is
  // a lie; this bounds what CAF allocates from it (vector<char>::resize, fill_range) by the
  // input's size.
  if (n > remaining()) {
    pos_ = start;
    return fail(std::string("truncated: ") + what + " of " + std::to_string(n) + ", " +
                std::to_string(remaining()) + " bytes left");
  }
  return caf::none;
}

caf::error msgpack_deserializer::read_str_header(size_t& n) {
  if (auto err = no_pending_bin("a string")) return err;
  uint8_t tag;
  if (!peek(tag)) return fail("truncated: expected a string");
  const size_t start = pos_;
  if ((tag & 0xe0) == 0xa0) {  // fixstr
    ++pos_;
    n = tag & 0x1f;
  } else {
    size_t len_bytes = 0;
    switch (tag) {
      case 0xd9: len_bytes = 1; break;
      case 0xda: len_bytes = 2; break;
      case 0xdb: len_bytes = 4; break;
      default: return fail("expected a string, found msgpack tag " + std::to_string(tag));
    }
    if (auto err = read_length(len_bytes, "string", n)) return err;
  }
  return check_count(n, limits_.max_string, "string", start);
}

caf::error msgpack_deserializer::begin_object(uint16_t& typenr, std::string& name) {
  if (++depth_ > limits_.max_depth) return fail("nesting deeper than the limit");
  if (auto err = read_integral(typenr)) return err;
  return apply_impl(name);
}

caf::error msgpack_deserializer::end_object() {
  if (depth_ > 0) --depth_;
  return caf::none;
}

caf::error msgpack_deserializer::begin_sequence(size_t& num) {
  if (auto err = no_pending_bin("a sequence")) return err;
  if (++depth_ > limits_.max_depth)
    return fail("nesting deeper than the limit of " + std::to_string(limits_.max_depth));
  uint8_t tag;
  if (!peek(tag)) return fail("truncated: expected a sequence");
  const size_t start = pos_;
  bool bin = false;
  if ((tag & 0xf0) == 0x90) {  // fixarray
    ++pos_;
    num = tag & 0x0f;
  } else {
    size_t len_bytes = 0;
    switch (tag) {
      case 0xdc: len_bytes = 2; break;
      case 0xdd: len_bytes = 4; break;
      case 0xc4: len_bytes = 1; bin = true; break;
      case 0xc5: len_bytes = 2; bin = true; break;
      case 0xc6: len_bytes = 4; bin = true; break;
      default: return fail("expected a sequence, found msgpack tag " + std::to_string(tag));
    }
    if (auto err = read_length(len_bytes, "sequence", num)) return err;
  }
  if (bin) {
    if (auto err = check_count(num, limits_.max_string, "byte string", start)) return err;
    pending_bin_ = num > 0;
    pending_bin_size_ = num;
    return caf::none;
  }
  return check_count(num, limits_.max_sequence, "sequence", start);
}

caf::error msgpack_deserializer::end_sequence() {
  if (pending_bin_) return fail("byte string not consumed");
  if (depth_ > 0) --depth_;
  return caf::none;
}

caf::error msgpack_deserializer::apply_raw(size_t num_bytes, void* data) {
  const char* p = nullptr;
  if (pending_bin_) {
    if (num_bytes != pending_bin_size_) return fail("byte string size mismatch");
    pending_bin_ = false;
    if (!take(num_bytes, p)) return fail("truncated byte string");
  } else {
    size_t n = 0;
    if (auto err = begin_sequence(n)) return err;
    --depth_;
    if (!pending_bin_ || n != num_bytes)
      return fail("expected a byte string of " + std::to_string(num_bytes) + " bytes");
    pending_bin_ = false;
    if (!take(num_bytes, p)) return fail("truncated byte string");
  }
  if (num_bytes > 0) std::memcpy(data, p, num_bytes);
  return caf::none;
}

buffer_ptr msgpack_deserializer::get_frame(uint32_t i) {
  if (i >= frames_.size()) {
    fail("frame index " + std::to_string(i) + " but " + std::to_string(frames_.size()) +
         " frames received");
    return nullptr;
  }
  used_[i] = true;
  return frames_[i];
}

caf::error msgpack_deserializer::apply_impl(int8_t& x) { return read_integral(x); }
caf::error msgpack_deserializer::apply_impl(uint8_t& x) { return read_integral(x); }
caf::error msgpack_deserializer::apply_impl(int16_t& x) { return read_integral(x); }
caf::error msgpack_deserializer::apply_impl(uint16_t& x) { return read_integral(x); }
caf::error msgpack_deserializer::apply_impl(int32_t& x) { return read_integral(x); }
caf::error msgpack_deserializer::apply_impl(uint32_t& x) { return read_integral(x); }
caf::error msgpack_deserializer::apply_impl(int64_t& x) { return read_integral(x); }
caf::error msgpack_deserializer::apply_impl(uint64_t& x) { return read_integral(x); }
caf::error msgpack_deserializer::apply_impl(float& x) { return read_float(x); }
caf::error msgpack_deserializer::apply_impl(double& x) { return read_float(x); }
caf::error msgpack_deserializer::apply_impl(long double& x) { return read_float(x); }

caf::error msgpack_deserializer::apply_impl(std::string& x) {
  size_t n = 0;
  if (auto err = read_str_header(n)) return err;
  const char* p = nullptr;
  take(n, p);  // read_str_header checked n <= remaining()
  x.assign(p, n);
  return caf::none;
}

template <class S>
caf::error msgpack_deserializer::read_units(S& x) {
  size_t n = 0;
  if (auto err = begin_sequence(n)) return err;
  if (pending_bin_) return fail("expected an array of code units");
  if (n > limits_.max_string) return fail("string longer than the limit");
  x.clear();
  x.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    uint32_t u = 0;
    if (auto err = read_integral(u)) return err;
    if (u > std::numeric_limits<typename S::value_type>::max())
      return fail("code unit out of range");
    x.push_back(static_cast<typename S::value_type>(u));
  }
  return end_sequence();
}

caf::error msgpack_deserializer::apply_impl(std::u16string& x) { return read_units(x); }
caf::error msgpack_deserializer::apply_impl(std::u32string& x) { return read_units(x); }

}  // namespace shoal::transport

namespace shoal::transport {

caf::error fail_load(caf::deserializer& f, std::string reason) {
  if (auto* d = dynamic_cast<msgpack_deserializer*>(&f)) return d->fail(std::move(reason));
  return caf::make_error(caf::sec::invalid_argument, std::move(reason));
}

}  // namespace shoal::transport
