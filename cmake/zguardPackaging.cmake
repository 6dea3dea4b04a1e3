# Debian packages with CPack, one per install component (cmake/zguardInstall.cmake):
#   zguard-dev    Architecture: all; headers, CMake and pkg-config files;
#                 depends on the -dev packages the headers include
#   zguard-tools  this machine's architecture; the zguard tool; its library
#                 dependencies come from dpkg-shlibdeps
#   python3-zguard  Architecture: all; the Python module, for Debian's python3
# Split so that a host that only runs `zguard` needs no compiler headers, and
# the headers stay one architecture-independent package. Build them from an
# install build: cpack --config BUILD/CPackConfig.cmake (README.md, Debian packages).
include_guard(GLOBAL)

set(ZGUARD_PACKAGE_MAINTAINER "zguard developers <dev@zguard.invalid>"
  CACHE STRING "Maintainer field of the Debian packages")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME zguard)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL dev python)
if(ZGUARD_BUILD_TOOLS)
  list(APPEND CPACK_COMPONENTS_ALL tools)
endif()

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${ZGUARD_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)

set(CPACK_DEBIAN_DEV_PACKAGE_NAME zguard-dev)
# Configured with prefix /usr, Debian's GNUInstallDirs puts the CMake and
# pkg-config files under lib/<multiarch>: then the package is of this architecture.
if(NOT CMAKE_INSTALL_LIBDIR MATCHES "/")
  set(CPACK_DEBIAN_DEV_PACKAGE_ARCHITECTURE all)
endif()
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
# The versions the headers check at compile time (include/zguard/version.hpp).
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
  "libzmq3-dev (>= 4.3.3), libsodium-dev (>= 1.0.18), libboost-dev (>= 1.74), cppzmq-dev")
# zguard/config.hpp (optional, not in the umbrella header) reads TOML with toml++.
set(CPACK_DEBIAN_DEV_PACKAGE_SUGGESTS "libtomlplusplus-dev")
# Each description's first line is the synopsis (no global summary: CPack
# would put it in front of both).
set(CPACK_DEBIAN_DEV_DESCRIPTION "secure-by-construction ZeroMQ for C++20 (headers)
A header-only framework over libzmq, cppzmq, libsodium and Boost.Hana in which
transport, socket pattern, security mechanism and limits are types: insecure
combinations do not compile. Includes the CMake package (find_package(zguard))
and a pkg-config file (zguard.pc).")

set(CPACK_DEBIAN_TOOLS_PACKAGE_NAME zguard-tools)
set(CPACK_DEBIAN_TOOLS_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_TOOLS_PACKAGE_SHLIBDEPS ON)
# dpkg-shlibdeps asks only for the symbols (libzmq5 >= 4.1.2); the tool's
# version gate refuses a libzmq older than 4.3.3 (CVE fixes), so say so to apt.
set(CPACK_DEBIAN_TOOLS_PACKAGE_DEPENDS "libzmq5 (>= 4.3.3), libsodium23 (>= 1.0.18)")
set(CPACK_DEBIAN_TOOLS_DESCRIPTION "zguard command-line tool: keys, certificates, allowlists
zguard keygen writes CURVE keypairs and signing keys as CZMQ-compatible
certificate files; zguard cert inspect and zguard profile show what
certificates and allowlist directories hold and report permission problems.")

set(CPACK_DEBIAN_PYTHON_PACKAGE_NAME python3-zguard)
set(CPACK_DEBIAN_PYTHON_PACKAGE_ARCHITECTURE all)
set(CPACK_DEBIAN_PYTHON_PACKAGE_SECTION python)
set(CPACK_DEBIAN_PYTHON_PACKAGE_DEPENDS "python3, python3-zmq, python3-nacl")
set(CPACK_DEBIAN_PYTHON_DESCRIPTION "zguard for Python services: schema messages, envelopes, vouches
The zguard module for Python 3: encodes and decodes zguard schema messages
with the checks and refusal reasons of the C++ library, seals and verifies
signed envelopes, checks a broker's vouch, and wraps pyzmq sockets for
calls, services and verified subscriptions.")

include(CPack)
