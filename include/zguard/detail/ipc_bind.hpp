// zguard/detail/ipc_bind.hpp - binding an ipc socket file that no other
// user can reach at any moment (G11).
#pragma once

#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <zmq.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include <zguard/endpoint.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

// An ipc socket file bound so that no other user can reach it at any moment:
// libzmq binds it inside a fresh 0700 directory, we set its mode there, then
// rename() it into place atomically. The path was checked from '/' down
// (detail::check_ipc_path, just before): no other user can write the parent
// or rename any directory on the way, so nobody can swap a name between the
// check and the rename.
struct ipc_file {
  std::filesystem::path path;
  ino_t inode = 0;
};

inline ipc_file ipc_bind(zmq::socket_t& sock, std::string_view final_path, unsigned mode) {
  std::filesystem::path const target(final_path);
  std::string tmpl = (target.parent_path() / ".zguard-XXXXXX").string();
  if (!::mkdtemp(tmpl.data()))
    throw endpoint_error("zguard: cannot create a private directory next to '" + target.string() + "'");
  std::filesystem::path const tmp_dir(tmpl);
  auto const tmp_sock = tmp_dir / "s";
  auto cleanup = [&] {
    std::error_code ec;
    std::filesystem::remove(tmp_sock, ec);
    std::filesystem::remove(tmp_dir, ec);
  };
  if (tmp_sock.string().size() + 1 > sizeof(sockaddr_un{}.sun_path)) {
    cleanup();
    throw endpoint_error("zguard: ipc path '" + target.string() +
                         "' leaves no room for the private bind directory; use a shorter path");
  }
  try {
    sock.bind("ipc://" + tmp_sock.string());
  } catch (...) {
    cleanup();
    throw;
  }
  struct stat st {};
  if (::chmod(tmp_sock.c_str(), mode) != 0 || ::lstat(tmp_sock.c_str(), &st) != 0 ||
      ::rename(tmp_sock.c_str(), target.c_str()) != 0) {
    sock.unbind("ipc://" + tmp_sock.string());
    cleanup();
    throw endpoint_error("zguard: could not move the ipc socket into place at '" + target.string() + "'");
  }
  cleanup();
  return {target, st.st_ino};
}

}  // namespace detail
}  // namespace v0
}  // namespace zguard
