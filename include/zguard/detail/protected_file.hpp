// zguard/detail/protected_file.hpp - reading a file that decides policy
// (a permission file, a deployment file): whoever can write it decides, so
// it must be a regular file (not a link) that only its owner can write,
// owned by this user or root, in a directory that neither group nor others
// can write (unless sticky: then they cannot replace another's file).
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>

namespace zguard {
inline namespace v0 {
namespace detail {

// Whether only this user or root could have changed a file or directory
// with these facts: no other owner (who may always chmod it back).
inline bool owned_by_this_user_or_root(struct stat const& st) { return st.st_uid == ::geteuid() || st.st_uid == 0; }

// Policy files are short; a larger one is refused, not read into memory.
inline constexpr std::size_t max_protected_file_size = 4u << 20;

// The whole text of `path`; throws Error("<what>: <path> ...") otherwise.
// `decides` ends the sentence for a file others could change.
template <class Error>
std::string read_protected_file(std::filesystem::path const& path, std::string_view what, std::string_view decides) {
  auto const fail = [&](std::string const& why) {
    throw Error(std::string(what) + ": " + path.string() + " " + why);
  };
  // The checks are made on the file opened, never on the path before
  // opening it: between a check of the path and the open, a rename or a
  // link could put another file there. O_NOFOLLOW refuses a symlink;
  // O_NONBLOCK opens a FIFO at once, to be refused, instead of hanging.
  int const fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ELOOP) fail("is a symlink, not a regular file");
    fail(std::string("cannot be opened: ") + std::strerror(errno));
  }
  struct closer {
    int fd;
    ~closer() { ::close(fd); }
  } const close_fd{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) fail("is not a regular file");
  if (st.st_mode & (S_IWGRP | S_IWOTH)) fail("is writable by group or others; " + std::string(decides));
  if (!owned_by_this_user_or_root(st))
    fail("is owned by uid " + std::to_string(st.st_uid) + ", neither this user nor root; " + std::string(decides));
  // Its directory: whoever may write it can put another file in its place.
  auto const dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  struct stat ds {};
  if (::stat(dir.c_str(), &ds) != 0 || !S_ISDIR(ds.st_mode)) fail("has no directory to check");
  if ((ds.st_mode & (S_IWGRP | S_IWOTH)) && !(ds.st_mode & S_ISVTX))
    fail("is in " + dir.string() + ", which group or others can write (they could replace the file); " +
         std::string(decides));
  if (!owned_by_this_user_or_root(ds))
    fail("is in " + dir.string() + ", owned by uid " + std::to_string(ds.st_uid) +
         ", neither this user nor root (who owns the directory can replace the file); " + std::string(decides));
  if (st.st_size < 0 || std::size_t(st.st_size) > max_protected_file_size)
    fail("is larger than " + std::to_string(max_protected_file_size) + " bytes");
  std::string text(std::size_t(st.st_size), '\0');
  std::size_t got = 0;
  while (got < text.size()) {
    auto const n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(std::string("cannot be read: ") + std::strerror(errno));
    if (n == 0) break;  // shorter now than when it was measured: what is there
    got += std::size_t(n);
  }
  text.resize(got);
  return text;
}

}  // namespace detail
}  // namespace v0
}  // namespace zguard
