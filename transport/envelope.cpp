/// Envelope encoding over the msgpack codec, and zero-copy frames in and out of zmq.
#include "transport/envelope.hpp"

#include <algorithm>
#include <cstring>
#include <exception>
#include <memory>

namespace shoal::transport {
namespace {

/// A zmq message that sends `n` bytes of `b` from `offset` in place: zmq holds a buffer_ptr
/// until it is done.
zmq::message_t frame_message(const buffer_ptr& b, size_t offset, size_t n) {
  if (n == 0) return zmq::message_t();
  auto* keep = new buffer_ptr(b);
  return zmq::message_t(b->data() + offset, n,
                        [](void*, void* hint) { delete static_cast<buffer_ptr*>(hint); }, keep);
}

/// Gathers frame sizes[i] from consecutive `parts`: the part itself when it is the whole
/// frame (no copy), else one new buffer. Parts must add up to the sizes exactly.
expected<std::vector<buffer_ptr>> gather(const std::vector<uint64_t>& sizes,
                                         std::vector<buffer_ptr>& parts) {
  std::vector<buffer_ptr> frames;
  frames.reserve(sizes.size());
  size_t next = 0;
  for (size_t i = 0; i < sizes.size(); ++i) {
    const uint64_t want = sizes[i];
    // Count the parts of this frame before allocating anything: the parts are real bytes
    // already received, so the allocation below is bounded by what arrived.
    size_t end = next;
    uint64_t have = 0;
    while (have < want && end < parts.size()) {
      const size_t n = parts[end] ? parts[end]->bytes() : 0;
      if (n == 0 || n > want - have) return fail("frame " + std::to_string(i) + ": part sizes do not add up");
      have += n;
      ++end;
    }
    if (have != want)
      return fail("frame " + std::to_string(i) + " of " + std::to_string(want) + " bytes: only " +
                  std::to_string(have) + " received");
    if (want == 0) {
      // An empty frame is one empty part.
      if (next >= parts.size() || (parts[next] && parts[next]->bytes() != 0))
        return fail("frame " + std::to_string(i) + ": missing empty part");
      frames.push_back(parts[next] ? parts[next] : make_buffer(0));
      ++next;
      continue;
    }
    if (end == next + 1) {
      frames.push_back(std::move(parts[next]));
    } else {
      auto whole = make_buffer(static_cast<size_t>(want));
      size_t at = 0;
      for (size_t k = next; k < end; ++k) {
        std::memcpy(whole->data() + at, parts[k]->data(), parts[k]->bytes());
        at += parts[k]->bytes();
        parts[k].reset();
      }
      frames.push_back(std::move(whole));
    }
    next = end;
  }
  if (next != parts.size())
    return fail(std::to_string(parts.size() - next) + " parts beyond the frames the envelope lists");
  return frames;
}

/// A buffer over a received zmq message's bytes; the message lives as long as the buffer.
buffer_ptr adopt(zmq::message_t&& m) {
  auto holder = std::make_shared<zmq::message_t>(std::move(m));
  auto* data = static_cast<std::byte*>(holder->data());
  const size_t n = holder->size();
  return std::make_shared<buffer>(data, n, -1, [holder](std::byte*) mutable { holder.reset(); });
}

}  // namespace

std::vector<zmq::message_t> encode_packed(const envelope_header& header, packed payload,
                                          size_t chunk_bytes) {
  envelope_header h = header;
  h.version = protocol_version;
  std::vector<uint64_t> sizes;
  for (const auto& f : payload.frames) sizes.push_back(f ? f->bytes() : 0);
  std::vector<char> head;
  head.reserve(48 + h.source.size() + 9 * sizes.size() + payload.bytes.size());
  msgpack_serializer s(head);
  (void)s(h, sizes);  // always encodes: integers and a short string
  head.insert(head.end(), payload.bytes.begin(), payload.bytes.end());
  std::vector<zmq::message_t> parts;
  parts.reserve(1 + payload.frames.size());
  parts.emplace_back(head.data(), head.size());
  for (const auto& f : payload.frames) {
    const size_t n = f ? f->bytes() : 0;
    const size_t step = chunk_bytes == 0 ? std::max<size_t>(n, 1) : chunk_bytes;
    if (n == 0) parts.emplace_back();
    for (size_t at = 0; at < n; at += step) parts.push_back(frame_message(f, at, std::min(step, n - at)));
  }
  return parts;
}

expected<envelope> decode_envelope(std::span<const char> head, std::vector<buffer_ptr> parts,
                                   const decode_limits& limits) {
  if (head.size() > limits.max_envelope_bytes)
    return fail("envelope of " + std::to_string(head.size()) + " bytes exceeds the limit of " +
                std::to_string(limits.max_envelope_bytes));
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
  // The frame table, read with the caller's limits on frames.
  decode_limits table_limits = limits;
  table_limits.max_sequence = limits.max_frames;
  msgpack_deserializer t(head.subspan(head.size() - d.remaining()), {}, table_limits);
  std::vector<uint64_t> sizes;
  if (t(sizes)) return fail("bad frame table: " + t.reason());
  for (uint64_t n : sizes)
    if (n > limits.max_frame_bytes)
      return fail("raw frame of " + std::to_string(n) + " bytes exceeds the limit of " +
                  std::to_string(limits.max_frame_bytes));
  auto frames = gather(sizes, parts);
  if (!frames) return frames.error();
  const size_t at = head.size() - t.remaining();
  e.payload.assign(head.begin() + static_cast<std::ptrdiff_t>(at), head.end());
  e.frames = std::move(*frames);
  return e;
}

expected<envelope> decode_envelope(std::vector<zmq::message_t> parts, const decode_limits& limits) {
  if (parts.empty()) return fail("empty message");
  if (parts.size() > limits.max_parts)
    return fail("message of " + std::to_string(parts.size()) + " parts exceeds the limit of " +
                std::to_string(limits.max_parts));
  std::vector<buffer_ptr> rest;
  rest.reserve(parts.size() - 1);
  for (size_t i = 1; i < parts.size(); ++i) rest.push_back(adopt(std::move(parts[i])));
  const auto& head = parts[0];
  return decode_envelope(std::span<const char>(static_cast<const char*>(head.data()), head.size()),
                         std::move(rest), limits);
}

}  // namespace shoal::transport
