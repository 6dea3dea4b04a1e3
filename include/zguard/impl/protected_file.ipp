// zguard/impl/protected_file.ipp - the definitions of zguard/detail/protected_file.hpp that ZGUARD_DECL
// declares: inline in every translation unit, or compiled once with
// ZGUARD_SEPARATE_COMPILATION (zguard/detail/compiled.hpp).
#pragma once

#include <zguard/detail/protected_file.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

ZGUARD_DECL std::string mode_text(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", unsigned(mode & 07777));
  return text;
}

ZGUARD_DECL std::string directory_path_problem(std::filesystem::path const& dir) {
  std::error_code ec;
  auto const start = std::filesystem::absolute(dir, ec);
  if (ec) return dir.string() + ", which cannot be made absolute: " + ec.message();
  // The components still to walk, the next one last.
  std::vector<std::string> pending;
  auto const walk_next = [&](std::filesystem::path const& p) {
    std::vector<std::string> parts;
    for (auto const& c : p.relative_path()) parts.push_back(c.string());
    pending.insert(pending.end(), parts.rbegin(), parts.rend());
  };
  auto const unsafe = [](std::string const& d, struct stat const& st) -> std::string {
    if (!owned_by_this_user_or_root(st))
      return d + ", owned by uid " + std::to_string(st.st_uid) + ", neither this user nor root";
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX))
      return d + ", which group or others can write (mode " + mode_text(st.st_mode) + ", not sticky)";
    return {};
  };
  std::string at = "/";
  struct stat st {};
  if (::lstat("/", &st) != 0) return "/, which cannot be read: " + std::string(std::strerror(errno));
  if (auto problem = unsafe(at, st); !problem.empty()) return problem;
  walk_next(start);
  int links = 0;
  while (!pending.empty()) {
    auto const name = std::move(pending.back());
    pending.pop_back();
    if (name.empty() || name == ".") continue;
    if (name == "..") {  // `at` has no links left in it: its parent is the lexical one
      at = at.substr(0, at.rfind('/'));
      if (at.empty()) at = "/";
      continue;
    }
    auto const next = at == "/" ? "/" + name : at + "/" + name;
    if (::lstat(next.c_str(), &st) != 0) return next + ", which cannot be read: " + std::strerror(errno);
    if (S_ISLNK(st.st_mode)) {
      // Its directory, `at`, is checked; the link must be ours or root's
      // too: in a sticky directory its owner may remove it and put another.
      if (!owned_by_this_user_or_root(st))
        return next + ", a symlink owned by uid " + std::to_string(st.st_uid) +
               ", neither this user nor root (its owner may point it elsewhere)";
      if (++links > 40) return next + ", which leads through more than 40 symlinks";
      auto const target = std::filesystem::read_symlink(next, ec);
      if (ec) return next + ", a symlink which cannot be read: " + ec.message();
      if (target.is_absolute()) at = "/";
      walk_next(target);
      continue;
    }
    if (!S_ISDIR(st.st_mode)) return next + ", which is not a directory";
    if (auto problem = unsafe(next, st); !problem.empty()) return problem;
    at = next;
  }
  return {};
}

ZGUARD_DECL bool read_protected_text(std::filesystem::path const& path, std::string_view decides, std::string& text,
                                     std::string& why) {
  auto const fail = [&](std::string reason) {
    why = std::move(reason);
    return false;
  };
  // The checks are made on the file opened, never on the path before
  // opening it: between a check of the path and the open, a rename or a
  // link could put another file there. O_NOFOLLOW refuses a symlink;
  // O_NONBLOCK opens a FIFO at once, to be refused, instead of hanging.
  int const fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ELOOP) return fail("is a symlink, not a regular file");
    return fail(std::string("cannot be opened: ") + std::strerror(errno));
  }
  struct closer {
    int fd;
    ~closer() { ::close(fd); }
  } const close_fd{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return fail("is not a regular file");
  if (st.st_mode & (S_IWGRP | S_IWOTH)) return fail("is writable by group or others; " + std::string(decides));
  if (!owned_by_this_user_or_root(st))
    return fail("is owned by uid " + std::to_string(st.st_uid) + ", neither this user nor root; " + std::string(decides));
  // Its directory: whoever may write it can put another file in its place.
  auto const dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  struct stat ds {};
  if (::stat(dir.c_str(), &ds) != 0 || !S_ISDIR(ds.st_mode)) return fail("has no directory to check");
  if ((ds.st_mode & (S_IWGRP | S_IWOTH)) && !(ds.st_mode & S_ISVTX))
    return fail("is in " + dir.string() + ", which group or others can write (they could replace the file); " +
         std::string(decides));
  if (!owned_by_this_user_or_root(ds))
    return fail("is in " + dir.string() + ", owned by uid " + std::to_string(ds.st_uid) +
         ", neither this user nor root (who owns the directory can replace the file); " + std::string(decides));
  if (auto const above = directory_path_problem(dir); !above.empty())
    return fail("is below " + above + " (who can write it can put another directory in its place); " +
                std::string(decides));
  if (st.st_size < 0 || std::size_t(st.st_size) > max_protected_file_size)
    return fail("is larger than " + std::to_string(max_protected_file_size) + " bytes");
  text.assign(std::size_t(st.st_size), '\0');
  if (auto problem = read_unchanged(fd, st, text.data()); !problem.empty()) return fail(std::move(problem));
  // A file caught between a truncate and the end of its write passes the
  // checks above when nothing moved during the read: empty, or cut where a
  // write stopped. A complete policy file ends its last line.
  if (text.empty()) return fail("is empty; " + std::string(unfinished_file));
  if (text.back() != '\n') return fail("does not end with a newline; " + std::string(unfinished_file));
  return true;
}

ZGUARD_DECL std::string read_unchanged(int fd, struct stat const& before, void* into) {
  auto* const out = static_cast<char*>(into);
  std::size_t const size = std::size_t(before.st_size);
  std::size_t got = 0;
  for (;;) {
    char extra;  // one byte more than measured means it grew
    bool const past = got == size;
    auto const n = past ? ::read(fd, &extra, 1) : ::read(fd, out + got, size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::string("cannot be read: ") + std::strerror(errno);
    if (n == 0 && past) break;
    if (n == 0 || past) return "changed while it was read; " + std::string(unfinished_file);
    got += std::size_t(n);
  }
  struct stat after {};
  if (::fstat(fd, &after) != 0) return std::string("cannot be read: ") + std::strerror(errno);
  // Every write and truncate sets the mtime (and the size may move). Not
  // the ctime: a rename that replaces the file changes it too, apart from
  // the link count to a concurrent fstat, and would refuse a file read whole.
  bool const same = after.st_size == before.st_size && after.st_mtim.tv_sec == before.st_mtim.tv_sec &&
                    after.st_mtim.tv_nsec == before.st_mtim.tv_nsec;
  if (!same) return "changed while it was read; " + std::string(unfinished_file);
  return {};
}

}  // namespace detail
}  // namespace v0
}  // namespace zguard
