// Heap allocations on the typed hot path, counted (not timed): a replaced
// global operator new counts what the calling thread allocates, and the
// typed socket's steady state must allocate exactly what raw cppzmq
// allocates on the same transport for the same bytes. Its own binary, so
// the replaced operator new touches no other test.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <zguard/zguard.hpp>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <new>
#include <string>
#include <vector>
#include <unistd.h>

namespace {
thread_local std::uint64_t allocations = 0;
}  // namespace

// Every form a C++ allocation can take on this thread, counted. (The
// replacements pair malloc with free; GCC cannot see that they are paired.)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t n) {
  ++allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return ::operator new(n); }
void* operator new(std::size_t n, std::align_val_t a) {
  ++allocations;
  if (void* p = std::aligned_alloc(std::size_t(a), (n + std::size_t(a) - 1) / std::size_t(a) * std::size_t(a))) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n, std::align_val_t a) { return ::operator new(n, a); }
void* operator new(std::size_t n, std::nothrow_t const&) noexcept {
  ++allocations;
  return std::malloc(n ? n : 1);
}
void* operator new[](std::size_t n, std::nothrow_t const& t) noexcept { return ::operator new(n, t); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace zg = zguard;

namespace {

// A fixed-layout schema: 8 + 4 + 48 bytes of fields, no variable part.
struct reading {
  ZGUARD_SCHEMA("alloc.reading", 1);
  BOOST_HANA_DEFINE_STRUCT(reading, (std::uint64_t, id), (std::uint32_t, sensor),
                           (std::array<std::uint32_t, 12>, samples));
};
// A schema with a variable field: received into a reused zguard::inbox.
struct sample {
  ZGUARD_SCHEMA("alloc.sample", 1);
  BOOST_HANA_DEFINE_STRUCT(sample, (std::uint64_t, id), (zg::bounded_bytes<1024>, data));
};
// The same with shared_bytes: received by sharing the frame, not copying.
struct shared_sample {
  ZGUARD_SCHEMA("alloc.shared", 1);
  BOOST_HANA_DEFINE_STRUCT(shared_sample, (std::uint64_t, id), (zg::shared_bytes<2048>, data));
};
using D = zg::domain<"alloc">;
using L = zg::limits<zg::send_hwm<20000>, zg::recv_hwm<20000>, zg::block_when_full, zg::max_message_size<4096>,
                     zg::linger_ms<0>, zg::send_timeout_ms<1000>, zg::recv_timeout_ms<1000>,
                     zg::handshake_timeout_ms<2000>>;
constexpr int warm_up = 1000;
constexpr int counted = 10000;

struct result {
  std::uint64_t typed = 0;
  std::uint64_t raw = 0;
  int typed_received = 0;
  int raw_received = 0;
};

// Sends and receives one message at a time on this thread: every
// allocation in the loop is the hot path's (libzmq's I/O threads count
// on their own thread-local counters).
template <class Push, class Pull>
std::uint64_t typed_loop(Push& push, Pull& pull, int n, int& received) {
  reading r{};
  auto const before = allocations;
  for (int i = 0; i < n; ++i) {
    r.id = std::uint64_t(i);
    if (!push.send(r)) break;
    auto got = pull.receive();
    if (got && got->value.id == r.id) ++received;
  }
  return allocations - before;
}

// Batched (batched<B, Ms>): B sends fill a batch, which goes out as one
// frame, then B receives read it back message by message; a last partial
// batch is flushed. Steady state reuses the batch buffer and the frames.
template <int B, class Push, class Pull>
std::uint64_t batched_loop(Push& push, Pull& pull, int n, int& received) {
  reading r{};
  auto const before = allocations;
  for (int sent = 0; sent < n;) {
    int const first = sent;
    for (; sent < n && sent - first < B; ++sent) {
      r.id = std::uint64_t(sent);
      if (!push.send(r)) return allocations - before;
    }
    if (!push.flush()) break;
    for (int i = first; i < sent; ++i) {
      auto got = pull.receive();
      if (got && got->value.id == std::uint64_t(i)) ++received;
    }
  }
  return allocations - before;
}

// The same with a variable-size field, sent from one value and received
// into one inbox: steady state reuses both.
template <class Push, class Pull>
std::uint64_t inbox_loop(Push& push, Pull& pull, int n, int& received) {
  static zg::inbox<sample> in;  // lives across warm-up and the counted loop
  sample s{};
  s.data = zg::bounded_bytes<1024>(std::vector<std::uint8_t>(200, 7));
  auto const before = allocations;
  for (int i = 0; i < n; ++i) {
    s.id = std::uint64_t(i);
    if (!push.send(s)) break;
    if (pull.receive(in) && in.value().id == s.id && in.value().data.size() == 200) ++received;
  }
  return allocations - before;
}

// shared_bytes: the inbox's field takes a reference to each frame (libzmq
// counts it) and lets go of the one before; no copy, no allocation.
template <class Push, class Pull>
std::uint64_t shared_loop(Push& push, Pull& pull, int n, int& received) {
  static zg::inbox<shared_sample> in;  // lives across warm-up and the counted loop
  static shared_sample const made = [] {
    shared_sample v{};
    std::vector<std::uint8_t> const d(2000, 7);
    v.data.assign(d.data(), d.size());
    return v;
  }();
  shared_sample s = made;  // a copy shares: no allocation
  auto const before = allocations;
  for (int i = 0; i < n; ++i) {
    s.id = std::uint64_t(i);
    if (!push.send(s)) break;
    if (pull.receive(in) && in.value().id == s.id && in.value().data.size() == 2000 && in.value().data.data()[1999] == 7)
      ++received;
  }
  return allocations - before;
}

std::uint64_t raw_loop(zmq::socket_t& push, zmq::socket_t& pull, std::size_t size, int n, int& received) {
  std::vector<std::uint8_t> bytes(size);  // made before counting
  zmq::message_t in;
  auto const before = allocations;
  for (int i = 0; i < n; ++i) {
    bytes[0] = std::uint8_t(i);
    if (!push.send(zmq::buffer(bytes), zmq::send_flags::none)) break;
    if (pull.recv(in) && in.size() == size) ++received;
  }
  return allocations - before;
}

// make_pair(ctx) returns what the typed pair needs (an authenticator too,
// for CURVE), all destroyed before the context. loop runs the typed side;
// the raw side sends as many bytes per message.
result measure(std::size_t raw_bytes, std::string const& bind_raw, auto make_pair, auto loop) {
  result out;
  zg::context<D> ctx;
  auto parts = make_pair(ctx);
  int ignored = 0;
  loop(*parts.push, *parts.pull, warm_up, ignored);
  out.typed = loop(*parts.push, *parts.pull, counted, out.typed_received);

  zmq::context_t raw_ctx;
  zmq::socket_t rpull(raw_ctx, zmq::socket_type::pull), rpush(raw_ctx, zmq::socket_type::push);
  rpull.set(zmq::sockopt::linger, 0);
  rpush.set(zmq::sockopt::linger, 0);
  rpull.set(zmq::sockopt::rcvtimeo, 1000);
  rpush.set(zmq::sockopt::sndtimeo, 1000);
  rpull.bind(bind_raw);
  rpush.connect(rpull.get(zmq::sockopt::last_endpoint));
  raw_loop(rpush, rpull, raw_bytes, warm_up, ignored);
  out.raw = raw_loop(rpush, rpull, raw_bytes, counted, out.raw_received);
  return out;
}

// measure()'s make_pair for a typed PUSH/PULL pair over inproc.
template <class Push, class Pull>
auto inproc_pair(char const* address) {
  struct parts {
    std::unique_ptr<Pull> pull;
    std::unique_ptr<Push> push;
  };
  return [address](zg::context<D>& ctx) {
    parts p{std::make_unique<Pull>(ctx), std::make_unique<Push>(ctx)};
    auto ep = zg::endpoint<zg::inproc, D>(address);
    p.pull->bind(ep);
    p.push->connect(ep);
    return p;
  };
}

void check_same_allocations(result const& r) {
  CHECK(r.typed_received == counted);
  CHECK(r.raw_received == counted);
  INFO("typed: " << r.typed << " allocations, raw: " << r.raw << " over " << counted << " messages");
  CHECK(r.typed == r.raw);
}

}  // namespace

TEST_CASE("typed PUSH/PULL over inproc allocates nothing raw cppzmq does not") {
  using push_t = zg::socket<D, zg::inproc, zg::push, zg::null_mechanism, L, zg::stream<reading>>;
  using pull_t = zg::socket<D, zg::inproc, zg::pull, zg::null_mechanism, L, zg::stream<reading>>;
  auto r = measure(zg::max_encoded_size<reading>, "inproc://alloc-raw",
                   inproc_pair<push_t, pull_t>("inproc://alloc-typed"),
                   [](auto& push, auto& pull, int n, int& got) { return typed_loop(push, pull, n, got); });
  check_same_allocations(r);
}

TEST_CASE("typed PUSH/PULL over tcp with CURVE allocates nothing raw cppzmq does not") {
  using push_t = zg::socket<D, zg::tcp, zg::push, zg::curve_client, L, zg::stream<reading>>;
  using pull_t = zg::socket<D, zg::tcp, zg::pull, zg::curve_server, L, zg::stream<reading>>;
  zg::keypair server_keys = zg::keypair::generate();
  zg::keypair client_keys = zg::keypair::generate();
  struct parts {
    std::unique_ptr<zg::authenticator<D>> auth;  // outlives the server socket
    std::unique_ptr<pull_t> pull;
    std::unique_ptr<push_t> push;
  };
  auto r = measure(
      zg::max_encoded_size<reading>, "tcp://127.0.0.1:*",
      [&](zg::context<D>& ctx) {
        parts p{std::make_unique<zg::authenticator<D>>(ctx), nullptr, nullptr};
        p.auth->allow(client_keys.public_part());
        p.pull = std::make_unique<pull_t>(ctx, *p.auth, server_keys);
        auto bound = p.pull->bind("tcp://127.0.0.1:*");
        p.push = std::make_unique<push_t>(ctx, client_keys, server_keys.public_part());
        p.push->connect(bound);
        return p;
      },
      [](auto& push, auto& pull, int n, int& got) { return typed_loop(push, pull, n, got); });
  check_same_allocations(r);
}

TEST_CASE("a schema with a byte field received into an inbox allocates nothing raw cppzmq does not") {
  using push_t = zg::socket<D, zg::ipc, zg::push, zg::null_mechanism, L, zg::stream<sample>>;
  using pull_t = zg::socket<D, zg::ipc, zg::pull, zg::null_mechanism, L, zg::stream<sample>>;
  struct parts {
    std::unique_ptr<pull_t> pull;
    std::unique_ptr<push_t> push;
  };
  auto const dir = std::filesystem::temp_directory_path() / ("zguard-alloc-" + std::to_string(::getpid()));
  std::filesystem::create_directory(dir);
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all);
  sample probe{};
  probe.data = zg::bounded_bytes<1024>(std::vector<std::uint8_t>(200, 7));
  auto r = measure(
      zg::encoded_size(probe), "ipc://" + (dir / "raw").string(),
      [&](zg::context<D>& ctx) {
        parts p{std::make_unique<pull_t>(ctx), std::make_unique<push_t>(ctx)};
        auto bound = p.pull->bind("ipc://" + (dir / "typed").string());
        p.push->connect(bound);
        return p;
      },
      [](auto& push, auto& pull, int n, int& got) { return inbox_loop(push, pull, n, got); });
  std::filesystem::remove_all(dir);
  check_same_allocations(r);
}

TEST_CASE("a shared_bytes field received into an inbox over inproc allocates nothing raw cppzmq does not") {
  using push_t = zg::socket<D, zg::inproc, zg::push, zg::null_mechanism, L, zg::stream<shared_sample>>;
  using pull_t = zg::socket<D, zg::inproc, zg::pull, zg::null_mechanism, L, zg::stream<shared_sample>>;
  shared_sample probe{};
  std::vector<std::uint8_t> const d(2000, 7);
  probe.data.assign(d.data(), d.size());
  auto r = measure(zg::encoded_size(probe), "inproc://alloc-raw-shared", inproc_pair<push_t, pull_t>("inproc://alloc-shared"),
                   [](auto& push, auto& pull, int n, int& got) { return shared_loop(push, pull, n, got); });
  check_same_allocations(r);
}

TEST_CASE("a batched PUSH/PULL stream over inproc allocates nothing raw cppzmq does not, per message") {
  // Raw sends each message as its own frame: the batched side must not
  // allocate per message (nor per batch) where raw does not.
  constexpr int batch = 16;
  using push_t = zg::socket<D, zg::inproc, zg::push, zg::null_mechanism, L, zg::stream<reading>, zg::batched<batch, 1000>>;
  using pull_t = zg::socket<D, zg::inproc, zg::pull, zg::null_mechanism, L, zg::stream<reading>, zg::batched<batch, 1000>>;
  auto r = measure(zg::max_encoded_size<reading>, "inproc://alloc-raw-batched",
                   inproc_pair<push_t, pull_t>("inproc://alloc-typed-batched"),
                   [](auto& push, auto& pull, int n, int& got) { return batched_loop<batch>(push, pull, n, got); });
  check_same_allocations(r);
}
