// zguard/auth.hpp - the authenticator: the one ZAP handler of a context (G3).
//
// libzmq asks the handler bound at inproc://zeromq.zap.01 of the socket's
// context whether a peer may connect (ZeroMQ RFC 27). A CURVE server with no
// handler there accepts everyone, so zguard makes the handler a value:
// authenticator<D> binds the endpoint in its constructor, and a CURVE or
// PLAIN server socket of domain D can only be constructed from one. The
// handler's state is shared with those sockets, so it keeps answering until
// the last server socket is closed, even if the authenticator object is gone.
//
// Policy, in order: the ZAP domain must be ours; the peer address must pass
// the deny list and, if one is set, the allow list; then CURVE keys must be
// on the allowlist (keys given in code plus public certificates in the
// allowlist directories), PLAIN passwords must verify against a
// crypto_pwhash_str hash, NULL is accepted. A mechanism that no live socket
// of the context declares (NULL in a CURVE-only domain, say) is refused
// first. Every decision is a security event.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sodium.h>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <zguard/certificate.hpp>
#include <zguard/context.hpp>
#include <zguard/detail/guarded_bytes.hpp>
#include <zguard/keys.hpp>

namespace zguard {
inline namespace v0 {

struct authenticator_error : std::logic_error {
  using std::logic_error::logic_error;
};

// Hashes a password for the PLAIN credential store (Argon2id, libsodium's
// interactive limits). Store only the result.
inline std::string hash_password(std::string_view password) {
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

namespace detail {

// Canonical text of an IP address, so that filters cannot be bypassed by
// spelling: an IPv4 peer of a dual-stack (ZMQ_IPV6) socket is reported as
// "::ffff:127.0.0.1", and IPv6 has many spellings of one address. Returns
// empty for text that is not an IP address.
inline std::string canonical_ip(std::string const& text) {
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

inline std::string checked_ip(std::string const& text) {
  auto ip = canonical_ip(text);
  if (ip.empty())
    throw authenticator_error("zguard::authenticator: '" + text + "' is not an IP address");
  return ip;
}

// What the handler answers to one ZAP request (the frames after "1.0").
struct zap_reply {
  std::string request_id, status, reason, user_id;
};

// State and thread of one ZAP handler; shared by the authenticator and the
// server sockets that rely on it.
template <class Domain>
class zap_handler {
 public:
  explicit zap_handler(context<Domain>& ctx) : ctx_(ctx), sock_(ctx.native(), zmq::socket_type::rep) {
    if (!ctx.claim_zap(this))
      throw authenticator_error("zguard::authenticator: this context already has an authenticator "
                                "(libzmq allows one ZAP handler per context)");
    try {
      sock_.set(zmq::sockopt::linger, 0);
      sock_.bind("inproc://zeromq.zap.01");  // bound before any server socket can exist
    } catch (...) {
      ctx.release_zap(this);
      throw;
    }
    thread_ = std::thread([this] { run(); });
  }
  zap_handler(zap_handler const&) = delete;
  zap_handler& operator=(zap_handler const&) = delete;
  ~zap_handler() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    sock_.close();
    ctx_.release_zap(this);
  }

  context<Domain>& ctx() { return ctx_; }

  void allow(public_key const& key) {
    std::lock_guard lock(mu_);
    keys_.insert(key.z85());
  }
  void revoke(public_key const& key) {
    std::lock_guard lock(mu_);
    keys_.erase(key.z85());
  }
  void allow_directory(std::filesystem::path dir) {
    auto loaded = load_public_directory(dir);  // throws on a bad certificate
    std::lock_guard lock(mu_);
    directories_.push_back(dir);
    for (auto const& k : loaded) directory_keys_.insert(k.z85());
  }
  // Re-reads the allowlist directories; on any error the old set stays.
  void reload() {
    std::vector<std::filesystem::path> dirs;
    {
      std::lock_guard lock(mu_);
      dirs = directories_;
    }
    std::unordered_set<std::string> fresh;
    for (auto const& d : dirs)
      for (auto const& k : load_public_directory(d)) fresh.insert(k.z85());
    std::lock_guard lock(mu_);
    directory_keys_ = std::move(fresh);
    ctx_.events().emit("zap.reloaded", severity::info,
                       {{"domain", std::string(Domain::name)}, {"keys", std::to_string(directory_keys_.size())}});
  }
  void add_user(std::string name, std::string password_hash) {
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
  void allow_address(std::string const& ip) {
    auto canonical = checked_ip(ip);
    std::lock_guard lock(mu_);
    allowed_addresses_.insert(std::move(canonical));
  }
  void deny_address(std::string const& ip) {
    auto canonical = checked_ip(ip);
    std::lock_guard lock(mu_);
    denied_addresses_.insert(std::move(canonical));
  }

 private:
  struct decision {
    bool ok;
    std::string user_id;
    std::string reason;
  };

  decision decide(std::string const& domain, std::string const& address, std::string const& mechanism,
                  std::vector<zmq::message_t> const& credentials) {
    if (domain != Domain::name) return {false, "", "wrong ZAP domain"};
    std::unique_lock lock(mu_);
    if (!address.empty() && denied_addresses_.count(address)) return {false, "", "address denied"};
    if (!allowed_addresses_.empty() && !allowed_addresses_.count(address))
      return {false, "", "address not on the allow list"};
    // Defence in depth: only mechanisms a live socket of this context
    // declared. A NULL request in a CURVE-only domain means a socket's
    // options were changed behind zguard's back; it is not served.
    int const kind = mechanism == "NULL" ? 0 : mechanism == "PLAIN" ? 1 : mechanism == "CURVE" ? 2 : -1;
    if (kind < 0) return {false, "", "mechanism not supported"};
    if (ctx_.zap_sockets(kind) == 0) return {false, "", "no socket of this domain declares " + mechanism};
    if (mechanism == "NULL") return {true, "", "NULL mechanism"};
    if (mechanism == "CURVE") {
      if (credentials.size() != 1 || credentials[0].size() != 32) return {false, "", "malformed CURVE credentials"};
      auto key = public_key::from_bytes(std::span<const std::uint8_t, 32>(
          static_cast<std::uint8_t const*>(credentials[0].data()), 32));
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

 public:
  // The reply to one ZAP request (RFC 27: version, request id, domain,
  // address, identity, mechanism, credentials...), its security event
  // emitted and the credentials wiped. Any frames at all get an answer:
  // "500" when they are not a ZAP 1.0 request. run() sends it back; the
  // fuzz target fuzz/fuzz_zap.cpp calls it directly.
  zap_reply answer(std::vector<zmq::message_t>& frames) {
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
      } catch (std::exception const& e) {
        d = {false, "", std::string("error: ") + e.what()};
      }
      for (auto& c : creds)  // wipe PLAIN passwords and keys from our buffers
        if (c.size()) sodium_memzero(c.data(), c.size());
    }
    ctx_.events().emit(d.ok ? "zap.allow" : "zap.deny", d.ok ? severity::info : severity::warning,
                       {{"domain", domain},
                        {"mechanism", mechanism},
                        {"address", address},
                        {"user_id", d.user_id},
                        {"reason", d.reason}});
    bool const malformed = d.reason == "malformed ZAP request";
    return {std::move(request_id), d.ok ? "200" : (malformed ? "500" : "400"), std::move(d.reason),
            d.ok ? std::move(d.user_id) : std::string()};
  }

 private:
  void handle(std::vector<zmq::message_t>& frames) {
    auto const r = answer(frames);  // must outlive the send
    std::array<zmq::const_buffer, 6> reply{zmq::str_buffer("1.0"), zmq::buffer(r.request_id),
                                           zmq::buffer(r.status),   zmq::buffer(r.reason),
                                           zmq::buffer(r.user_id),  zmq::const_buffer()};
    zmq::send_multipart(sock_, reply);
  }

  void run() {
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

  context<Domain>& ctx_;
  zmq::socket_t sock_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::unordered_set<std::string> keys_, directory_keys_;
  std::vector<std::filesystem::path> directories_;
  std::unordered_map<std::string, std::string> users_;
  std::set<std::string> allowed_addresses_, denied_addresses_;
};

}  // namespace detail

// The authenticator of a context<Domain>. Construct it before any CURVE or
// PLAIN server socket; pass it to their constructors.
template <class Domain>
class authenticator {
 public:
  using domain_type = Domain;

  explicit authenticator(context<Domain>& ctx)
      : handler_(std::make_shared<detail::zap_handler<Domain>>(ctx)) {}

  // CURVE allowlist.
  authenticator& allow(public_key const& client) { handler_->allow(client); return *this; }
  authenticator& revoke(public_key const& client) { handler_->revoke(client); return *this; }
  // Every public certificate in dir (CZMQ format) is allowed; reload() re-reads.
  authenticator& allow_directory(std::filesystem::path const& dir) { handler_->allow_directory(dir); return *this; }
  void reload() { handler_->reload(); }
  // PLAIN credential store: user name -> crypto_pwhash_str hash.
  authenticator& add_user(std::string name, std::string password_hash) {
    handler_->add_user(std::move(name), std::move(password_hash));
    return *this;
  }
  // Peer address filters (ZAP "address": the IP for tcp).
  // Written in any IP spelling; compared in canonical form.
  authenticator& allow_address(std::string const& ip) { handler_->allow_address(ip); return *this; }
  authenticator& deny_address(std::string const& ip) { handler_->deny_address(ip); return *this; }

  // For zguard::socket: keeps the handler alive while a server socket exists.
  std::shared_ptr<detail::zap_handler<Domain>> share() const { return handler_; }
  context<Domain>& ctx() const { return handler_->ctx(); }

 private:
  std::shared_ptr<detail::zap_handler<Domain>> handler_;
};

}  // namespace v0
}  // namespace zguard
