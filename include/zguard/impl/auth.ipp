// zguard/impl/auth.ipp - the definitions of zguard/auth.hpp that ZGUARD_DECL
// declares: inline in every translation unit, or compiled once with
// ZGUARD_SEPARATE_COMPILATION (zguard/detail/compiled.hpp).
#pragma once

#include <zguard/auth.hpp>

namespace zguard {
inline namespace v0 {

ZGUARD_DECL std::string hash_password(std::string_view password) {
  check_runtime();
  detail::guarded_bytes copy(password.size());
  std::memcpy(copy.writable(), password.data(), password.size());
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, reinterpret_cast<char const*>(copy.data()), copy.size(),
                        crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    throw std::bad_alloc();
  return out;
}
}  // namespace v0
}  // namespace zguard

namespace zguard {
inline namespace v0 {
namespace detail {

ZGUARD_DECL std::string canonical_ip(std::string const& text) {
  in_addr v4{};
  in6_addr v6{};
  char buf[INET6_ADDRSTRLEN] = {};
  if (::inet_pton(AF_INET, text.c_str(), &v4) == 1)
    return ::inet_ntop(AF_INET, &v4, buf, sizeof buf) ? buf : "";
  if (::inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_V4MAPPED(&v6)) {
      std::memcpy(&v4, &v6.s6_addr[12], 4);
      return ::inet_ntop(AF_INET, &v4, buf, sizeof buf) ? buf : "";
    }
    return ::inet_ntop(AF_INET6, &v6, buf, sizeof buf) ? buf : "";
  }
  return {};
}

ZGUARD_DECL std::string checked_ip(std::string const& text) {
  auto ip = canonical_ip(text);
  if (ip.empty())
    throw authenticator_error("zguard::authenticator: '" + text + "' is not an IP address");
  return ip;
}
}  // namespace detail
}  // namespace v0
}  // namespace zguard

namespace zguard {
inline namespace v0 {
namespace detail {

ZGUARD_DECL zap_core::zap_core(zmq::context_t& native, event_log& log, std::atomic<int> const* zap_sockets,
                               std::string_view domain)
    : log_(log), zap_sockets_(zap_sockets), domain_(domain), sock_(native, zmq::socket_type::rep) {
  sock_.set(zmq::sockopt::linger, 0);
  sock_.bind("inproc://zeromq.zap.01");  // bound before any server socket can exist
  thread_ = std::thread([this] { run(); });
}

ZGUARD_DECL void zap_core::shutdown() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  sock_.close();
}

ZGUARD_DECL void zap_core::allow(public_key const& key) {
  std::lock_guard lock(mu_);
  keys_.insert(key.z85());
}

ZGUARD_DECL void zap_core::revoke(public_key const& key) {
  std::lock_guard lock(mu_);
  keys_.erase(key.z85());
  changed();
}

ZGUARD_DECL void zap_core::allow_directory(std::filesystem::path dir) {
  auto loaded = load_public_directory(dir);  // throws on a bad certificate
  std::lock_guard lock(mu_);
  directories_.push_back(dir);
  for (auto const& k : loaded) directory_keys_.insert(k.z85());
}

ZGUARD_DECL void zap_core::reload() {
  std::vector<std::filesystem::path> dirs;
  {
    std::lock_guard lock(mu_);
    dirs = directories_;
  }
  std::unordered_set<std::string> fresh;
  try {
    for (auto const& d : dirs)
      for (auto const& k : load_public_directory(d)) fresh.insert(k.z85());
  } catch (std::exception const& e) {  // the keys in force stay; say why they were not replaced
    log_.emit("zap.reload_failed", severity::warning, {{"domain", domain_}, {"reason", e.what()}});
    throw;
  }
  std::lock_guard lock(mu_);
  directory_keys_ = std::move(fresh);
  changed();
  log_.emit("zap.reloaded", severity::info, {{"domain", domain_}, {"keys", std::to_string(directory_keys_.size())}});
}

ZGUARD_DECL void zap_core::add_user(std::string name, std::string password_hash) {
  if (name.empty() || name.size() > 255)
    throw authenticator_error("zguard::authenticator::add_user: user name must be 1..255 bytes");
  if (password_hash.size() >= crypto_pwhash_STRBYTES ||
      (password_hash.rfind("$argon2id$", 0) != 0 && password_hash.rfind("$argon2i$", 0) != 0))
    throw authenticator_error("zguard::authenticator::add_user: '" + name +
                              "' needs a crypto_pwhash_str hash (see zguard::hash_password), "
                              "not a plaintext password");
  std::lock_guard lock(mu_);
  users_[std::move(name)] = std::move(password_hash);
}

ZGUARD_DECL void zap_core::remove_user(std::string const& name) {
  std::lock_guard lock(mu_);
  users_.erase(name);
  changed();
}

ZGUARD_DECL void zap_core::allow_address(std::string const& ip) {
  auto canonical = checked_ip(ip);
  std::lock_guard lock(mu_);
  allowed_addresses_.insert(std::move(canonical));
  changed();  // the first entry shuts out every other address
}

ZGUARD_DECL void zap_core::deny_address(std::string const& ip) {
  auto canonical = checked_ip(ip);
  std::lock_guard lock(mu_);
  denied_addresses_.insert(std::move(canonical));
  changed();
}

ZGUARD_DECL void zap_core::changed() {
  changed_at_.store(std::chrono::steady_clock::now().time_since_epoch().count());
  generation_.fetch_add(1, std::memory_order_acq_rel);
}

ZGUARD_DECL bool zap_core::allows_locked(std::string_view mechanism, std::string_view user_id,
                                         std::string_view address) const {
  std::string const ip = canonical_ip(std::string(address));
  std::string const where = ip.empty() ? std::string(address) : ip;
  if (!where.empty() && denied_addresses_.count(where)) return false;
  if (!allowed_addresses_.empty() && !allowed_addresses_.count(where)) return false;
  if (mechanism == "CURVE") {
    std::string const key(user_id);
    return keys_.count(key) || directory_keys_.count(key);
  }
  if (mechanism == "PLAIN") return users_.count(std::string(user_id)) != 0;
  return mechanism == "NULL";
}

ZGUARD_DECL bool zap_core::still_allows(std::string_view mechanism, std::string_view user_id,
                                        std::string_view address) {
  std::lock_guard lock(mu_);
  return allows_locked(mechanism, user_id, address);
}

ZGUARD_DECL std::string zap_core::add_gate(gate g) {
  std::lock_guard lock(mu_);
  auto name = domain_ + "/gate-" + std::to_string(++gates_made_);
  gates_.emplace(name, std::move(g));
  return name;
}

ZGUARD_DECL void zap_core::remove_gate(std::string const& name) {
  std::lock_guard lock(mu_);  // a gate runs under this lock: none is running once we have it
  gates_.erase(name);
}

ZGUARD_DECL zap_core::decision zap_core::decide(std::string const& domain, std::string const& address,
                                                std::string const& mechanism,
                                                std::vector<zmq::message_t> const& credentials) {
  std::unique_lock lock(mu_);
  if (domain != domain_ && !gates_.count(domain)) return {false, "", "wrong ZAP domain"};
  if (!address.empty() && denied_addresses_.count(address)) return {false, "", "address denied"};
  if (!allowed_addresses_.empty() && !allowed_addresses_.count(address))
    return {false, "", "address not on the allow list"};
  // Defence in depth: only mechanisms a live socket of this context
  // declared. A NULL request in a CURVE-only domain means a socket's
  // options were changed behind zguard's back; it is not served.
  int const kind = mechanism == "NULL" ? 0 : mechanism == "PLAIN" ? 1 : mechanism == "CURVE" ? 2 : -1;
  if (kind < 0) return {false, "", "mechanism not supported"};
  if (zap_sockets_[kind].load() == 0) return {false, "", "no socket of this domain declares " + mechanism};
  if (mechanism == "NULL") return {true, "", "NULL mechanism"};
  if (mechanism == "CURVE") {
    if (credentials.size() != 1 || credentials[0].size() != 32) return {false, "", "malformed CURVE credentials"};
    auto key = public_key::from_bytes(
        std::span<const std::uint8_t, 32>(static_cast<std::uint8_t const*>(credentials[0].data()), 32));
    auto z = key.z85();
    if (keys_.count(z) || directory_keys_.count(z)) return {true, z, "key on allowlist"};
    return {false, z, "key not on allowlist"};
  }
  if (mechanism == "PLAIN") {
    if (credentials.size() != 2) return {false, "", "malformed PLAIN credentials"};
    std::string user = credentials[0].to_string();
    auto it = users_.find(user);
    if (it == users_.end()) return {false, user, "unknown user"};
    std::string const hash = it->second;
    lock.unlock();  // Argon2 is slow on purpose; do not hold the lock
    auto const& pw = credentials[1];
    guarded_bytes pw_copy(pw.size());
    std::memcpy(pw_copy.writable(), pw.data(), pw.size());
    bool const ok = crypto_pwhash_str_verify(hash.c_str(), reinterpret_cast<char const*>(pw_copy.data()),
                                             pw_copy.size()) == 0;
    return {ok, user, ok ? "password verified" : "wrong password"};
  }
  return {false, "", "mechanism not supported"};
}

ZGUARD_DECL zap_reply zap_core::answer(std::vector<zmq::message_t>& frames) {
  std::string request_id = frames.size() > 1 ? frames[1].to_string() : std::string();
  decision d{false, "", "malformed ZAP request"};
  std::string domain, address, mechanism;
  if (frames.size() >= 6 && frames[0].to_string() == "1.0") {
    domain = frames[2].to_string();
    address = frames[3].to_string();
    if (auto ip = canonical_ip(address); !ip.empty()) address = ip;  // ipc peers have no IP
    mechanism = frames[5].to_string();
    std::vector<zmq::message_t> creds;
    for (std::size_t i = 6; i < frames.size(); ++i) creds.push_back(std::move(frames[i]));
    try {
      d = decide(domain, address, mechanism, creds);
      if (d.ok) {
        // Judged again under the lock, with the socket's gate: decide()
        // lets go of it while a password is checked, and a revoke or
        // remove_user that returned meanwhile must not let the peer in (a
        // feed's gate would record it after the feed looked for revoked
        // peers, and it would never be cut).
        std::lock_guard lock(mu_);
        if (mechanism != "NULL" && !allows_locked(mechanism, d.user_id, address)) {
          d = {false, d.user_id, "revoked during the handshake"};
        } else if (domain != domain_) {  // the socket's own gate, last
          auto const g = gates_.find(domain);
          std::string why = g == gates_.end() ? std::string("socket closed") : g->second(mechanism, d.user_id, address);
          if (!why.empty()) d = {false, d.user_id, std::move(why)};
        }
      }
    } catch (std::exception const& e) {
      d = {false, "", std::string("error: ") + e.what()};
    }
    for (auto& c : creds)  // wipe PLAIN passwords and keys from our buffers
      if (c.size()) sodium_memzero(c.data(), c.size());
  }
  log_.emit(d.ok ? "zap.allow" : "zap.deny", d.ok ? severity::info : severity::warning,
            {{"domain", domain},
             {"mechanism", mechanism},
             {"address", address},
             {"user_id", d.user_id},
             {"reason", d.reason}});
  bool const malformed = d.reason == "malformed ZAP request";
  return {std::move(request_id), d.ok ? "200" : (malformed ? "500" : "400"), std::move(d.reason),
          d.ok ? std::move(d.user_id) : std::string()};
}

ZGUARD_DECL void zap_core::handle(std::vector<zmq::message_t>& frames) {
  auto const r = answer(frames);  // must outlive the send
  std::array<zmq::const_buffer, 6> reply{zmq::str_buffer("1.0"), zmq::buffer(r.request_id),
                                         zmq::buffer(r.status),   zmq::buffer(r.reason),
                                         zmq::buffer(r.user_id),  zmq::const_buffer()};
  zmq::send_multipart(sock_, reply);
}

ZGUARD_DECL void zap_core::run() {
  while (!stop_) {
    try {
      zmq::pollitem_t item{sock_.handle(), 0, ZMQ_POLLIN, 0};
      if (zmq::poll(&item, 1, std::chrono::milliseconds(50)) <= 0) continue;
      std::vector<zmq::message_t> frames;
      if (!zmq::recv_multipart(sock_, std::back_inserter(frames), zmq::recv_flags::dontwait)) continue;
      handle(frames);
    } catch (zmq::error_t const& e) {
      if (e.num() == ETERM) return;
    }
  }
}

}  // namespace detail
}  // namespace v0
}  // namespace zguard
