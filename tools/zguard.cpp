// zguard: the command-line tool installed with the headers (docs/tools.md).
//   zguard keygen ...          key and certificate files (tools/keygen.hpp)
//   zguard cert inspect FILE   what a certificate holds; permission problems
//   zguard profile DIR         the certificates of an allowlist directory
//   zguard permissions FILE    who may do what, as a service reads the file
//   zguard health FILE         whether a service's metrics file is fresh and says it is up
// Exit codes: 0 no problem, 1 problems found or input unreadable, 2 bad usage.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <zguard/certificate.hpp>
#include <zguard/permissions.hpp>
#include <zguard/version.hpp>

#include "keygen.hpp"

namespace {

namespace fs = std::filesystem;

constexpr std::string_view main_usage =
    "usage: zguard COMMAND [ARGS]\n"
    "Keys, certificates and allowlists for zguard services.\n\n"
    "commands:\n"
    "  keygen [flags]      write a CURVE keypair (or a signing key) as certificate files\n"
    "  cert inspect FILE   show what a certificate holds and check its file permissions\n"
    "  profile DIR         list the certificates of an allowlist directory and their problems\n"
    "  permissions FILE    show who may do what in a permission file, or ask about one action\n"
    "  health FILE         check a service's metrics file: fresh, and the service up\n"
    "  --version           print the zguard, libzmq and libsodium versions\n"
    "  --help              print this text\n\n"
    "`zguard COMMAND --help` describes a command. Exit status: 0 no problem,\n"
    "1 problems found or input unreadable, 2 bad usage.\n";

constexpr std::string_view cert_usage =
    "usage: zguard cert inspect FILE\n"
    "Subcommands of `zguard cert`:\n"
    "  inspect FILE   show what a certificate holds and check its file permissions\n";

constexpr std::string_view inspect_usage =
    "usage: zguard cert inspect FILE\n"
    "Shows what a CZMQ-format certificate holds: its public key (Z85), its\n"
    "metadata, whether a secret key is present (in FILE itself or in\n"
    "FILE_secret) and whether that secret loads: mode 0600, no symlink, and\n"
    "matching the public key. The secret key is never printed. Reports as\n"
    "'problem:' lines what would weaken the key: a public file others can\n"
    "write, a secret others can read, a secret in a file not named *_secret.\n"
    "Exit status 1 when there is a problem.\n";

constexpr std::string_view profile_usage =
    "usage: zguard profile DIR\n"
    "Lists the certificates of an allowlist directory, as\n"
    "zguard::authenticator::allow_directory reads it: file, public key (Z85),\n"
    "'name' metadata. Reports as 'problem:' lines a directory or certificate\n"
    "others can write (they could add or swap an allowed key), secret keys\n"
    "in the directory, and files the authenticator would refuse (it refuses\n"
    "the whole directory then). Exit status 1 when there is a problem.\n";

// Text from a certificate or a file name goes to a terminal: control bytes
// (C0, DEL and C1 in UTF-8) are escaped so a hostile file cannot rewrite the report.
std::string printable(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto const c = static_cast<unsigned char>(s[i]);
    bool const c1 = c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) < 0xa0 &&
                    static_cast<unsigned char>(s[i + 1]) >= 0x80;
    if (c < 0x20 || c == 0x7f || c == '\\' || c1) {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += char(c);
    }
  }
  return out;
}

std::string shown(fs::path const& p) { return printable(p.native()); }

std::string octal(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", unsigned(mode & 07777));
  return buf;
}

std::optional<struct stat> lstat_of(fs::path const& p) {
  struct stat st {};
  if (::lstat(p.c_str(), &st) != 0) return std::nullopt;
  return st;
}

bool named_secret(fs::path const& p) {
  auto const n = p.filename().string();
  return n.size() > 7 && n.compare(n.size() - 7, 7, "_secret") == 0;
}

// Whether a certificate file carries a curve/secret-key; the value is wiped unread.
bool holds_secret(fs::path const& p) {
  auto buf = zguard::detail::read_certificate_file(p);
  auto fields = zguard::detail::parse_certificate(buf, p);
  bool const found = fields.count("curve/secret-key") != 0;
  zguard::detail::wipe(fields);
  return found;
}

// One certificate file, checked as the loaders would read it.
struct report {
  std::optional<zguard::certificate> cert;
  std::vector<std::string> facts, problems;
};

// Opening a FIFO for reading waits for a writer: look before the loaders open.
bool not_regular(fs::path const& p, bool follow, report& r) {
  struct stat st {};
  if ((follow ? ::stat(p.c_str(), &st) : ::lstat(p.c_str(), &st)) != 0) return false;  // the loader says why
  if (S_ISREG(st.st_mode) || (!follow && S_ISLNK(st.st_mode))) return false;
  r.problems.push_back(shown(p) + " is not a regular file");
  return true;
}

// A public file anyone but its owner can write lets them swap the key.
void check_writable(fs::path const& p, report& r) {
  auto st = lstat_of(p);
  if (!st) return;
  if (S_ISLNK(st->st_mode)) {  // the mode that matters is the target's
    std::error_code ec;
    r.facts.push_back("file: symlink to " + shown(fs::read_symlink(p, ec)));
    if (::stat(p.c_str(), &*st) != 0) return;
  }
  r.facts.push_back("file: mode " + octal(st->st_mode));
  if (st->st_mode & 022)
    r.problems.push_back(shown(p) + " is writable by group or others (mode " + octal(st->st_mode) +
                         "): whoever can write it can replace the key");
}

// The secret at secret_path (NAME_secret, or FILE itself), loaded with every
// check load_keypair_certificate makes, and compared with the public key.
void check_secret(fs::path const& secret_path, zguard::public_key const& key, report& r) {
  if (not_regular(secret_path, false, r)) return;
  try {
    auto const keys = zguard::load_keypair_certificate(secret_path);
    if (keys.public_part() == key)
      r.facts.push_back("secret: " + shown(secret_path) + " (mode 0600), matches the public key");
    else
      r.problems.push_back(shown(secret_path) + " holds the secret of a different public key (" +
                           keys.public_part().z85() + ")");
  } catch (zguard::key_error const& e) {
    r.problems.push_back("secret: " + printable(e.what()));
  }
}

report inspect_file(fs::path const& path) {
  report r;
  if (not_regular(path, true, r)) return r;
  try {
    r.cert = zguard::load_public_certificate(path);
  } catch (zguard::key_error const& e) {
    r.problems.push_back(printable(e.what()));
    return r;
  }
  check_writable(path, r);
  if (named_secret(path)) {
    check_secret(path, r.cert->key, r);
    return r;
  }
  if (holds_secret(path))
    r.problems.push_back(shown(path) +
                         " holds a secret key but is not named *_secret: it is read as a public file, "
                         "without the secret's permission checks; treat the key as exposed");
  auto const secret_path = zguard::detail::secret_path_of(path);
  if (lstat_of(secret_path))
    check_secret(secret_path, r.cert->key, r);
  else
    r.facts.push_back("secret: none (no " + shown(secret_path.filename()) + " beside it)");
  return r;
}

void print_metadata(zguard::certificate const& c, std::string_view indent) {
  if (c.metadata.empty()) std::cout << indent << "metadata: none\n";
  for (auto const& [k, v] : c.metadata) std::cout << indent << "metadata: " << k << " = \"" << printable(v) << "\"\n";
}

void print_report(report const& r, std::string_view indent) {
  for (auto const& f : r.facts) std::cout << indent << f << "\n";
  for (auto const& p : r.problems) std::cout << indent << "problem: " << p << "\n";
}

// `zguard COMMAND --help` or `zguard COMMAND OPERAND`; argv[0] is COMMAND.
std::string operand(std::string_view program, std::string_view usage, int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  for (auto a : args)
    if (a == "--help" || a == "-h") {
      std::cout << usage;
      std::exit(0);
    }
  std::string why;
  if (args.empty()) why = "missing operand";
  else if (args.size() > 1) why = "one operand expected, got " + std::to_string(args.size());
  else if (args[0].starts_with("-")) why = "unknown flag " + printable(args[0]);
  if (!why.empty()) {
    std::cerr << program << ": " << why << "\n" << usage;
    std::exit(2);
  }
  return std::string(args[0]);
}

int cert_inspect(int argc, char** argv) {
  fs::path const path = operand("zguard cert inspect", inspect_usage, argc, argv);
  auto const r = inspect_file(path);
  std::cout << "certificate: " << shown(path) << "\n";
  if (r.cert) {
    std::cout << "public-key: " << r.cert->key.z85() << "\n";
    print_metadata(*r.cert, "");
  }
  print_report(r, "");
  std::cout << "problems: " << r.problems.size() << "\n";
  return r.problems.empty() ? 0 : 1;
}

int profile(int argc, char** argv) {
  fs::path const dir = operand("zguard profile", profile_usage, argc, argv);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    std::cerr << "zguard profile: " << shown(dir) << " is not a directory\n";
    return 1;
  }
  std::vector<fs::path> entries;
  for (auto const& e : fs::directory_iterator(dir, ec)) entries.push_back(e.path());
  if (ec) {
    std::cerr << "zguard profile: cannot read " << shown(dir) << ": " << ec.message() << "\n";
    return 1;
  }
  std::sort(entries.begin(), entries.end());

  std::size_t problems = 0;
  auto const dir_stat = lstat_of(dir);
  std::cout << "allowlist: " << shown(dir) << " (mode " << (dir_stat ? octal(dir_stat->st_mode) : "?") << ")\n";
  if (dir_stat && (dir_stat->st_mode & 022)) {
    ++problems;
    std::cout << "problem: the directory is writable by group or others: whoever can write it can add a key "
                 "the authenticator allows\n";
  }
  std::map<std::string, std::string> seen;  // key z85 -> first file holding it
  for (auto const& p : entries) {
    auto const name = p.filename().string();
    std::cout << shown(p.filename()) << "\n";
    if (name[0] == '.') {
      std::cout << "  ignored: a dotfile\n";
      continue;
    }
    if (!fs::is_regular_file(p, ec)) {
      std::cout << "  ignored: not a regular file\n";
      continue;
    }
    if (named_secret(p)) {
      ++problems;
      std::cout << "  problem: a secret key file in an allowlist directory (the authenticator skips it); "
                   "keep secrets out of directories shared for public keys\n";
      continue;
    }
    auto const r = inspect_file(p);
    if (r.cert) {
      std::cout << "  public-key: " << r.cert->key.z85() << "\n";
      print_metadata(*r.cert, "  ");
      auto [first, fresh] = seen.emplace(r.cert->key.z85(), name);
      if (!fresh) std::cout << "  note: the same key as " << printable(first->second) << "\n";
    }
    print_report(r, "  ");
    problems += r.problems.size();
  }
  // The verdict of the loader the authenticator runs, not a reimplementation of it.
  try {
    auto const keys = zguard::load_public_directory(dir);
    std::cout << "authenticator: allow_directory loads " << keys.size() << " key(s)\n";
  } catch (zguard::key_error const& e) {
    ++problems;
    std::cout << "problem: authenticator: allow_directory refuses this directory: " << printable(e.what())
              << "\n";
  }
  std::cout << "problems: " << problems << "\n";
  return problems == 0 ? 0 : 1;
}

constexpr std::string_view permissions_usage =
    "usage: zguard permissions FILE [key Z85|cert CERTFILE|user NAME call|subscribe|publish SUBJECT]\n"
    "Reads a permission file as zguard::permissions::from_file does (a regular\n"
    "file others cannot write; every line checked) and prints its rules, one a\n"
    "line: the defaults, then each key and user. With an identity, an action\n"
    "and a subject, prints 'permitted' or 'denied' for that one question and\n"
    "exits 0 or 1. A file that does not load is reported with its file and\n"
    "line (exit 1).\n";

int permissions_command(int argc, char** argv) {
  if (argc == 2 && (std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "-h")) {
    std::cout << permissions_usage;
    return 0;
  }
  if (argc != 2 && argc != 6) {
    std::cerr << "zguard permissions: " << (argc < 2 ? "missing operand" : "expected FILE, or FILE and a question")
              << "\n"
              << permissions_usage;
    return 2;
  }
  try {
    auto const perms = zguard::permissions::from_file(argv[1]);  // read once: what is listed is what is checked
    if (argc == 2) {
      std::istringstream lines(perms.audit());
      for (std::string line; std::getline(lines, line);) std::cout << printable(line) << "\n";
      return 0;
    }
    std::string_view const kind = argv[2], act = argv[4];
    if (kind != "key" && kind != "user" && kind != "cert") {
      std::cerr << "zguard permissions: the identity is 'key Z85', 'cert CERTFILE' or 'user NAME'\n";
      return 2;
    }
    // A certificate file asks about its key, as a 'cert' rule names it.
    std::string const id = kind == "cert" ? zguard::load_public_certificate(argv[3]).key.z85() : std::string(argv[3]);
    std::optional<zguard::action> a;
    for (auto x : {zguard::action::call, zguard::action::subscribe, zguard::action::publish})
      if (zguard::to_string(x) == act) a = x;
    if (!a) {
      std::cerr << "zguard permissions: the action is call, subscribe or publish\n";
      return 2;
    }
    bool const ok =
        perms.permits(kind == "user" ? zguard::identity_kind::user : zguard::identity_kind::key, id, *a, argv[5]);
    std::cout << (ok ? "permitted" : "denied") << "\n";
    return ok ? 0 : 1;
  } catch (zguard::permission_error const& e) {
    std::cout << "problem: " << printable(e.what()) << "\n";
    return 1;
  } catch (zguard::key_error const& e) {
    std::cout << "problem: " << printable(e.what()) << "\n";
    return 1;
  }
}

constexpr std::string_view health_usage =
    "usage: zguard health FILE [--max-age SECONDS]\n"
    "Checks the metrics file a zguard service writes\n"
    "(metrics_registry::write_textfile, the Prometheus text format) for a\n"
    "supervisor or a container's health check: healthy when the file says\n"
    "zguard_up 1 and was written at most SECONDS ago (default 60; its\n"
    "zguard_metrics_written_timestamp_seconds). Prints 'healthy' or\n"
    "'unhealthy' and why; exit 0 healthy, 1 unhealthy or unreadable.\n";

// The value of the first sample of `name` in an exposition text.
std::optional<double> sample_value(std::string const& text, std::string_view name) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(name, 0) != 0 || line.size() == name.size()) continue;
    char const next = line[name.size()];
    if (next != '{' && next != ' ') continue;
    auto const space = line.rfind(' ');
    try {
      std::size_t used = 0;
      double const v = std::stod(line.substr(space + 1), &used);
      if (used == line.size() - space - 1) return v;
    } catch (std::exception const&) {
    }
    return std::nullopt;
  }
  return std::nullopt;
}

int health(int argc, char** argv) {
  if (argc == 2 && (std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "-h")) {
    std::cout << health_usage;
    return 0;
  }
  double max_age = 60;
  bool usage_ok = argc == 2 || argc == 4;
  if (argc == 4) {
    usage_ok = std::string_view(argv[2]) == "--max-age";
    try {
      std::size_t used = 0;
      max_age = std::stod(argv[3], &used);
      usage_ok = usage_ok && used == std::strlen(argv[3]) && max_age > 0;
    } catch (std::exception const&) {
      usage_ok = false;
    }
  }
  if (!usage_ok) {
    std::cerr << "zguard health: " << (argc < 2 ? "missing operand" : "expected FILE [--max-age SECONDS > 0]")
              << "\n"
              << health_usage;
    return 2;
  }
  // A regular file, read up to a bound: a FIFO or a device must not hang
  // the supervisor that asks.
  constexpr std::size_t max_bytes = 16 << 20;
  int const fd = ::open(argv[1], O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  struct stat st {};
  if (fd < 0 || ::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || std::size_t(st.st_size) > max_bytes) {
    std::cout << "unhealthy: cannot read " << printable(argv[1])
              << (fd >= 0 ? " as a metrics file (not a regular file, or larger than 16 MiB)" : "") << "\n";
    if (fd >= 0) ::close(fd);
    return 1;
  }
  std::string text(std::size_t(st.st_size), '\0');
  std::size_t got = 0;
  for (ssize_t n; got < text.size() && (n = ::read(fd, text.data() + got, text.size() - got)) > 0;) got += std::size_t(n);
  ::close(fd);
  text.resize(got);
  auto const up = sample_value(text, "zguard_up");
  auto const written = sample_value(text, "zguard_metrics_written_timestamp_seconds");
  if (!up || !written) {
    std::cout << "unhealthy: " << printable(argv[1]) << " is not a zguard metrics file (no zguard_up or "
              << "zguard_metrics_written_timestamp_seconds)\n";
    return 1;
  }
  double const now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  double const age = now - *written;
  char age_text[32];
  std::snprintf(age_text, sizeof age_text, "%.1f", age);
  if (!std::isfinite(*written)) {
    std::cout << "unhealthy: the file's zguard_metrics_written_timestamp_seconds is not a time\n";
    return 1;
  }
  if (*up != 1) {
    std::cout << "unhealthy: the service says it is not up (zguard_up " << *up << ")\n";
    return 1;
  }
  if (age > max_age || age < -max_age) {
    std::cout << "unhealthy: the figures were written " << age_text << " s ago, more than " << max_age
              << " s: the service stopped writing them\n";
    return 1;
  }
  std::cout << "healthy: up, figures written " << age_text << " s ago\n";
  return 0;
}

int version() {
  int major = 0, minor = 0, patch = 0;
  zmq_version(&major, &minor, &patch);
  std::cout << "zguard " << ZGUARD_VERSION_MAJOR << "." << ZGUARD_VERSION_MINOR << "." << ZGUARD_VERSION_PATCH
            << " (libzmq " << major << "." << minor << "." << patch << ", libsodium " << sodium_version_string()
            << ")\n";
  return 0;
}

int run(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "zguard: missing command\n" << main_usage;
    return 2;
  }
  std::string_view const command = argv[1];
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << main_usage;
    return 0;
  }
  if (command == "--version") return version();
  if (command == "keygen") return zguard_tool::keygen("zguard keygen", argc - 1, argv + 1);
  if (command == "profile") return profile(argc - 1, argv + 1);
  if (command == "permissions") return permissions_command(argc - 1, argv + 1);
  if (command == "health") return health(argc - 1, argv + 1);
  if (command == "cert") {
    std::string_view const sub = argc > 2 ? argv[2] : "";
    if (sub == "--help" || sub == "-h") {
      std::cout << cert_usage;
      return 0;
    }
    if (sub == "inspect") return cert_inspect(argc - 2, argv + 2);
    std::cerr << "zguard cert: " << (sub.empty() ? "missing subcommand" : "unknown subcommand " + printable(sub))
              << "\n"
              << cert_usage;
    return 2;
  }
  std::cerr << "zguard: unknown command " << printable(command) << "\n" << main_usage;
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (std::exception const& e) {
    std::cerr << "zguard: " << printable(e.what()) << "\n";
    return 1;
  }
}
