// Pipelines across hosts (docs/deployment.md): the deployment file is checked
// against the pipeline's types line by line, each host is given only the key
// files its stages read, systemd units carry nothing a shell or systemd would
// reinterpret, and a program's own flags stay within their bounds. The run
// across two network namespaces is the ctest pipeline.tasks.two_hosts.
#include <zguard/pipeline.hpp>
#include <zguard/zguard.hpp>

#include <doctest/doctest.h>

#include <fstream>
#include <set>
#include <sstream>

#include <sys/stat.h>

#include "schemas.hpp"
#include "support.hpp"

namespace zg = zguard;
using namespace std::chrono_literals;
using namespace zguard_test;

namespace {
using dep_domain = zg::domain<"unit.deployment">;
using dep_limits = zg::limits<zg::send_hwm<100>, zg::recv_hwm<100>, zg::drop_when_full, zg::max_message_size<512>,
                              zg::linger_ms<0>, zg::send_timeout_ms<1000>, zg::recv_timeout_ms<100>,
                              zg::handshake_timeout_ms<5000>>;
using dep_signing = zg::signing<zg::ed25519, zg::freshness_ms<10000>, zg::replay_window<64>>;
using ticks_topic = zg::topic<"ticks", tick>;

// publisher (signs) -> relay (holds no key) -> reader (verifies), all CURVE;
// the relay and the reader also share a local ipc link.
struct feed : zg::link<"feed", "tcp://127.0.0.1:*", dep_domain, zg::tcp, ticks_topic, zg::curve_server, 512,
                       dep_signing> {};
struct fan : zg::link<"fan", "tcp://127.0.0.1:*", dep_domain, zg::tcp, ticks_topic, zg::curve_server, 512,
                      dep_signing> {};
using up_socket = zg::socket<dep_domain, zg::tcp, zg::xsub, zg::curve_client, dep_limits>;
using down_socket = zg::socket<dep_domain, zg::tcp, zg::xpub, zg::curve_server, dep_limits>;

struct publisher : zg::stage<"publisher", zg::binds<feed, zg::pub, dep_limits>> {
  static void run(zg::stage_env& env, socket_on<feed>&) {
    while (!env.stop_requested()) std::this_thread::sleep_for(5ms);
  }
};
struct relay : zg::relay_stage<"relay", zg::connects<feed, up_socket>, zg::binds<fan, down_socket>> {};
struct reader : zg::stage<"reader", zg::connects<fan, zg::sub, dep_limits>> {
  static constexpr int replicas = 2;
  static constexpr bool finishes = true;
  static void run(zg::stage_env& env, socket_on<fan>&) {
    (void)env.await_ready("publisher", 1, 10ms);  // on another host in the tests below: throws
  }
};
using feed_pipeline = zg::pipeline<publisher, relay, reader>;

// An insecure tcp link (no CURVE, no signatures): only the rendezvous
// directory says where its connector sends. The writer sends one tick and
// waits to be stopped; the store that should receive it binds.
using lab_limits = zg::limits<zg::send_hwm<100>, zg::recv_hwm<100>, zg::block_when_full, zg::max_message_size<512>,
                              zg::linger_ms<0>, zg::send_timeout_ms<1000>, zg::recv_timeout_ms<100>,
                              zg::handshake_timeout_ms<5000>>;
struct lab : zg::link<"lab", "tcp://127.0.0.1:*", dep_domain, zg::tcp, zg::stream<tick>, zg::insecure<"lab">, 512> {};
struct lab_writer : zg::stage<"writer", zg::connects<lab, zg::push, lab_limits>> {
  static void run(zg::stage_env& env, socket_on<lab>& out) {
    (void)out.send(tick{"EURUSD", 1, 1});
    while (!env.stop_requested()) std::this_thread::sleep_for(5ms);
  }
};
struct lab_store : zg::stage<"store", zg::binds<lab, zg::pull, lab_limits>> {
  static void run(zg::stage_env& env, socket_on<lab>&) {
    while (!env.stop_requested()) std::this_thread::sleep_for(5ms);
  }
};
using lab_pipeline = zg::pipeline<lab_writer, lab_store>;
using feed_topology = zg::detail::topology<publisher, relay, reader>;

zg::deployment parse(std::string const& text) { return zg::deployment::parse(text, "test.deploy"); }
void check(zg::deployment const& d) { zg::detail::check_deployment<feed_topology, publisher, relay, reader>(d); }
std::string check_error(std::string const& text) {
  try {
    check(parse(text));
  } catch (zg::pipeline_error const& e) {
    return e.what();
  }
  return "accepted";
}

std::string const three_hosts = R"(# the feed on three hosts
host p keys /etc/zg/p dir /run/zg
host r keys /etc/zg/r dir /run/zg user zguard
host s keys /etc/zg/s dir /run/zg
stage publisher on p
stage relay on r     # holds no signing key
stage reader on s
link feed bind tcp://0.0.0.0:7001 connect tcp://10.0.0.1:7001
link fan bind tcp://10.0.0.2:7002
)";

std::set<std::string> files_in(std::filesystem::path const& dir) {
  std::set<std::string> out;
  for (auto const& e : std::filesystem::directory_iterator(dir)) out.insert(e.path().filename().string());
  return out;
}
// A stage's options on these directories, waiting briefly for its peers.
zg::pipeline_options quick_options(temp_dir const& keys, temp_dir const& run) {
  zg::pipeline_options o;
  o.keys = keys.path;
  o.rendezvous = run.path;
  o.connect_wait = 10ms;
  return o;
}

void expect_error(std::string const& got, std::string const& part) {
  INFO("the error: ", got);
  CHECK(got.find(part) != std::string::npos);
}
}  // namespace

TEST_CASE("a deployment file that fits the pipeline gives each host its directories, addresses and peers") {
  auto const d = parse(three_hosts);
  check(d);
  CHECK(d.host_of("relay").name == "r");
  CHECK(d.host_of("relay").user == "zguard");
  auto const o = zg::detail::deployed_options(d, "s", {});
  CHECK(o.keys == "/etc/zg/s");
  CHECK(o.rendezvous == "/run/zg");
  CHECK(o.addresses.at("feed").bind == "tcp://0.0.0.0:7001");
  CHECK(o.addresses.at("feed").connect == "tcp://10.0.0.1:7001");
  CHECK(o.addresses.at("fan").connect == "tcp://10.0.0.2:7002");  // connect defaults to bind
  CHECK(o.elsewhere == std::set<std::string, std::less<>>{"publisher", "relay"});
  CHECK(zg::detail::describe_deployment(d) ==
        "deployment test.deploy\n"
        "  host p (keys /etc/zg/p, dir /run/zg): publisher\n"
        "  host r (keys /etc/zg/r, dir /run/zg, user zguard): relay\n"
        "  host s (keys /etc/zg/s, dir /run/zg): reader\n"
        "  link feed: bind tcp://0.0.0.0:7001, connect tcp://10.0.0.1:7001\n"
        "  link fan: bind tcp://10.0.0.2:7002, connect tcp://10.0.0.2:7002\n");
}

TEST_CASE("every mistake in a deployment file is refused with its line and what is wrong") {
  auto refused = [](std::string const& text, std::string const& expect) {
    auto const what = check_error(text);
    INFO(what);
    CHECK(what.find(expect) != std::string::npos);
  };
  std::string const hosts = "host p keys /k/p dir /r\nhost s keys /k/s dir /r\n";
  std::string const placed = hosts + "stage publisher on p\nstage relay on p\nstage reader on s\n";
  // Syntax, names and values.
  refused("hots p keys /k dir /r\n", "test.deploy:1: unknown line 'hots'");
  refused("host p keys /k dir\n", "test.deploy:1: expected: host NAME keys PATH dir PATH");
  refused("host P keys /k dir /r\n", "'P' is not a valid host name");
  refused("host p keys k/rel dir /r\n", "'k/rel' must be an absolute path");
  refused("host p keys /k/../etc dir /r\n", "without '.' or '..' parts");
  refused("host p keys /k dir /r%h\n", "holds a character outside");  // a systemd specifier
  refused("host p keys /k dir /r;x\n", "holds a character outside");
  refused("host p keys /k dir /r\nhost p keys /k dir /r\n", "test.deploy:2: host p is declared twice");
  refused(hosts + "stage publisher on q\n", "test.deploy:3: host q is not declared");
  refused(hosts + "stage publisher on p\nstage publisher on s\n", "test.deploy:4: stage publisher is placed twice");
  refused(placed + "link feed bind tcp://10.0.0.1:1 bind\n", "expected: link NAME bind ENDPOINT");
  // Against the pipeline's types.
  refused(hosts + "stage publisher on p\nstage relay on p\n", "stage reader is placed on no host");
  refused(placed + "stage writer on s\n", "test.deploy:6: the pipeline has no stage writer");
  refused(placed + "link fann bind tcp://10.0.0.1:7\n", "test.deploy:6: the pipeline has no link fann");
  refused(placed, "link fan joins stages on hosts p and s: give it an address");
  refused(placed + "link fan bind ipc:///r/fan.sock\n", "link fan is a tcp link; 'ipc:///r/fan.sock' is not");
  refused(placed + "link fan bind tcp://10.0.0.1:*\n", "a deployed tcp link needs a fixed port");
  refused(placed + "link fan bind tcp://10.0.0.1:70000\n", "a deployed tcp link needs a fixed port");
  refused(placed + "link fan bind tcp://*:7002\n", "not the wildcard '*'");
  refused(placed + "link fan bind tcp://0.0.0.0:7002\n", "not the wildcard '0.0.0.0'");
  // A link whose stages share a host needs no address (the rendezvous directory).
  CHECK(check_error(placed + "link fan bind tcp://10.0.0.1:7002\n") == "accepted");
}

TEST_CASE("a deployment file others can write is refused") {
  temp_dir dir;
  auto const file = dir.path / "feed.deploy";
  std::ofstream(file) << three_hosts;
  std::filesystem::permissions(file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                                         std::filesystem::perms::others_write,
                               std::filesystem::perm_options::replace);
  CHECK_THROWS_WITH_AS(zg::deployment::load(file), doctest::Contains("writable by group or others"),
                       zg::pipeline_error);
  std::filesystem::permissions(file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::replace);
  CHECK(zg::deployment::load(file).stages.size() == 3);
}

TEST_CASE("each host gets only the key files its stages read: its own secrets and its peers' public keys") {
  temp_dir dir;
  feed_pipeline::generate_keys(dir.path / "all");
  auto const d = parse(three_hosts);
  zg::detail::export_host_keys<feed_topology>(d, dir.path / "all", dir.path / "hosts");
  // The publisher: its server key on feed, the relay's client key, its signing key.
  CHECK(files_in(dir.path / "hosts" / "p") ==
        std::set<std::string>{"feed.server.cert", "feed.server.cert_secret", "relay.client.cert",
                              "publisher.feed.sign", "publisher.feed.sign_secret"});
  // The relay holds no signing key at all, and no key of the readers but their public certificates.
  CHECK(files_in(dir.path / "hosts" / "r") ==
        std::set<std::string>{"feed.server.cert", "relay.client.cert", "relay.client.cert_secret",
                              "fan.server.cert", "fan.server.cert_secret", "reader.client.cert"});
  // The readers verify the publisher's key through the relay; no secret of another host.
  CHECK(files_in(dir.path / "hosts" / "s") ==
        std::set<std::string>{"fan.server.cert", "reader.client.cert", "reader.client.cert_secret",
                              "publisher.feed.sign"});
  auto const mode = std::filesystem::status(dir.path / "hosts" / "s" / "reader.client.cert_secret").permissions();
  CHECK((mode & (std::filesystem::perms::group_all | std::filesystem::perms::others_all)) ==
        std::filesystem::perms::none);
  CHECK(std::filesystem::status(dir.path / "hosts" / "s").permissions() == std::filesystem::perms::owner_all);
  // Each host's files load as its sockets load them.
  CHECK_NOTHROW(zg::load_keypair_certificate(dir.path / "hosts" / "s" / "reader.client.cert"));
  CHECK_NOTHROW(zg::load_verify_key(dir.path / "hosts" / "s" / "publisher.feed.sign"));

  // A link planted where a secret is written again is replaced, not written through.
  auto const planted = dir.path / "hosts" / "s" / "reader.client.cert_secret";
  auto const target = dir.path / "elsewhere";
  std::ofstream(target) << "not a key\n";
  std::filesystem::remove(planted);
  std::filesystem::create_symlink(target, planted);
  zg::detail::export_host_keys<feed_topology>(d, dir.path / "all", dir.path / "hosts");
  CHECK(read_file(target) == "not a key\n");
  CHECK_FALSE(std::filesystem::is_symlink(planted));
  CHECK_NOTHROW(zg::load_keypair_certificate(planted));
  // A host directory that is a link is refused.
  std::filesystem::rename(dir.path / "hosts" / "s", dir.path / "s-moved");
  std::filesystem::create_directory_symlink(dir.path / "s-moved", dir.path / "hosts" / "s");
  CHECK_THROWS_WITH_AS(zg::detail::export_host_keys<feed_topology>(d, dir.path / "all", dir.path / "hosts"),
                       doctest::Contains("is a symbolic link"), zg::pipeline_error);
}

TEST_CASE("await_ready on a stage of another host says why it cannot work instead of waiting") {
  temp_dir keys, run;
  auto o = zg::detail::deployed_options(parse(three_hosts), "s", {});
  o.keys = keys.path;
  o.rendezvous = run.path;
  zg::stage_env env("reader", 0, std::stop_token{}, o, [](std::string const&, std::uint64_t) {});
  CHECK_THROWS_WITH_AS((void)env.await_ready("publisher", 1, 10ms), doctest::Contains("runs on another host"),
                       zg::pipeline_error);
}

TEST_CASE("systemd units: one per stage replica of the host, hardened, with the program's flags") {
  temp_dir dir;
  zg::pipeline_flags flags;
  flags.number("rate", "ticks a second", 10, 1, 1000).text("region", "where", "eu", 16);
  flags.set("rate", "250");
  auto const d = parse(three_hosts);
  auto const units =
      zg::detail::write_systemd_units<publisher, relay, reader>(d, "s", "/usr/bin/feed", dir.path, flags.arguments());
  REQUIRE(units.size() == 2);  // the reader's two replicas; the other hosts' stages are not here
  CHECK(units[1].filename() == "feed-reader-1.service");
  auto const text = read_file(units[1]);
  CHECK(text.find("ExecStart=/usr/bin/feed --deployment test.deploy --stage reader --replica 1 --rate 250\n") !=
        std::string::npos);
  for (auto const* line : {"ProtectSystem=strict\n", "NoNewPrivileges=yes\n", "ReadWritePaths=/run/zg\n",
                           "ReadOnlyPaths=/etc/zg/s\n", "Restart=on-failure\n", "UMask=0077\n"})
    CHECK(text.find(line) != std::string::npos);
  CHECK(text.find("User=") == std::string::npos);  // host s names no user
  auto const relay_units =
      zg::detail::write_systemd_units<publisher, relay, reader>(d, "r", "/usr/bin/feed", dir.path, {});
  REQUIRE(relay_units.size() == 1);
  CHECK(read_file(relay_units[0]).find("User=zguard\n") != std::string::npos);
  auto const other_host = [&] {
    return zg::detail::write_systemd_units<publisher, relay, reader>(d, "x", "/usr/bin/feed", dir.path, {});
  };
  CHECK_THROWS_WITH_AS(other_host(), doctest::Contains("no host x"), zg::pipeline_error);
}

namespace {
// How systemd reads an ExecStart= value back into the argv it passes
// (systemd.syntax(7), systemd.service(5)), written from the manual, not from
// zguard: words split at whitespace; a word may be wrapped whole in "..." or
// '...' (closed before whitespace or the end); C escapes \\ \" \' \s \n \t
// \xHH; a lone unquoted ';' separates commands; then "%%" is '%' (any other
// %-specifier would be expanded) and, in the arguments, "$$" is '$' (a
// single '$' starts a variable). Anything this reader does not know, or that
// systemd would expand or split, gives nullopt.
std::optional<std::vector<std::string>> systemd_argv(std::string_view line) {
  std::vector<std::string> words;
  std::size_t i = 0;
  auto const blank = [](char c) { return c == ' ' || c == '\t'; };
  for (;;) {
    while (i < line.size() && blank(line[i])) ++i;
    if (i == line.size()) break;
    std::string w;
    char const quote = (line[i] == '"' || line[i] == '\'') ? line[i++] : 0;
    bool closed = quote == 0;
    while (i < line.size()) {
      char const c = line[i];
      if (quote && c == quote) {
        closed = true;
        ++i;
        if (i < line.size() && !blank(line[i])) return std::nullopt;  // a quote must end its word
        break;
      }
      if (!quote && blank(c)) break;
      if (!quote && (c == '"' || c == '\'')) return std::nullopt;  // a quote inside a word
      if (c == '\\') {
        if (++i == line.size()) return std::nullopt;
        char const e = line[i++];
        switch (e) {
          case '\\': w += '\\'; break;
          case '"': w += '"'; break;
          case '\'': w += '\''; break;
          case 's': w += ' '; break;
          case 'n': w += '\n'; break;
          case 't': w += '\t'; break;
          case 'x': {
            if (i + 2 > line.size()) return std::nullopt;
            w += static_cast<char>(std::stoi(std::string(line.substr(i, 2)), nullptr, 16));
            i += 2;
            break;
          }
          default: return std::nullopt;
        }
        continue;
      }
      w += c;
      ++i;
    }
    if (!closed) return std::nullopt;
    if (!quote && w == ";") return std::nullopt;  // a second command
    words.push_back(std::move(w));
  }
  if (words.empty()) return std::nullopt;
  for (std::size_t n = 0; n < words.size(); ++n) {
    std::string out;
    auto const& w = words[n];
    for (std::size_t k = 0; k < w.size(); ++k) {
      if (w[k] == '%') {
        if (k + 1 == w.size() || w[k + 1] != '%') return std::nullopt;  // a specifier
        out += '%';
        ++k;
      } else if (w[k] == '$') {
        if (n == 0 || k + 1 == w.size() || w[k + 1] != '$') return std::nullopt;  // a variable
        out += '$';
        ++k;
      } else {
        out += w[k];
      }
    }
    words[n] = std::move(out);
  }
  return words;
}

// The lines of a unit: each "Key=value" or a comment, section or blank.
std::vector<std::string> unit_lines(std::string const& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}
std::string exec_start_of(std::string const& unit) {
  std::string found;
  int count = 0;
  for (auto const& l : unit_lines(unit))
    if (l.starts_with("ExecStart")) {
      CHECK(l.starts_with("ExecStart="));  // never ExecStartPre= or ExecStartPost=
      found = l.substr(10);
      ++count;
    }
  CHECK(count == 1);
  return found;
}
std::vector<std::filesystem::path> units_for(zg::deployment const& d, std::string_view host,
                                             std::filesystem::path const& exe, std::filesystem::path const& out,
                                             std::vector<std::string> const& flags) {
  return zg::detail::write_systemd_units<publisher, relay, reader>(d, host, exe, out, flags);
}
// Every special character the tests put into each field of a unit.
struct special {
  std::string name;
  std::string text;
};
std::vector<special> const unit_specials = {
    {"newline", "\n"}, {"carriage return", "\r"}, {"tab", "\t"}, {"escape", "\x1b"}, {"delete", "\x7f"},
    {"invalid UTF-8", "\xff"}, {"space", " "}, {"double quote", "\""}, {"single quote", "'"},
    {"backslash", "\\"}, {"percent", "%"}, {"specifier", "%h"}, {"dollar", "$"}, {"variable", "${HOME}"},
    {"word variable", " $HOME"}, {"semicolon", " ; "}, {"UTF-8", "\xc3\xa9"}};
bool is_control_or_invalid(std::string const& s) {
  return s == "\n" || s == "\r" || s == "\t" || s == "\x1b" || s == "\x7f" || s == "\xff";
}
}  // namespace

TEST_CASE("systemd units: a newline in --deployment or --exe cannot add a line to the unit") {
  temp_dir dir;
  auto d = parse(three_hosts);
  d.file = "/srv/feed.deploy\nExecStartPre=+/bin/touch /tmp/zguard-owned";
  CHECK_THROWS_WITH_AS(units_for(d, "s", "/usr/bin/feed", dir.path, {}),
                       doctest::Contains("the deployment file's path holds a control character (U+000A) at byte 16"), zg::pipeline_error);
  d.file = "/srv/feed.deploy";
  CHECK_THROWS_WITH_AS(units_for(d, "s", "/usr/bin/feed\nExecStartPre=+/bin/touch /tmp/x", dir.path, {}),
                       doctest::Contains("--exe"), zg::pipeline_error);
  CHECK(files_in(dir.path).empty());  // nothing written
}

TEST_CASE("systemd units: every field is refused or quoted, and what systemd passes as argv is what was given") {
  temp_dir dir;
  auto const base = parse(three_hosts);
  for (auto const& s : unit_specials) {
    CAPTURE(s.name);
    bool const refused = is_control_or_invalid(s.text);
    // The deployment file's path and the program's flag values: arguments of ExecStart=.
    {
      auto d = base;
      d.file = "/srv/feed" + s.text + "x.deploy";
      std::vector<std::string> flags{"--label", "a" + s.text + "b"};
      if (refused) {
        CHECK_THROWS_AS(units_for(d, "s", "/usr/bin/feed", dir.path, {}), zg::pipeline_error);
        d.file = "/srv/feed.deploy";
        CHECK_THROWS_AS(units_for(d, "s", "/usr/bin/feed", dir.path, flags), zg::pipeline_error);
      } else {
        auto const units = units_for(d, "s", "/usr/bin/feed", dir.path, flags);
        REQUIRE(units.size() == 2);
        auto const line = exec_start_of(read_file(units[1]));
        INFO("ExecStart=", line);
        auto const argv = systemd_argv(line);
        REQUIRE(argv);
        CHECK(*argv == std::vector<std::string>{"/usr/bin/feed", "--deployment", d.file, "--stage", "reader",
                                                "--replica", "1", "--label", "a" + s.text + "b"});
      }
    }
    // The executable: systemd refuses quotes, backslashes and control characters in
    // its path, and would expand '$' in argv[0] but not in the path; spaces, '%' and ';' are quoted.
    {
      auto const exe = "/opt/my" + s.text + "dir/feed";
      bool const exe_refused = refused || s.text.find_first_of("\"'\\$") != std::string::npos;
      if (exe_refused) {
        CHECK_THROWS_WITH_AS(units_for(base, "s", exe, dir.path, {}), doctest::Contains("--exe"),
                             zg::pipeline_error);
      } else {
        auto const units = units_for(base, "s", exe, dir.path, {});
        REQUIRE(units.size() == 2);
        auto const argv = systemd_argv(exec_start_of(read_file(units[0])));
        REQUIRE(argv);
        CHECK(argv->front() == exe);
      }
      // The program's name names the unit files and is in Description=: a unit name's characters only.
      CHECK_THROWS_WITH_AS(units_for(base, "s", "/usr/bin/fe" + s.text + "ed", dir.path, {}),
                           doctest::Contains("the program's name (of --exe)"), zg::pipeline_error);
    }
    // The host's directories, user and name (a deployment built in code skips
    // the file's checks): refused, never quoted into ReadWritePaths= or User=.
    for (int field = 0; field < 4; ++field) {
      auto d = base;
      auto& h = d.hosts[2];
      REQUIRE(h.name == "s");
      if (field == 0) h.keys = "/etc/zg" + s.text + "s";
      if (field == 1) h.dir = "/run/zg" + s.text;
      if (field == 2) h.user = "zg" + s.text;
      if (field == 3) {
        h.name = "s" + s.text;
        d.stages[2].host = h.name;
      }
      CAPTURE(field);
      CHECK_THROWS_AS(units_for(d, "", "/usr/bin/feed", dir.path, {}), zg::pipeline_error);
    }
  }
}

TEST_CASE("systemd units: systemd-analyze verify accepts them and finds the executable behind a quoted path") {
  // Debian 12's systemd package (scripts/deps.sh) provides systemd-analyze: without it this test fails.
  auto const [found, which] = run_command("command -v systemd-analyze");
  REQUIRE_MESSAGE(found == 0, "systemd-analyze is missing: install the systemd package (scripts/deps.sh)");
  temp_dir dir;
  // The program in a directory whose name systemd would split or expand unquoted.
  auto const bin = dir.path / "my programs; 100% %h";
  std::filesystem::create_directories(bin);
  std::filesystem::create_symlink("/bin/true", bin / "feed");
  auto d = parse(three_hosts);
  d.file = (dir.path / "it's a \"deployment\" with \\ $HOME ${HOME} %h ; and é.deploy").string();
  auto const units = units_for(d, "", bin / "feed", dir.path / "units", {"--label", "100% $x"});
  REQUIRE(units.size() == 4);
  for (auto const& u : units) {
    auto const [status, out] = run_command("systemd-analyze verify '" + u.string() + "' 2>&1");
    INFO(u.string(), "\n", read_file(u), "\nsystemd-analyze verify said: ", out);
    CHECK(status == 0);
    CHECK(out.empty());  // a warning means systemd read a value other than the one written
  }
  auto const argv = systemd_argv(exec_start_of(read_file(units[0])));
  REQUIRE(argv);
  CHECK(*argv == std::vector<std::string>{(bin / "feed").string(), "--deployment", d.file, "--stage", "publisher",
                                          "--replica", "0", "--label", "100% $x"});
}

namespace {
// pipeline_main in this process, its stderr captured: {exit status, stderr}.
std::pair<int, std::string> run_main(std::vector<std::string> args) {
  args.insert(args.begin(), "feed");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  std::ostringstream err;
  auto* const old = std::cerr.rdbuf(err.rdbuf());
  std::ostringstream out;
  auto* const old_out = std::cout.rdbuf(out.rdbuf());
  int const status =
      zg::detail::pipeline_main<publisher, relay, reader>(static_cast<int>(argv.size()), argv.data(), {});
  std::cerr.rdbuf(old);
  std::cout.rdbuf(old_out);
  return {status, err.str()};
}
}  // namespace

TEST_CASE("the pipeline's numeric flags name the flag, the value and the range, and refuse junk and overflow") {
  for (auto const* bad : {"abc", "12x", "-5", "0", "86401", "99999999999999999999", "", " 7", "7 "}) {
    CAPTURE(bad);
    auto const [status, err] = run_main({"--print", "--timeout-s", bad});
    CHECK(status == 2);
    CHECK(err == "feed: --timeout-s: '" + std::string(bad) + "' is not a number in 1..86400\n");
  }
  for (auto const* bad : {"abc", "-1", "2", "1x", "4294967296"}) {
    CAPTURE(bad);
    auto const [status, err] = run_main({"--stage", "reader", "--replica", bad, "--keys", "/nonexistent", "--dir",
                                         "/nonexistent"});
    CHECK(status == 2);
    CHECK(err == "feed: --replica: '" + std::string(bad) + "' is not a number in 0..1 (stage reader has 2 replicas)\n");
  }
  // A value is shown printable: a control character in it does not reach the terminal.
  auto const [status, err] = run_main({"--print", "--timeout-s", "\x1b[2J"});
  CHECK(status == 2);
  CHECK(err == "feed: --timeout-s: '\\x1b[2J' is not a number in 1..86400\n");
  CHECK(run_main({"--print", "--timeout-s", "30"}).first == 0);
}

TEST_CASE("a program's own flags are checked against their bounds before any stage starts") {
  zg::pipeline_flags flags;
  flags.number("tasks", "how many", 1000, 1, 1'000'000).text("label", "a label", "run-1", 12);
  CHECK(flags.number_value("tasks") == 1000);
  flags.set("tasks", "300");
  CHECK(flags.number_value("tasks") == 300);
  for (auto const* bad : {"0", "1000001", "-1", "12x", "", "18446744073709551616"})
    CHECK_THROWS_WITH_AS(flags.set("tasks", bad), doctest::Contains("is not a number in 1..1000000"),
                         zg::pipeline_error);
  // Texts reach command lines and systemd units: nothing to quote, ever.
  for (auto const* bad : {"a b", "x;rm", "%h", "$HOME", "a\nb", "\"q\"", "thirteen-long"})
    CHECK_THROWS_WITH_AS(flags.set("label", bad), doctest::Contains("characters from"), zg::pipeline_error);
  flags.set("label", "eu-west.2");
  CHECK(flags.text_value("label") == "eu-west.2");
  CHECK(flags.arguments() == std::vector<std::string>{"--label", "eu-west.2", "--tasks", "300"});
  CHECK_THROWS_WITH_AS(flags.set("task", "1"), doctest::Contains("unknown flag --task"), zg::pipeline_error);
  CHECK_THROWS_AS((void)flags.text_value("tasks"), zg::pipeline_error);  // a number, not a text
  // The pipeline's own names, bad names and defaults outside their bounds are refused when declared.
  CHECK_THROWS_WITH_AS(flags.number("keys", "", 1, 1, 2), doctest::Contains("is taken"), zg::pipeline_error);
  CHECK_THROWS_WITH_AS(flags.number("tasks", "", 1, 1, 2), doctest::Contains("is taken"), zg::pipeline_error);
  CHECK_THROWS_WITH_AS(flags.number("Big", "", 1, 1, 2), doctest::Contains("[a-z0-9-]"), zg::pipeline_error);
  CHECK_THROWS_AS(flags.number("n", "", 5, 1, 2), zg::pipeline_error);
  CHECK_THROWS_AS(flags.text("t", "", "a b", 8), zg::pipeline_error);
  CHECK(flags.help().find("--tasks N  how many (1..1000000; default 1000)") != std::string::npos);
}

TEST_CASE("await_handshakes counts the peers whose handshake succeeded, never a refused key") {
  zg::context<dep_domain> ctx;
  zg::authenticator<dep_domain> auth{ctx};
  auto const server_keys = zg::keypair::generate(), allowed = zg::keypair::generate(),
             stranger = zg::keypair::generate();
  auth.allow(allowed.public_part());
  using lim = zg::limits<zg::send_hwm<100>, zg::recv_hwm<100>, zg::block_when_full, zg::max_message_size<512>,
                         zg::linger_ms<0>, zg::send_timeout_ms<1000>, zg::recv_timeout_ms<1000>,
                         zg::handshake_timeout_ms<5000>>;
  using push = zg::socket<dep_domain, zg::tcp, zg::push, zg::curve_server, lim, zg::stream<tick>>;
  using pull = zg::socket<dep_domain, zg::tcp, zg::pull, zg::curve_client, lim, zg::stream<tick>>;
  push out(ctx, auth, server_keys);
  auto const at = out.bind("tcp://127.0.0.1:*");
  temp_dir run;
  zg::stage_env env("ventilator", 0, std::stop_token{}, zg::pipeline_options{run.path, run.path},
                    [](std::string const&, std::uint64_t) {});
  CHECK(out.handshakes_succeeded() == 0);
  pull refused(ctx, stranger, server_keys.public_part());
  refused.connect(at);
  CHECK(eventually([&] { return refused.handshake_failures() > 0; }));
  CHECK_FALSE(env.await_handshakes(out, 1, 300ms));  // the stranger does not count
  pull admitted(ctx, allowed, server_keys.public_part());
  admitted.connect(at);
  CHECK(env.await_handshakes(out, 1, 5s));
  CHECK(out.handshakes_succeeded() == 1);
  CHECK(out.send(tick{"EURUSD", 1, 1}));
  auto t = admitted.receive();
  REQUIRE(t);
  CHECK(t->value.seq == 1u);
}

// The key directory decides whom each stage lets in and whose signatures it
// accepts. An attacker who can write it, or one of its public key files,
// swaps in their own key: each stage refuses to start instead.
TEST_CASE("a stage refuses a key directory or public key file that others could change") {
  namespace fs = std::filesystem;
  temp_dir keys, run;
  feed_pipeline::generate_keys(keys.path);
  auto const o = quick_options(keys, run);
  // Runs one stage until its sockets are made; with the keys accepted it
  // waits for a peer that never binds.
  auto start = [&](std::string_view stage) -> std::string {
    try {
      feed_pipeline::run_one(stage, 0, o, std::stop_token{}, [](std::string const&, std::uint64_t) {});
    } catch (std::exception const& e) {
      return e.what();
    }
    return "ran";
  };
  expect_error(start("relay"), "was not bound in time");
  expect_error(start("reader"), "was not bound in time");

  SUBCASE("the directory is writable by others") {
    fs::permissions(keys.path, fs::perms::all, fs::perm_options::replace);
    expect_error(start("relay"), "pipeline key directory " + keys.path.string() +
                                              " is writable by group or others (mode 0777)");
    expect_error(start("reader"), "is writable by group or others");
  }
  SUBCASE("the directory is writable by its group, even when sticky") {
    fs::permissions(keys.path, fs::perms::owner_all | fs::perms::group_all | fs::perms::sticky_bit,
                    fs::perm_options::replace);
    expect_error(start("reader"), "pipeline key directory");
  }
  SUBCASE("a client certificate the server allows is writable by others") {
    fs::permissions(keys.path / "reader.client.cert", fs::perms::others_write, fs::perm_options::add);
    expect_error(start("relay"), "reader.client.cert is writable by group or others");
  }
  SUBCASE("the server certificate a client trusts is writable by its group") {
    fs::permissions(keys.path / "feed.server.cert", fs::perms::group_write, fs::perm_options::add);
    expect_error(start("relay"), "feed.server.cert is writable by group or others");
  }
  SUBCASE("a server certificate is a symlink to a key elsewhere") {
    zg::save_certificate(run.path / "attacker.cert", zg::keypair::generate());
    fs::remove(keys.path / "fan.server.cert");
    fs::create_symlink(run.path / "attacker.cert", keys.path / "fan.server.cert");
    expect_error(start("reader"), "fan.server.cert is a symlink");
  }
  SUBCASE("the verify key of the publisher is writable by others") {
    fs::permissions(keys.path / "publisher.feed.sign", fs::perms::others_write, fs::perm_options::add);
    expect_error(start("reader"), "publisher.feed.sign is writable by group or others");
  }
  SUBCASE("the verify key is a symlink") {
    fs::rename(keys.path / "publisher.feed.sign", run.path / "publisher.feed.sign");
    fs::create_symlink(run.path / "publisher.feed.sign", keys.path / "publisher.feed.sign");
    expect_error(start("reader"), "publisher.feed.sign is a symlink");
  }
  SUBCASE("a directory above the key directory is writable by others") {
    auto const shared = run.path / "shared";
    fs::create_directory(shared);
    fs::rename(keys.path, shared / "keys");
    fs::permissions(shared, fs::perms::all, fs::perm_options::replace);
    auto moved = o;
    moved.keys = shared / "keys";
    std::string outcome;
    try {
      feed_pipeline::run_one("reader", 0, moved, std::stop_token{}, [](std::string const&, std::uint64_t) {});
    } catch (std::exception const& e) {
      outcome = e.what();
    }
    expect_error(outcome, "pipeline key directory " + moved.keys.string() + " is below " + shared.string() +
                              ", which group or others can write (mode 0777, not sticky)");
    fs::rename(shared / "keys", keys.path);  // for temp_dir to remove
  }
  if (::geteuid() == 0) {
    SUBCASE("a public key file another user owns") {
      REQUIRE(::chown((keys.path / "reader.client.cert").c_str(), 65534, 65534) == 0);
      expect_error(start("relay"), "reader.client.cert is owned by uid 65534");
    }
    SUBCASE("a key directory another user owns") {
      REQUIRE(::chown(keys.path.c_str(), 65534, 65534) == 0);
      expect_error(start("reader"), "is owned by uid 65534");
    }
  } else {
    MESSAGE("not root: the other-owner cases need chown and are checked in CI, which runs as root");
  }
}

// The rendezvous directory tells each connector where its link's binder is.
// An attacker who can write it, or a <link>.endpoint file in it, points a
// connector at their own socket: on a link without CURVE nothing else would
// notice. Each stage refuses such a directory or file instead.
TEST_CASE("a stage refuses a rendezvous directory or endpoint file that others could change") {
  namespace fs = std::filesystem;
  temp_dir keys, run;
  lab_pipeline::generate_keys(keys.path);
  auto const o = quick_options(keys, run);
  // The attacker's socket, and the endpoint file that points at it.
  zmq::context_t attacker_context;
  zmq::socket_t attacker(attacker_context, zmq::socket_type::pull);
  attacker.set(zmq::sockopt::linger, 0);
  attacker.bind("tcp://127.0.0.1:*");
  auto const attacker_address = attacker.get(zmq::sockopt::last_endpoint);
  auto const endpoint_file = run.path / "lab.endpoint";
  auto const point_at_attacker = [&] { std::ofstream(endpoint_file) << attacker_address << "\n"; };
  // Runs the writer until the attacker had time to receive; its error, or
  // "ran", and whether the attacker got the tick.
  auto run_writer = [&](int wait_ms) -> std::pair<std::string, bool> {
    attacker.set(zmq::sockopt::rcvtimeo, wait_ms);
    std::stop_source stop;
    std::string outcome = "ran";
    std::jthread stage([&] {
      try {
        lab_pipeline::run_one("writer", 0, o, stop.get_token(), [](std::string const&, std::uint64_t) {});
      } catch (std::exception const& e) {
        outcome = e.what();
      }
    });
    zmq::message_t got;
    bool const received = attacker.recv(got).has_value();
    stop.request_stop();
    stage.join();
    return {outcome, received};
  };

  SUBCASE("a directory and an endpoint file only their owner can write are followed") {
    point_at_attacker();  // as its owner could: this user trusts what it wrote itself
    auto const [outcome, received] = run_writer(5000);
    CHECK(outcome == "ran");
    CHECK(received);
  }
  SUBCASE("the directory is writable by others") {
    point_at_attacker();
    fs::permissions(run.path, fs::perms::all, fs::perm_options::replace);
    auto const [outcome, received] = run_writer(300);
    expect_error(outcome, "pipeline rendezvous directory " + run.path.string() +
                              " is writable by group or others (mode 0777)");
    CHECK_FALSE(received);
  }
  SUBCASE("the directory is writable by its group, even when sticky") {
    point_at_attacker();
    fs::permissions(run.path, fs::perms::owner_all | fs::perms::group_all | fs::perms::sticky_bit,
                    fs::perm_options::replace);
    auto const [outcome, received] = run_writer(300);
    expect_error(outcome, "pipeline rendezvous directory");
    CHECK_FALSE(received);
  }
  SUBCASE("the endpoint file is writable by others") {
    point_at_attacker();
    fs::permissions(endpoint_file, fs::perms::others_write, fs::perm_options::add);
    auto const [outcome, received] = run_writer(300);
    expect_error(outcome, "lab.endpoint is writable by group or others");
    CHECK_FALSE(received);
  }
  SUBCASE("the endpoint file is a symlink to a file elsewhere") {
    temp_dir elsewhere;
    std::ofstream(elsewhere.path / "lab.endpoint") << attacker_address << "\n";
    fs::create_symlink(elsewhere.path / "lab.endpoint", endpoint_file);
    auto const [outcome, received] = run_writer(300);
    expect_error(outcome, "lab.endpoint is a symlink");
    CHECK_FALSE(received);
  }
  SUBCASE("a binder does not publish its address in a directory others can write") {
    fs::permissions(run.path, fs::perms::all, fs::perm_options::replace);
    std::stop_source stop;
    stop.request_stop();  // the store returns at once once attached
    std::string outcome = "ran";
    try {
      lab_pipeline::run_one("store", 0, o, stop.get_token(), [](std::string const&, std::uint64_t) {});
    } catch (std::exception const& e) {
      outcome = e.what();
    }
    expect_error(outcome, "pipeline rendezvous directory");
    CHECK_FALSE(fs::exists(endpoint_file));
  }
  SUBCASE("a binder's endpoint file is its owner's alone, whatever the umask") {
    auto const old_mask = ::umask(0);
    std::stop_source stop;
    stop.request_stop();
    lab_pipeline::run_one("store", 0, o, stop.get_token(), [](std::string const&, std::uint64_t) {});
    ::umask(old_mask);
    struct stat st {};
    REQUIRE(::lstat(endpoint_file.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0644);
  }
  if (::geteuid() == 0) {
    SUBCASE("an endpoint file another user owns") {
      point_at_attacker();
      REQUIRE(::chown(endpoint_file.c_str(), 65534, 65534) == 0);
      auto const [outcome, received] = run_writer(300);
      expect_error(outcome, "lab.endpoint is owned by uid 65534");
      CHECK_FALSE(received);
    }
    SUBCASE("a rendezvous directory another user owns") {
      point_at_attacker();
      REQUIRE(::chown(run.path.c_str(), 65534, 65534) == 0);
      auto const [outcome, received] = run_writer(300);
      expect_error(outcome, "is owned by uid 65534");
      CHECK_FALSE(received);
    }
  } else {
    MESSAGE("not root: the other-owner cases need chown and are checked in CI, which runs as root");
  }
}
