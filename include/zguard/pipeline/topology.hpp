// zguard/pipeline/topology.hpp - the stages of a pipeline and the
// compile-time check of its topology (docs/pipelines.md).
//
// A stage is a name and the links it binds or connects to (link.hpp);
// detail::topology<Stages...> flattens their ports and checks, when
// instantiated, that each link has exactly one binding stage, that every
// socket fits its link (port_check) and every binder every connector of its
// link (pair_check), and that stage names are unique. describe() prints it.
#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>

#include <zguard/detail/policy_set.hpp>
#include <zguard/fixed_string.hpp>
#include <zguard/link.hpp>
#include <zguard/transport.hpp>

namespace zguard {
inline namespace v0 {

namespace detail {
// One port of one stage: what the checks and the runtime iterate over.
template <class Stage, class Port>
struct stage_port {
  using stage = Stage;
  using port = Port;
  using link = typename Port::link_type;
  using socket = typename Port::socket_type;
};
template <class... Ls>
struct concat;
template <>
struct concat<> {
  using type = type_list<>;
};
template <class... A>
struct concat<type_list<A...>> {
  using type = type_list<A...>;
};
template <class... A, class... B, class... Rest>
struct concat<type_list<A...>, type_list<B...>, Rest...> {
  using type = typename concat<type_list<A..., B...>, Rest...>::type;
};

// The socket type of the one port of a stage on link L.
template <class L, class... Ports>
struct port_on_link {
  using type = refused_port;  // no port on L: socket_on_link said so
};
template <class L, class P, class... Rest>
struct port_on_link<L, P, Rest...> {
  using type = typename std::conditional_t<std::is_same_v<typename P::link_type, L>,
                                           std::type_identity<typename P::socket_type>, port_on_link<L, Rest...>>::type;
};
template <class L, class... Ports>
struct socket_on_link {
  static_assert((0 + ... + (std::is_same_v<typename Ports::link_type, L> ? 1 : 0)) == 1,
                "zguard::stage::socket_on<Link>: the stage has no port on this link, or more than one");
  using type = typename port_on_link<L, Ports...>::type;
};
}  // namespace detail

// A stage that passes messages on unchanged between two links: the pipeline
// runs a zguard::proxy<Front, Back> between its sockets (ROUTER -> DEALER,
// XSUB -> XPUB, PULL -> PUSH) until stopped. It has no run(): no stage code
// holds its untyped sockets, which would read the links' payloads unchecked.
//   struct forwarder : zg::relay_stage<"forwarder", zg::connects<in, up>, zg::binds<out, down>> {};
template <fixed_string Name, class FrontPort, class BackPort>
struct relay_stage;

// A stage: a name and the links it binds or connects to. Derive a struct
// from it with `static void run(stage_env&, Sockets&...)` taking its
// sockets in port order (socket_on<Link> names each); set `replicas` to run
// it several times and `finishes = true` on the stages whose return ends
// the pipeline.
template <fixed_string Name, class... Ports>
struct stage {
  static_assert(detail::is_name_token(Name.view()),
                "zguard::stage: a stage's name is 1..64 of [A-Za-z0-9_-]: it names key files, processes and units, "
                "joined with dots, so a dot or a slash could make two names one file or put a key elsewhere");
  static_assert(sizeof...(Ports) > 0, "zguard::stage: a stage uses at least one link (binds<...> or connects<...>)");
  static constexpr std::string_view name = Name.view();
  static constexpr int replicas = 1;
  static constexpr bool finishes = false;
  template <class Self>
  using ports_of = detail::type_list<detail::stage_port<Self, Ports>...>;
  using sockets = std::tuple<typename Ports::socket_type...>;
  // The socket this stage uses on link L: `static void run(stage_env&, socket_on<tasks>&)`.
  template <Link L>
  using socket_on = typename detail::socket_on_link<L, Ports...>::type;
  // The first inproc link of the stage (empty if none): such a stage can
  // only run in the process of its peers (--all), never alone (--stage).
  static constexpr std::string_view inproc_link = [] {
    std::string_view found;
    ((found = found.empty() && std::is_same_v<typename Ports::link_type::transport_type, inproc>
                  ? Ports::link_type::name
                  : found),
     ...);
    return found;
  }();
};

template <fixed_string Name, class FrontPort, class BackPort>
struct relay_stage : stage<Name, FrontPort, BackPort>, relay_stage_tag {};

namespace detail {

// The ports of all stages and their checks: check_all(entries{}) is true
// or does not compile (pipeline<...>::checked calls it; the compiler's
// "required from" lines then name the stage, the link and the sockets).
template <class... Stages>
struct topology {
  using entries = typename concat<typename Stages::template ports_of<Stages>...>::type;
  static constexpr std::size_t stage_count = sizeof...(Stages);

  template <class Link, class... Es>
  static constexpr int binders_of(type_list<Es...>) {
    return ((std::is_same_v<typename Es::link, Link> && Es::port::binder ? 1 : 0) + ... + 0);
  }
  // A port whose socket binds/connects refused was reported there; checking
  // it again would only bury that message.
  template <class E>
  static constexpr bool refused = std::is_same_v<typename E::socket, refused_port> ||
                                  (std::is_base_of_v<relay_stage_tag, typename E::stage> &&
                                   !is_relay_stage<typename E::stage>);

  template <class B, class C>
  static constexpr bool check_pair() {
    if constexpr (refused<B> || refused<C>) return true;
    else if constexpr (std::is_same_v<typename B::link, typename C::link> && !C::port::binder)
      return pair_check<typename B::link, typename B::stage, typename B::socket, typename C::stage,
                        typename C::socket>::ok;
    else return true;
  }
  template <class E, class... Es>
  static constexpr bool check_entry(type_list<Es...> all) {
    if constexpr (refused<E>) {
      return true;
    } else {
      constexpr bool port_ok = port_check<typename E::stage, typename E::link, typename E::socket, E::port::binder>::ok;
      constexpr int binders = binders_of<typename E::link>(all);
      static_assert(binders <= 1,
                    "zguard::pipeline: a link is bound by more than one stage; exactly one stage binds each link");
      static_assert(binders >= 1, "zguard::pipeline: a link has no binding stage; exactly one stage binds each link");
      if constexpr (E::port::binder && binders == 1) {
        return port_ok && (check_pair<E, Es>() && ...);
      } else {
        return port_ok;
      }
    }
  }
  template <class... Es>
  static constexpr bool check_all(type_list<Es...> all) {
    return (check_entry<Es>(all) && ...);
  }
  // Links are found by name at run time (key files, rendezvous files, the
  // walk through relays): two link types of one name would be one link there.
  template <class... Es>
  static constexpr bool link_names_unique(type_list<Es...>) {
    if constexpr (!(Link<typename Es::link> && ...)) {
      return true;  // binds/connects said what is wrong
    } else {
      bool ok = true;
      auto one = [&]<class E>(E*) {
        ((ok = ok && (E::link::name != Es::link::name || std::is_same_v<typename E::link, typename Es::link>)), ...);
      };
      (one(static_cast<Es*>(nullptr)), ...);
      return ok;
    }
  }
  // A relay passes frames on unread: both its links are sealed alike (the
  // same sealed<...>, or neither), or what one link's ends seal the other's
  // would open under another policy, or not at all.
  template <class Stage, class... Es>
  static constexpr bool relay_sealing_alike(type_list<Es...>) {
    if constexpr (!is_relay_stage<Stage> || sizeof...(Es) == 0 || !(Link<typename Es::link> && ...)) {
      return true;
    } else {
      using first = typename std::tuple_element_t<0, std::tuple<Es...>>::link;
      return (std::is_same_v<typename Es::link::sealing_type, typename first::sealing_type> && ...);
    }
  }
  static_assert(link_names_unique(entries{}),
                "zguard::pipeline: two different links have the same name; link names are unique (they name key "
                "and rendezvous files)");
  static_assert((relay_sealing_alike<Stages>(typename Stages::template ports_of<Stages>{}) && ...),
                "zguard::pipeline: a relay_stage joins links sealed differently (one sealed and one not, or two "
                "sealed<...> policies); it passes frames unread, so both its links need the same Sealing (G19)");
  static constexpr bool names_unique() {
    std::string_view names[] = {Stages::name...};
    for (std::size_t i = 0; i < sizeof...(Stages); ++i)
      for (std::size_t j = i + 1; j < sizeof...(Stages); ++j)
        if (names[i] == names[j]) return false;
    return true;
  }
  static_assert(sizeof...(Stages) > 0, "zguard::pipeline: no stages");
  static_assert(((!std::is_base_of_v<relay_stage_tag, Stages> || is_relay_stage<Stages>) && ...),
                "zguard::pipeline: a stage derives from zguard::relay_stage_tag but not from "
                "zguard::relay_stage<Name, Front, Back>; only the latter makes a relay (the pipeline runs its "
                "proxy): derive from relay_stage<...>");
  static_assert(names_unique(), "zguard::pipeline: two stages have the same name");
  static_assert(((Stages::replicas >= 1 && Stages::replicas <= 256) && ...),
                "zguard::pipeline: a stage's replicas must be in 1..256");
};

// Each link once, with the stages on it and their sockets' profiles.
template <class Topology>
std::string describe() {
  std::string out = "pipeline: " + std::to_string(Topology::stage_count) + " stages\n";
  std::set<std::string> seen;
  [&]<class... Es>(type_list<Es...>) {
    auto one = [&]<class E>(E*) {
      using L = typename E::link;
      if (!seen.insert(std::string(L::name)).second) return;
      out += "link " + link_description<L>() + "\n";
      auto side = [&]<class F>(F*) {
        if constexpr (std::is_same_v<typename F::link, L>) {
          out += std::string(F::port::binder ? "  bound by " : "  connected by ") + std::string(F::stage::name);
          if (F::stage::replicas > 1) out += " x" + std::to_string(F::stage::replicas);
          out += ": " + F::socket::profile() + "\n";
        }
      };
      (side(static_cast<Es*>(nullptr)), ...);
    };
    (one(static_cast<Es*>(nullptr)), ...);
  }(typename Topology::entries{});
  return out;
}

}  // namespace detail
}  // namespace v0
}  // namespace zguard
