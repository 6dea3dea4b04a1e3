// zguard/impl/certificate.ipp - the definitions of zguard/certificate.hpp that ZGUARD_DECL
// declares: inline in every translation unit, or compiled once with
// ZGUARD_SEPARATE_COMPILATION (zguard/detail/compiled.hpp).
#pragma once

#include <zguard/certificate.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

ZGUARD_DECL std::filesystem::path secret_path_of(std::filesystem::path const& p) {
  auto const s = p.string();
  if (s.size() > 7 && s.compare(s.size() - 7, 7, "_secret") == 0) return p;
  return s + "_secret";
}

ZGUARD_DECL guarded_bytes read_certificate_file(std::filesystem::path const& path,
                                                certificate_role role) {
  bool const secret = role == certificate_role::secret, allowlisted = role == certificate_role::allowlisted;
  // O_NONBLOCK: a FIFO put where a certificate was expected opens at once
  // (and is refused below) instead of hanging the reader until a writer comes.
  int const fd =
      ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | (secret || allowlisted ? O_NOFOLLOW : 0));
  if (fd < 0) {
    if (secret && errno == ELOOP)
      throw key_error("zguard: secret certificate " + path.string() + " is a symlink; refusing it");
    if (allowlisted && errno == ELOOP)
      throw key_error("zguard: allowlisted certificate " + path.string() +
                      " is a symlink; an allowlist holds the certificates themselves (whoever can change the "
                      "link's target could let any key in)");
    throw key_error("zguard: cannot open certificate " + path.string() + ": " + std::strerror(errno));
  }
  struct closer {
    int fd;
    ~closer() { ::close(fd); }
  } close_fd{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
    throw key_error("zguard: certificate " + path.string() + " is not a regular file");
  if (secret && (st.st_mode & 077))
    throw key_error("zguard: secret certificate " + path.string() + " is group/world accessible (mode " +
                    mode_text(st.st_mode) + "); chmod 600 it");
  // Root reads any file: a secret another user owns is one that user knows.
  if (secret && !owned_by_this_user_or_root(st))
    throw key_error("zguard: secret certificate " + path.string() + " is owned by uid " +
                    std::to_string(st.st_uid) + ", neither this user nor root; its owner knows the secret key");
  if (allowlisted && (st.st_mode & (S_IWGRP | S_IWOTH)))
    throw key_error("zguard: allowlisted certificate " + path.string() + " is writable by group or others (mode " +
                    mode_text(st.st_mode) + "); whoever can write it can let any key in");
  if (allowlisted && !owned_by_this_user_or_root(st))
    throw key_error("zguard: allowlisted certificate " + path.string() + " is owned by uid " +
                    std::to_string(st.st_uid) + ", neither this user nor root; its owner can let any key in");
  if (st.st_size < 0 || std::size_t(st.st_size) > max_zpl_size)
    throw key_error("zguard: certificate " + path.string() + " is larger than " +
                    std::to_string(max_zpl_size) + " bytes");
  guarded_bytes buf(std::size_t(st.st_size));
  // A reload reads the allowlist while keys may be written: a certificate
  // changed during the read is refused, not half read.
  if (auto const problem = read_unchanged(fd, st, buf.writable()); !problem.empty())
    throw key_error("zguard: certificate " + path.string() + " " + problem);
  return buf;
}

ZGUARD_DECL void wipe(std::map<std::string, std::string>& fields) {
  for (auto& [k, v] : fields)
    if (!v.empty()) sodium_memzero(v.data(), v.size());
}

ZGUARD_DECL std::map<std::string, std::string> parse_certificate(guarded_bytes const& buf,
                                                                 std::filesystem::path const& path) {
  auto fields = parse_zpl(
      std::string_view(reinterpret_cast<char const*>(buf.data()), buf.size()), path.string());
  if (!fields.count("curve/public-key")) {
    wipe(fields);  // it may hold a secret key all the same
    throw key_error("zguard: certificate " + path.string() + " has no curve/public-key");
  }
  return fields;
}

ZGUARD_DECL void write_all(int fd, std::string const& text, std::filesystem::path const& path) {
  std::size_t done = 0;
  while (done < text.size()) {
    auto n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw key_error("zguard: cannot write " + path.string() + ": " + std::strerror(errno));
    done += std::size_t(n);
  }
}

ZGUARD_DECL void write_file(std::filesystem::path const& path, std::string const& text, mode_t mode) {
  // Written whole to a new file beside it, then renamed into place: a
  // reader (an allowlist reload) sees the old file or the new one, never a
  // part. The temporary name is a dotfile, which an allowlist skips; it is
  // created 0600 (mkstemp) and gets `mode` before any byte is written.
  auto const dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  std::string tmp = (dir / ("." + path.filename().string() + ".XXXXXX")).string();
  int const fd = ::mkstemp(tmp.data());
  if (fd < 0) throw key_error("zguard: cannot create a file beside " + path.string() + ": " + std::strerror(errno));
  struct closer {
    int fd;
    std::string const& tmp;
    bool done = false;
    ~closer() {
      ::close(fd);
      if (!done) ::unlink(tmp.c_str());
    }
  } file{fd, tmp};
  if (::fchmod(fd, mode) != 0) throw key_error("zguard: cannot chmod " + tmp + ": " + std::strerror(errno));
  write_all(fd, text, path);
  if (::fsync(fd) != 0) throw key_error("zguard: cannot sync " + tmp + ": " + std::strerror(errno));
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    throw key_error("zguard: cannot rename " + tmp + " to " + path.string() + ": " + std::strerror(errno));
  file.done = true;
  // The rename itself survives a crash once the directory is synced.
  int const dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    (void)::fsync(dfd);
    ::close(dfd);
  }
}

ZGUARD_DECL std::string certificate_text(bool secret, std::string const& public_z85,
                                         std::map<std::string, std::string> const& metadata) {
  std::string t = "#   ****  Generated by zguard  ****\n";
  if (secret) {
    t += "#   ZeroMQ CURVE **Secret** Certificate\n"
         "#   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.\n";
  } else {
    t += "#   ZeroMQ CURVE Public Certificate\n"
         "#   Exchange securely, or use a secure mechanism to verify the contents\n"
         "#   of this file after exchange. Store public certificates in your home\n"
         "#   directory, in the .curve subdirectory.\n";
  }
  t += "\nmetadata\n";
  for (auto const& [k, v] : metadata) t += "    " + k + " = \"" + v + "\"\n";
  t += "curve\n    public-key = \"" + public_z85 + "\"\n";
  return t;
}

ZGUARD_DECL void check_metadata(std::map<std::string, std::string> const& metadata) {
  for (auto const& [k, v] : metadata) {
    if (k.empty() || !std::all_of(k.begin(), k.end(), is_zpl_name_char))
      throw key_error("zguard: certificate metadata name '" + k + "' is not a ZPL name");
    if (std::any_of(v.begin(), v.end(), [](char c) { return c == '"' || static_cast<unsigned char>(c) < 0x20; }))
      throw key_error("zguard: certificate metadata '" + k + "' has a quote or control character");
  }
}
}  // namespace detail

ZGUARD_DECL void save_certificate(std::filesystem::path const& public_path, keypair const& keys,
                                  std::map<std::string, std::string> const& metadata) {
  detail::check_metadata(metadata);
  auto const pub = keys.public_part().z85();
  detail::write_file(public_path, detail::certificate_text(false, pub, metadata), 0644);
  std::string secret_text = detail::certificate_text(true, pub, metadata);
  char z85[41];
  keys.secret_part().write_z85(z85);
  secret_text += "    secret-key = \"";
  secret_text += z85;
  secret_text += "\"\n";
  sodium_memzero(z85, sizeof z85);
  try {
    detail::write_file(detail::secret_path_of(public_path), secret_text, 0600);
  } catch (...) {
    sodium_memzero(secret_text.data(), secret_text.size());
    throw;
  }
  sodium_memzero(secret_text.data(), secret_text.size());
}
namespace detail {

ZGUARD_DECL certificate certificate_from(std::map<std::string, std::string>& fields) {
  try {
    certificate c{public_key::from_z85(fields.at("curve/public-key")), {}};
    for (auto const& [k, v] : fields)
      if (k.rfind("metadata/", 0) == 0) c.metadata[k.substr(9)] = v;
    wipe(fields);
    return c;
  } catch (...) {
    wipe(fields);
    throw;
  }
}

ZGUARD_DECL keypair keypair_from(std::map<std::string, std::string>& fields, std::filesystem::path const& path) {
  try {
    if (!fields.count("curve/secret-key"))
      throw key_error("zguard: certificate " + path.string() + " has no curve/secret-key");
    auto pub = public_key::from_z85(fields.at("curve/public-key"));
    auto secret = secret_key::from_z85(fields.at("curve/secret-key"));
    wipe(fields);
    return keypair(pub, std::move(secret));
  } catch (...) {
    wipe(fields);
    throw;
  }
}

ZGUARD_DECL void check_trusted_directory(std::filesystem::path const& dir, std::string_view what, std::string_view harm) {
  auto const name = std::string(what) + " " + dir.string();
  struct stat ds {};
  if (::stat(dir.c_str(), &ds) != 0)
    throw key_error("zguard: cannot read " + name + ": " + std::strerror(errno));
  if (!S_ISDIR(ds.st_mode)) throw key_error("zguard: " + name + " is not a directory");
  if (ds.st_mode & (S_IWGRP | S_IWOTH))
    throw key_error("zguard: " + name + " is writable by group or others (mode " + mode_text(ds.st_mode) +
                    "); whoever can write it can " + std::string(harm));
  if (!owned_by_this_user_or_root(ds))
    throw key_error("zguard: " + name + " is owned by uid " + std::to_string(ds.st_uid) +
                    ", neither this user nor root; its owner can " + std::string(harm));
  if (auto const above = directory_path_problem(dir); !above.empty())
    throw key_error("zguard: " + name + " is below " + above + "; who can write it can put another directory in " +
                    "its place and " + std::string(harm));
}

ZGUARD_DECL certificate load_trusted_certificate(std::filesystem::path const& path) {
  auto buf = read_certificate_file(path, certificate_role::allowlisted);
  auto fields = parse_certificate(buf, path);
  return certificate_from(fields);
}
}  // namespace detail

ZGUARD_DECL certificate load_public_certificate(std::filesystem::path const& path) {
  auto buf = detail::read_certificate_file(path);
  auto fields = detail::parse_certificate(buf, path);
  return detail::certificate_from(fields);
}

ZGUARD_DECL keypair load_keypair_certificate(std::filesystem::path const& path) {
  auto const secret_path = detail::secret_path_of(path);
  auto buf = detail::read_certificate_file(secret_path, detail::certificate_role::secret);
  auto fields = detail::parse_certificate(buf, secret_path);
  return detail::keypair_from(fields, secret_path);
}

ZGUARD_DECL std::vector<public_key> load_public_directory(std::filesystem::path const& dir) {
  detail::check_trusted_directory(dir, "certificate directory", "add a key the authenticator allows");
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) throw key_error("zguard: cannot read certificate directory " + dir.string() + ": " + ec.message());
  for (auto const& e : it) {
    auto const name = e.path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    if (name.size() > 7 && name.compare(name.size() - 7, 7, "_secret") == 0) continue;
    // A symlink is kept, not skipped: the loader refuses it (O_NOFOLLOW).
    auto const type = e.symlink_status(ec).type();
    if (ec) throw key_error("zguard: cannot read certificate directory " + dir.string() + ": " + ec.message());
    if (type != std::filesystem::file_type::regular && type != std::filesystem::file_type::symlink) continue;
    files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<public_key> keys;
  for (auto const& f : files) keys.push_back(detail::load_trusted_certificate(f).key);
  return keys;
}
}  // namespace v0
}  // namespace zguard
