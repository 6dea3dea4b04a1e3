// zguard/detail/protected_file.hpp - reading a file that decides policy
// (a permission file, a deployment file): whoever can write it decides, so
// it must be a regular file (not a link) that neither group nor others can
// write.
#pragma once

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

namespace zguard {
inline namespace v0 {
namespace detail {

// The whole text of `path`; throws Error("<what>: <path> ...") otherwise.
// `decides` ends the sentence for a file others can write.
template <class Error>
std::string read_protected_file(std::filesystem::path const& path, std::string_view what, std::string_view decides) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    throw Error(std::string(what) + ": " + path.string() + " is not a regular file");
  if (st.st_mode & (S_IWGRP | S_IWOTH))
    throw Error(std::string(what) + ": " + path.string() + " is writable by group or others; " + std::string(decides));
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) throw Error(std::string(what) + ": cannot read " + path.string());
  return text.str();
}

}  // namespace detail
}  // namespace v0
}  // namespace zguard
