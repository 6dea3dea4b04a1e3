// zguard/detail/protected_file.hpp - reading a file that decides policy
// (a permission file, a deployment file): whoever can write it decides, so
// it must be a regular file (not a link) that only its owner can write,
// owned by this user or root, in a directory that neither group nor others
// can write (unless sticky: then they cannot replace another's file).
#pragma once

#include <zguard/detail/compiled.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zguard {
inline namespace v0 {
namespace detail {

// Whether only this user or root could have changed a file or directory
// with these facts: no other owner (who may always chmod it back).
inline bool owned_by_this_user_or_root(struct stat const& st) { return st.st_uid == ::geteuid() || st.st_uid == 0; }

// A file mode as chmod takes it ("0644").
ZGUARD_DECL std::string mode_text(mode_t mode);

// Policy files are short; a larger one is refused, not read into memory.
inline constexpr std::size_t max_protected_file_size = 4u << 20;

// "" when every directory from '/' down to `dir` (symlinks followed one at
// a time, so the directory holding each link is checked too, and each link
// must be owned by this user or root) is owned by
// this user or root and, unless sticky, writable by neither group nor
// others; otherwise the first one that is not, as "<dir>, which ...".
// Whoever can write a directory on the way can move what is below it aside
// and put their own directory there, or a link to another one of ours (an
// older key directory, say), whose files would then pass every other check.
ZGUARD_DECL std::string directory_path_problem(std::filesystem::path const& dir);

// Files that decide policy are replaced by rename, never rewritten in
// place: a reader may meet a file between its truncate and the end of its
// write. What a refusal says of such a file.
inline constexpr std::string_view unfinished_file =
    "it may be in the middle of a write (replace it by renaming a complete file into place)";

// Reads the file open at `fd`, which fstat described as `before`, into
// `into` (before.st_size bytes): "" when it was read whole and nothing
// changed it meanwhile (its size or mtime), otherwise what went wrong, to
// follow its name in a sentence.
ZGUARD_DECL std::string read_unchanged(int fd, struct stat const& before, void* into);

// The whole text of `path` into `text`, or false with `why` the rest of the
// sentence "<path> ..." saying what is wrong. `decides` ends the sentence
// for a file others could change. The text must be read unchanged
// (read_unchanged) and end with a newline: an empty file, or one cut short
// by a write still under way, is refused.
ZGUARD_DECL bool read_protected_text(std::filesystem::path const& path, std::string_view decides, std::string& text,
                                     std::string& why);

// The whole text of `path`; throws Error("<what>: <path> ...") otherwise.
template <class Error>
std::string read_protected_file(std::filesystem::path const& path, std::string_view what, std::string_view decides) {
  std::string text, why;
  if (!read_protected_text(path, decides, text, why)) throw Error(std::string(what) + ": " + path.string() + " " + why);
  return text;
}

}  // namespace detail
}  // namespace v0
}  // namespace zguard

#if !defined(ZGUARD_SEPARATE_COMPILATION)
#include <zguard/impl/protected_file.ipp>
#endif
