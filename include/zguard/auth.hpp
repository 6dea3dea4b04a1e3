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
// Policy, in order: the ZAP domain must be ours (or a gate's); the peer address must pass
// the deny list and, if one is set, the allow list; then CURVE keys must be
// on the allowlist (keys given in code plus public certificates in the
// allowlist directories), PLAIN passwords must verify against a
// crypto_pwhash_str hash, NULL is accepted. A mechanism that no live socket
// of the context declares (NULL in a CURVE-only domain, say) is refused
// first. A socket with a gate of its own (an authorized XPUB) is asked last.
// Every decision is a security event.
#pragma once

#include <zguard/detail/compiled.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sodium.h>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
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
ZGUARD_DECL std::string hash_password(std::string_view password);

namespace detail {

// Canonical text of an IP address, so that filters cannot be bypassed by
// spelling: an IPv4 peer of a dual-stack (ZMQ_IPV6) socket is reported as
// "::ffff:127.0.0.1", and IPv6 has many spellings of one address. Returns
// empty for text that is not an IP address.
ZGUARD_DECL std::string canonical_ip(std::string const& text);

ZGUARD_DECL std::string checked_ip(std::string const& text);

// What the handler answers to one ZAP request (the frames after "1.0").
struct zap_reply {
  std::string request_id, status, reason, user_id;
};

// State and thread of one ZAP handler: its socket, its allowlists and its
// decisions. Not a template: it is compiled once with
// ZGUARD_SEPARATE_COMPILATION (zguard/detail/compiled.hpp); zap_handler<D>
// gives it its context's parts.
class zap_core {
 public:
  zap_core(zmq::context_t& native, event_log& log, std::atomic<int> const* zap_sockets, std::string_view domain);
  zap_core(zap_core const&) = delete;
  zap_core& operator=(zap_core const&) = delete;
  ~zap_core() { shutdown(); }

  void allow(public_key const& key);
  void revoke(public_key const& key);
  void allow_directory(std::filesystem::path dir);
  // Re-reads the allowlist directories; on any error the old set stays.
  void reload();
  void add_user(std::string name, std::string password_hash);
  void remove_user(std::string const& name);
  void allow_address(std::string const& ip);
  void deny_address(std::string const& ip);

  // The policy as it stands now, for sessions admitted earlier: whether a
  // peer with this mechanism ("CURVE", "PLAIN", "NULL"), User-Id and
  // address would still be let in (a PLAIN password is not asked again: the
  // user must still be known). Live server sockets ask it for every
  // message, so a revoke() or reload() reaches connections that are open.
  bool still_allows(std::string_view mechanism, std::string_view user_id, std::string_view address);
  // Moves on each change that may take a right away (revoke, reload,
  // remove_user, address filters): a socket re-asks
  // still_allows only for identities it has not checked since.
  std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  // When the policy last changed (steady clock): a connection opened
  // after it was judged under it.
  std::chrono::steady_clock::time_point changed_at() const {
    return std::chrono::steady_clock::time_point(std::chrono::steady_clock::duration(changed_at_.load()));
  }

  // A server socket's own admission rule, asked after this handler's policy
  // allowed a peer: the socket sets its ZAP domain to the name add_gate
  // returns. It gets the mechanism, the User-Id (the Z85 key, the PLAIN
  // user) and the peer's address, and returns "" to admit or the reason
  // to refuse. An authorized XPUB admits only subscribers whose key may
  // read its feed. Gates run on the handler's thread, one at a time, and
  // never after remove_gate returned.
  using gate = std::function<std::string(std::string_view mechanism, std::string_view user_id,
                                         std::string_view address)>;
  std::string add_gate(gate g);
  void remove_gate(std::string const& name);

  // The reply to one ZAP request (RFC 27: version, request id, domain,
  // address, identity, mechanism, credentials...), its security event
  // emitted and the credentials wiped. Any frames at all get an answer:
  // "500" when they are not a ZAP 1.0 request. run() sends it back; the
  // fuzz target fuzz/fuzz_zap.cpp calls it directly.
  zap_reply answer(std::vector<zmq::message_t>& frames);

 protected:
  // Stops the thread and closes the socket; idempotent.
  void shutdown();

 private:
  struct decision {
    bool ok;
    std::string user_id;
    std::string reason;
  };
  decision decide(std::string const& domain, std::string const& address, std::string const& mechanism,
                  std::vector<zmq::message_t> const& credentials);
  void handle(std::vector<zmq::message_t>& frames);
  void run();

  event_log& log_;
  std::atomic<int> const* zap_sockets_;  // the context's live sockets per mechanism: 0 NULL, 1 PLAIN, 2 CURVE
  std::string domain_;
  zmq::socket_t sock_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::unordered_set<std::string> keys_, directory_keys_;
  std::vector<std::filesystem::path> directories_;
  std::unordered_map<std::string, std::string> users_;
  std::set<std::string> allowed_addresses_, denied_addresses_;
  std::map<std::string, gate, std::less<>> gates_;  // by ZAP domain
  std::atomic<std::uint64_t> generation_{1};
  std::atomic<std::chrono::steady_clock::rep> changed_at_{0};
  void changed();                                    // generation_ and changed_at_, under mu_
  bool allows_locked(std::string_view mechanism, std::string_view user_id, std::string_view address) const;
  std::uint64_t gates_made_ = 0;
};

// The ZAP handler of a context<Domain>, which it claims: shared by the
// authenticator and the server sockets that rely on it.
template <class Domain>
class zap_handler : public zap_core {
 public:
  explicit zap_handler(context<Domain>& ctx) try
      : zap_core((claim(ctx, this), ctx.native()), ctx.events(), ctx.zap_sockets_, Domain::name), ctx_(ctx) {
  } catch (authenticator_error const&) {
    throw;  // not claimed: another handler owns the context's endpoint
  } catch (...) {
    ctx.release_zap(this);
    throw;
  }
  ~zap_handler() {
    shutdown();  // the endpoint is closed before another handler may claim it
    ctx_.release_zap(this);
  }

  context<Domain>& ctx() { return ctx_; }

 private:
  static void claim(context<Domain>& ctx, void const* owner) {
    if (!ctx.claim_zap(owner))
      throw authenticator_error("zguard::authenticator: this context already has an authenticator "
                                "(libzmq allows one ZAP handler per context)");
  }

  context<Domain>& ctx_;
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
  // Also reaches live sessions: when revoke() or reload() returns, every
  // server socket of the context refuses the key's next message and cuts
  // its connection, and feeds cut the connections of their subscribers
  // so all re-handshake (docs/threat-model.md, "Revocation").
  authenticator& revoke(public_key const& client) { handler_->revoke(client); return *this; }
  // Every public certificate in dir (CZMQ format) is allowed; reload() re-reads.
  authenticator& allow_directory(std::filesystem::path const& dir) { handler_->allow_directory(dir); return *this; }
  void reload() { handler_->reload(); }
  // PLAIN credential store: user name -> crypto_pwhash_str hash.
  authenticator& add_user(std::string name, std::string password_hash) {
    handler_->add_user(std::move(name), std::move(password_hash));
    return *this;
  }
  // Like revoke(): the user's live sessions end too.
  authenticator& remove_user(std::string const& name) { handler_->remove_user(name); return *this; }
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

#if !defined(ZGUARD_SEPARATE_COMPILATION)
#include <zguard/impl/auth.ipp>
#endif
