#include "actors/driver_sessions.hpp"

#include "actors/messages.hpp"
#include "arrays/errors.hpp"

namespace shoal {

caf::actor driver_session::local(std::int32_t d) const {
  // is_local may be shorter than table: a grown table (a node joined) adds remote actors only.
  const auto i = static_cast<std::size_t>(d);
  if (d < 0 || i >= table.size() || i >= is_local.size() || !is_local[i]) return nullptr;
  return table[static_cast<std::size_t>(d)];
}

driver_sessions::driver_sessions(std::string self_endpoint, spawn_local_fn local, spawn_proxy_fn proxy)
    : self_(std::move(self_endpoint)), spawn_local_(std::move(local)), spawn_proxy_(std::move(proxy)) {}

driver_sessions::~driver_sessions() {
  for (auto& [id, s] : sessions_) stop(s);
}

void driver_sessions::stop(driver_session& s) {
  for (auto& a : s.table)
    if (a) caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  s.table.clear();
  s.is_local.clear();
  s.locals.clear();
}

driver_session& driver_sessions::attach(const attach_req& req, int local_count) {
  if (req.session == 0) throw_error(errc::value_error, "attach without a session id");
  if (req.heartbeat_timeout_ms <= 0)
    throw_error(errc::value_error, "attach with a heartbeat timeout of " + std::to_string(req.heartbeat_timeout_ms) + " ms");
  // Check the whole table before spawning anything: a bad request leaves no actors behind.
  std::vector<bool> seen(static_cast<std::size_t>(local_count), false);
  for (auto& slot : req.table) {
    if (slot.endpoint != self_) continue;
    if (slot.local < 0 || slot.local >= local_count || seen[static_cast<std::size_t>(slot.local)])
      throw_error(errc::value_error, "attach names local actor " + std::to_string(slot.local) + " of " +
                                         std::to_string(local_count) + " (or names it twice)");
    seen[static_cast<std::size_t>(slot.local)] = true;
  }
  detach(req.session);
  driver_session s;
  s.id = req.session;
  s.driver = req.driver;
  s.ping_source = req.ping_source;
  s.timeout = std::chrono::milliseconds(req.heartbeat_timeout_ms);
  s.last_seen = driver_session::clock::now();
  s.table.assign(req.table.size(), nullptr);
  s.is_local.assign(req.table.size(), false);
  for (std::size_t g = 0; g < req.table.size(); ++g) {
    const auto& slot = req.table[g];
    if (slot.endpoint == self_) {
      auto w = spawn_local_(slot.local, static_cast<int>(g));
      s.table[g] = w.handle;
      s.is_local[g] = true;
      s.locals.push_back(std::move(w));
    } else {
      s.table[g] = spawn_proxy_(slot.endpoint, static_cast<int>(g), s.id);
    }
  }
  for (auto& w : s.locals) caf::anon_send(w.handle, peers_atom::value, s.table);
  return sessions_.emplace(s.id, std::move(s)).first->second;
}

driver_session* driver_sessions::find(std::uint64_t id) {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : &it->second;
}

bool driver_sessions::detach(std::uint64_t id) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return false;
  stop(it->second);
  sessions_.erase(it);
  return true;
}

void driver_sessions::seen(std::uint64_t id) {
  if (auto* s = find(id)) s->last_seen = driver_session::clock::now();
}

void driver_sessions::ping_from(const std::string& source) {
  if (source.empty()) return;
  for (auto& [id, s] : sessions_)
    if (s.ping_source == source) s.last_seen = driver_session::clock::now();
}

std::vector<driver_session> driver_sessions::expire(driver_session::clock::time_point now) {
  std::vector<driver_session> gone;
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (now - it->second.last_seen > it->second.timeout) {
      stop(it->second);
      gone.push_back(std::move(it->second));
      it = sessions_.erase(it);
    } else {
      ++it;
    }
  }
  return gone;
}

}  // namespace shoal
