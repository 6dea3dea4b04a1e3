// MESSAGE[zguard::socket::connect: the socket bound at that endpoint is sealed<...> and this one declares no sealing]
// A subscriber without a sealing key on a sealed feed would read nothing.
#include "common.hpp"
void f(zg::context<D>& ctx, zg::signing_key<zg::ed25519> const& key, zg::verify_keys<zg::ed25519> const& keys,
       zg::sealing_members const& members) {
  using topic = zg::topic<"t", small>;
  zg::socket<D, zg::ipc, zg::pub, zg::null_mechanism, LD, topic, zg::signing<zg::ed25519>,
             zg::sealed<zg::max_members<4>>>
      publisher(ctx, key, members);
  zg::socket<D, zg::ipc, zg::sub, zg::null_mechanism, LD, topic, zg::signing<zg::ed25519>> subscriber(ctx, keys);
  subscriber.connect(publisher.bind("ipc:///tmp/cf-feed.sock"));
}
