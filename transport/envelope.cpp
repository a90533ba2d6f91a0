/// Envelope encoding over the msgpack codec, and zero-copy frames in and out of zmq.
#include "transport/envelope.hpp"

#include <exception>
#include <memory>

namespace shoal::transport {
namespace {

/// A zmq message that sends `b`'s bytes in place: zmq holds a buffer_ptr until it is done.
zmq::message_t frame_message(const buffer_ptr& b) {
  if (!b || b->bytes() == 0) return zmq::message_t();
  auto* keep = new buffer_ptr(b);
  return zmq::message_t(b->data(), b->bytes(),
                        [](void*, void* hint) { delete static_cast<buffer_ptr*>(hint); }, keep);
}

/// A buffer over a received zmq message's bytes; the message lives as long as the buffer.
buffer_ptr adopt(zmq::message_t&& m) {
  auto holder = std::make_shared<zmq::message_t>(std::move(m));
  auto* data = static_cast<std::byte*>(holder->data());
  const size_t n = holder->size();
  return std::make_shared<buffer>(data, n, -1, [holder](std::byte*) mutable { holder.reset(); });
}

}  // namespace

std::vector<zmq::message_t> encode_packed(const envelope_header& header, packed payload) {
  envelope_header h = header;
  h.version = protocol_version;
  std::vector<char> head;
  head.reserve(32 + h.source.size() + payload.bytes.size());
  msgpack_serializer s(head);
  (void)s(h);  // a header always encodes: plain integers and a string
  head.insert(head.end(), payload.bytes.begin(), payload.bytes.end());
  std::vector<zmq::message_t> parts;
  parts.reserve(1 + payload.frames.size());
  parts.emplace_back(head.data(), head.size());
  for (const auto& f : payload.frames) parts.push_back(frame_message(f));
  return parts;
}

expected<envelope> decode_envelope(std::span<const char> head, std::vector<buffer_ptr> frames,
                                   const decode_limits& limits) {
  if (head.size() > limits.max_envelope_bytes)
    return fail("envelope of " + std::to_string(head.size()) + " bytes exceeds the limit of " +
                std::to_string(limits.max_envelope_bytes));
  if (frames.size() > limits.max_frames)
    return fail(std::to_string(frames.size()) + " raw frames exceed the limit of " +
                std::to_string(limits.max_frames));
  for (const auto& f : frames)
    if (f && f->bytes() > limits.max_frame_bytes)
      return fail("raw frame of " + std::to_string(f->bytes()) + " bytes exceeds the limit");
  decode_limits header_limits = limits;
  header_limits.max_string = std::min(limits.max_string, max_source_bytes);
  msgpack_deserializer d(head, {}, header_limits);
  envelope e;
  try {
    // The version comes first and is checked alone: another version may lay out the rest
    // differently, and "wrong version" is the useful thing to log.
    if (d(e.header.version)) return fail("not a shoal envelope: " + d.reason());
    if (e.header.version != protocol_version)
      return fail("protocol version " + std::to_string(e.header.version) + ", this node speaks " +
                  std::to_string(protocol_version));
    if (d(e.header.type, e.header.source, e.header.destination, e.header.sequence))
      return fail("bad envelope header: " + d.reason());
  } catch (const std::exception& ex) {
    return fail(std::string("bad envelope header: ") + ex.what());
  }
  const size_t at = head.size() - d.remaining();
  e.payload.assign(head.begin() + static_cast<std::ptrdiff_t>(at), head.end());
  e.frames = std::move(frames);
  return e;
}

expected<envelope> decode_envelope(std::vector<zmq::message_t> parts, const decode_limits& limits) {
  if (parts.empty()) return fail("empty message");
  if (parts.size() - 1 > limits.max_frames)
    return fail(std::to_string(parts.size() - 1) + " raw frames exceed the limit of " +
                std::to_string(limits.max_frames));
  std::vector<buffer_ptr> frames;
  frames.reserve(parts.size() - 1);
  for (size_t i = 1; i < parts.size(); ++i) frames.push_back(adopt(std::move(parts[i])));
  const auto& head = parts[0];
  return decode_envelope(std::span<const char>(static_cast<const char*>(head.data()), head.size()),
                         std::move(frames), limits);
}

}  // namespace shoal::transport
