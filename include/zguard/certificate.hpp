// zguard/certificate.hpp - CZMQ-compatible certificate files (G4).
//
// The format zcert_save writes (ZPL, ZeroMQ RFC 4): NAME holds the public key
// and metadata, NAME_secret also the secret key. pyzmq's zmq.auth reads the
// same files. Secret files are created with mode 0600 (never a moment with
// wider rights) and are refused when group/world accessible, a symlink, or
// owned by another user than this one or root. An allowlist directory
// decides who is let in: it and every certificate in it must be owned by
// this user or root and writable by neither group nor others, and a
// certificate in it may not be a symlink.
#pragma once

#include <zguard/detail/compiled.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <zguard/detail/guarded_bytes.hpp>
#include <zguard/detail/protected_file.hpp>
#include <zguard/detail/zpl.hpp>
#include <zguard/keys.hpp>

namespace zguard {
inline namespace v0 {

struct certificate {
  public_key key;
  std::map<std::string, std::string> metadata;
};

namespace detail {

ZGUARD_DECL std::filesystem::path secret_path_of(std::filesystem::path const& p);

// What a certificate file is read as, and so which checks it gets.
enum class certificate_role {
  public_file,  // named by the caller: a regular file
  allowlisted,  // in an allowlist directory: it decides who is let in
  secret,       // NAME_secret: holds a secret key
};

// Reads a whole file of at most max_zpl_size bytes into guarded memory.
// Every role: a regular file. secret: no symlink, no group/other rights,
// owned by this user or root.
// allowlisted: no symlink, owned by this user or root, writable by neither
// group nor others. Checked on the file opened, not on its path.
ZGUARD_DECL guarded_bytes read_certificate_file(std::filesystem::path const& path,
                                                certificate_role role = certificate_role::public_file);

ZGUARD_DECL void wipe(std::map<std::string, std::string>& fields);

ZGUARD_DECL std::map<std::string, std::string> parse_certificate(guarded_bytes const& buf,
                                                                 std::filesystem::path const& path);

ZGUARD_DECL void write_all(int fd, std::string const& text, std::filesystem::path const& path);

// Writes `path` with `mode` by renaming a complete new file into place
// (synced): a reader sees the old file or the new one, never a part.
ZGUARD_DECL void write_file(std::filesystem::path const& path, std::string const& text, mode_t mode);

ZGUARD_DECL std::string certificate_text(bool secret, std::string const& public_z85,
                                         std::map<std::string, std::string> const& metadata);

ZGUARD_DECL void check_metadata(std::map<std::string, std::string> const& metadata);

}  // namespace detail

// Writes public_path (0644) and public_path + "_secret" (0600).
ZGUARD_DECL void save_certificate(std::filesystem::path const& public_path, keypair const& keys,
                                  std::map<std::string, std::string> const& metadata = {});

namespace detail {
// The certificate a parsed file describes; wipes the fields. Split from the
// file reading so that fuzz/fuzz_certificate.cpp runs exactly this code.
ZGUARD_DECL certificate certificate_from(std::map<std::string, std::string>& fields);

// The checked keypair a parsed secret file holds; wipes the fields.
ZGUARD_DECL keypair keypair_from(std::map<std::string, std::string>& fields, std::filesystem::path const& path);

// A directory whose files decide who is let in or whose signatures count:
// owned by this user or root and writable by neither group nor others (not
// even when sticky: others could add a file). `what` names it, `harm` says
// what whoever could write it could do.
ZGUARD_DECL void check_trusted_directory(std::filesystem::path const& dir, std::string_view what, std::string_view harm);

// A public certificate whose key is let in or given rights (an allowlist
// entry, a permission rule's cert): the checks of certificate_role::allowlisted.
ZGUARD_DECL certificate load_trusted_certificate(std::filesystem::path const& path);
}  // namespace detail

// Reads a public certificate (a secret one works too: its secret is ignored).
ZGUARD_DECL certificate load_public_certificate(std::filesystem::path const& path);

// Reads NAME_secret (given NAME or NAME_secret) into a checked keypair.
ZGUARD_DECL keypair load_keypair_certificate(std::filesystem::path const& path);

// The public keys of every certificate in dir (not *_secret, not dotfiles,
// not subdirectories or other entries that are not files), in file name
// order. The directory decides who is let in, so it must be owned by this
// user or root and writable by neither group nor others (not even when
// sticky: others could add a file), and each certificate the same, and not
// a symlink. Anything else, or a malformed file, throws key_error naming it.
ZGUARD_DECL std::vector<public_key> load_public_directory(std::filesystem::path const& dir);

}  // namespace v0
}  // namespace zguard

#if !defined(ZGUARD_SEPARATE_COMPILATION)
#include <zguard/impl/certificate.ipp>
#endif
