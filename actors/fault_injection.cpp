#include "actors/fault_injection.hpp"

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <vector>

namespace shoal {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string part;
  while (std::getline(in, part, sep))
    if (!part.empty()) out.push_back(part);
  return out;
}

/// "5ms" or "5" -> 5 ms; -1 if not a count of milliseconds.
long long parse_ms(std::string v) {
  if (v.size() > 2 && v.substr(v.size() - 2) == "ms") v.resize(v.size() - 2);
  try {
    std::size_t used = 0;
    long long n = std::stoll(v, &used);
    return used == v.size() && n >= 0 ? n : -1;
  } catch (...) {
    return -1;
  }
}

double parse_prob(const std::string& v) {
  try {
    std::size_t used = 0;
    double p = std::stod(v, &used);
    return used == v.size() && p >= 0 && p <= 1 ? p : -1;
  } catch (...) {
    return -1;
  }
}

}  // namespace

fault_plan parse_fault_plan(const std::string& spec, std::string& why) {
  fault_plan p;
  for (const auto& rule : split(spec, ',')) {
    auto f = split(rule, ':');
    bool ok = false;
    if (f.size() == 3 && f[0] == "dup" && f[1] == "piece") {
      const double v = parse_prob(f[2]);
      if ((ok = v >= 0)) p.dup_piece = v;
    } else if (f.size() == 3 && f[0] == "delay" && (f[1] == "piece" || f[1] == "task")) {
      const long long ms = parse_ms(f[2]);
      if ((ok = ms >= 0)) (f[1] == "piece" ? p.delay_piece : p.delay_task) = std::chrono::milliseconds(ms);
    } else if (f.size() == 3 && f[0] == "drop" && f[1] == "piece") {
      const double v = parse_prob(f[2]);
      if ((ok = v >= 0 && v < 1)) p.drop_piece = v;  // 1 would drop every retransmit too
    } else if ((f.size() == 3 || f.size() == 4) && f[0] == "kill_after" && f[1] == "task") {
      const long long n = parse_ms(f[2]);  // a plain count (no unit)
      const long long a = f.size() == 4 ? parse_ms(f[3]) : 0;
      if ((ok = n > 0 && a >= 0 && f[2].find("ms") == std::string::npos)) {
        p.kill_after_tasks = n;
        p.kill_actor = static_cast<int>(a);
      }
    }
    if (!ok)
      why += "shoal: SHOAL_FAULT rule '" + rule +
             "' is not supported (dup:piece:P, delay:piece:Nms, delay:task:Nms, drop:piece:P with P < 1, "
             "kill_after:task:N[:ACTOR]); ignored\n";
  }
  if (p.drop_piece > 0) p.piece_timeout = std::chrono::milliseconds(200);
  return p;
}

const fault_plan& process_fault_plan() {
  static const fault_plan plan = [] {
    const char* v = std::getenv("SHOAL_FAULT");
    std::string why;
    fault_plan p = v && *v ? parse_fault_plan(v, why) : fault_plan{};
    if (const char* t = std::getenv("SHOAL_PIECE_TIMEOUT_MS"); t && *t) {
      const long long ms = parse_ms(t);
      if (ms > 0) p.piece_timeout = std::chrono::milliseconds(ms);
      else why += std::string("shoal: SHOAL_PIECE_TIMEOUT_MS='") + t + "' is not a positive count of ms; ignored\n";
    }
    if (!why.empty()) std::fputs(why.c_str(), stderr);
    return p;
  }();
  return plan;
}

fault_dice::fault_dice(int actor_index) {
  const char* s = std::getenv("SHOAL_FAULT_SEED");
  std::uint64_t seed = 1;
  if (s && *s) seed = std::strtoull(s, nullptr, 10);
  rng_.seed(seed * 1000003u + static_cast<std::uint64_t>(actor_index));
}

bool fault_dice::drop_piece() {
  const double p = process_fault_plan().drop_piece;
  return p > 0 && std::uniform_real_distribution<double>(0, 1)(rng_) < p;
}

bool fault_dice::duplicate_piece() {
  const double p = process_fault_plan().dup_piece;
  return p > 0 && std::uniform_real_distribution<double>(0, 1)(rng_) < p;
}

}  // namespace shoal
