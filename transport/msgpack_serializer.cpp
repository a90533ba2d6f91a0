/// msgpack_serializer: msgpack-c's packer does the encoding; this maps CAF's visits onto it.
#include "transport/msgpack_serializer.hpp"

#include <cstring>
#include <limits>

#include <caf/sec.hpp>
#include <msgpack.hpp>


namespace shoal::transport {
namespace {

/// msgpack::packer's output stream: appends to a vector.
struct vector_sink {
  std::vector<char>& v;
  void write(const char* p, size_t n) { v.insert(v.end(), p, p + n); }
};

}  // namespace

msgpack_serializer::msgpack_serializer(std::vector<char>& out) : out_(out) {}

caf::error msgpack_serializer::fail(std::string reason) {
  if (reason_.empty()) reason_ = std::move(reason);
  return caf::make_error(caf::sec::invalid_argument);
}

void msgpack_serializer::flush_pending() {
  if (!pending_) return;
  vector_sink sink{out_};
  msgpack::packer<vector_sink>(sink).pack_array(static_cast<uint32_t>(*pending_));
  pending_.reset();
}

template <class T>
caf::error msgpack_serializer::put(T x) {
  flush_pending();
  vector_sink sink{out_};
  msgpack::packer<vector_sink>(sink).pack(x);
  return caf::none;
}

// msgpack-c's packer writes integral floats as integers (and -0.0 as 0), which would not
// survive a round trip bit for bit; floats are written here as float32/float64 always.
caf::error msgpack_serializer::put_float(uint8_t tag, uint64_t bits, size_t n) {
  flush_pending();
  out_.push_back(static_cast<char>(tag));
  for (size_t i = n; i-- > 0;) out_.push_back(static_cast<char>(bits >> (8 * i)));
  return caf::none;
}

caf::error msgpack_serializer::begin_object(uint16_t& typenr, std::string& name) {
  if (auto err = put(typenr)) return err;
  return put(name);
}

caf::error msgpack_serializer::end_object() { return caf::none; }

caf::error msgpack_serializer::begin_sequence(size_t& num) {
  if (num > std::numeric_limits<uint32_t>::max())
    return fail("sequence of " + std::to_string(num) + " elements is longer than msgpack allows");
  flush_pending();
  pending_ = num;
  return caf::none;
}

caf::error msgpack_serializer::end_sequence() {
  flush_pending();
  return caf::none;
}

caf::error msgpack_serializer::apply_raw(size_t num_bytes, void* data) {
  if (num_bytes > std::numeric_limits<uint32_t>::max())
    return fail("byte string of " + std::to_string(num_bytes) + " bytes: send it as a buffer_ptr");
  // A byte sequence: its announced size is the bin's size, and no array header is written.
  if (pending_ && *pending_ == num_bytes) pending_.reset();
  flush_pending();
  vector_sink sink{out_};
  msgpack::packer<vector_sink> pk(sink);
  pk.pack_bin(static_cast<uint32_t>(num_bytes));
  pk.pack_bin_body(static_cast<const char*>(data), static_cast<uint32_t>(num_bytes));
  return caf::none;
}

uint32_t msgpack_serializer::put_frame(buffer_ptr b) {
  if (b && b->device() != -1) {
    fail("buffer on device " + std::to_string(b->device()) +
         " cannot travel as a frame: stage it to host memory first");
    return std::numeric_limits<uint32_t>::max();
  }
  if (frames_.size() >= std::numeric_limits<uint32_t>::max() - 1) {
    fail("too many frames");
    return std::numeric_limits<uint32_t>::max();
  }
  frames_.push_back(std::move(b));
  return static_cast<uint32_t>(frames_.size() - 1);
}

caf::error msgpack_serializer::apply_impl(int8_t& x) { return put(x); }
caf::error msgpack_serializer::apply_impl(uint8_t& x) { return put(x); }
caf::error msgpack_serializer::apply_impl(int16_t& x) { return put(x); }
caf::error msgpack_serializer::apply_impl(uint16_t& x) { return put(x); }
caf::error msgpack_serializer::apply_impl(int32_t& x) { return put(x); }
caf::error msgpack_serializer::apply_impl(uint32_t& x) { return put(x); }
caf::error msgpack_serializer::apply_impl(int64_t& x) { return put(x); }
caf::error msgpack_serializer::apply_impl(uint64_t& x) { return put(x); }
caf::error msgpack_serializer::apply_impl(float& x) {
  uint32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  return put_float(0xca, bits, 4);
}

caf::error msgpack_serializer::apply_impl(double& x) {
  uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  return put_float(0xcb, bits, 8);
}

caf::error msgpack_serializer::apply_impl(long double& x) {
  double d = static_cast<double>(x);
  return apply_impl(d);
}

caf::error msgpack_serializer::apply_impl(std::string& x) {
  if (x.size() > std::numeric_limits<uint32_t>::max()) return fail("string too long for msgpack");
  return put(x);
}

// UTF-16/32 strings: an array of code units (CAF's message types never use them in shoal).
template <class S>
static caf::error put_units(msgpack_serializer& self, S& x) {
  size_t n = x.size();
  if (auto err = self.begin_sequence(n)) return err;
  for (auto c : x) {
    uint32_t u = static_cast<uint32_t>(c);
    if (auto err = self(u)) return err;
  }
  return self.end_sequence();
}

caf::error msgpack_serializer::apply_impl(std::u16string& x) { return put_units(*this, x); }
caf::error msgpack_serializer::apply_impl(std::u32string& x) { return put_units(*this, x); }

}  // namespace shoal::transport
