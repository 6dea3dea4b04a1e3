// raw_curve_service: examples/curve_service.cpp written with cppzmq and
// libsodium only, the baseline scripts/compile_cost.sh compiles next to it.
// A CURVE REP service that serves only clients whose public certificate is
// in --allow-dir (a minimal ZAP handler), replies "ok: <text>" to
// well-formed requests (u32 sequence, u16 length, text) and writes refusals
// to stderr as JSON lines. Not a test and not an example: it exists so the
// compile-cost comparison is against real code doing the same job.
#include <sodium.h>

#include <zmq.hpp>
#include <zmq_addon.hpp>

#include <atomic>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

std::atomic<bool> stop_flag = false;
extern "C" void on_signal(int) { stop_flag = true; }

// --- flags -------------------------------------------------------------------

std::map<std::string, std::string> parse_flags(int argc, char** argv) {
  std::map<std::string, std::string> v{{"bind", "tcp://127.0.0.1:5555"}, {"max-request", "1024"},
                                       {"requests", "0"},                {"endpoint-file", ""}};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::cout << "usage: raw_curve_service --cert FILE --allow-dir DIR [--bind EP] [--max-request N] "
                   "[--requests N] [--endpoint-file FILE]\n";
      std::exit(0);
    }
    if (a.rfind("--", 0) != 0 || i + 1 >= argc) throw std::runtime_error("bad flag " + a);
    v[a.substr(2)] = argv[++i];
  }
  for (char const* required : {"cert", "allow-dir"})
    if (!v.count(required)) throw std::runtime_error(std::string("missing --") + required);
  return v;
}

// --- keys: CZMQ certificate files (curve/public-key, curve/secret-key) -------

std::string certificate_field(std::filesystem::path const& path, std::string const& field) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open certificate " + path.string());
  std::string line;
  while (std::getline(in, line)) {
    auto const at = line.find(field);
    if (at == std::string::npos || line.find_first_not_of(" \t") != at) continue;
    auto const open = line.find('"', at), close = line.rfind('"');
    if (open != std::string::npos && close > open) return line.substr(open + 1, close - open - 1);
  }
  throw std::runtime_error("certificate " + path.string() + " has no " + field);
}

void z85_key(std::string const& text, std::uint8_t* out) {
  if (text.size() != 40 || !zmq_z85_decode(out, text.c_str())) throw std::runtime_error("bad Z85 key");
}

// The secret key in locked memory, wiped on exit; the public key must match.
struct server_keys {
  std::uint8_t public_key[32];
  std::uint8_t* secret_key;
  explicit server_keys(std::filesystem::path const& cert) {
    secret_key = static_cast<std::uint8_t*>(sodium_malloc(32));
    if (!secret_key) throw std::runtime_error("sodium_malloc failed");
    auto const secret_path = cert.string() + "_secret";
    auto const st = std::filesystem::status(secret_path);
    using p = std::filesystem::perms;
    if ((st.permissions() & (p::group_all | p::others_all)) != p::none)
      throw std::runtime_error(secret_path + " is readable by others");
    z85_key(certificate_field(cert, "public-key"), public_key);
    std::string secret_text = certificate_field(secret_path, "secret-key");
    z85_key(secret_text, secret_key);
    sodium_memzero(secret_text.data(), secret_text.size());
    std::uint8_t derived[32];
    crypto_scalarmult_base(derived, secret_key);
    if (sodium_memcmp(derived, public_key, 32) != 0) throw std::runtime_error("secret key does not match");
  }
  ~server_keys() { sodium_free(secret_key); }
  server_keys(server_keys const&) = delete;
  server_keys& operator=(server_keys const&) = delete;
};

std::set<std::string> allowed_keys(std::filesystem::path const& dir) {
  std::set<std::string> keys;
  for (auto const& e : std::filesystem::directory_iterator(dir)) {
    if (!e.is_regular_file() || e.path().string().ends_with("_secret")) continue;
    std::uint8_t key[32];
    z85_key(certificate_field(e.path(), "public-key"), key);
    keys.emplace(reinterpret_cast<char const*>(key), 32);
  }
  return keys;
}

// --- events: one JSON object per line on stderr ------------------------------

std::mutex log_mutex;
std::map<std::string, int> event_counts;
void emit(std::string const& kind, std::map<std::string, std::string> const& fields) {
  std::lock_guard lock(log_mutex);
  ++event_counts[kind];
  std::string line = "{\"event\":\"" + kind + "\"";
  for (auto const& [k, v] : fields) {
    line += ",\"" + k + "\":\"";
    for (char c : v) {
      if (c == '"' || c == '\\') line += '\\';
      if (static_cast<unsigned char>(c) >= 0x20) line += c;
    }
    line += '"';
  }
  std::cerr << line << "}\n";
}

// --- ZAP (RFC 27): CURVE clients in the allow list, everyone else refused ----

void zap_handler(zmq::context_t& ctx, std::set<std::string> const& allowed) {
  zmq::socket_t zap(ctx, zmq::socket_type::rep);
  zap.set(zmq::sockopt::linger, 0);
  zap.set(zmq::sockopt::rcvtimeo, 100);
  zap.bind("inproc://zeromq.zap.01");
  while (!stop_flag) {
    std::vector<zmq::message_t> req;
    if (!zmq::recv_multipart(zap, std::back_inserter(req))) continue;
    if (req.size() < 6) continue;
    std::string const request_id = req[1].to_string(), address = req[3].to_string(),
                      mechanism = req[5].to_string();
    bool ok = mechanism == "CURVE" && req.size() == 7 && req[6].size() == 32 && allowed.count(req[6].to_string());
    std::string user_id;
    if (ok) {
      char z85[41];
      zmq_z85_encode(z85, static_cast<std::uint8_t const*>(req[6].data()), 32);
      user_id = z85;
    } else {
      emit("zap.deny", {{"address", address}, {"mechanism", mechanism}});
    }
    std::vector<zmq::const_buffer> reply{zmq::str_buffer("1.0"), zmq::buffer(request_id),
                                         zmq::buffer(std::string_view(ok ? "200" : "400")),
                                         zmq::buffer(std::string_view(ok ? "OK" : "not allowed")),
                                         zmq::buffer(user_id), zmq::const_buffer(nullptr, 0)};
    (void)zmq::send_multipart(zap, reply);
  }
}

// --- the request and reply -----------------------------------------------

struct request {
  std::uint32_t sequence;
  std::string text;
};

bool decode_request(zmq::message_t const& m, request& out, std::size_t max_text) {
  auto const* p = static_cast<std::uint8_t const*>(m.data());
  if (m.size() < 6) return false;
  std::uint16_t len;
  std::memcpy(&out.sequence, p, 4);
  std::memcpy(&len, p + 4, 2);
  if (len > max_text || m.size() != 6u + len) return false;
  out.text.assign(reinterpret_cast<char const*>(p + 6), len);
  return true;
}

zmq::message_t encode_reply(std::uint32_t sequence, std::uint64_t served, std::string const& text) {
  std::uint16_t const len = static_cast<std::uint16_t>(text.size());
  zmq::message_t m(4 + 8 + 2 + text.size());
  auto* p = static_cast<std::uint8_t*>(m.data());
  std::memcpy(p, &sequence, 4);
  std::memcpy(p + 4, &served, 8);
  std::memcpy(p + 12, &len, 2);
  std::memcpy(p + 14, text.data(), text.size());
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    auto flags = parse_flags(argc, argv);
    long const max_request = std::stol(flags["max-request"]), limit = std::stol(flags["requests"]);
    if (max_request < 0 || max_request > 1024) throw std::runtime_error("--max-request must be 0..1024");
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);

    server_keys keys(flags["cert"]);
    auto const allowed = allowed_keys(flags["allow-dir"]);
    zmq::context_t ctx;
    std::thread zap([&] { zap_handler(ctx, allowed); });

    zmq::socket_t rep(ctx, zmq::socket_type::rep);
    rep.set(zmq::sockopt::linger, 0);
    rep.set(zmq::sockopt::sndhwm, 1000);
    rep.set(zmq::sockopt::rcvhwm, 1000);
    rep.set(zmq::sockopt::maxmsgsize, std::int64_t{2048});
    rep.set(zmq::sockopt::sndtimeo, 1000);
    rep.set(zmq::sockopt::rcvtimeo, 200);
    rep.set(zmq::sockopt::handshake_ivl, 5000);
    rep.set(zmq::sockopt::zap_domain, "example");
    rep.set(zmq::sockopt::curve_server, 1);
    rep.set(zmq::sockopt::curve_secretkey, zmq::const_buffer(keys.secret_key, 32));
    rep.bind(flags["bind"]);
    auto const bound = rep.get(zmq::sockopt::last_endpoint);
    std::cout << "raw_curve_service: listening on " << bound << std::endl;
    if (!flags["endpoint-file"].empty()) std::ofstream(flags["endpoint-file"]) << bound << "\n";

    std::uint64_t served = 0, refused = 0;
    zmq::message_t in;
    request req;
    while (!stop_flag) {
      if (!rep.recv(in)) continue;
      std::string const user_id = in.gets("User-Id"), peer = in.gets("Peer-Address");
      if (in.more() || !decode_request(in, req, 1024)) {
        ++refused;
        emit("message.refused", {{"user_id", user_id}, {"address", peer}});
        while (in.more()) (void)rep.recv(in);
        (void)rep.send(encode_reply(0, served, "error: malformed request"), zmq::send_flags::none);
        continue;
      }
      ++served;
      if (limit && served >= std::uint64_t(limit)) stop_flag = true;
      if (long(req.text.size()) > max_request) {
        emit("request.too_large", {{"user_id", user_id}, {"size", std::to_string(req.text.size())}});
        (void)rep.send(encode_reply(req.sequence, served, "error: request too large"), zmq::send_flags::none);
        continue;
      }
      std::cout << "raw_curve_service: request " << req.sequence << " from " << user_id << " (" << peer
                << "): " << req.text << std::endl;
      (void)rep.send(encode_reply(req.sequence, served, "ok: " + req.text), zmq::send_flags::none);
    }
    stop_flag = true;
    zap.join();
    std::cout << "raw_curve_service: served " << served << " requests; refused handshakes: "
              << event_counts["zap.deny"] << "; refused messages: " << refused << std::endl;
  } catch (std::exception const& e) {
    std::cerr << "raw_curve_service: " << e.what() << "\n";
    return 1;
  }
}
