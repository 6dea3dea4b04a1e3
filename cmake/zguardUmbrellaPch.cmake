# The umbrella header <zguard/zguard.hpp> precompiled once for programs and
# compile checks that begin by including it.
#
# Only a source whose first preprocessor line (a #line aside) is
# `#include <zguard/zguard.hpp>` gets the precompiled umbrella: it then sees
# exactly what it saw before (the umbrella, then its own lines; its own
# include of the umbrella is a no-op), so a missing include of it is never
# hidden. Unlike target_precompile_headers, whose generated header is marked
# `#pragma GCC system_header` (every zguard header inside it then counts as a
# system header and its warnings are silenced), the umbrella is precompiled as
# it is included, so -Wall -Wextra -Werror still apply to zguard's code.
#
# zguard_umbrella_pch(<pch_target> [OPTIONS <compile options>...])
#   A target that makes the precompiled umbrella (the one "object" of the
#   OBJECT library <pch_target>_object), built
#   with zguard::zguard's usage requirements and <compile options> (the same
#   as its users': GCC refuses a precompiled header built with other flags,
#   and -Winvalid-pch -Werror make that an error, not a silent slow build).
# zguard_use_umbrella_pch(<target> <pch_target>)
#   Each source of <target> that begins with the umbrella loads it.
function(zguard_umbrella_pch name)
  cmake_parse_arguments(PARSE_ARGV 1 _pch "" "" "OPTIONS")
  set(_dir ${CMAKE_CURRENT_BINARY_DIR}/${name})
  set(_header ${_dir}/zguard_umbrella.hpp)
  file(CONFIGURE OUTPUT ${_header} CONTENT "#include <zguard/zguard.hpp>\n")
  add_library(${name}_object OBJECT ${_header})
  set_source_files_properties(${_header} PROPERTIES LANGUAGE CXX COMPILE_OPTIONS "-x;c++-header")
  target_link_libraries(${name}_object PRIVATE zguard::zguard)
  target_compile_options(${name}_object PRIVATE ${_pch_OPTIONS})
  # GCC looks for <header>.gch beside the header it is told to include.
  add_custom_command(OUTPUT ${_header}.gch
    COMMAND ${CMAKE_COMMAND} -E rm -f ${_header}.gch
    COMMAND ${CMAKE_COMMAND} -E create_symlink $<TARGET_OBJECTS:${name}_object> ${_header}.gch
    DEPENDS ${name}_object $<TARGET_OBJECTS:${name}_object>
    VERBATIM)
  add_custom_target(${name} DEPENDS ${_header}.gch)
  set_target_properties(${name} PROPERTIES ZGUARD_UMBRELLA_HEADER ${_header})
endfunction()

function(zguard_use_umbrella_pch target pch)
  get_target_property(_header ${pch} ZGUARD_UMBRELLA_HEADER)
  get_target_property(_sources ${target} SOURCES)
  get_target_property(_source_dir ${target} SOURCE_DIR)
  set(_used FALSE)
  foreach(_source IN LISTS _sources)
    if(NOT _source MATCHES "\\.cpp$")
      continue()
    endif()
    if(NOT IS_ABSOLUTE ${_source})
      set(_source ${_source_dir}/${_source})
    endif()
    file(STRINGS ${_source} _first REGEX "^[ \t]*#[ \t]*[a-z]" LIMIT_COUNT 2)
    list(FILTER _first EXCLUDE REGEX "^[ \t]*#[ \t]*line ")
    if(_first)
      list(GET _first 0 _first)
    endif()
    if(_first MATCHES "^[ \t]*#[ \t]*include[ \t]*<zguard/zguard\\.hpp>[ \t]*$")
      set_property(SOURCE ${_source} APPEND PROPERTY COMPILE_OPTIONS -Winvalid-pch -include ${_header})
      set_property(SOURCE ${_source} APPEND PROPERTY OBJECT_DEPENDS ${_header}.gch)
      set(_used TRUE)
    endif()
  endforeach()
  if(_used)
    add_dependencies(${target} ${pch})
  endif()
endfunction()
