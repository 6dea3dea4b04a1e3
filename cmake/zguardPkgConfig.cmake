# zguard_pkg_check(<prefix> <module spec>): pkg_check_modules(... IMPORTED_TARGET)
# with the imported target's flags set from <prefix>_CFLAGS, the same on
# every configure.
#
# Why: FindPkgConfig (CMake 3.25) puts "-isystem DIR" (libzmq's pkg-config
# names /usr/include/mit-krb5 that way) into the include directories on the
# first configure and into the compile options on every later one, so the
# second configure of a build tree changed the flags of every target and
# rebuilt them all.
include_guard(GLOBAL)
find_package(PkgConfig REQUIRED)

function(zguard_pkg_check prefix spec)
  pkg_check_modules(${prefix} REQUIRED IMPORTED_TARGET ${spec})
  set(includes "")
  set(options "")
  set(next_is_dir FALSE)
  foreach(flag IN LISTS ${prefix}_CFLAGS)
    if(next_is_dir)
      list(APPEND includes "${flag}")
      set(next_is_dir FALSE)
    elseif(flag STREQUAL "-isystem" OR flag STREQUAL "-I")
      set(next_is_dir TRUE)
    elseif(flag MATCHES "^-isystem(.+)$")
      list(APPEND includes "${CMAKE_MATCH_1}")
    elseif(flag MATCHES "^-I(.+)$")
      list(APPEND includes "${CMAKE_MATCH_1}")
    else()
      list(APPEND options "${flag}")
    endif()
  endforeach()
  set_target_properties(PkgConfig::${prefix} PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${includes}"
    INTERFACE_COMPILE_OPTIONS "${options}")
endfunction()
