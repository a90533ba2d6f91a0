#include "actors/node_join.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <utility>

#include "actors/wire_codec.hpp"

namespace shoal {

int join_timeout_ms_from_env() {
  const char* v = std::getenv("SHOAL_JOIN_TIMEOUT_S");
  if (!v || !*v) return 60000;
  char* end = nullptr;
  const double s = std::strtod(v, &end);
  if (end == v || *end != '\0' || !(s > 0) || s > 24 * 3600)
    throw_error(errc::value_error,
                std::string("shoal: SHOAL_JOIN_TIMEOUT_S must be a positive number of seconds (at most a day), got '") + v + "'");
  return std::max(1, static_cast<int>(s * 1000));
}

void join_head(gateway& gw, const std::string& head, const node_desc& self, int timeout_ms) {
  using clock = std::chrono::steady_clock;
  using ms = std::chrono::milliseconds;
  const auto start = clock::now();
  const auto deadline = start + ms(timeout_ms);
  int wait_ms = 500;
  for (int tries = 1;; ++tries) {
    // Each try is a fresh hello: the head treats a repeated hello from one endpoint as one
    // join, so a late answer to an earlier try is harmless.
    using outcome = std::pair<inbound_ptr, error_info>;
    auto done = std::make_shared<std::promise<outcome>>();
    auto fut = done->get_future();
    node_desc d = self;
    gw.call(head, wire::encode(wire::make_header(wire::msg_type::hello), d),
            [done](inbound_ptr in, error_info e) { done->set_value({std::move(in), std::move(e)}); });
    const auto left = std::chrono::duration_cast<ms>(deadline - clock::now());
    const auto this_try = std::max(ms(1), std::min(ms(wait_ms), left));
    if (fut.wait_for(this_try) == std::future_status::ready) {
      auto [in, err] = fut.get();
      if (err) throw_error(errc::runtime_error, "shoal-node: cannot join the head at " + head + ": " + err.message);
      if (wire::type_of(in->msg) == wire::msg_type::failed) {
        error_info e;
        if (wire::decode(in->msg, e) || !e) e = {errc::runtime_error, "the head refused the join"};
        throw_error(errc::runtime_error, "shoal-node: cannot join the head at " + head + ": " + e.message);
      }
      return;
    }
    const auto waited = std::chrono::duration_cast<ms>(clock::now() - start).count();
    if (clock::now() >= deadline)
      throw_error(errc::runtime_error,
                  "shoal-node: the head at " + head + " did not answer within " + std::to_string(waited / 1000.0).substr(0, 5) +
                      " s (" + std::to_string(tries) +
                      " tries; SHOAL_JOIN_TIMEOUT_S sets the limit): is the head (rank 0) running there, with this "
                      "cluster's secret?");
    std::fprintf(stderr, "shoal-node: waiting for the head at %s (try %d, %.1f s so far)\n", head.c_str(), tries,
                 waited / 1000.0);
    wait_ms = std::min(wait_ms * 2, 5000);
  }
}

}  // namespace shoal
