// zguard/pipeline/keys.hpp - the key material of a pipeline, derived from
// its topology (docs/pipelines.md, "Keys"): which files generate_keys
// writes, and which of them each stage's socket loads.
//
//   <link>.server.cert(+_secret)  CURVE keypair of the stage binding a CURVE link
//   <stage>.client.cert(+_secret) CURVE keypair of a stage connecting to CURVE links
//   <stage>.<link>.sign(+_secret) Ed25519 key of each stage sending on an Ed25519 link
//   <link>.mac_secret             BLAKE2b group key of a BLAKE2b link
//   <stage>.<link>.seal(+_secret) X25519 sealing key of each stage opening a sealed link's
//                                 payloads (a sealed service, a sealed subscriber); the
//                                 stages sealing to it (clients, publishers) read the public
//                                 part, relays on the way none
#pragma once

#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>
#include <type_traits>

#include <zguard/auth.hpp>
#include <zguard/certificate.hpp>
#include <zguard/detail/policy_set.hpp>
#include <zguard/keys.hpp>
#include <zguard/link.hpp>
#include <zguard/pipeline/error.hpp>
#include <zguard/pipeline/stage_env.hpp>
#include <zguard/sealed.hpp>
#include <zguard/signing.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

inline std::filesystem::path server_cert(std::filesystem::path const& dir, std::string_view link) {
  return dir / (std::string(link) + ".server.cert");
}
inline std::filesystem::path client_cert(std::filesystem::path const& dir, std::string_view stage) {
  return dir / (std::string(stage) + ".client.cert");
}
inline std::filesystem::path sign_file(std::filesystem::path const& dir, std::string_view stage,
                                       std::string_view link) {
  return dir / (std::string(stage) + "." + std::string(link) + ".sign");
}
inline std::filesystem::path mac_file(std::filesystem::path const& dir, std::string_view link) {
  return dir / (std::string(link) + ".mac");
}
inline std::filesystem::path seal_file(std::filesystem::path const& dir, std::string_view stage,
                                       std::string_view link) {
  return dir / (std::string(stage) + "." + std::string(link) + ".seal");
}

// A socket that opens sealed payloads with a sealing key of its own (a
// sealed service, a sealed subscriber), and one that seals to such keys (a
// sealed client, a sealed publisher).
template <class S>
inline constexpr bool opens_sealed_link = traits_of<S>::opens_sealed || traits_of<S>::opens_feed;
template <class S>
inline constexpr bool seals_sealed_link = traits_of<S>::seals_requests || traits_of<S>::seals_feed;

// Writes every key the topology's ports need into dir (created 0700); keeps
// the files that exist.
template <class Topology>
void generate_keys(std::filesystem::path const& dir) {
  std::filesystem::create_directories(dir);
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace);
  [&]<class... Es>(type_list<Es...>) {
    auto one = [&]<class E>(E*) {
      using L = typename E::link;
      using S = traits_of<typename E::socket>;
      if constexpr (L::mechanism_type::kind == mechanism_kind::curve) {
        auto const path = E::port::binder ? server_cert(dir, L::name) : client_cert(dir, E::stage::name);
        if (!std::filesystem::exists(path)) save_certificate(path, keypair::generate());
      }
      if constexpr (S::is_signed) {
        using A = typename S::signing_algorithm;
        if constexpr (std::is_same_v<A, ed25519>) {
          auto const path = sign_file(dir, E::stage::name, L::name);
          if (S::signs && !std::filesystem::exists(path)) save_signing_key(path, signing_key<ed25519>::generate());
        } else if (!std::filesystem::exists(secret_path_of(mac_file(dir, L::name)))) {
          save_signing_key(mac_file(dir, L::name), signing_key<blake2b_mac>::generate());
        }
      }
      if constexpr (opens_sealed_link<typename E::socket>) {
        auto const path = seal_file(dir, E::stage::name, L::name);
        if (!std::filesystem::exists(path)) save_sealing_key(path, sealing_key::generate());
      }
    };
    (one(static_cast<Es*>(nullptr)), ...);
  }(typename Topology::entries{});
}

// The typed ports on `link` and, through relay stages (whose untyped
// sockets pass frames on unread), on the links a relay passes it on to
// (Downstream: the way data flows, a relay's receiving side on to its
// sending side; a ROUTER/DEALER queue both ways) or from (upstream). at(F)
// is called for each typed port reached, once a link; relays never are.
template <bool Downstream, class... Es, class At>
void walk_through_relays(type_list<Es...> all, std::string_view link, std::set<std::string>& visited, At const& at) {
  if (!visited.insert(std::string(link)).second) return;
  auto one = [&]<class F>(F*) {
    using S = traits_of<typename F::socket>;
    if (F::link::name != link) return;
    if constexpr (S::typed) {
      at(static_cast<F*>(nullptr));
    } else if constexpr (Downstream ? data_receiver<typename S::pattern_type> : data_sender<typename S::pattern_type>) {
      auto onward = [&]<class G>(G*) {
        using GS = traits_of<typename G::socket>;
        if constexpr (std::is_same_v<typename G::stage, typename F::stage> && !GS::typed &&
                      (Downstream ? data_sender<typename GS::pattern_type> : data_receiver<typename GS::pattern_type>))
          walk_through_relays<Downstream>(all, G::link::name, visited, at);
      };
      (onward(static_cast<Es*>(nullptr)), ...);
    }
  };
  (one(static_cast<Es*>(nullptr)), ...);
}

// The signing key files whose public keys verify what port E receives:
// every other stage that signs on its link, and through relays (stages
// whose untyped sockets pass envelopes on unchanged) the signers of the
// links they relay from.
template <class Topology, class E>
std::set<std::filesystem::path> signer_files(std::filesystem::path const& dir) {
  using A = typename traits_of<typename E::socket>::signing_algorithm;
  std::set<std::string> visited;
  std::set<std::filesystem::path> files;
  walk_through_relays<false>(typename Topology::entries{}, E::link::name, visited, [&]<class F>(F*) {
    using S = traits_of<typename F::socket>;
    if constexpr (S::signs && std::is_same_v<typename S::signing_algorithm, A>)
      if (F::stage::name != E::stage::name) files.insert(sign_file(dir, F::stage::name, F::link::name));
  });
  return files;
}
template <class Topology, class E>
auto verify_keys_for(pipeline_options const& o) {
  using A = typename traits_of<typename E::socket>::signing_algorithm;
  verify_keys<A> keys;
  if constexpr (std::is_same_v<A, blake2b_mac>) {
    keys.add(load_signing_key<blake2b_mac>(mac_file(o.keys, E::link::name)));
  } else {
    for (auto const& f : signer_files<Topology, E>(o.keys)) keys.add(load_trusted_verify_key(f));
    if (keys.size() == 0)
      throw pipeline_error("stage " + std::string(E::stage::name) + ": nobody signs what it receives on link " +
                           std::string(E::link::name));
  }
  return keys;
}

// The sealing key files whose holders open what port E seals: every stage
// that opens it on its link, and through relays (whose untyped sockets
// pass sealed frames on unread) the openers on the links they pass it to,
// in the direction data flows (an XSUB side's link on to the XPUB side's;
// a ROUTER/DEALER queue both ways). Relays themselves never appear: they
// hold none.
template <class Topology, class E>
std::set<std::filesystem::path> opener_files(std::filesystem::path const& dir) {
  std::set<std::string> visited;
  std::set<std::filesystem::path> files;
  walk_through_relays<true>(typename Topology::entries{}, E::link::name, visited, [&]<class F>(F*) {
    if constexpr (opens_sealed_link<typename F::socket>) files.insert(seal_file(dir, F::stage::name, F::link::name));
  });
  return files;
}

// The sealing constructor argument of port E's socket: its own sealing key
// (it opens), the one service key it is pinned to (a sealed client), the
// members it seals each epoch key to (a sealed publisher), or none.
template <class Topology, class E>
auto sealing_arguments(pipeline_options const& o) {
  using Sock = typename E::socket;
  std::string const where = "stage " + std::string(E::stage::name) + " on sealed link " + std::string(E::link::name);
  if constexpr (opens_sealed_link<Sock>) {
    return std::make_tuple(load_sealing_key(seal_file(o.keys, E::stage::name, E::link::name)));
  } else if constexpr (traits_of<Sock>::seals_requests) {
    auto const files = opener_files<Topology, E>(o.keys);
    if (files.size() != 1)
      throw pipeline_error(where + ": a sealed client is pinned to one service's sealing key, and " +
                           std::to_string(files.size()) + " stages serve what it sends (exactly one must)");
    return std::make_tuple(load_trusted_sealing_public_key(*files.begin()));
  } else if constexpr (traits_of<Sock>::seals_feed) {
    sealing_members members;
    for (auto const& f : opener_files<Topology, E>(o.keys)) members.add(load_trusted_sealing_public_key(f));
    if (members.empty()) throw pipeline_error(where + ": no stage subscribes to open what it publishes");
    constexpr std::size_t most = traits_of<Sock>::sealing_type::members;
    if (members.size() > most)
      throw pipeline_error(where + ": " + std::to_string(members.size()) +
                           " stages subscribe to open what it publishes, more than its sealed<max_members<" +
                           std::to_string(most) + ">> (raise it on the link)");
    return std::make_tuple(members);
  } else {
    return std::tuple<>{};
  }
}

// The key files port E's socket reads (what make_socket loads): a path and
// whether its secret part is read. A host given only the files of its own
// stages' ports holds no other host's secret (deployment.hpp).
struct key_file {
  std::filesystem::path path;
  bool secret = false;
};
template <class Topology, class E>
void key_files_of(std::filesystem::path const& dir, std::vector<key_file>& out) {
  using L = typename E::link;
  using S = traits_of<typename E::socket>;
  using M = typename S::mechanism_type;
  if constexpr (M::kind == mechanism_kind::curve && M::role == mechanism_role::server) {
    out.push_back({server_cert(dir, L::name), true});
    [&]<class... Fs>(type_list<Fs...>) {
      auto one = [&]<class F>(F*) {
        if constexpr (std::is_same_v<typename F::link, L> && !F::port::binder)
          out.push_back({client_cert(dir, F::stage::name), false});
      };
      (one(static_cast<Fs*>(nullptr)), ...);
    }(typename Topology::entries{});
  } else if constexpr (M::kind == mechanism_kind::curve) {
    out.push_back({client_cert(dir, E::stage::name), true});
    out.push_back({server_cert(dir, L::name), false});
  }
  if constexpr (S::is_signed) {
    if constexpr (std::is_same_v<typename S::signing_algorithm, ed25519>) {
      if constexpr (S::signs) out.push_back({sign_file(dir, E::stage::name, L::name), true});
      if constexpr (S::verifies)
        for (auto const& f : signer_files<Topology, E>(dir)) out.push_back({f, false});
    } else {
      out.push_back({mac_file(dir, L::name), true});
    }
  }
  if constexpr (opens_sealed_link<typename E::socket>) out.push_back({seal_file(dir, E::stage::name, L::name), true});
  if constexpr (seals_sealed_link<typename E::socket>)
    for (auto const& f : opener_files<Topology, E>(dir)) out.push_back({f, false});
}

// The signing constructor arguments of port E's socket: its signing key,
// its verify keys, both, or none.
template <class Topology, class E>
auto signing_arguments(pipeline_options const& o) {
  using S = traits_of<typename E::socket>;
  if constexpr (!S::is_signed) {
    return std::tuple<>{};
  } else {
    using A = typename S::signing_algorithm;
    auto key = [&] {
      if constexpr (std::is_same_v<A, ed25519>)
        return load_signing_key<ed25519>(sign_file(o.keys, E::stage::name, E::link::name));
      else return load_signing_key<blake2b_mac>(mac_file(o.keys, E::link::name));
    };
    if constexpr (S::signs && S::verifies) return std::make_tuple(key(), verify_keys_for<Topology, E>(o));
    else if constexpr (S::signs) return std::make_tuple(key());
    else return std::make_tuple(verify_keys_for<Topology, E>(o));
  }
}

// The key directory decides whom each socket lets in and whose signatures it
// accepts: whoever could write it could swap a public key for their own.
inline void check_key_directory(pipeline_options const& o) {
  check_trusted_directory(o.keys, "pipeline key directory", "replace a key the pipeline trusts");
}

// The CURVE clients allowed on port E's link: every stage connecting to it.
template <class Topology, class E, class D>
void allow_clients(authenticator<D>& auth, pipeline_options const& o) {
  [&]<class... Fs>(type_list<Fs...>) {
    auto one = [&]<class F>(F*) {
      if constexpr (std::is_same_v<typename F::link, typename E::link> && !F::port::binder)
        auth.allow(load_trusted_certificate(client_cert(o.keys, F::stage::name)).key);
    };
    (one(static_cast<Fs*>(nullptr)), ...);
  }(typename Topology::entries{});
}

}  // namespace detail
}  // namespace v0
}  // namespace zguard
