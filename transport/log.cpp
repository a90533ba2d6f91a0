/// The transport's log sink.
#include "transport/log.hpp"

#include <cstdio>
#include <mutex>

namespace shoal::transport {
namespace {

std::mutex& sink_mutex() {
  static std::mutex m;
  return m;
}

log_sink& current_sink() {
  static log_sink sink;
  return sink;
}

}  // namespace

log_sink set_log_sink(log_sink sink) {
  std::lock_guard<std::mutex> lock(sink_mutex());
  auto old = std::move(current_sink());
  current_sink() = std::move(sink);
  return old;
}

void log_line(std::string_view line) {
  std::lock_guard<std::mutex> lock(sink_mutex());
  if (current_sink()) current_sink()(line);
  else std::fprintf(stderr, "shoal transport: %.*s\n", static_cast<int>(line.size()), line.data());
}

}  // namespace shoal::transport
