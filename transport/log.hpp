#pragma once
/// Where the transport reports what it refused or dropped (a bad handshake, a malformed
/// message): one process-wide sink, stderr by default. Tests and the node install their own
/// (the node forwards to its log; a test collects lines to assert on).
#include <functional>
#include <string>
#include <string_view>

namespace shoal::transport {

using log_sink = std::function<void(std::string_view line)>;

/// Replaces the sink (nullptr restores stderr); returns the previous one. Thread-safe.
log_sink set_log_sink(log_sink sink);

/// Writes one line through the sink. Thread-safe; the sink is called under a lock.
void log_line(std::string_view line);

}  // namespace shoal::transport
