// libFuzzer target for endpoint parsing (G10, G11): any text, parsed as an
// endpoint of every transport. Parsing must never crash, and what it
// accepts must hold what each transport's rules promise, checked here
// independently of endpoint.hpp: no control byte (libzmq reads C strings),
// tcp host:port with a port in 1..65535 or * / !, ipc an absolute path that
// fits sockaddr_un in an existing directory reached without symlinks that
// no other user can write, never an existing non-socket, with a mode that
// gives others nothing.
//
// Input: byte 0 picks the ipc socket mode; the rest is the endpoint text,
// in which "{dir}" stands for a private scratch directory holding a
// symlink ("link"), a regular file ("file") and a group-writable directory
// ("open"), so that inputs can reach every ipc check.
#include <zguard/domain.hpp>
#include <zguard/endpoint.hpp>

#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

using fuzz_domain = zguard::domain<"fuzz">;

struct scratch {
  std::string dir;
  scratch() {
    char tmpl[] = "/tmp/zguard-fuzz-endpoint-XXXXXX";
    if (!::mkdtemp(tmpl)) std::abort();  // mode 0700
    dir = tmpl;
    std::filesystem::create_directory_symlink("/tmp", dir + "/link");
    std::ofstream(dir + "/file") << "not a socket";
    std::filesystem::create_directory(dir + "/open");
    ::chmod((dir + "/open").c_str(), 0770);
  }
  ~scratch() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

[[noreturn]] void broken(char const* rule, std::string const& text) {
  std::fprintf(stderr, "accepted endpoint breaks a rule: %s (%zu bytes)\n", rule, text.size());
  std::abort();
}

template <class T, class D = void>
bool accepts(std::string const& text, unsigned mode = 0600) {
  try {
    zguard::endpoint<T, D> e(text, mode);
    if (e.str() != text) broken("str() is not the text given", text);
    return true;
  } catch (zguard::endpoint_error const&) {
    return false;
  }
}

void check_common(std::string const& text) {
  for (unsigned char c : text)
    if (c < 0x20 || c == 0x7f) broken("control byte", text);
}

void check_tcp(std::string const& text) {
  check_common(text);
  if (text.rfind("tcp://", 0) != 0) broken("tcp scheme", text);
  auto const colon = text.rfind(':');
  if (colon <= 6 || colon + 1 >= text.size()) broken("tcp host:port", text);
  auto const port = text.substr(colon + 1);
  if (port == "*" || port == "!") return;
  if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos) broken("tcp port digits", text);
  long const value = std::strtol(port.c_str(), nullptr, 10);
  if (value < 1 || value > 65535) broken("tcp port range", text);
}

void check_ipc(std::string const& text, unsigned mode) {
  check_common(text);
  if (mode & 0007) broken("ipc mode gives others access", text);
  if ((mode & 0600) != 0600) broken("ipc mode without owner read/write", text);
  if (text.rfind("ipc://", 0) != 0) broken("ipc scheme", text);
  std::string const path = text.substr(6);
  if (path.empty() || path[0] != '/') broken("ipc absolute path", text);
  if (path.size() >= sizeof(sockaddr_un{}.sun_path)) broken("ipc path fits sockaddr_un", text);
  auto const slash = path.rfind('/');
  std::string parent = slash == 0 ? "/" : path.substr(0, slash);
  while (parent.size() > 1 && parent.back() == '/') parent.pop_back();
  std::string const leaf = path.substr(slash + 1);
  if (leaf.empty() || leaf == "." || leaf == "..") broken("ipc path names a file", text);
  char resolved[PATH_MAX];
  if (!::realpath(parent.c_str(), resolved)) broken("ipc directory exists", text);
  if (std::filesystem::path(parent).lexically_normal() != std::filesystem::path(resolved))
    broken("ipc directory reached without symlinks", text);
  struct stat st {};
  if (::stat(resolved, &st) != 0 || !S_ISDIR(st.st_mode)) broken("ipc parent is a directory", text);
  if (st.st_mode & 022) broken("ipc directory not writable by others", text);
  struct stat lst {};
  if (::lstat(path.c_str(), &lst) == 0 && !S_ISSOCK(lst.st_mode)) broken("ipc never replaces a non-socket", text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  static scratch dir;
  if (size == 0) return 0;
  // Byte 0 = ipc mode: bits 0-2 owner, 3-5 group, 6-7 others' write and read.
  unsigned const mode = (data[0] & 7u) << 6 | ((data[0] >> 3) & 7u) << 3 | unsigned(data[0] >> 6) << 1;
  std::string text(reinterpret_cast<char const*>(data + 1), size - 1);
  for (auto at = text.find("{dir}"); at != std::string::npos; at = text.find("{dir}", at + dir.dir.size()))
    text.replace(at, 5, dir.dir);

  if (accepts<zguard::tcp>(text)) check_tcp(text);
  if (accepts<zguard::ipc>(text, mode)) check_ipc(text, mode);
  if (accepts<zguard::inproc, fuzz_domain>(text)) {
    check_common(text);
    if (text.rfind("inproc://", 0) != 0 || text.size() - 9 > 256) broken("inproc name", text);
  }
  for (bool ok : {accepts<zguard::pgm>(text), accepts<zguard::epgm>(text)})
    if (ok) check_common(text);
  return 0;
}
